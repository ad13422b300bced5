"""A small department-year for the export tests, with figures easy to check by hand.

Amounts are multiples of 100 yuan, so every 万元 figure is exact and a subtotal must equal
the sum of its rows to the cent. The personas are those of tests/personas.py (finance, leader,
an accountant of each unit, an outsider) as members of this department; the rows come from the
factories of tests/builders.py.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from indicators.models import Indicator
from projects.models import BudgetItem, BudgetLine
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
from units.models import BudgetUnit, DepartmentYear, Membership


@dataclass
class Ledger:
    department_year: DepartmentYear
    unit_a: BudgetUnit
    unit_b: BudgetUnit
    finance: object
    leader: object
    accountant_a: object
    accountant_b: object
    outsider: object


def _line(item, source, kind, amount, day=date(2024, 1, 5)):
    BudgetLineFactory(item=item, source=source, kind=kind, amount=Decimal(amount), date=day)


def _spend(item, amount, code, day):
    ExpenditureFactory(item=item, amount=Decimal(amount), economic_class=economic_class(code), date=day, memo="测试支出")


def build_ledger(code: str = "TST") -> Ledger:
    S, K = BudgetLine.Source, BudgetLine.Kind
    department_year = DepartmentYearFactory(department__code=code, department__name="测试部门", year=2024)
    department = department_year.department
    unit_a = BudgetUnitFactory(
        department=department, code="A", name="测试部门（本级）", kind=BudgetUnit.Kind.ADMINISTRATIVE,
        authorized_staff=10, actual_staff=8, retired_staff=3, lixiu_staff=1, position=1,
    )
    unit_b = BudgetUnitFactory(
        department=department, code="B", name="测试中心", kind=BudgetUnit.Kind.INSTITUTION,
        authorized_staff=5, actual_staff=5, retired_staff=0, lixiu_staff=0, position=2,
    )

    def item(unit, item_code, name, category, position):
        return BudgetItemFactory(
            department_year=department_year, unit=unit, code=item_code, name=name, category=category, position=position
        )

    a_personnel = item(unit_a, "A-P01", "人员经费", BudgetItem.Category.PERSONNEL, 1)
    a_operating = item(unit_a, "A-O01", "公用经费", BudgetItem.Category.OPERATING, 2)
    a_project = item(unit_a, "A-X01", "妇女培训项目", BudgetItem.Category.PROJECT, 3)
    b_personnel = item(unit_b, "B-P01", "人员经费", BudgetItem.Category.PERSONNEL, 4)
    b_project = item(unit_b, "B-X01", "儿童关爱项目", BudgetItem.Category.PROJECT, 5)

    _line(a_personnel, S.LOCAL, K.INITIAL, "1000000.00")
    _line(a_personnel, S.SUPERIOR, K.ADDITION, "200000.00", date(2024, 6, 1))
    _line(a_operating, S.LOCAL, K.INITIAL, "300000.00")
    _line(a_operating, S.OTHER, K.CARRYOVER, "20000.00")
    _line(a_project, S.SUPERIOR, K.INITIAL, "2000000.00")
    _line(a_project, S.SUPERIOR, K.REDUCTION, "100000.00", date(2024, 9, 1))
    _line(a_project, S.OTHER, K.INITIAL, "50000.00")
    _line(b_personnel, S.LOCAL, K.INITIAL, "400000.00")
    _line(b_project, S.LOCAL, K.INITIAL, "500000.00")
    _line(b_project, S.LOCAL, K.CARRYOVER, "80000.00")

    _spend(a_personnel, "600000.00", "30101", date(2024, 3, 10))
    _spend(a_personnel, "500000.00", "30102", date(2024, 7, 10))
    _spend(a_operating, "150000.00", "30201", date(2024, 4, 2))
    _spend(a_operating, "100000.00", "30211", date(2024, 8, 2))
    _spend(a_project, "1000000.00", "30227", date(2024, 5, 20))
    _spend(a_project, "500000.00", "31002", date(2024, 10, 20))
    _spend(b_personnel, "380000.00", "30107", date(2024, 6, 30))
    _spend(b_project, "560000.00", "30216", date(2024, 11, 30))

    L = Indicator.Level1
    for position, (ind_code, level1, level2, name, target, midyear, actual, unit) in enumerate(
        [
            ("D1", L.OUTPUT, "数量", "培训妇女人数", "100", "40", "120", "人"),
            ("D2", L.OUTPUT, "质量", "培训合格率", "50", "20", "40", "%"),
            ("D3", L.BENEFIT, "社会效益", "法律知识知晓率", "90", "90", "95", "%"),
            ("D4", L.SATISFACTION, "服务对象满意度", "群众满意度", "95", "95", "96", "%"),
        ]
    ):
        IndicatorFactory(
            department_year=department_year,
            code=ind_code,
            level1=level1,
            level2=level2,
            name=name,
            direction=Indicator.Direction.AT_LEAST,
            target=Decimal(target),
            midyear=Decimal(midyear),
            actual=Decimal(actual),
            unit=unit,
            position=position,
            deviation_reason="受天气影响延期" if ind_code == "D2" else "",
            corrective_measures="下半年加密培训" if ind_code == "D2" else "",
        )
    for position, (ind_code, level1, points, actual) in enumerate(
        [("X1", L.OUTPUT, "60", "300"), ("X2", L.SATISFACTION, "30", "90")]
    ):
        IndicatorFactory(
            department_year=department_year,
            item=a_project,
            code=ind_code,
            level1=level1,
            level2="数量" if level1 == L.OUTPUT else "服务对象满意度",
            name=f"项目指标{ind_code}",
            direction=Indicator.Direction.AT_LEAST,
            target=Decimal("300") if ind_code == "X1" else Decimal("90"),
            actual=Decimal(actual),
            midyear=Decimal("100"),
            unit="人",
            points=Decimal(points),
            position=10 + position,
        )

    return Ledger(
        department_year=department_year,
        unit_a=unit_a,
        unit_b=unit_b,
        finance=member(user(f"{code}-finance"), department_year, Membership.Role.FINANCE),
        leader=member(user(f"{code}-leader"), department_year, Membership.Role.LEADER),
        accountant_a=member(user(f"{code}-acc-a"), department_year, Membership.Role.ACCOUNTANT, unit_a),
        accountant_b=member(user(f"{code}-acc-b"), department_year, Membership.Role.ACCOUNTANT, unit_b),
        outsider=user(f"{code}-outsider"),
    )


def generated(what: str, department_year, **options):
    """Generate an export into memory and return its bytes."""
    import io
    from datetime import datetime, timezone

    from fundmgr.exports import registry
    from fundmgr.lib.table_xlsx import stamp_for

    out = io.BytesIO()
    registry.generate(
        what,
        department_year=department_year,
        out=out,
        stamp=stamp_for("测试用户", now=datetime(2025, 3, 12, 10, 0, tzinfo=timezone.utc)),
        **options,
    )
    return out.getvalue()


def open_workbook(what: str, department_year, **options):
    import io

    from openpyxl import load_workbook

    return load_workbook(io.BytesIO(generated(what, department_year, **options)))


def find_row(ws, label, column: int = 1, start: int = 1) -> int:
    """The first row at or after `start` whose cell in `column` is `label`."""
    for row in range(start, ws.max_row + 1):
        if ws.cell(row=row, column=column).value == label:
            return row
    raise AssertionError(f"no row labelled {label!r} in sheet {ws.title}")


def wan_of(yuan: str) -> Decimal:
    from fundmgr.lib.money import wan

    return wan(Decimal(yuan))


def number(cell) -> Decimal:
    """A numeric cell as a Decimal; fails when the cell holds text."""
    assert isinstance(cell.value, (int, float)), f"{cell.coordinate} holds {cell.value!r}, not a number"
    return Decimal(str(cell.value))
