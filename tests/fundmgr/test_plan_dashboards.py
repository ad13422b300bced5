"""Plan-based progress and forecast on the dashboards (DOMAIN.md section 8): plan to date beside
spent, the forecast and its rate, lag colours from the plan execution rate, the plan chart, and
a fixed number of queries with plans and transfers present."""

import re
from datetime import date
from decimal import Decimal

import pytest

from fundmgr.dashboards.builder import cumulative_plan, dashboard_for, monthly_plan
from fundmgr.dashboards.province import province_rows
from projects.models import BudgetItem, BudgetUnit
from projects.services import plan_set
from tests.fundmgr.dashboard_support import (  # noqa: F401
    build_ledger,
    grow_ledger,
    ledger,
    personas,
    plain_static_files,
    spend,
)
from tests.fundmgr.plan_support import add_plan_and_transfer, grow_plans_and_transfers
from tests.personas import finance_bureau

DEPARTMENT = "/d/DSH/2024/"
UNIT_A = "/d/DSH/2024/units/A/"
ITEM_A1 = "/d/DSH/2024/items/A1/"
ITEM_A2 = "/d/DSH/2024/items/A2/"
MARCH = "?asof=2024-03"


@pytest.fixture
def planned(ledger):
    add_plan_and_transfer(ledger)
    return ledger


def html_of(client, user, url):
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def card(html, name):
    return re.search(rf'data-card="{name}">([^<]*)<', html).group(1)


def test_the_department_dashboard_shows_plan_to_date_and_forecast_to_the_cent(planned):
    dashboard = dashboard_for(department_year=planned, month=3)
    totals = dashboard.totals
    assert totals.full_year == Decimal("195000.00")  # the transfer moves money inside the department
    assert totals.transfer_in == totals.transfer_out == Decimal("2000.00")
    assert totals.spent == Decimal("64000.00")
    assert totals.plan_to_date == Decimal("73750.00")  # 50,000 planned + 13,000 and 10,750 linear
    assert totals.forecast == Decimal("163250.00")  # 75,000 + 52,000 (capped) + 36,250
    assert dashboard.status == ""  # 86.78 % of plan: on plan


def test_the_department_cards_show_plan_and_forecast_in_wan(client, personas, planned):
    html = html_of(client, personas["finance"], DEPARTMENT + MARCH)
    assert card(html, "plan-to-date") == "7.38"  # 73,750.00 yuan
    assert card(html, "plan-execution-rate") == "86.78%"
    assert card(html, "forecast") == "16.33"  # 163,250.00 yuan
    assert card(html, "forecast-rate") == "83.72%"
    assert card(html, "execution-rate") == "32.82%"
    assert card(html, "lag") == "符合用款计划"


def test_the_item_dashboard_colours_an_item_behind_its_plan(client, personas, planned):
    # A1: 30 % of its budget spent at 25 % of the year is ahead of 序时进度, but 60 % of its plan: yellow
    html = html_of(client, personas["finance"], ITEM_A1 + MARCH)
    assert card(html, "plan-to-date") == "5.00"
    assert card(html, "plan-execution-rate") == "60.00%"
    assert card(html, "forecast") == "7.50"
    assert card(html, "forecast-rate") == "75.00%"
    assert card(html, "lag") == "滞后于用款计划"
    assert 'class="card lag-yellow"' in html


def test_an_item_without_a_plan_follows_the_linear_plan_with_its_transfer(planned):
    item = BudgetItem.objects.get(department_year=planned, code="A2")
    figures = dashboard_for(department_year=planned, month=3, item=item).totals
    assert figures.transfer_in == Decimal("2000.00")
    assert figures.full_year == Decimal("52000.00")
    assert figures.plan_to_date == Decimal("13000.00")
    assert figures.forecast == Decimal("52000.00")  # 30,000 + 39,000, at most the budget


def test_the_lagging_list_uses_the_plan_execution_rate(planned):
    lagging = dashboard_for(department_year=planned, month=3).lagging
    # most money left unspent first: A1 70,000.00, B1 39,000.00; A2 (230.77 % of its plan) is not listed
    assert [(row.item.code, row.status) for row in lagging] == [("A1", "yellow"), ("B1", "red")]
    b1 = lagging[1]
    assert b1.item.figures.plan_to_date == Decimal("10750.00")
    assert round(b1.ratio * 100, 2) == Decimal("37.21")


def test_a_units_colour_is_its_own_plan_execution_rate(planned):
    unit_a = BudgetUnit.objects.get(department=planned.department, code="A")
    dashboard = dashboard_for(department_year=planned, month=3, unit=unit_a)
    assert dashboard.totals.plan_to_date == Decimal("63000.00")
    assert dashboard.status == ""  # 60,000 of 63,000: on plan, although A1 is yellow
    assert [row.item.code for row in dashboard.lagging] == ["A1"]
    unit_b = BudgetUnit.objects.get(department=planned.department, code="B")
    assert dashboard_for(department_year=planned, month=3, unit=unit_b).status == "red"


def test_the_unit_table_shows_plan_columns_and_the_plan_colour(client, personas, planned):
    html = html_of(client, personas["finance"], DEPARTMENT + MARCH)
    units = html[html.index("各预算单位执行情况") : html.index("执行滞后的项目")]
    assert "计划进度数" in units and "预计全年执行数" in units
    assert "6.30" in units  # unit A plans 63,000.00
    assert "严重滞后" in units  # unit B: 4,000 of 10,750


def test_the_plan_chart_adds_planned_and_linear_items_month_by_month(planned):
    plan = cumulative_plan(monthly_plan(department_year=planned), [Decimal("52000.00"), Decimal("43000.00")])
    assert plan[0] == Decimal("17916.66")  # 10,000 + 4,333.33 + 3,583.33
    assert plan[2] == Decimal("73750.00")  # the card's figure at March
    assert plan[11] == Decimal("190000.00")  # 95,000 + 52,000 + 43,000
    chart = dashboard_for(department_year=planned, month=3).plan_chart
    assert len(chart.plan) == 12 and len(chart.progress) == 12
    assert len(chart.spent) == 3  # spending is drawn to the as-of month only
    assert chart.plan[2].title == "3月 累计计划：7.38 万元"
    assert chart.spent[2].title == "3月 累计执行数：6.40 万元"
    assert chart.progress[11].title == "12月 序时进度：19.50 万元"


def test_the_plan_chart_is_on_the_department_and_item_pages_with_a_title_and_a_description(client, personas, planned):
    for url in (DEPARTMENT + MARCH, ITEM_A1 + MARCH):
        html = html_of(client, personas["leader"], url)
        svg = re.search(r'<svg[^>]*data-chart="plan-line".*?</svg>', html, re.DOTALL).group(0)
        assert '<title id="plan-line-title">用款计划与实际支出（累计，万元）</title>' in svg
        assert '<desc id="plan-line-desc">' in svg
        assert svg.count('class="plan-point"') == 12


# --- query counts with plans and transfers present (see tests/fundmgr/test_dashboard_pages.py for each query) ---
# department 14, unit 14, item 16 (its transfers list; their own versions): the pages' counts of test_dashboard_pages.py; plans and
# transfers add none.
PAGES = [(DEPARTMENT, 14), (UNIT_A, 14), (ITEM_A1, 16)]


@pytest.mark.parametrize(("url", "queries"), PAGES)
def test_plans_and_transfers_add_no_queries_whatever_their_number(
    client, personas, planned, django_assert_num_queries, url, queries
):
    client.force_login(personas["finance"])
    with django_assert_num_queries(queries):
        assert client.get(url + MARCH).status_code == 200
    grow_ledger(planned)
    grow_plans_and_transfers(planned, count=30)
    assert BudgetItem.objects.filter(department_year=planned, plan__isnull=False).distinct().count() == 31
    with django_assert_num_queries(queries):
        assert client.get(url + MARCH).status_code == 200


def test_spending_on_plan_clears_the_items_colour(planned):
    a1 = BudgetItem.objects.get(department_year=planned, code="A1")
    spend(a1, "15000.00", date(2024, 3, 10))  # 45,000 of 50,000 planned: 90 %
    assert [row.item.code for row in dashboard_for(department_year=planned, month=3).lagging] == ["B1"]


# --- the province view: each department against its own plan (DOMAIN.md section 8) ---


def test_the_province_view_has_each_departments_plan_and_forecast_as_its_own_dashboard(planned):
    other = build_ledger(code="OTH")  # no plan anywhere: linear
    rows = {row.code: row for row in province_rows(year=2024, month=3)}
    for department_year in (planned, other):
        totals = dashboard_for(department_year=department_year, month=3).totals
        figures = rows[department_year.department.code].figures
        assert (figures.plan_to_date, figures.forecast) == (totals.plan_to_date, totals.forecast)
    assert rows["DSH"].figures.plan_to_date == Decimal("73750.00")
    assert rows["DSH"].figures.forecast == Decimal("163250.00")


@pytest.mark.parametrize("month", range(1, 13))
def test_every_month_the_province_view_has_each_departments_plan_and_forecast_as_its_own_dashboard(planned, month):
    """Plans, a transfer, spending after the month, an item without lines but with spending, thirty
    more plans and transfers: month by month each department's plan to date and forecast on the
    province view (summed from grouped reads, projects.rollups.plans_by_department_year) are its
    own dashboard's to the cent."""
    grow_plans_and_transfers(planned, count=30)
    other = build_ledger(code="OTH")
    spend(BudgetItem.objects.get(department_year=other, code="B1"), "777.77", date(2024, 1, 5))
    bare = BudgetItem.objects.create(
        department_year=other, unit=BudgetItem.objects.get(department_year=other, code="B1").unit, code="Z9", name="无预算项目",
        category=BudgetItem.Category.PROJECT,
    )
    spend(bare, "55.55", date(2024, 1, 20))
    rows = {row.code: row for row in province_rows(year=2024, month=month)}
    for department_year in (planned, other):
        totals = dashboard_for(department_year=department_year, month=month).totals
        figures = rows[department_year.department.code].figures
        assert (figures.plan_to_date, figures.forecast) == (totals.plan_to_date, totals.forecast), department_year


def test_the_province_view_colours_a_department_behind_its_plan(client, planned):
    a1 = BudgetItem.objects.get(department_year=planned, code="A1")
    plan_set(
        item=a1, amounts={month: Decimal("30000.00") if month <= 3 else Decimal("0.00") for month in range(1, 13)}, user=None
    )
    # 64,000.00 spent of 90,000 + 13,000 + 10,750 = 113,750.00 planned: 56.26 %, red
    row = {row.code: row for row in province_rows(year=2024, month=3)}["DSH"]
    assert row.figures.plan_to_date == Decimal("113750.00")
    assert row.figures.plan_execution_rate == Decimal("64000.00") / Decimal("113750.00")
    client.force_login(finance_bureau("bureau"))
    html = client.get("/province/2024/?asof=2024-03").content.decode()
    assert "11.38" in html and "56.26%" in html
    assert '<span class="badge bad">严重滞后</span>' in html
