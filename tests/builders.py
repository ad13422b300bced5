"""factory_boy factories for the rows a test starts from.

    item = BudgetItemFactory(code="A1")                       # with its department, year and unit
    BudgetLineFactory(item=item, amount=Decimal("1000.00"))   # dated 1 January of the item's year
    ExpenditureFactory(item=item, amount=Decimal("10.00"))    # approved, 30201 办公费, 1 June

A factory writes with plain `objects.create`, around the services: it sets the scene, and no
business rule runs. A test of a behaviour makes its own writes through the service it is about.
Related rows follow the row they belong to (an item's unit is of the item's department), so a
factory never builds a second department by accident.
"""

from datetime import date
from decimal import Decimal

import factory
from django.contrib.auth import get_user_model
from factory.django import DjangoModelFactory

from indicators.models import Indicator
from projects.models import BudgetItem, BudgetLine, EconomicClass, Expenditure, MonthClose
from units.models import BudgetUnit, Department, DepartmentYear, Membership

PASSWORD = "persona-password-1"
OFFICE_SUPPLIES = "30201"  # 办公费, the economic class of an expenditure nobody cares about


def economic_class(code: str = OFFICE_SUPPLIES) -> EconomicClass:
    """A row of the reference data the initial migration loads."""
    return EconomicClass.objects.get(code=code)


class UserFactory(DjangoModelFactory):
    """A user who can log in with PASSWORD (tests hash with MD5, see tests/conftest.py)."""

    class Meta:
        model = get_user_model()

    username = factory.Sequence(lambda n: f"user{n}")
    password = PASSWORD

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        return model_class.objects.create_user(*args, **kwargs)


class DepartmentFactory(DjangoModelFactory):
    class Meta:
        model = Department
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"D{n}")
    name = "测试部门"


class DepartmentYearFactory(DjangoModelFactory):
    class Meta:
        model = DepartmentYear

    department = factory.SubFactory(DepartmentFactory)
    year = 2024


class BudgetUnitFactory(DjangoModelFactory):
    """A department's unit `code` is one row: asking for it again returns the unit already there."""

    class Meta:
        model = BudgetUnit
        django_get_or_create = ("department", "code")

    department = factory.SubFactory(DepartmentFactory)
    code = factory.Sequence(lambda n: f"U{n}")
    name = factory.LazyAttribute(lambda unit: f"单位{unit.code}")
    kind = BudgetUnit.Kind.ADMINISTRATIVE


class BudgetItemFactory(DjangoModelFactory):
    class Meta:
        model = BudgetItem

    department_year = factory.SubFactory(DepartmentYearFactory)
    unit = factory.SubFactory(BudgetUnitFactory, department=factory.SelfAttribute("..department_year.department"))
    code = factory.Sequence(lambda n: f"P{n}")
    name = factory.LazyAttribute(lambda item: f"项目{item.code}")
    category = BudgetItem.Category.PROJECT


class BudgetLineFactory(DjangoModelFactory):
    class Meta:
        model = BudgetLine

    item = factory.SubFactory(BudgetItemFactory)
    source = BudgetLine.Source.LOCAL
    kind = BudgetLine.Kind.INITIAL
    amount = Decimal("1000.00")
    date = factory.LazyAttribute(lambda line: date(line.item.department_year.year, 1, 1))


class ExpenditureFactory(DjangoModelFactory):
    class Meta:
        model = Expenditure

    item = factory.SubFactory(BudgetItemFactory)
    date = factory.LazyAttribute(lambda spent: date(spent.item.department_year.year, 6, 1))
    amount = Decimal("10.00")
    economic_class = factory.LazyFunction(economic_class)
    status = Expenditure.Status.APPROVED


class IndicatorFactory(DjangoModelFactory):
    """A department-level indicator unless `item` is given; its year follows the item's."""

    class Meta:
        model = Indicator

    item = None
    department_year = factory.LazyAttribute(
        lambda indicator: indicator.item.department_year if indicator.item else DepartmentYearFactory()
    )
    code = factory.Sequence(lambda n: f"I{n}")
    level1 = Indicator.Level1.OUTPUT
    level2 = "数量"
    name = factory.LazyAttribute(lambda indicator: f"指标{indicator.code}")
    direction = Indicator.Direction.AT_LEAST
    target = Decimal("10")


class MembershipFactory(DjangoModelFactory):
    """A role in a department: finance by default; an accountant's department is their unit's."""

    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    role = Membership.Role.FINANCE
    unit = None
    department = factory.LazyAttribute(lambda membership: membership.unit.department if membership.unit else DepartmentFactory())


class MonthCloseFactory(DjangoModelFactory):
    class Meta:
        model = MonthClose

    department_year = factory.SubFactory(DepartmentYearFactory)
    month = 1
    closed_by = factory.SubFactory(UserFactory)


def ledger(*, units: int = 2, items_per_unit: int = 3, expenditures_per_item: int = 4, code: str = "D1", year: int = 2024) -> DepartmentYear:
    """A department-year whose every item has 1000.00 budget and spends 10.00 per expenditure,
    spread over the months and five economic classes: the data of the query-count tests."""
    department_year = DepartmentYearFactory(department__code=code, year=year)
    classes = list(EconomicClass.objects.filter(parent__isnull=False).values_list("code", flat=True)[:5])
    for u in range(units):
        unit = BudgetUnitFactory(department=department_year.department, code=f"U{u}", name=f"单位{u}")
        for i in range(items_per_unit):
            item = BudgetItemFactory(department_year=department_year, unit=unit, code=f"U{u}P{i}", name=f"项目{u}-{i}")
            BudgetLineFactory(item=item)
            Expenditure.objects.bulk_create(
                Expenditure(item=item, amount=Decimal("10.00"), date=date(year, 1 + n % 12, 10), economic_class_id=classes[n % len(classes)])
                for n in range(expenditures_per_item)
            )
    return department_year
