from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from indicators.models import Indicator
from indicators.services import indicator_update_results
from tests import personas
from tests.builders import DepartmentYearFactory, IndicatorFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def dy():
    return DepartmentYearFactory(department__code="T01")


@pytest.fixture
def finance(dy):
    return personas.member(personas.user("finance"), dy, "finance")


def test_a_missed_target_cannot_be_final_without_reason_and_measures(dy, finance):
    counted = IndicatorFactory(department_year=dy, code="D1", target=Decimal("5000"), level2="数量指标", unit="个")
    with pytest.raises(ValidationError) as raised:
        indicator_update_results(indicator=counted, midyear=None, actual=Decimal("4000"), final=True, user=finance)
    assert set(raised.value.message_dict) == {"deviation_reason", "corrective_measures"}
    counted.refresh_from_db()
    assert counted.actual is None  # nothing saved
    assert not counted.results_final


def test_a_missed_target_can_be_saved_as_a_draft_without_a_reason(dy, finance):
    counted = IndicatorFactory(department_year=dy, code="D1", target=Decimal("5000"), level2="数量指标", unit="个")
    saved = indicator_update_results(indicator=counted, midyear=Decimal("800"), actual=Decimal("4000"), user=finance)
    assert saved.actual == Decimal("4000")
    assert not saved.results_final


def test_a_missed_target_with_reason_and_measures_is_final_and_history_records_who(dy, finance):
    counted = IndicatorFactory(department_year=dy, code="D1", target=Decimal("5000"), level2="数量指标", unit="个")
    indicator_update_results(
        indicator=counted,
        midyear=Decimal("800"),
        actual=Decimal("4000"),
        deviation_reason="  南疆项目延期  ",
        corrective_measures="下半年加快进度",
        final=True,
        user=finance,
    )
    counted.refresh_from_db()
    assert (counted.actual, counted.midyear, counted.results_final) == (Decimal("4000"), Decimal("800"), True)
    assert counted.deviation_reason == "南疆项目延期"
    assert counted.history.latest().history_user == finance


def test_a_met_target_is_final_without_a_reason(dy, finance):
    counted = IndicatorFactory(department_year=dy, code="D1", target=Decimal("5000"), level2="数量指标", unit="个")
    saved = indicator_update_results(indicator=counted, midyear=None, actual=Decimal("5000"), final=True, user=finance)
    assert saved.results_final


def test_final_needs_the_year_end_value(dy, finance):
    counted = IndicatorFactory(department_year=dy, code="D1", target=Decimal("5000"), level2="数量指标", unit="个")
    with pytest.raises(ValidationError) as raised:
        indicator_update_results(indicator=counted, midyear=Decimal("800"), actual=None, final=True, user=finance)
    assert "全年完成值" in raised.value.message_dict["actual"][0]


def test_a_tier_rate_outside_its_range_is_refused_naming_the_rate(dy, finance):
    qualitative = IndicatorFactory(
        department_year=dy, code="Q1", direction=Indicator.Direction.QUALITATIVE, unit="", level2="数量指标", target=None
    )
    with pytest.raises(ValidationError) as raised:
        indicator_update_results(
            indicator=qualitative, midyear=None, actual=None, tier="partly", rate=Decimal("85"), user=finance
        )
    assert "得分率" in raised.value.message_dict["rate"][0]
    qualitative.refresh_from_db()
    assert qualitative.tier == ""


def test_a_qualitative_indicator_takes_a_tier_and_rate(dy, finance):
    qualitative = IndicatorFactory(
        department_year=dy, code="Q1", direction=Indicator.Direction.QUALITATIVE, unit="", level2="数量指标", target=None
    )
    saved = indicator_update_results(
        indicator=qualitative,
        midyear=None,
        actual=None,
        tier="achieved",
        rate=Decimal("95"),
        deviation_reason="个别地州宣传不足",
        corrective_measures="加强宣传",
        final=True,
        user=finance,
    )
    assert (saved.tier, saved.rate, saved.results_final) == ("achieved", Decimal("95"), True)


def test_a_quantitative_indicator_refuses_a_tier(dy, finance):
    counted = IndicatorFactory(department_year=dy, code="D1", target=Decimal("5000"), level2="数量指标", unit="个")
    with pytest.raises(ValidationError) as raised:
        indicator_update_results(indicator=counted, midyear=None, actual=Decimal("1"), tier="achieved", user=finance)
    assert "tier" in raised.value.message_dict


def test_saving_results_of_an_indicator_deleted_meanwhile_is_refused_with_a_message(dy, finance):
    stale = IndicatorFactory(department_year=dy, code="D9", target=Decimal("10"), level2="数量指标", unit="个")
    Indicator.objects.filter(pk=stale.pk).delete()
    with pytest.raises(ValidationError) as raised:
        indicator_update_results(indicator=stale, midyear=None, actual=Decimal("10"), user=finance)
    assert "该绩效指标已不存在" in raised.value.messages[0]
    assert not Indicator.objects.filter(code="D9").exists()
