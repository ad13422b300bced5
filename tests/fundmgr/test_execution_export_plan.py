"""The 预算执行情况表 with section 8's figures: transfer, plan, forecast and lag columns on the item
sheet, transfers on the budget sheets, and the 用款计划执行情况表 of monthly plan against actual.

The ledger is tests/fundmgr/plan_support.py's, for the whole year (December): A1 plans 95,000.00
and has spent 35,000.00 (36.84 %: red); A2 has 62,000.00 with the 2,000.00 transferred in, no plan
(its plan is its budget) and 30,000.00 spent (48.39 %: red); B1 has 43,000.00 after 2,000.00 out
and 5,000.00 spent (11.63 %: red). The workbook states 万元: every amount is checked in 万元 to
the cent of 万元, as the cells hold it.
"""

from datetime import date
from decimal import Decimal

import pytest

from projects.models import BudgetItem
from tests.exports.known_ledger import find_row, number, open_workbook
from tests.fundmgr.dashboard_support import ledger, personas, plain_static_files, spend  # noqa: F401
from tests.fundmgr.plan_support import add_plan_and_transfer

HEADER_ROW = 3


@pytest.fixture
def planned(ledger):
    add_plan_and_transfer(ledger)
    return ledger


def columns(ws) -> dict[str, int]:
    return {ws.cell(HEADER_ROW, column).value: column for column in range(1, ws.max_column + 1)}


def row_of(ws, code) -> int:
    return find_row(ws, code, column=2)


def test_the_item_sheet_gains_transfer_plan_and_forecast_columns(planned):
    ws = open_workbook("execution", planned)["按项目"]
    column = columns(ws)
    assert list(column)[4:] == [
        "年初预算", "年中追加", "年中调减", "上年结转", "全年预算数", "执行数", "执行率",
        "调入", "调出", "计划进度数", "计划执行率", "预计全年执行数", "预计执行率", "进度",
    ]  # fmt: skip

    def figures(code):
        row = row_of(ws, code)
        return [
            number(ws.cell(row, column[name]))
            for name in ("调入", "调出", "全年预算数", "计划进度数", "计划执行率", "预计全年执行数", "预计执行率")
        ] + [ws.cell(row, column["进度"]).value]

    assert figures("A1") == [
        Decimal("0.00"), Decimal("0.00"), Decimal("10.00"), Decimal("9.50"), Decimal("0.3684"), Decimal("3.50"), Decimal("0.35"), "严重滞后",
    ]  # fmt: skip
    assert figures("A2") == [
        Decimal("0.20"), Decimal("0.00"), Decimal("6.20"), Decimal("6.20"), Decimal("0.4839"), Decimal("3.00"), Decimal("0.4839"), "严重滞后",
    ]  # fmt: skip
    assert figures("B1") == [
        Decimal("0.00"), Decimal("0.20"), Decimal("4.30"), Decimal("4.30"), Decimal("0.1163"), Decimal("0.50"), Decimal("0.1163"), "严重滞后",
    ]  # fmt: skip
    total = find_row(ws, "合计")
    assert number(ws.cell(total, column["调入"])) == number(ws.cell(total, column["调出"])) == Decimal("0.20")
    assert number(ws.cell(total, column["计划进度数"])) == Decimal("20.00")  # 95,000 + 62,000 + 43,000
    assert number(ws.cell(total, column["预计全年执行数"])) == Decimal("7.00")
    assert ws.cell(row_of(ws, "A1"), column["进度"]).fill.fgColor.rgb.endswith("F8D7DA")  # the red badge's colour


def test_an_item_on_plan_is_green_and_says_so(planned):
    spend(BudgetItem.objects.get(department_year=planned, code="A1"), "60000.00", date(2024, 11, 30))
    ws = open_workbook("execution", planned)["按项目"]
    column = columns(ws)
    row = row_of(ws, "A1")
    assert number(ws.cell(row, column["计划执行率"])) == Decimal("1.00")  # 95,000 of 95,000
    assert ws.cell(row, column["进度"]).value == "正常"
    assert ws.cell(row, column["进度"]).fill.fgColor.rgb.endswith("D4EDDA")


def test_the_unit_and_source_sheets_show_the_transfer_on_both_sides(planned):
    wb = open_workbook("execution", planned)
    ws = wb["按单位和类别"]
    column = columns(ws)
    subtotals = [row for row in range(4, ws.max_row + 1) if ws.cell(row, 2).value == "小计"]
    unit_a, unit_b = subtotals
    assert number(ws.cell(unit_a, column["调入"])) == Decimal("0.20")
    assert number(ws.cell(unit_b, column["调出"])) == Decimal("0.20")
    assert number(ws.cell(unit_a, column["全年预算数"])) == Decimal("16.20")  # 100,000 + 62,000
    ws = wb["按资金来源"]
    column = columns(ws)
    local = find_row(ws, "本级财政")
    assert number(ws.cell(local, column["调入"])) == number(ws.cell(local, column["调出"])) == Decimal("0.20")


def test_the_monthly_plan_sheet_sets_each_months_plan_against_actual(planned):
    ws = open_workbook("execution", planned)["用款计划执行情况表"]
    column = columns(ws)
    assert list(column)[:4] == ["预算单位", "项目编码", "项目名称", "计划类型"]
    assert list(column)[-2:] == ["全年计划", "全年实际"]
    assert len(column) == 4 + 24 + 2
    a1, a2, b1 = row_of(ws, "A1"), row_of(ws, "A2"), row_of(ws, "B1")
    assert ws.cell(a1, column["计划类型"]).value == "用款计划"
    assert ws.cell(a2, column["计划类型"]).value == "按序时进度"
    assert [number(ws.cell(a1, column[f"{month}月计划"])) for month in (1, 2, 3, 4, 12)] == [
        Decimal("1.00"), Decimal("1.00"), Decimal("3.00"), Decimal("0.50"), Decimal("0.50"),
    ]  # fmt: skip
    assert [number(ws.cell(a1, column[f"{month}月实际"])) for month in (1, 2, 3, 4, 5)] == [
        Decimal("0.00"), Decimal("1.00"), Decimal("2.00"), Decimal("0.50"), Decimal("0.00"),
    ]  # fmt: skip
    assert number(ws.cell(a1, column["全年计划"])) == Decimal("9.50")
    assert number(ws.cell(a1, column["全年实际"])) == Decimal("3.50")
    # A2's linear plan: 62,000.00 ÷ 12 = 5,166.67 in January, shown as 0.52 万元; its year is its budget
    assert number(ws.cell(a2, column["1月计划"])) == Decimal("0.52")
    assert number(ws.cell(a2, column["全年计划"])) == Decimal("6.20")
    assert number(ws.cell(b1, column["12月实际"])) == Decimal("0.10")
    total = find_row(ws, "合计")
    assert number(ws.cell(total, column["全年计划"])) == Decimal("20.00")
    assert number(ws.cell(total, column["全年实际"])) == Decimal("7.00")
    assert number(ws.cell(total, column["3月计划"])) == Decimal("3.88")  # 30,000 + 5,166.67 + 3,583.33 = 38,750.00


def test_the_monthly_plan_sheet_states_its_unit_as_wan(planned):
    ws = open_workbook("execution", planned)["用款计划执行情况表"]
    assert "单位：万元" in ws.cell(2, 1).value
