"""绩效运行监控表 ("双监控", issue 16): at the end of the department-year's monitoring month (June by
default), each scope's execution and its 全年预计执行数 against its budget, beside each indicator's
value at that month and its 全年预计完成值 against its target (DOMAIN.md sections 2, 3 and 8).

Every figure comes from the ledger's one computation, projects.selectors.budget_summary_at_month
(年初预算, 全年预算 and spent as of the month's end, the plan execution rate and the forecast of
projects.arithmetic); the completion ratio of a forecast is indicators.scoring's (and, for values
written as text, indicators.targets'): nothing here is arithmetic but a comparison.

Flags (shown on the page and in the export):
- an item, or the department, whose forecast falls short of its full-year budget (the shortfall
  is full-year − forecast);
- a quantitative indicator whose forecast's completion ratio is under 100 %;
- a qualitative one (or one whose target is a date) whose 完成目标可能性 is not 确定能, or whose
  forecast, read as text, does not reach the target (a tier other than 达成, a date missed).
An indicator without a forecast is not flagged: the page says it is not filled in.
"""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.utils.translation import gettext as _

from fundmgr.lib.money import ZERO
from indicators import targets
from indicators.models import Indicator, ItemMonitoring
from indicators.scoring import ONE, Flag, IndicatorInput, IndicatorScore, completion_ratio, tier_ratio
from indicators.selectors import (
    YEAR_END_MONTH,
    department_phrases,
    evaluations_for,
    monitoring_month,
    monitoring_value,
)
from projects.arithmetic import month_end, time_progress
from projects.models import BudgetItem
from projects.selectors import Figures, budget_summary_at_month
from units.models import DepartmentYear


def cause_text(cause_label: str, text: str) -> str:
    """偏差原因 as the table writes it: the category and its text (制度保障：…), either alone, or ""."""
    if cause_label and text:
        return _("%(cause)s：%(text)s") % {"cause": cause_label, "text": text}
    return cause_label or text


def shortfall(figures: Figures) -> Decimal:
    """预算缺口: 全年预算 − 全年预计执行数 when the forecast falls short of the budget, else 0."""
    return max(figures.full_year - figures.forecast, ZERO)


@dataclass
class MonitoringRow:
    """One indicator of the table: its value at the monitoring month, its forecast and whether the
    forecast misses the target (`forecast_ratio`: the completion ratio of the forecast, None when
    it cannot be read or is not filled in)."""

    indicator: Indicator
    score: IndicatorScore
    value: Decimal | None = None  # 监控期完成值 (indicators.selectors.monitoring_value)
    forecast_ratio: Decimal | None = None
    forecast_missed: bool = False

    @property
    def midyear_progress(self) -> Decimal | None:
        """The value at the monitoring month ÷ target, for the targets that accumulate (`≥`, `=`); else None."""
        indicator = self.indicator
        if indicator.direction not in ("ge", "eq") or self.value is None or not indicator.target:
            return None
        return self.value / indicator.target

    @property
    def midyear_flag(self) -> Flag | None:
        """The mid-year flag of section 3.7, when the scoring rules raised it."""
        return Flag.MIDYEAR_BEHIND if Flag.MIDYEAR_BEHIND in self.score.flags else None

    @property
    def cause(self) -> str:
        indicator = self.indicator
        label = indicator.get_monitoring_cause_display() if indicator.monitoring_cause else ""
        return cause_text(label, indicator.monitoring_cause_text)

    @property
    def forecast_filled(self) -> bool:
        indicator = self.indicator
        return indicator.forecast is not None or bool(indicator.forecast_text) or bool(indicator.likelihood)


@dataclass
class MonitoringScope:
    """The department or one item: its figures at the monitoring month, its own monitoring entry
    (an item's ItemMonitoring, None when none is written) and its indicators."""

    code: str
    name: str
    figures: Figures
    lag: str  # plan_lag(): "", "yellow" or "red"
    rows: list[MonitoringRow] = field(default_factory=list)
    entry: ItemMonitoring | None = None
    item_id: int | None = None
    unit_id: int | None = None
    unit_name: str = ""

    @property
    def shortfall(self) -> Decimal:
        return shortfall(self.figures)

    @property
    def cause(self) -> str:
        """The item's 偏差原因 (category and text), "" without an entry."""
        entry = self.entry
        if entry is None:
            return ""
        return cause_text(entry.get_cause_display() if entry.cause else "", entry.cause_text)

    @property
    def budget_missed(self) -> bool:
        return self.shortfall > ZERO

    @property
    def flagged(self) -> bool:
        """The forecast misses the budget or some indicator's target."""
        return self.budget_missed or any(row.forecast_missed for row in self.rows)

    @property
    def behind(self) -> bool:
        return bool(self.lag) or any(row.midyear_flag for row in self.rows)


@dataclass
class Monitoring:
    department_year: DepartmentYear
    month: int
    as_of: date
    progress: Decimal
    department: MonitoringScope
    items: list[MonitoringScope]
    by_category: dict[str, Figures] = field(default_factory=dict)  # the summary's, at the monitoring month

    @property
    def flag_count(self) -> int:
        scopes = [self.department, *self.items]
        return sum(scope.budget_missed for scope in scopes) + sum(row.forecast_missed for scope in scopes for row in scope.rows)


def plan_lag(figures: Figures) -> str:
    """A scope's lag colour from its plan execution rate (projects.arithmetic.plan_lag, section 8), "" on plan."""
    status = figures.plan_lag
    return "" if status == "ok" else status


def forecast_ratio(indicator: Indicator, *, year: int, phrases: dict[str, str] | None) -> Decimal | None:
    """The completion ratio of an indicator's 全年预计完成值 against its target: section 3.3's r with
    the forecast in place of the year-end value (indicators.scoring.completion_ratio), or, when
    the target or the forecast is text (a date, a phrase), indicators.targets.completion_ratio.
    None when there is no forecast, or it cannot be compared with the target."""
    quantitative = indicator.direction != Indicator.Direction.QUALITATIVE
    if quantitative and indicator.forecast is not None and indicator.target is not None:
        return completion_ratio(
            IndicatorInput(
                code=indicator.code,
                level1=indicator.level1,
                direction=indicator.direction,
                target=indicator.target,
                actual=indicator.forecast,
            )
        )
    target = targets.parse(indicator.target_text, year=year, phrases=phrases)
    forecast = targets.parse(indicator.forecast_text, year=year, phrases=phrases)
    if forecast.kind == targets.QUALITATIVE and target.kind != targets.DATE:
        return tier_ratio(forecast.tier, None)  # 基本达成 against any target: the tier's default r
    return targets.completion_ratio(target, forecast)


def forecast_missed(indicator: Indicator, ratio: Decimal | None) -> bool:
    """Whether the forecast misses the target (the rules in this module's docstring)."""
    quantitative = indicator.direction != Indicator.Direction.QUALITATIVE and indicator.target is not None
    if quantitative:
        return ratio is not None and ratio < ONE
    unlikely = indicator.likelihood in (Indicator.Likelihood.POSSIBLE, Indicator.Likelihood.IMPOSSIBLE)
    return unlikely or (ratio is not None and ratio < ONE)


def monitored_items(department_year: DepartmentYear, item_ids_with_indicators) -> set[int]:
    """The items that get a 项目支出绩效运行监控表: every 特定目标类 item and any other item with indicators."""
    projects = BudgetItem.objects.filter(department_year=department_year, category=BudgetItem.Category.PROJECT)
    return set(projects.values_list("id", flat=True)) | set(item_ids_with_indicators)


def monitoring_for(*, department_year: DepartmentYear) -> Monitoring:
    """The 绩效运行监控表 at the end of the department-year's monitoring month: the department and
    every monitored item (monitored_items), each with its figures as of that day (section 8: plan
    execution rate and lag, forecast, shortfall), its indicators' values and forecasts with their
    flags (this module's docstring), and section 3.7's mid-year flag from the value at the month.

    Queries, whatever the size: the summary's five, the indicators and the scoring profiles
    (evaluations_for), the 特定目标类 items, the items' monitoring entries, and the department's
    qualitative phrases. Raises indicators.scoring.ScoringError on indicators that cannot be scored.
    """
    month = monitoring_month(department_year)
    summary = budget_summary_at_month(department_year=department_year, month=month)
    # the values known at the monitoring month: never a year-end value, even when it is December
    evaluations = evaluations_for(summary=summary, month=min(month, YEAR_END_MONTH - 1))
    phrases = department_phrases(department_year.department_id)
    year = department_year.year

    def rows(indicators, evaluation) -> list[MonitoringRow]:
        result = []
        for indicator, score in zip(indicators, evaluation.indicators):
            ratio = forecast_ratio(indicator, year=year, phrases=phrases)
            result.append(
                MonitoringRow(
                    indicator=indicator,
                    score=score,
                    value=monitoring_value(indicator, summary=summary),
                    forecast_ratio=ratio,
                    forecast_missed=forecast_missed(indicator, ratio),
                )
            )
        return result

    department = MonitoringScope(
        code=department_year.department.code,
        name=department_year.department.name,
        figures=summary.totals,
        lag=plan_lag(summary.totals),
    )
    if evaluations.department is not None:
        department.rows = rows(evaluations.department_indicators, evaluations.department)
    monitored = monitored_items(department_year, evaluations.by_item)
    entries = {entry.item_id: entry for entry in ItemMonitoring.objects.filter(department_year=department_year)}
    items = []
    for item in summary.by_item:
        if item.id not in monitored:
            continue
        scope = MonitoringScope(
            code=item.code,
            name=item.name,
            figures=item.figures,
            lag=plan_lag(item.figures),
            entry=entries.get(item.id),
            item_id=item.id,
            unit_id=item.unit_id,
            unit_name=item.unit_name,
        )
        if item.id in evaluations.by_item:
            scope.rows = rows(evaluations.item_indicators[item.id], evaluations.by_item[item.id])
        items.append(scope)
    return Monitoring(
        department_year=department_year,
        month=month,
        as_of=month_end(year, month),
        progress=time_progress(month),
        department=department,
        items=items,
        by_category=summary.by_category,
    )
