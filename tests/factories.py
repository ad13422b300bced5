"""Small builders of ledger data for tests: plain objects.create, no magic."""

from datetime import date
from decimal import Decimal

from projects.models import BudgetItem, BudgetLine, EconomicClass, Expenditure
from units.models import BudgetUnit, Department, DepartmentYear


def department_year(code="D1", year=2024, name="测试部门") -> DepartmentYear:
    department, _ = Department.objects.get_or_create(code=code, defaults={"name": name})
    return DepartmentYear.objects.create(department=department, year=year)


def unit(dy: DepartmentYear, code="U1", name="测试单位", kind=BudgetUnit.Kind.ADMINISTRATIVE, **extra) -> BudgetUnit:
    return BudgetUnit.objects.create(department=dy.department, code=code, name=name, kind=kind, **extra)


def item(dy: DepartmentYear, unit_: BudgetUnit, code="P1", name="测试项目", category=BudgetItem.Category.PROJECT) -> BudgetItem:
    return BudgetItem.objects.create(department_year=dy, unit=unit_, code=code, name=name, category=category)


def line(item_: BudgetItem, amount: str, kind=BudgetLine.Kind.INITIAL, source=BudgetLine.Source.LOCAL, on=None) -> BudgetLine:
    on = on or date(item_.department_year.year, 1, 1)
    return BudgetLine.objects.create(item=item_, amount=Decimal(amount), kind=kind, source=source, date=on)


def spend(item_: BudgetItem, amount: str, on=None, economic_class="30201", status=Expenditure.Status.APPROVED) -> Expenditure:
    on = on or date(item_.department_year.year, 6, 1)
    return Expenditure.objects.create(
        item=item_, amount=Decimal(amount), date=on, economic_class=EconomicClass.objects.get(code=economic_class), status=status
    )


def ledger(*, units=2, items_per_unit=3, expenditures_per_item=4, code="D1", year=2024) -> DepartmentYear:
    """A department-year whose every item has 1000.00 budget and spends 10.00 per expenditure."""
    dy = department_year(code=code, year=year)
    classes = list(EconomicClass.objects.filter(parent__isnull=False).values_list("code", flat=True)[:5])
    for u in range(units):
        unit_ = unit(dy, code=f"U{u}", name=f"单位{u}")
        items = [
            BudgetItem(department_year=dy, unit=unit_, code=f"U{u}P{i}", name=f"项目{u}-{i}", category=BudgetItem.Category.PROJECT)
            for i in range(items_per_unit)
        ]
        BudgetItem.objects.bulk_create(items)
        for item_ in BudgetItem.objects.filter(unit=unit_):
            BudgetLine.objects.create(item=item_, amount=Decimal("1000.00"), kind="initial", source="local", date=date(year, 1, 1))
            Expenditure.objects.bulk_create(
                [
                    Expenditure(
                        item=item_,
                        amount=Decimal("10.00"),
                        date=date(year, 1 + n % 12, 10),
                        economic_class_id=classes[n % len(classes)],
                    )
                    for n in range(expenditures_per_item)
                ]
            )
    return dy
