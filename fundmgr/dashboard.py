"""The leadership dashboards (issue 5): what a department, a unit or an item stands at, as of a month's end.

Every budget figure comes from projects.selectors.budget_summary (the one computation of
DOMAIN.md section 2) or from the narrower selectors beside it that apply the same sums to a
unit or an item; every score from indicators (section 3). This module only arranges them:
time-elapsed progress, lag colours, chart geometry (fundmgr.charts) and the year before.
"""

import calendar
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _

from fundmgr import charts
from fundmgr.rollups import monthly_spending_by_class, spending_by_department_year
from fundmgr.money import ZERO
from indicators.models import Indicator
from indicators.scoring import FLAG_MISSED, Evaluation, IndicatorScore, evaluate
from indicators.selectors import evaluations_for, indicator_input
from projects.models import BudgetItem, BudgetLine
from projects.selectors import (
    BudgetSummary,
    ClassRow,
    Figures,
    ItemRow,
    budget_by_source,
    budget_summary,
    figures_of,
    items_with_figures,
    year_figures,
)
from units.models import BudgetUnit, DepartmentYear

TWELVE = Decimal("12")


# --- time-elapsed progress and lagging: pure functions (DOMAIN.md section 2) ---


def time_progress(month: int) -> Decimal:
    """序时进度 at the end of month m: m / 12, unrounded (March -> 0.25)."""
    return Decimal(month) / TWELVE


def month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


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


def lag_status(rate: Decimal | None, progress: Decimal, *, yellow: Decimal | None = None, red: Decimal | None = None) -> str:
    """"red" when execution rate / 序时进度 < LAG_RED, "yellow" when < LAG_YELLOW, else "".

    A scope without a budget (rate undefined) does not lag; a ratio exactly at a threshold is
    not under it.
    """
    yellow = settings.LAG_YELLOW if yellow is None else yellow
    red = settings.LAG_RED if red is None else red
    if rate is None or not progress:
        return ""
    ratio = rate / progress
    if ratio < red:
        return "red"
    if ratio < yellow:
        return "yellow"
    return ""


def indicator_status(score: IndicatorScore) -> str:
    """met · behind (target missed) · flagged (far over target, or behind at mid-year) · open (no year-end value yet)."""
    if FLAG_MISSED in score.flags:
        return "behind"
    if score.flags:
        return "flagged"
    if score.ratio is None:
        return "open"
    return "met"


# --- the dashboard of one scope ---


@dataclass
class LagRow:
    item: ItemRow
    status: str
    ratio: Decimal | None
    url: str

    @property
    def remaining(self) -> Decimal:
        return self.item.figures.remaining


@dataclass
class IndicatorRow:
    indicator: Indicator
    item_name: str
    score: IndicatorScore
    status: str


@dataclass
class Dashboard:
    level: str  # department | unit | item
    department_year: DepartmentYear
    month: int
    as_of: date
    progress: Decimal
    totals: Figures
    status: str
    evaluation: Evaluation | None
    previous: Figures | None
    rate_chart: charts.BarChart | None
    line_chart: charts.LineChart
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
    evaluation_url: str = ""

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


def _lagging(items: list[ItemRow], department_year: DepartmentYear, month: int, progress: Decimal) -> list[LagRow]:
    rows = []
    for item in items:
        rate = item.figures.execution_rate
        status = lag_status(rate, progress)
        if status:
            rows.append(
                LagRow(
                    item=item,
                    status=status,
                    ratio=None if rate is None else rate / progress,
                    url=_url("projects:detail", department_year, month, item_code=item.code),
                )
            )
    rows.sort(key=lambda row: (-row.remaining, row.item.code))
    return rows


def _indicator_rows(indicators: list[Indicator], evaluation: Evaluation | None, item_names: dict[int, str]) -> list[IndicatorRow]:
    if evaluation is None:
        return []
    return [
        IndicatorRow(indicator=indicator, item_name=item_names.get(indicator.item_id, ""), score=score, status=indicator_status(score))
        for indicator, score in zip(indicators, evaluation.indicators)
    ]


def _charts_common(month: int, totals: Figures, month_class_rows) -> tuple:
    monthly, by_class = _month_and_class(month_class_rows, month=month)
    cumulative = charts.cumulative_execution(monthly, full_year=totals.full_year, through_month=month)
    line_chart = charts.execution_line(cumulative, progress_label=_("序时进度"), execution_label=_("累计执行率"))
    class_chart = charts.amount_bars([(f"{row.code} {row.name}", row.spent) for row in by_class])
    return cumulative, line_chart, by_class, class_chart


def department_dashboard(*, department_year: DepartmentYear, month: int) -> Dashboard:
    """The department's dashboard as of the end of `month`."""
    as_of = month_end(department_year.year, month)
    progress = time_progress(month)
    summary: BudgetSummary = budget_summary(department_year=department_year, as_of=as_of)
    evaluations = evaluations_for(summary=summary)
    cumulative, line_chart, by_class, class_chart = _charts_common(
        month, summary.totals, monthly_spending_by_class(department_year=department_year)
    )
    item_names = {item.id: item.name for item in summary.by_item}
    indicator_rows = _indicator_rows(evaluations.department_indicators, evaluations.department, item_names)
    # Item indicators that are met stay on the item pages; the leader sees those that need attention.
    for item in summary.by_item:
        if item.id in evaluations.by_item:
            indicator_rows += [
                row
                for row in _indicator_rows(evaluations.item_indicators[item.id], evaluations.by_item[item.id], item_names)
                if row.status in ("behind", "flagged")
            ]
    return Dashboard(
        level="department",
        department_year=department_year,
        month=month,
        as_of=as_of,
        progress=progress,
        totals=summary.totals,
        status=lag_status(summary.totals.execution_rate, progress),
        evaluation=evaluations.department,
        previous=year_figures(
            department_id=department_year.department_id, year=department_year.year - 1, as_of=month_end(department_year.year - 1, month)
        ),
        rate_chart=charts.rate_bars(
            [
                (unit.name, unit.figures.execution_rate, _url("units:detail", department_year, month, unit_code=unit.code))
                for unit in summary.by_unit
            ],
            progress=progress,
            lag_of=lambda rate: lag_status(rate, progress),
        ),
        line_chart=line_chart,
        class_chart=class_chart,
        composition_chart=_composition(summary.by_source, summary.by_category),
        by_class=by_class,
        by_source=summary.by_source,
        by_category=summary.by_category,
        cumulative=cumulative,
        lagging=_lagging(summary.by_item, department_year, month, progress),
        indicators=indicator_rows,
        units=summary.by_unit,
        items=summary.by_item,
        evaluation_url=evaluation_url(department_year),
    )


def unit_dashboard(*, department_year: DepartmentYear, unit: BudgetUnit, month: int) -> Dashboard:
    """A unit's dashboard: the department's summary narrowed to the unit's items. A unit is not
    scored on its own (DOMAIN.md section 3 scores the department and items); its items' scores show."""
    as_of = month_end(department_year.year, month)
    progress = time_progress(month)
    summary = budget_summary(department_year=department_year, as_of=as_of)
    evaluations = evaluations_for(summary=summary)
    unit_row = next(row for row in summary.by_unit if row.id == unit.id)
    items = [item for item in summary.by_item if item.unit_id == unit.id]
    by_category = {category: Figures() for category in BudgetItem.Category.values}
    for item in items:
        by_category[item.category].add(item.figures)
    by_source = budget_by_source(department_year=department_year, as_of=as_of, unit_id=unit.id)
    cumulative, line_chart, by_class, class_chart = _charts_common(
        month, unit_row.figures, monthly_spending_by_class(department_year=department_year, unit_id=unit.id)
    )
    item_names = {item.id: item.name for item in items}
    indicator_rows = []
    for item in items:
        if item.id in evaluations.by_item:
            indicator_rows += _indicator_rows(evaluations.item_indicators[item.id], evaluations.by_item[item.id], item_names)
    return Dashboard(
        level="unit",
        department_year=department_year,
        month=month,
        as_of=as_of,
        progress=progress,
        totals=unit_row.figures,
        status=lag_status(unit_row.figures.execution_rate, progress),
        evaluation=None,
        previous=year_figures(
            department_id=department_year.department_id,
            year=department_year.year - 1,
            as_of=month_end(department_year.year - 1, month),
            unit_code=unit.code,
        ),
        rate_chart=charts.rate_bars(
            [
                (item.name, item.figures.execution_rate, _url("projects:detail", department_year, month, item_code=item.code))
                for item in items
            ],
            progress=progress,
            lag_of=lambda rate: lag_status(rate, progress),
        ),
        line_chart=line_chart,
        class_chart=class_chart,
        composition_chart=_composition(by_source, by_category),
        by_class=by_class,
        by_source=by_source,
        by_category=by_category,
        cumulative=cumulative,
        lagging=_lagging(items, department_year, month, progress),
        indicators=indicator_rows,
        items=items,
        evaluation_url=evaluation_url(department_year),
    )


def item_dashboard(*, department_year: DepartmentYear, item: BudgetItem, month: int) -> Dashboard:
    """An item's dashboard. Its figures are the item row of the same computation
    (items_with_figures, which budget_summary is built on); its score uses its own indicators."""
    as_of = month_end(department_year.year, month)
    progress = time_progress(month)
    row = items_with_figures(BudgetItem.objects.filter(pk=item.pk), as_of=as_of).get()
    figures = figures_of(row)
    indicators = list(Indicator.objects.filter(item=item).order_by("position", "id"))
    evaluation = (
        evaluate(execution_rate=figures.execution_rate, indicators=[indicator_input(i) for i in indicators]) if indicators else None
    )
    by_category = {category: Figures() for category in BudgetItem.Category.values}
    by_category[item.category].add(figures)
    by_source = budget_by_source(department_year=department_year, as_of=as_of, item_id=item.id)
    cumulative, line_chart, by_class, class_chart = _charts_common(
        month, figures, monthly_spending_by_class(department_year=department_year, item_id=item.id)
    )
    return Dashboard(
        level="item",
        department_year=department_year,
        month=month,
        as_of=as_of,
        progress=progress,
        totals=figures,
        status=lag_status(figures.execution_rate, progress),
        evaluation=evaluation,
        previous=year_figures(
            department_id=department_year.department_id,
            year=department_year.year - 1,
            as_of=month_end(department_year.year - 1, month),
            item_code=item.code,
        ),
        rate_chart=None,
        line_chart=line_chart,
        class_chart=class_chart,
        composition_chart=_composition(by_source, by_category),
        by_class=by_class,
        by_source=by_source,
        by_category=by_category,
        cumulative=cumulative,
        indicators=_indicator_rows(indicators, evaluation, {item.id: item.name}),
        evaluation_url=evaluation_url(department_year, item_code=item.code),
    )


# --- the province view ---


@dataclass
class ProvinceRow:
    code: str
    name: str
    figures: Figures
    evaluation: Evaluation | None
    url: str

    @property
    def execution_rate(self) -> Decimal | None:
        return self.figures.execution_rate

    @property
    def score(self) -> Decimal | None:
        return None if self.evaluation is None else self.evaluation.score

    @property
    def rating(self) -> str:
        return "" if self.evaluation is None else self.evaluation.rating

    # Sort keys: an undefined rate or a missing score sorts below every real one.
    @property
    def rate_key(self) -> Decimal:
        rate = self.execution_rate
        return Decimal("-1") if rate is None else rate

    @property
    def score_key(self) -> Decimal:
        return Decimal("-1") if self.score is None else self.score


def province_rows(*, year: int, month: int, department_ids: list[int] | None = None) -> list[ProvinceRow]:
    """Every department-year of `year` as of the end of `month`, with the department's score.

    Four queries whatever the number of departments: the figures are summed across departments
    in SQL (projects.selectors.department_years_with_figures, the arithmetic of budget_summary's
    totals, with spending read from the monthly rollup); the department-level indicators of all
    of them come in one query and are scored with the same rules as evaluations_for (DOMAIN.md
    section 3).
    """
    from projects.selectors import department_years_with_figures

    as_of = month_end(year, month)
    rows = department_years_with_figures(
        year=year,
        as_of=as_of,
        department_ids=department_ids,
        spending_rows=spending_by_department_year(year=year, through=as_of, department_ids=department_ids),
    )
    indicators: dict[int, list[Indicator]] = {}
    department_indicators = Indicator.objects.filter(department_year__year=year, item__isnull=True)
    if department_ids is not None:
        department_indicators = department_indicators.filter(department_year__department_id__in=department_ids)
    for indicator in department_indicators.order_by("department_year", "position", "id"):
        indicators.setdefault(indicator.department_year_id, []).append(indicator)
    result = []
    for row in rows:
        evaluation = None
        if row.id in indicators:
            evaluation = evaluate(
                execution_rate=row.figures.execution_rate, indicators=[indicator_input(i) for i in indicators[row.id]]
            )
        path = reverse("department", kwargs={"department_code": row.code, "year": year})
        result.append(
            ProvinceRow(code=row.code, name=row.name, figures=row.figures, evaluation=evaluation, url=f"{path}?asof={year}-{month:02d}")
        )
    return result
