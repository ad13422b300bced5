"""The ledger's one lock order (units/locks.py) under real concurrency, on PostgreSQL.

A workbook replace runs against eight clerks posting through the service, each on its own
thread and connection; a month is closed while clerks post into it. Nothing may deadlock or
fail with anything but a clean refusal, and the ledger must come out consistent.
"""

import threading
from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections, transaction

from fundmgr.workbook import workbook_bytes, workbook_import, workbook_rows
from projects import availability, services
from projects.closing import month_close
from projects.models import BudgetItem, EconomicClass, Expenditure, MonthClose
from tests import personas

THREADS = 8
POSTS_PER_CLERK = 6
ITEM_CODES = ("A1", "B1")



def skip_unless_postgres():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: SQLite serialises whole-database writes and has no row locks to race")


def run_together(*targets) -> None:
    threads = [threading.Thread(target=target) for target in targets]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=180)
    assert not any(thread.is_alive() for thread in threads), "a thread is still waiting: a lock was never released"


def ledger_overspent_items(department_year) -> list[str]:
    return [
        item.code
        for item in BudgetItem.objects.filter(department_year=department_year)
        if availability.replay(availability.item_movements(item))
    ]


@pytest.mark.parametrize("run", range(3))
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_replace_against_eight_posting_clerks_neither_deadlocks_nor_errs_and_leaves_a_consistent_ledger(run):
    skip_unless_postgres()
    world = personas.build()
    year = world.department_year
    content = workbook_bytes(workbook_rows(department_year=year))
    office = EconomicClass.objects.get(code="30201")
    barrier = threading.Barrier(THREADS + 1)
    accepted: list[tuple[str, int]] = []  # (memo, item pk) of every posting the service accepted
    refused: list[str] = []
    unexpected: list[BaseException] = []
    outcome = {}

    def clerk(number):
        try:
            barrier.wait(timeout=30)
            for attempt in range(POSTS_PER_CLERK):
                memo = f"并发{number}-{attempt}"
                # Each posting loads the item anew, as each web request does.
                item = BudgetItem.objects.get(department_year=year, code=ITEM_CODES[(number + attempt) % 2])
                try:
                    expenditure = services.expenditure_create(
                        item=item, date=date(2024, 7, 1), amount=Decimal("500.00"), economic_class=office, memo=memo
                    )
                except ValidationError as error:
                    refused.append(" ".join(error.messages))
                else:
                    accepted.append((memo, expenditure.item_id))
        except BaseException as error:  # noqa: BLE001 - a deadlock or an IntegrityError is what we look for
            unexpected.append(error)
        finally:
            connections.close_all()

    def importer():
        try:
            barrier.wait(timeout=30)
            outcome["result"] = workbook_import(source=content, replace=True)
        except BaseException as error:  # noqa: BLE001
            unexpected.append(error)
        finally:
            connections.close_all()

    run_together(importer, *[lambda n=n: clerk(n) for n in range(THREADS)])

    assert unexpected == []
    assert outcome["result"].ok, outcome["result"].errors
    for message in refused:
        assert "已不存在" in message or "可用指标" in message, message
    # The replace kept exactly the postings made after it: those against its new items.
    new_items = set(BudgetItem.objects.filter(department_year=year).values_list("pk", flat=True))
    kept = set(Expenditure.objects.filter(memo__startswith="并发").values_list("memo", flat=True))
    assert kept == {memo for memo, item_pk in accepted if item_pk in new_items}
    assert Expenditure.objects.exclude(memo__startswith="并发").count() == len(workbook_rows(department_year=year)["expenditures"]) - len(kept)
    assert len(accepted) + len(refused) == THREADS * POSTS_PER_CLERK
    assert ledger_overspent_items(year) == []


@pytest.mark.parametrize("run", range(3))
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_month_closed_while_clerks_post_into_it_never_holds_pending_spending(run):
    """A closed month must hold no pending spending (projects.closing.month_close). Clerks post
    pending (三重一大) spending into July while the finance office closes July."""
    skip_unless_postgres()
    world = personas.build(budget="10000000.00")
    year = world.department_year
    office = EconomicClass.objects.get(code="30201")
    barrier = threading.Barrier(THREADS + 1)
    unexpected: list[BaseException] = []
    refusals: list[str] = []

    def clerk(number):
        try:
            barrier.wait(timeout=30)
            for attempt in range(POSTS_PER_CLERK):
                try:
                    services.expenditure_create(
                        item=world.item_a, date=date(2024, 7, 1 + attempt), amount=Decimal("60000.00"),
                        economic_class=office, memo=f"大额{number}-{attempt}",
                    )
                except ValidationError as error:
                    refusals.append(" ".join(error.messages))
        except BaseException as error:  # noqa: BLE001
            unexpected.append(error)
        finally:
            connections.close_all()

    def closer():
        try:
            barrier.wait(timeout=30)
            for _ in range(20):
                try:
                    month_close(department_year=year, month=7, closed_by=world.finance)
                    return
                except ValidationError as error:
                    refusals.append(" ".join(error.messages))
                    # Decide what is pending, as the finance office would, then try again.
                    for pending in Expenditure.objects.filter(item__department_year=year, date__month=7, status="pending"):
                        try:
                            services.expenditure_reject(expenditure=pending, decided_by=world.finance, reason="测试驳回")
                        except ValidationError as refusal:
                            refusals.append(" ".join(refusal.messages))
        except BaseException as error:  # noqa: BLE001
            unexpected.append(error)
        finally:
            connections.close_all()

    run_together(closer, *[lambda n=n: clerk(n) for n in range(THREADS)])

    assert unexpected == []
    for message in refusals:
        assert "已结账" in message or "待审批" in message or "可用指标" in message, message
    if MonthClose.objects.filter(department_year=year, month=7).exists():
        assert not Expenditure.objects.filter(item__department_year=year, date__month=7, status="pending").exists()


@pytest.mark.django_db
def test_a_posting_against_an_item_a_replace_deleted_is_refused_with_a_message():
    world = personas.build()
    stale = BudgetItem.objects.get(pk=world.item_b.pk)
    content = workbook_bytes(workbook_rows(department_year=world.department_year))
    assert workbook_import(source=content, replace=True).ok
    with pytest.raises(ValidationError) as refusal:
        services.expenditure_create(
            item=stale, date=date(2024, 7, 1), amount=Decimal("10.00"), economic_class=EconomicClass.objects.get(code="30201")
        )
    assert refusal.value.messages == ["该预算项目已不存在（年度数据可能刚被重新导入），请刷新页面后重新录入"]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_posting_holds_the_department_year_shared_so_postings_do_not_wait_for_each_other():
    """Two clerks posting to two items of one year at once: the second is not blocked by the first."""
    skip_unless_postgres()
    world = personas.build()
    office = EconomicClass.objects.get(code="30201")
    holding, release = threading.Event(), threading.Event()
    unexpected: list[BaseException] = []

    def first_clerk():
        try:
            with transaction.atomic():
                services.expenditure_create(item=world.item_a, date=date(2024, 7, 1), amount=Decimal("10.00"), economic_class=office)
                holding.set()
                release.wait(timeout=30)
        except BaseException as error:  # noqa: BLE001
            unexpected.append(error)
        finally:
            connections.close_all()

    thread = threading.Thread(target=first_clerk)
    thread.start()
    try:
        assert holding.wait(timeout=30)
        with connection.cursor() as cursor:
            cursor.execute("SET lock_timeout = '2s'")
        try:
            services.expenditure_create(item=world.item_b, date=date(2024, 7, 1), amount=Decimal("10.00"), economic_class=office)
        finally:
            with connection.cursor() as cursor:
                cursor.execute("SET lock_timeout = 0")
    finally:
        release.set()
        thread.join(timeout=30)
    assert unexpected == []
