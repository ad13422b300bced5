"""The dashboard pages: drill-down addresses, access, exports, and query counts pinned at two sizes."""

import io
import re
from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from projects.models import BudgetItem
from tests.fundmgr.dashboard_support import (  # noqa: F401
    build_ledger,
    grow_ledger,
    ledger,
    personas,
    plain_static_files,
    spend,
)
from tests.personas import finance_bureau
from units.models import Membership

DEPARTMENT = "/d/DSH/2024/"
UNIT_A = "/d/DSH/2024/units/A/"
UNIT_B = "/d/DSH/2024/units/B/"
ITEM_A1 = "/d/DSH/2024/items/A1/"
ITEM_B1 = "/d/DSH/2024/items/B1/"
PROVINCE = "/province/2024/"


def page(client, user, url):
    client.force_login(user)
    return client.get(url)


def test_addresses_are_stable_and_named(ledger):
    kwargs = {"department_code": "DSH", "year": 2024}
    assert reverse("department", kwargs=kwargs) == DEPARTMENT
    assert reverse("units:detail", kwargs={**kwargs, "unit_code": "A"}) == UNIT_A
    assert reverse("projects:detail", kwargs={**kwargs, "item_code": "A1"}) == ITEM_A1
    assert reverse("province", kwargs={"year": 2024}) == PROVINCE


def test_march_dashboard_shows_spending_against_25_percent(client, personas):
    response = page(client, personas["finance"], DEPARTMENT + "?asof=2024-03")
    html = response.content.decode()
    assert response.status_code == 200
    assert re.search(r'data-card="progress">25\.00%<', html)
    assert re.search(r'data-card="spent">6\.40<', html)  # 64,000.00 yuan in 万元
    assert re.search(r'data-card="execution-rate">32\.82%<', html)
    assert 'value="2024-03" selected' in html


def test_every_chart_mark_has_a_title_and_unit_bars_link_to_the_unit_page(client, personas):
    html = page(client, personas["leader"], DEPARTMENT + "?asof=2024-06").content.decode()
    assert html.count("<svg") == 5  # units' rates, execution line, plan line (section 8), classes, composition
    for mark in re.findall(r"<(rect|circle|line)\b[^>]*?(/?)>", html):
        assert mark[1] == "", "every mark closes with a <title> inside it, not as an empty element"
    for tag in ("rect", "circle"):
        for element in re.findall(rf"<{tag}\b[^>]*>(.*?)</{tag}>", html, flags=re.S):
            assert element.startswith("<title>")
    assert f'href="{UNIT_A}?asof=2024-06" class="bar-link"' in html


def test_an_accountant_sees_only_their_unit_whatever_they_forge(client, personas):
    accountant = personas["accountant_a"]
    response = page(client, accountant, DEPARTMENT + "?asof=2024-03")
    assert response.status_code == 302
    assert response["Location"] == UNIT_A + "?asof=2024-03"
    assert page(client, accountant, UNIT_A).status_code == 200
    assert page(client, accountant, UNIT_B).status_code == 404
    assert page(client, accountant, ITEM_B1).status_code == 404
    assert page(client, accountant, UNIT_A + "?unit=B&department=OTH").content.decode().count("乙运转") == 0
    assert page(client, accountant, "/d/DSH/2024/units/B/expenditures.xlsx").status_code == 404
    assert page(client, accountant, PROVINCE).status_code == 404
    build_ledger(code="OTH")
    assert page(client, accountant, "/d/OTH/2024/").status_code == 404
    assert page(client, accountant, "/d/OTH/2024/units/A/").status_code == 404


def test_an_outsider_gets_404_everywhere(client, personas):
    for url in (DEPARTMENT, UNIT_A, ITEM_A1, PROVINCE):
        assert page(client, personas["outsider"], url).status_code == 404


def test_home_takes_a_user_to_their_department_or_an_accountant_to_their_unit(client, personas):
    build_ledger(code="DSH", year=2023)
    assert page(client, personas["leader"], "/")["Location"] == DEPARTMENT
    assert page(client, personas["accountant_b"], "/")["Location"] == UNIT_B


def test_province_view_is_for_the_finance_bureau_and_lists_every_department(client, personas):
    other = build_ledger(code="OTH")
    spend(BudgetItem.objects.get(department_year=other, code="B1"), "30000.00", date(2024, 2, 1))
    assert page(client, personas["finance"], PROVINCE).status_code == 404
    bureau = finance_bureau("bureau")
    html = page(client, bureau, PROVINCE + "?asof=2024-03").content.decode()
    assert "测试部门DSH" in html and "测试部门OTH" in html
    assert "32.82%" in html
    highest_first = page(client, bureau, PROVINCE + "?sort=-execution_rate").content.decode()
    assert highest_first.index("测试部门OTH") < highest_first.index("测试部门DSH")
    lowest_first = page(client, bureau, PROVINCE + "?sort=execution_rate").content.decode()
    assert lowest_first.index("测试部门DSH") < lowest_first.index("测试部门OTH")


def test_a_leader_of_two_departments_sees_just_those_two_in_the_province_view(client, personas):
    other = build_ledger(code="OTH")
    build_ledger(code="THR")
    leader = personas["leader"]
    Membership.objects.create(user=leader, department=other.department, role=Membership.Role.LEADER)
    html = page(client, leader, PROVINCE).content.decode()
    assert "测试部门OTH" in html and "测试部门DSH" in html and "测试部门THR" not in html


def test_unit_expenditure_export_is_the_approved_spending_detail_with_amounts_as_numbers(client, personas):
    response = page(client, personas["finance"], "/d/DSH/2024/units/A/expenditures.xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert "甲单位" in rows[1][0]  # the scope line names the page's unit
    assert rows[2][9] == "金额（元）"
    detail, total = rows[3:-1], rows[-1]
    # A1's three and A2's one approved: pending and rejected spending and B1's are not in it
    assert sorted(Decimal(str(row[9])) for row in detail) == [Decimal("5000"), Decimal("10000"), Decimal("20000"), Decimal("30000")]
    assert all(isinstance(row[9], (int, float)) for row in detail)
    assert Decimal(str(total[9])) == Decimal("65000")


def test_table_export_writes_yuan_under_a_yuan_header_and_rates_as_percent_cells(client, personas):
    response = page(client, personas["finance"], DEPARTMENT + "?asof=2024-12&_export=xlsx&table=units")
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = list(sheet.iter_rows(values_only=True))
    header, unit_a = rows[2], rows[3]
    assert unit_a[header.index("全年预算数（元）")] == 160000  # yuan, a number, under a header that says so
    assert Decimal(str(unit_a[header.index("执行率")])) == Decimal("0.4063")  # 65,000.00 / 160,000.00 = 40.63 %
    assert sheet.cell(4, header.index("执行率") + 1).number_format == "0.00%"


def test_item_expenditures_can_be_filtered_and_exported(client, personas):
    html = page(client, personas["finance"], ITEM_A1 + "?status=pending").content.decode()
    assert "60,000.00" in html and "20,000.00" not in html
    response = page(client, personas["finance"], ITEM_A1 + "?status=approved&_export=xlsx&table=expenditures")
    rows = list(load_workbook(io.BytesIO(b"".join(response.streaming_content))).active.iter_rows(values_only=True))
    assert "A1" in rows[1][0]  # the scope line names the item
    assert len(rows) == 3 + 3 + 1  # title, scope, header; A1's three approved; the total


def test_evaluation_link_points_at_the_self_evaluation_page(client, personas):
    html = page(client, personas["finance"], DEPARTMENT).content.decode()
    assert 'href="/d/DSH/2024/evaluation/"' in html


# --- query counts, pinned at two sizes (STYLE.md) ---
# Every page, for a member (a superuser skips the membership query):
#  1 session, 2 user, 3 department-year (department_scope), 4 membership,
# department dashboard: 5 units, 6 items, 7 their figures with the budget by source (projects.selectors.
#   item_sums; budget_summary's three), 8 indicators (evaluations_for), 9 spending by month and class,
#   10 last year's figures, 11 the finance bureau group and 12 the roles in other departments (units.access.
#   may_compare_departments: whether the 省级总览 link shows).
# unit page: 5 unit, 6-8 budget_summary (the unit's budget by source comes from its line sums), 9 indicators,
#   10 spending by month and class, 11 last year's figures.
# item page: 5 item, 6 its figures with its budget by source (item_sums), 7 its indicators, 8 spending by month and
#   class, 9 last year's figures, 10 budget lines, 11 expenditure count (paginator), 12 the page of expenditures.
# province view (bureau member): 1 session, 2 user, 3 group check, 4 the viewer's own roles (which departments are
#   linked: units.access.openable_department_ids), 5 the year's version (its cache key: fundmgr.dashboards.versions.
#   province_version), 6 department-years, 7 budget lines by department-year and kind, 8 spending by item and
#   status, 9 the items with their plans (each department's plan to date and forecast, DOMAIN.md section 8); from
#   December, 10 department indicators (a score is read from year-end values: none before, indicators.selectors.
#   is_scored), 11 their scoring profiles (DOMAIN.md section 9). From the cache: 1-5 only.
# Every page that scores reads the scoring profiles once (indicators.selectors), one query on top of the above.
# The department, unit and item pages read the scope's spending plan by month once (the plan chart, DOMAIN.md
#   section 8: fundmgr.dashboards.builder.monthly_plan), one more query.
# The item page lists the item's transfers (预算调剂) in and out, with their counterparts: one more query.
# The unit and item pages read their own ledger version after the unit or item (their cache key:
#   fundmgr.dashboards.versions), one more query.
PAGES = [("finance", DEPARTMENT, 14), ("finance", UNIT_A, 14), ("finance", ITEM_A1, 16), ("bureau", PROVINCE, 9)]


def test_the_december_province_view_adds_the_one_query_of_the_scores(client, ledger, django_assert_num_queries):
    client.force_login(finance_bureau("bureau"))
    with django_assert_num_queries(11):
        assert client.get(PROVINCE + "?asof=2024-12").status_code == 200
    grow_ledger(ledger)
    build_ledger(code="OTH")
    with django_assert_num_queries(11):
        assert client.get(PROVINCE + "?asof=2024-12").status_code == 200


@pytest.mark.parametrize(("who", "url", "queries"), PAGES)
def test_query_count_does_not_grow_with_the_ledger(client, personas, ledger, django_assert_num_queries, who, url, queries):
    user = personas.get(who) or finance_bureau(who)
    client.force_login(user)
    with django_assert_num_queries(queries):
        assert client.get(url + "?asof=2024-06").status_code == 200
    grow_ledger(ledger)
    build_ledger(code="OTH")
    build_ledger(code="DSH", year=2023)
    assert BudgetItem.objects.filter(department_year=ledger).count() == 15
    with django_assert_num_queries(queries):
        assert client.get(url + "?asof=2024-06").status_code == 200



@pytest.mark.django_db
@pytest.mark.parametrize("persona, linked", [("finance", True), ("leader", True), ("accountant_a", False)])
def test_the_unit_page_links_the_self_evaluation_only_for_those_who_may_open_it(world, as_persona, persona, linked):
    client = as_persona(persona)
    page = client.get(reverse("units:detail", kwargs={**world.kwargs, "unit_code": world.unit_a.code})).content.decode()
    evaluation = reverse("indicators:evaluation", kwargs=world.kwargs)
    assert (f'href="{evaluation}"' in page) is linked
    if linked:
        assert client.get(evaluation).status_code == 200
