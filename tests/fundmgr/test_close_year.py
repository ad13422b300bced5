"""年终结转 (DOMAIN.md section 8): projects.yearend and `manage.py close_year`.

The small department of tests/projects/budget_year.py, at the end of 2024:
A1 特定目标类 1,200.00 − 300.00 = 900.00 unspent; A2 运转类 600.00 − 100.00 = 500.00;
B1 特定目标类 2,400.00 − 1,000.00 = 1,400.00; B2 人员类 900.00 − 450.00 = 450.00.
"""

import json
from datetime import date
from decimal import Decimal
from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError

from indicators.declarations import declaration_record_import
from indicators.models import Indicator, TargetDeclaration
from projects import services, yearend
from projects.models import BudgetItem, BudgetLine, Expenditure, MonthClose, YearClose
from projects.selectors import budget_summary
from tests.builders import BudgetItemFactory, BudgetLineFactory, DepartmentYearFactory, IndicatorFactory, UserFactory
from tests.projects.budget_year import small_department
from units.models import DepartmentYear

pytestmark = pytest.mark.django_db


@pytest.fixture
def department():
    return small_department()


@pytest.fixture
def closer():
    return UserFactory(username="year_closer")


def close_year(*args) -> dict:
    out = StringIO()
    call_command("close_year", "--department", "BY", "--year", "2024", *args, stdout=out)
    return json.loads(out.getvalue())


def ledger_state() -> dict:
    return {
        "years": list(DepartmentYear.objects.order_by("pk").values_list("pk", "year")),
        "items": list(BudgetItem.objects.order_by("pk").values_list("pk", "department_year_id", "code")),
        "lines": list(BudgetLine.objects.order_by("pk").values_list("pk", "item_id", "kind", "amount", "date")),
        "closes": list(MonthClose.objects.order_by("pk").values_list("department_year_id", "month")),
        "year_closes": list(YearClose.objects.values_list("department_year_id", "carried_total", "lapsed_total")),
    }


def test_closing_with_the_default_choices_carries_projects_and_lets_the_rest_lapse(department, closer):
    before = budget_summary(department_year=department.department_year)
    printed = close_year("--user", "year_closer")
    assert printed == {
        "year": 2024,
        "next_year": 2025,
        "carried": [{"code": "A1", "amount": "900.00"}, {"code": "B1", "amount": "1400.00"}],
        "lapsed": [{"code": "A2", "amount": "500.00"}, {"code": "B2", "amount": "450.00"}],
        "carried_total": "2300.00",
        "lapsed_total": "950.00",
    }
    next_year = DepartmentYear.objects.get(department=department.department_year.department, year=2025)
    summary = budget_summary(department_year=next_year)
    carried = {row.code: row.figures for row in summary.by_item}
    assert sorted(carried) == ["A1", "A2", "B1", "B2"]
    assert {code: figures.full_year for code, figures in carried.items()} == {
        "A1": Decimal("900.00"),
        "A2": Decimal("0.00"),
        "B1": Decimal("1400.00"),
        "B2": Decimal("0.00"),
    }
    assert (summary.totals.carryover, summary.totals.full_year) == (Decimal("2300.00"), Decimal("2300.00"))
    lines = list(
        BudgetLine.objects.filter(item__department_year=next_year)
        .order_by("item__code")
        .values_list("item__code", "kind", "source", "amount", "date", "document")
    )
    assert lines == [
        ("A1", "carryover", "local", Decimal("900.00"), date(2025, 1, 1), "结转自2024"),
        ("B1", "carryover", "superior", Decimal("1400.00"), date(2025, 1, 1), "结转自2024"),
    ]
    # The same units, names and categories; every month of 2024 closed, as the closer.
    a2 = BudgetItem.objects.get(department_year=next_year, code="A2")
    assert (a2.unit, a2.name, a2.category) == (department["A2"].unit, "A2项目", BudgetItem.Category.OPERATING)
    assert sorted(MonthClose.objects.filter(department_year=department.department_year).values_list("month", flat=True)) == list(
        range(1, 13)
    )
    assert set(MonthClose.objects.values_list("closed_by__username", flat=True)) == {"year_closer"}
    # The closed year's own figures do not change.
    after = budget_summary(department_year=department.department_year)
    assert [(row.code, row.figures) for row in after.by_item] == [(row.code, row.figures) for row in before.by_item]
    assert YearClose.objects.get(department_year=department.department_year).carried_total == Decimal("2300.00")


def test_carry_and_lapse_override_the_defaults_per_item(department, closer):
    printed = close_year("--user", "year_closer", "--carry", "B2", "--carry", "A2", "--lapse", "B1")
    assert printed["carried"] == [
        {"code": "A1", "amount": "900.00"},
        {"code": "A2", "amount": "500.00"},
        {"code": "B2", "amount": "450.00"},
    ]
    assert printed["lapsed"] == [{"code": "B1", "amount": "1400.00"}]
    assert (printed["carried_total"], printed["lapsed_total"]) == ("1850.00", "1400.00")
    next_year = DepartmentYear.objects.get(department=department.department_year.department, year=2025)
    carried = {row.code: row.figures.carryover for row in budget_summary(department_year=next_year).by_item}
    assert carried == {"A1": Decimal("900.00"), "A2": Decimal("500.00"), "B1": Decimal("0.00"), "B2": Decimal("450.00")}


def test_an_item_without_an_unspent_balance_is_neither_carried_nor_lapsed(department, closer):
    BudgetLineFactory(item=department["A1"], kind=BudgetLine.Kind.REDUCTION, amount=Decimal("900.00"), date=date(2024, 12, 1))
    result = yearend.close_year(department_year=department.department_year, user=closer)
    assert [row.code for row in result.carried] == ["B1"] and [row.code for row in result.lapsed] == ["A2", "B2"]
    assert (result.carried_total, result.lapsed_total) == (Decimal("1400.00"), Decimal("950.00"))


def test_a_second_close_of_the_same_year_is_refused_and_changes_nothing(department, closer):
    close_year("--user", "year_closer")
    before = ledger_state()
    with pytest.raises(CommandError) as refused:
        close_year("--user", "year_closer", "--carry", "A2")
    assert "2024年度已于" in str(refused.value) and "年终结转，不能重复结转" in str(refused.value)
    assert ledger_state() == before


def test_an_unknown_item_code_is_refused_with_exit_status_2_and_changes_nothing(department, closer):
    before = ledger_state()
    with pytest.raises(CommandError) as refused:
        close_year("--user", "year_closer", "--carry", "A1", "--carry", "Z9", "--lapse", "Q1")
    assert str(refused.value) == "2024年度没有以下项目编码：Q1、Z9"
    assert refused.value.returncode == 2
    assert ledger_state() == before


def test_a_code_both_carried_and_lapsed_is_refused(department):
    with pytest.raises(CommandError) as refused:
        close_year("--carry", "A1", "--lapse", "A1")
    assert (str(refused.value), refused.value.returncode) == ("项目编码不能既结转又结余：A1", 2)


def test_open_months_need_a_closer(department):
    before = ledger_state()
    with pytest.raises(CommandError, match="尚有未结账的月份，结账须有结账人"):
        close_year()
    assert ledger_state() == before


def test_a_year_whose_months_are_all_closed_closes_without_a_user(department, closer):
    for month in range(1, 13):
        MonthClose.objects.create(department_year=department.department_year, month=month, closed_by=closer)
    assert close_year()["carried_total"] == "2300.00"
    assert YearClose.objects.get().closed_by is None


def test_pending_spending_refuses_the_whole_close(department, closer):
    Expenditure.objects.filter(item=department["B2"]).update(status=Expenditure.Status.PENDING)
    before = ledger_state()
    with pytest.raises(ValidationError, match="待审批支出"):
        yearend.close_year(department_year=department.department_year, user=closer)
    assert ledger_state() == before


def test_an_existing_next_year_gains_the_missing_items_and_keeps_its_own(department, closer):
    next_year = DepartmentYearFactory(department=department.department_year.department, year=2025)
    kept = BudgetItemFactory(department_year=next_year, unit=department["B1"].unit, code="B1", name="乙项目（新）")
    BudgetLineFactory(item=kept, amount=Decimal("100.00"))
    BudgetItemFactory(department_year=next_year, unit=department["B1"].unit, code="N1", name="新增项目")
    yearend.close_year(department_year=department.department_year, user=closer)
    codes = sorted(BudgetItem.objects.filter(department_year=next_year).values_list("code", flat=True))
    assert codes == ["A1", "A2", "B1", "B2", "N1"]
    kept.refresh_from_db()
    assert kept.name == "乙项目（新）"
    rows = {row.code: row.figures for row in budget_summary(department_year=next_year).by_item}
    assert (rows["B1"].initial, rows["B1"].carryover, rows["B1"].full_year) == (
        Decimal("100.00"),
        Decimal("1400.00"),
        Decimal("1500.00"),
    )


def test_the_carried_line_takes_the_items_largest_source(department, closer):
    BudgetLineFactory(
        item=department["A1"], source=BudgetLine.Source.SUPERIOR, kind=BudgetLine.Kind.ADDITION, amount=Decimal("1300.00")
    )
    BudgetLineFactory(
        item=department["A1"], source=BudgetLine.Source.SUPERIOR, kind=BudgetLine.Kind.REDUCTION, amount=Decimal("200.00")
    )
    yearend.close_year(department_year=department.department_year, user=closer)
    line = BudgetLine.objects.get(item__department_year__year=2025, item__code="A1")
    assert (line.source, line.amount) == (BudgetLine.Source.LOCAL, Decimal("2000.00"))  # 本级 1,200.00 > 上级 1,100.00 net


def test_preview_reports_the_same_as_the_close_and_writes_nothing(department, closer):
    before = ledger_state()
    previewed = yearend.preview(department_year=department.department_year, carry={"B2"}, lapse={"A1"})
    assert [(row.code, row.amount) for row in previewed.carried] == [("B1", Decimal("1400.00")), ("B2", Decimal("450.00"))]
    assert (previewed.carried_total, previewed.lapsed_total) == (Decimal("1850.00"), Decimal("1400.00"))
    assert ledger_state() == before
    closed = yearend.close_year(department_year=department.department_year, carry={"B2"}, lapse={"A1"}, user=closer)
    assert (closed.carried, closed.lapsed) == (previewed.carried, previewed.lapsed)


def test_an_unknown_department_is_refused_with_exit_status_2(db):
    with pytest.raises(CommandError) as refused:
        call_command("close_year", "--department", "NONE", "--year", "2024", stdout=StringIO())
    assert (str(refused.value), refused.value.returncode) == ("没有找到部门 NONE 的 2024 年度数据", 2)


def test_a_pending_transfer_refuses_the_close(department, closer, settings):
    settings.APPROVAL_THRESHOLD = Decimal("100.00")
    services.transfer_create(
        department_year=department.department_year,
        from_item=department["A1"],
        to_item=department["B1"],
        source="local",
        amount=Decimal("100.00"),
        date=date(2024, 4, 1),
    )
    before = ledger_state()
    with pytest.raises(ValidationError) as refused:
        yearend.close_year(department_year=department.department_year, user=closer)
    assert refused.value.messages == ["2024年度尚有 1 笔待审批的预算调剂，请先审批或驳回后再结转"]
    assert ledger_state() == before


def test_a_closed_january_of_the_next_year_refuses_the_carryover_and_closes_no_month(department, closer):
    next_year = DepartmentYearFactory(department=department.department_year.department, year=2025)
    MonthClose.objects.create(department_year=next_year, month=1, closed_by=closer)
    before = ledger_state()
    with pytest.raises(ValidationError) as refused:
        yearend.close_year(department_year=department.department_year, user=closer)
    assert refused.value.messages == ["2025年1月已结账，不能再录入上年结转"]
    assert ledger_state() == before


def test_transfers_count_in_the_balances_carried(department, closer):
    services.transfer_create(
        department_year=department.department_year,
        from_item=department["B2"],
        to_item=department["A1"],
        source="local",
        amount=Decimal("200.00"),
        date=date(2024, 9, 1),
    )
    result = yearend.close_year(department_year=department.department_year, user=closer)
    assert [(row.code, row.amount) for row in result.carried] == [("A1", Decimal("1100.00")), ("B1", Decimal("1400.00"))]
    assert [(row.code, row.amount) for row in result.lapsed] == [("A2", Decimal("500.00")), ("B2", Decimal("250.00"))]


def test_copy_targets_starts_next_years_declarations_from_this_years_targets_in_force(department, closer):
    """Year over year (issue 16 item 6): --copy-targets copies the targets in force as version-1
    drafts of the year close_year creates: the department's, and each carried item's by its code."""
    this_year = department.department_year
    IndicatorFactory(department_year=this_year, code="D1", name="部门指标", target=Decimal("10"))
    IndicatorFactory(department_year=this_year, item=department.items["A1"], code="A1-1", name="项目指标", target=Decimal("5"))
    declaration_record_import(department_year=this_year, user=closer)
    printed = close_year("--user", "year_closer", "--copy-targets")
    assert printed["targets_copied"] == [
        {"scope": "", "version": 1, "indicators": 1},
        {"scope": "A1", "version": 1, "indicators": 1},
    ]
    drafts = TargetDeclaration.objects.filter(department_year__year=2025).order_by("pk")  # the department first
    assert [(row.item.code if row.item else "", row.state, [ind["code"] for ind in row.indicators]) for row in drafts] == [
        ("", "draft", ["D1"]),
        ("A1", "draft", ["A1-1"]),
    ]
    assert not Indicator.objects.filter(department_year__year=2025).exists()  # drafts are not scored


def test_without_copy_targets_next_year_has_no_declarations(department, closer):
    IndicatorFactory(department_year=department.department_year, code="D1", target=Decimal("10"))
    declaration_record_import(department_year=department.department_year, user=closer)
    assert "targets_copied" not in close_year("--user", "year_closer")
    assert not TargetDeclaration.objects.filter(department_year__year=2025).exists()
