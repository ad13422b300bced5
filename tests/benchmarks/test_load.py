"""The load test (benchmarks/load.py): a short run against a real gunicorn, and its checks.

The run needs PostgreSQL: the server's worker processes must see the data this test commits, and
the availability rule's row lock is what is under test. The checks and the refusal parser are
tested on either database, so that a check that cannot fail would show.
"""

from datetime import date
from decimal import Decimal
from urllib.parse import quote

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client

from benchmarks import load
from projects.models import BudgetItem, EconomicClass, Expenditure


def small_dataset(**options) -> load.Dataset:
    arguments = {"readers": 16, "accountants": 4, "shared_items": 3, "item_budget": Decimal("3000.00"), "background": 2000}
    arguments.update(options)
    return load.dataset_prepare(**arguments)


def database_url() -> str:
    """The test database, for the server's processes."""
    server = connection.settings_dict
    password = f":{quote(server['PASSWORD'], safe='')}" if server["PASSWORD"] else ""
    return f"postgres://{quote(server['USER'], safe='')}{password}@{server['HOST'] or '127.0.0.1'}:{server['PORT'] or 5432}/{server['NAME']}"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_ten_seconds_of_load_lose_no_write_and_overspend_no_item():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: the gunicorn workers must share the test database, and row locks are under test")
    # Ten users, two of them accountants posting 100.00 to 1,000.00 against two items of 1,500.00:
    # the items run dry within seconds, and the rest of the run is refusals. Every login costs the
    # server a full PBKDF2 hash, which is why there are ten users here and not fifty.
    server = load.Server(
        env=load.server_environment(secret_key=settings.SECRET_KEY, database_url=database_url()), workers=4, threads=8
    )
    server.start()  # the workers boot while the dataset is written
    try:
        dataset = small_dataset(readers=8, accountants=2, shared_items=2, item_budget=Decimal("1500.00"))
        server.wait_ready()
        outcome = load.LoadRun(
            server.url, dataset, users=10, duration=10, think=0.2, max_requests=10_000, timeout=20, max_amount=Decimal("1000.00")
        ).run()
    finally:
        server.stop()  # before the test database is flushed and dropped
    checks = load.ledger_checks(dataset, outcome)
    figures = load.report(outcome, states=load.item_states(dataset), dataset=dataset, checks=checks, target=server.url)
    print(figures)  # shown by pytest -s, and on failure

    assert outcome.errors == [], figures
    assert [check for check in checks if not check.passed] == [], figures
    assert outcome.accepted_count > 0, figures
    assert Expenditure.objects.filter(item_id__in=dataset.shared_items).count() == outcome.accepted_count
    # The items ran dry: posts were refused, each refusal naming less available than was asked.
    assert outcome.refused_count > 0, figures
    assert min(state.left for state in load.item_states(dataset).values()) < Decimal("1000.00"), figures


@pytest.mark.django_db
def test_a_lost_write_and_an_overspent_item_fail_the_checks():
    dataset = small_dataset(readers=1, accountants=1, background=50)
    item = BudgetItem.objects.get(pk=next(iter(dataset.shared_items)))
    office = EconomicClass.objects.get(code=load.ECONOMIC_CLASS)
    Expenditure.objects.create(item=item, date=date(2024, 3, 1), amount=Decimal("2000.00"), economic_class=office)
    outcome = load.Outcome(users=2, readers=1, accountants=1, duration=1, think=0)
    outcome.accepted[item.pk] += [Decimal("2000.00"), Decimal("5.00")]  # 5.00 "accepted" that the ledger lacks

    checks = {check.name: check for check in load.ledger_checks(dataset, outcome)}
    assert not checks["the ledger holds exactly the accepted amounts (no lost or extra write)"].passed
    assert not checks["department ledger sum = sum before + accepted"].passed
    assert checks["no item is overspent at any point"].passed

    # Written past the service, as only a bug could, 1,000.01 more overspends the 3,000.00 item.
    Expenditure.objects.create(item=item, date=date(2024, 3, 2), amount=Decimal("1000.01"), economic_class=office)
    checks = {check.name: check for check in load.ledger_checks(dataset, outcome)}
    assert not checks["no item is overspent at any point"].passed
    assert checks["no item is overspent at any point"].detail.endswith("overspent: S01")


@pytest.mark.django_db
def test_the_script_reads_acceptance_and_refusal_from_the_entry_form():
    dataset = small_dataset(readers=1, accountants=1, background=50)
    item_id = next(iter(dataset.shared_items))
    client = Client()
    client.force_login(get_user_model().objects.get(username=dataset.accountants[0]))
    url = f"{dataset.base_path}expenditures/new/"
    fields = {"item": item_id, "date": "2024-05-06", "economic_class": load.ECONOMIC_CLASS, "memo": "", "voucher": "", "procurement_method": ""}

    refused = client.post(url, {**fields, "amount": "3000.01"})
    assert refused.status_code == 200
    assert load.REFUSAL.search(refused.content.decode()).groups() == ("3,000.00", "3,000.01", "0.01")

    accepted = client.post(url, {**fields, "amount": "3000.00"})
    assert (accepted.status_code, accepted["Location"]) == (302, f"{dataset.base_path}expenditures/")
    assert f"支出 {load.shown(Decimal('3000.00'))} 元已保存" in client.get(accepted["Location"]).content.decode()


@pytest.mark.parametrize("url", ["http://10.0.0.5:8000", "http://example.com", "http://127.0.0.1.example.com/", "ftp://127.0.0.1/"])
def test_the_load_test_refuses_a_server_off_this_machine(url):
    with pytest.raises(ValueError):
        load.require_loopback(url)


@pytest.mark.parametrize("url", ["http://127.0.0.1:8000", "http://127.1.2.3:81/", "http://localhost:8000", "http://[::1]:8000"])
def test_the_load_test_accepts_loopback(url):
    assert load.require_loopback(url) == url.rstrip("/")
