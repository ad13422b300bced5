"""Feeds the scoring rules (indicators.scoring) from the database, DOMAIN.md section 3, and reads
the figures the 自评表 shows beside the score.

`scope_evaluation` is the one caller of indicators.scoring.evaluate: the 自评表, the
dashboards, the province view, the monitoring page, the exports and the JSON summary all get
their scores through it (by way of evaluations_for, item_evaluation or department_evaluations).
"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db import models
from django.db.models import Sum

from fundmgr.lib.money import ZERO
from indicators.formulas import FormulaValue, LedgerFormula, active_formulas, formula_problem, formula_value, ledger_figures
from indicators.models import AnnualGoal, EvaluationUpload, Indicator, QualitativePhrase
from indicators.models import ScoringProfile as ProfileRow
from indicators.scoring import DEFAULT_PROFILE, Evaluation, IndicatorInput, IndicatorScore, ScoringProfile, evaluate
from projects.arithmetic import execution_rate, month_end, signed_amount
from projects.models import BudgetItem, BudgetLine
from projects.selectors import BudgetSummary, Figures, ItemRow, item_sums
from units import access
from units.access import Scope
from units.models import DepartmentYear

# When an indicator's values become known (DOMAIN.md section 1, 半年完成值 / 全年完成值): the mid-year
# value comes from the 绩效运行监控 at the end of June, the year-end value (and a qualitative
# indicator's tier and 得分率) from the self-evaluation at the end of December. A view as of an
# earlier month shows and scores only what was known then.
MIDYEAR_MONTH = 6
YEAR_END_MONTH = 12

# Units of measure that name a rate rather than a count: such values are comparable at mid-year
# already, so the mid-year flag of section 3.7 ("for an annual count") does not apply to them.
RATE_UNITS = {"%", "％", "‰", "百分比", "分", "星"}


def department_phrases(department_id: int) -> dict[str, str] | None:
    """The department's qualitative phrases (phrase -> tier) for indicators.targets.parse, or None
    when the finance office has not edited its list: parse then reads with DEFAULT_PHRASES."""
    rows = dict(QualitativePhrase.objects.filter(department_id=department_id).values_list("phrase", "tier"))
    return rows or None


def department_phrases_by_code(department_code: str) -> dict[str, str] | None:
    """department_phrases of the department with this 部门编码, in one query: the workbook import
    knows its department by code only (and may be about to create it, with no list: None)."""
    rows = dict(QualitativePhrase.objects.filter(department__code=department_code).values_list("phrase", "tier"))
    return rows or None


def monitoring_month(department_year: DepartmentYear) -> int:
    """The month whose end the department-year's 绩效运行监控 is taken at: the finance office's
    choice (DepartmentYear.monitoring_month, units.services.monitoring_month_set), June by default.
    A ledger formula's mid-year value is taken at its end too."""
    return department_year.monitoring_month


def with_ledger_values(
    indicators: Sequence[Indicator],
    *,
    department_year: DepartmentYear,
    month: int = YEAR_END_MONTH,
    summary: BudgetSummary | None = None,
    midyear: bool = True,
) -> None:
    """Fill in, in memory, the values of the indicators that take them from a ledger formula
    (indicators.formulas, issue 16): the year-end value (actual) is the formula over the whole
    year, the mid-year value the formula at the end of the monitoring month; their typed values
    are ignored. Only values known at the end of `month` are computed (known_value): none
    before the monitoring month; `midyear` False skips the mid-year value where only the score is
    read (a formula's unit is a rate, so its mid-year value raises no flag: is_annual_count).
    Each indicator gets `ledger_value` and `ledger_midyear` (FormulaValue or None) and
    `formula_problem` (a message for an unknown or inactive key).

    No query without a formula indicator; else, per month computed, two (the common indicators)
    when `summary` is as of that month's end (the whole year: as_of None), or seven without it:
    once per department-year, whatever the number of its formula indicators."""
    formula_indicators = [indicator for indicator in indicators if indicator.formula]
    for indicator in indicators:
        indicator.ledger_value = indicator.ledger_midyear = None
        indicator.formula_problem = ""
    if not formula_indicators:
        return
    keys = {indicator.formula for indicator in formula_indicators}
    problems = {key: formula_problem(key) for key in keys}
    usable = [key for key in keys if not problems[key]]

    def values_at(at: int, whole_year: BudgetSummary | None = None) -> dict[str, FormulaValue]:
        if not usable:
            return {}
        figures = ledger_figures(department_year=department_year, month=at, summary=whole_year)
        return {key: formula_value(key, figures) for key in usable}

    year_end = (
        values_at(YEAR_END_MONTH, summary if summary is not None and summary.as_of is None else None)
        if month >= YEAR_END_MONTH
        else {}
    )
    at_monitoring = monitoring_month(department_year)
    # the monitoring page's own summary is the one at the end of the monitoring month
    at_month_end = month_end(department_year.year, at_monitoring)
    monitored = summary if summary is not None and summary.as_of == at_month_end else None
    at_midyear = values_at(at_monitoring, monitored) if midyear and month >= at_monitoring else {}
    for indicator in formula_indicators:
        end, middle = year_end.get(indicator.formula), at_midyear.get(indicator.formula)
        indicator.ledger_value, indicator.ledger_midyear = end, middle
        indicator.actual = end.value if end else None
        indicator.actual_text = end.text if end else ""
        indicator.midyear = middle.value if middle else None
        indicator.midyear_text = middle.text if middle else ""
        indicator.formula_problem = problems[indicator.formula]


def is_annual_count(unit: str) -> bool:
    """Whether an indicator counts something accumulated over the year (户, 人, 间, 次), as
    opposed to a rate (%, 满意度), for the mid-year flag of section 3.7."""
    return unit.strip() not in RATE_UNITS


def is_scored(month: int) -> bool:
    """Whether a view as of the end of `month` shows a self-evaluation score: the completion ratio
    of section 3.3 is read from the year-end value, so there is none before December. (Scoring
    mid-year values against annual targets would rate every department 差 in June.)"""
    return month >= YEAR_END_MONTH


def known_value(indicator: Indicator, month: int) -> Decimal | None:
    """The completion value known at the end of `month`: none before June, the mid-year value
    from June to November, the year-end value in December."""
    if month >= YEAR_END_MONTH:
        return indicator.actual
    if month >= MIDYEAR_MONTH:
        return indicator.midyear
    return None


def indicator_input(indicator: Indicator, *, month: int = YEAR_END_MONTH) -> IndicatorInput:
    """The scoring rules' input for `indicator` as known at the end of `month` (the whole year by
    default): the mid-year value from June, the year-end value, tier and 得分率 in December, so a
    view as of an earlier month raises no flag from a value not yet known."""
    year_end = month >= YEAR_END_MONTH
    return IndicatorInput(
        code=indicator.code,
        level1=indicator.level1,
        direction=indicator.direction,
        target=indicator.target,
        actual=indicator.actual if year_end else None,
        midyear=indicator.midyear if month >= MIDYEAR_MONTH else None,
        points=indicator.points,
        tier=indicator.tier if year_end else "",
        rate=indicator.rate if year_end else None,
        annual_count=is_annual_count(indicator.unit),
        override=indicator.override_earned if year_end else None,
    )


def scoring_profile(row: ProfileRow | None) -> ScoringProfile:
    """The scoring rules' settings from a stored 评分设置 (section 9); the defaults without one."""
    if row is None:
        return DEFAULT_PROFILE
    return ScoringProfile(execution_points=Decimal(row.execution_points), places=int(row.rounding))


@dataclass
class Profiles:
    """The stored 评分设置 of one or more department-years: an item's own, else its
    department-year's default, else the rules' defaults (section 9)."""

    by_item: dict[int, ProfileRow] = field(default_factory=dict)
    by_department_year: dict[int, ProfileRow] = field(default_factory=dict)

    def for_scope(self, *, department_year_id: int, item_id: int | None = None) -> ScoringProfile:
        row = self.by_item.get(item_id) if item_id is not None else None
        return scoring_profile(row or self.by_department_year.get(department_year_id))


def load_profiles(rows) -> Profiles:
    profiles = Profiles()
    for row in rows:
        if row.item_id is None:
            profiles.by_department_year[row.department_year_id] = row
        else:
            profiles.by_item[row.item_id] = row
    return profiles


def scope_profile(*, department_year_id: int, item_id: int | None = None) -> ScoringProfile:
    """The scoring profile of one scope (the item's own, else the department-year's). One query."""
    rows = ProfileRow.objects.filter(department_year_id=department_year_id, item__isnull=True)
    if item_id is not None:
        rows = ProfileRow.objects.filter(department_year_id=department_year_id).filter(
            models.Q(item__isnull=True) | models.Q(item_id=item_id)
        )
    return load_profiles(rows).for_scope(department_year_id=department_year_id, item_id=item_id)


def scope_evaluation(
    *,
    indicators: Sequence[Indicator],
    execution_rate: Decimal | None,
    month: int = YEAR_END_MONTH,
    profile: ScoringProfile = DEFAULT_PROFILE,
) -> Evaluation | None:
    """The score of one scope, the department or an item (section 3.5): its own indicators, in
    workbook order, and its own execution rate, under the scope's scoring profile (section 9:
    the item's own, else the department-year's, else the defaults; the callers load it, one
    query each). None when the scope has no indicator.

    `month` limits the indicators' values to those known at its end (indicator_input): before
    December no ratio is known, so the indicator rows carry only the mid-year flag, and the
    scope's score is not one to show (is_scored). An evaluator's override is a year-end 得分.
    For the whole year, a blank year-end value makes the evaluation a draft, unscored (section 9)."""
    if not indicators:
        return None
    return evaluate(
        execution_rate=execution_rate,
        indicators=[indicator_input(indicator, month=month) for indicator in indicators],
        profile=profile,
        # before December the year-end values are blank on purpose: not a draft (section 9)
        year_end=is_scored(month),
    )


@dataclass
class Evaluations:
    """The department's evaluation and each item's (only items with indicators appear)."""

    department: Evaluation | None
    department_indicators: list[Indicator]
    by_item: dict[int, Evaluation]
    item_indicators: dict[int, list[Indicator]]


def evaluations_for(*, summary: BudgetSummary, month: int = YEAR_END_MONTH) -> Evaluations:
    """Score the department (indicators with no item, the department's execution rate) and every
    item with indicators (its own indicators and execution rate), each under its scoring profile.
    Two queries, whatever the size: the indicators (with who overrode them) and the profiles, and
    with a formula indicator those of with_ledger_values, once for the department-year.
    `month`: the indicators' values known at its end (scope_evaluation); the whole year by default."""
    department_indicators: list[Indicator] = []
    item_indicators: dict[int, list[Indicator]] = {}
    department_year_id = summary.department_year.pk
    profiles = load_profiles(ProfileRow.objects.filter(department_year_id=department_year_id))
    indicators = list(
        Indicator.objects.filter(department_year=summary.department_year).select_related("override_by").order_by("position", "id")
    )
    with_ledger_values(indicators, department_year=summary.department_year, month=month, summary=summary)
    for indicator in indicators:
        if indicator.item_id is None:
            department_indicators.append(indicator)
        else:
            item_indicators.setdefault(indicator.item_id, []).append(indicator)
    rates = {row.id: row.figures.execution_rate for row in summary.by_item}
    return Evaluations(
        department=scope_evaluation(
            indicators=department_indicators,
            execution_rate=summary.totals.execution_rate,
            month=month,
            profile=profiles.for_scope(department_year_id=department_year_id),
        ),
        department_indicators=department_indicators,
        by_item={
            item_id: scope_evaluation(
                indicators=indicators,
                execution_rate=rates.get(item_id),
                month=month,
                profile=profiles.for_scope(department_year_id=department_year_id, item_id=item_id),
            )
            for item_id, indicators in item_indicators.items()
        },
        item_indicators=item_indicators,
    )


@dataclass
class ItemEvaluation:
    indicators: list[Indicator]
    evaluation: Evaluation | None


def item_evaluation(*, item: BudgetItem, execution_rate: Decimal | None, month: int = YEAR_END_MONTH) -> ItemEvaluation:
    """One item's indicators and its score from its execution rate (section 3), as evaluations_for
    scores it on the department's pages, with the values known at the end of `month`. Two
    queries: the indicators (with who overrode them) and the item's scoring profile."""
    indicators = list(Indicator.objects.filter(item=item).select_related("override_by").order_by("position", "id"))
    if any(indicator.formula for indicator in indicators):  # else the item's year is not fetched
        with_ledger_values(indicators, department_year=item.department_year, month=month)
    if not indicators:
        return ItemEvaluation(indicators=indicators, evaluation=None)
    profile = scope_profile(department_year_id=item.department_year_id, item_id=item.pk)
    return ItemEvaluation(
        indicators=indicators,
        evaluation=scope_evaluation(indicators=indicators, execution_rate=execution_rate, month=month, profile=profile),
    )


def department_evaluations(
    *, year: int, execution_rates: dict[int, Decimal | None], department_ids: list[int] | None = None
) -> dict[int, Evaluation]:
    """The score of each department-year of `execution_rates` (department-year id → the
    department's execution rate) that has department-level indicators, by the rules
    evaluations_for applies to one department (section 3). One query, whatever the number of
    departments (two with the department-years' scoring profiles); `department_ids` narrows it
    as the caller's rows are narrowed. A department-year with a formula indicator costs one more
    query for them all, and seven for each (with_ledger_values at year end only)."""
    department_indicators = Indicator.objects.filter(department_year__year=year, item__isnull=True)
    if department_ids is not None:
        department_indicators = department_indicators.filter(department_year__department_id__in=department_ids)
    indicators: dict[int, list[Indicator]] = {}
    for indicator in department_indicators.order_by("department_year", "position", "id"):
        indicators.setdefault(indicator.department_year_id, []).append(indicator)
    if not indicators:
        return {}
    with_formulas = [dy for dy, rows in indicators.items() if dy in execution_rates and any(row.formula for row in rows)]
    for department_year in DepartmentYear.objects.filter(pk__in=with_formulas) if with_formulas else ():
        with_ledger_values(indicators[department_year.pk], department_year=department_year, midyear=False)
    profiles = load_profiles(ProfileRow.objects.filter(department_year_id__in=list(indicators), item__isnull=True))
    return {
        department_year_id: scope_evaluation(
            indicators=indicators[department_year_id],
            execution_rate=rate,
            profile=profiles.for_scope(department_year_id=department_year_id),
        )
        for department_year_id, rate in execution_rates.items()
        if department_year_id in indicators
    }


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
        return (
            self.score.ratio is not None
            and self.score.ratio < 1
            and not (self.indicator.deviation_reason.strip() and self.indicator.corrective_measures.strip())
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


def budget_blocks_by_item(
    *, lines, items: dict[int, Figures], as_of: date | None = None, line_sums=None
) -> dict[int, BudgetBlock]:
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
    item's figures (a summary's by_item, or one item's); one query, or none when `line_sums`
    holds those lines' (item id, source, kind, total) groups already read (BudgetSummary.line_sums).
    """
    if line_sums is None:
        if as_of is not None:
            lines = lines.filter(date__lte=as_of)
        line_sums = lines.order_by().values_list("item_id", "source", "kind").annotate(total=Sum("amount"))
    per_item: dict[int, dict[str, BudgetBlockRow]] = {
        item_id: {key: BudgetBlockRow(key=key) for key in ("current", "carryover", "other")} for item_id in items
    }
    for item_id, source, kind, total in line_sums:
        if item_id not in per_item:
            continue
        part = per_item[item_id][_block_part(source, kind)]
        if kind == BudgetLine.Kind.INITIAL:
            part.initial += total
        part.full_year += signed_amount(kind=kind, amount=total)
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


def budget_block(*, lines, items: dict[int, Figures], as_of: date | None = None, line_sums=None) -> BudgetBlock:
    """The budget block of a whole scope: the item blocks of `budget_blocks_by_item` added up."""
    block = BudgetBlock(*(BudgetBlockRow(key=key) for key in ("total", "current", "carryover", "other")))
    for item_block in budget_blocks_by_item(lines=lines, items=items, as_of=as_of, line_sums=line_sums).values():
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

    @property
    def missing(self) -> list[Indicator]:
        """A draft's indicators still without a year-end value, in workbook order (section 9)."""
        by_code = {row.indicator.code: row.indicator for row in self.rows}
        return [by_code[code] for code in self.evaluation.missing]


def department_sheet(*, summary: BudgetSummary) -> EvaluationSheet | None:
    """The 部门整体支出绩效自评表 (section 3: department-level indicators, the department's
    execution rate), or None when the department has no department-level indicator.
    Two queries on top of the summary's: the indicators and the scoring profiles (the budget
    lines by part are the summary's own, BudgetSummary.line_sums)."""
    evaluations = evaluations_for(summary=summary)
    if evaluations.department is None:
        return None
    block = budget_block(
        lines=BudgetLine.objects.filter(item__department_year=summary.department_year),
        items={row.id: row.figures for row in summary.by_item},
        as_of=summary.as_of,
        line_sums=summary.line_sums,
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
    when the item has no indicators. Three queries: the item's figures with its lines (item_sums),
    its indicators, its scoring profile."""
    sums = item_sums(as_of=None, month=YEAR_END_MONTH, item_id=item.pk)
    figures = sums.by_item[item.pk].figures if item.pk in sums.by_item else Figures()
    scored = item_evaluation(item=item, execution_rate=figures.execution_rate)
    if scored.evaluation is None:
        return None
    block = budget_block(lines=None, items={item.pk: figures}, line_sums=sums.lines)
    return EvaluationSheet(
        block=block, evaluation=scored.evaluation, rows=sheet_rows(scored.indicators, scored.evaluation), figures=figures
    )


def indicator_in_scope(scope: Scope, indicator_code: str) -> Indicator:
    """An indicator of the department-year. An item's indicator is its unit's (404 for another
    unit's accountant); a department-level one is the department's, and a page showing it asks
    for DEPARTMENT_WIDE or FINANCE (403 for a unit accountant; units.access)."""
    indicators = Indicator.objects.select_related("item").filter(department_year=scope.department_year, code=indicator_code)
    return access.one_visible(scope, indicators, unit="item__unit_id", department_level="item")


def annual_goals(*, department_year_id: int) -> dict[int | None, AnnualGoal]:
    """年度总体目标 of a department-year by item id (None: the department's), in one query."""
    return {row.item_id: row for row in AnnualGoal.objects.filter(department_year_id=department_year_id)}


def latest_evaluation_upload(*, department_year_id: int, item_id: int | None = None) -> EvaluationUpload | None:
    """The last filled 自评表 loaded into the evaluation of an item (None: the department's), with
    who loaded it, for its findings beside the scores (DOMAIN.md section 10). One query."""
    uploads = EvaluationUpload.objects.filter(department_year_id=department_year_id)
    uploads = uploads.filter(item_id=item_id) if item_id is not None else uploads.filter(item__isnull=True)
    return uploads.select_related("uploaded_by").order_by("-uploaded_at", "-id").first()


# --- 绩效运行监控 (issue 16) ---------------------------------------------------------------------


def monitoring_value(indicator: Indicator, *, summary: BudgetSummary | None = None) -> Decimal | None:
    """An indicator's value at the monitoring month (监控期完成值): the one place that reads it.

    A typed indicator's is Indicator.midyear (its text, when written, is midyear_text). `summary`
    is the budget summary at the monitoring month (indicators.monitoring passes it). A ledger-formula
    indicator (Indicator.formula) read through evaluations_for at that month already holds its
    formula's value there (with_ledger_values), so it is read the same way."""
    return indicator.midyear


# --- 共性指标（账表取数） ------------------------------------------------------------------------


@dataclass
class FormulaRow:
    """One active ledger formula on the finance office's page: its value over the whole year and
    at the end of the monitoring month, and the indicator that puts it in the evaluation (or None)."""

    formula: LedgerFormula
    year_end: FormulaValue
    monitoring: FormulaValue
    indicator: Indicator | None


@dataclass
class FormulaOverview:
    rows: list[FormulaRow]
    monitoring_month: int
    # formula indicators whose key is unknown or not active here, with the problem (formula_problem)
    orphans: list[tuple[Indicator, str]]


def formula_overview(*, department_year: DepartmentYear) -> FormulaOverview:
    """The 共性指标（账表取数） page (issue 16 item 5): each formula active in this province
    (settings.LEDGER_FORMULAS) with its values at year end and at the monitoring month, and
    whether the department's evaluation holds it; and the formula indicators it cannot compute.
    Fifteen queries, whatever the size: the department's formula indicators, and seven each for
    the ledger figures of the two months (indicators.formulas.ledger_figures)."""
    indicators = list(
        Indicator.objects.filter(department_year=department_year, item__isnull=True)
        .exclude(formula="")
        .order_by("position", "id")
    )
    month = monitoring_month(department_year)
    formulas = active_formulas()
    year_end = ledger_figures(department_year=department_year, month=YEAR_END_MONTH)
    monitored = ledger_figures(department_year=department_year, month=month)
    by_key = {indicator.formula: indicator for indicator in indicators}
    rows = [
        FormulaRow(
            formula=formula,
            year_end=formula_value(formula.key, year_end),
            monitoring=formula_value(formula.key, monitored),
            indicator=by_key.get(formula.key),
        )
        for formula in formulas
    ]
    orphans = [(indicator, formula_problem(indicator.formula)) for indicator in indicators if formula_problem(indicator.formula)]
    return FormulaOverview(rows=rows, monitoring_month=month, orphans=orphans)
