"""Drafts (DOMAIN.md section 9): an evaluation with blank year-end values is unscored, never refused.
The rules on plain values first, then the selectors, the service and the 自评表 pages."""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from indicators.models import Indicator
from indicators.scoring import IndicatorInput, Rating, evaluate
from indicators.selectors import scope_evaluation
from indicators.services import indicator_update_results
from projects.models import BudgetItem
from tests import personas
from tests.builders import (
    BudgetItemFactory,
    BudgetLineFactory,
    DepartmentYearFactory,
    ExpenditureFactory,
    IndicatorFactory,
)
from tests.indicators.six_indicators import six_met_indicators

D = Decimal
RATE = D("0.9587")  # 10 × 0.9587 = 9.587 → 9.59 execution points


def four(*, b_actual="10", c_tier="achieved", b_override=None):
    """Output A (25 points, 80 of 100: r 0.8, 20.00) and B (25 points, ≥ 10), benefit C
    (qualitative, 30 points), satisfaction D (10 points, 95 of ≥ 90: 10.00)."""
    return [
        IndicatorInput(code="A", level1="output", direction="ge", target=D("100"), actual=D("80")),
        IndicatorInput(
            code="B",
            level1="output",
            direction="ge",
            target=D("10"),
            actual=None if b_actual is None else D(b_actual),
            override=b_override,
        ),
        IndicatorInput(code="C", level1="benefit", direction="qualitative", tier=c_tier),
        IndicatorInput(code="D", level1="satisfaction", direction="ge", target=D("90"), actual=D("95")),
    ]


# --- the rules -------------------------------------------------------------------------------


def test_all_values_filled_score_as_before():
    evaluation = evaluate(execution_rate=RATE, indicators=four())
    # 9.59 + 20.00 + 25.00 + 30.00 + 10.00 = 94.59 of 100
    assert (evaluation.score, evaluation.rating) == (D("94.59"), Rating.EXCELLENT)
    assert (evaluation.missing, evaluation.draft) == ((), False)
    assert [score.earned for score in evaluation.indicators] == [D("20.00"), D("25.00"), D("30.00"), D("10.00")]


def test_a_blank_year_end_value_makes_an_unscored_draft():
    evaluation = evaluate(execution_rate=RATE, indicators=four(b_actual=None))
    assert evaluation.draft is True
    assert evaluation.missing == ("B",)
    assert (evaluation.score, evaluation.rating) == (None, None)
    # the partial figures stay: B earns nothing yet, 9.59 + 20.00 + 0 + 30.00 + 10.00
    assert (evaluation.indicator_earned, evaluation.raw, evaluation.max) == (D("60.00"), D("69.59"), D("100.00"))
    assert evaluation.indicators[1].ratio is None and evaluation.indicators[1].earned == D("0")


def test_a_blank_tier_is_missing_too_and_missing_keeps_the_input_order():
    evaluation = evaluate(execution_rate=RATE, indicators=four(b_actual=None, c_tier=""))
    assert evaluation.missing == ("B", "C")
    assert evaluation.score is None and evaluation.rating is None


def test_an_evaluator_override_on_the_blank_indicator_counts_as_its_value():
    evaluation = evaluate(execution_rate=RATE, indicators=four(b_actual=None, b_override=D("12.50")))
    assert evaluation.missing == () and evaluation.draft is False
    # 9.59 + 20.00 + 12.50 + 30.00 + 10.00 = 82.09: 良
    assert (evaluation.score, evaluation.rating) == (D("82.09"), Rating.GOOD)


def test_before_the_year_end_nothing_is_missing():
    evaluation = evaluate(execution_rate=RATE, indicators=four(b_actual=None), year_end=False)
    assert evaluation.missing == () and evaluation.score == D("69.59")


# --- the selectors: an as-of view is not a draft ---------------------------------------------


def _households(actual):
    return Indicator(code="H", level1="output", direction="ge", target=D("5000"), midyear=D("2000"), actual=actual, unit="户")


@pytest.mark.parametrize("month", [3, 6, 11])
def test_an_as_of_view_before_december_is_not_a_draft(month):
    evaluation = scope_evaluation(indicators=[_households(None)], execution_rate=D("0.5"), month=month)
    assert evaluation.draft is False and evaluation.score is not None


def test_the_year_end_view_of_a_blank_value_is_a_draft():
    evaluation = scope_evaluation(indicators=[_households(None)], execution_rate=D("0.5"))
    assert evaluation.missing == ("H",) and evaluation.score is None


# --- the service and the pages ---------------------------------------------------------------


@pytest.fixture
def dy(db):
    """95,000.00 spent of 101,000.00, the seed's six indicators with D2 (培训人数) still blank, and a project XM1
    whose qualitative indicator has no tier yet."""
    dy = DepartmentYearFactory(department__code="DRAFT")
    personnel = BudgetItemFactory(department_year=dy, unit__code="U1", code="JB1", category=BudgetItem.Category.PERSONNEL)
    BudgetLineFactory(item=personnel, amount=D("100000.00"))
    ExpenditureFactory(item=personnel, amount=D("95000.00"), date=date(2024, 3, 1))
    six_met_indicators(dy)
    Indicator.objects.filter(code="D2").update(actual=None)
    project = BudgetItemFactory(department_year=dy, unit__code="U1", code="XM1")
    BudgetLineFactory(item=project, amount=D("1000.00"))
    IndicatorFactory(
        department_year=dy,
        item=project,
        code="X1",
        position=1,
        level1="output",
        level2="数量指标",
        name="培训场次",
        target=D("10"),
        actual=D("10"),
        unit="场",
    )
    IndicatorFactory(
        department_year=dy,
        item=project,
        code="X2",
        position=2,
        level1="satisfaction",
        level2="服务对象满意度指标",
        name="服务效果",
        direction="qualitative",
        target=None,
        actual=None,
        tier="",
        unit="",
    )
    return dy


@pytest.fixture
def finance(dy):
    return personas.member(personas.user("finance"), dy, "finance")


def url(name, dy, **kwargs):
    return reverse(name, kwargs={"department_code": dy.department.code, "year": dy.year, **kwargs})


def test_a_blank_year_end_value_is_saved_as_a_draft(dy, finance):
    indicator = Indicator.objects.get(code="D1")
    saved = indicator_update_results(indicator=indicator, midyear=D("800"), actual=None, user=finance)
    indicator.refresh_from_db()
    assert (saved.results_final, indicator.actual, indicator.midyear) == (False, None, D("800"))


def test_the_department_sheet_of_a_draft_shows_the_label_and_what_is_missing(client, dy, finance, django_assert_num_queries):
    client.force_login(finance)
    # the queries of a scored sheet (tests/indicators/test_views.py): listing what is missing adds none
    with django_assert_num_queries(16):  # with the 目标版本 in force and the 佐证材料 (two)
        response = client.get(url("indicators:evaluation", dy))
    assert response.status_code == 200
    page = response.content.decode()
    assert '<div class="figure" id="score">草稿（未评分）</div>' in page
    assert '<div class="figure" id="rating">—</div>' in page
    assert '<td class="num" id="total-score">—</td>' in page
    assert '<li data-missing="D2">D2 培训人数（全年完成值）</li>' in page
    assert page.count("data-missing=") == 1
    # the project XM1 is a draft as well: its row in the list of project sheets says so
    item_row = page.split('id="item-evaluations"')[1].split("</tr>")[1]
    assert "XM1" in item_row and "草稿（未评分）" in item_row


def test_the_item_sheet_of_a_draft_lists_its_missing_tier(client, dy, finance, django_assert_num_queries):
    client.force_login(finance)
    with django_assert_num_queries(13):  # as tests/indicators/test_views.py pins the item sheet
        response = client.get(url("indicators:item_evaluation", dy, item_code="XM1"))
    assert response.status_code == 200
    page = response.content.decode()
    assert '<div class="figure" id="score">草稿（未评分）</div>' in page
    assert '<li data-missing="X2">X2 服务效果（定性等级）</li>' in page
    assert 'data-missing="X1"' not in page


def test_filling_the_last_blank_value_scores_the_sheet(client, dy, finance):
    indicator_update_results(indicator=Indicator.objects.get(code="D2"), midyear=None, actual=D("10000"), user=finance)
    client.force_login(finance)
    page = client.get(url("indicators:evaluation", dy)).content.decode()
    # 95,000.00 of 101,000.00: 10 × 0.940594… = 9.41, + 90.00 = 99.41
    assert '<td class="num" id="total-score">99.41</td>' in page
    assert "data-missing=" not in page
