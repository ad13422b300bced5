"""省级总览: every department of a year side by side, for the province's finance bureau.

The figures of all departments are summed in SQL in one pass (projects.selectors), and
their scores come from indicators.selectors, by the rules each department's own pages use.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.urls import reverse

from indicators.scoring import Evaluation, Rating
from indicators.selectors import department_evaluations, is_scored
from projects.arithmetic import month_end
from projects.models import Expenditure
from projects.rollups import plans_by_department_year, spending_by_item
from projects.selectors import Figures, department_years_with_figures


@dataclass
class ProvinceRow:
    code: str
    name: str
    figures: Figures
    evaluation: Evaluation | None  # None without department-level indicators, and before December
    url: str  # empty when the viewer may not open the department's pages (the finance bureau)

    @property
    def execution_rate(self) -> Decimal | None:
        return self.figures.execution_rate

    @property
    def score(self) -> Decimal | None:
        return None if self.evaluation is None else self.evaluation.score

    @property
    def rating(self) -> Rating | None:
        return None if self.evaluation is None else self.evaluation.rating

    # Sort keys: an undefined rate or a missing score sorts below every real one.
    @property
    def rate_key(self) -> Decimal:
        rate = self.execution_rate
        return Decimal("-1") if rate is None else rate

    @property
    def score_key(self) -> Decimal:
        return Decimal("-1") if self.score is None else self.score


def province_rows(
    *, year: int, month: int, department_ids: list[int] | None = None, linked_ids: set[int] | None = None
) -> list[ProvinceRow]:
    """Every department-year of `year` as of the end of `month`, with the department's score.

    Five queries whatever the number of departments: spending is read once, per item, from the
    monthly rollup (projects.rollups.spending_by_item); each department's spending, plan to date
    and forecast are summed from its items' (projects.rollups.plans_by_department_year, DOMAIN.md
    section 8), so a department lags by its plan exactly as on its own dashboard; its budget lines
    are summed across departments in SQL (projects.selectors.department_years_with_figures, the
    arithmetic of budget_summary's totals); the department-level indicators of all
    of them come in one query (indicators.selectors.department_evaluations, the rules of
    evaluations_for, DOMAIN.md section 3). The score is read from year-end values: before
    December there is none to show (indicators.selectors.is_scored), and that query is not run.

    `linked_ids`: the departments whose dashboards the viewer may open (units.access.
    openable_department_ids; None: all); the others' rows carry no address.
    """
    as_of = month_end(year, month)
    spending = spending_by_item(year=year, through=as_of, department_ids=department_ids)
    plans = plans_by_department_year(year=year, month=month, spending=spending, department_ids=department_ids)
    spending_rows = [
        (department_year_id, status, amount)
        for department_year_id, figures in plans.items()
        for status, amount in ((Expenditure.Status.APPROVED, figures.spent), (Expenditure.Status.PENDING, figures.pending))
    ]
    rows = department_years_with_figures(year=year, as_of=as_of, department_ids=department_ids, spending_rows=spending_rows)
    for row in rows:
        planned = plans.get(row.id)
        if planned is not None:
            row.figures.plan_to_date, row.figures.forecast = planned.plan_to_date, planned.forecast
    evaluations = (
        department_evaluations(
            year=year, execution_rates={row.id: row.figures.execution_rate for row in rows}, department_ids=department_ids
        )
        if is_scored(month)
        else {}
    )
    result = []
    for row in rows:
        url = ""
        if linked_ids is None or row.department_id in linked_ids:
            path = reverse("department", kwargs={"department_code": row.code, "year": year})
            url = f"{path}?asof={year}-{month:02d}"
        result.append(ProvinceRow(code=row.code, name=row.name, figures=row.figures, evaluation=evaluations.get(row.id), url=url))
    return result
