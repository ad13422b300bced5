"""Reads of the ledger: the budget arithmetic of DOMAIN.md section 2 over any scope.

`budget_summary` is the one computation behind the overview pages, the dashboards, the
exports and `manage.py budget_summary`. It runs a fixed number of queries whatever the
ledger's size: every sum is an SQL aggregate, and scopes above the item are rolled up from
the item rows it returns, so every subtotal is exactly the sum of the rows shown under it.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db.models import Case, DecimalField, F, OuterRef, Q, Subquery, Sum, Value, When
from django.db.models.functions import Cast, Coalesce, ExtractMonth, Substr

from fundmgr.lib.money import ZERO, yuan
from projects import arithmetic
from projects.arithmetic import execution_rate, full_year_budget, signed_amount, signed_amount_sql, unspent
from projects.availability import Movement, headroom
from projects.models import (
    BudgetItem,
    BudgetLine,
    BudgetTransfer,
    EconomicClass,
    Expenditure,
    MonthlySpending,
    SpendingPlan,
)
from units import access
from units.access import Scope
from units.models import BudgetUnit, DepartmentYear

MONEY_FIELD = DecimalField(max_digits=18, decimal_places=2)


@dataclass
class Figures:
    """Budget figures of one scope, in yuan.

    One field per budget line kind (BudgetLine.Kind's values, transfers included), spent and
    pending. `plan_to_date` and `forecast` (DOMAIN.md section 8) are computed per item by
    budget_summary, as of its month, and summed over a scope like the rest; elsewhere they stay 0.
    """

    initial: Decimal = ZERO
    addition: Decimal = ZERO
    reduction: Decimal = ZERO
    carryover: Decimal = ZERO
    transfer_in: Decimal = ZERO
    transfer_out: Decimal = ZERO
    spent: Decimal = ZERO
    pending: Decimal = ZERO
    # Derived from the plan, not from the ledger: left out of ==, so that the same scope's figures
    # from any selector compare equal whether or not it computed them.
    plan_to_date: Decimal = field(default=ZERO, compare=False)
    forecast: Decimal = field(default=ZERO, compare=False)

    @property
    def full_year(self) -> Decimal:
        return full_year_budget(
            initial=self.initial,
            addition=self.addition,
            reduction=self.reduction,
            carryover=self.carryover,
            transfer_in=self.transfer_in,
            transfer_out=self.transfer_out,
        )

    @property
    def execution_rate(self) -> Decimal | None:
        return execution_rate(self.spent, self.full_year)

    @property
    def remaining(self) -> Decimal:
        return unspent(full_year=self.full_year, spent=self.spent)

    @property
    def plan_execution_rate(self) -> Decimal | None:
        return arithmetic.plan_execution_rate(self.spent, self.plan_to_date)

    @property
    def plan_lag(self) -> str:
        return arithmetic.plan_lag(self.plan_execution_rate)

    @property
    def forecast_rate(self) -> Decimal | None:
        return arithmetic.forecast_rate(self.forecast, self.full_year)

    def add(self, other: "Figures") -> None:
        self.initial += other.initial
        self.addition += other.addition
        self.reduction += other.reduction
        self.carryover += other.carryover
        self.transfer_in += other.transfer_in
        self.transfer_out += other.transfer_out
        self.spent += other.spent
        self.pending += other.pending
        self.plan_to_date += other.plan_to_date
        self.forecast += other.forecast


@dataclass
class ItemRow:
    id: int
    code: str
    name: str
    category: str
    unit_id: int
    unit_code: str
    unit_name: str
    figures: Figures
    planned: bool = False  # the item has spending plan rows (else its plan is linear, section 8)


@dataclass
class UnitRow:
    id: int
    code: str
    name: str
    kind: str
    figures: Figures = field(default_factory=Figures)


@dataclass
class ClassRow:
    code: str
    name: str
    spent: Decimal


@dataclass
class BudgetSummary:
    department_year: DepartmentYear
    as_of: date | None
    month: int  # plan_month(): the month whose end the plan and the forecast are taken at
    totals: Figures
    by_unit: list[UnitRow]
    by_category: dict[str, Figures]
    by_item: list[ItemRow]
    by_source: dict[str, Decimal]
    # The lines' (item id, source, kind, total) groups the figures were added up from (item_sums),
    # for the 自评表's budget block (indicators.selectors.budget_blocks_by_item); None: not read.
    line_sums: list[tuple[int, str, str, Decimal]] | None = field(default=None, repr=False, compare=False)


def _line_sum(kind: str, as_of: date | None) -> Subquery:
    lines = BudgetLine.objects.filter(item=OuterRef("pk"), kind=kind)
    if as_of is not None:
        lines = lines.filter(date__lte=as_of)
    return Subquery(lines.order_by().values("item").annotate(total=Sum("amount")).values("total"), output_field=MONEY_FIELD)


def _spending_sum(status: str, as_of: date | None) -> Subquery:
    spending = Expenditure.objects.filter(item=OuterRef("pk"), status=status)
    if as_of is not None:
        spending = spending.filter(date__lte=as_of)
    return Subquery(spending.order_by().values("item").annotate(total=Sum("amount")).values("total"), output_field=MONEY_FIELD)


def items_with_lines(items, *, as_of: date | None = None):
    """Annotate budget items with their budget lines summed by kind (initial, addition, ...), one subquery a kind."""
    zero = Value(ZERO, output_field=MONEY_FIELD)
    return items.annotate(**{kind: Coalesce(_line_sum(kind, as_of), zero) for kind in BudgetLine.Kind.values})


def items_with_figures(items, *, as_of: date | None = None):
    """Annotate budget items with initial/addition/reduction/carryover/spent/pending, one subquery a figure."""
    zero = Value(ZERO, output_field=MONEY_FIELD)
    annotations = {}
    annotations["spent"] = Coalesce(_spending_sum(Expenditure.Status.APPROVED, as_of), zero)
    annotations["pending"] = Coalesce(_spending_sum(Expenditure.Status.PENDING, as_of), zero)
    return items_with_lines(items, as_of=as_of).annotate(**annotations)


def _plan_sum(months) -> Subquery:
    plan = SpendingPlan.objects.filter(item=OuterRef("pk"), month__in=list(months))
    return Subquery(plan.order_by().values("item").annotate(total=Sum("amount")).values("total"), output_field=MONEY_FIELD)


def items_with_plan(items, *, month: int):
    """Annotate budget items with their spending plan (DOMAIN.md section 8): `planned_to`, the plan
    of months 1..m, and `planned_total`, the whole year's; `planned_total` is None exactly for an
    item without plan rows (a plan of zeros sums to 0.00). One subquery each."""
    return items.annotate(planned_to=_plan_sum(range(1, month + 1)), planned_total=_plan_sum(range(1, 13)))


def figures_of(row) -> Figures:
    return Figures(
        initial=row.initial,
        addition=row.addition,
        reduction=row.reduction,
        carryover=row.carryover,
        transfer_in=row.transfer_in,
        transfer_out=row.transfer_out,
        spent=row.spent,
        pending=row.pending,
    )


def plan_and_forecast(
    *, month: int, full_year: Decimal, spent: Decimal, planned_to: Decimal | None, planned_total: Decimal | None
) -> tuple[Decimal, Decimal]:
    """An item's plan to date and forecast at month m from its full-year budget, its approved
    spending and its plan sums (DOMAIN.md section 8; the arithmetic is projects.arithmetic's).
    `planned_total` None: the item has no plan rows."""
    if planned_total is None:
        before, after = None, None
    else:
        # SQLite sums decimals in floating point: yuan() makes the cents exact again.
        before = yuan(planned_to)
        after = yuan(planned_total) - before
    return (
        arithmetic.plan_to_date(month=month, full_year=full_year, planned=before),
        arithmetic.forecast(month=month, full_year=full_year, spent=spent, planned_after=after),
    )


def plan_figures(figures: Figures, *, month: int, planned_to: Decimal | None, planned_total: Decimal | None) -> None:
    """Fill an item's plan to date and forecast at month m from its plan sums (plan_and_forecast)."""
    figures.plan_to_date, figures.forecast = plan_and_forecast(
        month=month, full_year=figures.full_year, spent=figures.spent, planned_to=planned_to, planned_total=planned_total
    )


def plan_month(*, department_year: DepartmentYear, as_of: date | None) -> int:
    """The month whose end the plan and the forecast are taken at (DOMAIN.md section 8): the month
    of `as_of`; December without it or after the year; 0 (nothing planned yet) before the year."""
    if as_of is None or as_of.year > department_year.year:
        return 12
    if as_of.year < department_year.year:
        return 0
    return as_of.month


_PLAN = "plan"  # item_sums' rows of the spending plan (neither a line kind nor a spending status)
_LINE_KINDS = frozenset(BudgetLine.Kind.values)


@dataclass
class ItemSums:
    figures: Figures
    planned_to: Decimal | None = None
    planned_total: Decimal | None = None  # None: the item has no plan rows


@dataclass
class LedgerSums:
    """What item_sums reads: each item's sums, the full-year budget by funding source, and the
    lines' (item id, source, kind, total) groups they were added up from."""

    by_item: dict[int, ItemSums]
    by_source: dict[str, Decimal]
    lines: list[tuple[int, str, str, Decimal]]


def _spending_to(as_of: date | None, narrowing: dict):
    """The approved and pending spending up to `as_of` of the items `narrowing` picks, as rows with
    `item_id`, `status` and `amount` to sum. When only whole months count (no `as_of`, or the
    last day of a month, as every dashboard asks), the monthly rollup (MonthlySpending, kept
    by the database's triggers in the transaction of every write) holds the same sums in a
    row per item, month, class and status instead of a row per expenditure; any other day
    reads the expenditures themselves."""
    statuses = [Expenditure.Status.APPROVED, Expenditure.Status.PENDING]
    if as_of is None:
        return MonthlySpending.objects.filter(status__in=statuses, **narrowing)
    if as_of == arithmetic.month_end(as_of.year, as_of.month):
        return MonthlySpending.objects.filter(status__in=statuses, period__lte=as_of.replace(day=1), **narrowing)
    return Expenditure.objects.filter(status__in=statuses, date__lte=as_of, **narrowing)


def item_sums(*, as_of: date | None, month: int, **narrowing) -> LedgerSums:
    """Each item's figures (lines by kind, approved and pending spending, each up to `as_of`) and
    plan sums at `month` (items_with_plan's `planned_to` and `planned_total`), and the full-year
    budget by funding source, of the items `narrowing` picks (keyword filters on an `item`:
    item__department_year=…, item_id=…). One query, whatever the number of items: the lines
    grouped by item, kind and source, the spending by item and status (_spending_to: from the
    monthly rollup as of a month's end) and the plan by item, as
    one UNION ALL of three grouped reads (cheaper to build and to read than a subquery a figure
    per item). An item without lines, spending or plan rows is absent."""
    none = Cast(Value(None), MONEY_FIELD)  # typed: PostgreSQL matches a UNION's columns by type
    lines = BudgetLine.objects.filter(**narrowing)
    if as_of is not None:
        lines = lines.filter(date__lte=as_of)
    spending = _spending_to(as_of, narrowing)
    plan = SpendingPlan.objects.filter(month__in=range(1, 13), **narrowing)
    rows = (
        lines.order_by()
        .values_list("item_id", "kind", "source")
        .annotate(total=Sum("amount"), whole=none)
        .union(
            spending.order_by()
            .annotate(other=Value(""))
            .values_list("item_id", "status", "other")
            .annotate(total=Sum("amount"), whole=none),
            plan.order_by()
            .annotate(what=Value(_PLAN), other=Value(""))
            .values_list("item_id", "what", "other")
            .annotate(total=Sum(Case(When(month__lte=month, then=F("amount")), output_field=MONEY_FIELD)), whole=Sum("amount")),
            all=True,
        )
    )
    sums: dict[int, ItemSums] = {}
    by_source = {source: ZERO for source in BudgetLine.Source.values}
    line_rows = []
    for item_id, what, source, total, whole in rows:
        target = sums.get(item_id)
        if target is None:
            target = sums[item_id] = ItemSums(figures=Figures())
        if what == _PLAN:
            target.planned_to, target.planned_total = total, whole
        elif what in _LINE_KINDS:
            setattr(target.figures, what, getattr(target.figures, what) + total)
            by_source[source] = by_source.get(source, ZERO) + signed_amount(kind=what, amount=total)
            line_rows.append((item_id, source, what, total))
        elif what == Expenditure.Status.APPROVED:
            target.figures.spent += total
        else:
            target.figures.pending += total
    return LedgerSums(by_item=sums, by_source=by_source, lines=line_rows)


def budget_summary(*, department_year: DepartmentYear, as_of: date | None = None) -> BudgetSummary:
    """Totals and breakdowns of one department-year (DOMAIN.md sections 2 and 5).

    Only approved spending is spent; pending spending is reported apart. With `as_of`, lines
    and spending dated after that day are left out. Three queries: units, items, and their
    figures with the full-year budget by source (item_sums). Spending by economic class is
    spending_by_class's, for the readers that show it.

    Section 8's figures come with the items' sums (no more queries): the transfers in and out,
    the plan to date and the forecast at the end of the month of `as_of` (December without it),
    each item's computed by projects.arithmetic and every scope's the sum of its items'.
    """
    month = plan_month(department_year=department_year, as_of=as_of)
    units = {
        unit_id: UnitRow(id=unit_id, code=code, name=name, kind=kind)
        for unit_id, code, name, kind in BudgetUnit.objects.filter(department=department_year.department_id)
        .order_by("position", "code")
        .values_list("id", "code", "name", "kind")
    }
    item_rows = []
    totals = Figures()
    by_category = {category: Figures() for category in BudgetItem.Category.values}
    items = (
        BudgetItem.objects.filter(department_year=department_year)
        .order_by("position", "code")
        .values_list("id", "code", "name", "category", "unit_id", "unit__code", "unit__name")
    )
    sums = item_sums(as_of=as_of, month=month, item__department_year=department_year)
    for item_id, code, name, category, unit_id, unit_code, unit_name in items:
        found = sums.by_item.get(item_id) or ItemSums(figures=Figures())
        figures = found.figures
        plan_figures(figures, month=month, planned_to=found.planned_to, planned_total=found.planned_total)
        item_rows.append(
            ItemRow(
                id=item_id,
                code=code,
                name=name,
                category=category,
                unit_id=unit_id,
                unit_code=unit_code,
                unit_name=unit_name,
                figures=figures,
                planned=found.planned_total is not None,
            )
        )
        units[unit_id].figures.add(figures)
        by_category[category].add(figures)
        totals.add(figures)

    return BudgetSummary(
        department_year=department_year,
        as_of=as_of,
        month=month,
        totals=totals,
        by_unit=list(units.values()),
        by_category=by_category,
        by_item=item_rows,
        by_source=sums.by_source,
        line_sums=sums.lines,
    )


def spending_by_class(*, department_year: DepartmentYear, as_of: date | None = None) -> list[ClassRow]:
    """Approved spending of the department-year by economic class (its 3-digit code, DOMAIN.md
    section 5), up to `as_of` when given, in code order. Two queries: the sums and the class names."""
    spending = Expenditure.objects.filter(item__department_year=department_year, status=Expenditure.Status.APPROVED)
    if as_of is not None:
        spending = spending.filter(date__lte=as_of)
    class_names = dict(EconomicClass.objects.filter(parent__isnull=True).values_list("code", "name"))
    return [
        ClassRow(code=row["class_code"], name=class_names.get(row["class_code"], ""), spent=row["spent"])
        for row in spending.order_by()
        .annotate(class_code=Substr("economic_class_id", 1, 3))
        .values("class_code")
        .annotate(spent=Sum("amount"))
        .order_by("class_code")
    ]


def budget_summary_at_month(*, department_year: DepartmentYear, month: int) -> BudgetSummary:
    """budget_summary as of the end of month m: the figures of DOMAIN.md section 8's plan, plan
    execution rate, lag and forecast at m, for every item, unit and the department, in the same
    three queries."""
    return budget_summary(department_year=department_year, as_of=arithmetic.month_end(department_year.year, month))


def department_year_get(*, department_code: str, year: int) -> DepartmentYear | None:
    return DepartmentYear.objects.select_related("department").filter(department__code=department_code, year=year).first()


# --- dashboard reads: each narrows the same arithmetic to a unit or an item, one query each ---


def _narrowed(queryset, *, unit_id: int | None = None, item_id: int | None = None):
    """Narrow a queryset of rows that have an `item` to one unit or one item."""
    if item_id is not None:
        return queryset.filter(item_id=item_id)
    if unit_id is not None:
        return queryset.filter(item__unit_id=unit_id)
    return queryset


def summary_by_source(summary: BudgetSummary, item_ids) -> dict[str, Decimal]:
    """budget_by_source of some items of a summary (a unit's), from the summary's own line sums
    (BudgetSummary.line_sums): no query."""
    item_ids = set(item_ids)
    by_source = {source: ZERO for source in BudgetLine.Source.values}
    for item_id, source, kind, total in summary.line_sums:
        if item_id in item_ids:
            by_source[source] = by_source.get(source, ZERO) + signed_amount(kind=kind, amount=total)
    return by_source


def budget_by_source(
    *, department_year: DepartmentYear, as_of: date | None = None, unit_id: int | None = None, item_id: int | None = None
) -> dict[str, Decimal]:
    """Full-year budget by funding source of a unit or an item (reductions subtract); one query.

    For the whole department-year it equals budget_summary().by_source.
    """
    lines = BudgetLine.objects.filter(item__department_year=department_year)
    if as_of is not None:
        lines = lines.filter(date__lte=as_of)
    by_source = {source: ZERO for source in BudgetLine.Source.values}
    for row in (
        _narrowed(lines, unit_id=unit_id, item_id=item_id).order_by().values("source").annotate(net=Sum(signed_amount_sql()))
    ):
        by_source[row["source"]] = row["net"]
    return by_source


def year_figures(
    *, department_id: int, year: int, as_of: date | None = None, unit_code: str | None = None, item_code: str | None = None
) -> Figures | None:
    """The figures of a department-year (or of one unit or item of it, matched by code), or None
    when that department-year does not exist. One query: the department-year's row, its lines
    grouped by kind and its spending by status (_spending_to), as one UNION ALL. Used for the
    dashboards' year-over-year comparison."""
    none = Cast(Value(None), MONEY_FIELD)  # typed: PostgreSQL matches a UNION's columns by type
    of_year = {"item__department_year__department_id": department_id, "item__department_year__year": year}
    if item_code is not None:
        of_year["item__code"] = item_code
    elif unit_code is not None:
        of_year["item__unit__code"] = unit_code
    lines = BudgetLine.objects.filter(**of_year)
    if as_of is not None:
        lines = lines.filter(date__lte=as_of)
    spending = _spending_to(as_of, of_year)
    rows = (
        DepartmentYear.objects.filter(department_id=department_id, year=year)
        .order_by()
        .annotate(what=Value("year"), key=Value(""), total=none)
        .values_list("what", "key", "total")
        .union(
            lines.order_by().annotate(what=Value("line")).values_list("what", "kind").annotate(total=Sum("amount")),
            spending.order_by().annotate(what=Value("spending")).values_list("what", "status").annotate(total=Sum("amount")),
            all=True,
        )
    )
    figures, found = Figures(), False
    for what, key, total in rows:
        if what == "year":
            found = True
        elif what == "line":
            setattr(figures, key, getattr(figures, key) + total)
        elif key == Expenditure.Status.APPROVED:
            figures.spent += total
        else:
            figures.pending += total
    return figures if found else None


@dataclass
class DepartmentYearRow:
    """One department-year of the province view: its figures, summed across departments in SQL."""

    id: int
    department_id: int
    code: str
    name: str
    year: int
    figures: Figures


def department_years_with_figures(
    *, year: int, as_of: date | None = None, department_ids=None, spending_rows=None
) -> list[DepartmentYearRow]:
    """Every department-year of `year` (optionally only some departments) with its figures.

    Three queries whatever the number of departments: the department-years, budget lines
    grouped by department-year and kind, spending grouped by department-year and status.
    Same arithmetic as budget_summary's totals (DOMAIN.md section 2). `spending_rows`, when
    given, are (department-year id, status, total) rows from elsewhere (the monthly rollup,
    projects.rollups) that replace the spending query.
    """
    years = DepartmentYear.objects.filter(year=year).select_related("department").order_by("department__code")
    if department_ids is not None:
        years = years.filter(department_id__in=department_ids)
    rows = {
        dy.id: DepartmentYearRow(
            id=dy.id,
            department_id=dy.department_id,
            code=dy.department.code,
            name=dy.department.name,
            year=dy.year,
            figures=Figures(),
        )
        for dy in years
    }
    lines = BudgetLine.objects.filter(item__department_year__year=year)
    spending = Expenditure.objects.filter(
        item__department_year__year=year, status__in=[Expenditure.Status.APPROVED, Expenditure.Status.PENDING]
    )
    if department_ids is not None:
        lines = lines.filter(item__department_year__department_id__in=department_ids)
        spending = spending.filter(item__department_year__department_id__in=department_ids)
    if as_of is not None:
        lines = lines.filter(date__lte=as_of)
        spending = spending.filter(date__lte=as_of)
    for row in lines.order_by().values("item__department_year", "kind").annotate(total=Sum("amount")):
        target = rows.get(row["item__department_year"])
        if target is not None:
            setattr(target.figures, row["kind"], getattr(target.figures, row["kind"]) + row["total"])
    if spending_rows is None:
        spending_rows = spending.order_by().values_list("item__department_year", "status").annotate(total=Sum("amount"))
    for department_year_id, status, total in spending_rows:
        target = rows.get(department_year_id)
        if target is None:
            continue
        if status == Expenditure.Status.APPROVED:
            target.figures.spent += total
        elif status == Expenditure.Status.PENDING:
            target.figures.pending += total
    return list(rows.values())


@dataclass
class MonthClassRow:
    month: int
    class_code: str
    class_name: str
    spent: Decimal


def spending_by_month_and_class(
    *, department_year: DepartmentYear, unit_id: int | None = None, item_id: int | None = None
) -> list[MonthClassRow]:
    """Approved spending by month and 3-digit economic class of a department-year, a unit or an
    item; one grouped query. Summing the months up to m gives the spending by class and the
    cumulative spending as of the end of m, which equal spending_by_class(as_of=end of m) and
    budget_summary(as_of=end of m)'s spent for the same scope (DOMAIN.md sections 2 and 6)."""
    spending = Expenditure.objects.filter(item__department_year=department_year, status=Expenditure.Status.APPROVED)
    class_name = EconomicClass.objects.filter(code=OuterRef("class_code")).values("name")[:1]
    rows = (
        _narrowed(spending, unit_id=unit_id, item_id=item_id)
        .order_by()
        .annotate(month=ExtractMonth("date"), class_code=Substr("economic_class_id", 1, 3))
        .values("month", "class_code")
        .annotate(spent=Sum("amount"), class_name=Subquery(class_name))
        .order_by("month", "class_code")
    )
    return [
        MonthClassRow(month=row["month"], class_code=row["class_code"], class_name=row["class_name"] or "", spent=row["spent"])
        for row in rows
    ]


# --- what a user's scope sees (the rule: units.access) ---


def item_in_scope(scope: Scope, item_code: str) -> BudgetItem:
    items = BudgetItem.objects.select_related("unit").filter(department_year=scope.department_year, code=item_code)
    return access.one_visible(scope, items, unit="unit_id")


def items_in_scope(scope: Scope):
    items = BudgetItem.objects.filter(department_year=scope.department_year).select_related("unit")
    return access.visible(scope, items, unit="unit_id").order_by("unit__position", "position", "code")


def expenditures_in_scope(scope: Scope):
    expenditures = Expenditure.objects.filter(item__department_year=scope.department_year)
    return access.visible(scope, expenditures, unit="item__unit_id").select_related("item", "economic_class", "entered_by")


def expenditure_in_scope(scope: Scope, pk: int) -> Expenditure:
    return access.one_visible(scope, expenditures_in_scope(scope).filter(pk=pk), unit="item__unit_id")


def lines_in_scope(scope: Scope):
    lines = BudgetLine.objects.filter(item__department_year=scope.department_year)
    return access.visible(scope, lines, unit="item__unit_id").select_related("item")


# --- 三重一大: what an approval is checked against, and who sees the decisions ---


def approved_movements(item_ids: Iterable[int]) -> dict[int, list[Movement]]:
    """Each item's budget lines and approved spending as daily movements (DOMAIN.md section 2).

    What a 三重一大 approval is checked against (projects.services.expenditures_approve): pending
    entries reserve money while they wait, but only the approved ones bind it. One query for any
    number of items: the lines' and the approved expenditures' daily sums, as one UNION ALL.
    """
    ids = sorted(set(item_ids))
    movements: dict[int, list[Movement]] = defaultdict(list)
    if not ids:
        return movements
    lines = (
        BudgetLine.objects.filter(item_id__in=ids)
        .values("item_id", "date")
        .annotate(budget=Sum(signed_amount_sql(), output_field=MONEY_FIELD), spending=Value(ZERO, output_field=MONEY_FIELD))
        .order_by()
    )
    spent = (
        Expenditure.objects.filter(item_id__in=ids, status=Expenditure.Status.APPROVED)
        .values("item_id", "date")
        .annotate(budget=Value(ZERO, output_field=MONEY_FIELD), spending=Sum("amount", output_field=MONEY_FIELD))
        .order_by()
    )
    for row in lines.union(spent, all=True):
        # SQLite sums decimals in floating point: the cents are exact again once rounded.
        movements[row["item_id"]].append(Movement(date=row["date"], budget=yuan(row["budget"]), spending=yuan(row["spending"])))
    return movements


def approval_balances(expenditures: Iterable[Expenditure]) -> dict[int, Decimal]:
    """For each pending expenditure (by pk), what its item has available on its date for an approval:
    the budget lines less the approved spending, at that date and every later one, never below zero.

    The figure the approval page shows next to each row, and the one the approval re-checks; one query.
    """
    rows = list(expenditures)
    movements = approved_movements(row.item_id for row in rows)
    return {row.pk: max(headroom(movements[row.item_id], row.date), ZERO) for row in rows}


def entries_of(scope: Scope, user):
    """The expenditures `user` entered in the scope's department-year, newest first, with their 三重一大
    decision: what an accountant's "my entries" page lists."""
    return (
        expenditures_in_scope(scope)
        .filter(entered_by=user)
        .select_related("item__unit", "decided_by")
        .order_by("-entered_at", "-id")
    )


def ledger_counts(*, department_year: DepartmentYear) -> dict[str, int]:
    """How many items, budget lines and expenditures the department-year holds: what replacing it
    with a workbook deletes (the upload's confirmation repeats them)."""
    return {
        "items": BudgetItem.objects.filter(department_year=department_year).count(),
        "lines": BudgetLine.objects.filter(item__department_year=department_year).count(),
        "expenditures": Expenditure.objects.filter(item__department_year=department_year).count(),
    }


# --- 预算调剂 and 用款计划 as a user's scope sees them (DOMAIN.md section 8) ---


def transfers_in_scope(scope: Scope):
    """The department-year's transfers the user may see, by date: a unit accountant sees those with
    either side in their unit (units.access: a transfer is both items' record). One query, with
    both items, their units and who entered and decided each."""
    transfers = BudgetTransfer.objects.filter(department_year=scope.department_year).select_related(
        "from_item__unit", "to_item__unit", "created_by", "decided_by"
    )
    if scope.unit_id is not None:
        transfers = transfers.filter(Q(from_item__unit_id=scope.unit_id) | Q(to_item__unit_id=scope.unit_id))
    return transfers.order_by("date", "id")


@dataclass
class ItemTransferRow:
    """One transfer as an item's page shows it: out of the item (调出) or into it (调入)."""

    transfer_id: int
    outgoing: bool
    counterpart_code: str
    counterpart_name: str
    source: str
    amount: Decimal
    date: date
    document: str
    status: str
    status_label: str


def item_transfers(item: BudgetItem) -> list[ItemTransferRow]:
    """The transfers out of and into one item, by date, each with its counterpart item; one query.
    Pending and rejected ones are listed too, with their status: they hold no money (section 8)."""
    rows = []
    transfers = (
        BudgetTransfer.objects.filter(Q(from_item=item) | Q(to_item=item))
        .select_related("from_item", "to_item")
        .order_by("date", "id")
    )
    for transfer in transfers:
        outgoing = transfer.from_item_id == item.pk
        counterpart = transfer.to_item if outgoing else transfer.from_item
        rows.append(
            ItemTransferRow(
                transfer_id=transfer.pk,
                outgoing=outgoing,
                counterpart_code=counterpart.code,
                counterpart_name=counterpart.name,
                source=transfer.get_source_display(),
                amount=transfer.amount,
                date=transfer.date,
                document=transfer.document,
                status=transfer.status,
                status_label=transfer.get_status_display(),
            )
        )
    return rows
