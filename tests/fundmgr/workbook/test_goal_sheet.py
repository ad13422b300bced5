"""The 年度总体目标 sheet and the 偏差原因分析及改进措施 column of the workbook (DOMAIN.md section 9):
read by the import, written by the template and by the export, which stays re-importable."""

import io

import pytest
from openpyxl import load_workbook

from fundmgr.workbook import schema, workbook_bytes, workbook_import
from fundmgr.workbook.ledger import split_deviation
from indicators.models import GOAL_TEXT_MAX, AnnualGoal, Indicator
from indicators.services import annual_goal_set
from tests.fundmgr.workbook.test_export import round_trip
from tests.fundmgr.workbooks import INDICATOR_HEADERS, valid_sheets, xlsx

pytestmark = pytest.mark.django_db

GOAL_HEADERS = ["项目编码", "预期目标", "实际完成情况"]


def with_goals(*rows):
    sheets = valid_sheets()
    sheets["年度总体目标"] = [GOAL_HEADERS, *[list(row) for row in rows]]
    return sheets


def with_deviation_columns(sheets, headers: list[str], texts: dict[int, list]):
    sheets["绩效指标"][0] = [*INDICATOR_HEADERS, *headers]
    for number, values in enumerate(sheets["绩效指标"][1:], start=2):
        values.extend(texts.get(number, [None] * len(headers)))
    return sheets


def messages(result) -> list[str]:
    return [str(error) for error in result.errors]


def goals() -> set[tuple[str, str, str]]:
    return {(row.item.code if row.item else "", row.expected, row.achieved) for row in AnnualGoal.objects.all()}


def test_a_workbook_without_the_sheet_imports_with_no_goals():
    result = workbook_import(source=io.BytesIO(xlsx(valid_sheets())))
    assert messages(result) == []
    assert AnnualGoal.objects.count() == 0


def test_the_sheet_sets_the_department_and_a_project_goal():
    result = workbook_import(
        source=io.BytesIO(xlsx(with_goals([None, "部门预期", "部门完成"], ["P2", "培训1200人次", "培训1180人次"])))
    )
    assert messages(result) == []
    assert goals() == {("", "部门预期", "部门完成"), ("P2", "培训1200人次", "培训1180人次")}


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ([["NOPE", "甲", "乙"]], "年度总体目标 第2行 项目编码: 项目编码“NOPE”不存在于“预算项目”表"),
        ([[None, "甲", "乙"], [None, "丙", "丁"]], "年度总体目标 第3行 项目编码: 部门整体的年度总体目标重复（第2行已填写）"),
        ([["P2", "字" * (GOAL_TEXT_MAX + 1), None]], f"年度总体目标 第2行 预期目标: 预期目标最多{GOAL_TEXT_MAX}个字符"),
    ],
)
def test_a_bad_row_is_refused_naming_sheet_row_and_column(rows, message):
    result = workbook_import(source=io.BytesIO(xlsx(with_goals(*rows))))
    assert messages(result) == [message]
    assert AnnualGoal.objects.count() == 0
    assert Indicator.objects.count() == 0  # all or nothing


def test_the_template_has_the_sheet_and_documents_it():
    book = load_workbook(io.BytesIO(workbook_bytes()))
    assert [cell.value for cell in book["年度总体目标"][1]] == GOAL_HEADERS
    documented = {(row[0], row[1]) for row in book[schema.INSTRUCTIONS_SHEET].iter_rows(values_only=True)}
    assert {("年度总体目标", "预期目标"), ("年度总体目标", "实际完成情况")} <= documented


def test_goals_survive_export_import_export(world):
    annual_goal_set(department_year=world.department_year, expected="部门预期", achieved="部门完成", user=world.finance)
    annual_goal_set(department_year=world.department_year, item=world.item_a, expected="项目预期\n第二行", achieved="")
    restored = round_trip(world.department_year, importer=world.finance)
    assert {
        (row.item.code if row.item else "", row.expected, row.achieved)
        for row in AnnualGoal.objects.filter(department_year=restored)
    } == {("", "部门预期", "部门完成"), (world.item_a.code, "项目预期\n第二行", "")}


# ---- 偏差原因分析及改进措施 -------------------------------------------------------------------


def test_the_combined_column_is_split_at_its_measures_label():
    sheets = with_deviation_columns(
        valid_sheets(), ["偏差原因分析及改进措施"], {2: ["原因：受天气影响延期。改进措施：加强进度管理"], 3: ["资金到位晚"]}
    )
    result = workbook_import(source=io.BytesIO(xlsx(sheets)))
    assert messages(result) == []
    by_code = {row.code: (row.deviation_reason, row.corrective_measures) for row in Indicator.objects.all()}
    assert by_code["I1"] == ("受天气影响延期", "加强进度管理")
    assert by_code["I2"] == ("资金到位晚", "")  # no label: kept whole as the reason


def test_the_two_separate_columns_still_import_as_written():
    sheets = with_deviation_columns(valid_sheets(), ["偏差原因分析", "改进措施"], {2: ["原因甲：改进措施：不拆", "措施乙"]})
    assert messages(workbook_import(source=io.BytesIO(xlsx(sheets)))) == []
    assert Indicator.objects.values_list("deviation_reason", "corrective_measures").get(code="I1") == (
        "原因甲：改进措施：不拆", "措施乙"
    )


def test_both_forms_at_once_is_refused_as_a_repeated_column():
    sheets = with_deviation_columns(valid_sheets(), ["偏差原因分析", "偏差原因分析及改进措施"], {})
    assert messages(workbook_import(source=io.BytesIO(xlsx(sheets)))) == ["绩效指标 第1行 偏差原因分析: 列重复"]


def test_deviation_texts_survive_export_import_export(world):
    Indicator.objects.filter(pk=world.indicator_a.pk).update(deviation_reason="天气原因", corrective_measures="加快进度")
    restored = round_trip(world.department_year, importer=world.finance)
    assert Indicator.objects.values_list("deviation_reason", "corrective_measures").get(
        department_year=restored, code=world.indicator_a.code
    ) == ("天气原因", "加快进度")


@pytest.mark.parametrize(
    ("reason", "measures", "split"),
    [
        ("偏差原因分析：甲；改进措施：乙", "", ("甲", "乙")),
        ("甲。改进措施: 乙", None, ("甲", "乙")),
        ("甲改进措施：", "", ("甲改进措施：", "")),  # nothing after the label: kept whole
        ("甲。改进措施：乙", "丙", ("甲。改进措施：乙", "丙")),  # measures given: nothing split
        (None, None, ("", "")),
    ],
)
def test_split_deviation(reason, measures, split):
    assert split_deviation(reason, measures) == split
