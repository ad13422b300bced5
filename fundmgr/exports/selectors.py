"""Reads the exports need beyond projects.selectors.budget_summary (issue 6).

Every figure here is a breakdown the summary does not carry (source × kind, 5-digit economic
items, unit × category); each is one SQL aggregate, and each total equals the summary's.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db.models import Sum

from fundmgr.money import ZERO
from projects.models import BudgetItem, BudgetLine, EconomicClass, Expenditure
from projects.selectors import BudgetSummary, Figures

FISCAL_SOURCES = (BudgetLine.Source.SUPERIOR, BudgetLine.Source.LOCAL)


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
class FundingRow:
    """One row of the 自评表's budget block: 年初预算数, 全年预算数, 全年执行数 (yuan)."""

    initial: Decimal = ZERO
    full_year: Decimal = ZERO
    spent: Decimal = ZERO

    @property
    def execution_rate(self) -> Decimal | None:
        return None if not self.full_year else self.spent / self.full_year


@dataclass
class FundingSplit:
    """The 财预〔2020〕10号 split of a scope's funds: 当年财政拨款, 上年结转资金, 其他资金."""

    current: FundingRow
    carryover: FundingRow
    other: FundingRow

    @property
    def rows(self) -> list[FundingRow]:
        return [self.current, self.carryover, self.other]


def funding_split(
    *, summary: BudgetSummary, item_ids: set[int] | None = None, lines: dict[int, dict[tuple[str, str], Decimal]] | None = None
) -> FundingSplit:
    """Split full-year budgets and spending into 当年财政拨款 / 上年结转资金 / 其他资金.

    - 当年财政拨款: lines from 上级安排 and 本级财政 other than carryover.
    - 上年结转资金: every carryover line, whatever its source.
    - 其他资金: 其他资金 lines other than carryover.
    The three rows add up to the item's full-year budget.

    Expenditures carry no source, so DOMAIN.md is silent on spending by source. We apply the
    rule a finance office follows (结转资金优先使用): within each item, spending is charged to
    the carryover first, then to the current year's fiscal money, then to other funds. The
    availability rule keeps an item's spending within its full-year budget; any excess would
    land on the last row, so the three rows still add up to the item's spending.

    Pass `lines` (from lines_by_item) to split many scopes with one query.
    """
    split = FundingSplit(current=FundingRow(), carryover=FundingRow(), other=FundingRow())
    amounts_by_item = lines if lines is not None else lines_by_item(summary=summary)
    for item in summary.by_item:
        if item_ids is not None and item.id not in item_ids:
            continue
        amounts = amounts_by_item.get(item.id, {})
        parts = {"current": FundingRow(), "carryover": FundingRow(), "other": FundingRow()}
        for (source, kind), amount in amounts.items():
            if kind == BudgetLine.Kind.CARRYOVER:
                part = parts["carryover"]
            elif source in FISCAL_SOURCES:
                part = parts["current"]
            else:
                part = parts["other"]
            signed = -amount if kind == BudgetLine.Kind.REDUCTION else amount
            part.full_year += signed
            if kind == BudgetLine.Kind.INITIAL:
                part.initial += amount
        unallocated = item.figures.spent
        order = ["carryover", "current", "other"]
        for name in order:
            share = min(unallocated, max(parts[name].full_year, ZERO)) if name != order[-1] else unallocated
            parts[name].spent = share
            unallocated -= share
        for name, part in parts.items():
            row = getattr(split, name)
            row.initial += part.initial
            row.full_year += part.full_year
            row.spent += part.spent
    return split


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
    which is the summary's by_economic_class figure.
    """
    spending = Expenditure.objects.filter(
        item__department_year=summary.department_year, status=Expenditure.Status.APPROVED
    )
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


def expenditure_rows(*, department_year, unit_id: int | None = None, date_from: date | None = None, date_to: date | None = None):
    """Approved expenditures of a scope and date range, as tuples, streamed in chunks.

    A values_list over one join keeps each row small; `.iterator()` uses a server-side cursor
    on PostgreSQL and SQLite's lazy stepping, so memory stays flat however many rows there are.
    """
    spending = Expenditure.objects.filter(item__department_year=department_year, status=Expenditure.Status.APPROVED)
    if unit_id is not None:
        spending = spending.filter(item__unit_id=unit_id)
    if date_from is not None:
        spending = spending.filter(date__gte=date_from)
    if date_to is not None:
        spending = spending.filter(date__lte=date_to)
    total = spending.aggregate(total=Sum("amount", default=ZERO))["total"]
    count = spending.count()
    rows = (
        spending.order_by("date", "id")
        .values_list(
            "date",
            "voucher",
            "item__unit__code",
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
