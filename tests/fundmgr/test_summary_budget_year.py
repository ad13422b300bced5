"""The summary's budget-year fields (DOMAIN.md sections 5 and 8) and `budget_summary --as-of`.

The ledger is tests/fundmgr/dashboard_support.py's with tests/fundmgr/plan_support.py's plan and
transfer (2,000.00 from B1 to A2 on 1 February); every figure below is worked out by hand:

- A1: 100,000.00; spent 10,000.00 (Feb) + 20,000.00 (Mar) + 5,000.00 (Apr); plan 10,000 / 10,000 /
  30,000 in January to March, then 5,000.00 a month (95,000.00 in all).
- A2: 50,000.00 + 10,000.00 added on 1 June + 2,000.00 transferred in = 62,000.00; spent 30,000.00
  (Jan); no plan: linear.
- B1: 40,000.00 + 5,000.00 carried over − 2,000.00 transferred out = 43,000.00; spent 4,000.00
  (Mar) + 1,000.00 (Dec); no plan: linear.
"""

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from tests.fundmgr.dashboard_support import build_ledger
from tests.fundmgr.plan_support import add_plan_and_transfer

pytestmark = pytest.mark.django_db

BUDGET_YEAR_KEYS = ("transfer_in", "transfer_out", "plan_to_date", "plan_execution_rate", "forecast", "forecast_rate")


@pytest.fixture
def department_year(db):
    year = build_ledger()
    add_plan_and_transfer(year)
    return year


def budget_summary(*args: str) -> dict:
    out = StringIO()
    call_command("budget_summary", "--department", "DSH", "--year", "2024", *args, stdout=out)
    return json.loads(out.getvalue())


def budget_year(row: dict) -> tuple:
    return tuple(row[key] for key in BUDGET_YEAR_KEYS)


def test_at_the_end_of_june_every_scope_carries_transfers_plan_and_forecast(department_year):
    summary = budget_summary("--as-of", "2024-06")
    assert summary["as_of"] == "2024-06"
    # A1: plan to June 10,000 + 10,000 + 30,000 + 3 × 5,000 = 65,000.00; 35,000 ÷ 65,000 = 53.85 % (red);
    # forecast 35,000 + 6 × 5,000 = 65,000.00 of 100,000.00.
    # A2: plan 62,000 × 6 ÷ 12 = 31,000.00; 30,000 ÷ 31,000 = 96.77 %; forecast 30,000 + 31,000 = 61,000.00 (98.39 %).
    # B1: plan 43,000 × 6 ÷ 12 = 21,500.00; 4,000 ÷ 21,500 = 18.60 % (red); forecast 4,000 + 21,500 = 25,500.00 (59.30 %).
    projects = {row["code"]: row for row in summary["by_project"]}
    assert {code: budget_year(row) + (row["lag"],) for code, row in projects.items()} == {
        "A1": ("0.00", "0.00", "65000.00", "53.85", "65000.00", "65.00", "red"),
        "A2": ("2000.00", "0.00", "31000.00", "96.77", "61000.00", "98.39", "ok"),
        "B1": ("0.00", "2000.00", "21500.00", "18.60", "25500.00", "59.30", "red"),
    }
    assert (projects["A2"]["full_year"], projects["B1"]["full_year"]) == ("62000.00", "43000.00")
    # Unit A: plan 96,000.00, spent 65,000.00 (67.71 %), forecast 126,000.00 of 162,000.00 (77.78 %).
    assert {row["code"]: budget_year(row) for row in summary["by_unit"]} == {
        "A": ("2000.00", "0.00", "96000.00", "67.71", "126000.00", "77.78"),
        "B": ("0.00", "2000.00", "21500.00", "18.60", "25500.00", "59.30"),
    }
    # The department: in equals out; plan 117,500.00, spent 69,000.00 (58.72 %), forecast 151,500.00 of 205,000.00 (73.90 %).
    assert budget_year(summary["totals"]) == ("2000.00", "2000.00", "117500.00", "58.72", "151500.00", "73.90")
    assert (summary["totals"]["full_year"], summary["totals"]["spent"]) == ("205000.00", "69000.00")


def test_for_the_whole_year_the_plan_is_complete_and_the_forecast_is_what_was_spent(department_year):
    summary = budget_summary()
    assert "as_of" not in summary
    # A1: 35,000 ÷ 95,000 = 36.84 %; A2: 30,000 ÷ 62,000 = 48.39 %; B1: 5,000 ÷ 43,000 = 11.63 %.
    assert {row["code"]: budget_year(row) + (row["lag"],) for row in summary["by_project"]} == {
        "A1": ("0.00", "0.00", "95000.00", "36.84", "35000.00", "35.00", "red"),
        "A2": ("2000.00", "0.00", "62000.00", "48.39", "30000.00", "48.39", "red"),
        "B1": ("0.00", "2000.00", "43000.00", "11.63", "5000.00", "11.63", "red"),
    }
    # Unit A: 65,000 ÷ 157,000 = 41.40 %, forecast 65,000 ÷ 162,000 = 40.12 %.
    assert {row["code"]: budget_year(row) for row in summary["by_unit"]} == {
        "A": ("2000.00", "0.00", "157000.00", "41.40", "65000.00", "40.12"),
        "B": ("0.00", "2000.00", "43000.00", "11.63", "5000.00", "11.63"),
    }
    # 70,000 ÷ 200,000 = 35.00 %; forecast 70,000 ÷ 205,000 = 34.15 %.
    assert budget_year(summary["totals"]) == ("2000.00", "2000.00", "200000.00", "35.00", "70000.00", "34.15")


def test_at_the_end_of_march_a1_is_yellow_exactly_at_the_red_line(department_year):
    """30,000 ÷ 50,000 = 60.00 %: not under 60, so yellow, not red."""
    projects = {row["code"]: row for row in budget_summary("--as-of", "2024-03")["by_project"]}
    assert (projects["A1"]["plan_to_date"], projects["A1"]["plan_execution_rate"], projects["A1"]["lag"]) == (
        "50000.00",
        "60.00",
        "yellow",
    )


def test_a_department_with_nothing_planned_yet_has_null_plan_rates(db):
    """An item whose full-year budget is 0 plans nothing: its rates are null, and it does not lag."""
    year = build_ledger(code="NUL")
    year.items.exclude(code="A1").delete()
    year.items.get().lines.all().delete()
    out = StringIO()
    call_command("budget_summary", "--department", "NUL", "--year", "2024", "--as-of", "2024-01", stdout=out)
    row = json.loads(out.getvalue())["by_project"][0]
    assert (row["plan_to_date"], row["plan_execution_rate"], row["forecast"], row["forecast_rate"], row["lag"]) == (
        "0.00",
        None,
        "0.00",
        None,
        "ok",
    )


@pytest.mark.parametrize(
    ("as_of", "message"),
    [
        ("2024-13", "--as-of 的月份须在01到12之间：2024-13"),
        ("2024-00", "--as-of 的月份须在01到12之间：2024-00"),
        ("2023-06", "--as-of 须为2024年度内的月份：2023-06"),
        ("June", "--as-of 须为 YYYY-MM 格式的年月，如 2024-06，而不是“June”"),
        ("2024-6", "--as-of 须为 YYYY-MM 格式的年月，如 2024-06，而不是“2024-6”"),
    ],
)
def test_a_bad_as_of_is_refused_with_a_message_and_exit_status_1(department_year, as_of, message):
    out = StringIO()
    with pytest.raises(CommandError) as refused:
        call_command("budget_summary", "--department", "DSH", "--year", "2024", "--as-of", as_of, stdout=out)
    assert str(refused.value) == message
    assert refused.value.returncode == 1
    assert out.getvalue() == ""
