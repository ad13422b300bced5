"""The leadership dashboards: what a department, a unit or an item stands at, as of a month's end.

One builder, `dashboard_for`, makes all three; a small scope class (DepartmentScope,
UnitScope, ItemScope) says which rows, bars and indicators its scope shows. Every budget
figure comes from projects.selectors.budget_summary (the one computation of DOMAIN.md
section 2) or from the narrower selectors beside it that apply the same sums to a unit or an
item; every score from indicators.selectors (section 3). This module only arranges them:
time-elapsed progress, lag colours, chart geometry (fundmgr.charts) and the year before.

Every lag colour is section 8's: from the plan execution rate (spent to date ÷ plan to date,
`plan_status`), with the thresholds of 序时进度. An item without a plan has the linear plan
full-year × m ÷ 12 (projects.arithmetic.plan_to_date), so it lags exactly as it did against
序时进度. A scope (unit, department) lags by its own plan execution rate: its spending over the
sum of its items' plans to date (projects.selectors.Figures adds both up over the items), so a
scope's colour never depends on how many of its items lag. The colour is fundmgr.alerts.plan_status.
"""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db.models import Sum
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _

from fundmgr import charts
from fundmgr.alerts import plan_status
from fundmgr.lib.money import ZERO, yuan
from fundmgr.lib.pagecache import cache_key, cached
from indicators.models import Indicator
from indicators.scoring import Evaluation, Flag, IndicatorScore
from indicators.selectors import (
    MIDYEAR_MONTH,
    YEAR_END_MONTH,
    Evaluations,
    evaluations_for,
    is_scored,
    item_evaluation,
    known_value,
)
from indicators.wording import actual_text, value_text
from projects.arithmetic import linear_shares_by_month, month_end, time_progress
from projects.models import BudgetItem, BudgetLine, SpendingPlan
from projects.rollups import monthly_spending_by_class
from projects.selectors import (
    BudgetSummary,
    ClassRow,
    Figures,
    ItemRow,
    ItemSums,
    budget_summary,
    item_sums,
    plan_figures,
    summary_by_source,
    year_figures,
)
from units.models import BudgetUnit, DepartmentYear

# --- the as-of month ---


def default_month(year: int, today: date) -> int:
    """The as-of month shown when none is asked for: this month, December for a closed year,
    January for a year not yet begun."""
    if year < today.year:
        return 12
    if year > today.year:
        return 1
    return today.month


def as_of_month(value: str | None, *, year: int, today: date) -> int:
    """The month of `?asof=YYYY-MM`, when it names a month of `year`; otherwise the default."""
    if value:
        parts = value.split("-")
        # isascii(): "²".isdigit() is true, and int("²") fails
        if len(parts) == 2 and parts[0] == str(year) and parts[1].isascii() and parts[1].isdigit() and 1 <= int(parts[1]) <= 12:
            return int(parts[1])
    return default_month(year, today)


def indicator_status(score: IndicatorScore, month: int = YEAR_END_MONTH) -> str:
    """met · behind (target missed) · flagged (far over target, or behind at mid-year) · open (no
    year-end value yet) · awaiting (before December: the year-end value is not due yet).

    `score` holds what was known at the end of `month` (indicators.selectors.indicator_input), so
    before December only the mid-year flag can show."""
    if Flag.TARGET_MISSED in score.flags:
        return "behind"
    if score.flags:
        return "flagged"
    if not is_scored(month):
        return "awaiting"
    if score.ratio is None:
        return "open"
    return "met"


def known_value_text(indicator: Indicator, month: int) -> str:
    """The completion value an as-of view shows (indicators.selectors.known_value): — before June,
    the mid-year value to November, the year-end value (a qualitative indicator's tier) in December."""
    if is_scored(month):
        return actual_text(indicator)
    if indicator.direction == Indicator.Direction.QUALITATIVE:
        return "—"
    return value_text(known_value(indicator, month), indicator)


# --- the dashboard of one scope ---


@dataclass
class LagRow:
    item: ItemRow
    status: str
    ratio: Decimal | None  # the plan execution rate (DOMAIN.md section 8) the status comes from
    url: str

    @property
    def remaining(self) -> Decimal:
        return self.item.figures.remaining


@dataclass
class IndicatorRow:
    """An indicator as known at the end of the dashboard's month: its value then, and its points
    earned only once the year-end value is in (December)."""

    indicator: Indicator
    item_name: str
    score: IndicatorScore
    status: str
    value_text: str
    scored: bool

    @property
    def earned(self) -> Decimal | None:
        return self.score.earned if self.scored else None


@dataclass
class Dashboard:
    level: str  # department | unit | item
    department_year: DepartmentYear
    month: int
    as_of: date
    progress: Decimal
    totals: Figures
    status: str
    evaluation: Evaluation | None  # None before December: no year-end values, no score (indicators.selectors.is_scored)
    previous: Figures | None
    rate_chart: charts.BarChart | None
    line_chart: charts.LineChart
    plan_chart: charts.PlanChart
    class_chart: charts.BarChart
    composition_chart: charts.Composition
    by_class: list[ClassRow]
    by_source: dict[str, Decimal]
    by_category: dict[str, Figures]
    cumulative: list[tuple[int, Decimal, Decimal | None]]
    lagging: list[LagRow] = field(default_factory=list)
    indicators: list[IndicatorRow] = field(default_factory=list)
    units: list = field(default_factory=list)
    items: list[ItemRow] = field(default_factory=list)
    evaluation_url: str = ""  # empty when the scope has no 自评表 (an item without indicators)
    score_pending: bool = False  # the scope has indicators, but its score comes with December's values

    @property
    def indicator_value_label(self) -> str:
        """The heading of the indicators' value column: which value the month knows."""
        if is_scored(self.month):
            return _("全年完成值")
        if self.month >= MIDYEAR_MONTH:
            return _("半年完成值")
        return _("完成值")

    @property
    def asof_param(self) -> str:
        return f"{self.department_year.year}-{self.month:02d}"

    @property
    def months(self) -> list[tuple[str, str]]:
        return [(f"{self.department_year.year}-{m:02d}", _("%(month)d月") % {"month": m}) for m in range(1, 13)]


def _url(name: str, department_year: DepartmentYear, month: int, **kwargs) -> str:
    path = reverse(name, kwargs={"department_code": department_year.department.code, "year": department_year.year, **kwargs})
    return f"{path}?asof={department_year.year}-{month:02d}"


def evaluation_url(department_year: DepartmentYear, item_code: str | None = None) -> str:
    """The 自评表 of the department (`indicators:evaluation`) or of an item (`indicators:item_evaluation`)."""
    kwargs = {"department_code": department_year.department.code, "year": department_year.year}
    try:
        if item_code is not None:
            return reverse("indicators:item_evaluation", kwargs={**kwargs, "item_code": item_code})
        return reverse("indicators:evaluation", kwargs=kwargs)
    except NoReverseMatch:  # the self-evaluation pages are another app's; keep the address if it is absent
        base = f"/d/{department_year.department.code}/{department_year.year}/"
        return f"{base}items/{item_code}/evaluation/" if item_code else f"{base}evaluation/"


def _month_and_class(rows, *, month: int) -> tuple[dict[int, Decimal], list[ClassRow]]:
    monthly: dict[int, Decimal] = {}
    by_class: dict[str, ClassRow] = {}
    for row in rows:
        monthly[row.month] = monthly.get(row.month, ZERO) + row.spent
        if row.month <= month:
            target = by_class.setdefault(row.class_code, ClassRow(code=row.class_code, name=row.class_name, spent=ZERO))
            target.spent += row.spent
    return monthly, [by_class[code] for code in sorted(by_class)]


def _composition(by_source: dict[str, Decimal], by_category: dict[str, Figures]) -> charts.Composition:
    return charts.composition(
        [
            (
                _("资金来源"),
                [(label, f"source-{value}", by_source.get(value, ZERO)) for value, label in BudgetLine.Source.choices],
            ),
            (
                _("项目类别"),
                [
                    (label, f"category-{value}", by_category[value].full_year if value in by_category else ZERO)
                    for value, label in BudgetItem.Category.choices
                ],
            ),
        ]
    )


def _lagging(items: list[ItemRow], department_year: DepartmentYear, month: int) -> list[LagRow]:
    """The items behind their plan (plan_status, DOMAIN.md section 8), most money left unspent first."""
    rows = []
    for item in items:
        status = plan_status(item.figures)
        if status:
            rows.append(
                LagRow(
                    item=item,
                    status=status,
                    ratio=item.figures.plan_execution_rate,
                    url=_url("projects:detail", department_year, month, item_code=item.code),
                )
            )
    rows.sort(key=lambda row: (-row.remaining, row.item.code))
    return rows


def _indicator_rows(
    indicators: list[Indicator], evaluation: Evaluation | None, item_names: dict[int, str], *, month: int
) -> list[IndicatorRow]:
    if evaluation is None:
        return []
    return [
        IndicatorRow(
            indicator=indicator,
            item_name=item_names.get(indicator.item_id, ""),
            score=score,
            status=indicator_status(score, month),
            value_text=known_value_text(indicator, month),
            scored=is_scored(month),
        )
        for indicator, score in zip(indicators, evaluation.indicators)
    ]


def _item_indicator_rows(items: list[ItemRow], evaluations: Evaluations, *, month: int) -> list[IndicatorRow]:
    """The indicator rows of the scored items among `items`, item by item."""
    item_names = {item.id: item.name for item in items}
    rows = []
    for item in items:
        if item.id in evaluations.by_item:
            rows += _indicator_rows(evaluations.item_indicators[item.id], evaluations.by_item[item.id], item_names, month=month)
    return rows


def _shown(evaluation: Evaluation | None, month: int) -> Evaluation | None:
    """The scope's score as an as-of view may show it: none before December (is_scored)."""
    return evaluation if is_scored(month) else None


def _by_category(rows: list[tuple[str, Figures]]) -> dict[str, Figures]:
    """The figures of (category, figures) rows added up by 项目类别, every category present."""
    by_category = {category: Figures() for category in BudgetItem.Category.values}
    for category, figures in rows:
        by_category[category].add(figures)
    return by_category


def monthly_plan(
    *, department_year: DepartmentYear, unit_id: int | None = None, item_id: int | None = None
) -> dict[int, Decimal]:
    """The spending plan (用款计划, DOMAIN.md section 8) of the scope's planned items, summed by
    month: one grouped query. Items without plan rows are not in it (their plan is linear)."""
    plan = SpendingPlan.objects.filter(item__department_year=department_year)
    if unit_id is not None:
        plan = plan.filter(item__unit_id=unit_id)
    if item_id is not None:
        plan = plan.filter(item_id=item_id)
    return {row["month"]: row["total"] for row in plan.order_by().values("month").annotate(total=Sum("amount"))}


def cumulative_plan(planned_by_month: dict[int, Decimal], linear_full_years: list[Decimal]) -> list[Decimal]:
    """The scope's plan to date at the end of months 1..12 (DOMAIN.md section 8): its planned
    items' plan of months 1..m, plus each unplanned item's full-year × m ÷ 12, rounded per item
    as projects.arithmetic.plan_to_date rounds it, so the dashboard's month shows the card's
    figure to the cent. The full-year budgets are those as of the dashboard's month, as the
    cards' and the execution line's are."""
    series, running = [], ZERO
    for month, linear in zip(range(1, 13), linear_shares_by_month(linear_full_years), strict=True):
        running += yuan(planned_by_month.get(month, ZERO))
        series.append(running + linear)
    return series


def _charts_common(month: int, totals: Figures, month_class_rows) -> tuple:
    monthly, by_class = _month_and_class(month_class_rows, month=month)
    cumulative = charts.cumulative_execution(monthly, full_year=totals.full_year, through_month=month)
    line_chart = charts.execution_line(cumulative, progress_label=_("序时进度"), execution_label=_("累计执行率"))
    class_chart = charts.amount_bars([(f"{row.code} {row.name}", row.spent) for row in by_class])
    return cumulative, line_chart, by_class, class_chart


# --- what each scope contributes ---


@dataclass
class ScopeFigures:
    """The part of a dashboard that depends on its scope; the rest is built the same for all."""

    totals: Figures
    evaluation: Evaluation | None
    by_source: dict[str, Decimal]
    by_category: dict[str, Figures]
    indicators: list[IndicatorRow]
    # (label, rate, url, lag colour) of each child; None: no chart
    rate_bars: list[tuple[str, Decimal | None, str, str]] | None
    # the full-year budgets of the scope's items without a plan (their plan is linear: cumulative_plan)
    linear_full_years: list[Decimal] = field(default_factory=list)
    items: list[ItemRow] = field(default_factory=list)  # the scope's items, whose laggards are listed
    units: list = field(default_factory=list)
    evaluation_url: str = ""
    score_pending: bool = False


class DashboardScope:
    """The department-year, or one unit or item of it."""

    level: str  # Dashboard.level
    narrowing: dict  # what narrows the spending rollup (projects.rollups.monthly_spending_by_class) to the scope
    previous: dict  # what finds the scope in the year before (projects.selectors.year_figures): codes, as ids differ

    def figures(self, department_year: DepartmentYear, *, as_of: date, month: int) -> ScopeFigures:
        raise NotImplementedError


class DepartmentScope(DashboardScope):
    """The whole department-year: its units as bars, every item, its own score, and the item
    indicators that need attention (met ones stay on the item pages)."""

    level = "department"

    def __init__(self):
        self.narrowing, self.previous = {}, {}

    def figures(self, department_year, *, as_of, month):
        summary: BudgetSummary = budget_summary(department_year=department_year, as_of=as_of)
        evaluations = evaluations_for(summary=summary, month=month)
        needing_attention = [
            row for row in _item_indicator_rows(summary.by_item, evaluations, month=month) if row.status in ("behind", "flagged")
        ]
        return ScopeFigures(
            totals=summary.totals,
            evaluation=_shown(evaluations.department, month),
            score_pending=evaluations.department is not None and not is_scored(month),
            by_source=summary.by_source,
            by_category=summary.by_category,
            indicators=_indicator_rows(evaluations.department_indicators, evaluations.department, {}, month=month)
            + needing_attention,
            rate_bars=[
                (
                    unit.name,
                    unit.figures.execution_rate,
                    _url("units:detail", department_year, month, unit_code=unit.code),
                    plan_status(unit.figures),
                )
                for unit in summary.by_unit
            ],
            linear_full_years=_linear_full_years(summary.by_item),
            items=summary.by_item,
            units=summary.by_unit,
            evaluation_url=evaluation_url(department_year),
        )


class UnitScope(DashboardScope):
    """A unit: the department's summary narrowed to its items, shown as bars. A unit is not
    scored on its own (DOMAIN.md section 3 scores the department and items); its items' scores show."""

    level = "unit"

    def __init__(self, unit: BudgetUnit):
        self.unit = unit
        self.narrowing = {"unit_id": unit.id}
        self.previous = {"unit_code": unit.code}

    def figures(self, department_year, *, as_of, month):
        summary = budget_summary(department_year=department_year, as_of=as_of)
        evaluations = evaluations_for(summary=summary, month=month)
        unit_row = next(row for row in summary.by_unit if row.id == self.unit.id)
        items = [item for item in summary.by_item if item.unit_id == self.unit.id]
        return ScopeFigures(
            totals=unit_row.figures,
            evaluation=None,
            by_source=summary_by_source(summary, (item.id for item in items)),
            by_category=_by_category([(item.category, item.figures) for item in items]),
            indicators=_item_indicator_rows(items, evaluations, month=month),
            rate_bars=[
                (
                    item.name,
                    item.figures.execution_rate,
                    _url("projects:detail", department_year, month, item_code=item.code),
                    plan_status(item.figures),
                )
                for item in items
            ],
            linear_full_years=_linear_full_years(items),
            items=items,
            evaluation_url=evaluation_url(department_year),
        )


class ItemScope(DashboardScope):
    """An item: its row of the same computation (item_sums, which budget_summary is built on)
    and the score of its own indicators. No bars of children, no lagging list."""

    level = "item"

    def __init__(self, item: BudgetItem):
        self.item = item
        self.narrowing = {"item_id": item.id}
        self.previous = {"item_code": item.code}

    def figures(self, department_year, *, as_of, month):
        item = self.item
        # the same sums budget_summary computes for its items, plan, forecast and funding sources included (one query)
        sums = item_sums(as_of=as_of, month=month, item_id=item.pk)
        found = sums.by_item.get(item.pk) or ItemSums(figures=Figures())
        figures = found.figures
        plan_figures(figures, month=month, planned_to=found.planned_to, planned_total=found.planned_total)
        scored = item_evaluation(item=item, execution_rate=figures.execution_rate, month=month)
        return ScopeFigures(
            totals=figures,
            evaluation=_shown(scored.evaluation, month),
            score_pending=scored.evaluation is not None and not is_scored(month),
            by_source=sums.by_source,
            by_category=_by_category([(item.category, figures)]),
            indicators=_indicator_rows(scored.indicators, scored.evaluation, {item.id: item.name}, month=month),
            rate_bars=None,
            linear_full_years=[figures.full_year] if found.planned_total is None else [],
            # an item without indicators has no 项目支出绩效自评表 (its address answers 404): no link
            evaluation_url=evaluation_url(department_year, item_code=item.code) if scored.indicators else "",
        )


def _linear_full_years(items: list[ItemRow]) -> list[Decimal]:
    return [item.figures.full_year for item in items if not item.planned]


def _plan_chart(month: int, totals: Figures, cumulative, plan: list[Decimal]) -> charts.PlanChart:
    return charts.plan_chart(
        plan=plan,
        spent=[spent for _, spent, _ in cumulative],
        full_year=totals.full_year,
        through_month=month,
        labels={"plan": _("累计计划"), "spent": _("累计执行数"), "progress": _("序时进度")},
    )


def dashboard_for(
    *, department_year: DepartmentYear, month: int, unit: BudgetUnit | None = None, item: BudgetItem | None = None
) -> Dashboard:
    """The dashboard of the department-year, or of one of its units or items, as of the end of
    `month`: the scope's figures, score and indicators, its spending by month and class, and
    the same scope a year before."""
    scope = ItemScope(item) if item is not None else UnitScope(unit) if unit is not None else DepartmentScope()
    as_of = month_end(department_year.year, month)
    progress = time_progress(month)
    part = scope.figures(department_year, as_of=as_of, month=month)
    cumulative, line_chart, by_class, class_chart = _charts_common(
        month, part.totals, monthly_spending_by_class(department_year=department_year, **scope.narrowing)
    )
    return Dashboard(
        level=scope.level,
        department_year=department_year,
        month=month,
        as_of=as_of,
        progress=progress,
        totals=part.totals,
        status=plan_status(part.totals),
        evaluation=part.evaluation,
        previous=year_figures(
            department_id=department_year.department_id,
            year=department_year.year - 1,
            as_of=month_end(department_year.year - 1, month),
            **scope.previous,
        ),
        rate_chart=None
        if part.rate_bars is None
        else charts.rate_bars(part.rate_bars, progress=progress, lag_of=lambda rate: ""),
        line_chart=line_chart,
        plan_chart=_plan_chart(
            month,
            part.totals,
            cumulative,
            cumulative_plan(monthly_plan(department_year=department_year, **scope.narrowing), part.linear_full_years),
        ),
        class_chart=class_chart,
        composition_chart=_composition(part.by_source, part.by_category),
        by_class=by_class,
        by_source=part.by_source,
        by_category=part.by_category,
        cumulative=cumulative,
        lagging=_lagging(part.items, department_year, month),
        indicators=part.indicators,
        units=part.units,
        items=part.items,
        evaluation_url=part.evaluation_url,
        score_pending=part.score_pending,
    )


def cached_dashboard(
    *, department_year: DepartmentYear, version: str, month: int, unit: BudgetUnit | None = None, item: BudgetItem | None = None
) -> Dashboard:
    """dashboard_for, cached under the department-year's ledger `version` (units.access reads it
    with the department-year, before anything is built), the month, the language and the unit or
    item. The figures are the same for every viewer who may open the scope."""
    key = cache_key(
        "dashboard",
        department_year_id=department_year.pk,
        version=version,
        month=month,
        viewer="any",
        unit=unit.pk if unit is not None else "",
        item=item.pk if item is not None else "",
    )
    return cached(key, lambda: dashboard_for(department_year=department_year, month=month, unit=unit, item=item))
