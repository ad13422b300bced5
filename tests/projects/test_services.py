"""Availability control through the services every writer uses (DOMAIN.md section 2)."""

import threading
from datetime import date
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import connection, connections

from projects import availability, services
from projects.models import BudgetLine, EconomicClass, Expenditure, MonthClose
from tests import personas
from tests.builders import BudgetItemFactory, BudgetLineFactory
from tests.personas import ensure_economic_classes

pytestmark = pytest.mark.django_db


@pytest.fixture
def item():
    p = BudgetItemFactory(
        department_year__department__code="D1", unit__code="U1", unit__name="测试单位", code="P1", name="妇联系统培训经费"
    )
    BudgetLineFactory(item=p, amount=Decimal("1000.00"))
    return p


def spend(item, amount, on=date(2024, 5, 1)):
    return services.expenditure_create(
        item=item, date=on, amount=Decimal(amount), economic_class=EconomicClass.objects.get(code="30216")
    )


def test_spending_up_to_the_budget_is_accepted(item):
    spend(item, "999.99")
    spend(item, "0.01")
    assert Expenditure.objects.filter(item=item).count() == 2


def test_overspend_by_one_cent_is_refused_naming_item_available_and_shortfall(item):
    spend(item, "400.00")
    with pytest.raises(ValidationError) as refused:
        spend(item, "600.01")
    [message] = refused.value.message_dict["amount"]
    assert "妇联系统培训经费" in message
    assert "可用指标 600.00 元" in message
    assert "超出 0.01 元" in message
    assert Expenditure.objects.filter(item=item).count() == 1


def test_budget_line_of_the_same_date_is_available_to_spending_of_that_date(item):
    services.budget_line_create(
        item=item, source=BudgetLine.Source.LOCAL, kind=BudgetLine.Kind.ADDITION, amount=Decimal("500.00"), date=date(2024, 8, 1)
    )
    spend(item, "1500.00", on=date(2024, 8, 1))
    assert Expenditure.objects.get(item=item).amount == Decimal("1500.00")


def test_backdated_spending_cannot_use_budget_that_arrives_later(item):
    services.budget_line_create(
        item=item, source=BudgetLine.Source.LOCAL, kind=BudgetLine.Kind.ADDITION, amount=Decimal("500.00"), date=date(2024, 8, 1)
    )
    with pytest.raises(ValidationError) as refused:
        spend(item, "1500.00", on=date(2024, 7, 31))
    assert "超出 500.00 元" in refused.value.message_dict["amount"][0]


def test_reduction_below_what_is_spent_is_refused(item):
    spend(item, "700.00")
    with pytest.raises(ValidationError) as refused:
        services.budget_line_create(
            item=item,
            source=BudgetLine.Source.LOCAL,
            kind=BudgetLine.Kind.REDUCTION,
            amount=Decimal("300.01"),
            date=date(2024, 9, 1),
        )
    assert "可用指标 300.00 元" in refused.value.message_dict["amount"][0]
    assert not BudgetLine.objects.filter(item=item, kind=BudgetLine.Kind.REDUCTION).exists()


def test_reduction_dated_before_the_spending_is_refused_too(item):
    spend(item, "700.00", on=date(2024, 10, 1))
    with pytest.raises(ValidationError):
        services.budget_line_create(
            item=item,
            source=BudgetLine.Source.LOCAL,
            kind=BudgetLine.Kind.REDUCTION,
            amount=Decimal("300.01"),
            date=date(2024, 3, 1),
        )


def test_pending_spending_reserves_its_amount_and_rejection_frees_it(item, settings):
    settings.APPROVAL_THRESHOLD = Decimal("500.00")
    pending = spend(item, "800.00")
    assert pending.status == Expenditure.Status.PENDING
    with pytest.raises(ValidationError):
        spend(item, "200.01")
    services.expenditure_reject(expenditure=pending, decided_by=None, reason="超出计划")
    spend(item, "200.01")


def test_date_outside_the_year_is_refused(item):
    with pytest.raises(ValidationError) as refused:
        spend(item, "1.00", on=date(2025, 1, 1))
    assert "2024" in refused.value.message_dict["date"][0]


def test_closed_month_refuses_new_spending(item, django_user_model):
    officer = django_user_model.objects.create_user("officer")
    MonthClose.objects.create(department_year=item.department_year, month=5, closed_by=officer)
    with pytest.raises(ValidationError) as refused:
        spend(item, "1.00", on=date(2024, 5, 20))
    assert "已结账" in refused.value.message_dict["date"][0]


def test_editing_spending_checks_the_new_amount_without_the_old_one(item):
    first = spend(item, "600.00")
    spend(item, "300.00")
    services.expenditure_update(expenditure=first, date=first.date, amount=Decimal("700.00"), economic_class=first.economic_class)
    with pytest.raises(ValidationError):
        services.expenditure_update(
            expenditure=first, date=first.date, amount=Decimal("700.01"), economic_class=first.economic_class
        )
    first.refresh_from_db()
    assert first.amount == Decimal("700.00")


def test_deleting_a_budget_line_that_spending_depends_on_is_refused(item):
    spend(item, "10.00")
    with pytest.raises(ValidationError):
        services.budget_line_delete(line=BudgetLine.objects.get(item=item))
    assert BudgetLine.objects.filter(item=item).count() == 1


def test_changing_spending_another_user_deleted_meanwhile_is_refused_with_a_message(item):
    stale = spend(item, "100.00")
    Expenditure.objects.filter(pk=stale.pk).delete()
    with pytest.raises(ValidationError) as refused:
        services.expenditure_update(
            expenditure=stale,
            date=date(2024, 5, 2),
            amount=Decimal("50.00"),
            economic_class=EconomicClass.objects.get(code="30216"),
        )
    assert "该支出已不存在" in refused.value.messages[0]
    with pytest.raises(ValidationError):
        services.expenditure_delete(expenditure=stale)
    assert not Expenditure.objects.filter(item=item).exists()


def test_deleting_a_line_checks_its_stored_date_not_a_stale_copy(item):
    line = services.budget_line_create(
        item=item,
        source=BudgetLine.Source.LOCAL,
        kind=BudgetLine.Kind.ADDITION,
        amount=Decimal("10.00"),
        date=date(2024, 3, 1),
    )
    BudgetLine.objects.filter(pk=line.pk).update(date=date(2024, 2, 1))
    MonthClose.objects.create(
        department_year=item.department_year, month=2, closed_by=get_user_model().objects.create_user("closer")
    )
    with pytest.raises(ValidationError) as refused:
        services.budget_line_delete(line=line)  # the copy still says March, an open month
    assert "2月已结账" in refused.value.messages[0]
    assert BudgetLine.objects.filter(pk=line.pk).exists()


def test_deleting_a_line_another_user_deleted_meanwhile_is_refused_with_a_message(item):
    line = services.budget_line_create(
        item=item,
        source=BudgetLine.Source.LOCAL,
        kind=BudgetLine.Kind.ADDITION,
        amount=Decimal("10.00"),
        date=date(2024, 3, 1),
    )
    BudgetLine.objects.filter(pk=line.pk).delete()
    with pytest.raises(ValidationError) as refused:
        services.budget_line_delete(line=line)
    assert "该预算指标已不存在" in refused.value.messages[0]


# Rules the ledger services enforce for every writer (forms and admin alike).
def test_spending_on_an_item_that_needs_procurement_names_the_method(world):
    office = EconomicClass.objects.get(code="31002")
    with pytest.raises(ValidationError) as raised:
        services.expenditure_create(item=world.item_a2, date=date(2024, 7, 1), amount=Decimal("10.00"), economic_class=office)
    assert raised.value.message_dict["procurement_method"] == ["该项目须政府采购，请选择采购方式"]
    saved = services.expenditure_create(
        item=world.item_a2, date=date(2024, 7, 1), amount=Decimal("10.00"), economic_class=office, procurement_method="inquiry"
    )
    assert saved.procurement_method == "inquiry"


def test_approval_needs_a_meeting_date_and_a_minutes_number(world):
    with pytest.raises(ValidationError):
        services.expenditure_approve(
            expenditure=world.pending_a, decided_by=world.finance, meeting_date=date(2024, 6, 9), minutes_number=" "
        )
    with pytest.raises(ValidationError):
        services.expenditure_approve(expenditure=world.pending_a, decided_by=world.finance, meeting_date=None, minutes_number="7")


def test_deleting_uses_the_stored_date_not_the_callers_copy(world):
    MonthClose.objects.create(department_year=world.department_year, month=6, closed_by=world.finance)
    stale = world.spent_a
    stale.date = date(2024, 7, 1)  # an edited, unsaved copy must not get past the closed month
    with pytest.raises(ValidationError):
        services.expenditure_delete(expenditure=stale)


def test_available_amount_is_exact_cents_on_every_engine(world):
    office = EconomicClass.objects.get(code="30201")
    for amount in ("0.10", "0.20", "0.70"):
        services.expenditure_create(item=world.item_b, date=date(2024, 7, 1), amount=Decimal(amount), economic_class=office)
    available = availability.available_amount(item=world.item_b, on=date(2024, 7, 1))
    assert available == Decimal("97999.00")
    assert available.as_tuple().exponent == -2


# --- 三重一大: approving several expenditures under one meeting record ---


def pending(item, amount, on, memo):
    """A pending entry as the workbook import or the admin can leave it: not checked against the
    other pending entries' reservations, so that two of them may together exceed the budget."""
    return Expenditure.objects.create(
        item=item, date=on, amount=Decimal(amount), memo=memo, status=Expenditure.Status.PENDING,
        economic_class=EconomicClass.objects.get(code="30216"),
    )


def test_a_batch_is_approved_under_one_meeting_record(world):
    second = pending(world.item_b, "55000.00", date(2024, 7, 1), "乙大额宣传")
    approved = services.expenditures_approve(
        expenditures=[world.pending_a, second], decided_by=world.finance, meeting_date=date(2024, 7, 3), minutes_number=" 党组会纪要〔2024〕9号 "
    )
    assert [row.pk for row in approved] == sorted([world.pending_a.pk, second.pk])
    rows = Expenditure.objects.filter(pk__in=[world.pending_a.pk, second.pk])
    assert {(row.status, row.meeting_date, row.minutes_number, row.decided_by_id) for row in rows} == {
        (Expenditure.Status.APPROVED, date(2024, 7, 3), "党组会纪要〔2024〕9号", world.finance.pk)
    }


def test_two_approvals_on_one_item_may_not_together_overspend_it_and_the_batch_approves_none(world):
    # A1: 100,000.00 budget, 1,000.00 approved. 60,000.00 pending on 06-02, and 45,000.00 more pending on
    # 07-01: each fits alone (99,000.00 available), together they exceed it by 6,000.00.
    later = pending(world.item_a, "45000.00", date(2024, 7, 1), "甲第二笔大额")
    small = pending(world.item_b, "50000.00", date(2024, 7, 1), "乙大额")
    with pytest.raises(ValidationError) as refused:
        services.expenditures_approve(
            expenditures=[later, world.pending_a, small], decided_by=world.finance, meeting_date=date(2024, 7, 3), minutes_number="9"
        )
    assert refused.value.messages == [
        "2024-07-01 甲培训经费“甲第二笔大额”45,000.00 元：项目可用指标 39,000.00 元（已扣除已生效支出及同批先审批的支出），超出 6,000.00 元"
    ]
    assert set(Expenditure.objects.filter(pk__in=[later.pk, world.pending_a.pk, small.pk]).values_list("status", flat=True)) == {
        Expenditure.Status.PENDING
    }
    # One at a time, the first fits and the second is then refused for the same reason.
    services.expenditure_approve(expenditure=world.pending_a, decided_by=world.finance, meeting_date=date(2024, 7, 3), minutes_number="9")
    with pytest.raises(ValidationError, match="超出 6,000.00 元"):
        services.expenditure_approve(expenditure=later, decided_by=world.finance, meeting_date=date(2024, 7, 3), minutes_number="9")


def test_an_earlier_approval_counts_against_a_later_point_of_the_same_item(world):
    # 100,000.00 is there from January, but 1,000.00 is approved for June: a March approval must
    # leave room for it, so 99,000.00 is what March may take.
    march = pending(world.item_a, "99000.01", date(2024, 3, 1), "甲三月大额")
    with pytest.raises(ValidationError, match="项目可用指标 99,000.00 元"):
        services.expenditures_approve(expenditures=[march], decided_by=world.finance, meeting_date=date(2024, 7, 3), minutes_number="9")


def test_an_already_decided_row_refuses_the_batch_naming_who_decided_it(world):
    second = pending(world.item_b, "55000.00", date(2024, 7, 1), "乙大额宣传")
    services.expenditure_reject(expenditure=second, decided_by=world.leader, reason="重复")
    with pytest.raises(ValidationError) as refused:
        services.expenditures_approve(
            expenditures=[world.pending_a, second], decided_by=world.finance, meeting_date=date(2024, 7, 3), minutes_number="9"
        )
    assert refused.value.messages == ["2024-07-01 乙宣传经费“乙大额宣传”55,000.00 元：已被leader驳回，不能再审批"]
    world.pending_a.refresh_from_db()
    assert world.pending_a.status == Expenditure.Status.PENDING


def test_a_batch_needs_rows_a_meeting_date_and_a_minutes_number(world):
    with pytest.raises(ValidationError, match="请至少勾选一笔待审批的支出"):
        services.expenditures_approve(expenditures=[], decided_by=world.finance, meeting_date=date(2024, 7, 3), minutes_number="9")
    with pytest.raises(ValidationError) as refused:
        services.expenditures_approve(expenditures=[world.pending_a], decided_by=world.finance, meeting_date=None, minutes_number=" ")
    assert refused.value.message_dict == {"meeting_date": ["请填写党组会日期"], "minutes_number": ["请填写会议纪要号"]}


def test_a_row_in_a_closed_month_refuses_the_batch(world):
    MonthClose.objects.create(department_year=world.department_year, month=6, closed_by=world.finance)
    with pytest.raises(ValidationError, match="2024年6月已结账"):
        services.expenditures_approve(expenditures=[world.pending_a], decided_by=world.finance, meeting_date=date(2024, 7, 3), minutes_number="9")
    world.pending_a.refresh_from_db()
    assert world.pending_a.status == Expenditure.Status.PENDING


@pytest.fixture
def postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: SQLite serialises whole-database writes and has no row locks to test")


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("overlapping", [True, False], ids=["overlapping batches", "separate batches"])
def test_two_officers_approving_at_once_never_overspend_nor_decide_a_row_twice(postgres_only, overlapping):
    ensure_economic_classes()
    world = personas.build()
    # A1: 100,000.00 budget, 1,000.00 approved: 99,000.00 for approvals. Each batch fits alone, not both.
    first = pending(world.item_a, "50000.00", date(2024, 7, 1), "甲一")
    shared = pending(world.item_a, "40000.00", date(2024, 7, 2), "甲二")
    last = pending(world.item_a, "55000.00", date(2024, 7, 3), "甲三")
    batches = [[first, shared], [shared, last]] if overlapping else [[first], [last]]
    second_officer = personas.member(personas.user("finance_2"), world.department_year, "finance")
    officers = [world.finance, second_officer]
    barrier = threading.Barrier(2)
    outcomes: list = [None, None]

    def officer(number):
        try:
            barrier.wait(timeout=30)
            rows = services.expenditures_approve(
                expenditures=batches[number], decided_by=officers[number], meeting_date=date(2024, 7, 5), minutes_number=f"纪要{number}"
            )
            outcomes[number] = ("approved", [row.pk for row in rows])
        except ValidationError as error:
            outcomes[number] = ("refused", error.messages)
        except BaseException as error:  # noqa: BLE001
            outcomes[number] = ("crashed", repr(error))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=officer, args=(number,)) for number in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert sorted(kind for kind, _detail in outcomes) == ["approved", "refused"], outcomes
    winner = next(number for number, (kind, _detail) in enumerate(outcomes) if kind == "approved")
    loser_messages = outcomes[1 - winner][1]
    assert all("不能再审批" in message or "超出" in message for message in loser_messages), loser_messages
    approved = Expenditure.objects.filter(item=world.item_a, status=Expenditure.Status.APPROVED)
    assert sorted(approved.exclude(pk=world.spent_a.pk).values_list("pk", flat=True)) == sorted(row.pk for row in batches[winner])
    assert set(approved.exclude(pk=world.spent_a.pk).values_list("decided_by", flat=True)) == {officers[winner].pk}
    assert sum(row.amount for row in approved) <= Decimal("100000.00")
