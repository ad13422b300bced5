"""用款计划 (DOMAIN.md section 8): projects.services.plan_set and the plan figures of
projects.selectors.budget_summary (plan to date, plan execution rate, lag, forecast)."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from projects import services
from projects.models import BudgetLine, SpendingPlan
from projects.selectors import budget_summary, budget_summary_at_month, plan_month
from tests.builders import BudgetItemFactory, BudgetLineFactory, ExpenditureFactory, UserFactory
from tests.projects.budget_year import small_department

pytestmark = pytest.mark.django_db

A1_PLAN = {1: "100.00", 2: "100.00", 3: "200.00", 4: "200.00", **{month: "75.00" for month in range(5, 13)}}  # 1,200.00


@pytest.fixture
def department():
    return small_department()


@pytest.fixture
def clerk():
    return UserFactory(username="planner")


def plan_of(item) -> dict[int, Decimal]:
    return dict(SpendingPlan.objects.filter(item=item).values_list("month", "amount"))


def amounts(plan: dict) -> dict[int, Decimal]:
    return {month: Decimal(amount) for month, amount in plan.items()}


def test_a_plan_is_stored_by_month_and_replaced_as_a_whole(department, clerk):
    services.plan_set(item=department["A1"], amounts=amounts(A1_PLAN), user=clerk)
    assert plan_of(department["A1"]) == amounts(A1_PLAN)
    services.plan_set(item=department["A1"], amounts={6: Decimal("600.00"), 12: Decimal("600.00")}, user=clerk)
    assert plan_of(department["A1"]) == {6: Decimal("600.00"), 12: Decimal("600.00")}
    assert SpendingPlan.history.filter(item_id=department["A1"].pk, history_type="-").count() == 10
    assert set(SpendingPlan.history.values_list("history_user__username", flat=True)) == {"planner"}


def test_a_plan_may_total_exactly_the_full_year_budget_including_later_additions(department, clerk):
    BudgetLineFactory(item=department["A2"], kind=BudgetLine.Kind.ADDITION, amount=Decimal("120.00"), date=date(2024, 11, 1))
    services.plan_set(item=department["A2"], amounts=[(month, Decimal("60.00")) for month in range(1, 13)], user=clerk)
    assert sum(plan_of(department["A2"]).values()) == Decimal("720.00")


def test_a_plan_over_the_full_year_budget_is_refused_naming_the_item_the_total_and_the_budget(department, clerk):
    services.plan_set(item=department["A1"], amounts={1: Decimal("100.00")}, user=clerk)
    with pytest.raises(ValidationError) as refused:
        services.plan_set(item=department["A1"], amounts={1: Decimal("600.00"), 7: Decimal("600.01")}, user=clerk)
    assert refused.value.messages == ["项目A1的用款计划合计 1,200.01 元，超过全年预算 1,200.00 元"]
    assert plan_of(department["A1"]) == {1: Decimal("100.00")}


@pytest.mark.parametrize("month", [13, 0, -1])
def test_a_month_outside_the_year_is_refused(department, clerk, month):
    with pytest.raises(ValidationError) as refused:
        services.plan_set(item=department["A1"], amounts={1: Decimal("1.00"), month: Decimal("1.00")}, user=clerk)
    assert refused.value.messages == [f"月份须为1至12：{month}"]
    assert not SpendingPlan.objects.exists()


def test_a_month_given_twice_is_refused(department, clerk):
    with pytest.raises(ValidationError) as refused:
        services.plan_set(
            item=department["A1"], amounts=[(3, Decimal("10.00")), (4, Decimal("10.00")), (3, Decimal("20.00"))], user=clerk
        )
    assert refused.value.messages == ["3月的计划重复填写"]
    assert not SpendingPlan.objects.exists()


def test_a_negative_amount_is_refused(department, clerk):
    with pytest.raises(ValidationError) as refused:
        services.plan_set(item=department["A1"], amounts={5: Decimal("-0.01")}, user=clerk)
    assert refused.value.messages == ["5月的计划金额不能为负数"]
    assert not SpendingPlan.objects.exists()


def test_the_database_holds_the_plans_invariants(department):
    item = department["A1"]
    SpendingPlan.objects.create(item=item, month=1, amount=Decimal("1.00"))
    for bad in (
        {"month": 13, "amount": Decimal("1.00")},
        {"month": 0, "amount": Decimal("1.00")},
        {"month": 2, "amount": Decimal("-1.00")},
        {"month": 1, "amount": Decimal("2.00")},  # a second row for January
    ):
        with pytest.raises(ValidationError):
            SpendingPlan(item=item, **bad).full_clean()
        with pytest.raises(IntegrityError), transaction.atomic():
            SpendingPlan.objects.create(item=item, **bad)
    assert plan_of(item) == {1: Decimal("1.00")}


def test_plan_figures_at_the_end_of_april_to_the_cent(department, clerk):
    services.plan_set(item=department["A1"], amounts=amounts(A1_PLAN), user=clerk)
    services.plan_set(item=department["B2"], amounts={6: Decimal("450.00"), 12: Decimal("450.00")}, user=clerk)
    summary = budget_summary_at_month(department_year=department.department_year, month=4)
    rows = {row.code: row for row in summary.by_item}
    # A1 planned: 100 + 100 + 200 + 200 to date, 8 × 75.00 after; spent 300.00
    assert rows["A1"].planned
    assert rows["A1"].figures.plan_to_date == Decimal("600.00")
    assert rows["A1"].figures.plan_execution_rate == Decimal("0.5")
    assert rows["A1"].figures.plan_lag == "red"
    assert rows["A1"].figures.forecast == Decimal("900.00")
    assert rows["A1"].figures.forecast_rate == Decimal("0.75")
    # A2 without plan: 600.00 × 4 ÷ 12, spent 100.00, forecast 100.00 + 600.00 × 8 ÷ 12
    assert not rows["A2"].planned
    assert (rows["A2"].figures.plan_to_date, rows["A2"].figures.forecast) == (Decimal("200.00"), Decimal("500.00"))
    # B1 without plan, nothing spent by April: 2,400.00 × 4 ÷ 12; forecast 2,400.00 × 8 ÷ 12
    assert (rows["B1"].figures.plan_to_date, rows["B1"].figures.forecast) == (Decimal("800.00"), Decimal("1600.00"))
    assert rows["B1"].figures.plan_lag == "red"
    # B2 planned from June: nothing planned to date, so no rate and no lag
    assert rows["B2"].figures.plan_to_date == Decimal("0.00")
    assert rows["B2"].figures.plan_execution_rate is None
    assert rows["B2"].figures.plan_lag == "ok"
    assert rows["B2"].figures.forecast == Decimal("900.00")
    units = {unit.code: unit.figures for unit in summary.by_unit}
    assert (units["A"].plan_to_date, units["A"].spent, units["A"].forecast) == (
        Decimal("800.00"),
        Decimal("400.00"),
        Decimal("1400.00"),
    )
    assert (units["B"].plan_to_date, units["B"].spent, units["B"].forecast) == (
        Decimal("800.00"),
        Decimal("0.00"),
        Decimal("2500.00"),
    )
    totals = summary.totals
    assert (totals.plan_to_date, totals.forecast, totals.full_year) == (
        Decimal("1600.00"),
        Decimal("3900.00"),
        Decimal("5100.00"),
    )
    assert totals.plan_execution_rate == Decimal("0.25")
    assert summary.month == 4


def test_an_item_without_plan_follows_m_twelfths_of_its_full_year_budget_as_of_m(department):
    BudgetLineFactory(item=department["A2"], kind=BudgetLine.Kind.ADDITION, amount=Decimal("120.00"), date=date(2024, 8, 1))
    a2 = {
        month: next(
            row
            for row in budget_summary_at_month(department_year=department.department_year, month=month).by_item
            if row.code == "A2"
        ).figures
        for month in (4, 9)
    }
    assert a2[4].plan_to_date == Decimal("200.00")  # 600.00 × 4 ÷ 12
    assert a2[9].plan_to_date == Decimal("540.00")  # 720.00 × 9 ÷ 12
    assert a2[9].forecast == Decimal("280.00")  # 100.00 spent + 720.00 × 3 ÷ 12


def test_without_a_month_the_plan_is_the_whole_year_and_the_forecast_what_was_spent(department, clerk):
    services.plan_set(item=department["A1"], amounts=amounts(A1_PLAN), user=clerk)
    rows = {row.code: row.figures for row in budget_summary(department_year=department.department_year).by_item}
    assert (rows["A1"].plan_to_date, rows["A1"].forecast) == (Decimal("1200.00"), Decimal("300.00"))
    assert (rows["B1"].plan_to_date, rows["B1"].forecast) == (Decimal("2400.00"), Decimal("1000.00"))


def test_the_forecast_is_capped_at_the_full_year_budget_as_of_the_month(department, clerk):
    services.plan_set(item=department["A1"], amounts=amounts(A1_PLAN), user=clerk)
    ExpenditureFactory(item=department["A1"], amount=Decimal("500.00"), date=date(2024, 6, 10))
    ExpenditureFactory(item=department["A2"], amount=Decimal("400.00"), date=date(2024, 6, 1))
    rows = {row.code: row.figures for row in budget_summary_at_month(department_year=department.department_year, month=6).by_item}
    assert rows["A1"].forecast == Decimal("1200.00")  # 800.00 spent + 6 × 75.00 planned = 1,250.00
    assert rows["A2"].forecast == Decimal("600.00")  # 500.00 spent + 600.00 × 6 ÷ 12 = 800.00
    assert rows["A1"].forecast_rate == Decimal(1)


@pytest.mark.parametrize(("spent", "lag"), [("800.00", "ok"), ("799.99", "yellow"), ("600.00", "yellow"), ("599.99", "red")])
def test_an_items_lag_follows_its_plan_rate_at_each_threshold(department, clerk, settings, spent, lag):
    settings.LAG_YELLOW, settings.LAG_RED = Decimal("0.80"), Decimal("0.60")
    item = department["A1"]  # 1,200.00; 300.00 spent on 15 March
    services.plan_set(item=item, amounts={3: Decimal("1000.00")}, user=clerk)
    ExpenditureFactory(item=item, amount=Decimal(spent) - Decimal("300.00"), date=date(2024, 3, 20))
    summary = budget_summary_at_month(department_year=department.department_year, month=3)
    figures = next(row for row in summary.by_item if row.code == "A1").figures
    assert (figures.plan_to_date, figures.spent) == (Decimal("1000.00"), Decimal(spent))
    assert figures.plan_lag == lag


def test_the_plan_figures_cost_no_query_more(department, clerk, django_assert_num_queries):
    services.plan_set(item=department["A1"], amounts=amounts(A1_PLAN), user=clerk)
    # units, items, their figures with their plan sums and the budget by source
    with django_assert_num_queries(3):
        budget_summary_at_month(department_year=department.department_year, month=4)
    more = small_department(code="BZ")
    extra = [BudgetItemFactory(department_year=more.department_year, unit=more["A1"].unit, code=f"X{n}") for n in range(6)]
    for item in [more["A2"], more["B1"], *extra]:
        BudgetLineFactory(item=item, amount=Decimal("120.00"))
        services.plan_set(item=item, amounts={month: Decimal("10.00") for month in range(1, 13)}, user=clerk)
    with django_assert_num_queries(3):
        budget_summary_at_month(department_year=more.department_year, month=4)


def test_the_plan_month_is_the_month_of_the_as_of_date_within_the_year(department):
    dy = department.department_year
    assert [
        plan_month(department_year=dy, as_of=on) for on in (None, date(2024, 4, 15), date(2025, 2, 1), date(2023, 12, 31))
    ] == [12, 4, 12, 0]
    rows = {row.code: row.figures for row in budget_summary(department_year=dy, as_of=date(2023, 12, 31)).by_item}
    assert (rows["A1"].plan_to_date, rows["A1"].forecast) == (Decimal("0.00"), Decimal("0.00"))  # nothing dated yet
