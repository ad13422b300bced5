"""generate_synthetic: a valid ledger, written in bulk."""

from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.models import Sum
from django.test.utils import CaptureQueriesContext

from indicators.models import Indicator
from projects.availability import Movement, replay
from projects.models import BudgetItem, BudgetLine, Expenditure
from units.models import BudgetUnit, Department, DepartmentYear

pytestmark = pytest.mark.django_db


def generate(**options):
    arguments = {"departments": 2, "units_per_department": 2, "items_per_unit": 3, "expenditures": 300, "year": 2024, "seed": 5}
    arguments.update(options)
    call_command("generate_synthetic", *[f"--{key.replace('_', '-')}={value}" for key, value in arguments.items()])


def test_it_creates_what_was_asked_for():
    generate()
    assert Department.objects.filter(code__startswith="SYN").count() == 2
    assert BudgetUnit.objects.count() == 4
    assert BudgetItem.objects.count() == 12
    assert Expenditure.objects.count() == 300
    assert Indicator.objects.filter(item__isnull=True).count() == 2 * 4
    assert not Expenditure.objects.exclude(date__year=2024).exists()


def test_every_item_respects_availability_at_every_point():
    generate(expenditures=600)
    for item in BudgetItem.objects.all():
        movements = [Movement(date=line.date, budget=line.signed_amount) for line in item.lines.all()]
        movements += [
            Movement(date=spending.date, spending=spending.amount, ref=spending.id)
            for spending in item.expenditures.exclude(status=Expenditure.Status.REJECTED)
        ]
        assert replay(movements) == [], item.code


def test_the_same_seed_gives_the_same_ledger():
    generate(prefix="ONE")
    generate(prefix="TWO")
    one = Expenditure.objects.filter(item__department_year__department__code__startswith="ONE").aggregate(total=Sum("amount"))
    two = Expenditure.objects.filter(item__department_year__department__code__startswith="TWO").aggregate(total=Sum("amount"))
    assert one["total"] == two["total"] > Decimal("0")


def test_a_second_year_reuses_the_departments_and_units_for_year_over_year():
    generate(year=2023)
    generate(year=2024)
    assert Department.objects.count() == 2
    assert BudgetUnit.objects.count() == 4
    assert DepartmentYear.objects.count() == 4


def test_expenditures_are_inserted_in_batches_not_one_save_per_row():
    with CaptureQueriesContext(connection) as queries:
        generate(expenditures=12_000, prefix="BIG")
    inserts = [query for query in queries.captured_queries if query["sql"].startswith('INSERT INTO "projects_expenditure"')]
    # SQLite caps the parameters of a statement (about 70 rows of 14 columns); PostgreSQL takes 5,000 rows at once.
    assert 0 < len(inserts) <= 12_000 // 60
    assert Expenditure.objects.count() == 12_000


def test_an_existing_year_is_refused():
    generate()
    with pytest.raises(CommandError):
        generate()
    assert BudgetLine.objects.count() > 0
