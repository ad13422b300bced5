"""How workbook cells are read (DOMAIN.md section 4), on plain values, without the database."""

from datetime import date, datetime
from decimal import Decimal

import pytest

from fundmgr.workbook import schema
from fundmgr.workbook.reader import READERS, CellError, WorkbookError

AMOUNT = schema.LINES.column("amount")
DAY = schema.LINES.column("date")
RATE = schema.INDICATORS.column("rate")
TARGET = schema.INDICATORS.column("target")


def amount(value):
    return READERS[schema.AMOUNT](value, AMOUNT)


@pytest.mark.parametrize(
    "cell, expected",
    [
        (1234.5699999999, Decimal("1234.57")),
        (1234.5700000001, Decimal("1234.57")),
        (0.1 + 0.2, Decimal("0.30")),
        (100, Decimal("100.00")),
        (2638540.0, Decimal("2638540.00")),
        ("1,234,567.89", Decimal("1234567.89")),
        (" 12.5 ", Decimal("12.50")),
        ("12.300", Decimal("12.30")),
        ("0.01", Decimal("0.01")),
    ],
)
def test_amounts_are_read_exactly(cell, expected):
    assert amount(cell) == expected


@pytest.mark.parametrize(
    "cell, message",
    [
        (1234.567, "金额最多2位小数"),
        (1234.5649, "金额最多2位小数"),
        ("1234.561", "金额最多2位小数"),
        ("1,23", "金额须为数字，“1,23”不是数字"),
        ("12元", "金额须为数字，“12元”不是数字"),
        ("1e5", "金额须为数字，“1e5”不是数字"),
        (True, "金额须为数字"),
        (0, "金额须大于0"),
        ("-0.01", "金额须大于0"),
        (float("nan"), "金额须为数字"),
        (Decimal("100000000000000"), "金额过大"),
    ],
)
def test_bad_amounts_are_refused_with_the_reason(cell, message):
    with pytest.raises(CellError) as refusal:
        amount(cell)
    assert str(refusal.value) == message


@pytest.mark.parametrize(
    "cell, expected",
    [
        (date(2024, 3, 15), date(2024, 3, 15)),
        (datetime(2024, 3, 15, 0, 0), date(2024, 3, 15)),
        ("2024-03-15", date(2024, 3, 15)),
        ("2024/3/15", date(2024, 3, 15)),
        ("2024-3-5 00:00:00", date(2024, 3, 5)),
    ],
)
def test_dates_are_date_cells_or_text(cell, expected):
    assert READERS[schema.DATE](cell, DAY) == expected


@pytest.mark.parametrize("cell", ["2024-02-30", "15/03/2024", "2024年3月15日"])
def test_other_dates_are_refused(cell):
    with pytest.raises(CellError) as refusal:
        READERS[schema.DATE](cell, DAY)
    assert str(refusal.value) == "日期须为日期，如 2024-03-15 或 2024/3/15"


@pytest.mark.parametrize("cell", [45366, 45366.0])
def test_a_date_serial_number_is_refused_with_a_hint_to_format_the_cell(cell):
    with pytest.raises(CellError) as refusal:
        READERS[schema.DATE](cell, DAY)
    assert str(refusal.value).startswith("日期须为日期，单元格中是数字 45366")
    assert "请把单元格格式设为日期" in str(refusal.value)


def test_indicator_values_keep_four_decimals_and_may_be_zero():
    assert READERS[schema.VALUE](95, TARGET) == Decimal("95.0000")
    assert READERS[schema.VALUE](0, TARGET) == Decimal("0.0000")
    assert READERS[schema.VALUE]("86.4", RATE) == Decimal("86.40")


def test_enumerations_accept_the_chinese_labels_the_aliases_and_the_model_values():
    direction = schema.INDICATORS.column("direction")
    assert [READERS[schema.CHOICE](cell, direction) for cell in ("≥", ">=", "≤", "<=", "=", "定性", "ge")] == [
        "ge", "ge", "le", "le", "eq", "qualitative", "ge"
    ]
    source = schema.LINES.column("source")
    assert READERS[schema.CHOICE]("自治区安排", source) == "local"
    level2 = schema.INDICATORS.column("level2")
    assert READERS[schema.CHOICE]("社会效益指标", level2) == "社会效益"


def test_a_code_typed_as_a_number_is_read_as_its_digits():
    assert READERS[schema.TEXT](30216.0, schema.EXPENDITURES.column("economic_class")) == "30216"


def test_an_error_reads_sheet_row_column_then_the_problem():
    assert str(WorkbookError("支出明细", 12, "金额", "金额须大于0")) == "支出明细 第12行 金额: 金额须大于0"
    assert str(WorkbookError("支出明细", None, "", "缺少工作表“支出明细”")) == "支出明细: 缺少工作表“支出明细”"
    assert str(WorkbookError("", None, "", "文件不是有效的 Excel 工作簿（.xlsx）")) == "文件不是有效的 Excel 工作簿（.xlsx）"


def test_the_schema_maps_the_chinese_labels_to_the_model_values():
    assert schema.ITEMS.column("category").choices["人员类"] == "personnel"
    assert schema.LINES.column("source").choices["上级安排"] == "superior"
    assert schema.LINES.column("kind").choices["年初预算"] == "initial"
    assert schema.UNITS.column("kind").choices["参公管理事业单位"] == "civil_service_institution"
    assert schema.INDICATORS.column("tier").choices["部分达成"] == "partly"
    assert schema.INDICATORS.column("level1").choices["满意度指标"] == "satisfaction"
    assert schema.INDICATORS.column("direction").label_for("le") == "≤"
