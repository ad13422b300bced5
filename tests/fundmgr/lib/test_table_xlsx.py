"""The one table writer (fundmgr.lib.table_xlsx): a title, the unit line, the header, the rows
and a 合计 row; money exact yuan, rates percent cells, widths fitted, text never a formula."""

import io
from decimal import Decimal

import django_tables2 as tables
from openpyxl import Workbook, load_workbook

from fundmgr.lib.columns import MoneyColumn, RateColumn
from fundmgr.lib.table_xlsx import display_width, export_filename, write_table


class Spending(tables.Table):
    name = tables.Column(verbose_name="单位")
    budget = MoneyColumn("全年预算数")
    spent = MoneyColumn("执行数")
    rate = RateColumn(verbose_name="执行率", ratio_of=("spent", "budget"))
    pace = RateColumn(verbose_name="执行率 ÷ 序时进度")

    export_title = "单位执行:情况?"


ROWS = [
    {"name": "=HYPERLINK(\"http://evil\")", "budget": Decimal("160000.00"), "spent": Decimal("65000.00"),
     "rate": Decimal("65000") / Decimal("160000"), "pace": Decimal("0.8125")},
    {"name": "乙单位", "budget": Decimal("45000.01"), "spent": Decimal("5000.00"),
     "rate": Decimal("5000.00") / Decimal("45000.01"), "pace": None},
]


def written(rows) -> Workbook:
    workbook = Workbook(write_only=True)
    write_table(workbook, Spending(rows), title="单位执行:情况?")
    buffer = io.BytesIO()
    workbook.save(buffer)
    return load_workbook(buffer)


def test_a_table_is_written_title_unit_header_rows_and_totals():
    sheet = written(ROWS).active
    assert sheet.title == "单位执行_情况_"  # a sheet name holds no : or ?
    values = list(sheet.iter_rows(values_only=True))
    assert values[0][0] == "单位执行:情况?" and values[1][0] == "单位：元"
    assert values[2] == ("单位", "全年预算数（元）", "执行数（元）", "执行率", "执行率 ÷ 序时进度")
    assert Decimal(str(values[4][1])) == Decimal("45000.01")  # exact yuan, to the cent
    assert Decimal(str(values[3][3])) == Decimal("0.4063")  # 40.625 % shown as 40.63 %, half up
    totals = values[-1]
    assert totals[0] == "合计"
    assert Decimal(str(totals[1])) == Decimal("205000.01") and Decimal(str(totals[2])) == Decimal("70000.00")
    assert Decimal(str(totals[3])) == Decimal("0.3415")  # 70,000.00 / 205,000.01, not 40.63 % + 11.11 %
    assert totals[4] is None  # a ratio the totals cannot give stays blank
    assert sheet["B4"].number_format == "#,##0.00" and sheet["D4"].number_format == "0.00%"
    assert sheet["A3"].font.bold and sheet["A6"].font.bold  # the header and the totals
    assert sheet.freeze_panes == "A4"  # the header stays in view


def test_user_text_that_looks_like_a_formula_stays_text():
    cell = written(ROWS).active["A4"]
    assert cell.data_type == "s" and cell.value.startswith("=HYPERLINK")


def test_column_widths_fit_the_content_a_cjk_character_counting_double():
    assert display_width("执行率 ÷ 序时进度") == 7 * 2 + 3
    sheet = written(ROWS).active
    assert sheet.column_dimensions["B"].width == display_width("全年预算数（元）") + 2
    assert sheet.column_dimensions["A"].width == len('=HYPERLINK("http://evil")') + 2


def test_an_empty_table_still_has_its_header_and_a_zero_total():
    values = list(written([]).active.iter_rows(values_only=True))
    assert values[2][0] == "单位" and values[3][:3] == ("合计", 0, 0) and values[3][3] is None


def test_a_file_name_is_the_prefix_and_the_title_without_unsafe_characters():
    assert export_filename(Spending([]), prefix='XJWF-2024-"A/B"') == "XJWF-2024-_A_B_-单位执行_情况_.xlsx"
