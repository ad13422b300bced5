"""A small generated department-year for the tests of DOMAIN.md section 8 (plans, transfers,
closing the year), built with the factories of tests/builders.py.

    BY 2024, unit A: A1 特定目标类 1,200.00 (本级财政), spent 300.00 on 15 March
                     A2 运转类      600.00 (本级财政), spent 100.00 on 10 February
             unit B: B1 特定目标类 2,400.00 (上级安排), spent 1,000.00 on 20 May
                     B2 人员类      900.00 (本级财政), spent 450.00 on 30 June
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from projects.models import BudgetItem, BudgetLine
from tests.builders import BudgetItemFactory, BudgetLineFactory, BudgetUnitFactory, DepartmentYearFactory, ExpenditureFactory
from tests.personas import ensure_economic_classes
from units.models import DepartmentYear


@dataclass
class Department:
    department_year: DepartmentYear
    items: dict[str, BudgetItem]

    def __getitem__(self, code: str) -> BudgetItem:
        return self.items[code]


ITEMS = (
    # code, unit, category, source, budget, spent, spent on
    ("A1", "A", BudgetItem.Category.PROJECT, BudgetLine.Source.LOCAL, "1200.00", "300.00", date(2024, 3, 15)),
    ("A2", "A", BudgetItem.Category.OPERATING, BudgetLine.Source.LOCAL, "600.00", "100.00", date(2024, 2, 10)),
    ("B1", "B", BudgetItem.Category.PROJECT, BudgetLine.Source.SUPERIOR, "2400.00", "1000.00", date(2024, 5, 20)),
    ("B2", "B", BudgetItem.Category.PERSONNEL, BudgetLine.Source.LOCAL, "900.00", "450.00", date(2024, 6, 30)),
)


def small_department(code: str = "BY", year: int = 2024) -> Department:
    ensure_economic_classes()
    department_year = DepartmentYearFactory(department__code=code, department__name="预算年度测试部门", year=year)
    units = {
        unit_code: BudgetUnitFactory(
            department=department_year.department, code=unit_code, name=f"{unit_code}单位", position=position
        )
        for position, unit_code in enumerate(("A", "B"))
    }
    items = {}
    for position, (item_code, unit, category, source, budget, spent, on) in enumerate(ITEMS):
        item = BudgetItemFactory(
            department_year=department_year,
            unit=units[unit],
            code=item_code,
            name=f"{item_code}项目",
            category=category,
            position=position,
        )
        BudgetLineFactory(item=item, source=source, amount=Decimal(budget))
        ExpenditureFactory(item=item, amount=Decimal(spent), date=on)
        items[item_code] = item
    return Department(department_year=department_year, items=items)
