"""目标值, 半年完成值 and 全年完成值 written as text in the 绩效指标 sheet (DOMAIN.md section 9): read
with indicators.targets.parse, kept as written beside the parsed figure, refused where unreadable,
and written back as written by the export."""

import io
from decimal import Decimal

import pytest

from fundmgr.workbook import workbook_import
from indicators.models import Indicator
from tests.fundmgr.workbook.test_export import round_trip
from tests.fundmgr.workbooks import valid_sheets, with_cell, xlsx

pytestmark = pytest.mark.django_db


def imported(sheets):
    result = workbook_import(source=io.BytesIO(xlsx(sheets)))
    return [str(error) for error in result.errors]


def sheet(*edits):
    """valid_sheets with 绩效指标 cells changed: (row, header, value) each."""
    sheets = valid_sheets()
    for row, header, value in edits:
        sheets = with_cell(sheets, "绩效指标", row, header, value)
    return sheets


def test_numbers_as_today_keep_no_text():
    assert imported(valid_sheets()) == []
    indicator = Indicator.objects.get(code="I1")
    assert (indicator.target, indicator.actual, indicator.target_text, indicator.actual_text) == (100, 100, "", "")


@pytest.mark.parametrize(
    ("direction", "target", "unit", "expected"),
    [
        ("≥", "≥200平方米", None, ("ge", Decimal("200"), "平方米")),
        ("≥", "98%以上", None, ("ge", Decimal("98"), "%")),
        ("≤", "≤10天", "天", ("le", Decimal("10"), "天")),
        ("≤", "不超过5%", None, ("le", Decimal("5"), "%")),
        ("≥", "5,000户", "户", ("ge", Decimal("5000"), "户")),
        ("≥", "1.2万人次", None, ("ge", Decimal("12000"), "人次")),
        ("≤", "100万元以内", None, ("le", Decimal("100"), "万元")),
        ("≥", "不低于９５％", None, ("ge", Decimal("95"), "%")),
        ("≤", "5000户", "户", ("le", Decimal("5000"), "户")),
    ],
)
def test_a_number_target_as_text_is_read_and_kept(direction, target, unit, expected):
    assert imported(sheet((2, "指标方向", direction), (2, "目标值", target), (2, "计量单位", unit))) == []
    indicator = Indicator.objects.get(code="I1")
    assert (indicator.direction, indicator.target, indicator.unit) == expected
    assert indicator.target_text == target


def test_values_as_text_and_a_qualitative_phrase():
    sheets = sheet(
        (2, "半年完成值", "60人"),
        (2, "全年完成值", "已完成120人"),
        (3, "目标值", "达到预期"),
        (3, "定性等级", None),
        (3, "得分率", None),
        (3, "全年完成值", "基本达成"),
    )
    assert imported(sheets) == []
    one, two = Indicator.objects.get(code="I1"), Indicator.objects.get(code="I2")
    assert (one.midyear, one.midyear_text, one.actual, one.actual_text) == (60, "60人", 120, "已完成120人")
    assert (two.target_text, two.actual_text, two.tier, two.actual) == ("达到预期", "基本达成", "partly", None)


@pytest.mark.parametrize(
    ("edits", "message"),
    [
        (
            ((2, "目标值", "详见附件"),),
            "绩效指标 第2行 目标值: 目标值“详见附件”无法识别：请填写数字（可带单位和≥、≤、以上、以下）、日期（如12月底前），或定性表述（如达到预期）",
        ),
        (
            ((2, "全年完成值", "12月底前"),),
            "绩效指标 第2行 全年完成值: 全年完成值“12月底前”是日期，只用于日期目标值（如12月底前）",
        ),
        (((2, "目标值", "≤100人"),), "绩效指标 第2行 目标值: 目标值“≤100人”与指标方向“≥”不一致"),
        (((2, "全年完成值", "100平方米"),), "绩效指标 第2行 全年完成值: 全年完成值“100平方米”的单位与计量单位“人”不一致"),
        (((2, "目标值", "达到预期"),), "绩效指标 第2行 目标值: 目标值“达到预期”是定性表述，指标方向须为“定性”"),
    ],
)
def test_an_unreadable_or_inconsistent_text_is_refused_where_it_is(edits, message):
    assert message in imported(sheet(*edits))
    assert Indicator.objects.count() == 0


def test_the_export_writes_the_text_as_written_and_reimports_it(world):
    Indicator.objects.filter(department_year=world.department_year).update(target_text="", actual_text="")
    indicator = Indicator.objects.filter(department_year=world.department_year, direction="ge").first()
    indicator.target_text = f"{indicator.target.normalize():f}{indicator.unit}以上"
    indicator.actual_text = f"完成{indicator.actual.normalize():f}{indicator.unit}" if indicator.actual is not None else ""
    indicator.save()
    restored = round_trip(world.department_year)
    again = Indicator.objects.get(department_year=restored, code=indicator.code)
    assert (again.target_text, again.actual_text) == (indicator.target_text, indicator.actual_text)
    assert (again.target, again.actual) == (indicator.target, indicator.actual)
