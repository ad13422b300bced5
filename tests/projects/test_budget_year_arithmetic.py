"""DOMAIN.md section 8's arithmetic (projects.arithmetic), on plain Decimals: transfers in the
full-year budget, the plan to date, the plan execution rate and its lag, the forecast."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from projects.arithmetic import (
    forecast,
    forecast_rate,
    full_year_budget,
    linear_share,
    linear_shares_by_month,
    plan_execution_rate,
    plan_lag,
    plan_to_date,
    signed_amount,
)
from projects.models import BudgetLine


def test_full_year_budget_adds_transfers_in_and_subtracts_transfers_out():
    assert full_year_budget(
        initial=Decimal("1000.00"),
        addition=Decimal("200.10"),
        reduction=Decimal("50.05"),
        carryover=Decimal("30.00"),
        transfer_in=Decimal("400.00"),
        transfer_out=Decimal("120.01"),
    ) == Decimal("1460.04")


@pytest.mark.parametrize(
    ("kind", "expected"),
    [(BudgetLine.Kind.TRANSFER_OUT, Decimal("-12.34")), (BudgetLine.Kind.TRANSFER_IN, Decimal("12.34"))],
)
def test_a_transfer_out_lowers_the_budget_and_a_transfer_in_raises_it(kind, expected):
    assert signed_amount(kind=kind, amount=Decimal("12.34")) == expected
    assert BudgetLine(kind=kind, amount=Decimal("12.34")).signed_amount == expected


def test_an_item_without_a_plan_is_planned_linearly_rounded_half_up_to_cents():
    # 1000.00 × 5 ÷ 12 = 416.666…; 100.06 × 3 ÷ 12 = 25.015 → 25.02 (half up)
    assert plan_to_date(month=5, full_year=Decimal("1000.00"), planned=None) == Decimal("416.67")
    assert plan_to_date(month=3, full_year=Decimal("100.06"), planned=None) == Decimal("25.02")
    assert plan_to_date(month=12, full_year=Decimal("100.06"), planned=None) == Decimal("100.06")
    assert linear_share(Decimal("1000.00"), 0) == Decimal("0.00")


def test_an_item_with_a_plan_follows_its_plan_even_when_it_is_zero():
    assert plan_to_date(month=5, full_year=Decimal("1000.00"), planned=Decimal("300.00")) == Decimal("300.00")
    assert plan_to_date(month=5, full_year=Decimal("1000.00"), planned=Decimal("0.00")) == Decimal("0.00")


def test_plan_execution_rate_is_spent_over_plan_and_undefined_on_a_zero_plan():
    assert plan_execution_rate(Decimal("250.00"), Decimal("400.00")) == Decimal("0.625")
    assert plan_execution_rate(Decimal("250.00"), Decimal("0.00")) is None


@pytest.mark.parametrize(
    ("spent", "expected"),
    [
        ("1000.00", "ok"),
        ("800.00", "ok"),  # exactly 80 %: not under the yellow threshold
        ("799.99", "yellow"),  # just under it
        ("600.00", "yellow"),  # exactly 60 %: not under the red threshold
        ("599.99", "red"),  # just under it
        ("0.00", "red"),
    ],
)
def test_plan_lag_at_and_just_under_each_threshold(spent, expected, settings):
    settings.LAG_YELLOW, settings.LAG_RED = Decimal("0.80"), Decimal("0.60")
    assert plan_lag(plan_execution_rate(Decimal(spent), Decimal("1000.00"))) == expected


def test_plan_lag_reads_the_thresholds_of_time_progress_from_the_settings(settings):
    settings.LAG_YELLOW, settings.LAG_RED = Decimal("0.90"), Decimal("0.50")
    assert plan_lag(Decimal("0.85")) == "yellow"
    assert plan_lag(Decimal("0.50")) == "yellow"
    assert plan_lag(Decimal("0.4999")) == "red"


def test_no_plan_to_date_does_not_lag():
    assert plan_lag(None) == "ok"


def test_forecast_adds_the_rest_of_the_plan_or_the_linear_rest():
    assert forecast(month=4, full_year=Decimal("1200.00"), spent=Decimal("300.00"), planned_after=Decimal("500.00")) == Decimal(
        "800.00"
    )
    # no plan: 1000.00 × 8 ÷ 12 = 666.666… → 666.67
    assert forecast(month=4, full_year=Decimal("1000.00"), spent=Decimal("100.00"), planned_after=None) == Decimal("766.67")


def test_the_forecast_is_at_most_the_full_year_budget():
    assert forecast(month=6, full_year=Decimal("1000.00"), spent=Decimal("700.00"), planned_after=Decimal("400.00")) == Decimal(
        "1000.00"
    )
    assert forecast(month=6, full_year=Decimal("1000.00"), spent=Decimal("700.00"), planned_after=None) == Decimal("1000.00")


def test_forecast_rate_is_forecast_over_full_year_and_undefined_on_a_zero_budget():
    assert forecast_rate(Decimal("766.67"), Decimal("1000.00")) == Decimal("0.76667")
    assert forecast_rate(Decimal("0.00"), Decimal("0.00")) is None


AMOUNTS = st.decimals(min_value=Decimal("-99999999.99"), max_value=Decimal("999999999.99"), places=2)


@given(st.lists(AMOUNTS, max_size=30))
def test_the_linear_plans_of_many_items_add_up_each_items_own_rounded_share(full_years):
    """Worked in integer cents, every month's total is the sum of linear_share's per-item roundings."""
    assert linear_shares_by_month(full_years) == [
        sum((linear_share(full_year, month) for full_year in full_years), Decimal("0.00")) for month in range(1, 13)
    ]


def test_linear_shares_round_each_item_half_up_and_away_from_zero():
    # 0.06 × 1 ÷ 12 = 0.005 → 0.01 each; −0.06 → −0.01; 1,000.00 × 5 ÷ 12 = 416.666… → 416.67
    assert linear_shares_by_month([Decimal("0.06"), Decimal("0.06")])[0] == Decimal("0.02")
    assert linear_shares_by_month([Decimal("-0.06")])[0] == Decimal("-0.01")
    assert linear_shares_by_month([Decimal("1000.00")])[4] == Decimal("416.67")
    assert linear_shares_by_month([])[11] == Decimal("0.00") and str(linear_shares_by_month([])[0]) == "0.00"
    assert linear_shares_by_month([Decimal("0.001")])[5] == Decimal("0.00")  # finer than a cent: linear_share's own rounding


@given(AMOUNTS, st.integers(min_value=0, max_value=12))
def test_the_linear_share_in_cents_is_the_decimal_rounding_of_full_year_times_months_over_twelve(full_year, months):
    from fundmgr.lib.money import round_half_up

    assert linear_share(full_year, months) == round_half_up(full_year * Decimal(months) / Decimal(12))
    assert linear_share(full_year, months).as_tuple().exponent == -2
