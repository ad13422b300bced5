"""The workbook export is a restorable backup: export → import → export gives the same workbook
and the same summary, for every state the ledger can hold (DOMAIN.md section 4)."""

import io
from datetime import date
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from fundmgr.demo.synthetic import synthetic_ledger_create
from fundmgr.summary import summary_json
from fundmgr.workbook import schema, workbook_bytes, workbook_import, workbook_rows
from indicators.models import Indicator
from projects.closing import month_close, month_reopen
from projects.models import BudgetItem, BudgetLine, BudgetTransfer, Expenditure, MonthClose, SpendingPlan
from projects.services import plan_set, transfer_approve, transfer_create, transfer_reject
from tests import personas
from tests.fundmgr.workbooks import valid_sheets, xlsx
from units.models import BudgetUnit, Department, DepartmentYear

pytestmark = pytest.mark.django_db

HOSTILE_TEXTS = ["", "=HYPERLINK(\"http://example.com\",\"点击\")", "=1+1", "+86", "-负数", "@SUM(A1)", "#N/A", "001", "TRUE", "2024-01-01"]


def exported(department_year: DepartmentYear) -> bytes:
    return workbook_bytes(workbook_rows(department_year=department_year))


def sheet_values(content: bytes) -> dict[str, list[tuple]]:
    """Every schema sheet's cell values; no cell may be a formula."""
    book = load_workbook(io.BytesIO(content))
    values = {}
    for sheet in schema.SHEETS:
        rows = list(book[sheet.name].iter_rows())
        assert not [cell.coordinate for row in rows for cell in row if cell.data_type == "f"], sheet.name
        values[sheet.name] = [tuple(cell.value for cell in row) for row in rows]
    return values


def empty_the_year(department_year: DepartmentYear) -> None:
    """What a fresh database holds of the year: nothing (units and users stay)."""
    department_year.delete()


def round_trip(department_year: DepartmentYear, *, importer=None) -> DepartmentYear:
    """Export, import (replacing the year, or into an emptied year when a month is closed, since an
    existing year with a closed month is never replaced), export again; both must be the same."""
    code, year = department_year.department.code, department_year.year
    first, summary = exported(department_year), summary_json(department_year=department_year)
    if MonthClose.objects.filter(department_year=department_year).exists():
        empty_the_year(department_year)
    result = workbook_import(source=io.BytesIO(first), replace=True, user=importer)
    assert result.errors == []
    restored = DepartmentYear.objects.get(department__code=code, year=year)
    assert sheet_values(exported(restored)) == sheet_values(first)
    assert summary_json(department_year=restored) == summary
    return restored


def test_a_blank_memo_comes_back_blank(world):
    Expenditure.objects.filter(pk=world.spent_b.pk).update(memo="")
    round_trip(world.department_year)
    assert Expenditure.objects.get(item__code="B1").memo == ""


def test_text_starting_with_a_formula_sign_is_written_as_text_and_comes_back_as_typed(world):
    Expenditure.objects.filter(pk=world.spent_a.pk).update(memo=HOSTILE_TEXTS[1], voucher="=1+1")
    BudgetLine.objects.filter(pk=world.line_a.pk).update(document="@文号")
    BudgetUnit.objects.filter(pk=world.unit_b.pk).update(name="-乙单位")
    Indicator.objects.filter(pk=world.indicator_a.pk).update(name="+指标", unit="=人")
    content = exported(world.department_year)
    cell = load_workbook(io.BytesIO(content))["支出明细"]["E2"]
    assert (cell.value, cell.data_type) == (HOSTILE_TEXTS[1], "s")
    round_trip(world.department_year)
    spent = Expenditure.objects.get(memo=HOSTILE_TEXTS[1])
    assert spent.voucher == "=1+1"


def test_pending_and_rejected_spending_come_back_with_their_decisions(world):
    decider = world.finance
    Expenditure.objects.filter(pk=world.spent_b.pk).update(
        status=Expenditure.Status.REJECTED, decided_by=decider, rejection_reason="超出范围"
    )
    Expenditure.objects.filter(pk=world.spent_a.pk).update(
        decided_by=decider, meeting_date=date(2024, 5, 30), minutes_number="党组〔2024〕5号", procurement_method="inquiry"
    )
    round_trip(world.department_year)
    assert Expenditure.objects.get(memo="甲大额培训").status == "pending"
    rejected = Expenditure.objects.get(memo="乙办公用品")
    assert (rejected.status, rejected.decided_by, rejected.rejection_reason) == ("rejected", decider, "超出范围")
    approved = Expenditure.objects.get(memo="甲办公用品")
    assert (approved.status, approved.meeting_date, approved.minutes_number, approved.procurement_method) == (
        "approved", date(2024, 5, 30), "党组〔2024〕5号", "inquiry"
    )


def test_closed_months_and_reopenings_come_back_with_their_users_and_reasons(world):
    year = world.department_year
    month_close(department_year=year, month=1, closed_by=world.finance)
    month_close(department_year=year, month=3, closed_by=world.finance)
    month_reopen(month_close=MonthClose.objects.get(department_year=year, month=3), reason="补录三月凭证", reopened_by=world.finance)
    restored = round_trip(year, importer=world.leader)
    assert list(MonthClose.objects.filter(department_year=restored).values_list("month", "closed_by")) == [(1, world.finance.pk)]
    reopening = MonthClose.history.filter(department_year_id=restored.pk, history_type="-").get()
    assert (reopening.month, reopening.history_change_reason, reopening.history_user) == (3, "补录三月凭证", world.finance)


def test_indicator_results_staff_counts_and_procurement_come_back(world):
    BudgetUnit.objects.filter(pk=world.unit_a.pk).update(authorized_staff=12, actual_staff=10, retired_staff=4, lixiu_staff=1)
    Indicator.objects.filter(pk=world.indicator_a.pk).update(
        actual=Decimal("8"), deviation_reason="天气原因", corrective_measures="提前安排", results_final=True
    )
    Indicator.objects.filter(pk=world.indicator_b.pk).update(
        direction="qualitative", target=None, midyear=None, actual=None, tier="partly", rate=Decimal("65.00")
    )
    round_trip(world.department_year)
    indicator = Indicator.objects.get(code="I-A1")
    assert (indicator.deviation_reason, indicator.corrective_measures, indicator.results_final) == ("天气原因", "提前安排", True)
    assert Indicator.objects.get(code="I-B1").rate == Decimal("65.00")
    assert BudgetItem.objects.get(code="A2").procurement_required


def test_a_synthetic_ledger_comes_back_whole():
    personas.ensure_economic_classes()
    synthetic_ledger_create(departments=1, units_per_department=2, items_per_unit=3, expenditures=300, year=2024, seed=7)
    year = DepartmentYear.objects.get(department__code="SYN001", year=2024)
    assert Expenditure.objects.filter(item__department_year=year, status="rejected").exists()
    round_trip(year)


def test_a_workbook_may_close_months_and_they_are_closed_by_the_import():
    closer = get_user_model().objects.create_user("caiwu")
    sheets = valid_sheets()
    sheets["月结"] = [["月份", "操作", "理由", "操作人"], [1, "结账", None, "caiwu"], [2, "结账", None, None], [2, "重新开账", "补录", "caiwu"]]
    result = workbook_import(source=xlsx(sheets), user=closer)
    assert result.errors == []
    assert list(MonthClose.objects.values_list("month", flat=True)) == [1]
    assert result.counts["月结"] == 3


def test_a_workbook_closing_a_month_that_holds_pending_spending_is_refused():
    sheets = valid_sheets()
    sheets["支出明细"][0].append("状态")
    sheets["支出明细"][1].append("待审批")
    sheets["月结"] = [["月份", "操作", "理由", "操作人"], [1, "结账", None, None], [3, "重新开账", "", None]]
    result = workbook_import(source=xlsx(sheets), user=get_user_model().objects.create_user("caiwu"))
    assert [str(error) for error in result.errors] == [
        "月结 第2行 月份: 1月尚有 1 笔待审批支出，请先审批或驳回后再结账",
        "月结 第3行 操作: 3月未结账，不能重新开账",
        "月结 第3行 理由: 请填写重新开账的理由",
    ]
    assert not Department.objects.exists()


def test_a_month_sheet_that_rewrites_the_years_history_is_refused(world):
    year = world.department_year
    month_close(department_year=year, month=2, closed_by=world.finance)
    month_reopen(month_close=MonthClose.objects.get(department_year=year, month=2), reason="更正", reopened_by=world.finance)
    rows = workbook_rows(department_year=year)
    rows["month_closes"][1]["reason"] = "另一个理由"
    result = workbook_import(source=workbook_bytes(rows), replace=True)
    assert [str(error) for error in result.errors] == [
        "月结 第3行: 月结记录须以该年度已有的2条结账、重新开账记录开头，已有的记录不能改写"
    ]


# ---- the property ------------------------------------------------------------------------

PROPERTY = settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)
texts = st.one_of(
    st.sampled_from(HOSTILE_TEXTS),
    st.text(alphabet="测试摘要ABCxyz019=+-@#%,. ", max_size=20).map(str.strip),
)
cents = st.integers(min_value=1, max_value=100_000).map(lambda value: Decimal(value).scaleb(-2))
statuses = st.sampled_from(Expenditure.Status.values)
spending = st.tuples(
    st.integers(0, 2),  # item
    st.dates(date(2024, 1, 1), date(2024, 12, 31)),
    cents,
    statuses,
    texts,  # memo
    texts,  # voucher
    st.sampled_from(Expenditure.Procurement.values),
    st.booleans(),  # decided
)
months = st.lists(st.tuples(st.integers(1, 12), st.booleans()), max_size=4)  # (month, reopen afterwards)
indicators = st.lists(
    st.tuples(st.sampled_from(["ge", "le", "qualitative"]), st.integers(0, 3), texts, st.booleans()), max_size=3
)


def build_ledger(spent, closings, indicator_specs, users) -> DepartmentYear:
    decider, closer = users
    department = Department.objects.create(code="RT", name="往返部门")
    year = DepartmentYear.objects.create(department=department, year=2024)
    unit = BudgetUnit.objects.create(department=department, code="U", name="单位", kind="administrative", authorized_staff=3)
    items = [
        BudgetItem.objects.create(department_year=year, unit=unit, code=f"P{n}", name=f"项目{n}", category=category, position=n)
        for n, category in enumerate(BudgetItem.Category.values)
    ]
    for item in items:
        BudgetLine.objects.create(item=item, source="local", kind="initial", amount=Decimal("10000.00"), date=date(2024, 1, 1))
    BudgetLine.objects.create(item=items[0], source="other", kind="reduction", amount=Decimal("1.00"), date=date(2024, 12, 31), document="=减")
    for index, day, amount, status, memo, voucher, procurement, decided in spent:
        Expenditure.objects.create(
            item=items[index], date=day, amount=amount, economic_class_id="30201", memo=memo, voucher=voucher,
            status=status, procurement_method=procurement,
            decided_by=decider if decided else None,
            meeting_date=day if decided and status == "approved" else None,
            minutes_number=f"纪要{amount}" if decided else "",
            rejection_reason=memo if status == "rejected" else "",
        )
    for month, reopen in closings:
        if MonthClose.objects.filter(department_year=year, month=month).exists():
            continue
        if Expenditure.objects.filter(item__department_year=year, date__month=month, status="pending").exists():
            continue
        close = month_close(department_year=year, month=month, closed_by=closer)
        if reopen:
            month_reopen(month_close=close, reason=f"重开{month}", reopened_by=closer)
    for position, (direction, scope, reason, final) in enumerate(indicator_specs, start=1):
        qualitative = direction == "qualitative"
        Indicator.objects.create(
            department_year=year, item=items[scope] if scope < 3 else None, code=f"I{position}",
            level1="output", level2="数量", name=f"指标{position}", direction=direction,
            target=None if qualitative else Decimal("10.5"), actual=None if qualitative else Decimal("9.25"),
            tier="achieved" if qualitative else "", rate=Decimal("85.00") if qualitative else None,
            deviation_reason=reason, corrective_measures=reason, results_final=final, position=position,
        )
    return year


@PROPERTY
@given(spent=st.lists(spending, max_size=6), closings=months, indicator_specs=indicators)
def test_every_ledger_state_survives_export_import_export(db, spent, closings, indicator_specs):
    personas.ensure_economic_classes()
    with transaction.atomic():
        users = (
            get_user_model().objects.create_user("shenpi"),
            get_user_model().objects.create_user("jiezhang"),
        )
        year = build_ledger(spent, closings, indicator_specs, users)
        round_trip(year, importer=users[1])
        transaction.set_rollback(True)


def test_plans_and_transfers_in_every_state_come_back_with_their_decisions(world):
    """The 用款计划 and 预算调剂 sheets (DOMAIN.md section 8): a plan, a small transfer that took effect
    at once, a large one approved by the 党组会, a pending one and a rejected one."""
    year, finance = world.department_year, world.finance
    a1, a2, b1 = (BudgetItem.objects.get(department_year=year, code=code) for code in ("A1", "A2", "B1"))
    plan_set(item=a1, amounts={1: Decimal("0.00"), 6: Decimal("30000.00"), 12: Decimal("9000.50")}, user=finance)
    transfer_create(
        department_year=year, from_item=a2, to_item=b1, source="local", amount=Decimal("3000.00"), date=date(2024, 3, 1),
        document="调〔2024〕1号", created_by=finance,
    )
    large = transfer_create(
        department_year=year, from_item=b1, to_item=a2, source="superior", amount=Decimal("60000.00"), date=date(2024, 4, 1),
    )
    transfer_approve(transfer=large, decided_by=finance, meeting_date=date(2024, 3, 28), minutes_number="党组〔2024〕3号")
    transfer_create(department_year=year, from_item=a2, to_item=a1, source="local", amount=Decimal("50000.00"), date=date(2024, 5, 1))
    rejected = transfer_create(
        department_year=year, from_item=a2, to_item=b1, source="local", amount=Decimal("70000.00"), date=date(2024, 5, 2),
    )
    transfer_reject(transfer=rejected, decided_by=finance, reason="不符合调剂条件")

    round_trip(year)
    assert list(SpendingPlan.objects.order_by("month").values_list("item__code", "month", "amount")) == [
        ("A1", 1, Decimal("0.00")), ("A1", 6, Decimal("30000.00")), ("A1", 12, Decimal("9000.50")),
    ]
    transfers = list(BudgetTransfer.objects.order_by("date"))
    assert [(t.from_item.code, t.to_item.code, t.amount, t.status, t.lines.count()) for t in transfers] == [
        ("A2", "B1", Decimal("3000.00"), "approved", 2),
        ("B1", "A2", Decimal("60000.00"), "approved", 2),
        ("A2", "A1", Decimal("50000.00"), "pending", 0),
        ("A2", "B1", Decimal("70000.00"), "rejected", 0),
    ]
    assert (transfers[0].document, transfers[1].decided_by, transfers[1].meeting_date, transfers[1].minutes_number) == (
        "调〔2024〕1号", finance, date(2024, 3, 28), "党组〔2024〕3号"
    )
    assert (transfers[3].decided_by, transfers[3].rejection_reason) == (finance, "不符合调剂条件")
