"""The 评分设置 sheet and the 评价人得分 / 调整理由 columns of the workbook (DOMAIN.md section 9):
read by the import, written by the template and by the export, which stays re-importable."""

import io
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from openpyxl import load_workbook

from fundmgr.workbook import schema, workbook_bytes, workbook_import
from indicators.models import Indicator, ScoringProfile
from indicators.services import indicator_set_override, scoring_profile_set
from tests.fundmgr.workbook.test_export import round_trip
from tests.fundmgr.workbooks import INDICATOR_HEADERS, valid_sheets, xlsx

pytestmark = pytest.mark.django_db

SCORING_HEADERS = ["项目编码", "预算执行率分值", "得分保留小数位"]


def with_scoring(*rows):
    sheets = valid_sheets()
    sheets["评分设置"] = [SCORING_HEADERS, *[list(row) for row in rows]]
    return sheets


def with_override(sheets, row: int, earned, reason):
    sheets["绩效指标"][0] = [*INDICATOR_HEADERS, "评价人得分", "调整理由"]
    for number, values in enumerate(sheets["绩效指标"][1:], start=2):
        values.extend([earned, reason] if number == row else [None, None])
    return sheets


def messages(result) -> list[str]:
    return [str(error) for error in result.errors]


def test_a_workbook_without_the_sheet_keeps_the_defaults():
    result = workbook_import(source=io.BytesIO(xlsx(valid_sheets())))
    assert messages(result) == []
    assert ScoringProfile.objects.count() == 0
    assert "评分设置" not in result.counts


def test_the_sheet_sets_the_department_and_a_project_profile():
    result = workbook_import(source=io.BytesIO(xlsx(with_scoring([None, 20, 2], ["P2", 0, 0]))))
    assert messages(result) == []
    assert result.counts["评分设置"] == 2
    profiles = {(row.item.code if row.item else "", row.execution_points, row.rounding) for row in ScoringProfile.objects.all()}
    assert profiles == {("", 20, "2"), ("P2", 0, "0")}


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ([None, 15, 2], "评分设置 第2行 预算执行率分值: 预算执行率分值须为10、20或0"),
        ([None, 10, 3], "评分设置 第2行 得分保留小数位: 得分保留小数位须为2、1或0"),
        (["NOPE", 10, 2], "评分设置 第2行 项目编码: 项目编码“NOPE”不存在于“预算项目”表"),
    ],
)
def test_a_bad_value_is_refused_naming_sheet_row_and_column(row, message):
    result = workbook_import(source=io.BytesIO(xlsx(with_scoring(row))))
    assert messages(result) == [message]
    assert ScoringProfile.objects.count() == 0
    assert Indicator.objects.count() == 0  # all or nothing


def test_a_scope_set_twice_is_refused():
    result = workbook_import(source=io.BytesIO(xlsx(with_scoring([None, 10, 2], [None, 20, 2]))))
    assert messages(result) == ["评分设置 第3行 项目编码: 部门整体的评分设置重复（第2行已设置）"]


def test_given_points_must_total_100_minus_the_profile_execution_points():
    sheets = with_scoring([None, 20, 2])
    for row, points in zip(sheets["绩效指标"][1:], (50, 30, 10)):
        row[INDICATOR_HEADERS.index("分值")] = points
    result = workbook_import(source=io.BytesIO(xlsx(sheets)))
    assert messages(result) == ["绩效指标 第2行 分值: 各指标分值合计须为80（100减预算执行率分值20），实为90.00"]
    for row, points in zip(sheets["绩效指标"][1:], (40, 30, 10)):
        row[INDICATOR_HEADERS.index("分值")] = points
    assert messages(workbook_import(source=io.BytesIO(xlsx(sheets)))) == []


def test_an_override_is_imported_with_its_reason_and_the_importer():
    importer = get_user_model().objects.create_user("importer")
    # I1: output 50 points by default (the only output indicator)
    sheets = with_override(valid_sheets(), 2, 45, "经复核酌情扣分")
    result = workbook_import(source=io.BytesIO(xlsx(sheets)), user=importer)
    assert messages(result) == []
    indicator = Indicator.objects.get(code="I1")
    assert (indicator.override_earned, indicator.override_reason, indicator.override_by) == (
        Decimal("45.00"), "经复核酌情扣分", importer
    )
    assert indicator.override_at is not None


@pytest.mark.parametrize(
    ("earned", "reason", "message"),
    [
        (45, None, "绩效指标 第2行 调整理由: 填写了评价人得分，须填写调整理由"),
        (None, "理由", "绩效指标 第2行 评价人得分: 填写了调整理由，请同时填写评价人得分"),
        (50.01, "理由", "绩效指标 第2行 评价人得分: 评价人得分50.01须在0至分值50.00之间"),
    ],
)
def test_a_bad_override_is_refused_naming_the_row(earned, reason, message):
    result = workbook_import(source=io.BytesIO(xlsx(with_override(valid_sheets(), 2, earned, reason))))
    assert messages(result) == [message]
    assert Indicator.objects.count() == 0


def test_the_template_has_the_sheet_and_documents_it():
    book = load_workbook(io.BytesIO(workbook_bytes()))
    assert [cell.value for cell in book["评分设置"][1]] == SCORING_HEADERS
    assert [cell.value for cell in book["绩效指标"][1]][-2:] == ["评价人得分", "调整理由"]
    documented = {(row[0], row[1]) for row in book[schema.INSTRUCTIONS_SHEET].iter_rows(values_only=True)}
    assert {("评分设置", "预算执行率分值"), ("评分设置", "得分保留小数位"), ("绩效指标", "评价人得分")} <= documented


def test_profiles_and_overrides_survive_export_import_export(world):
    scoring_profile_set(department_year=world.department_year, execution_points=20, rounding="1", user=world.finance)
    scoring_profile_set(
        department_year=world.department_year, item=world.item_a, execution_points=0, rounding="0", user=world.finance
    )
    indicator_set_override(indicator=world.indicator_a, earned=Decimal("3"), reason="复核调整", user=world.finance)
    restored = round_trip(world.department_year, importer=world.finance)
    profiles = {
        (row.item.code if row.item else "", row.execution_points, row.rounding)
        for row in ScoringProfile.objects.filter(department_year=restored)
    }
    assert profiles == {("", 20, "1"), (world.item_a.code, 0, "0")}
    indicator = Indicator.objects.get(department_year=restored, code=world.indicator_a.code)
    assert (indicator.override_earned, indicator.override_reason) == (Decimal("3.00"), "复核调整")
