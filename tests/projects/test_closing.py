"""Month closing (projects/closing.py, DOMAIN.md section 5): a month with pending spending stays
open; a closed month refuses every writer (the forms, the services, the admin, the importer);
reopening needs a reason, which the history keeps."""

import threading
from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections
from django.urls import reverse

from fundmgr import workbook
from projects import closing, services
from projects.models import EconomicClass, Expenditure, MonthClose
from tests import personas
from tests.fundmgr.workbooks import department_workbook

pytestmark = pytest.mark.django_db


def url(world, name, **kwargs):
    return reverse(name, kwargs={**world.kwargs, **kwargs})


def entry(world, **overrides):
    return {
        "item": world.item_a.pk,
        "date": "2024-07-01",
        "amount": "10.00",
        "economic_class": "30201",
        "memo": "录入",
        "voucher": "",
        "procurement_method": "",
        **overrides,
    }


def close(world, month):
    return closing.month_close(department_year=world.department_year, month=month, closed_by=world.finance)


def test_a_month_with_pending_entries_cannot_be_closed(world, as_persona):
    response = as_persona("finance").post(url(world, "closing:close", month=6), follow=True)
    assert "尚有 1 笔待审批支出" in response.content.decode()
    assert not MonthClose.objects.exists()


def test_a_closed_month_refuses_the_form_the_service_and_the_admin(world, as_persona):
    services.expenditure_reject(expenditure=world.pending_a, decided_by=world.finance, reason="x")
    response = as_persona("finance").post(url(world, "closing:close", month=6))
    assert response.status_code == 302
    assert MonthClose.objects.filter(month=6).exists()
    client = as_persona("accountant_a")
    # form: create, edit and delete
    created = client.post(url(world, "expenditures:new"), entry(world, date="2024-06-15"))
    assert "2024年6月已结账" in created.content.decode()
    edited = client.post(url(world, "expenditures:edit", pk=world.spent_a.pk), entry(world, date="2024-06-01", amount="1.00"))
    assert "已结账" in edited.content.decode()
    client.post(url(world, "expenditures:delete", pk=world.spent_a.pk))
    moved_out = client.post(url(world, "expenditures:edit", pk=world.spent_a.pk), entry(world, date="2024-07-01"))
    assert "已结账" in moved_out.content.decode()
    world.spent_a.refresh_from_db()
    assert (world.spent_a.amount, world.spent_a.date) == (Decimal("1000.00"), date(2024, 6, 1))
    # service
    with pytest.raises(ValidationError):
        services.expenditure_create(
            item=world.item_a, date=date(2024, 6, 30), amount=Decimal("1.00"), economic_class=EconomicClass.objects.get(code="30201")
        )
    with pytest.raises(ValidationError):
        services.budget_line_create(item=world.item_a, source="local", kind="addition", amount=Decimal("1.00"), date=date(2024, 6, 3))
    # budget-line form
    line = {"item": world.item_a.pk, "kind": "addition", "source": "local", "amount": "5.00", "date": "2024-06-05", "document": "X"}
    assert "已结账" in as_persona("finance").post(url(world, "budget_lines:new"), line).content.decode()
    # admin change goes through the same service
    admin = as_persona("finance")
    admin_response = admin.post(
        reverse("admin:projects_expenditure_change", args=[world.spent_a.pk]),
        {"item": world.item_a.pk, "date": "2024-06-01", "amount": "2.00", "economic_class": "30201", "memo": "x", "voucher": "", "procurement_method": ""},
        follow=True,
    )
    assert "已结账" in admin_response.content.decode()
    world.spent_a.refresh_from_db()
    assert world.spent_a.amount == Decimal("1000.00")
    # the list offers no edit or delete link for the closed month
    listing = client.get(url(world, "expenditures:list")).content.decode()
    assert url(world, "expenditures:edit", pk=world.spent_a.pk) not in listing


def test_reopening_needs_a_reason_and_is_recorded(world, as_persona):
    services.expenditure_reject(expenditure=world.pending_a, decided_by=world.finance, reason="x")
    close(world, 6)
    client = as_persona("finance")
    client.post(url(world, "closing:reopen", month=6), {"reason": ""})
    assert MonthClose.objects.filter(month=6).exists()
    client.post(url(world, "closing:reopen", month=6), {"reason": "补录6月差旅费凭证"})
    assert not MonthClose.objects.filter(month=6).exists()
    record = MonthClose.history.filter(history_type="-").get()
    assert record.history_change_reason == "补录6月差旅费凭证"
    assert record.history_user == world.finance
    page = client.get(url(world, "closing:months")).content.decode()
    assert "补录6月差旅费凭证" in page
    assert "补录6月差旅费凭证" in client.get(url(world, "audit:changes")).content.decode()


def test_approving_in_a_closed_month_is_refused_by_the_service(world):
    # A month can only be closed without pending entries, so force the state to test the guard.
    MonthClose.objects.create(department_year=world.department_year, month=6, closed_by=world.finance)
    with pytest.raises(ValidationError):
        services.expenditure_approve(expenditure=world.pending_a, decided_by=world.finance, meeting_date=date(2024, 6, 9), minutes_number="1")


def test_the_importer_refuses_a_year_with_closed_months(world):
    close(world, 1)
    result = workbook.workbook_import(source=department_workbook(world), replace=True, dry_run=False, user=world.finance)
    assert result.errors
    assert MonthClose.objects.filter(month=1).exists()
    assert Expenditure.objects.filter(pk=world.spent_a.pk).exists()


# Closing through a month ("关闭至 X 月") and the figures shown before closing


def test_closing_through_a_month_closes_every_open_month_up_to_it_and_skips_the_closed_ones(world):
    services.expenditure_reject(expenditure=world.pending_a, decided_by=world.finance, reason="x")
    close(world, 2)
    closed = closing.month_close_through(department_year=world.department_year, month=6, closed_by=world.finance)
    assert closed == [1, 3, 4, 5, 6]
    assert sorted(MonthClose.objects.values_list("month", flat=True)) == [1, 2, 3, 4, 5, 6]
    assert MonthClose.history.filter(history_type="+").count() == 6  # each close is on record
    assert set(MonthClose.objects.filter(month__in=closed).values_list("closed_by", flat=True)) == {world.finance.pk}


def test_closing_through_is_all_or_nothing_when_a_month_holds_pending_spending(world):
    services.expenditure_create(
        item=world.item_b, date=date(2024, 3, 5), amount=Decimal("70000.00"),
        economic_class=EconomicClass.objects.get(code="30201"), memo="三月大额",
    )
    with pytest.raises(ValidationError) as refused:
        closing.month_close_through(department_year=world.department_year, month=7, closed_by=world.finance)
    assert refused.value.messages == ["尚有待审批支出（3月 1 笔、6月 1 笔），请先审批或驳回后再结账；本次未关闭任何月份"]
    assert not MonthClose.objects.exists()


def test_closing_through_when_every_month_up_to_it_is_closed_is_refused_cleanly(world):
    closing.month_close_through(department_year=world.department_year, month=3, closed_by=world.finance)
    with pytest.raises(ValidationError) as refused:
        closing.month_close_through(department_year=world.department_year, month=3, closed_by=world.finance)
    assert refused.value.messages == ["3月及之前的月份均已结账"]
    assert MonthClose.objects.count() == 3


@pytest.mark.parametrize("month", [0, 13, -1])
def test_closing_through_a_month_outside_the_year_is_refused(world, month):
    with pytest.raises(ValidationError):
        closing.month_close_through(department_year=world.department_year, month=month, closed_by=world.finance)
    assert not MonthClose.objects.exists()


def test_month_figures_are_the_departments_approved_spending_to_the_cent_and_its_pending_count(world):
    office = EconomicClass.objects.get(code="30201")
    for amount in ("0.10", "0.20", "1234.56"):
        services.expenditure_create(item=world.item_b, date=date(2024, 6, 20), amount=Decimal(amount), economic_class=office)
    june, july = closing.month_figures(department_year=world.department_year, months=[6, 7])
    # A1 1,000.00 and B1 2,000.00 + 0.10 + 0.20 + 1,234.56; the pending 60,000.00 is not spending yet
    assert (june.month, june.spent, june.pending) == (6, Decimal("4234.86"), 1)
    assert (july.month, july.spent, july.pending) == (7, Decimal("0.00"), 0)


@pytest.mark.parametrize("run", range(3))
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_finance_officers_closing_at_once_close_each_month_once_and_get_no_error(run):
    """Both officers close through June at the same moment, one more closes May alone: the
    department-year lock queues them; each month is closed once, and the later ones are refused
    with a message (or skip what is closed), never an IntegrityError or a deadlock."""
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: SQLite serialises whole-database writes and has no row locks to race")
    world = personas.build()
    services.expenditure_reject(expenditure=world.pending_a, decided_by=world.finance, reason="x")
    barrier = threading.Barrier(3)
    outcomes: list[object] = []

    def officer(close_one):
        try:
            barrier.wait(timeout=30)
            try:
                outcomes.append(close_one())
            except ValidationError as error:
                outcomes.append(" ".join(error.messages))
        except BaseException as error:  # noqa: BLE001 - an IntegrityError or a deadlock is what we look for
            outcomes.append(error)
        finally:
            connections.close_all()

    year = world.department_year
    threads = [
        threading.Thread(target=officer, args=(lambda: closing.month_close_through(department_year=year, month=6, closed_by=world.finance),)),
        threading.Thread(target=officer, args=(lambda: closing.month_close_through(department_year=year, month=6, closed_by=world.finance),)),
        threading.Thread(target=officer, args=(lambda: [close(world, 5).month],)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads)
    assert not [outcome for outcome in outcomes if isinstance(outcome, BaseException)], outcomes
    closed = [month for outcome in outcomes if isinstance(outcome, list) for month in outcome]
    assert sorted(closed) == [1, 2, 3, 4, 5, 6]  # every month closed exactly once, by whoever came first
    assert sorted(MonthClose.objects.filter(department_year=year).values_list("month", flat=True)) == [1, 2, 3, 4, 5, 6]
    for outcome in outcomes:
        if isinstance(outcome, str):
            assert outcome in ("6月及之前的月份均已结账", "5月已结账"), outcome
