"""A small, fully known ledger and the personas of STYLE.md, for the dashboard tests.

Department DSH, year 2024:
- unit A: item A1 (project) 100,000.00 initial (local); item A2 (personnel) 50,000.00 initial
  (superior) + 10,000.00 addition (local) on 1 June;
- unit B: item B1 (operating) 40,000.00 initial (local) + 5,000.00 carryover (other).
Approved spending: A1 10,000.00 (10 Feb, 30201) + 20,000.00 (31 Mar, 31002) + 5,000.00 (1 Apr, 30201);
A2 30,000.00 (20 Jan, 30101); B1 4,000.00 (15 Mar, 30201) + 1,000.00 (1 Dec, 30201).
Pending: A1 60,000.00 (5 Mar). Rejected: A1 1,000.00 (6 Mar).
"""

from datetime import date
from decimal import Decimal

import pytest

from projects.models import BudgetLine, Expenditure
from tests.builders import (
    BudgetItemFactory,
    BudgetLineFactory,
    BudgetUnitFactory,
    DepartmentYearFactory,
    ExpenditureFactory,
    IndicatorFactory,
    economic_class,
)
from tests.personas import member, user
from units.models import BudgetUnit, Membership

PLAIN_STATIC = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}


@pytest.fixture(autouse=True)
def plain_static_files(settings):
    """Pages render {% static %}; tests have no collectstatic manifest. The default storage stays
    the session's own folder (tests/conftest.py): a plain FileSystemStorage would write the demo's
    佐证材料 into the working directory."""
    settings.STORAGES = {**settings.STORAGES, "staticfiles": PLAIN_STATIC}


def line(item, kind, amount, day, source=BudgetLine.Source.LOCAL):
    return BudgetLineFactory(item=item, kind=kind, source=source, amount=Decimal(amount), date=day)


def spend(item, amount, day, economic_class_code="30201", status=Expenditure.Status.APPROVED):
    return ExpenditureFactory(
        item=item, amount=Decimal(amount), date=day, economic_class=economic_class(economic_class_code), status=status
    )


def _unit(department, code, name, kind, position):
    """The department's unit `code`: a second year of the same department shares its units."""
    existing = BudgetUnit.objects.filter(department=department, code=code).first()
    return existing or BudgetUnitFactory(department=department, code=code, name=name, kind=kind, position=position)


def build_ledger(code="DSH", year=2024):
    department_year = DepartmentYearFactory(department__code=code, department__name=f"测试部门{code}", year=year)
    department = department_year.department
    unit_a = _unit(department, "A", "甲单位", BudgetUnit.Kind.ADMINISTRATIVE, 1)
    unit_b = _unit(department, "B", "乙单位", BudgetUnit.Kind.INSTITUTION, 2)
    a1 = BudgetItemFactory(department_year=department_year, unit=unit_a, code="A1", name="甲项目", category="project", position=1)
    a2 = BudgetItemFactory(
        department_year=department_year, unit=unit_a, code="A2", name="甲人员", category="personnel", position=2
    )
    b1 = BudgetItemFactory(
        department_year=department_year, unit=unit_b, code="B1", name="乙运转", category="operating", position=3
    )
    line(a1, "initial", "100000.00", date(year, 1, 1))
    line(a2, "initial", "50000.00", date(year, 1, 1), source=BudgetLine.Source.SUPERIOR)
    line(a2, "addition", "10000.00", date(year, 6, 1))
    line(b1, "initial", "40000.00", date(year, 1, 1))
    line(b1, "carryover", "5000.00", date(year, 1, 1), source=BudgetLine.Source.OTHER)
    spend(a1, "10000.00", date(year, 2, 10))
    spend(a1, "20000.00", date(year, 3, 31), economic_class_code="31002")
    spend(a1, "5000.00", date(year, 4, 1))
    spend(a1, "60000.00", date(year, 3, 5), status=Expenditure.Status.PENDING)
    spend(a1, "1000.00", date(year, 3, 6), status=Expenditure.Status.REJECTED)
    spend(a2, "30000.00", date(year, 1, 20), economic_class_code="30101")
    spend(b1, "4000.00", date(year, 3, 15))
    spend(b1, "1000.00", date(year, 12, 1))
    for position, (level1, actual) in enumerate([("output", "100"), ("benefit", "80"), ("satisfaction", "95")], start=1):
        IndicatorFactory(
            department_year=department_year,
            code=f"D{position}",
            level1=level1,
            level2="数量指标",
            name=f"指标{position}",
            direction="ge",
            target=Decimal("100") if level1 != "satisfaction" else Decimal("90"),
            actual=Decimal(actual),
            position=position,
        )
    IndicatorFactory(
        department_year=department_year,
        item=a1,
        code="A1-1",
        level1="output",
        level2="数量指标",
        name="项目指标",
        direction="ge",
        target=Decimal("10"),
        actual=Decimal("10"),
        position=10,
    )
    return department_year


def grow_ledger(department_year, *, units=3, items_per_unit=4, expenditures_per_item=5):
    """More units, items, lines, expenditures and indicators in the same department-year: the
    second size of the query-count tests."""
    year = department_year.year
    for u in range(units):
        unit = BudgetUnitFactory(
            department=department_year.department, code=f"G{u}", name=f"增单位{u}", kind=BudgetUnit.Kind.INSTITUTION
        )
        for k in range(items_per_unit):
            item = BudgetItemFactory(
                department_year=department_year, unit=unit, code=f"G{u}-{k}", name=f"增项目{u}-{k}", category="project"
            )
            line(item, "initial", "90000.00", date(year, 1, 1))
            for e in range(expenditures_per_item):
                spend(item, "100.00", date(year, 1 + e % 12, 1))
            IndicatorFactory(
                department_year=department_year,
                item=item,
                code=f"G{u}-{k}-1",
                level1="output",
                level2="数量指标",
                name="增指标",
                direction="ge",
                target=Decimal("10"),
                actual=Decimal("5"),
            )


@pytest.fixture
def ledger(db):
    return build_ledger()


@pytest.fixture
def personas(ledger):
    """The five personas of tests/personas.py, as members of this ledger's department."""
    unit_a = BudgetUnit.objects.get(department=ledger.department, code="A")
    unit_b = BudgetUnit.objects.get(department=ledger.department, code="B")
    return {
        "finance": member(user("finance"), ledger, Membership.Role.FINANCE),
        "accountant_a": member(user("accountant_a"), ledger, Membership.Role.ACCOUNTANT, unit_a),
        "accountant_b": member(user("accountant_b"), ledger, Membership.Role.ACCOUNTANT, unit_b),
        "leader": member(user("leader"), ledger, Membership.Role.LEADER),
        "outsider": user("outsider"),
    }
