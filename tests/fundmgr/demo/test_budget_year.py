"""The seed department's budget year (DOMAIN.md section 8): the demo has a monthly 用款计划 for a
few items and one approved 预算调剂 inside 本级, and neither moves a figure the report publishes
(section 7): the department's totals, every unit's, the 99.59 (99.6) 优 evaluation."""

import json
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command

from projects.models import BudgetTransfer, SpendingPlan
from units.models import DepartmentYear

pytestmark = pytest.mark.django_db

# The report's figures per unit (万元 × 10000, section 三): 本级 holds the basic expenditure, its
# nine project lines and the two carried-over items; the cadre school's cancelled item is 0.
# These are the sums of tests/fundmgr/demo/test_seed.py's REPORT_ITEMS per unit, before any transfer.
REPORT_UNITS = {
    "XJWF001": ("88428800.00", "84559400.00"),
    "XJWF002": ("510000.00", "510000.00"),
    "XJWF003": ("1900000.00", "1899900.00"),
    "XJWF004": ("1120000.00", "1120000.00"),
    "XJWF005": ("750000.00", "750000.00"),
    "XJWF006": ("940000.00", "940000.00"),
}


@pytest.fixture
def demo():
    call_command("load_demo", stdout=StringIO())
    return DepartmentYear.objects.select_related("department").get(department__code="XJWF", year=2024)


def budget_summary(*args: str) -> dict:
    out = StringIO()
    call_command("budget_summary", "--department", "XJWF", "--year", "2024", *args, stdout=out)
    return json.loads(out.getvalue())


def test_the_demo_has_one_approved_transfer_inside_the_department_office(demo):
    transfer = BudgetTransfer.objects.get(department_year=demo)
    assert (transfer.from_item.code, transfer.to_item.code, transfer.amount, transfer.status) == (
        "XJWF001-XM06",
        "XJWF001-XM04",
        Decimal("30000.00"),
        "approved",
    )
    assert transfer.from_item.unit_id == transfer.to_item.unit_id
    assert sorted(transfer.lines.values_list("kind", "item__code")) == [
        ("transfer_in", "XJWF001-XM04"),
        ("transfer_out", "XJWF001-XM06"),
    ]


def test_the_demo_has_monthly_plans_for_three_items(demo):
    plans = {}
    for code, month, amount in SpendingPlan.objects.filter(item__department_year=demo).values_list(
        "item__code", "month", "amount"
    ):
        plans.setdefault(code, {})[month] = amount
    assert sorted(plans) == ["XJWF001-XM02", "XJWF001-XM06", "XJWF001-XM08"]
    assert plans["XJWF001-XM02"] == {month: Decimal("1116000.00") for month in range(3, 13)}
    assert sum(plans["XJWF001-XM06"].values()) == Decimal("9600000.00")


def test_at_the_end_of_june_one_item_is_on_plan_and_one_lags_it(demo):
    projects = {row["code"]: row for row in budget_summary("--as-of", "2024-06")["by_project"]}
    # XM02: 4 × 111.60 万 planned and spent.
    assert (projects["XJWF001-XM02"]["plan_to_date"], projects["XJWF001-XM02"]["spent"]) == ("4464000.00", "4464000.00")
    assert (projects["XJWF001-XM02"]["plan_execution_rate"], projects["XJWF001-XM02"]["lag"]) == ("100.00", "ok")
    # XM06: 4 × 150.00 万 planned; 764.13 万 spread over March-December, 4 months of it spent.
    assert (projects["XJWF001-XM06"]["plan_to_date"], projects["XJWF001-XM06"]["spent"]) == ("6000000.00", "3056520.00")
    assert (projects["XJWF001-XM06"]["plan_execution_rate"], projects["XJWF001-XM06"]["lag"]) == ("50.94", "red")
    # XM08: 4 × 28.00 万 planned, 4 × 20.076 万 spent.
    assert (projects["XJWF001-XM08"]["plan_execution_rate"], projects["XJWF001-XM08"]["lag"]) == ("71.70", "yellow")


def test_the_transfer_leaves_the_departments_totals_every_units_and_the_score_as_published(demo):
    summary = budget_summary()
    totals = summary["totals"]
    # 9364.88 万元 of line items (section 3's "about 93,648,900.00": the report's 3218.45 + 6146.44 rounds)
    assert (totals["full_year"], totals["spent"], totals["execution_rate"]) == ("93648800.00", "89779300.00", "95.87")
    assert (totals["transfer_in"], totals["transfer_out"]) == ("30000.00", "30000.00")
    assert {row["code"]: (row["full_year"], row["spent"]) for row in summary["by_unit"]} == REPORT_UNITS
    office = next(row for row in summary["by_unit"] if row["code"] == "XJWF001")
    assert (office["transfer_in"], office["transfer_out"]) == ("30000.00", "30000.00")
    evaluation = summary["evaluation"]
    assert (evaluation["execution_score"], evaluation["score"], evaluation["rating"]) == ("9.59", "99.59", "excellent")
    assert all(row["evaluation"] is None for row in summary["by_project"])  # no item is scored on its own
