"""The dashboard's arithmetic: 序时进度, as-of months, lag colours, and chart data that
is the summary selector's own figures."""

from datetime import date
from decimal import Decimal

import pytest

from fundmgr import charts
from fundmgr.dashboards.builder import as_of_month, dashboard_for, default_month, indicator_status
from fundmgr.lib.money import percent
from indicators.scoring import IndicatorScore
from projects.arithmetic import lag_status, month_end, time_progress
from projects.models import BudgetItem
from projects.selectors import budget_summary, department_years_with_figures, spending_by_class, year_figures
from tests.fundmgr.dashboard_support import build_ledger, ledger, plain_static_files, spend  # noqa: F401
from units.models import BudgetUnit

YELLOW, RED = Decimal("0.80"), Decimal("0.60")


# --- pure functions ---


def test_time_progress_of_march_is_25_percent():
    assert percent(time_progress(3)) == Decimal("25.00")
    assert percent(time_progress(12)) == Decimal("100.00")
    assert percent(time_progress(1)) == Decimal("8.33")


def test_month_end_knows_leap_februaries():
    assert month_end(2024, 2) == date(2024, 2, 29)
    assert month_end(2023, 2) == date(2023, 2, 28)


def test_default_month_is_this_month_or_december_for_a_closed_year():
    today = date(2025, 5, 17)
    assert default_month(2025, today) == 5
    assert default_month(2024, today) == 12
    assert default_month(2026, today) == 1


def test_asof_parameter_outside_the_year_or_malformed_falls_back_to_the_default():
    today = date(2025, 5, 17)
    assert as_of_month("2024-03", year=2024, today=today) == 3
    assert as_of_month("2023-03", year=2024, today=today) == 12
    assert as_of_month("2024-13", year=2024, today=today) == 12
    assert as_of_month("2024-3x", year=2024, today=today) == 12
    assert as_of_month(None, year=2025, today=today) == 5


@pytest.mark.parametrize(
    ("rate", "status"),
    [
        (Decimal("0.20"), ""),  # ratio 0.80 exactly: not under the yellow threshold
        (Decimal("0.1999"), "yellow"),  # ratio 0.7996
        (Decimal("0.15"), "yellow"),  # ratio 0.60 exactly: yellow, not red
        (Decimal("0.1499"), "red"),
        (Decimal("0"), "red"),
        (Decimal("0.30"), ""),
        (None, ""),  # no budget: no rate, no lag
    ],
)
def test_lag_status_at_its_boundaries_for_march(rate, status):
    assert lag_status(rate, time_progress(3), yellow=YELLOW, red=RED) == status


def test_lag_status_reads_the_thresholds_from_settings(settings):
    settings.LAG_YELLOW = Decimal("0.90")
    settings.LAG_RED = Decimal("0.50")
    assert lag_status(Decimal("0.22"), time_progress(3)) == "yellow"
    assert lag_status(Decimal("0.12"), time_progress(3)) == "red"


def test_indicator_status_tells_met_behind_flagged_and_open_apart():
    def score(ratio, flags=()):
        return IndicatorScore(code="x", level1="output", points=Decimal("10"), ratio=ratio, earned=Decimal("0"), flags=flags)

    assert indicator_status(score(Decimal("1"))) == "met"
    assert indicator_status(score(Decimal("0.8"), ("target_missed",))) == "behind"
    assert indicator_status(score(Decimal("1"), ("far_over_target",))) == "flagged"
    assert indicator_status(score(None)) == "open"


def test_rate_bars_put_the_progress_marker_where_the_rate_would_be():
    chart = charts.rate_bars([("甲", Decimal("0.25"), "/a/"), ("乙", Decimal("0.50"), "/b/")], progress=Decimal("0.25"), lag_of=lambda r: "")
    assert chart.bars[0].x + chart.bars[0].width == chart.marker_x
    assert chart.bars[1].width == 2 * chart.bars[0].width
    assert chart.bars[0].title == "甲：25.00%"
    assert chart.marker_text == "25.00%"


def test_cumulative_execution_runs_through_the_chosen_month_only():
    series = charts.cumulative_execution({1: Decimal("10.00"), 3: Decimal("5.00"), 7: Decimal("1.00")}, full_year=Decimal("100.00"), through_month=3)
    assert series == [(1, Decimal("10.00"), Decimal("0.1")), (2, Decimal("10.00"), Decimal("0.1")), (3, Decimal("15.00"), Decimal("0.15"))]


def test_composition_shares_add_up_to_the_whole_bar():
    composition = charts.composition([("来源", [("a", "x", Decimal("1.00")), ("b", "y", Decimal("3.00"))])])
    [bar] = composition.bars
    assert sum(segment.width for segment in bar.segments) == composition.plot_width
    assert [segment.share_text for segment in bar.segments] == ["25.0%", "75.0%"]


# --- against the summary selector ---


def test_expenditure_after_the_chosen_month_is_not_counted(ledger):
    march = dashboard_for(department_year=ledger, month=3)
    assert march.as_of == date(2024, 3, 31)
    assert march.totals.spent == Decimal("64000.00")  # A1's 1 April 5,000.00 and B1's December 1,000.00 are left out
    assert march.totals.full_year == Decimal("195000.00")  # A2's June addition is not there yet
    assert march.totals.pending == Decimal("60000.00")
    assert percent(march.progress) == Decimal("25.00")
    april = dashboard_for(department_year=ledger, month=4)
    assert april.totals.spent == Decimal("69000.00")


@pytest.mark.parametrize("month", range(1, 13))
def test_department_chart_data_equals_the_summary_of_the_same_month(ledger, month):
    dashboard = dashboard_for(department_year=ledger, month=month)
    summary = budget_summary(department_year=ledger, as_of=month_end(2024, month))
    assert dashboard.totals == summary.totals
    assert [bar.value_text for bar in dashboard.rate_chart.bars] == [charts.rate_text(u.figures.execution_rate) for u in summary.by_unit]
    assert [bar.label for bar in dashboard.rate_chart.bars] == [unit.name for unit in summary.by_unit]
    assert dashboard.cumulative[-1][1] == summary.totals.spent
    assert dashboard.cumulative[-1][2] == summary.totals.execution_rate
    by_class = spending_by_class(department_year=ledger, as_of=month_end(2024, month))
    assert [(row.code, row.name, row.spent) for row in dashboard.by_class] == [(row.code, row.name, row.spent) for row in by_class]
    assert [bar.value_text for bar in dashboard.class_chart.bars] == [charts.wan_text(row.spent) for row in by_class]
    assert dashboard.by_source == summary.by_source
    assert {key: figures.full_year for key, figures in dashboard.by_category.items()} == {
        key: figures.full_year for key, figures in summary.by_category.items()
    }


@pytest.mark.parametrize("month", [3, 6, 12])
def test_unit_and_item_chart_data_equal_the_summary_rows_of_the_same_month(ledger, month):
    summary = budget_summary(department_year=ledger, as_of=month_end(2024, month))
    unit = BudgetUnit.objects.get(code="A")
    dashboard = dashboard_for(department_year=ledger, month=month, unit=unit)
    [unit_row] = [row for row in summary.by_unit if row.code == "A"]
    assert dashboard.totals == unit_row.figures
    assert dashboard.cumulative[-1][1] == unit_row.figures.spent
    assert sum(row.spent for row in dashboard.by_class) == unit_row.figures.spent
    assert sum(dashboard.by_source.values()) == unit_row.figures.full_year
    item_rows = [row for row in summary.by_item if row.unit_id == unit.id]
    assert [bar.value_text for bar in dashboard.rate_chart.bars] == [charts.rate_text(r.figures.execution_rate) for r in item_rows]

    item = BudgetItem.objects.get(code="A1")
    [item_row] = [row for row in summary.by_item if row.code == "A1"]
    item_view = dashboard_for(department_year=ledger, month=month, item=item)
    assert item_view.totals == item_row.figures
    assert item_view.cumulative[-1][1] == item_row.figures.spent
    assert sum(row.spent for row in item_view.by_class) == item_row.figures.spent


def test_lagging_items_are_coloured_and_sorted_by_money_left_unspent(ledger):
    march = dashboard_for(department_year=ledger, month=3)
    # B1: 4,000.00 of 45,000.00 = 8.89 %, a third of 序时进度 25 %: red. A1 (30 %) and A2 (60 %) are ahead.
    assert [(row.item.code, row.status) for row in march.lagging] == [("B1", "red")]
    assert march.lagging[0].remaining == Decimal("41000.00")
    january = dashboard_for(department_year=ledger, month=1)
    # 序时进度 8.33 %: A1 has spent nothing (red, 100,000.00 left), B1 nothing (red, 45,000.00 left).
    assert [(row.item.code, row.status) for row in january.lagging] == [("A1", "red"), ("B1", "red")]


def test_department_score_and_indicator_status_come_from_the_evaluation(ledger):
    december = dashboard_for(department_year=ledger, month=12)
    assert december.evaluation is not None
    statuses = {row.indicator.code: row.status for row in december.indicators}
    assert statuses == {"D1": "met", "D2": "behind", "D3": "met"}  # A1-1 is met, so it stays on its item page
    item_view = dashboard_for(department_year=ledger, month=12, item=BudgetItem.objects.get(code="A1"))
    assert [row.status for row in item_view.indicators] == ["met"]


def test_year_over_year_shows_last_year_at_the_same_month(ledger):
    assert dashboard_for(department_year=ledger, month=3).previous is None
    build_ledger(code=ledger.department.code, year=2023)
    march = dashboard_for(department_year=ledger, month=3)
    assert march.previous is not None
    assert march.previous.spent == Decimal("64000.00")
    assert march.previous.full_year == Decimal("195000.00")
    assert year_figures(department_id=ledger.department_id, year=2023, as_of=date(2023, 3, 31), unit_code="B").spent == Decimal("4000.00")


def test_province_figures_summed_in_sql_equal_each_department_summary(ledger):
    other = build_ledger(code="OTH")
    spend(BudgetItem.objects.get(department_year=other, code="B1"), "500.00", date(2024, 2, 2))
    rows = {row.code: row for row in department_years_with_figures(year=2024, as_of=date(2024, 3, 31))}
    for department_year in (ledger, other):
        summary = budget_summary(department_year=department_year, as_of=date(2024, 3, 31))
        assert rows[department_year.department.code].figures == summary.totals
