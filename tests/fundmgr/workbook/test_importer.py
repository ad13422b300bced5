"""The workbook import (DOMAIN.md section 4): all or nothing, every error located."""

from datetime import date
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext

from fundmgr.workbook import workbook_import
from indicators.models import Indicator
from projects.models import BudgetItem, BudgetLine, Expenditure, MonthClose
from tests.fundmgr.workbooks import (
    database_state,
    valid_sheets,
    with_cell,
    with_row,
    without_column,
    xlsx,
)
from units.models import BudgetUnit, DepartmentYear, Membership

pytestmark = pytest.mark.django_db


def import_sheets(sheets, **options):
    return workbook_import(source=xlsx(sheets), **options)


def messages(result) -> list[str]:
    return [str(error) for error in result.errors]


def test_a_valid_workbook_is_imported_with_its_figures():
    result = import_sheets(valid_sheets())
    assert messages(result) == []
    year = result.department_year
    assert (year.department.code, year.year) == ("TEST", 2024)
    assert result.counts == {"部门": 1, "预算单位": 2, "预算项目": 2, "预算指标": 3, "支出明细": 3, "绩效指标": 3}
    assert BudgetItem.objects.filter(department_year=year).count() == 2
    assert BudgetLine.objects.get(item__code="P2", kind="initial").amount == Decimal("50000.00")
    amounts = sorted(Expenditure.objects.values_list("amount", flat=True))
    assert amounts == [Decimal("1234.57"), Decimal("40000.00"), Decimal("49765.43")]
    assert Expenditure.objects.get(amount=Decimal("49765.43")).economic_class_id == "30216"
    qualitative = Indicator.objects.get(code="I2")
    assert (qualitative.direction, qualitative.tier, qualitative.rate) == ("qualitative", "achieved", Decimal("90.00"))
    assert Indicator.objects.get(code="I3").direction == "ge"
    unit = BudgetUnit.objects.get(code="U1")
    assert (unit.kind, unit.authorized_staff, unit.actual_staff) == ("administrative", 10, 9)


def test_a_float_cell_a_hair_from_a_cent_is_read_as_that_cent():
    import_sheets(valid_sheets())
    assert Expenditure.objects.filter(amount=Decimal("1234.57")).count() == 1


def test_the_import_starts_the_audit_trail():
    user = get_user_model().objects.create_user("importer")
    import_sheets(valid_sheets(), user=user)
    assert Expenditure.history.filter(history_type="+", history_user=user).count() == 3
    assert BudgetLine.history.filter(history_type="+").count() == 3
    assert Indicator.history.filter(history_type="+").count() == 3
    assert Expenditure.objects.filter(entered_by=user).count() == 3


def test_english_headers_are_accepted():
    english = {
        "部门": ["code", "name", "year"],
        "预算单位": ["code", "name", "kind", "authorized_staff", "actual_staff"],
        "预算项目": ["code", "name", "unit", "category"],
        "预算指标": ["project", "source", "kind", "amount", "date", "document"],
        "支出明细": ["project", "date", "amount", "economic_class", "memo", "voucher"],
        "绩效指标": ["code", "level1", "level2", "name", "direction", "target", "unit", "points",
                 "midyear", "actual", "tier", "rate", "project"],
    }
    sheets = valid_sheets()
    for name, headers in english.items():
        sheets[name][0] = headers
    result = import_sheets(sheets)
    assert messages(result) == []
    assert Expenditure.objects.count() == 3


def test_columns_may_come_in_any_order():
    sheets = {name: [list(reversed(row)) for row in rows] for name, rows in valid_sheets().items()}
    result = import_sheets(sheets)
    assert messages(result) == []
    assert BudgetLine.objects.get(item__code="P1").amount == Decimal("100000.00")


def test_empty_rows_are_skipped_and_later_rows_keep_their_excel_numbers():
    sheets = valid_sheets()
    sheets["支出明细"][2:2] = [[None] * 6, ["", "  ", None, None, None, None]]
    assert [str(e) for e in import_sheets(sheets).errors] == []
    assert Expenditure.objects.count() == 3
    Expenditure.objects.all().delete()
    DepartmentYear.objects.all().delete()
    bad = with_cell(sheets, "支出明细", 6, "金额", 0)  # the last data row, below two empty rows
    assert "支出明细 第6行 金额: 金额须大于0" in messages(import_sheets(bad))


# Each case: the broken workbook and one error line it must produce.
def overspend(sheets):
    return with_row(sheets, "支出明细", {"项目编码": "P2", "支出日期": "2024-12-01", "金额": "0.01", "经济分类": "302", "摘要": "超支"})


def missing_sheet(sheets):
    del sheets["支出明细"]
    return sheets


REJECTIONS = {
    "unknown reference": (
        lambda s: with_cell(s, "预算项目", 3, "单位编码", "U9"),
        "预算项目 第3行 单位编码: 单位编码“U9”不存在于“预算单位”表",
    ),
    "unknown item in a line": (
        lambda s: with_cell(s, "预算指标", 2, "项目编码", "P9"),
        "预算指标 第2行 项目编码: 项目编码“P9”不存在于“预算项目”表",
    ),
    "bad enumeration value": (
        lambda s: with_cell(s, "预算单位", 2, "单位性质", "政府机关"),
        "预算单位 第2行 单位性质: “政府机关”不是有效的单位性质，可选：行政单位、事业单位、参公管理事业单位",
    ),
    "bad funding source": (
        lambda s: with_cell(s, "预算指标", 3, "资金来源", "自筹"),
        "预算指标 第3行 资金来源: “自筹”不是有效的资金来源，可选：上级安排、本级财政、其他资金",
    ),
    "date outside the year": (
        lambda s: with_cell(s, "支出明细", 2, "支出日期", date(2023, 12, 31)),
        "支出明细 第2行 支出日期: 日期须在2024年度内",
    ),
    "text date outside the year": (
        lambda s: with_cell(s, "预算指标", 4, "日期", "2025/1/2"),
        "预算指标 第4行 日期: 日期须在2024年度内",
    ),
    "zero amount": (lambda s: with_cell(s, "支出明细", 2, "金额", 0), "支出明细 第2行 金额: 金额须大于0"),
    "negative amount": (lambda s: with_cell(s, "预算指标", 2, "金额", -5), "预算指标 第2行 金额: 金额须大于0"),
    "text amount": (
        lambda s: with_cell(s, "支出明细", 3, "金额", "一千元"),
        "支出明细 第3行 金额: 金额须为数字，“一千元”不是数字",
    ),
    "three decimals in a number cell": (
        lambda s: with_cell(s, "支出明细", 3, "金额", 1234.567),
        "支出明细 第3行 金额: 金额最多2位小数",
    ),
    "three decimals in text": (
        lambda s: with_cell(s, "支出明细", 3, "金额", "1,234.567"),
        "支出明细 第3行 金额: 金额最多2位小数",
    ),
    "overspend by one cent": (
        overspend,
        "支出明细 第5行 金额: 项目“培训项目”可用指标 0.00 元，本次支出 0.01 元，超出 0.01 元",
    ),
    "spending before its budget arrives": (
        lambda s: with_cell(s, "预算指标", 3, "日期", "2024-12-31"),
        "支出明细 第3行 金额: 项目“培训项目”可用指标 0.00 元，本次支出 1,234.57 元，超出 1,234.57 元",
    ),
    "reduction below what is spent": (
        lambda s: with_row(s, "预算指标", {"项目编码": "P2", "资金来源": "上级安排", "调整类型": "年中调减", "金额": 2000, "日期": "2024-12-31"}),
        "预算指标 第5行 金额: 项目“培训项目”可用指标 0.00 元，本次调减 2,000.00 元，超出 2,000.00 元",
    ),
    "duplicate code": (
        lambda s: with_row(s, "预算项目", {"项目编码": "P1", "项目名称": "重复", "单位编码": "U1", "项目类别": "运转类"}),
        "预算项目 第4行 项目编码: 项目编码“P1”重复（第2行已使用）",
    ),
    "unknown economic class": (
        lambda s: with_cell(s, "支出明细", 2, "经济分类", "30198"),
        "支出明细 第2行 经济分类: 经济分类“30198”不存在，须为部门预算支出经济分类的3位或5位编码",
    ),
    "missing sheet": (missing_sheet, "支出明细: 缺少工作表“支出明细”"),
    "missing column": (
        lambda s: without_column(s, "预算指标", "金额"),
        "预算指标 第1行 金额: 缺少必填列“金额”",
    ),
    "points on some indicators only": (
        lambda s: with_cell(s, "绩效指标", 2, "分值", 50),
        "绩效指标 第3行 分值: 分值须全部填写或全部不填，以下指标缺少分值：I2、I3",
    ),
    "points not totalling 90": (
        lambda s: with_cell(with_cell(with_cell(s, "绩效指标", 2, "分值", 50), "绩效指标", 3, "分值", 30), "绩效指标", 4, "分值", 5),
        "绩效指标 第2行 分值: 各指标分值合计须为90，实为85.00",
    ),
    "qualitative tier with its rate out of range": (
        lambda s: with_cell(s, "绩效指标", 3, "得分率", 79),
        "绩效指标 第3行 得分率: 得分率79%超出该定性等级的范围[80%, 100%]",
    ),
    "qualitative indicator without a tier": (
        lambda s: with_cell(s, "绩效指标", 3, "定性等级", None),
        "绩效指标 第3行 定性等级: 定性指标须填写定性等级（达成、部分达成、未达成）",
    ),
    "quantitative indicator without its target": (
        lambda s: with_cell(s, "绩效指标", 2, "目标值", None),
        "绩效指标 第2行 目标值: 定量指标须填写目标值",
    ),
    "bad direction": (
        lambda s: with_cell(s, "绩效指标", 2, "指标方向", "大于"),
        "绩效指标 第2行 指标方向: “大于”不是有效的指标方向，可选：≥、≤、=、定性",
    ),
}


@pytest.mark.parametrize("case", REJECTIONS, ids=list(REJECTIONS))
def test_a_broken_workbook_is_rejected_with_the_sheet_row_and_column_and_changes_nothing(case):
    breaking, expected = REJECTIONS[case]
    before = database_state()
    result = import_sheets(breaking(valid_sheets()))
    assert expected in messages(result)
    assert result.department_year is None
    assert database_state() == before


@pytest.mark.parametrize("case", REJECTIONS, ids=list(REJECTIONS))
def test_a_broken_workbook_replacing_a_year_is_rejected_and_the_year_stays_as_it_was(case):
    breaking, expected = REJECTIONS[case]
    assert import_sheets(valid_sheets()).errors == []
    before = database_state()
    result = import_sheets(breaking(valid_sheets()), replace=True)
    assert expected in messages(result)
    assert database_state() == before


def test_every_error_is_reported_not_just_the_first():
    sheets = with_cell(valid_sheets(), "支出明细", 2, "金额", 0)
    sheets = with_cell(sheets, "预算单位", 3, "单位性质", "公司")
    sheets = with_cell(sheets, "预算指标", 2, "日期", "2024-02-30")
    assert messages(import_sheets(sheets)) == [
        "预算单位 第3行 单位性质: “公司”不是有效的单位性质，可选：行政单位、事业单位、参公管理事业单位",
        "预算指标 第2行 日期: 日期须为日期，如 2024-03-15 或 2024/3/15",
        "支出明细 第2行 金额: 金额须大于0",
    ]


def test_an_existing_year_is_refused_without_replace():
    import_sheets(valid_sheets())
    before = database_state()
    result = import_sheets(with_cell(valid_sheets(), "支出明细", 2, "金额", 100))
    assert messages(result) == ["部门 第2行 年度: TEST 2024年度已存在；如需用本工作簿替换该年度的数据，请选择“替换”"]
    assert result.year_exists
    assert database_state() == before


def test_replace_swaps_the_years_ledger_and_keeps_units_and_their_memberships():
    first = import_sheets(valid_sheets())
    unit = BudgetUnit.objects.get(code="U2")
    user = get_user_model().objects.create_user("kuaiji")
    Membership.objects.create(user=user, department=first.department_year.department, role="accountant", unit=unit)
    changed = with_cell(valid_sheets(), "支出明细", 2, "金额", "30,000")
    changed = with_cell(changed, "预算单位", 3, "单位名称", "测试中心（更名）")
    result = import_sheets(changed, replace=True)
    assert messages(result) == []
    assert result.replaced
    assert result.department_year.pk == first.department_year.pk
    assert sorted(Expenditure.objects.values_list("amount", flat=True)) == [
        Decimal("1234.57"), Decimal("30000.00"), Decimal("49765.43")
    ]
    assert BudgetItem.objects.count() == 2
    assert BudgetUnit.objects.get(pk=unit.pk).name == "测试中心（更名）"
    assert Membership.objects.get(user=user).unit_id == unit.pk
    assert Expenditure.history.filter(history_type="-").count() == 3


def test_a_year_with_a_closed_month_cannot_be_replaced():
    first = import_sheets(valid_sheets())
    closer = get_user_model().objects.create_user("caiwu")
    MonthClose.objects.create(department_year=first.department_year, month=1, closed_by=closer)
    before = database_state()
    result = import_sheets(valid_sheets(), replace=True)
    assert messages(result) == ["部门 第2行 年度: TEST 2024年度已有结账月份（1月），不能导入或替换"]
    assert database_state() == before


def test_a_dry_run_reports_counts_and_unit_totals_and_writes_nothing():
    before = database_state()
    result = import_sheets(valid_sheets(), dry_run=True)
    assert result.errors == []
    assert database_state() == before
    assert result.counts["支出明细"] == 3
    totals = {unit.code: (unit.full_year, unit.spent) for unit in result.unit_totals}
    assert totals == {"U1": (Decimal("100000.00"), Decimal("40000.00")), "U2": (Decimal("51000.00"), Decimal("51000.00"))}


def test_a_file_that_is_not_a_workbook_is_refused_plainly():
    result = workbook_import(source=b"this is not a spreadsheet")
    assert messages(result) == ["文件不是有效的 Excel 工作簿（.xlsx）"]


def test_a_file_over_the_size_limit_is_refused(settings):
    settings.IMPORT_MAX_BYTES = 1000
    result = import_sheets(valid_sheets())
    assert len(result.errors) == 1 and "文件过大" in messages(result)[0]
    assert database_state()["departments"] == 0


def test_a_workbook_over_the_row_limit_is_refused(settings):
    settings.IMPORT_MAX_ROWS = 5
    result = import_sheets(valid_sheets())
    assert len(result.errors) == 1 and "数据行过多，上限为 5 行" in messages(result)[0]


def test_the_query_count_does_not_grow_with_the_number_of_rows():
    runs = iter(range(100))

    def queries_for(expenditures: int) -> int:
        sheets = with_cell(valid_sheets(), "预算指标", 2, "金额", 10_000_000)
        sheets["部门"][1][0] = f"Q{next(runs)}"
        for day in range(expenditures):
            sheets = with_row(sheets, "支出明细", {"项目编码": "P1", "支出日期": date(2024, 2, 1 + day % 28), "金额": 10, "经济分类": "30102", "摘要": "补贴"})
        with CaptureQueriesContext(connection) as context:
            assert import_sheets(sheets).errors == []
        return len(context.captured_queries)

    # Inserts go in batches (IMPORT_BATCH_SIZE; on SQLite Django caps a statement at 999
    # parameters, about 45 history rows). Rows within a batch cost no query at all, and a
    # large workbook costs one INSERT per batch of rows and one per batch of their history.
    assert queries_for(5) == queries_for(40)
    assert queries_for(400) - queries_for(5) <= 2 * (400 // 40)


def test_headers_may_carry_a_required_mark_or_a_unit_note():
    sheets = valid_sheets()
    sheets["支出明细"][0] = ["项目编码*", "支出日期", "金额（元）", "经济分类 (3或5位)", "摘要", "凭证号"]
    assert messages(import_sheets(sheets)) == []
    assert Expenditure.objects.count() == 3


def test_extra_columns_are_ignored_and_a_duplicated_column_is_an_error():
    sheets = valid_sheets()
    for row in sheets["预算项目"]:
        row.append("备注" if row[0] == "项目编码" else "随便写")
    assert messages(import_sheets(sheets)) == []
    DepartmentYear.objects.all().delete()
    sheets = valid_sheets()
    for row in sheets["预算项目"]:
        row.append(row[1])
    assert "预算项目 第1行 项目名称: 列重复" in messages(import_sheets(sheets))
