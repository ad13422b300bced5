from decimal import Decimal

from fundmgr.lib.money import wan
from projects.selectors import budget_summary
from tests.exports.known_ledger import find_row, number, open_workbook

INITIAL, ADDITION, REDUCTION, CARRYOVER, FULL_YEAR, SPENT, RATE = range(3, 10)


def test_execution_workbook_has_the_four_tables_and_the_monthly_plan(ledger):
    wb = open_workbook("execution", ledger.department_year)
    assert wb.sheetnames == ["按单位和类别", "按项目", "按资金来源", "按经济分类", "用款计划执行情况表"]


def test_unit_by_category_cells_hold_the_summary_figures_in_wan_as_numbers(ledger):
    ws = open_workbook("execution", ledger.department_year)["按单位和类别"]
    total = find_row(ws, "合计")
    summary = budget_summary(department_year=ledger.department_year)
    assert number(ws.cell(total, FULL_YEAR)) == wan(summary.totals.full_year) == Decimal("445.00")
    assert number(ws.cell(total, SPENT)) == wan(summary.totals.spent) == Decimal("379.00")
    assert number(ws.cell(total, INITIAL)) == Decimal("425.00")
    assert number(ws.cell(total, REDUCTION)) == Decimal("10.00")
    assert number(ws.cell(total, RATE)) == Decimal("0.8517")
    assert ws.cell(total, FULL_YEAR).number_format == "#,##0.00"
    assert ws.cell(total, RATE).number_format == "0.00%"


def test_each_unit_subtotal_equals_the_sum_of_its_category_rows(ledger):
    ws = open_workbook("execution", ledger.department_year)["按单位和类别"]
    first = 4
    subtotals = [row for row in range(first, ws.max_row + 1) if ws.cell(row, 2).value == "小计"]
    assert len(subtotals) == 2
    for subtotal in subtotals:
        rows = range(subtotal - 3, subtotal)
        for column in range(INITIAL, SPENT + 1):
            assert number(ws.cell(subtotal, column)) == sum(number(ws.cell(row, column)) for row in rows)
    total = find_row(ws, "合计")
    for column in range(INITIAL, SPENT + 1):
        assert number(ws.cell(total, column)) == sum(number(ws.cell(row, column)) for row in subtotals)


def test_unit_subtotal_shows_the_unit_figures(ledger):
    ws = open_workbook("execution", ledger.department_year)["按单位和类别"]
    subtotal = find_row(ws, "小计", column=2)
    assert ws.cell(subtotal, 1).value == "测试部门（本级）"
    assert [number(ws.cell(subtotal, c)) for c in range(INITIAL, SPENT + 1)] == [
        Decimal("335.00"), Decimal("20.00"), Decimal("10.00"), Decimal("2.00"), Decimal("347.00"), Decimal("285.00"),
    ]


def test_item_table_subtotals_and_total_equal_the_sum_of_their_rows(ledger):
    ws = open_workbook("execution", ledger.department_year)["按项目"]
    full_year, spent = 9, 10
    items = [row for row in range(4, ws.max_row + 1) if ws.cell(row, 2).value and ws.cell(row, 2).value != ""]
    subtotals = [row for row in range(4, ws.max_row + 1) if ws.cell(row, 3).value == "小计"]
    assert [ws.cell(row, 2).value for row in items] == ["A-P01", "A-O01", "A-X01", "B-P01", "B-X01"]
    assert number(ws.cell(subtotals[0], full_year)) == sum(number(ws.cell(row, full_year)) for row in items[:3])
    assert number(ws.cell(subtotals[1], spent)) == sum(number(ws.cell(row, spent)) for row in items[3:])
    total = find_row(ws, "合计")
    assert number(ws.cell(total, full_year)) == Decimal("445.00")
    assert number(ws.cell(total, spent)) == sum(number(ws.cell(row, spent)) for row in items)


def test_source_table_matches_the_summary_by_source(ledger):
    ws = open_workbook("execution", ledger.department_year)["按资金来源"]
    summary = budget_summary(department_year=ledger.department_year)
    full_year = 6
    assert number(ws.cell(find_row(ws, "上级安排"), full_year)) == wan(summary.by_source["superior"]) == Decimal("210.00")
    assert number(ws.cell(find_row(ws, "本级财政"), full_year)) == wan(summary.by_source["local"]) == Decimal("228.00")
    assert number(ws.cell(find_row(ws, "其他资金"), full_year)) == wan(summary.by_source["other"]) == Decimal("7.00")
    total = find_row(ws, "合计")
    assert number(ws.cell(total, full_year)) == Decimal("425.00") + Decimal("20.00") - Decimal("10.00") + Decimal("10.00")
    assert number(ws.cell(total, 5)) == Decimal("10.00")  # carryover: 2 (其他资金) + 8 (本级财政)


def test_economic_class_rows_are_subtotals_of_their_items(ledger):
    ws = open_workbook("execution", ledger.department_year)["按经济分类"]
    codes = [ws.cell(row, 1).value for row in range(4, find_row(ws, "合计"))]
    assert codes == ["301", "30101", "30102", "30107", "302", "30201", "30211", "30216", "30227", "310", "31002"]
    row_of = {ws.cell(row, 1).value: row for row in range(4, ws.max_row + 1)}
    assert number(ws.cell(row_of["301"], 3)) == Decimal("148.00")
    assert number(ws.cell(row_of["301"], 3)) == sum(number(ws.cell(row_of[c], 3)) for c in ("30101", "30102", "30107"))
    assert number(ws.cell(row_of["302"], 3)) == sum(
        number(ws.cell(row_of[c], 3)) for c in ("30201", "30211", "30216", "30227")
    )
    total = find_row(ws, "合计")
    assert number(ws.cell(total, 3)) == Decimal("379.00")


def test_a_subtotal_is_rounded_from_yuan_not_summed_from_rounded_rows(ledger):
    # Two ¥50 appropriations are 0.01 万元 each when shown, but together ¥100 = 0.01 万元.
    from datetime import date

    from projects.models import BudgetItem, BudgetLine

    item = BudgetItem.objects.create(
        department_year=ledger.department_year, unit=ledger.unit_b, code="B-O01", name="公用经费",
        category=BudgetItem.Category.OPERATING,
    )
    for _ in range(2):
        BudgetLine.objects.create(item=item, source="local", kind="initial", amount=Decimal("50.00"), date=date(2024, 2, 1))
    ws = open_workbook("execution", ledger.department_year)["按单位和类别"]
    total = find_row(ws, "合计")
    assert number(ws.cell(total, INITIAL)) == Decimal("425.01")


def test_every_table_has_print_setup_and_frozen_header(ledger):
    wb = open_workbook("execution", ledger.department_year)
    for ws in wb.worksheets:
        assert ws.page_setup.orientation == "landscape"
        assert ws.page_setup.paperSize == 9  # A4
        assert ws.sheet_properties.pageSetUpPr.fitToPage
        assert ws.page_setup.fitToWidth == 1
        assert ws.print_title_rows == "$1:$3"
        assert ws.freeze_panes == "A4"
        assert "A1:" in str(ws.merged_cells)


def test_the_file_carries_who_generated_it_and_when(ledger):
    wb = open_workbook("execution", ledger.department_year)
    assert wb.properties.creator == "测试用户"
    assert wb.properties.created.date().isoformat() == "2025-03-12"
