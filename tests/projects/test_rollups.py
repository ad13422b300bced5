"""The monthly spending rollup equals the raw sums after every kind of write."""

from datetime import date
from decimal import Decimal

import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.models import Count, Sum

from projects import services
from projects.models import BudgetItem, EconomicClass, Expenditure, MonthlySpending
from projects.rollups import monthly_spending_by_class, rollup_differences
from projects.selectors import spending_by_month_and_class
from tests.fundmgr.dashboard_support import build_ledger, ledger, line  # noqa: F401

pytestmark = pytest.mark.django_db


def rollup_table():
    return {
        (row.item_id, row.period, row.class_code, row.status): (row.amount, row.entries)
        for row in MonthlySpending.objects.all()
    }


def raw_table():
    rows = {}
    for expenditure in Expenditure.objects.select_related("economic_class"):
        key = (expenditure.item_id, expenditure.date.replace(day=1), expenditure.economic_class_id[:3], expenditure.status)
        amount, entries = rows.get(key, (Decimal("0.00"), 0))
        rows[key] = (amount + expenditure.amount, entries + 1)
    return rows


def assert_rollup_exact():
    assert rollup_table() == raw_table()
    assert rollup_differences() == []


def test_rollup_follows_creates_edits_deletes_approvals_and_rejections(ledger):
    assert_rollup_exact()
    item = BudgetItem.objects.get(code="A1")
    line(item, "addition", "200000.00", date(2024, 1, 1))
    office = EconomicClass.objects.get(code="30201")
    created = services.expenditure_create(item=item, date=date(2024, 5, 5), amount=Decimal("123.45"), economic_class=office)
    assert_rollup_exact()
    services.expenditure_update(
        expenditure=created, date=date(2024, 7, 7), amount=Decimal("200.01"), economic_class=EconomicClass.objects.get(code="31002")
    )
    assert_rollup_exact()
    assert MonthlySpending.objects.filter(item=item, period=date(2024, 5, 1)).count() == 0  # the emptied month is gone
    pending = services.expenditure_create(item=item, date=date(2024, 8, 8), amount=Decimal("50000.00"), economic_class=office)
    assert pending.status == Expenditure.Status.PENDING
    assert_rollup_exact()
    user = User.objects.create_user("finance")
    services.expenditure_approve(expenditure=pending, decided_by=user, meeting_date=date(2024, 8, 9), minutes_number="1")
    assert_rollup_exact()
    other = services.expenditure_create(item=item, date=date(2024, 8, 8), amount=Decimal("60000.00"), economic_class=office)
    services.expenditure_reject(expenditure=other, decided_by=user, reason="不符合规定")
    assert_rollup_exact()
    services.expenditure_delete(expenditure=created)
    assert_rollup_exact()


def test_rollup_follows_bulk_inserts_like_an_import_and_queryset_updates_and_deletes(ledger):
    item = BudgetItem.objects.get(code="B1")
    Expenditure.objects.bulk_create(
        Expenditure(item=item, date=date(2024, 1 + n % 12, 3), amount=Decimal("10.10"), economic_class_id="30201") for n in range(50)
    )
    assert_rollup_exact()
    Expenditure.objects.filter(item=item, date__month=3).update(amount=Decimal("1.00"), status=Expenditure.Status.PENDING)
    assert_rollup_exact()
    Expenditure.objects.filter(item=item, date__month__gte=6).delete()
    assert_rollup_exact()


def test_deleting_a_department_year_empties_its_rollup(ledger):
    other = build_ledger(code="OTH")
    other.items.all().delete()
    assert_rollup_exact()
    assert not MonthlySpending.objects.filter(item__department_year=other).exists()
    assert MonthlySpending.objects.filter(item__department_year=ledger).aggregate(total=Sum("amount"))["total"] == Decimal("131000.00")


def test_rollup_keeps_cents_exact_over_many_small_amounts(ledger):
    item = BudgetItem.objects.get(code="A1")
    Expenditure.objects.bulk_create(
        Expenditure(item=item, date=date(2024, 9, 1), amount=Decimal("0.01"), economic_class_id="30201") for _ in range(1000)
    )
    Expenditure.objects.bulk_create(
        Expenditure(item=item, date=date(2024, 9, 2), amount=Decimal("0.10"), economic_class_id="30201") for _ in range(333)
    )
    [row] = MonthlySpending.objects.filter(item=item, period=date(2024, 9, 1))
    assert row.amount == Decimal("43.30")
    assert row.entries == 1333
    assert_rollup_exact()


def test_verify_rollups_finds_a_tampered_rollup_and_rebuild_repairs_it(ledger, capsys):
    call_command("verify_rollups")
    assert "matches" in capsys.readouterr().out
    with connection.cursor() as cursor:
        cursor.execute("UPDATE projects_monthlyspending SET amount = amount + 1")
    with pytest.raises(CommandError):
        call_command("verify_rollups")
    call_command("verify_rollups", "--rebuild")
    assert_rollup_exact()
    assert MonthlySpending.objects.aggregate(n=Count("id"))["n"] > 0


def test_dashboard_reads_from_the_rollup_equal_the_raw_selector_for_every_scope(ledger):
    def rows(found):
        return [(row.month, row.class_code, row.class_name, row.spent) for row in found]

    unit_a = ledger.department.units.get(code="A")
    a1 = BudgetItem.objects.get(code="A1")
    for scope in ({}, {"unit_id": unit_a.id}, {"item_id": a1.id}):
        assert rows(monthly_spending_by_class(department_year=ledger, **scope)) == rows(
            spending_by_month_and_class(department_year=ledger, **scope)
        )
