"""The 评分设置 page and the evaluator's override on the results form and the 自评表 (DOMAIN.md
section 9). The department is test_views.py's: 95 % execution, the seed's six indicators, 99.50."""

from decimal import Decimal

import pytest

from indicators.models import Indicator, ScoringProfile
from tests.builders import BudgetItemFactory
from tests.indicators.test_views import dy, people, url  # noqa: F401  (fixtures)

pytestmark = pytest.mark.django_db


def post_results(client, dy, code, **extra):  # noqa: F811
    data = {"midyear": "800", "actual": "4000", "deviation_reason": "部分地州活动延期", "corrective_measures": "加强督导"}
    return client.post(url("indicators:results", dy, indicator_code=code), {**data, **extra})


def test_an_override_from_the_results_form_is_shown_with_both_figures_the_reason_and_who(client, dy, people):  # noqa: F811
    client.force_login(people["finance"])
    response = post_results(client, dy, "D1", override_earned="15", override_reason="经复核，延期系客观原因")
    assert response.status_code == 302
    indicator = Indicator.objects.get(department_year=dy, code="D1")
    assert indicator.override_earned == Decimal("15.00")
    assert indicator.override_by == people["finance"]
    page = client.get(url("indicators:evaluation", dy)).content.decode()
    # D1: 16.67 × 0.8 = 13.34 by the formula, 15 by the evaluator: 9.50 + 90.00 − 16.67 + 15.00 = 97.83
    assert '<td class="num" id="total-score">97.83</td>' in page
    assert "评价人调整（公式得分 13.34）" in page
    assert "调整理由：经复核，延期系客观原因" in page
    assert "调整人 finance，" in page
    # emptied on the form, the override goes: the formula's 96.17 again
    response = post_results(client, dy, "D1", override_earned="", override_reason="")
    assert response.status_code == 302
    assert '<td class="num" id="total-score">96.17</td>' in client.get(url("indicators:evaluation", dy)).content.decode()
    assert Indicator.objects.get(department_year=dy, code="D1").override_earned is None


def test_an_override_without_a_reason_is_refused_and_nothing_is_saved(client, dy, people):  # noqa: F811
    client.force_login(people["finance"])
    response = post_results(client, dy, "D1", override_earned="15")
    assert response.status_code == 200
    assert response.context["form"].errors["override_reason"] == ["调整得分须填写调整理由"]
    indicator = Indicator.objects.get(department_year=dy, code="D1")
    assert indicator.actual == Decimal("5000")  # the results were not saved either
    assert indicator.override_earned is None


def test_an_override_above_the_points_is_refused_naming_the_field(client, dy, people):  # noqa: F811
    client.force_login(people["finance"])
    response = post_results(client, dy, "D1", override_earned="17", override_reason="理由")
    assert response.context["form"].errors["override_earned"] == ["评价人得分17须在0至分值16.67之间"]
    assert Indicator.objects.get(department_year=dy, code="D1").override_earned is None


def test_a_reason_without_a_figure_is_refused(client, dy, people):  # noqa: F811
    client.force_login(people["finance"])
    response = post_results(client, dy, "D1", override_reason="理由")
    assert response.context["form"].errors["override_earned"] == ["填写了调整理由，请同时填写评价人得分"]


@pytest.mark.parametrize(("who", "status"), [("finance", 200), ("leader", 403), ("accountant", 403), ("outsider", 404)])
def test_the_scoring_page_is_for_the_finance_office(client, dy, people, who, status):  # noqa: F811
    client.force_login(people[who])
    assert client.get(url("indicators:scoring", dy)).status_code == status
    response = client.post(url("indicators:scoring", dy), {"item": "", "execution_points": "20", "rounding": "2"})
    assert response.status_code == (302 if status == 200 else status)
    assert ScoringProfile.objects.count() == (1 if status == 200 else 0)


def test_only_the_finance_office_has_the_nav_link(client, dy, people):  # noqa: F811
    client.force_login(people["finance"])
    assert url("indicators:scoring", dy) in client.get(url("indicators:evaluation", dy)).content.decode()
    client.force_login(people["leader"])
    assert url("indicators:scoring", dy) not in client.get(url("indicators:evaluation", dy)).content.decode()


def test_the_scoring_page_sets_the_department_and_an_item_and_the_sheet_follows(client, dy, people):  # noqa: F811
    BudgetItemFactory(department_year=dy, unit__code="U1", code="XM1")
    client.force_login(people["finance"])
    response = client.post(url("indicators:scoring", dy), {"item": "", "execution_points": "20", "rounding": "2"})
    assert response.status_code == 302
    page = client.get(url("indicators:evaluation", dy)).content.decode()
    # 20 × 0.95 = 19.00 + 80 = 99.00
    assert '<td class="num" id="total-score">99.00</td>' in page
    assert "预算执行得分 19.00 / 20" in page
    assert "总分（预算执行20分 + 指标分值）" in page
    client.post(url("indicators:scoring", dy), {"item": "XM1", "execution_points": "0", "rounding": "0"})
    profiles = {(row.item.code if row.item else "", row.execution_points, row.rounding) for row in ScoringProfile.objects.all()}
    assert profiles == {("", 20, "2"), ("XM1", 0, "0")}
    # back to the defaults: 99.50
    client.post(url("indicators:scoring", dy), {"item": "", "execution_points": "10", "rounding": "2", "clear": ""})
    assert '<td class="num" id="total-score">99.50</td>' in client.get(url("indicators:evaluation", dy)).content.decode()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"item": "", "execution_points": "15", "rounding": "2"}, "15"),
        ({"item": "NOPE", "execution_points": "20", "rounding": "2"}, "预算项目NOPE不存在"),
    ],
)
def test_the_scoring_page_refuses_bad_input_with_a_message(client, dy, people, data, message):  # noqa: F811
    client.force_login(people["finance"])
    response = client.post(url("indicators:scoring", dy), data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert ScoringProfile.objects.count() == 0


def test_the_scoring_page_refuses_a_profile_the_points_do_not_fit(client, dy, people):  # noqa: F811
    Indicator.objects.filter(department_year=dy).update(points=Decimal("15"))  # six × 15 = 90
    client.force_login(people["finance"])
    response = client.post(url("indicators:scoring", dy), {"item": "", "execution_points": "20", "rounding": "2"})
    assert response.status_code == 400
    assert "部门整体：各指标分值合计须为80（100减预算执行率分值20），实为90.00" in response.content.decode()
    assert ScoringProfile.objects.count() == 0


@pytest.mark.parametrize("extra", [0, 10])
def test_the_scoring_page_runs_a_fixed_number_of_queries(client, dy, people, django_assert_num_queries, extra):  # noqa: F811
    for n in range(extra):
        item = BudgetItemFactory(department_year=dy, unit__code="U1", code=f"XM{n}")
        if n % 2:
            ScoringProfile.objects.create(department_year=dy, item=item, execution_points=20)
    client.force_login(people["finance"])
    # 1 session, 2 user, 3 department-year (scope), 4 membership (scope), 5 the profiles, 6 the items with their units
    with django_assert_num_queries(6):
        response = client.get(url("indicators:scoring", dy))
    assert response.status_code == 200
    assert response.content.decode().count("<form") >= extra + 1
