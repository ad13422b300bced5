"""The budget arithmetic of DOMAIN.md section 2 through the summary selector."""

from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from fundmgr.lib.money import percent, round_half_up
from projects.arithmetic import execution_rate, full_year_budget
from projects.models import BudgetLine, Expenditure
from projects.selectors import budget_summary, spending_by_class, year_figures
from tests.builders import BudgetItemFactory, BudgetLineFactory, ExpenditureFactory, economic_class, ledger


def test_full_year_budget_adds_initial_addition_and_carryover_and_subtracts_reduction():
    assert full_year_budget(
        initial=Decimal("100.00"), addition=Decimal("20.50"), reduction=Decimal("10.25"), carryover=Decimal("5.00")
    ) == Decimal("115.25")


def test_execution_rate_is_rounded_half_up_to_two_decimals_when_shown():
    assert percent(execution_rate(Decimal("958.685"), Decimal("1000"))) == Decimal("95.87")
    assert percent(execution_rate(Decimal("958.675"), Decimal("1000"))) == Decimal("95.87")
    assert percent(execution_rate(Decimal("958.665"), Decimal("1000"))) == Decimal("95.87")
    assert round_half_up(Decimal("2.675")) == Decimal("2.68")
    assert round_half_up(Decimal("-2.675")) == Decimal("-2.68")


def test_execution_rate_is_undefined_on_a_zero_budget():
    assert execution_rate(Decimal("0.00"), Decimal("0.00")) is None
    assert percent(None) is None


@pytest.mark.django_db
def test_summary_computes_every_figure_to_the_cent():
    p = BudgetItemFactory(
        department_year__department__code="D1", unit__code="U1", unit__name="测试单位", code="P1", name="测试项目"
    )
    dy = p.department_year
    BudgetLineFactory(item=p, amount=Decimal("1000.00"))
    BudgetLineFactory(
        item=p, amount=Decimal("200.10"), kind=BudgetLine.Kind.ADDITION, source=BudgetLine.Source.SUPERIOR, date=date(2024, 7, 1)
    )
    BudgetLineFactory(item=p, amount=Decimal("50.05"), kind=BudgetLine.Kind.REDUCTION, date=date(2024, 9, 1))
    BudgetLineFactory(item=p, amount=Decimal("30.00"), kind=BudgetLine.Kind.CARRYOVER, source=BudgetLine.Source.OTHER)
    ExpenditureFactory(item=p, amount=Decimal("600.01"))
    ExpenditureFactory(item=p, amount=Decimal("100.00"), economic_class=economic_class("31002"))
    ExpenditureFactory(item=p, amount=Decimal("70000.00"), status=Expenditure.Status.PENDING)
    ExpenditureFactory(item=p, amount=Decimal("5.00"), status=Expenditure.Status.REJECTED)

    summary = budget_summary(department_year=dy)

    totals = summary.totals
    assert totals.full_year == Decimal("1180.05")
    assert totals.spent == Decimal("700.01")
    assert totals.pending == Decimal("70000.00")
    assert percent(totals.execution_rate) == Decimal("59.32")
    assert summary.by_source == {"superior": Decimal("200.10"), "local": Decimal("949.95"), "other": Decimal("30.00")}
    assert [(row.code, row.name, row.spent) for row in spending_by_class(department_year=dy)] == [
        ("302", "商品和服务支出", Decimal("600.01")),
        ("310", "资本性支出", Decimal("100.00")),
    ]
    assert summary.by_category["project"].full_year == Decimal("1180.05")
    assert summary.by_category["personnel"].execution_rate is None


@pytest.mark.django_db
def test_summary_as_of_leaves_out_later_lines_and_spending():
    p = BudgetItemFactory(
        department_year__department__code="D1", unit__code="U1", unit__name="测试单位", code="P1", name="测试项目"
    )
    dy = p.department_year
    BudgetLineFactory(item=p, amount=Decimal("1000.00"))
    BudgetLineFactory(item=p, amount=Decimal("500.00"), kind=BudgetLine.Kind.ADDITION, date=date(2024, 7, 1))
    ExpenditureFactory(item=p, amount=Decimal("100.00"), date=date(2024, 3, 31))
    ExpenditureFactory(item=p, amount=Decimal("200.00"), date=date(2024, 4, 1))

    summary = budget_summary(department_year=dy, as_of=date(2024, 3, 31))

    assert summary.totals.full_year == Decimal("1000.00")
    assert summary.totals.spent == Decimal("100.00")


@pytest.mark.django_db
def test_summary_runs_the_same_number_of_queries_at_two_ledger_sizes():
    small = ledger(units=1, items_per_unit=1, expenditures_per_item=1, code="S")
    large = ledger(units=4, items_per_unit=5, expenditures_per_item=30, code="L")
    counts = []
    for dy in (small, large):
        with CaptureQueriesContext(connection) as queries:
            budget_summary(department_year=dy)
        counts.append(len(queries))
    # units, items, their figures with the budget by source (item_sums)
    assert counts == [3, 3]


@pytest.mark.django_db
def test_unit_and_category_subtotals_equal_the_sum_of_their_items():
    dy = ledger(units=3, items_per_unit=2, expenditures_per_item=7)
    summary = budget_summary(department_year=dy)
    for unit_row in summary.by_unit:
        items = [row for row in summary.by_item if row.unit_id == unit_row.id]
        assert unit_row.figures.spent == sum((row.figures.spent for row in items), Decimal("0"))
        assert unit_row.figures.full_year == Decimal("2000.00")
        assert unit_row.figures.spent == Decimal("140.00")
    assert summary.totals.spent == Decimal("420.00")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("as_of", "table"),
    [
        (None, "projects_monthlyspending"),
        (date(2024, 2, 29), "projects_monthlyspending"),
        (date(2024, 3, 31), "projects_monthlyspending"),
        (date(2024, 3, 30), "projects_expenditure"),
        (date(2024, 12, 31), "projects_monthlyspending"),
    ],
)
def test_spending_as_of_a_month_end_is_read_from_the_rollup_and_equals_the_expenditures(as_of, table):
    """At a month's end (or with no as-of day) the summary reads spending from the monthly rollup,
    on any other day from the expenditures; either way each item's spent and pending are the
    sums of its expenditures dated up to that day, to the cent."""
    first = BudgetItemFactory(department_year__department__code="D1", code="P1")
    second = BudgetItemFactory(department_year=first.department_year, unit=first.unit, code="P2")
    dy = first.department_year
    BudgetLineFactory(item=first, amount=Decimal("90000.00"))
    rows = [
        (first, "0.01", date(2024, 1, 31), Expenditure.Status.APPROVED, "30201"),
        (first, "1234.56", date(2024, 2, 29), Expenditure.Status.APPROVED, "30201"),
        (first, "10.10", date(2024, 2, 29), Expenditure.Status.PENDING, "31002"),
        (first, "777.77", date(2024, 3, 30), Expenditure.Status.APPROVED, "31002"),
        (first, "5.55", date(2024, 3, 31), Expenditure.Status.REJECTED, "30201"),
        (second, "333.33", date(2024, 3, 31), Expenditure.Status.APPROVED, "30201"),
        (second, "66.67", date(2024, 3, 31), Expenditure.Status.PENDING, "30201"),
        (second, "8000.00", date(2024, 12, 31), Expenditure.Status.APPROVED, "30201"),
    ]
    for item, amount, day, status, code in rows:
        ExpenditureFactory(item=item, amount=Decimal(amount), date=day, status=status, economic_class=economic_class(code))

    with CaptureQueriesContext(connection) as queries:
        summary = budget_summary(department_year=dy, as_of=as_of)
    sums_query = next(query["sql"] for query in queries.captured_queries if "UNION ALL" in query["sql"])
    assert table in sums_query and ({"projects_monthlyspending", "projects_expenditure"} - {table}).pop() not in sums_query

    def expected(item, status):
        return sum(
            (Decimal(amount) for owner, amount, day, state, _ in rows if owner == item and state == status and (as_of is None or day <= as_of)),
            Decimal("0.00"),
        )

    by_code = {row.code: row.figures for row in summary.by_item}
    for item in (first, second):
        assert by_code[item.code].spent == expected(item, Expenditure.Status.APPROVED)
        assert by_code[item.code].pending == expected(item, Expenditure.Status.PENDING)
    previous = year_figures(department_id=dy.department_id, year=dy.year, as_of=as_of)  # the same sums, a year later
    assert (previous.spent, previous.pending) == (summary.totals.spent, summary.totals.pending)
    assert previous.spent == expected(first, Expenditure.Status.APPROVED) + expected(second, Expenditure.Status.APPROVED)
