"""The budget arithmetic of DOMAIN.md section 2, in one place.

Which rule of section 2 each function applies:
- "Full-year budget of any scope = Σ initial + Σ addition − Σ reduction + Σ carryover":
  `full_year_budget` over a scope's sums by kind, `signed_amount` over one line (a reduction
  counts negative) and `signed_amount_sql`, the same as a database expression for Sum();
- "Execution rate = spent ÷ full-year budget, undefined when the budget is 0, carryover in the
  denominator": `execution_rate` (rounding for display is fundmgr.lib.money.percent's);
- "At the end of month m, 序时进度 = m/12": `time_progress`, and `month_end`, the day whose
  figures that progress is compared with;
- "A scope lags when execution rate ÷ 序时进度 < 80 %, and is red when it is < 60 %; both
  thresholds are settings": `pace` (the ratio) and `lag_status` (settings.LAG_YELLOW, LAG_RED);
- the unspent balance, full-year − spent (shown as 未执行, and what closing the year carries
  over or lets lapse, section 8): `unspent`.

Availability control, the remaining rule of section 2, replays an item's ledger in date order
and lives in projects.availability.

Every selector, page, export and the JSON summary computes these figures here; nothing else
writes the reduction sign or the lag thresholds. Pure functions over Decimals, plus the one
SQL expression of a line's signed amount for the aggregates. This module imports no model
(projects.models delegates to it), so the kind is named by its code.
"""

import calendar
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.db.models import Case, F, When

from fundmgr.lib.money import ratio

TWELVE = Decimal("12")
REDUCTION = "reduction"  # projects.models.BudgetLine.Kind.REDUCTION: the one kind that lowers the budget


def signed_amount(*, kind: str, amount: Decimal) -> Decimal:
    """What one budget line adds to the full-year budget: a reduction subtracts (section 2, full-year budget)."""
    return -amount if kind == REDUCTION else amount


def signed_amount_sql(amount: str = "amount", kind: str = "kind") -> Case:
    """signed_amount() as a database expression over budget lines, to Sum() (section 2, full-year budget)."""
    return Case(When(**{kind: REDUCTION}, then=-F(amount)), default=F(amount))


def full_year_budget(*, initial: Decimal, addition: Decimal, reduction: Decimal, carryover: Decimal) -> Decimal:
    """全年预算数 = initial + addition − reduction + carryover (section 2, full-year budget)."""
    return initial + addition - reduction + carryover


def execution_rate(spent: Decimal, full_year: Decimal) -> Decimal | None:
    """预算执行率 = spent ÷ full-year budget, unrounded; None on a zero budget (section 2, execution rate)."""
    return ratio(spent, full_year)


def unspent(*, full_year: Decimal, spent: Decimal) -> Decimal:
    """未执行 = full-year budget − spent, the balance a closed year carries over or lets lapse (sections 2 and 8)."""
    return full_year - spent


def time_progress(month: int) -> Decimal:
    """序时进度 at the end of month m = m ÷ 12, unrounded: March is 0.25 (section 2, time-elapsed progress)."""
    return Decimal(month) / TWELVE


def month_end(year: int, month: int) -> date:
    """The last day of month m, the as-of date of figures compared with 序时进度 (section 2, time-elapsed progress)."""
    return date(year, month, calendar.monthrange(year, month)[1])


def pace(rate: Decimal | None, progress: Decimal) -> Decimal | None:
    """Execution rate ÷ 序时进度, what the lag thresholds compare; None when either is missing (section 2, lag)."""
    if rate is None or not progress:
        return None
    return rate / progress


def lag_status(rate: Decimal | None, progress: Decimal, *, yellow: Decimal | None = None, red: Decimal | None = None) -> str:
    """"red" when pace < settings.LAG_RED, "yellow" when < settings.LAG_YELLOW, else "" (section 2, lag).

    A scope without a budget (rate undefined) does not lag; a pace exactly at a threshold is
    not under it. `yellow` and `red` override the settings.
    """
    yellow = settings.LAG_YELLOW if yellow is None else yellow
    red = settings.LAG_RED if red is None else red
    ratio_to_time = pace(rate, progress)
    if ratio_to_time is None:
        return ""
    if ratio_to_time < red:
        return "red"
    if ratio_to_time < yellow:
        return "yellow"
    return ""
