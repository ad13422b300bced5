"""年度总体目标 in the 自评表 exports (DOMAIN.md sections 9 and 10): the block 年度总体目标 |
预期目标 | 实际完成情况 between the money block and the indicator table, where
fundmgr.review.reader finds it, and the 偏差原因分析及改进措施 column of the indicator table."""

import io
import json
from io import StringIO

from django.core.management import call_command
from openpyxl import load_workbook

from fundmgr.review.reader import read_tables
from indicators.services import annual_goal_set
from projects.models import BudgetItem
from tests.exports.known_ledger import find_row, generated
from tests.exports.test_report import report_text

EXPECTED = "完成妇女技能培训1200人次，培训合格率不低于90%。"
ACHIEVED = "全年培训1180人次，合格率92%；结业学员就业率提升。"


def _goals(ledger):
    annual_goal_set(department_year=ledger.department_year, expected="部门预期目标", achieved="部门完成情况")
    item = BudgetItem.objects.get(department_year=ledger.department_year, code="A-X01")
    annual_goal_set(department_year=ledger.department_year, item=item, expected=EXPECTED, achieved=ACHIEVED)


def test_the_goal_block_follows_the_money_block_and_precedes_the_indicators(ledger):
    _goals(ledger)
    ws = load_workbook(io.BytesIO(generated("self-evaluation", ledger.department_year))).active
    goal = find_row(ws, "年度总体目标")
    assert goal > find_row(ws, "年度资金总额", column=2)
    assert (ws.cell(goal, 2).value, ws.cell(goal, 6).value) == ("预期目标", "实际完成情况")
    assert (ws.cell(goal + 1, 2).value, ws.cell(goal + 1, 6).value) == ("部门预期目标", "部门完成情况")
    assert ws.cell(goal + 2, 1).value == "一级指标"
    assert ws.cell(goal + 2, 9).value == "偏差原因分析及改进措施"
    # Every indicator row has its deviation text (无偏差 or the flags with reason and measures).
    total = find_row(ws, "总分")
    assert all(ws.cell(row, 9).value for row in range(goal + 3, total))


def test_exports_read_back_with_the_goal_texts_and_no_findings(ledger, tmp_path):
    _goals(ledger)
    department = generated("self-evaluation", ledger.department_year)
    projects = generated("project-evaluation", ledger.department_year)
    [dept_table] = read_tables(department)
    [item_table] = read_tables(projects)
    assert (dept_table.goal_expected, dept_table.goal_actual) == ("部门预期目标", "部门完成情况")
    assert (item_table.goal_expected, item_table.goal_actual) == (EXPECTED, ACHIEVED)
    paths = []
    for name, data in (("d.xlsx", department), ("p.xlsx", projects)):
        (tmp_path / name).write_bytes(data)
        paths.append(str(tmp_path / name))
    out = StringIO()
    call_command("check_self_evaluation", *paths, stdout=out, stderr=StringIO())
    found = [json.loads(line) for line in out.getvalue().splitlines()]
    assert [table["findings"] for table in found] == [[], []]
    assert found[0]["computed"]["score"] == "93.52"
    assert found[1]["computed"]["score"] == found[1]["declared"]["score"] == "97.69"


def test_without_goals_the_block_is_there_with_blank_texts(ledger):
    ws = load_workbook(io.BytesIO(generated("self-evaluation", ledger.department_year))).active
    goal = find_row(ws, "年度总体目标")
    assert ws.cell(goal + 1, 2).value in (None, "")
    [table] = read_tables(generated("self-evaluation", ledger.department_year))
    assert (table.goal_expected, table.goal_actual) == ("", "")


# ---- the Word report -----------------------------------------------------------------------


def test_the_report_has_a_goal_table_per_scope_and_the_deviation_column(ledger):
    assert "年度总体目标" not in report_text(ledger.department_year)  # no goals: no table
    _goals(ledger)
    text = report_text(ledger.department_year)
    assert "范围 | 预期目标 | 实际完成情况" in text
    assert "部门整体 | 部门预期目标 | 部门完成情况" in text
    assert f"A-X01 妇女培训项目 | {EXPECTED} | {ACHIEVED}" in text
    assert "| 偏差原因分析及改进措施" in text
    # the missed 培训合格率 row carries the evaluator's reason and measures
    assert "②培训合格率 | ≥50% | 20% | 40% |" in text
    row = next(line for line in text.splitlines() if line.startswith("②培训合格率 |"))
    assert "未完成目标值" in row and "受天气影响延期" in row and "下半年加密培训" in row
