"""Reading 自评表 in each layout variant by their header words (DOMAIN.md section 10)."""

import io
from decimal import Decimal

import pytest
from openpyxl import Workbook, load_workbook

from fundmgr.review.checker import check_json, table_check
from fundmgr.review.reader import NotASelfEvaluation, read_tables
from tests.fundmgr.review.tables import VARIANT_HEADERS, clean_department, clean_project, xlsx

D = Decimal


def results(data: bytes) -> list[dict]:
    return [check_json(table_check(table), file="a.xlsx") for table in read_tables(data)]


def test_project_table_is_read_with_its_name_unit_year_goal_and_rating():
    [table] = read_tables(xlsx(clean_project()))
    assert (table.kind, table.title, table.name, table.money_unit, table.year) == (
        "project", "项目支出绩效自评表", "妇女儿童关爱培训项目", "万元", 2024,
    )
    assert table.goal_expected == "完成妇女儿童培训200人次，建立长效机制。"
    assert table.goal_actual == "完成培训210人次，长效机制基本建立。"
    assert [row.level1 for row in table.indicators] == ["产出指标"] * 4 + ["效益指标"] * 2 + ["满意度指标"]  # merged in A
    assert table.indicators[1].deviation == "部分学员未通过考核，下年加强辅导"
    assert (table.score.value, table.rating) == (D("94.33"), "优")


def test_department_table_in_other_wording_reads_the_same_figures():
    [result] = results(xlsx(clean_department()))
    assert (result["kind"], result["title"]) == ("department", "测试妇女联合会")
    assert result["budget"] == {"initial": "20.00", "full_year": "20.00", "spent": "19.00", "execution_rate": "95.00"}
    assert result["declared"] == {"execution_max": "10.00", "execution_points": "9.50", "score": "94.33", "rating": "优"}
    assert result["computed"]["score"] == "94.33"
    assert result["findings"] == []


def test_yuan_table_keeps_its_amounts_in_yuan():
    money = {label: tuple(value * 10000 for value in figures) for label, figures in clean_project().money.items()}
    [result] = results(xlsx(clean_project(unit="元", money=money)))
    assert result["money_unit"] == "元"
    assert result["budget"] == {"initial": "200000.00", "full_year": "200000.00", "spent": "190000.00", "execution_rate": "95.00"}
    assert result["findings"] == []


def test_a_form_without_initial_budget_reads_it_as_null():
    [result] = results(xlsx(clean_project(with_initial=False)))
    assert result["budget"]["initial"] is None
    assert result["budget"]["full_year"] == "20.00"
    assert result["findings"] == []


def test_a_block_label_naming_the_total_merged_down_the_money_rows_labels_no_row():
    [table] = read_tables(xlsx(clean_project(money_block_label="年度资金总额（万元）")))
    assert [(key, row.row) for key, row in table.money.items()] == [
        ("total", 7), ("appropriation", 8), ("carryover", 9), ("other", 10),
    ]
    assert table.money_unit == "万元"


def test_cells_need_not_be_merged():
    [result] = results(xlsx(clean_project(merge=False)))
    assert [row["level1"] for row in result["indicators"]][:2] == ["产出指标", "产出指标"]
    assert result["findings"] == []


def test_rating_written_in_the_total_row():
    [table] = read_tables(xlsx(clean_project(rating_inline=True, headers=VARIANT_HEADERS)))
    assert table.rating == "优"


def test_a_table_without_rating_has_a_null_declared_rating_and_no_finding():
    [result] = results(xlsx(clean_project(rating=None)))
    assert result["declared"]["rating"] is None
    assert result["findings"] == []


def test_two_tables_on_one_sheet_and_one_on_another():
    data = xlsx([clean_project(), clean_department(score=D("90.00"))], clean_project(name="第二个项目"),
                titles=["项目与部门", "项目二"])
    found = results(data)
    assert [(r["sheet"], r["kind"], r["title"]) for r in found] == [
        ("项目与部门", "project", "妇女儿童关爱培训项目"),
        ("项目与部门", "department", "测试妇女联合会"),
        ("项目二", "project", "第二个项目"),
    ]
    assert found[0]["findings"] == []
    assert [f["kind"] for f in found[1]["findings"]] == ["score_sum"]  # the department's 总分 of 90.00
    assert (found[0]["indicators"][0]["row"], found[1]["indicators"][0]["row"]) == (14, 36)  # rows of the sheet


def test_a_sheet_without_title_is_read_by_its_headers():
    data = xlsx(clean_project())
    wb = load_workbook(io.BytesIO(data))
    ws = wb.active
    ws.unmerge_cells("A1:J1")
    ws["A1"] = None
    out = io.BytesIO()
    wb.save(out)
    [table] = read_tables(out.getvalue())
    assert (table.kind, table.name) == ("project", "妇女儿童关爱培训项目")


def _workbook(build) -> bytes:
    wb = Workbook()
    build(wb)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


@pytest.mark.parametrize(
    "data, message",
    [
        (b"\x00\x01not a workbook at all" * 50, "文件不是有效的 Excel 工作簿（.xlsx）"),
        (_workbook(lambda wb: None), "工作簿是空的，没有任何内容"),
        (_workbook(lambda wb: wb.active.append(["部门编码", "部门名称", "年度"])), "没有找到自评表"),
        (_workbook(lambda wb: wb.active.append(["项目支出绩效自评表"])), "没有找到自评表"),
        (
            _workbook(lambda wb: [wb.active.append(row) for row in (["项目支出绩效自评表"], ["", "全年预算数", "全年执行数"])]),
            "工作表“Sheet”第1行的“项目支出绩效自评表”缺少绩效指标表头（三级指标、指标值、完成值、分值、得分）",
        ),
    ],
)
def test_what_is_not_a_self_evaluation_is_refused_with_a_message(data, message):
    with pytest.raises(NotASelfEvaluation) as refusal:
        read_tables(data)
    assert message in str(refusal.value)


def test_a_file_over_the_upload_cap_is_refused_before_it_is_opened(settings):
    settings.IMPORT_MAX_BYTES = 1000
    with pytest.raises(NotASelfEvaluation) as refusal:
        read_tables(xlsx(clean_project()))
    assert "文件过大" in str(refusal.value)


def test_a_workbook_inflating_to_more_xml_than_a_self_evaluation_needs_is_refused(monkeypatch):
    # openpyxl's normal mode (merged cells need it) holds every cell in memory: the XML is capped.
    monkeypatch.setattr("fundmgr.review.reader.MAX_XML_BYTES", 1000)
    with pytest.raises(NotASelfEvaluation) as refusal:
        read_tables(xlsx(clean_project()))
    assert "工作簿内容过大（解压后超过 1000 字节）" in str(refusal.value)
