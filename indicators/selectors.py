"""Feeds the scoring rules (indicators.scoring) from the database, DOMAIN.md section 3, and reads
the figures the 自评表 and the 绩效运行监控 pages show beside the score."""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.db.models import DecimalField, OuterRef, Subquery, Sum
from django.db.models.functions import Coalesce

from fundmgr.money import ZERO, execution_rate, ratio
from indicators.models import Indicator
from indicators.scoring import FLAG_MIDYEAR_BEHIND, Evaluation, IndicatorInput, IndicatorScore, evaluate
from projects.models import BudgetItem, BudgetLine, Expenditure
from projects.selectors import BudgetSummary, Figures, ItemRow, budget_summary, figures_of, items_with_figures
from units.models import BudgetUnit, DepartmentYear

MONEY_FIELD = DecimalField(max_digits=18, decimal_places=2)

# Units of measure that name a rate rather than a count: such values are comparable at mid-year
# already, so the mid-year flag of section 3.7 ("for an annual count") does not apply to them.
RATE_UNITS = {"%", "％", "‰", "百分比", "分", "星"}

# DOMAIN.md section 6: 因公出国（境）费用, 公务接待费, 公务用车运行维护费, 公务用车购置.
THREE_PUBLIC_CODES = ("30212", "30217", "30231", "31013")


def is_annual_count(unit: str) -> bool:
    """Whether an indicator counts something accumulated over the year (户, 人, 间, 次), as
    opposed to a rate (%, 满意度), for the mid-year flag of section 3.7."""
    return unit.strip() not in RATE_UNITS


def indicator_input(indicator: Indicator) -> IndicatorInput:
    return IndicatorInput(
        code=indicator.code,
        level1=indicator.level1,
        direction=indicator.direction,
        target=indicator.target,
        actual=indicator.actual,
        midyear=indicator.midyear,
        points=indicator.points,
        tier=indicator.tier,
        rate=indicator.rate,
        annual_count=is_annual_count(indicator.unit),
    )


@dataclass
class Evaluations:
    """The department's evaluation and each item's (only items with indicators appear)."""

    department: Evaluation | None
    department_indicators: list[Indicator]
    by_item: dict[int, Evaluation]
    item_indicators: dict[int, list[Indicator]]


def evaluations_for(*, summary: BudgetSummary) -> Evaluations:
    """Score the department (indicators with no item, the department's execution rate) and every
    item with indicators (its own indicators and execution rate). One query, whatever the size."""
    department_indicators: list[Indicator] = []
    item_indicators: dict[int, list[Indicator]] = {}
    for indicator in Indicator.objects.filter(department_year=summary.department_year).order_by("position", "id"):
        if indicator.item_id is None:
            department_indicators.append(indicator)
        else:
            item_indicators.setdefault(indicator.item_id, []).append(indicator)
    department = None
    if department_indicators:
        department = evaluate(
            execution_rate=summary.totals.execution_rate,
            indicators=[indicator_input(indicator) for indicator in department_indicators],
        )
    rates = {row.id: row.figures.execution_rate for row in summary.by_item}
    by_item = {
        item_id: evaluate(execution_rate=rates.get(item_id), indicators=[indicator_input(i) for i in indicators])
        for item_id, indicators in item_indicators.items()
    }
    return Evaluations(
        department=department,
        department_indicators=department_indicators,
        by_item=by_item,
        item_indicators=item_indicators,
    )


# --- The 自评表 --------------------------------------------------------------------------------


@dataclass
class SheetRow:
    """One line of the indicator table, with what the template needs to merge the 一级 and
    二级 cells (rowspans), so the template never groups anything itself."""

    indicator: Indicator
    score: IndicatorScore
    level1_span: int = 0  # > 0 on the first row of its level-1 group
    level2_span: int = 0  # > 0 on the first row of its level-2 group

    @property
    def needs_explanation(self) -> bool:
        """A missed target still without its reason or measures (section 3.7)."""
        return self.score.ratio is not None and self.score.ratio < 1 and not (
            self.indicator.deviation_reason.strip() and self.indicator.corrective_measures.strip()
        )


def sheet_rows(indicators: list[Indicator], evaluation: Evaluation) -> list[SheetRow]:
    """The indicator table grouped 一级 → 二级 → 三级: level 1 in the order output, benefit,
    satisfaction; level 2 and the indicators in workbook order inside it."""
    level_order = {level: position for position, level in enumerate(Indicator.Level1.values)}
    paired = list(zip(indicators, evaluation.indicators))
    level2_order: dict[tuple[str, str], int] = {}
    for indicator, _score in paired:
        level2_order.setdefault((indicator.level1, indicator.level2), len(level2_order))
    paired.sort(
        key=lambda pair: (level_order.get(pair[0].level1, 99), level2_order[(pair[0].level1, pair[0].level2)])
    )  # stable: workbook order is kept inside a group
    rows = [SheetRow(indicator=indicator, score=score) for indicator, score in paired]
    for index, row in enumerate(rows):
        previous = rows[index - 1].indicator if index else None
        if previous is None or previous.level1 != row.indicator.level1:
            row.level1_span = sum(1 for other in rows if other.indicator.level1 == row.indicator.level1)
        if previous is None or (previous.level1, previous.level2) != (row.indicator.level1, row.indicator.level2):
            row.level2_span = sum(
                1
                for other in rows
                if (other.indicator.level1, other.indicator.level2) == (row.indicator.level1, row.indicator.level2)
            )
    return rows


@dataclass
class BudgetBlockRow:
    """One row of the 自评表's budget block, in yuan."""

    key: str  # total | current | carryover | other
    initial: Decimal = ZERO
    full_year: Decimal = ZERO
    spent: Decimal = ZERO

    @property
    def execution_rate(self) -> Decimal | None:
        return execution_rate(self.spent, self.full_year)


@dataclass
class BudgetBlock:
    total: BudgetBlockRow
    current: BudgetBlockRow
    carryover: BudgetBlockRow
    other: BudgetBlockRow

    @property
    def parts(self) -> list[BudgetBlockRow]:
        return [self.current, self.carryover, self.other]


def _block_part(source: str, kind: str) -> str:
    if kind == BudgetLine.Kind.CARRYOVER:
        return "carryover"
    if source == BudgetLine.Source.OTHER:
        return "other"
    return "current"


def budget_blocks_by_item(*, lines, items: dict[int, Figures], as_of: date | None = None) -> dict[int, BudgetBlock]:
    """The budget block of the 自评表 (年初预算数, 全年预算数, 全年执行数, 执行率), split by the
    nature of the money, the way 财预〔2020〕10号's template splits 年度资金总额:

    - 上年结转 (`carryover`): every carryover line, whatever its source. The seed report calls
      its 194.44 万元 of carried-over project money 上年结转结余资金 although it is non-fiscal
      (资金来源 其他资金), so the kind decides before the source;
    - 其他资金 (`other`): the other lines whose source is 其他资金 (initial, addition, minus
      reduction): this year's own income of the units;
    - 当年财政拨款 (`current`): the other lines of fiscal money (上级安排 or 本级财政).

    年初预算数 is the initial lines only; 全年预算数 follows section 2 on each part, so the three
    parts add up to the total. Spending is recorded against an item, not against a line, so
    each item's spending is attributed to its parts in the order carryover, current, other,
    each up to that part's full-year budget in the item: carried-over money is spent first, as
    the treasury requires, and a unit's own funds last. Anything left (only an overspent
    ledger has any) stays with 当年财政拨款. The parts' spending thus also adds up exactly.

    `lines` is the scope's BudgetLine queryset and `items` maps each of its item ids to that
    item's figures (a summary's by_item, or one item's); one query.
    """
    if as_of is not None:
        lines = lines.filter(date__lte=as_of)
    per_item: dict[int, dict[str, BudgetBlockRow]] = {
        item_id: {key: BudgetBlockRow(key=key) for key in ("current", "carryover", "other")} for item_id in items
    }
    for row in lines.order_by().values("item_id", "source", "kind").annotate(total=Sum("amount")):
        if row["item_id"] not in per_item:
            continue
        part = per_item[row["item_id"]][_block_part(row["source"], row["kind"])]
        if row["kind"] == BudgetLine.Kind.INITIAL:
            part.initial += row["total"]
        part.full_year += -row["total"] if row["kind"] == BudgetLine.Kind.REDUCTION else row["total"]
    blocks = {}
    for item_id, figures in items.items():
        parts = per_item[item_id]
        left = figures.spent
        for key in ("carryover", "current", "other"):
            share = min(left, max(parts[key].full_year, ZERO))
            parts[key].spent = share
            left -= share
        parts["current"].spent += left
        block = BudgetBlock(BudgetBlockRow(key="total"), parts["current"], parts["carryover"], parts["other"])
        _add_parts_to_total(block)
        blocks[item_id] = block
    return blocks


def _add_parts_to_total(block: BudgetBlock) -> None:
    for part in block.parts:
        block.total.initial += part.initial
        block.total.full_year += part.full_year
        block.total.spent += part.spent


def budget_block(*, lines, items: dict[int, Figures], as_of: date | None = None) -> BudgetBlock:
    """The budget block of a whole scope: the item blocks of `budget_blocks_by_item` added up."""
    block = BudgetBlock(*(BudgetBlockRow(key=key) for key in ("total", "current", "carryover", "other")))
    for item_block in budget_blocks_by_item(lines=lines, items=items, as_of=as_of).values():
        for key in ("current", "carryover", "other"):
            target, part = getattr(block, key), getattr(item_block, key)
            target.initial += part.initial
            target.full_year += part.full_year
            target.spent += part.spent
    _add_parts_to_total(block)
    return block


@dataclass
class EvaluationSheet:
    """What a 自评表 shows: the budget block, the score and the grouped indicator rows."""

    block: BudgetBlock
    evaluation: Evaluation
    rows: list[SheetRow]
    figures: Figures
    # On the department's sheet: the items with their own 项目支出绩效自评表, and their scores.
    items: list[tuple[ItemRow, Evaluation]] = field(default_factory=list)


def department_sheet(*, summary: BudgetSummary) -> EvaluationSheet | None:
    """The 部门整体支出绩效自评表 (section 3: department-level indicators, the department's
    execution rate), or None when the department has no department-level indicator.
    Two queries on top of the summary's: the indicators and the budget lines by part."""
    evaluations = evaluations_for(summary=summary)
    if evaluations.department is None:
        return None
    block = budget_block(
        lines=BudgetLine.objects.filter(item__department_year=summary.department_year),
        items={row.id: row.figures for row in summary.by_item},
        as_of=summary.as_of,
    )
    return EvaluationSheet(
        block=block,
        evaluation=evaluations.department,
        rows=sheet_rows(evaluations.department_indicators, evaluations.department),
        figures=summary.totals,
        items=[(row, evaluations.by_item[row.id]) for row in summary.by_item if row.id in evaluations.by_item],
    )


def item_sheet(*, item: BudgetItem) -> EvaluationSheet | None:
    """The 项目支出绩效自评表 of one item (section 3: its indicators, its execution rate), or None
    when the item has no indicators. Three queries: the item's figures, its indicators, its lines."""
    figures = figures_of(items_with_figures(BudgetItem.objects.filter(pk=item.pk)).get())
    indicators = list(Indicator.objects.filter(item=item).order_by("position", "id"))
    if not indicators:
        return None
    evaluation = evaluate(
        execution_rate=figures.execution_rate, indicators=[indicator_input(indicator) for indicator in indicators]
    )
    block = budget_block(lines=BudgetLine.objects.filter(item=item), items={item.pk: figures})
    return EvaluationSheet(block=block, evaluation=evaluation, rows=sheet_rows(indicators, evaluation), figures=figures)


# --- Common department indicators (reference figures, not scored) ------------------------------


@dataclass
class CommonIndicators:
    """共性指标 computed from the ledger. Ratios are unrounded (None when undefined)."""

    authorized_staff: int | None
    actual_staff: int | None
    staff_control_rate: Decimal | None  # 在职人员控制率 = actual ÷ authorized
    adjustment: Decimal
    initial: Decimal
    budget_adjustment_rate: Decimal | None  # 预算调整率 = (additions − reductions) ÷ initial
    unspent: Decimal
    full_year: Decimal
    carryover_balance_rate: Decimal | None  # 结转结余率 = (full-year − spent) ÷ full-year
    running_spent: Decimal
    running_budget: Decimal
    running_cost_control_rate: Decimal | None  # 公用经费控制率 = running costs spent ÷ budget
    three_public_spent: Decimal
    three_public_previous: Decimal | None = None  # None when the previous year is not in the ledger
    previous_year: int | None = None

    @property
    def three_public_change(self) -> Decimal | None:
        if self.three_public_previous is None:
            return None
        return self.three_public_spent - self.three_public_previous

    @property
    def three_public_change_rate(self) -> Decimal | None:
        change = self.three_public_change
        return None if change is None else ratio(change, self.three_public_previous)


def common_indicators(*, summary: BudgetSummary) -> CommonIndicators:
    """The common department indicators of the 自评表, from the budget summary (issue 3):

    - 在职人员控制率 = actual staff ÷ authorized staff, summed over the department's units;
    - 预算调整率 = (additions − reductions) ÷ initial budget;
    - 结转结余率 = (full-year budget − spent) ÷ full-year budget;
    - 公用经费控制率 = running costs (运转类) spent ÷ running costs full-year budget;
    - "三公经费" spent (DOMAIN.md section 6 codes 30212, 30217, 30231, 31013), this year's and the
      previous year's when that department-year exists, for the change.

    Two queries on top of the summary's: the staff totals, and both years' 三公经费 in one
    aggregate per department-year. 三公经费 is the year's approved spending, whatever the
    summary's as_of.
    """
    department_year = summary.department_year
    staff = BudgetUnit.objects.filter(department_id=department_year.department_id).aggregate(
        authorized=Sum("authorized_staff"), actual=Sum("actual_staff")
    )
    three_public = (
        Expenditure.objects.filter(
            item__department_year=OuterRef("pk"),
            status=Expenditure.Status.APPROVED,
            economic_class_id__in=THREE_PUBLIC_CODES,
        )
        .order_by()
        .values("item__department_year")
        .annotate(total=Sum("amount"))
        .values("total")
    )
    years = dict(
        DepartmentYear.objects.filter(
            department_id=department_year.department_id, year__in=(department_year.year, department_year.year - 1)
        )
        .annotate(three_public=Coalesce(Subquery(three_public, output_field=MONEY_FIELD), ZERO, output_field=MONEY_FIELD))
        .values_list("year", "three_public")
    )
    totals = summary.totals
    running = summary.by_category[BudgetItem.Category.OPERATING]
    adjustment = totals.addition - totals.reduction
    authorized, actual = staff["authorized"], staff["actual"]
    previous_year = department_year.year - 1 if department_year.year - 1 in years else None
    return CommonIndicators(
        authorized_staff=authorized,
        actual_staff=actual,
        staff_control_rate=ratio(Decimal(actual), Decimal(authorized)) if authorized and actual is not None else None,
        adjustment=adjustment,
        initial=totals.initial,
        budget_adjustment_rate=ratio(adjustment, totals.initial),
        unspent=totals.full_year - totals.spent,
        full_year=totals.full_year,
        carryover_balance_rate=ratio(totals.full_year - totals.spent, totals.full_year),
        running_spent=running.spent,
        running_budget=running.full_year,
        running_cost_control_rate=ratio(running.spent, running.full_year),
        three_public_spent=years.get(department_year.year, ZERO),
        three_public_previous=years.get(previous_year) if previous_year else None,
        previous_year=previous_year,
    )


# --- 绩效运行监控 (mid-year monitoring) -----------------------------------------------------------

LAG_OK, LAG_YELLOW, LAG_RED = "ok", "yellow", "red"
MONITORING_MONTH = 6


def time_progress(month: int) -> Decimal:
    """序时进度 at the end of month m = m / 12 (DOMAIN.md section 2)."""
    return Decimal(month) / Decimal(12)


def execution_lag(rate: Decimal | None, progress: Decimal) -> str | None:
    """How far execution lags time (DOMAIN.md section 2): rate ÷ 序时进度 below settings.LAG_YELLOW
    (80 %) lags, below settings.LAG_RED (60 %) is red. None when the rate is undefined."""
    if rate is None or not progress:
        return None
    pace = rate / progress
    if pace < settings.LAG_RED:
        return LAG_RED
    if pace < settings.LAG_YELLOW:
        return LAG_YELLOW
    return LAG_OK


@dataclass
class MonitoringRow:
    indicator: Indicator
    score: IndicatorScore

    @property
    def midyear_progress(self) -> Decimal | None:
        """Mid-year value ÷ target, for the targets that accumulate (`≥`, `=`); else None."""
        indicator = self.indicator
        if indicator.direction not in ("ge", "eq") or indicator.midyear is None or not indicator.target:
            return None
        return indicator.midyear / indicator.target

    @property
    def midyear_behind(self) -> bool:
        return FLAG_MIDYEAR_BEHIND in self.score.flags


@dataclass
class MonitoringScope:
    """The department or one item: its execution at the end of June and its indicators."""

    code: str
    name: str
    figures: Figures
    lag: str | None
    rows: list[MonitoringRow] = field(default_factory=list)

    @property
    def behind(self) -> bool:
        return self.lag in (LAG_YELLOW, LAG_RED) or any(row.midyear_behind for row in self.rows)


@dataclass
class Monitoring:
    as_of: date
    progress: Decimal
    department: MonitoringScope
    items: list[MonitoringScope]


def monitoring_for(*, department_year: DepartmentYear) -> Monitoring:
    """绩效运行监控 ("双监控") at the end of June: each scope's execution rate as of 30 June against
    序时进度 6/12 (DOMAIN.md section 2's thresholds), beside each indicator's mid-year value against
    its target (section 3.7's mid-year flag). The department and every item with indicators.
    The summary's five queries plus the indicators'."""
    as_of = date(department_year.year, MONITORING_MONTH, 30)
    progress = time_progress(MONITORING_MONTH)
    summary = budget_summary(department_year=department_year, as_of=as_of)
    evaluations = evaluations_for(summary=summary)
    department = MonitoringScope(
        code=department_year.department.code,
        name=department_year.department.name,
        figures=summary.totals,
        lag=execution_lag(summary.totals.execution_rate, progress),
    )
    if evaluations.department is not None:
        department.rows = [
            MonitoringRow(indicator=indicator, score=score)
            for indicator, score in zip(evaluations.department_indicators, evaluations.department.indicators)
        ]
    items = []
    for item in summary.by_item:
        if item.id not in evaluations.by_item:
            continue
        items.append(
            MonitoringScope(
                code=item.code,
                name=item.name,
                figures=item.figures,
                lag=execution_lag(item.figures.execution_rate, progress),
                rows=[
                    MonitoringRow(indicator=indicator, score=score)
                    for indicator, score in zip(evaluations.item_indicators[item.id], evaluations.by_item[item.id].indicators)
                ],
            )
        )
    return Monitoring(as_of=as_of, progress=progress, department=department, items=items)
