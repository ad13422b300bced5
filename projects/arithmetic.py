"""The budget arithmetic of DOMAIN.md section 2, in one place.

Which rule of section 2 each function applies:
- "Full-year budget of any scope = Σ initial + Σ addition − Σ reduction + Σ carryover", which
  section 8 extends with transfers to "+ Σ transfer_in − Σ transfer_out": `full_year_budget` over
  a scope's sums by kind, `signed_amount` over one line (a reduction and a transfer_out count
  negative) and `signed_amount_sql`, the same as a database expression for Sum(). A transfer
  (预算调剂) is a transfer_out line on its source item and a transfer_in line on its target, so
  every sum of lines by kind or by sign, over any scope, counts it with no special case: a
  department's in equals its out and its total does not move;
- "Execution rate = spent ÷ full-year budget, undefined when the budget is 0, carryover in the
  denominator": `execution_rate` (rounding for display is fundmgr.lib.money.percent's);
- "At the end of month m, 序时进度 = m/12": `time_progress`, and `month_end`, the day whose
  figures that progress is compared with;
- "A scope lags when execution rate ÷ 序时进度 < 80 %, and is red when it is < 60 %; both
  thresholds are settings": `pace` (the ratio) and `lag_status` (settings.LAG_YELLOW, LAG_RED);
- the unspent balance, full-year − spent (shown as 未执行, and what closing the year carries
  over or lets lapse, section 8): `unspent`;
- section 8's spending plan (用款计划) and forecast: `plan_to_date` (the plan of months 1..m, or
  the linear full-year × m ÷ 12 without a plan), `plan_execution_rate`, `plan_lag` (the lag
  thresholds of 序时进度 applied to the plan rate), `forecast` (spent + the rest of the plan,
  at most the full-year budget) and `forecast_rate`.

Availability control, the remaining rule of section 2, replays an item's ledger in date order
and lives in projects.availability.

Every selector, page, export and the JSON summary computes these figures here; nothing else
writes the reduction sign or the lag thresholds. Pure functions over Decimals, plus the one
SQL expression of a line's signed amount for the aggregates. This module imports no model
(projects.models delegates to it), so the kind is named by its code.
"""

import calendar
from collections.abc import Sequence
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.db.models import Case, F, When

from fundmgr.lib.money import ZERO, ratio, round_half_up

TWELVE = Decimal("12")
ONE = Decimal(1)
REDUCTION = "reduction"  # projects.models.BudgetLine.Kind.REDUCTION
TRANSFER_OUT = "transfer_out"  # projects.models.BudgetLine.Kind.TRANSFER_OUT (调出, section 8)
NEGATIVE_KINDS = (REDUCTION, TRANSFER_OUT)  # the kinds that lower the budget; every other kind raises it


def signed_amount(*, kind: str, amount: Decimal) -> Decimal:
    """What one budget line adds to the full-year budget: a reduction and a transfer_out subtract
    (sections 2 and 8, full-year budget)."""
    return -amount if kind in NEGATIVE_KINDS else amount


def signed_amount_sql(amount: str = "amount", kind: str = "kind") -> Case:
    """signed_amount() as a database expression over budget lines, to Sum() (sections 2 and 8, full-year budget)."""
    return Case(When(**{f"{kind}__in": NEGATIVE_KINDS}, then=-F(amount)), default=F(amount))


def full_year_budget(
    *,
    initial: Decimal,
    addition: Decimal,
    reduction: Decimal,
    carryover: Decimal,
    transfer_in: Decimal = ZERO,
    transfer_out: Decimal = ZERO,
) -> Decimal:
    """全年预算数 = initial + addition − reduction + carryover + transfer_in − transfer_out
    (section 2, full-year budget, with section 8's transfers)."""
    return initial + addition - reduction + carryover + transfer_in - transfer_out


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


# --- section 8: the spending plan (用款计划) and the forecast (预计全年执行数) ---


def _in_cents(amount: Decimal) -> int | None:
    """The amount in whole cents, or None when it is finer than a cent (no ledger sum is)."""
    scaled = amount.scaleb(2)
    cents = int(scaled)
    return cents if scaled == cents else None


def _share_in_cents(cents: int, months: int) -> int:
    """cents × months ÷ 12, rounded half up: a tie goes away from zero, as ROUND_HALF_UP does."""
    share, rest = divmod(abs(cents) * months, 12)
    share += 2 * rest >= 12
    return share if cents >= 0 else -share


def linear_share(full_year: Decimal, months: int) -> Decimal:
    """full-year × months ÷ 12, rounded half up to cents: an item without a plan is planned to
    spend its budget evenly over the year (section 8, plan to date and forecast). Worked in whole
    cents, as integers (the province view asks it twice for each of a year's thousands of items)."""
    cents = _in_cents(full_year)
    if cents is None:
        return round_half_up(full_year * Decimal(months) / TWELVE)
    return Decimal(_share_in_cents(cents, months)).scaleb(-2)


def linear_shares_by_month(full_years: Sequence[Decimal]) -> list[Decimal]:
    """Σ linear_share(full_year, m) over `full_years` for m = 1..12: the linear plan to date of
    several unplanned items, each share rounded half up to cents as linear_share rounds it (a
    dashboard adds it up for every unplanned item and month)."""
    cents = [_in_cents(full_year) for full_year in full_years]
    if None in cents:
        return [sum((linear_share(amount, month) for amount in full_years), ZERO) for month in range(1, 13)]
    return [Decimal(sum(_share_in_cents(amount, month) for amount in cents)).scaleb(-2) for month in range(1, 13)]


def plan_to_date(*, month: int, full_year: Decimal, planned: Decimal | None) -> Decimal:
    """计划进度数 at the end of month m (section 8): `planned`, the item's plan for months 1..m,
    or, for an item with no plan rows (`planned` None), full-year (as of m) × m ÷ 12."""
    return linear_share(full_year, month) if planned is None else planned


def plan_execution_rate(spent: Decimal, plan: Decimal) -> Decimal | None:
    """计划执行率 = spent to date ÷ plan to date, unrounded; None when the plan to date is 0 (section 8)."""
    return ratio(spent, plan)


def plan_lag(rate: Decimal | None) -> str:
    """"red" / "yellow" / "ok" from the plan execution rate (section 8): the thresholds and the
    settings of 序时进度 (lag_status), the plan rate standing where the pace stands. The
    unrounded rate is compared, as for 序时进度: exactly 80 % is not under 80 %. An item without
    a plan to date does not lag."""
    return lag_status(rate, ONE) or "ok"


def forecast(*, month: int, full_year: Decimal, spent: Decimal, planned_after: Decimal | None) -> Decimal:
    """预计全年执行数 at month m (section 8): spent to date + the plan of months m+1..12 (`planned_after`),
    or, for an item with no plan rows (None), + full-year × (12 − m) ÷ 12; at most the full-year budget."""
    rest = linear_share(full_year, 12 - month) if planned_after is None else planned_after
    return min(spent + rest, full_year)


def forecast_rate(forecast: Decimal, full_year: Decimal) -> Decimal | None:
    """预计执行率 = forecast ÷ full-year budget, unrounded; None on a zero budget (section 8)."""
    return ratio(forecast, full_year)
