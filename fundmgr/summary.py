"""The JSON summary contract (DOMAIN.md section 5), built from the one budget computation
(projects.selectors.budget_summary) and the one scoring computation (indicators.selectors)."""

from datetime import date

from fundmgr.lib.money import money_str, percent_str, round_half_up
from indicators.scoring import Evaluation
from indicators.selectors import evaluations_for
from projects.selectors import Figures, budget_summary, spending_by_class
from units.models import DepartmentYear


def evaluation_json(evaluation: Evaluation | None) -> dict | None:
    """A scope's evaluation (section 5). A draft, with year-end values still blank, has a null
    score and rating and `"status": "draft"` (section 9); a scored one carries no status key."""
    if evaluation is None:
        return None
    result = {
        "execution_score": f"{evaluation.execution_score:.2f}",
        "max": f"{evaluation.max:.2f}",
        "score": None if evaluation.score is None else f"{evaluation.score:.2f}",
        "rating": evaluation.rating,
    }
    if evaluation.draft:
        result["status"] = "draft"
    result["indicators"] = [
        {
            "code": score.code,
            "points": f"{score.points:.2f}",
            "earned": f"{round_half_up(score.earned):.2f}",
            "flags": list(score.flags),
        }
        for score in evaluation.indicators
    ]
    return result


def budget_year_json(figures: Figures) -> dict:
    """A scope's section 8 figures (transfers, plan, forecast), as the JSON writes amounts and rates."""
    return {
        "transfer_in": money_str(figures.transfer_in),
        "transfer_out": money_str(figures.transfer_out),
        "plan_to_date": money_str(figures.plan_to_date),
        "plan_execution_rate": percent_str(figures.plan_execution_rate),
        "forecast": money_str(figures.forecast),
        "forecast_rate": percent_str(figures.forecast_rate),
    }


def summary_json(*, department_year: DepartmentYear, as_of: date | None = None) -> dict:
    """The summary object of DOMAIN.md sections 5 and 8. With `as_of` (the end of a month), every
    figure counts what is dated on or before it, the plan and the forecast are taken at that month,
    and the object carries `"as_of": "YYYY-MM"`; without it, the whole year (December)."""
    summary = budget_summary(department_year=department_year, as_of=as_of)
    evaluations = evaluations_for(summary=summary)
    totals = summary.totals
    result = {
        "department": {"code": department_year.department.code, "name": department_year.department.name},
        "year": department_year.year,
    }
    if as_of is not None:
        result["as_of"] = f"{as_of.year:04d}-{as_of.month:02d}"
    return result | {
        "totals": {
            "initial": money_str(totals.initial),
            "addition": money_str(totals.addition),
            "reduction": money_str(totals.reduction),
            "carryover": money_str(totals.carryover),
            "full_year": money_str(totals.full_year),
            "spent": money_str(totals.spent),
            "pending": money_str(totals.pending),
            "execution_rate": percent_str(totals.execution_rate),
            **budget_year_json(totals),
        },
        "by_unit": [
            {
                "code": unit.code,
                "name": unit.name,
                "full_year": money_str(unit.figures.full_year),
                "spent": money_str(unit.figures.spent),
                "pending": money_str(unit.figures.pending),
                "execution_rate": percent_str(unit.figures.execution_rate),
                **budget_year_json(unit.figures),
            }
            for unit in summary.by_unit
        ],
        "by_category": [
            {
                "category": category,
                "full_year": money_str(figures.full_year),
                "spent": money_str(figures.spent),
                "execution_rate": percent_str(figures.execution_rate),
            }
            for category, figures in summary.by_category.items()
        ],
        "by_project": [
            {
                "code": item.code,
                "name": item.name,
                "unit": item.unit_code,
                "category": item.category,
                "initial": money_str(item.figures.initial),
                "addition": money_str(item.figures.addition),
                "reduction": money_str(item.figures.reduction),
                "carryover": money_str(item.figures.carryover),
                "full_year": money_str(item.figures.full_year),
                "spent": money_str(item.figures.spent),
                "pending": money_str(item.figures.pending),
                "execution_rate": percent_str(item.figures.execution_rate),
                **budget_year_json(item.figures),
                "lag": item.figures.plan_lag,
                "evaluation": evaluation_json(evaluations.by_item.get(item.id)),
            }
            for item in summary.by_item
        ],
        "by_source": [{"source": source, "full_year": money_str(amount)} for source, amount in summary.by_source.items()],
        "by_economic_class": [
            {"code": row.code, "name": row.name, "spent": money_str(row.spent)}
            for row in spending_by_class(department_year=department_year, as_of=as_of)
        ],
        "evaluation": evaluation_json(evaluations.department),
    }
