"""The budget arithmetic of DOMAIN.md section 2 (projects.arithmetic), on plain Decimals.

Only the last test touches the database: it checks that the SQL form of a line's signed
amount sums to what the Python form gives.
"""

from datetime import date
from decimal import Decimal

import pytest
from django.db.models import Sum
from hypothesis import given
from hypothesis import strategies as st

from fundmgr.lib.money import yuan
from projects.arithmetic import (
    REDUCTION,
    execution_rate,
    full_year_budget,
    lag_status,
    month_end,
    pace,
    signed_amount,
    signed_amount_sql,
    time_progress,
    unspent,
)
from projects.models import BudgetItem, BudgetLine
from units.models import BudgetUnit, Department, DepartmentYear

YELLOW, RED = Decimal("0.80"), Decimal("0.60")


def test_full_year_budget_subtracts_a_reduction_and_counts_the_carryover():
    assert full_year_budget(
        initial=Decimal("1000.00"), addition=Decimal("200.10"), reduction=Decimal("50.05"), carryover=Decimal("30.00")
    ) == Decimal("1180.05")


def test_the_reduction_code_is_the_budget_line_kind_it_stands_for():
    assert REDUCTION == BudgetLine.Kind.REDUCTION


@pytest.mark.parametrize(
    ("kind", "expected"),
    [
        (BudgetLine.Kind.INITIAL, Decimal("12.34")),
        (BudgetLine.Kind.ADDITION, Decimal("12.34")),
        (BudgetLine.Kind.REDUCTION, Decimal("-12.34")),
        (BudgetLine.Kind.CARRYOVER, Decimal("12.34")),
    ],
)
def test_only_a_reduction_lowers_the_budget(kind, expected):
    assert signed_amount(kind=kind, amount=Decimal("12.34")) == expected
    assert BudgetLine(kind=kind, amount=Decimal("12.34")).signed_amount == expected


def test_execution_rate_is_undefined_on_a_zero_budget():
    assert execution_rate(Decimal("0.00"), Decimal("0.00")) is None
    assert execution_rate(Decimal("5.00"), Decimal("0.00")) is None


def test_execution_rate_is_not_rounded_before_it_is_shown():
    assert execution_rate(Decimal("1.00"), Decimal("3.00")) == Decimal("1.00") / Decimal("3.00")
    assert execution_rate(Decimal("958.685"), Decimal("1000")) == Decimal("0.958685")


def test_unspent_is_the_full_year_budget_less_spending():
    assert unspent(full_year=Decimal("1180.05"), spent=Decimal("700.01")) == Decimal("480.04")
    assert unspent(full_year=Decimal("100.00"), spent=Decimal("120.00")) == Decimal("-20.00")


def test_time_progress_at_the_end_of_march_is_a_quarter():
    assert time_progress(3) == Decimal("0.25")
    assert time_progress(12) == Decimal("1")


def test_month_end_is_the_last_day_of_the_month():
    assert month_end(2024, 2) == date(2024, 2, 29)
    assert month_end(2023, 2) == date(2023, 2, 28)
    assert month_end(2024, 12) == date(2024, 12, 31)


def test_pace_is_the_execution_rate_over_time_progress():
    assert pace(Decimal("0.20"), Decimal("0.25")) == Decimal("0.8")
    assert pace(None, Decimal("0.25")) is None
    assert pace(Decimal("0.20"), Decimal("0")) is None


@pytest.mark.parametrize(
    ("rate", "expected"),
    [
        (Decimal("0.25"), ""),  # on time
        (Decimal("0.20"), ""),  # exactly at the yellow threshold: 0.20 / 0.25 = 0.80
        (Decimal("0.1999"), "yellow"),  # just under it
        (Decimal("0.15"), "yellow"),  # exactly at the red threshold: 0.60 is not under 0.60
        (Decimal("0.1499"), "red"),  # just under it
        (Decimal("0.01"), "red"),  # well under
        (None, ""),  # no budget: nothing can lag
    ],
)
def test_lag_status_at_and_under_each_threshold(rate, expected):
    assert lag_status(rate, time_progress(3), yellow=YELLOW, red=RED) == expected


def test_lag_status_reads_its_thresholds_from_the_settings(settings):
    settings.LAG_YELLOW, settings.LAG_RED = Decimal("0.90"), Decimal("0.50")
    progress = time_progress(6)  # 0.5
    assert lag_status(Decimal("0.45"), progress) == ""  # pace 0.90
    assert lag_status(Decimal("0.40"), progress) == "yellow"  # pace 0.80: yellow under 0.90, not red above 0.50
    assert lag_status(Decimal("0.24"), progress) == "red"  # pace 0.48


cents = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("9999999999.99"), places=2)
budget_lines = st.lists(st.tuples(st.sampled_from(BudgetLine.Kind.values), cents), max_size=30)


@given(lines=budget_lines)
def test_the_signed_amounts_of_a_scopes_lines_sum_to_its_full_year_budget(lines):
    by_kind = {kind: sum((amount for line_kind, amount in lines if line_kind == kind), Decimal("0.00")) for kind in BudgetLine.Kind.values}
    signed_total = sum((signed_amount(kind=kind, amount=amount) for kind, amount in lines), Decimal("0.00"))
    assert signed_total == full_year_budget(**by_kind)


@pytest.mark.django_db
def test_the_sql_signed_amount_sums_to_the_python_one():
    department = Department.objects.create(code="AR", name="算术部门")
    department_year = DepartmentYear.objects.create(department=department, year=2024)
    unit = BudgetUnit.objects.create(department=department, code="A", name="甲单位", kind=BudgetUnit.Kind.ADMINISTRATIVE)
    item = BudgetItem.objects.create(
        department_year=department_year, unit=unit, code="A1", name="甲项目", category=BudgetItem.Category.PROJECT
    )
    for kind, amount in [
        (BudgetLine.Kind.INITIAL, "1000.00"),
        (BudgetLine.Kind.ADDITION, "200.10"),
        (BudgetLine.Kind.REDUCTION, "50.05"),
        (BudgetLine.Kind.REDUCTION, "0.07"),
        (BudgetLine.Kind.CARRYOVER, "30.00"),
    ]:
        BudgetLine.objects.create(
            item=item, source=BudgetLine.Source.LOCAL, kind=kind, amount=Decimal(amount), date=date(2024, 3, 1)
        )

    summed = BudgetLine.objects.filter(item=item).aggregate(total=Sum(signed_amount_sql()))["total"]

    in_python = sum((line.signed_amount for line in BudgetLine.objects.filter(item=item)), Decimal("0.00"))
    assert in_python == Decimal("1179.98")
    # SQLite sums decimals in floating point; the ledger reads such sums back to the cent (yuan()).
    assert yuan(summed) == in_python
