"""The optional sheets 预算调剂 and 用款计划 of the budget workbook (DOMAIN.md section 8): read, checked
row by row, written through projects.services, all or nothing."""

import copy
import io
from datetime import date
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from openpyxl import load_workbook

from fundmgr.summary import summary_json
from fundmgr.workbook import workbook_bytes, workbook_import
from projects.models import BudgetLine, BudgetTransfer, SpendingPlan
from tests.fundmgr.workbooks import database_state, valid_sheets, xlsx

pytestmark = pytest.mark.django_db

TRANSFER_HEADER = ["调出项目", "调入项目", "资金来源", "金额", "日期", "文号"]
PLAN_HEADER = ["项目编码", "月份", "金额"]


def budget_year_sheets() -> dict[str, list[list]]:
    """valid_sheets (P1 100,000.00 of which 40,000.00 spent on 15 January; P2 51,000.00, all spent:
    1,234.57 in March and 49,765.43 in July) with 10,000.00 moved from P1 to P2 on 1 February and
    a plan for both items."""
    sheets = valid_sheets()
    sheets["预算调剂"] = [TRANSFER_HEADER, ["P1", "P2", "本级财政", "10,000.00", "2024-02-01", "新财调〔2024〕1号"]]
    sheets["用款计划"] = [
        PLAN_HEADER,
        ["P1", 1, 40000],
        ["P1", 12, "50,000.00"],
        ["P2", 3, 1234.57],
        ["P2", 7, "49765.43"],
        ["P2", 8, 0],
    ]
    return sheets


def state() -> dict:
    return database_state() | {
        "plans": SpendingPlan.objects.count(),
        "transfers": BudgetTransfer.objects.count(),
        "plan_history": SpendingPlan.history.count(),
        "transfer_history": BudgetTransfer.history.count(),
    }


def import_sheets(sheets, **options):
    return workbook_import(source=xlsx(sheets), **options)


def messages(result) -> list[str]:
    return [str(error) for error in result.errors]


def test_a_workbook_without_the_sheets_imports_as_before_with_no_plan_and_no_transfer():
    result = import_sheets(valid_sheets())
    assert messages(result) == []
    assert "用款计划" not in result.counts and "预算调剂" not in result.counts
    assert (SpendingPlan.objects.count(), BudgetTransfer.objects.count()) == (0, 0)


def test_the_plan_and_the_transfer_are_imported_and_show_in_the_summary():
    result = import_sheets(budget_year_sheets())
    assert messages(result) == []
    assert result.counts["预算调剂"] == 1 and result.counts["用款计划"] == 5
    assert {unit.code: unit.full_year for unit in result.unit_totals} == {"U1": Decimal("90000.00"), "U2": Decimal("61000.00")}
    transfer = BudgetTransfer.objects.get()
    assert (transfer.from_item.code, transfer.to_item.code, transfer.amount, transfer.status, transfer.document) == (
        "P1",
        "P2",
        Decimal("10000.00"),
        "approved",
        "新财调〔2024〕1号",
    )
    assert sorted(transfer.lines.values_list("item__code", "kind", "amount")) == [
        ("P1", "transfer_out", Decimal("10000.00")),
        ("P2", "transfer_in", Decimal("10000.00")),
    ]
    assert list(SpendingPlan.objects.order_by("item__code", "month").values_list("item__code", "month", "amount")) == [
        ("P1", 1, Decimal("40000.00")),
        ("P1", 12, Decimal("50000.00")),
        ("P2", 3, Decimal("1234.57")),
        ("P2", 7, Decimal("49765.43")),
        ("P2", 8, Decimal("0.00")),
    ]
    projects = {row["code"]: row for row in summary_json(department_year=result.department_year)["by_project"]}
    assert (projects["P1"]["full_year"], projects["P1"]["transfer_out"], projects["P1"]["plan_to_date"]) == (
        "90000.00",
        "10000.00",
        "90000.00",
    )
    assert (projects["P2"]["full_year"], projects["P2"]["transfer_in"], projects["P2"]["plan_execution_rate"]) == (
        "61000.00",
        "10000.00",
        "100.00",
    )


def test_a_dry_run_checks_the_sheets_and_writes_nothing():
    before = state()
    result = import_sheets(budget_year_sheets(), dry_run=True)
    assert messages(result) == []
    assert state() == before


def with_transfer(*row, header=TRANSFER_HEADER):
    def change(sheets):
        sheets["预算调剂"] = [header, list(row)]
        return sheets

    return change


def with_plan(*rows):
    def change(sheets):
        sheets["用款计划"] = [PLAN_HEADER, *map(list, rows)]
        return sheets

    return change


DECISION_HEADER = [*TRANSFER_HEADER, "状态", "审批人", "党组会日期", "会议纪要号", "驳回理由"]

REJECTIONS = {
    "month 13": (with_plan(["P1", 13, 100]), ["用款计划 第2行 月份: 月份须在1到12之间"]),
    "month 0": (with_plan(["P1", 0, 100]), ["用款计划 第2行 月份: 月份须在1到12之间"]),
    "negative plan": (with_plan(["P1", 1, -5]), ["用款计划 第2行 金额: 金额不能为负数"]),
    "duplicate month": (
        with_plan(["P1", 3, 100], ["P2", 3, 100], ["P1", 3, 200]),
        ["用款计划 第4行 月份: 项目P1 3月的用款计划重复：第2行和第4行"],
    ),
    "plan above the budget": (
        with_plan(["P2", 1, "30000.00"], ["P2", 2, "21000.01"]),
        ["用款计划 第3行 金额: 项目“培训项目”（P2）的用款计划合计 51,000.01 元，超过年末全年预算 51,000.00 元"],
    ),
    "plan of an unknown item": (with_plan(["P9", 1, 100]), ["用款计划 第2行 项目编码: 项目编码“P9”不存在于“预算项目”表"]),
    "transfer to itself": (
        with_transfer("P1", "P1", "本级财政", 100, "2024-02-01", None),
        ["预算调剂 第2行 调入项目: 调出项目与调入项目不能相同"],
    ),
    "transfer from an unknown item": (
        with_transfer("P9", "P1", "本级财政", 100, "2024-02-01", None),
        ["预算调剂 第2行 调出项目: 调出项目“P9”不存在于“预算项目”表"],
    ),
    "transfer of nothing": (
        with_transfer("P1", "P2", "本级财政", 0, "2024-02-01", None),
        ["预算调剂 第2行 金额: 金额须大于0"],
    ),
    "transfer outside the year": (
        with_transfer("P1", "P2", "本级财政", 100, "2023-12-31", None),
        ["预算调剂 第2行 日期: 日期须在2024年度内"],
    ),
    # P2 has spent all of its 51,000.00 by July: nothing is left to move in August.
    "transfer the source cannot spare": (
        with_transfer("P2", "P1", "本级财政", "1000.00", "2024-08-01", None),
        ["预算调剂 第2行 金额: 项目“培训项目”可用指标 0.00 元，本次调出 1,000.00 元，超出 1,000.00 元"],
    ),
    # Taken out in May, the money is missing when July's spending comes: that spending is refused,
    # as it would be at the counter (entries in date order, section 2).
    "transfer that leaves later spending uncovered": (
        with_transfer("P2", "P1", "本级财政", "1000.00", "2024-05-01", None),
        ["支出明细 第4行 金额: 项目“培训项目”可用指标 48,765.43 元，本次支出 49,765.43 元，超出 1,000.00 元"],
    ),
    "small transfer marked pending": (
        with_transfer("P1", "P2", "本级财政", 100, "2024-02-01", None, "待审批", None, None, None, None, header=DECISION_HEADER),
        ["预算调剂 第2行 状态: 金额低于三重一大标准 50,000.00 元的调剂即时生效，状态须为已生效"],
    ),
    "large approved transfer without its decision": (
        with_transfer("P1", "P2", "本级财政", 50000, "2024-02-01", None, None, None, None, None, None, header=DECISION_HEADER),
        [
            "预算调剂 第2行 党组会日期: 金额达到三重一大标准 50,000.00 元的已生效调剂须填写党组会日期",
            "预算调剂 第2行 会议纪要号: 金额达到三重一大标准 50,000.00 元的已生效调剂须填写会议纪要号",
        ],
    ),
    "rejected transfer without its reason": (
        with_transfer(
            "P1", "P2", "本级财政", 50000, "2024-02-01", None, "已驳回", None, None, None, None, header=DECISION_HEADER
        ),
        ["预算调剂 第2行 驳回理由: 已驳回的调剂须填写驳回理由"],
    ),
}


@pytest.mark.parametrize("case", REJECTIONS, ids=list(REJECTIONS))
def test_a_bad_plan_or_transfer_row_is_refused_where_it_is_and_nothing_is_written(case):
    change, expected = REJECTIONS[case]
    before = state()
    result = import_sheets(change(copy.deepcopy(valid_sheets())))
    assert messages(result) == expected
    assert result.department_year is None
    assert state() == before


def test_a_plan_within_the_budget_once_the_transfer_is_counted_is_accepted():
    """P2's 51,000.00 plus the 10,000.00 it receives: a plan of 61,000.00 is within its year-end budget."""
    sheets = with_plan(["P2", 1, "61000.00"])(budget_year_sheets())
    assert messages(import_sheets(sheets)) == []
    assert SpendingPlan.objects.get().amount == Decimal("61000.00")


def test_a_large_transfer_comes_in_with_its_decision_and_a_pending_one_with_no_lines():
    decider = get_user_model().objects.create_user("shenpi")
    sheets = valid_sheets()
    sheets["预算调剂"] = [
        DECISION_HEADER,
        ["P1", "P2", "本级财政", 50000, "2024-02-01", "调1", None, "shenpi", "2024-01-30", "党组〔2024〕2号", None],
        ["P1", "P2", "本级财政", 50000, "2024-03-01", "调2", "待审批", None, None, None, None],
    ]
    assert messages(import_sheets(sheets)) == []
    approved, pending = BudgetTransfer.objects.order_by("date")
    assert (approved.status, approved.decided_by, approved.meeting_date, approved.minutes_number) == (
        "approved",
        decider,
        date(2024, 1, 30),
        "党组〔2024〕2号",
    )
    assert approved.lines.count() == 2
    assert (pending.status, pending.lines.count()) == ("pending", 0)
    assert BudgetLine.objects.filter(kind="transfer_out").get().amount == Decimal("50000.00")


def test_the_lines_sheet_does_not_take_a_transfers_kind():
    sheets = valid_sheets()
    sheets["预算指标"].append(["P1", "本级财政", "调出", 100, "2024-02-01", None])
    result = import_sheets(sheets)
    assert messages(result) == ["预算指标 第5行 调整类型: “调出”不是有效的调整类型，可选：年初预算、年中追加、年中调减、上年结转"]


def test_a_pending_transfer_the_source_cannot_cover_when_entered_is_refused_on_its_row():
    """transfer_create checks the source when a transfer is entered, pending or not: P1 has
    50,000.00 left after the first transfer and cannot put 55,000.00 up for approval."""
    get_user_model().objects.create_user("shenpi")
    sheets = valid_sheets()
    sheets["预算调剂"] = [
        DECISION_HEADER,
        ["P1", "P2", "本级财政", 50000, "2024-02-01", "调1", None, "shenpi", "2024-01-30", "党组〔2024〕2号", None],
        ["P1", "P2", "本级财政", 55000, "2024-03-01", "调2", "待审批", None, None, None, None],
    ]
    before = state()
    result = import_sheets(sheets)
    assert messages(result) == ["预算调剂 第3行: 项目“人员经费”可用指标 50,000.00 元，本次调出 55,000.00 元，超出 5,000.00 元"]
    assert state() == before


def test_the_template_documents_both_sheets_in_its_instructions():
    book = load_workbook(io.BytesIO(workbook_bytes()))
    assert {"预算调剂", "用款计划"} <= set(book.sheetnames)
    documented = {(row[0], row[1]) for row in book["说明"].iter_rows(values_only=True) if row[1]}
    assert {("用款计划", "项目编码"), ("用款计划", "月份"), ("用款计划", "金额")} <= documented
    assert {("预算调剂", header) for header in TRANSFER_HEADER} <= documented
    assert [cell.value for cell in book["预算调剂"][1]][:6] == TRANSFER_HEADER
