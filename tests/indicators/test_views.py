from datetime import date
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from projects.models import BudgetItem
from tests import personas
from tests.builders import (
    BudgetItemFactory,
    BudgetLineFactory,
    BudgetUnitFactory,
    DepartmentYearFactory,
    ExpenditureFactory,
    IndicatorFactory,
    economic_class,
)
from tests.indicators.six_indicators import six_met_indicators

pytestmark = pytest.mark.django_db


@pytest.fixture
def dy():
    """A department at 95 % execution with the seed's six indicators, and a project with its own."""
    dy = DepartmentYearFactory(department__code="T01")
    personnel = BudgetItemFactory(department_year=dy, unit__code="U1", code="JB1", category=BudgetItem.Category.PERSONNEL)
    BudgetLineFactory(item=personnel, amount=Decimal("100000.00"))
    ExpenditureFactory(item=personnel, amount=Decimal("95000.00"), date=date(2024, 3, 1))
    six_met_indicators(dy)
    return dy


@pytest.fixture
def people(dy):
    first = BudgetUnitFactory(department=dy.department, code="U1")
    return {
        "finance": personas.member(personas.user("finance"), dy, "finance"),
        "accountant": personas.member(personas.user("accountant"), dy, "accountant", first),
        "leader": personas.member(personas.user("leader"), dy, "leader"),
        "outsider": personas.user("outsider"),
    }


def url(name, dy, **kwargs):
    return reverse(name, kwargs={"department_code": dy.department.code, "year": dy.year, **kwargs})


def test_the_department_sheet_shows_score_rating_budget_block_and_every_indicator(client, dy, people):
    client.force_login(people["finance"])
    response = client.get(url("indicators:evaluation", dy))
    assert response.status_code == 200
    page = response.content.decode()
    # 10 × 0.95 = 9.50 + 90.00 = 99.50 → 99.5, 优
    assert '<div class="figure" id="score">99.5</div>' in page
    assert '<div class="figure" id="rating">优</div>' in page
    assert '<td class="num" id="total-score">99.50</td>' in page
    assert '<td class="num" id="execution-score">9.50</td>' in page
    assert page.count('data-indicator="D') == 6
    assert "≥5000户" in page
    assert "当年财政拨款" in page and "上年结转资金" in page and "其他资金" in page
    assert "半年完成值低于目标的50%" in page  # D1: 800 of 5000 at mid-year
    assert "在职人员控制率" in page


# An accountant belongs to the department but their role stops at their unit: 403 (units.access).
@pytest.mark.parametrize(("who", "status"), [("finance", 200), ("leader", 200), ("accountant", 403), ("outsider", 404)])
def test_the_department_wide_pages_are_for_the_department_level_roles(client, dy, people, who, status):
    client.force_login(people[who])
    assert client.get(url("indicators:evaluation", dy)).status_code == status
    assert client.get(url("indicators:monitoring", dy)).status_code == status


def test_an_anonymous_visitor_is_sent_to_log_in(client, dy):
    response = client.get(url("indicators:evaluation", dy))
    assert response.status_code == 302
    assert reverse("login") in response["Location"]


def test_only_the_finance_office_sees_the_entry_links(client, dy, people):
    client.force_login(people["leader"])
    assert "填报" not in client.get(url("indicators:evaluation", dy)).content.decode()
    client.force_login(people["finance"])
    assert url("indicators:results", dy, indicator_code="D1") in client.get(url("indicators:evaluation", dy)).content.decode()


@pytest.mark.parametrize(("who", "status"), [("leader", 403), ("accountant", 403), ("outsider", 404)])
def test_the_results_form_is_refused_to_everyone_but_the_finance_office(client, dy, people, who, status):
    client.force_login(people[who])
    form_url = url("indicators:results", dy, indicator_code="D1")
    assert client.get(form_url).status_code == status
    assert client.post(form_url, {"actual": "1", "final": ""}).status_code == status
    assert dy.indicators.get(code="D1").actual == Decimal("5000")


@pytest.mark.parametrize("typed", ["NaN", "inf", "-Infinity", "1e309", "abc", "5000元", "1.23456"])
def test_the_results_form_refuses_what_is_not_a_plain_number_naming_the_field(client, dy, people, typed):
    client.force_login(people["finance"])
    response = client.post(url("indicators:results", dy, indicator_code="D1"), {"midyear": "800", "actual": typed})
    assert response.status_code == 200
    assert "全年完成值" in response.context["form"].errors["actual"][0]
    assert dy.indicators.get(code="D1").actual == Decimal("5000")


def test_a_missed_target_cannot_be_finalised_from_the_form_without_a_reason(client, dy, people):
    client.force_login(people["finance"])
    form_url = url("indicators:results", dy, indicator_code="D1")
    response = client.post(form_url, {"midyear": "800", "actual": "4,000", "final": ""})
    assert response.status_code == 200
    assert "偏差原因分析" in response.context["form"].errors["deviation_reason"][0]
    assert dy.indicators.get(code="D1").actual == Decimal("5000")


def test_saving_results_updates_the_score_at_once(client, dy, people):
    client.force_login(people["finance"])
    form_url = url("indicators:results", dy, indicator_code="D1")
    response = client.post(
        form_url,
        {
            "midyear": "800",
            "actual": "4000",
            "deviation_reason": "部分地州活动延期",
            "corrective_measures": "加强督导",
            "final": "",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == url("indicators:evaluation", dy)
    page = client.get(response["Location"]).content.decode()
    # D1 has 16.67 points (50 over 3); 4000 of 5000 earns 16.67 × 0.8 = 13.336 → 13.34:
    # 9.50 + 90.00 − 16.67 + 13.34 = 96.17
    assert '<td class="num" id="total-score">96.17</td>' in page
    assert "部分地州活动延期" in page
    indicator = dy.indicators.get(code="D1")
    assert indicator.results_final
    assert indicator.history.latest().history_user == people["finance"]


def test_the_results_form_shows_tier_and_rate_for_a_qualitative_indicator_only(client, dy, people):
    IndicatorFactory(
        department_year=dy, code="Q1", level1="benefit", direction="qualitative", unit="", level2="数量指标", target=None
    )
    client.force_login(people["finance"])
    form = client.get(url("indicators:results", dy, indicator_code="Q1")).context["form"]
    # the values as text (a phrase such as 基本达成, or a date), then the tier and its 得分率
    common = {"midyear", "actual", "deviation_reason", "corrective_measures", "override_earned", "override_reason"}
    assert set(form.fields) == common | {"tier", "rate"}
    assert set(client.get(url("indicators:results", dy, indicator_code="D1")).context["form"].fields) == common
    response = client.post(url("indicators:results", dy, indicator_code="Q1"), {"tier": "partly", "rate": "85"})
    assert "得分率" in response.context["form"].errors["rate"][0]


def test_an_item_sheet_exists_only_for_an_item_with_indicators(client, dy, people):
    project = BudgetItemFactory(department_year=dy, unit__code="U1", code="XM1")
    BudgetLineFactory(item=project, amount=Decimal("10000.00"))
    client.force_login(people["finance"])
    assert client.get(url("indicators:item_evaluation", dy, item_code="XM1")).status_code == 404
    IndicatorFactory(
        department_year=dy, code="X1", item=project, target=Decimal("10"), actual=Decimal("10"), unit="场", level2="数量指标"
    )
    response = client.get(url("indicators:item_evaluation", dy, item_code="XM1"))
    assert response.status_code == 200
    # execution 0 (nothing spent) + 50 of max 60 (only output): 50 × 100 ÷ 60 = 83.33, 良
    assert '<td class="num" id="total-score">83.33</td>' in response.content.decode()
    assert "良" in response.content.decode()


def test_the_monitoring_page_flags_execution_behind_time_progress(client, dy, people):
    client.force_login(people["finance"])
    page = client.get(url("indicators:monitoring", dy)).content.decode()
    # 95,000 spent by March of 100,000: 95 % against 50 %, on pace; D1 800 of 5000 is behind
    assert "95.00%" in page and "50.00%" in page
    assert "半年完成值低于目标的50%" in page


def test_a_scoring_error_is_shown_not_raised(client, dy, people):
    IndicatorFactory(
        department_year=dy, code="BAD", points=Decimal("10"), level2="数量指标", unit="个", target=None
    )  # points on one indicator only: a mix
    client.force_login(people["finance"])
    response = client.get(url("indicators:evaluation", dy))
    assert response.status_code == 200
    assert "分值须全部填写或全部不填" in response.content.decode()


def _grow(dy, count):
    unit = BudgetUnitFactory(department=dy.department, code="U9")
    for n in range(count):
        project = BudgetItemFactory(department_year=dy, unit=unit, code=f"G{n}")
        BudgetLineFactory(item=project, amount=Decimal("1000.00"))
        ExpenditureFactory(
            item=project,
            amount=Decimal("500.00"),
            date=date(2024, 12, 1),
            economic_class=economic_class("30217" if n % 2 else "30201"),
        )
        IndicatorFactory(
            department_year=dy,
            code=f"G{n}-1",
            item=project,
            target=Decimal("1"),
            actual=Decimal("1"),
            level2="数量指标",
            unit="个",
        )


@pytest.mark.parametrize("extra", [0, 12])
def test_the_department_sheet_runs_a_fixed_number_of_queries(client, dy, people, django_assert_num_queries, extra):
    _grow(dy, extra)
    client.force_login(people["finance"])
    # 1 session, 2 user, 3 department-year (scope), 4 membership (scope),
    # budget_summary: 5 units, 6 items, 7 their figures and budget by source, from the budget lines by
    # item/source/kind that the budget block reuses (projects.selectors.item_sums),
    # 8 indicators (evaluations_for), 9 scoring profiles (evaluations_for),
    # common indicators: 10 staff totals, 11 三公经费 of this and the previous year,
    # 12 the 年度总体目标, 13 the latest 自评表 upload (fundmgr.review.load), 14 the 目标版本 in force,
    # 15 the 佐证材料 (indicators.evidence), 16 the indicators of their upload form (the finance office's).
    with django_assert_num_queries(16):
        response = client.get(url("indicators:evaluation", dy))
    assert response.status_code == 200


def test_a_department_at_the_seed_figures_is_shown_as_99_6_and_excellent(client, people):
    # The seed's totals without the seed loader: 89,779,300.00 of 93,648,900.00 = 95.87 %,
    # 10 × 0.958679… = 9.59; six met indicators 90.00: 99.59 → 99.6, 优.
    dy = DepartmentYearFactory(department__code="SEEDLIKE")
    basic = BudgetItemFactory(department_year=dy, unit__code="U1", code="JB", category=BudgetItem.Category.PERSONNEL)
    BudgetLineFactory(item=basic, amount=Decimal("93648900.00"))
    ExpenditureFactory(item=basic, amount=Decimal("89779300.00"), date=date(2024, 12, 1))
    six_met_indicators(dy)
    client.force_login(get_user_model().objects.create_superuser("root", password="pw-for-tests-only"))
    page = client.get(url("indicators:evaluation", dy)).content.decode()
    assert '<td class="num" id="execution-score">9.59</td>' in page
    assert '<td class="num" id="total-score">99.59</td>' in page
    assert '<div class="figure" id="score">99.6</div>' in page
    assert '<div class="figure" id="rating">优</div>' in page
    assert "95.87%" in page


def test_the_results_form_starts_from_the_recorded_values(client, dy, people):
    client.force_login(people["finance"])
    page = client.get(url("indicators:results", dy, indicator_code="D1")).content.decode()
    # stored as 800.0000 and 5000.0000; shown without the trailing zeros
    assert 'name="midyear" value="800"' in page
    assert 'name="actual" value="5000"' in page


def test_the_department_sheet_links_each_project_sheet_with_its_score(client, dy, people):
    project = BudgetItemFactory(department_year=dy, unit__code="U1", code="XM1")
    BudgetLineFactory(item=project, amount=Decimal("10000.00"))
    ExpenditureFactory(item=project, amount=Decimal("10000.00"), date=date(2024, 12, 1))
    IndicatorFactory(
        department_year=dy, code="X1", item=project, target=Decimal("10"), actual=Decimal("10"), unit="场", level2="数量指标"
    )
    client.force_login(people["finance"])
    page = client.get(url("indicators:evaluation", dy)).content.decode()
    assert url("indicators:item_evaluation", dy, item_code="XM1") in page
    # 10 + 50 of max 60: 100.00
    assert '<td class="num">100.00</td>' in page


@pytest.mark.parametrize("extra", [1, 15])
def test_the_project_sheet_runs_a_fixed_number_of_queries(client, dy, people, django_assert_num_queries, extra):
    project = BudgetItemFactory(department_year=dy, unit__code="U1", code="XM1")
    for n in range(extra):
        BudgetLineFactory(item=project, amount=Decimal("100.00"), source="superior" if n % 2 else "other")
        ExpenditureFactory(item=project, amount=Decimal("10.00"), date=date(2024, 12, 1))
        IndicatorFactory(
            department_year=dy,
            code=f"X{n}",
            item=project,
            position=n,
            target=Decimal("1"),
            actual=Decimal("1"),
            level1=("output", "benefit")[n % 2],
            level2="数量指标",
            unit="个",
        )
    client.force_login(people["finance"])
    # 1 session, 2 user, 3 department-year (scope), 4 membership (scope), 5 the item (item_in_scope),
    # 6 the item's figures with its budget lines by source and kind (projects.selectors.item_sums),
    # 7 its indicators, 8 its scoring profile, 9 its 年度总体目标, 10 its latest 自评表 upload
    # (fundmgr.review.load), 11 its 目标版本 in force, 12 its 佐证材料 (indicators.evidence),
    # 13 the indicators of their upload form (the finance office's).
    with django_assert_num_queries(13):
        response = client.get(url("indicators:item_evaluation", dy, item_code="XM1"))
    assert response.status_code == 200
