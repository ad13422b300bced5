"""A synthetic ledger for load tests and benchmarks, written with bulk inserts only.

The ledger is valid: every item's budget lines are dated 1 January, before any spending, and
give at least what is committed (approved + pending) on the item, so the availability rule
(DOMAIN.md section 2) holds at every point; a mid-year reduction never goes below what is
committed. Amounts are exact cents drawn from a seeded random generator, so a seed always
gives the same ledger.
"""

import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from itertools import accumulate

from django.db import transaction

from indicators.models import Indicator
from projects.models import BudgetItem, BudgetLine, EconomicClass, Expenditure
from units.models import BudgetUnit, Department, DepartmentYear

BATCH = 5000
CATEGORIES = [BudgetItem.Category.PERSONNEL, BudgetItem.Category.OPERATING, BudgetItem.Category.PROJECT]
# Economic classes typical of each category (DOMAIN.md section 6).
CLASS_PREFIXES = {
    BudgetItem.Category.PERSONNEL: ("301", "303"),
    BudgetItem.Category.OPERATING: ("302",),
    BudgetItem.Category.PROJECT: ("302", "310", "303"),
}

# One project indicator per level 1, each with a 二级指标 of its level (DOMAIN.md section 1), so that
# the ledger exports and re-imports like any other.
ITEM_INDICATOR_LEVELS = [
    (Indicator.Level1.OUTPUT, "数量指标"),
    (Indicator.Level1.BENEFIT, "社会效益"),
    (Indicator.Level1.SATISFACTION, "服务对象满意度"),
]


@dataclass
class SyntheticCounts:
    departments: int = 0
    units: int = 0
    items: int = 0
    lines: int = 0
    expenditures: int = 0
    indicators: int = 0


def cents(value: int) -> Decimal:
    return Decimal(value).scaleb(-2)


def _dates(year: int) -> list[date]:
    start = date(year, 1, 1)
    return [start + timedelta(days=offset) for offset in range((date(year, 12, 31) - start).days + 1)]


@transaction.atomic
def synthetic_ledger_create(
    *,
    departments: int,
    units_per_department: int,
    items_per_unit: int,
    expenditures: int,
    year: int,
    seed: int,
    prefix: str = "SYN",
) -> SyntheticCounts:
    """Create `departments` departments (codes PREFIX001…) with their year, units, items, lines,
    `expenditures` expenditures spread over all items, and indicators. Bulk inserts in batches."""
    rng = random.Random(seed)
    counts = SyntheticCounts()
    leaf_classes = list(EconomicClass.objects.filter(parent__isnull=False).values_list("code", flat=True))
    classes_by_category = {
        category: [code for code in leaf_classes if code[:3] in prefixes] or leaf_classes
        for category, prefixes in CLASS_PREFIXES.items()
    }

    # Departments and units outlive a year: a second run for another year reuses them (year-over-year).
    codes = [f"{prefix}{d:03d}" for d in range(1, departments + 1)]
    existing = {department.code: department for department in Department.objects.filter(code__in=codes)}
    Department.objects.bulk_create(
        [Department(code=code, name=f"合成部门{code}") for code in codes if code not in existing], batch_size=BATCH
    )
    department_rows = list(Department.objects.filter(code__in=codes).order_by("code"))
    years = DepartmentYear.objects.bulk_create(
        [DepartmentYear(department=department, year=year) for department in department_rows], batch_size=BATCH
    )
    unit_codes = [f"U{u:02d}" for u in range(1, units_per_department + 1)]
    existing_units = set(
        BudgetUnit.objects.filter(department__in=department_rows, code__in=unit_codes).values_list("department_id", "code")
    )
    BudgetUnit.objects.bulk_create(
        [
            BudgetUnit(
                department=department,
                code=code,
                name=f"{department.name}单位{code}",
                kind=BudgetUnit.Kind.ADMINISTRATIVE if position == 1 else BudgetUnit.Kind.INSTITUTION,
                position=position,
            )
            for department in department_rows
            for position, code in enumerate(unit_codes, start=1)
            if (department.id, code) not in existing_units
        ],
        batch_size=BATCH,
    )
    unit_rows = list(
        BudgetUnit.objects.filter(department__in=department_rows, code__in=unit_codes).order_by("department__code", "code")
    )
    year_of = {department_year.department_id: department_year for department_year in years}
    item_rows = BudgetItem.objects.bulk_create(
        [
            BudgetItem(
                department_year=year_of[unit.department_id],
                unit=unit,
                code=f"{unit.code}-{k:03d}",
                name=f"{unit.name}项目{k:03d}",
                category=CATEGORIES[(k - 1) % len(CATEGORIES)],
                position=k,
            )
            for unit in unit_rows
            for k in range(1, items_per_unit + 1)
        ],
        batch_size=BATCH,
    )
    counts.departments, counts.units, counts.items = len(department_rows), len(unit_rows), len(item_rows)

    # Spending first, remembering what each item commits; its budget is then drawn to cover it.
    committed = {item.id: 0 for item in item_rows}
    days = _dates(year)
    # Spending clusters later in the year, as it does in real ledgers.
    cumulative_weights = list(accumulate(1 + index // 120 for index in range(len(days))))

    def spending() -> Iterator[Expenditure]:
        for number in range(expenditures):
            item = item_rows[rng.randrange(len(item_rows))] if number >= len(item_rows) else item_rows[number]
            amount = rng.randint(5_000, 4_000_000)  # cents: 50.00 to 40,000.00
            roll = rng.random()
            status = (
                Expenditure.Status.APPROVED
                if roll < 0.95
                else Expenditure.Status.PENDING
                if roll < 0.98
                else Expenditure.Status.REJECTED
            )
            if status != Expenditure.Status.REJECTED:
                committed[item.id] += amount
            yield Expenditure(
                item=item,
                date=rng.choices(days, cum_weights=cumulative_weights)[0],
                amount=cents(amount),
                economic_class_id=rng.choice(classes_by_category[item.category]),
                memo=f"合成支出{number + 1}",
                voucher=f"V{number + 1:08d}",
                status=status,
            )

    batch: list[Expenditure] = []
    for expenditure in spending():
        batch.append(expenditure)
        if len(batch) == BATCH:
            Expenditure.objects.bulk_create(batch)
            counts.expenditures += len(batch)
            batch = []
    if batch:
        Expenditure.objects.bulk_create(batch)
        counts.expenditures += len(batch)

    lines = []
    january = date(year, 1, 1)
    for item in item_rows:
        spent = committed[item.id]
        # Budgets run from just covering the spending to 30 % above it, so some items lag.
        budget = spent + max(rng.randint(0, spent * 3 // 10) if spent else 0, 100_000)
        carryover = budget // 10 if rng.random() < 0.2 else 0
        lines.append(
            BudgetLine(
                item=item,
                source=rng.choice(BudgetLine.Source.values),
                kind=BudgetLine.Kind.INITIAL,
                amount=cents(budget - carryover),
                date=january,
            )
        )
        if carryover:
            lines.append(
                BudgetLine(
                    item=item,
                    source=BudgetLine.Source.OTHER,
                    kind=BudgetLine.Kind.CARRYOVER,
                    amount=cents(carryover),
                    date=january,
                )
            )
        headroom = budget - spent
        if headroom > 200 and rng.random() < 0.1:
            lines.append(
                BudgetLine(
                    item=item,
                    source=BudgetLine.Source.LOCAL,
                    kind=BudgetLine.Kind.REDUCTION,
                    amount=cents(rng.randint(1, headroom // 2)),
                    date=date(year, 7, 1),
                )
            )
    BudgetLine.objects.bulk_create(lines, batch_size=BATCH)
    counts.lines = len(lines)

    indicators = []
    for department_year in years:
        for position, (level1, level2, name) in enumerate(
            [
                (Indicator.Level1.OUTPUT, "数量指标", "服务人次"),
                (Indicator.Level1.OUTPUT, "质量指标", "项目验收合格率"),
                (Indicator.Level1.BENEFIT, "社会效益", "受益人数"),
                (Indicator.Level1.SATISFACTION, "服务对象满意度", "服务对象满意度"),
            ],
            start=1,
        ):
            target = Decimal(rng.choice([90, 95, 1000, 5000]))
            actual = target if rng.random() < 0.8 else (target * Decimal(rng.randint(60, 99)) / 100).quantize(Decimal("1"))
            indicators.append(
                Indicator(
                    department_year=department_year,
                    code=f"D{position:02d}",
                    level1=level1,
                    level2=level2,
                    name=name,
                    direction=Indicator.Direction.AT_LEAST,
                    target=target,
                    midyear=(target * Decimal("0.6")).quantize(Decimal("1")),
                    actual=actual,
                    position=position,
                )
            )
    for item in item_rows:
        if item.category != BudgetItem.Category.PROJECT:
            continue
        for position, (level1, level2) in enumerate(ITEM_INDICATOR_LEVELS, start=1):
            target = Decimal(100)
            indicators.append(
                Indicator(
                    department_year=item.department_year,
                    item=item,
                    code=f"{item.code}-{position}",
                    level1=level1,
                    level2=level2,
                    name=f"{item.name}指标{position}",
                    direction=Indicator.Direction.AT_LEAST,
                    target=target,
                    actual=target if rng.random() < 0.85 else Decimal(rng.randint(50, 99)),
                    position=100 + position,
                )
            )
    Indicator.objects.bulk_create(indicators, batch_size=BATCH)
    counts.indicators = len(indicators)
    return counts
