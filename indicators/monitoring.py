"""绩效运行监控 ("双监控"): execution at the end of June against the spending plan, beside each
indicator's mid-year value against its target (DOMAIN.md sections 2, 3.7 and 8).

A scope lags by its plan execution rate at the end of June (section 8: spent ÷ plan to date, the
thresholds of 序时进度); an item without a plan has the linear plan full-year × 6 ÷ 12, and the
department its own rate over the sum of its items' plans, as the dashboards (fundmgr.dashboards.builder)."""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from indicators.models import Indicator
from indicators.scoring import Flag, IndicatorScore
from indicators.selectors import MIDYEAR_MONTH, evaluations_for
from projects.arithmetic import month_end, time_progress
from projects.selectors import Figures, budget_summary
from units.models import DepartmentYear

MONITORING_MONTH = MIDYEAR_MONTH


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
    def midyear_flag(self) -> Flag | None:
        """The mid-year flag of section 3.7, when the scoring rules raised it."""
        return Flag.MIDYEAR_BEHIND if Flag.MIDYEAR_BEHIND in self.score.flags else None


@dataclass
class MonitoringScope:
    """The department or one item: its execution at the end of June and its indicators."""

    code: str
    name: str
    figures: Figures
    lag: str  # plan_lag(): "", "yellow" or "red"
    rows: list[MonitoringRow] = field(default_factory=list)

    @property
    def behind(self) -> bool:
        return bool(self.lag) or any(row.midyear_flag for row in self.rows)


@dataclass
class Monitoring:
    as_of: date
    progress: Decimal
    department: MonitoringScope
    items: list[MonitoringScope]


def plan_lag(figures: Figures) -> str:
    """A scope's lag colour from its plan execution rate (projects.arithmetic.plan_lag, section 8), "" on plan."""
    status = figures.plan_lag
    return "" if status == "ok" else status


def monitoring_for(*, department_year: DepartmentYear) -> Monitoring:
    """绩效运行监控 at the end of June: each scope's plan execution rate as of 30 June (section 8,
    with section 2's lag thresholds), beside each indicator's mid-year value against
    its target (section 3.7's mid-year flag). The department and every item with indicators.
    The summary's five queries plus the indicators'."""
    as_of = month_end(department_year.year, MONITORING_MONTH)
    progress = time_progress(MONITORING_MONTH)
    summary = budget_summary(department_year=department_year, as_of=as_of)
    # the values known at the end of June: the mid-year flag, never one from a year-end value
    evaluations = evaluations_for(summary=summary, month=MONITORING_MONTH)
    department = MonitoringScope(
        code=department_year.department.code,
        name=department_year.department.name,
        figures=summary.totals,
        lag=plan_lag(summary.totals),
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
                lag=plan_lag(item.figures),
                rows=[
                    MonitoringRow(indicator=indicator, score=score)
                    for indicator, score in zip(evaluations.item_indicators[item.id], evaluations.by_item[item.id].indicators)
                ],
            )
        )
    return Monitoring(as_of=as_of, progress=progress, department=department, items=items)
