"""Availability control (DOMAIN.md section 2): on plain values without the database, then under
concurrent entry on PostgreSQL, where eight clerks post at the same instant, each through the
entry form on its own thread and database connection, against one item whose remaining budget
fits only three of them."""

import threading
from datetime import date
from decimal import Decimal

import pytest
from django.db import connection, connections
from django.db.models import Sum
from django.test import Client
from django.urls import reverse

from projects import availability
from projects.availability import Movement, headroom, replay
from projects.models import Expenditure
from tests import personas

THREADS = 8
AMOUNT = Decimal("10000.00")


def line(day, amount):
    return Movement(date=day, budget=Decimal(amount))


def spend(day, amount, ref=None):
    return Movement(date=day, spending=Decimal(amount), ref=ref)


def test_lines_are_applied_before_spending_of_the_same_date():
    movements = [spend(date(2024, 3, 1), "100.00", ref="e1"), line(date(2024, 3, 1), "100.00")]
    assert replay(movements) == []


def test_spending_before_its_budget_arrives_is_refused_with_what_was_available():
    movements = [line(date(2024, 1, 1), "50.00"), spend(date(2024, 2, 1), "80.00", ref="e1"), line(date(2024, 3, 1), "100.00")]
    [refusal] = replay(movements)
    assert refusal.movement.ref == "e1"
    assert refusal.available == Decimal("50.00")
    assert refusal.shortfall == Decimal("30.00")


def test_overspend_by_one_cent_is_refused():
    movements = [line(date(2024, 1, 1), "100.00"), spend(date(2024, 5, 1), "100.01", ref="e1")]
    [refusal] = replay(movements)
    assert refusal.shortfall == Decimal("0.01")


def test_spending_exactly_the_budget_is_accepted():
    assert replay([line(date(2024, 1, 1), "100.00"), spend(date(2024, 5, 1), "100.00")]) == []


def test_reduction_below_what_is_spent_is_refused():
    movements = [
        line(date(2024, 1, 1), "100.00"),
        spend(date(2024, 2, 1), "70.00"),
        Movement(date=date(2024, 6, 1), budget=Decimal("-40.00"), ref="cut"),
    ]
    [refusal] = replay(movements)
    assert refusal.movement.ref == "cut"
    assert refusal.available == Decimal("30.00")
    assert refusal.shortfall == Decimal("10.00")


def test_headroom_looks_at_every_later_point():
    # 100 arrives in January, 60 is spent in March and a 30 reduction comes in June:
    # a February entry may only take 10, although 100 is on hand in February.
    movements = [
        line(date(2024, 1, 1), "100.00"),
        spend(date(2024, 3, 1), "60.00"),
        line(date(2024, 6, 1), "-30.00"),
    ]
    assert headroom(movements, date(2024, 2, 1)) == Decimal("10.00")
    assert headroom(movements, date(2024, 7, 1)) == Decimal("10.00")


def test_headroom_counts_budget_arriving_later_only_after_it_arrives():
    movements = [line(date(2024, 1, 1), "100.00"), line(date(2024, 7, 1), "50.00")]
    assert headroom(movements, date(2024, 2, 1)) == Decimal("100.00")
    assert headroom(movements, date(2024, 7, 1)) == Decimal("150.00")



@pytest.fixture
def postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: SQLite serialises whole-database writes and has no row locks to test")


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_eight_concurrent_entries_never_overspend_the_item(postgres_only):
    world = personas.build()
    item = world.item_a
    # 100,000.00 budget - 1,000.00 spent - 60,000.00 pending = 39,000.00: room for three entries of 10,000.00.
    start_available = availability.available_amount(item=item, on=world.spent_a.date)
    assert start_available == Decimal("39000.00")
    url = reverse("expenditures:new", kwargs=world.kwargs)
    barrier = threading.Barrier(THREADS)
    outcomes = [None] * THREADS

    def clerk(number):
        try:
            client = Client()
            client.force_login(world.accountant_a)
            barrier.wait(timeout=30)
            response = client.post(
                url,
                {
                    "item": item.pk,
                    "date": "2024-07-01",
                    "amount": f"{AMOUNT}",
                    "economic_class": "30201",
                    "memo": f"并发录入{number}",
                    "voucher": "",
                    "procurement_method": "",
                },
            )
            outcomes[number] = (response.status_code, response.content.decode())
        finally:
            connections.close_all()

    threads = [threading.Thread(target=clerk, args=(number,)) for number in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    accepted = [number for number, (status, _) in enumerate(outcomes) if status == 302]
    refused = [number for number, (status, _) in enumerate(outcomes) if status == 200]
    assert len(accepted) + len(refused) == THREADS
    assert len(accepted) == 3
    held = Expenditure.objects.filter(memo__startswith="并发录入").aggregate(total=Sum("amount"))["total"]
    assert held == AMOUNT * len(accepted) == Decimal("30000.00")
    assert sorted(Expenditure.objects.filter(memo__startswith="并发录入").values_list("memo", flat=True)) == sorted(
        f"并发录入{number}" for number in accepted
    )
    for number in refused:
        body = outcomes[number][1]
        assert "可用指标 9,000.00 元" in body and "超出 1,000.00 元" in body
    committed = Expenditure.objects.filter(item=item, status__in=availability.COMMITTED).aggregate(total=Sum("amount"))["total"]
    assert committed == Decimal("91000.00") <= Decimal("100000.00")
    assert availability.available_amount(item=item, on=world.spent_a.date) == Decimal("9000.00")
