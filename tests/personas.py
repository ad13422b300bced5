"""The five personas of STYLE.md's access tests, in one small department-year.

    world = personas.build()          # inside a django_db test
    client.force_login(world.accountant_a)

Department "PD" 2024 has unit A (items A1, A2) and unit B (item B1). Every item has an initial
budget line; A1 and B1 each carry one approved expenditure in June, A1 one pending (三重一大)
expenditure, and A1 and B1 one indicator each. Reusable by any helper's tests.

The rows are built with the factories of tests/builders.py. tests/conftest.py turns this module
into fixtures: `world`, `as_persona`, `other` (a second department, QD, whose finance office is
the stranger of the cross-department tests), `superuser` and `closed_march`.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.contrib.auth.models import Group, Permission

from indicators.models import Indicator
from projects.economic_classes import economic_classes_load
from projects.models import BudgetItem, BudgetLine, EconomicClass, Expenditure
from tests.builders import (  # noqa: F401 (PASSWORD: the personas' password, read by the login tests)
    PASSWORD,
    BudgetItemFactory,
    BudgetLineFactory,
    BudgetUnitFactory,
    DepartmentYearFactory,
    ExpenditureFactory,
    IndicatorFactory,
    MembershipFactory,
    UserFactory,
)
from units.access import FINANCE_BUREAU_GROUP
from units.models import BudgetUnit, DepartmentYear, Membership

FINANCE_APPS = ("projects", "units", "indicators")


@dataclass
class World:
    department_year: DepartmentYear
    unit_a: BudgetUnit
    unit_b: BudgetUnit
    item_a: BudgetItem
    item_a2: BudgetItem
    item_b: BudgetItem
    line_a: BudgetLine
    line_b: BudgetLine
    spent_a: Expenditure
    spent_b: Expenditure
    pending_a: Expenditure
    indicator_a: Indicator
    indicator_b: Indicator
    finance: object
    accountant_a: object
    accountant_b: object
    leader: object
    outsider: object

    @property
    def code(self) -> str:
        return self.department_year.department.code

    @property
    def year(self) -> int:
        return self.department_year.year

    @property
    def kwargs(self) -> dict:
        return {"department_code": self.code, "year": self.year}

    def persona(self, name: str):
        return None if name == "anonymous" else getattr(self, name)


PERSONAS = ("finance", "accountant_a", "accountant_b", "leader", "outsider", "anonymous")


def finance_group() -> Group:
    """财务处 with every model permission of the ledger apps, as the admin needs."""
    group, _ = Group.objects.get_or_create(name="财务处")
    group.permissions.set(Permission.objects.filter(content_type__app_label__in=FINANCE_APPS))
    return group


def user(username: str, **extra):
    return UserFactory(username=username, **extra)


def superuser(username: str = "root"):
    """Neither a member nor a persona: the province's administrator, who sees every department."""
    return UserFactory(username=username, email=f"{username}@example.org", is_staff=True, is_superuser=True)


def finance_bureau(username: str = "bureau"):
    """Neither a member nor a persona: a clerk of the province's finance bureau (财政厅), who sees every department."""
    bureau = UserFactory(username=username)
    bureau.groups.add(Group.objects.get_or_create(name=FINANCE_BUREAU_GROUP)[0])
    return bureau


def member(user_, department_year: DepartmentYear, role: str, unit: BudgetUnit | None = None):
    MembershipFactory(user=user_, department=department_year.department, role=role, unit=unit)
    return user_


def ensure_economic_classes() -> None:
    """Reload the reference data of the initial migration when a transactional test's flush removed it."""
    if not EconomicClass.objects.exists():
        economic_classes_load(EconomicClass)


def build(*, code: str = "PD", year: int = 2024, budget: str = "100000.00", prefix: str = "") -> World:
    """`prefix` keeps usernames unique when a test builds a second world."""
    ensure_economic_classes()
    department_year = DepartmentYearFactory(department__code=code, department__name="测试部门", year=year)
    department = department_year.department
    unit_a = BudgetUnitFactory(department=department, code="A", name="甲单位", kind=BudgetUnit.Kind.ADMINISTRATIVE, position=1)
    unit_b = BudgetUnitFactory(department=department, code="B", name="乙单位", kind=BudgetUnit.Kind.INSTITUTION, position=2)
    item_a = BudgetItemFactory(department_year=department_year, unit=unit_a, code="A1", name="甲培训经费")
    item_a2 = BudgetItemFactory(department_year=department_year, unit=unit_a, code="A2", name="甲设备购置", procurement_required=True)
    item_b = BudgetItemFactory(department_year=department_year, unit=unit_b, code="B1", name="乙宣传经费")
    lines = [BudgetLineFactory(item=item, amount=Decimal(budget)) for item in (item_a, item_a2, item_b)]
    june = date(year, 6, 1)
    spent_a = ExpenditureFactory(item=item_a, date=june, amount=Decimal("1000.00"), memo="甲办公用品")
    spent_b = ExpenditureFactory(item=item_b, date=june, amount=Decimal("2000.00"), memo="乙办公用品")
    pending_a = ExpenditureFactory(
        item=item_a, date=date(year, 6, 2), amount=Decimal("60000.00"), memo="甲大额培训", status=Expenditure.Status.PENDING
    )
    indicators = [
        IndicatorFactory(
            item=item, code=f"I-{item.code}", level2="数量", name=f"{item.name}指标",
            target=Decimal("10"), midyear=Decimal("5"), actual=Decimal("10"),
        )
        for item in (item_a, item_b)
    ]
    finance = member(user(f"{prefix}finance", is_staff=True), department_year, Membership.Role.FINANCE)
    finance.groups.add(finance_group())
    return World(
        department_year=department_year,
        unit_a=unit_a,
        unit_b=unit_b,
        item_a=item_a,
        item_a2=item_a2,
        item_b=item_b,
        line_a=lines[0],
        line_b=lines[2],
        spent_a=spent_a,
        spent_b=spent_b,
        pending_a=pending_a,
        indicator_a=indicators[0],
        indicator_b=indicators[1],
        finance=finance,
        accountant_a=member(user(f"{prefix}accountant_a"), department_year, Membership.Role.ACCOUNTANT, unit_a),
        accountant_b=member(user(f"{prefix}accountant_b"), department_year, Membership.Role.ACCOUNTANT, unit_b),
        leader=member(user(f"{prefix}leader"), department_year, Membership.Role.LEADER),
        outsider=user(f"{prefix}outsider"),
    )
