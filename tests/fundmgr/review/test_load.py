"""Loading a filled 自评表 into an item's evaluation (fundmgr.review.load; DOMAIN.md sections 9 and 10).

The tables are the project's own export (fundmgr.exports.selfeval) of tests/exports/known_ledger.py,
changed cell by cell as an evaluator would. Project A-X01 妇女培训项目: spent 1,500,000.00 of
1,950,000.00, execution 10 × 76.92 % = 7.69; 项目指标X1 ≥300人 (60 points) and 项目指标X2 ≥90人
(30 points), both met: 97.69.
"""

from decimal import Decimal
from io import BytesIO

import pytest
from openpyxl import load_workbook

from fundmgr.review.load import deviation_parts, load_evaluation
from indicators.models import AnnualGoal, EvaluationUpload, Indicator
from indicators.selectors import department_sheet, item_sheet
from indicators.services import formula_indicator_add, indicator_set_override
from projects.models import BudgetItem
from projects.selectors import budget_summary
from tests.builders import IndicatorFactory
from tests.exports.known_ledger import build_ledger, generated

pytestmark = pytest.mark.django_db

D = Decimal
FILE = "A-X01自评表.xlsx"
# Columns of the export's indicator block (fundmgr.exports.selfeval): 三级指标, 全年完成值, 得分, 偏差….
NAME, ACTUAL, EARNED, DEVIATION = 3, 6, 8, 9


@pytest.fixture
def ledger():
    return build_ledger()


@pytest.fixture
def project(ledger):
    return BudgetItem.objects.get(department_year=ledger.department_year, code="A-X01")


def exported(ledger) -> bytes:
    return generated("project-evaluation", ledger.department_year)


def edited(content: bytes, changes: dict[str, dict[int, object]], *, sheet: str = "A-X01", cells: dict | None = None) -> bytes:
    """The workbook with the cells of the rows named in `changes` (三级指标 → {column: value}) set."""
    book = load_workbook(BytesIO(content))
    ws = book[sheet]
    for row in range(1, ws.max_row + 1):
        name = ws.cell(row=row, column=NAME).value
        for column, value in changes.get(name, {}).items():
            ws.cell(row=row, column=column).value = value
    for ref, value in (cells or {}).items():
        ws[ref].value = value
    out = BytesIO()
    book.save(out)
    return out.getvalue()


def row_of(content: bytes, name: str, sheet: str = "A-X01") -> int:
    ws = load_workbook(BytesIO(content))[sheet]
    return next(row for row in range(1, ws.max_row + 1) if ws.cell(row=row, column=NAME).value == name)


def load(ledger, project, content: bytes, file_name: str = FILE):
    return load_evaluation(
        department_year=ledger.department_year, item=project, content=content, file_name=file_name, user=ledger.finance
    )


def x1(ledger) -> Indicator:
    return Indicator.objects.get(department_year=ledger.department_year, code="X1")


def history_count(ledger) -> int:
    return Indicator.history.filter(department_year_id=ledger.department_year.pk).count()


def missed_with_override(ledger, project) -> tuple[bytes, object]:
    """项目指标X1 completed at 270人 of ≥300人 (60 × 0.9 = 54.00) but declared 57.00."""
    content = edited(
        exported(ledger),
        {"项目指标X1": {ACTUAL: "270人", EARNED: 57, DEVIATION: "偏差原因：部分学员未按期参训。改进措施：提前摸底报名"}},
    )
    return content, load(ledger, project, content)


def test_a_declared_score_that_differs_from_the_formula_becomes_an_override_with_its_reason_and_user(ledger, project):
    _content, result = missed_with_override(ledger, project)
    assert result.applied and result.problems == []
    indicator = x1(ledger)
    assert (indicator.actual, indicator.actual_text) == (D("270"), "270人")
    assert indicator.override_earned == D("57.00")
    assert indicator.override_reason == "自评表上传：A-X01自评表.xlsx"
    assert indicator.override_by == ledger.finance and indicator.override_at is not None
    assert (indicator.deviation_reason, indicator.corrective_measures) == ("部分学员未按期参训", "提前摸底报名")
    assert result.overridden == ["项目指标X1"] and result.changed == ["项目指标X1"]
    assert indicator.history.first().history_user == ledger.finance


def test_the_items_score_uses_the_override_to_the_cent(ledger, project):
    missed_with_override(ledger, project)
    evaluation = item_sheet(item=project).evaluation
    scores = {score.code: score for score in evaluation.indicators}
    assert (scores["X1"].earned, scores["X1"].formula_earned) == (D("57.00"), D("54.00"))
    assert evaluation.execution_score == D("7.69")
    assert evaluation.score == D("94.69")  # 7.69 + 57.00 + 30.00


def test_the_checkers_findings_are_kept_with_the_upload(ledger, project):
    content, _result = missed_with_override(ledger, project)
    row = row_of(content, "项目指标X1")
    upload = EvaluationUpload.objects.get()
    assert (upload.item, upload.file_name, upload.uploaded_by) == (project, FILE, ledger.finance)
    assert (upload.declared_score, upload.computed_score) == (D("97.69"), D("91.69"))  # 7.69 + 54.00 + 30.00
    assert [(finding["row"], finding["kind"]) for finding in upload.findings] == [(row, "score_override"), (row + 2, "score_sum")]
    assert (
        upload.findings[0]["message"] == f"第{row}行 “项目指标X1”填报得分 57.00，按公式应为 54.00（分值 60.00 × 完成率 90.00%）"
    )
    assert upload.findings[1]["message"] == f"第{row + 2}行 总分填报 97.69，预算执行得分与各指标得分之和为 94.69"
    assert upload.unmatched == []


def test_reuploading_the_unchanged_export_writes_no_override_and_changes_no_indicator(ledger, project):
    before = history_count(ledger)
    result = load(ledger, project, exported(ledger))
    assert result.applied
    assert (result.changed, result.overridden, result.cleared) == ([], [], [])
    assert not Indicator.objects.filter(override_earned__isnull=False).exists()
    assert history_count(ledger) == before
    assert EvaluationUpload.objects.get().findings == []


def test_reuploading_the_export_of_an_overridden_indicator_keeps_the_override_as_it_was(ledger, project):
    indicator_set_override(indicator=x1(ledger), earned=D("58.00"), reason="专家评议", user=ledger.leader)
    before = history_count(ledger)
    result = load(ledger, project, exported(ledger))
    assert result.applied and result.overridden == []
    indicator = x1(ledger)
    assert (indicator.override_earned, indicator.override_reason, indicator.override_by) == (
        D("58.00"),
        "专家评议",
        ledger.leader,
    )
    assert history_count(ledger) == before


def test_a_declared_score_equal_to_the_formulas_clears_an_earlier_override(ledger, project):
    indicator_set_override(indicator=x1(ledger), earned=D("58.00"), reason="专家评议", user=ledger.leader)
    content = edited(exported(ledger), {"项目指标X1": {EARNED: 60}})
    result = load(ledger, project, content)
    assert result.cleared == ["项目指标X1"]
    indicator = x1(ledger)
    assert (indicator.override_earned, indicator.override_reason) == (None, "")
    assert item_sheet(item=project).evaluation.score == D("97.69")


def test_an_unreadable_actual_value_writes_nothing_and_the_message_names_the_row(ledger, project):
    content = edited(exported(ledger), {"项目指标X1": {ACTUAL: "详见附件"}, "项目指标X2": {ACTUAL: "85人", EARNED: 20}})
    before = history_count(ledger)
    result = load(ledger, project, content)
    assert not result.applied
    row = row_of(content, "项目指标X1")
    assert [problem.message for problem in result.problems] == [
        f"第{row}行 “项目指标X1”的全年完成值“详见附件”无法识别：请填写数字（可带单位和≥、≤、以上、以下）"
    ]
    assert history_count(ledger) == before
    assert Indicator.objects.get(code="X2").actual == D("90")  # the readable row was not written either
    assert not Indicator.objects.filter(override_earned__isnull=False).exists()
    assert not EvaluationUpload.objects.exists()


def test_every_problem_is_listed_by_row_and_nothing_is_written(ledger, project):
    content = edited(exported(ledger), {"项目指标X1": {ACTUAL: "270平方米"}, "项目指标X2": {EARNED: 31}})
    result = load(ledger, project, content)
    assert not result.applied
    first, second = row_of(content, "项目指标X1"), row_of(content, "项目指标X2")
    assert [problem.message for problem in result.problems] == [
        f"第{first}行 “项目指标X1”的全年完成值“270平方米”的单位与计量单位“人”不一致",
        f"第{second}行 “项目指标X2”：评价人得分31须在0至分值30.00之间",
    ]
    assert not Indicator.objects.filter(override_earned__isnull=False).exists()
    assert x1(ledger).actual == D("300")
    assert not EvaluationUpload.objects.exists()


def test_a_file_that_is_not_a_self_evaluation_writes_nothing_with_a_clear_message(ledger, project):
    result = load(ledger, project, b"PK\x03\x04 not really a workbook", file_name="坏文件.xlsx")
    assert not result.applied
    assert [problem.message for problem in result.problems] == ["文件不是有效的 Excel 工作簿（.xlsx）"]
    department = load(ledger, project, generated("self-evaluation", ledger.department_year))
    assert [problem.message for problem in department.problems] == ["工作簿中没有项目支出绩效自评表"]
    assert not EvaluationUpload.objects.exists()


def test_among_several_tables_the_one_named_as_the_item_is_loaded(ledger, project):
    other = BudgetItem.objects.get(department_year=ledger.department_year, code="B-X01")
    IndicatorFactory(
        department_year=ledger.department_year, item=other, code="Y1", name="项目指标X1", target=D("10"), actual=D("10")
    )
    content = edited(exported(ledger), {"项目指标X1": {EARNED: 50}})
    assert len(load_workbook(BytesIO(content)).sheetnames) == 2
    result = load(ledger, project, content)
    assert result.applied and result.table.name == "A-X01 妇女培训项目"
    assert x1(ledger).override_earned == D("50.00")
    assert Indicator.objects.get(code="Y1").override_earned is None


def test_a_workbook_without_the_items_table_is_refused_listing_the_names_found(ledger, project):
    content = edited(exported(ledger), {}, cells={"C3": "儿童关爱项目"})
    result = load(ledger, project, content)
    assert not result.applied
    assert [problem.message for problem in result.problems] == [
        "工作簿中没有名为“妇女培训项目”的项目支出绩效自评表，找到的是：“儿童关爱项目”（A-X01）"
    ]


def test_rows_and_indicators_without_a_namesake_are_reported_not_guessed(ledger, project):
    content = edited(exported(ledger), {"项目指标X2": {NAME: "项目指标X2（满意度）", EARNED: 10}})
    result = load(ledger, project, content)
    assert result.applied
    row = row_of(content, "项目指标X2（满意度）")
    assert [entry["message"] for entry in result.unmatched] == [
        f"第{row}行 “项目指标X2（满意度）”不是本项目的绩效指标（按指标名称对应），未导入",
        "指标“项目指标X2”（X2）在表中没有同名的行，未更新",
    ]
    assert Indicator.objects.get(code="X2").override_earned is None
    assert EvaluationUpload.objects.get().unmatched[0] == {"row": row, "message": result.unmatched[0]["message"]}


def test_names_match_with_blanks_and_full_width_forms_folded(ledger, project):
    content = edited(exported(ledger), {"项目指标X1": {NAME: " 项目指标Ｘ１ ", EARNED: 55}})
    result = load(ledger, project, content)
    assert result.applied and result.unmatched == []
    assert x1(ledger).override_earned == D("55.00")


def test_a_table_matching_no_indicator_is_refused(ledger, project):
    content = edited(exported(ledger), {"项目指标X1": {NAME: "甲"}, "项目指标X2": {NAME: "乙"}})
    result = load(ledger, project, content)
    assert not result.applied
    assert result.problems[0].message == "表中没有一个指标与本项目的绩效指标同名（按三级指标名称对应），未导入"


def test_the_annual_goal_achieved_is_stored_and_the_expected_only_when_the_item_has_none(ledger, project):
    content = exported(ledger)
    ws = load_workbook(BytesIO(content))["A-X01"]
    goal_row = next(row for row in range(1, ws.max_row + 1) if ws.cell(row=row, column=2).value == "预期目标") + 1
    content = edited(content, {}, cells={f"B{goal_row}": "培训妇女300人", f"F{goal_row}": "培训妇女270人，合格率95%"})
    load(ledger, project, content)
    goal = AnnualGoal.objects.get(item=project)
    assert (goal.expected, goal.achieved) == ("培训妇女300人", "培训妇女270人，合格率95%")
    AnnualGoal.objects.filter(pk=goal.pk).update(expected="原定目标")
    load(ledger, project, edited(content, {}, cells={f"B{goal_row}": "另一个目标", f"F{goal_row}": "全部完成"}))
    goal.refresh_from_db()
    assert (goal.expected, goal.achieved) == ("原定目标", "全部完成")


def test_a_missed_target_of_a_final_evaluation_without_measures_is_refused(ledger, project):
    Indicator.objects.filter(code="X1").update(results_final=True)
    content = edited(exported(ledger), {"项目指标X1": {ACTUAL: "270人", EARNED: 54}})
    result = load(ledger, project, content)
    assert not result.applied
    row = row_of(content, "项目指标X1")
    assert [problem.message for problem in result.problems] == [
        f"第{row}行 “项目指标X1”：未完成目标值，定稿须填写偏差原因分析；未完成目标值，定稿须填写改进措施"
    ]
    assert x1(ledger).actual == D("300")


def test_a_qualitative_indicator_takes_its_tier_from_the_phrase(ledger, project):
    Indicator.objects.filter(code="X2").update(
        direction=Indicator.Direction.QUALITATIVE, target=None, actual=None, midyear=None, tier="achieved"
    )
    content = edited(exported(ledger), {"项目指标X2": {ACTUAL: "基本达成", EARNED: 18}})
    result = load(ledger, project, content)
    assert result.applied
    x2 = Indicator.objects.get(code="X2")
    assert (x2.tier, x2.actual_text, x2.override_earned) == ("partly", "基本达成", None)  # 30 × 60 % = 18.00
    assert item_sheet(item=project).evaluation.score == D("85.69")  # 7.69 + 60 + 18


@pytest.mark.parametrize(
    ("text", "parts"),
    [
        ("无偏差", None),
        ("", None),
        ("未完成目标值", None),
        ("未完成目标值。原因：受天气影响延期。措施：下半年加密培训", ("受天气影响延期", "下半年加密培训")),
        ("偏差原因分析：经费下达晚；改进措施：提前谋划", ("经费下达晚", "提前谋划")),
        ("经费下达晚", ("经费下达晚", "")),
    ],
)
def test_the_deviation_text_splits_into_reason_and_measures(text, parts):
    assert deviation_parts(text) == parts


def test_the_departments_table_loads_into_the_department_level_indicators(ledger):
    """培训合格率 ≥50% completed at 45%: 25 × 0.9 = 22.50, declared 24.00; the department's score is
    8.52 + 25.00 + 24.00 + 30.00 + 10.00 = 97.52 (tests/exports/test_selfeval.py: 8.52 + 25 + 20 + 30 + 10)."""
    content = edited(
        generated("self-evaluation", ledger.department_year), {"培训合格率": {ACTUAL: "45%", EARNED: 24}}, sheet="部门整体自评表"
    )
    result = load_evaluation(
        department_year=ledger.department_year, item=None, content=content, file_name="部门.xlsx", user=ledger.finance
    )
    assert result.applied and result.unmatched == []
    d2 = Indicator.objects.get(code="D2")
    assert (d2.actual, d2.actual_text, d2.override_earned, d2.override_reason) == (
        D("45"),
        "45%",
        D("24.00"),
        "自评表上传：部门.xlsx",
    )
    # the export's 偏差原因分析及改进措施 read back as they were stored
    assert (d2.deviation_reason, d2.corrective_measures) == ("受天气影响延期", "下半年加密培训")
    upload = EvaluationUpload.objects.get()
    assert upload.item is None and [finding["kind"] for finding in upload.findings] == ["score_override", "score_sum"]
    summary = budget_summary(department_year=ledger.department_year)
    assert department_sheet(summary=summary).evaluation.score == D("97.52")


def test_a_date_against_a_qualitative_date_target_gives_its_tier(ledger, project):
    Indicator.objects.filter(code="X2").update(
        direction=Indicator.Direction.QUALITATIVE, target=None, target_text="12月底前", actual=None, midyear=None, tier=""
    )
    late = load(ledger, project, edited(exported(ledger), {"项目指标X2": {ACTUAL: "2025年1月15日", EARNED: 0}}))
    assert late.applied
    x2 = Indicator.objects.get(code="X2")
    assert (x2.tier, x2.actual_text, x2.override_earned) == ("not_achieved", "2025年1月15日", None)
    on_time = load(ledger, project, edited(exported(ledger), {"项目指标X2": {ACTUAL: "11月20日", EARNED: 30}}))
    assert on_time.applied
    x2.refresh_from_db()
    assert (x2.tier, x2.actual_text, x2.override_earned) == ("achieved", "11月20日", None)
    assert item_sheet(item=project).evaluation.score == D("97.69")


def test_a_ledger_computed_indicator_loads_as_computed_and_refuses_another_value(ledger):
    """Issue 16: a 自评表 that states a formula indicator's computed value changes nothing; one that
    states another value is refused on its row, and nothing typed is stored."""
    formula_indicator_add(department_year=ledger.department_year, formula="execution_rate", target_text="≥90%", points=None)
    content = generated("self-evaluation", ledger.department_year)
    unchanged = load_evaluation(
        department_year=ledger.department_year, item=None, content=content, file_name="部门.xlsx", user=ledger.finance
    )
    assert unchanged.unmatched == [] and not [p for p in unchanged.problems if "预算执行率" in p.message]
    assert "预算执行率" not in unchanged.changed
    typed = edited(content, {"预算执行率": {ACTUAL: "99%"}}, sheet="部门整体自评表")
    refused = load_evaluation(
        department_year=ledger.department_year, item=None, content=typed, file_name="部门.xlsx", user=ledger.finance
    )
    assert any("该指标的完成值由账表取数公式计算，不能手工填写" in p.message for p in refused.problems)
    assert Indicator.objects.get(code="GX-execution_rate").actual is None
