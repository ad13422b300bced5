"""共性指标, the common department indicators the 部门整体支出绩效自评表 shows for reference
beside the score (not scored), computed from the ledger."""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import DecimalField, OuterRef, Subquery, Sum
from django.db.models.functions import Coalesce

from fundmgr.lib.money import ZERO, ratio
from projects.arithmetic import unspent
from projects.models import BudgetItem, Expenditure
from projects.selectors import BudgetSummary
from units.models import BudgetUnit, DepartmentYear

MONEY_FIELD = DecimalField(max_digits=18, decimal_places=2)

# DOMAIN.md section 6: 因公出国（境）费用, 公务接待费, 公务用车运行维护费, 公务用车购置.
THREE_PUBLIC_CODES = ("30212", "30217", "30231", "31013")


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
    """The common department indicators of the 自评表, from the budget summary:

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
        unspent=unspent(full_year=totals.full_year, spent=totals.spent),
        full_year=totals.full_year,
        carryover_balance_rate=ratio(unspent(full_year=totals.full_year, spent=totals.spent), totals.full_year),
        running_spent=running.spent,
        running_budget=running.full_year,
        running_cost_control_rate=ratio(running.spent, running.full_year),
        three_public_spent=years.get(department_year.year, ZERO),
        three_public_previous=years.get(previous_year) if previous_year else None,
        previous_year=previous_year,
    )
