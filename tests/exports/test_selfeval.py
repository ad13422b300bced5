from decimal import Decimal

from indicators.services import scoring_profile_set
from projects.models import BudgetItem
from tests.exports.known_ledger import find_row, number, open_workbook

INITIAL, FULL_YEAR, SPENT, POINTS, RATE, EARNED = 4, 5, 6, 7, 8, 9


def test_self_evaluation_total_and_rating_cells_hold_the_department_score(ledger):
    ws = open_workbook("self-evaluation", ledger.department_year).active
    total = find_row(ws, "总分")
    assert number(ws.cell(total, 7)) == Decimal("100.00")
    assert number(ws.cell(total, 8)) == Decimal("93.52")  # 8.52 execution + 25 + 20 + 30 + 10
    assert ws.cell(find_row(ws, "评价等级"), 7).value == "优"


def test_budget_block_holds_the_summary_figures_in_wan(ledger):
    ws = open_workbook("self-evaluation", ledger.department_year).active
    row = find_row(ws, "年度资金总额", column=2)
    assert [number(ws.cell(row, c)) for c in (INITIAL, FULL_YEAR, SPENT)] == [
        Decimal("425.00"), Decimal("445.00"), Decimal("379.00"),
    ]
    assert number(ws.cell(row, POINTS)) == Decimal("10")
    assert number(ws.cell(row, RATE)) == Decimal("0.8517")
    assert number(ws.cell(row, EARNED)) == Decimal("8.52")


def test_budget_block_rows_add_up_to_the_total(ledger):
    ws = open_workbook("self-evaluation", ledger.department_year).active
    total = find_row(ws, "年度资金总额", column=2)
    split = [total + 1, total + 2, total + 3]
    assert ws.cell(split[0], 2).value == "其中：当年财政拨款"
    # Carryover is spent first, then the year's fiscal money, then other funds.
    assert [number(ws.cell(row, FULL_YEAR)) for row in split] == [Decimal("430.00"), Decimal("10.00"), Decimal("5.00")]
    assert [number(ws.cell(row, SPENT)) for row in split] == [Decimal("369.00"), Decimal("10.00"), Decimal("0.00")]
    for column in (INITIAL, FULL_YEAR, SPENT):
        assert number(ws.cell(total, column)) == sum(number(ws.cell(row, column)) for row in split)


def test_indicator_rows_show_points_earned_and_deviation(ledger):
    ws = open_workbook("self-evaluation", ledger.department_year).active
    first = find_row(ws, "一级指标") + 1
    names = [ws.cell(row, 3).value for row in range(first, first + 4)]
    assert names == ["培训妇女人数", "培训合格率", "法律知识知晓率", "群众满意度"]
    missed = first + 1
    assert ws.cell(missed, 4).value == "≥50%"  # the page's symbol (indicators.wording)
    assert number(ws.cell(missed, 6)) == Decimal("40")
    assert number(ws.cell(missed, 7)) == Decimal("25.00")
    assert number(ws.cell(missed, 8)) == Decimal("20.00")
    assert "未完成目标值" in ws.cell(missed, 9).value and "受天气影响延期" in ws.cell(missed, 9).value
    assert ws.cell(first + 3, 9).value == "无偏差"
    assert ws.cell(first, 9).value == "无偏差"  # only behind at mid-year
    assert ws.cell(first, 1).value == "产出指标"
    assert any(str(rng).startswith(f"A{first}:A{first + 1}") for rng in ws.merged_cells.ranges)


def test_self_evaluation_is_laid_out_for_printing(ledger):
    ws = open_workbook("self-evaluation", ledger.department_year).active
    assert ws["A1"].value == "部门整体支出绩效自评表"
    assert "A1:J1" in {str(rng) for rng in ws.merged_cells.ranges}
    assert ws.page_setup.orientation == "landscape" and ws.page_setup.fitToWidth == 1
    assert ws.freeze_panes == "A4"
    assert ws.print_title_rows == "$1:$3"


def test_project_evaluation_has_one_sheet_per_item_with_indicators(ledger):
    wb = open_workbook("project-evaluation", ledger.department_year)
    assert wb.sheetnames == ["A-X01"]
    ws = wb["A-X01"]
    assert ws["A1"].value == "项目支出绩效自评表"
    assert ws.cell(find_row(ws, "项目名称"), 3).value == "A-X01 妇女培训项目"
    budget = find_row(ws, "年度资金总额", column=2)
    assert number(ws.cell(budget, FULL_YEAR)) == Decimal("195.00")
    assert number(ws.cell(budget, SPENT)) == Decimal("150.00")
    assert number(ws.cell(budget, EARNED)) == Decimal("7.69")  # 150 / 195 = 76.92 %
    total = find_row(ws, "总分")
    assert number(ws.cell(total, 8)) == Decimal("97.69")  # 7.69 + 60 + 30
    assert ws.cell(find_row(ws, "评价等级"), 7).value == "优"


def test_project_evaluation_without_item_indicators_says_so(ledger):
    from indicators.models import Indicator

    Indicator.objects.filter(item__isnull=False).delete()
    wb = open_workbook("project-evaluation", ledger.department_year)
    assert wb.sheetnames == ["说明"]
    assert "没有设置项目级绩效指标" in wb["说明"]["A1"].value



def test_a_twenty_point_profile_shows_its_execution_maximum_and_split_in_the_table(ledger):
    project = BudgetItem.objects.get(department_year=ledger.department_year, code="A-X01")
    # The project's own 分值 total 90: it keeps the 10-point profile while the department takes 20.
    scoring_profile_set(department_year=ledger.department_year, item=project, execution_points=10, rounding="2")
    scoring_profile_set(department_year=ledger.department_year, execution_points=20, rounding="2", user=ledger.finance)
    ws = open_workbook("self-evaluation", ledger.department_year).active
    row = find_row(ws, "年度资金总额", column=2)
    assert number(ws.cell(row, POINTS)) == Decimal("20")
    assert number(ws.cell(row, EARNED)) == Decimal("17.03")  # 20 x 85.17 %
    note = next(cell.value for cell in ws["A"] if isinstance(cell.value, str) and cell.value.startswith("注："))
    assert "预算执行率20分，绩效指标80分" in note
