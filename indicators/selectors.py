"""Feeds the scoring rules (indicators.scoring) from the database, DOMAIN.md section 3."""

from dataclasses import dataclass

from indicators.models import Indicator
from indicators.scoring import Evaluation, IndicatorInput, evaluate
from projects.selectors import BudgetSummary


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
