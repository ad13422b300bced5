"""Date targets and the department's own 定性表述 in the workbook import (DOMAIN.md section 9).

A date target (12月底前) is a qualitative indicator whose 全年完成值 is a date or a phrase: met or
not, it gives the 定性等级 when none is written. The department's phrase list, once edited on the
phrase page, reads the texts of its workbooks."""

import io
from datetime import datetime
from decimal import Decimal

import pytest

from fundmgr.workbook import workbook_import
from indicators.models import Indicator
from indicators.selectors import scope_evaluation
from indicators.services import phrase_set
from tests.builders import DepartmentFactory
from tests.fundmgr.workbook.test_export import round_trip
from tests.fundmgr.workbooks import valid_sheets, with_cell, xlsx

pytestmark = pytest.mark.django_db


def imported(sheets) -> list[str]:
    return [str(error) for error in workbook_import(source=io.BytesIO(xlsx(sheets))).errors]


def date_target(direction="定性", actual="11月20日", tier=None):
    """valid_sheets with I2 (效益指标, 30 points by default) a date target: 12月底前 of 2024."""
    sheets = valid_sheets()
    for header, value in (
        ("指标方向", direction),
        ("目标值", "12月底前"),
        ("全年完成值", actual),
        ("定性等级", tier),
        ("得分率", None),
    ):
        sheets = with_cell(sheets, "绩效指标", 3, header, value)
    return sheets


def evaluation():
    """The department's score at an execution rate of 50 %: 5.00 execution points + the indicators'."""
    indicators = list(Indicator.objects.filter(item__isnull=True).order_by("position"))
    return scope_evaluation(indicators=indicators, execution_rate=Decimal("0.5"))


def earned(result) -> dict[str, tuple]:
    return {score.code: (score.points, score.ratio, score.earned) for score in result.indicators}


def test_a_date_target_met_by_the_actual_date_is_achieved_and_scores_in_full():
    assert imported(date_target(actual="11月20日")) == []
    indicator = Indicator.objects.get(code="I2")
    assert (indicator.direction, indicator.target, indicator.target_text) == ("qualitative", None, "12月底前")
    assert (indicator.actual, indicator.actual_text, indicator.tier) == (None, "11月20日", "achieved")
    result = evaluation()
    # I1 50 × 1, I2 30 × 1 (r = 1: the date met), I3 10 × 1; 5.00 + 90.00 = 95.00
    assert earned(result)["I2"] == (Decimal("30.00"), Decimal("1"), Decimal("30.00"))
    assert (result.raw, result.score) == (Decimal("95.00"), Decimal("95.00"))


def test_a_date_target_missed_is_not_achieved_and_earns_nothing():
    assert imported(date_target(actual="2025年1月5日")) == []
    indicator = Indicator.objects.get(code="I2")
    assert (indicator.actual_text, indicator.tier) == ("2025年1月5日", "not_achieved")
    result = evaluation()
    assert earned(result)["I2"] == (Decimal("30.00"), Decimal("0"), Decimal("0.00"))
    # 5.00 + 50.00 + 0.00 + 10.00
    assert (result.raw, result.score) == (Decimal("65.00"), Decimal("65.00"))


@pytest.mark.parametrize(
    ("actual", "tier"),
    [
        ("2024年12月31日", "achieved"),  # on the day is on time
        (datetime(2024, 11, 20), "achieved"),  # Excel's date cell for a typed 2024-11-20
        ("按时完成", "achieved"),
        ("未完成", "not_achieved"),
    ],
)
def test_the_actual_of_a_date_target_may_be_a_date_or_a_phrase(actual, tier):
    assert imported(date_target(actual=actual)) == []
    assert Indicator.objects.get(code="I2").tier == tier


def test_a_written_tier_wins_over_the_date():
    assert imported(date_target(actual="2025年1月5日", tier="部分达成")) == []
    assert Indicator.objects.get(code="I2").tier == "partly"


def test_a_direction_symbol_agreeing_with_the_date_is_accepted():
    assert imported(date_target(direction="≤")) == []
    assert Indicator.objects.get(code="I2").direction == "qualitative"


def test_a_direction_contradicting_the_date_is_refused():
    assert imported(date_target(direction="≥")) == ["绩效指标 第3行 目标值: 目标值“12月底前”是日期，指标方向须为“≤”或“定性”"]
    assert Indicator.objects.count() == 0


def test_a_date_where_the_target_is_a_number_is_refused():
    sheets = with_cell(valid_sheets(), "绩效指标", 2, "全年完成值", "11月20日")
    assert imported(sheets) == ["绩效指标 第2行 全年完成值: 全年完成值“11月20日”是日期，只用于日期目标值（如12月底前）"]


def test_the_department_phrase_list_reads_the_workbook():
    sheets = with_cell(valid_sheets(), "绩效指标", 3, "定性等级", None)
    sheets = with_cell(sheets, "绩效指标", 3, "得分率", None)
    sheets = with_cell(sheets, "绩效指标", 3, "全年完成值", "圆满完成")
    assert imported(sheets) == [
        "绩效指标 第3行 全年完成值: 全年完成值“圆满完成”无法识别：请填写数字（可带单位和≥、≤、以上、以下）、日期（如12月底前），或定性表述（如达到预期）"
    ]
    assert Indicator.objects.count() == 0
    # the department of the workbook (部门编码 TEST) adds the phrase to its list
    phrase_set(department=DepartmentFactory(code="TEST", name="测试部门"), phrase="圆满完成", tier="achieved")
    assert imported(sheets) == []
    indicator = Indicator.objects.get(code="I2")
    assert (indicator.actual_text, indicator.tier) == ("圆满完成", "achieved")


def test_another_department_phrase_list_does_not_read_the_workbook():
    phrase_set(department=DepartmentFactory(code="OTHER"), phrase="圆满完成", tier="achieved")
    sheets = with_cell(valid_sheets(), "绩效指标", 3, "全年完成值", "圆满完成")
    assert "绩效指标 第3行 全年完成值: 全年完成值“圆满完成”无法识别" in imported(sheets)[0]


@pytest.mark.parametrize(("actual_text", "tier"), [("11月20日", "achieved"), ("2025年1月5日", "not_achieved")])
def test_a_date_target_survives_export_and_import(world, actual_text, tier):
    Indicator.objects.filter(pk=world.indicator_b.pk).update(
        direction="qualitative",
        target=None,
        unit="",
        target_text="12月底前",
        actual=None,
        actual_text=actual_text,
        midyear=None,
        tier=tier,
    )
    restored = round_trip(world.department_year)
    again = Indicator.objects.get(department_year=restored, code=world.indicator_b.code)
    assert (again.direction, again.target, again.target_text) == ("qualitative", None, "12月底前")
    assert (again.actual_text, again.tier) == (actual_text, tier)
