"""Reads the exports need beyond projects.selectors.budget_summary.

Every figure here is a breakdown the summary does not carry (source × kind, 5-digit economic
items, unit × category); each is one SQL aggregate, and each total equals the summary's.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db.models import QuerySet, Sum
from django.db.models.functions import ExtractMonth

from fundmgr.lib.money import ZERO, yuan
from projects.arithmetic import linear_share
from projects.models import BudgetItem, BudgetLine, EconomicClass, Expenditure, SpendingPlan
from projects.selectors import BudgetSummary, Figures


def lines_by_item(*, summary: BudgetSummary) -> dict[int, dict[tuple[str, str], Decimal]]:
    """Σ amount of each item's lines per (source, kind), one query."""
    lines = BudgetLine.objects.filter(item__department_year=summary.department_year)
    if summary.as_of is not None:
        lines = lines.filter(date__lte=summary.as_of)
    by_item: dict[int, dict[tuple[str, str], Decimal]] = defaultdict(dict)
    for row in lines.order_by().values("item_id", "source", "kind").annotate(total=Sum("amount")):
        by_item[row["item_id"]][(row["source"], row["kind"])] = row["total"]
    return by_item


@dataclass
class SourceRow:
    """Budget lines of one funding source, per kind (yuan)."""

    source: str
    figures: Figures = field(default_factory=Figures)


def by_source_and_kind(*, summary: BudgetSummary) -> list[SourceRow]:
    """Each source's initial/addition/reduction/carryover; full_year equals summary.by_source."""
    rows = {source: SourceRow(source=source) for source in BudgetLine.Source.values}
    for amounts in lines_by_item(summary=summary).values():
        for (source, kind), amount in amounts.items():
            figures = rows[source].figures
            setattr(figures, kind, getattr(figures, kind) + amount)
    return list(rows.values())


@dataclass
class EconomicRow:
    """Spending of one economic class (3 digits) or item (5 digits), in yuan."""

    code: str
    name: str
    spent: Decimal
    items: list["EconomicRow"] = field(default_factory=list)


def spending_by_economic_item(*, summary: BudgetSummary) -> list[EconomicRow]:
    """Approved spending by class and, under each class, by 5-digit item (DOMAIN.md section 6).

    Two queries: the sums by code and the reference names. Spending booked on a 3-digit class
    itself appears as its own row under the class. Each class's spent is the sum of its rows,
    which is projects.selectors.spending_by_class's figure.
    """
    spending = Expenditure.objects.filter(item__department_year=summary.department_year, status=Expenditure.Status.APPROVED)
    if summary.as_of is not None:
        spending = spending.filter(date__lte=summary.as_of)
    names = dict(EconomicClass.objects.values_list("code", "name"))
    classes: dict[str, EconomicRow] = {}
    for row in spending.order_by().values("economic_class_id").annotate(spent=Sum("amount")).order_by("economic_class_id"):
        code = row["economic_class_id"]
        class_code = code[:3]
        parent = classes.setdefault(class_code, EconomicRow(code=class_code, name=names.get(class_code, ""), spent=ZERO))
        parent.spent += row["spent"]
        parent.items.append(EconomicRow(code=code, name=names.get(code, ""), spent=row["spent"]))
    return [classes[code] for code in sorted(classes)]


@dataclass
class UnitCategoryBlock:
    """One unit's figures per category, rolled up from the summary's item rows."""

    code: str
    name: str
    by_category: dict[str, Figures]
    total: Figures


def by_unit_and_category(*, summary: BudgetSummary) -> list[UnitCategoryBlock]:
    """Unit × category (人员类/运转类/特定目标类), from the item rows: no query."""
    blocks = {
        unit.id: UnitCategoryBlock(
            code=unit.code,
            name=unit.name,
            by_category={category: Figures() for category in BudgetItem.Category.values},
            total=Figures(),
        )
        for unit in summary.by_unit
    }
    for item in summary.by_item:
        block = blocks[item.unit_id]
        block.by_category[item.category].add(item.figures)
        block.total.add(item.figures)
    return list(blocks.values())


def expenditures_in(
    *,
    department_year,
    unit_id: int | None = None,
    item_id: int | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
) -> QuerySet[Expenditure]:
    """The expenditures of a department-year, optionally of one unit or item and a date range."""
    spending = Expenditure.objects.filter(item__department_year=department_year)
    if unit_id is not None:
        spending = spending.filter(item__unit_id=unit_id)
    if item_id is not None:
        spending = spending.filter(item_id=item_id)
    if date_from is not None:
        spending = spending.filter(date__gte=date_from)
    if date_to is not None:
        spending = spending.filter(date__lte=date_to)
    return spending


def expenditure_rows(spending: QuerySet[Expenditure]):
    """The approved ones of `spending`, as tuples streamed in chunks, with their total and count.

    A values_list over one join keeps each row small; `.iterator()` uses a server-side cursor
    on PostgreSQL and SQLite's lazy stepping, so memory stays flat however many rows there are.
    """
    spending = spending.filter(status=Expenditure.Status.APPROVED)
    total = spending.aggregate(total=Sum("amount", default=ZERO))["total"]
    count = spending.count()
    rows = (
        spending.order_by("date", "id")
        .values_list(
            "date",
            "voucher",
            "item__unit__name",
            "item__code",
            "item__name",
            "economic_class_id",
            "economic_class__name",
            "memo",
            "procurement_method",
            "amount",
        )
        .iterator(chunk_size=2000)
    )
    return rows, total, count


@dataclass
class MonthlyPlanRow:
    """One item's plan and approved spending in each month 1..12 (index 0 is January), in yuan.
    `planned` is False for an item without plan rows, whose plan is linear (DOMAIN.md section 8)."""

    planned: bool
    plan: list[Decimal]
    actual: list[Decimal]


def monthly_plan_and_spending(*, summary: BudgetSummary) -> dict[int, MonthlyPlanRow]:
    """Each item's spending plan (用款计划) and approved spending by month, for the
    用款计划执行情况表: two grouped queries. An item without plan rows gets the linear plan of
    section 8, month m's share being full-year × m ÷ 12 − full-year × (m − 1) ÷ 12, each rounded
    half up as projects.arithmetic.plan_to_date does, so its months add up to its plan to date."""
    department_year = summary.department_year
    plan: dict[int, dict[int, Decimal]] = defaultdict(dict)
    for row in SpendingPlan.objects.filter(item__department_year=department_year).values("item_id", "month", "amount"):
        plan[row["item_id"]][row["month"]] = row["amount"]
    actual: dict[int, dict[int, Decimal]] = defaultdict(dict)
    spending = Expenditure.objects.filter(item__department_year=department_year, status=Expenditure.Status.APPROVED)
    if summary.as_of is not None:
        spending = spending.filter(date__lte=summary.as_of)
    for row in spending.order_by().annotate(month=ExtractMonth("date")).values("item_id", "month").annotate(total=Sum("amount")):
        actual[row["item_id"]][row["month"]] = yuan(row["total"])
    rows = {}
    for item in summary.by_item:
        if item.id in plan:
            months = [plan[item.id].get(month, ZERO) for month in range(1, 13)]
        else:
            full_year = item.figures.full_year
            months = [linear_share(full_year, month) - linear_share(full_year, month - 1) for month in range(1, 13)]
        rows[item.id] = MonthlyPlanRow(
            planned=item.id in plan, plan=months, actual=[actual[item.id].get(month, ZERO) for month in range(1, 13)]
        )
    return rows
