"""Drafts (DOMAIN.md section 9): a workbook whose 全年完成值 and 定性等级 are blank imports, and its
evaluation is unscored (`"score": null`, status draft); a blank 目标值 is still refused."""

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from fundmgr.workbook import workbook_import
from indicators.models import Indicator
from tests.fundmgr.workbooks import database_state, valid_sheets, with_cell, xlsx

pytestmark = pytest.mark.django_db


def draft_sheets():
    """valid_sheets with I1's 全年完成值 and I2's 定性等级 (and so its 得分率) left blank."""
    sheets = with_cell(valid_sheets(), "绩效指标", 2, "全年完成值", None)
    sheets = with_cell(sheets, "绩效指标", 3, "定性等级", None)
    return with_cell(sheets, "绩效指标", 3, "得分率", None)


def import_file(tmp_path, sheets) -> str:
    path = tmp_path / "budget.xlsx"
    path.write_bytes(xlsx(sheets))
    out = StringIO()
    call_command("import_budget", str(path), stdout=out, stderr=StringIO())
    return out.getvalue()


def summary() -> dict:
    out = StringIO()
    call_command("budget_summary", "--department", "TEST", "--year", "2024", stdout=out)
    return json.loads(out.getvalue())


def test_blank_year_end_values_import_and_are_stored_blank(tmp_path):
    assert "已导入 测试部门 2024" in import_file(tmp_path, draft_sheets())  # no CommandError: exit status 0
    one, two, three = Indicator.objects.order_by("code")
    assert (one.code, one.actual, one.actual_text) == ("I1", None, "")
    assert (two.code, two.tier, two.rate) == ("I2", "", None)
    assert (three.code, three.actual) == ("I3", 95)


def test_the_summary_of_a_draft_has_a_null_score_and_the_draft_status(tmp_path):
    import_file(tmp_path, draft_sheets())
    evaluation = summary()["evaluation"]
    # 91,000.00 spent of 151,000.00: 10 × 0.602649… = 6.03; I1 (output, 50) and I2 (benefit, 30)
    # earn nothing yet, I3 (satisfaction, 10) 95 ≥ 90 earns 10.00.
    assert evaluation == {
        "execution_score": "6.03",
        "max": "100.00",
        "score": None,
        "rating": None,
        "status": "draft",
        "indicators": [
            {"code": "I1", "points": "50.00", "earned": "0.00", "flags": []},
            {"code": "I2", "points": "30.00", "earned": "0.00", "flags": []},
            {"code": "I3", "points": "10.00", "earned": "10.00", "flags": []},
        ],
    }


def test_a_scored_summary_carries_no_status(tmp_path):
    import_file(tmp_path, valid_sheets())
    evaluation = summary()["evaluation"]
    # 6.03 + 50.00 + 30.00 × 0.90 (达成 at 90 %) + 10.00 = 93.03
    assert (evaluation["score"], evaluation["rating"]) == ("93.03", "excellent")
    assert "status" not in evaluation


def test_a_blank_target_is_still_refused_naming_the_cell():
    sheets = with_cell(draft_sheets(), "绩效指标", 2, "目标值", None)
    before = database_state()
    result = workbook_import(source=xlsx(sheets))
    assert [str(error) for error in result.errors] == ["绩效指标 第2行 目标值: 定量指标须填写目标值"]
    assert result.department_year is None
    assert database_state() == before


def test_a_rate_without_its_tier_is_refused_naming_the_tier(tmp_path):
    sheets = with_cell(valid_sheets(), "绩效指标", 3, "定性等级", None)  # 得分率 90 stays
    path = tmp_path / "budget.xlsx"
    path.write_bytes(xlsx(sheets))
    with pytest.raises(CommandError):
        call_command("import_budget", str(path), stdout=StringIO(), stderr=StringIO())
    result = workbook_import(source=xlsx(sheets))
    assert [str(error) for error in result.errors] == [
        "绩效指标 第3行 定性等级: 定性指标须填写定性等级（达成、部分达成、未达成）"
    ]
