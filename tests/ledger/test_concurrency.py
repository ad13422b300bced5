"""Availability control under concurrent entry (issue 4, DOMAIN.md section 2), on PostgreSQL.

Eight clerks post at the same instant, each through the entry form on its own thread and
database connection, against one item whose remaining budget fits only three of them.
"""

import threading
from decimal import Decimal

import pytest
from django.db import connection, connections
from django.db.models import Sum
from django.test import Client
from django.urls import reverse

from projects import services
from projects.models import Expenditure
from tests import personas

THREADS = 8
AMOUNT = Decimal("10000.00")

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: SQLite serialises whole-database writes and has no row locks to test")


def test_eight_concurrent_entries_never_overspend_the_item():
    world = personas.build()
    item = world.item_a
    # 100,000.00 budget - 1,000.00 spent - 60,000.00 pending = 39,000.00: room for three entries of 10,000.00.
    start_available = services.available_amount(item=item, on=world.spent_a.date)
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
    committed = Expenditure.objects.filter(item=item, status__in=services.COMMITTED).aggregate(total=Sum("amount"))["total"]
    assert committed == Decimal("91000.00") <= Decimal("100000.00")
    assert services.available_amount(item=item, on=world.spent_a.date) == Decimal("9000.00")
