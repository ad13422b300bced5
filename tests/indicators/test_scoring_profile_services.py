"""Scoring profiles and overrides through indicators.services, read back through the selectors
(DOMAIN.md section 9). The department fixture is test_views.py's: 95 % execution, the seed's six
indicators without 分值, all met: 9.50 + 90 = 99.50 under the defaults."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from indicators.models import Indicator, ScoringProfile
from indicators.selectors import evaluations_for, item_evaluation, scope_profile
from indicators.services import (
    indicator_clear_override,
    indicator_set_override,
    scoring_profile_clear,
    scoring_profile_set,
)
from projects.models import BudgetItem
from projects.selectors import budget_summary
from tests import personas
from tests.builders import BudgetItemFactory, BudgetLineFactory, DepartmentYearFactory, ExpenditureFactory, IndicatorFactory
from tests.indicators.six_indicators import six_met_indicators

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def dy():
    dy = DepartmentYearFactory(department__code="T01")
    personnel = BudgetItemFactory(department_year=dy, unit__code="U1", code="JB1", category=BudgetItem.Category.PERSONNEL)
    BudgetLineFactory(item=personnel, amount=D("100000.00"))
    ExpenditureFactory(item=personnel, amount=D("95000.00"), date=date(2024, 3, 1))
    six_met_indicators(dy)
    return dy


@pytest.fixture
def project(dy):
    """XM1: 1,000.00 budget, 760.00 spent (76 %); two indicators without 分值: X1 (output) met,
    X2 (benefit) at half."""
    item = BudgetItemFactory(department_year=dy, unit__code="U1", code="XM1")
    BudgetLineFactory(item=item, amount=D("1000.00"))
    ExpenditureFactory(item=item, amount=D("760.00"), date=date(2024, 3, 1))
    IndicatorFactory(department_year=dy, item=item, code="X1", target=D("10"), actual=D("10"))
    IndicatorFactory(department_year=dy, item=item, code="X2", level1="benefit", target=D("10"), actual=D("5"))
    return item


@pytest.fixture
def finance(dy):
    return personas.member(personas.user("finance"), dy, "finance")


def department(dy):
    return evaluations_for(summary=budget_summary(department_year=dy)).department


def item_score(item):
    item.refresh_from_db()
    return item_evaluation(item=item, execution_rate=D("0.76")).evaluation


def test_without_a_profile_the_department_scores_as_before(dy):
    assert ScoringProfile.objects.count() == 0
    evaluation = department(dy)
    assert (evaluation.execution_score, evaluation.raw, evaluation.score) == (D("9.50"), D("99.50"), D("99.50"))


def test_a_department_year_profile_of_20_points(dy, finance):
    scoring_profile_set(department_year=dy, execution_points=20, rounding="2", user=finance)
    evaluation = department(dy)
    # 20 × 0.95 = 19.00; the six indicators share 80: output 44.44 (14.81 + 14.81 + 14.82),
    # benefit 26.67 (13.34 + 13.33), satisfaction 8.89; all met: 19.00 + 80.00 = 99.00
    assert evaluation.execution_score == D("19.00")
    assert [score.points for score in evaluation.indicators] == [
        D("14.81"),
        D("14.81"),
        D("14.82"),
        D("13.34"),
        D("13.33"),
        D("8.89"),
    ]
    assert evaluation.raw == D("99.00")
    assert evaluation.score == D("99.00")
    row = ScoringProfile.objects.get()
    assert row.item is None and row.history.get().history_user == finance


def test_an_item_profile_wins_over_the_department_year_default(dy, project, finance):
    scoring_profile_set(department_year=dy, execution_points=10, rounding="0", user=finance)
    scoring_profile_set(department_year=dy, item=project, execution_points=20, rounding="2", user=finance)
    assert scope_profile(department_year_id=dy.pk, item_id=project.pk).execution_points == D("20")
    # the item: 20 × 0.76 = 15.20; 80 split 44.44 (X1, met) + 26.67 (X2 at half → 13.335 → 13.34)
    evaluation = item_score(project)
    assert evaluation.execution_score == D("15.20")
    assert [score.earned for score in evaluation.indicators] == [D("44.44"), D("13.34")]
    assert evaluation.raw == D("72.98")
    # the department keeps whole points: (95,000 + 760) ÷ 101,000 = 94.81 % → 9.48 → 9; each met
    # indicator earns its points (16.67 stays 16.67: never rounded above its points); 9 + 90 = 99
    department_evaluation = department(dy)
    assert department_evaluation.execution_score == D("9")
    assert department_evaluation.score == D("99.00")
    # the same through evaluations_for, which scores the department's items too
    by_item = evaluations_for(summary=budget_summary(department_year=dy)).by_item[project.pk]
    assert by_item.execution_score == D("15.20")


def test_clearing_a_profile_returns_to_the_defaults(dy, finance):
    scoring_profile_set(department_year=dy, execution_points=0, rounding="1", user=finance)
    # execution not scored, one decimal: the six share 100 as output 55.6 (18.5 + 18.5 + 18.6),
    # benefit 33.3 (16.7 + 16.6), satisfaction 11.1; all met: 0 + 100 = 100
    evaluation = department(dy)
    assert [score.points for score in evaluation.indicators] == [D("18.5"), D("18.5"), D("18.6"), D("16.7"), D("16.6"), D("11.1")]
    assert evaluation.score == D("100.00")
    assert scoring_profile_clear(department_year=dy, user=finance) is True
    assert department(dy).score == D("99.50")
    assert scoring_profile_clear(department_year=dy, user=finance) is False


def test_a_profile_is_refused_when_given_points_would_no_longer_total(dy, project, finance):
    Indicator.objects.filter(code="X1").update(points=D("50"))
    Indicator.objects.filter(code="X2").update(points=D("40"))
    with pytest.raises(ValidationError) as raised:
        scoring_profile_set(department_year=dy, item=project, execution_points=20, rounding="2", user=finance)
    assert raised.value.message_dict == {"execution_points": ["XM1：各指标分值合计须为80（100减预算执行率分值20），实为90.00"]}
    assert ScoringProfile.objects.count() == 0
    # the department default also governs XM1, so it is refused there too
    with pytest.raises(ValidationError, match="XM1"):
        scoring_profile_set(department_year=dy, execution_points=0, rounding="2", user=finance)


@pytest.mark.parametrize(
    ("points", "rounding", "field", "message"),
    [(15, "2", "execution_points", "预算执行率分值须为10、20或0"), (10, "3", "rounding", "得分保留小数位须为2、1或0")],
)
def test_a_setting_outside_the_choices_is_refused(dy, finance, points, rounding, field, message):
    with pytest.raises(ValidationError) as raised:
        scoring_profile_set(department_year=dy, execution_points=points, rounding=rounding, user=finance)
    assert raised.value.message_dict == {field: [message]}
    assert ScoringProfile.objects.count() == 0


def test_an_item_of_another_department_year_is_refused(dy, finance):
    other = BudgetItemFactory(code="XM9")
    with pytest.raises(ValidationError) as raised:
        scoring_profile_set(department_year=dy, item=other, execution_points=20, rounding="2", user=finance)
    assert raised.value.message_dict == {"item": ["该预算项目不属于本部门年度"]}


def test_an_override_is_kept_with_its_reason_and_author_and_the_score_uses_it(dy, project, finance):
    x2 = Indicator.objects.get(code="X2")
    saved = indicator_set_override(indicator=x2, earned=D("25"), reason="  因疫情延期，经复核酌情给分 ", user=finance)
    saved.refresh_from_db()
    assert saved.override_earned == D("25.00")
    assert saved.override_reason == "因疫情延期，经复核酌情给分"
    assert saved.override_by == finance
    assert saved.override_at is not None
    assert saved.history.first().history_user == finance
    # X1 output 50 met; X2 benefit 30 at half = 15.00 by the formula, 25 by the evaluator;
    # no satisfaction indicator: max 10 + 80 = 90; raw 7.60 + 50 + 25 = 82.60; 82.60 × 100 ÷ 90 = 91.777… → 91.78
    evaluation = item_score(project)
    x2_score = evaluation.indicators[1]
    assert (x2_score.computed_earned, x2_score.earned, x2_score.overridden) == (D("15.00"), D("25.00"), True)
    assert evaluation.raw == D("82.60")
    assert evaluation.max == D("90.00")
    assert evaluation.score == D("91.78")
    indicator_clear_override(indicator=saved, user=finance)
    saved.refresh_from_db()
    assert (saved.override_earned, saved.override_reason, saved.override_by) == (None, "", None)
    assert item_score(project).raw == D("72.60")


def test_an_override_needs_a_reason(dy, project, finance):
    x2 = Indicator.objects.get(code="X2")
    with pytest.raises(ValidationError) as raised:
        indicator_set_override(indicator=x2, earned=D("25"), reason="  ", user=finance)
    assert raised.value.message_dict == {"override_reason": ["调整得分须填写调整理由"]}
    x2.refresh_from_db()
    assert x2.override_earned is None


def test_an_override_above_the_points_is_refused(dy, project, finance):
    x2 = Indicator.objects.get(code="X2")  # 30 points under the defaults
    with pytest.raises(ValidationError) as raised:
        indicator_set_override(indicator=x2, earned=D("30.01"), reason="理由", user=finance)
    assert raised.value.message_dict == {"override_earned": ["评价人得分30.01须在0至分值30.00之间"]}
    x2.refresh_from_db()
    assert x2.override_earned is None


def test_a_profile_that_would_push_an_override_above_its_points_is_refused(dy, project, finance):
    indicator_set_override(indicator=Indicator.objects.get(code="X2"), earned=D("30"), reason="理由", user=finance)
    # with execution at 20 the benefit level is worth 26.67 < 30
    with pytest.raises(ValidationError, match="评价人得分30.00须在0至分值26.67之间"):
        scoring_profile_set(department_year=dy, item=project, execution_points=20, rounding="2", user=finance)
