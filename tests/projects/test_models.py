"""The invariants of projects/models.py hold in the database, whoever writes: a write that goes
around the services (objects.create, update(), bulk_create) is refused with an IntegrityError,
and full_clean() reports the same rule before any write, next to the field where Django knows one."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError, connection, transaction

from projects.models import BudgetItem, BudgetLine, EconomicClass, Expenditure, MonthClose, MonthlySpending
from tests.builders import (
    BudgetItemFactory,
    BudgetLineFactory,
    DepartmentYearFactory,
    ExpenditureFactory,
    MonthCloseFactory,
    UserFactory,
    economic_class,
)

pytestmark = pytest.mark.django_db

NOT_ABOVE_ZERO = [Decimal("0.00"), Decimal("-0.01")]


def refused_by_the_database(write) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        write()


def clean_errors(row) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as refused:
        row.full_clean()
    return refused.value.message_dict


def test_two_items_of_one_year_cannot_share_a_code():
    item = BudgetItemFactory(code="P1")
    twin = {"department_year": item.department_year, "unit": item.unit, "code": "P1", "name": "重复项目", "category": "project"}
    refused_by_the_database(lambda: BudgetItem.objects.create(**twin))
    refused_by_the_database(lambda: BudgetItem.objects.bulk_create([BudgetItem(**twin)]))
    errors = clean_errors(BudgetItem(**twin))
    assert "项目编码" in errors[NON_FIELD_ERRORS][0]


def test_the_same_item_code_is_free_in_another_year():
    item = BudgetItemFactory(code="P1")
    next_year = DepartmentYearFactory(department=item.department_year.department, year=2025)
    BudgetItem.objects.create(department_year=next_year, unit=item.unit, code="P1", name="次年项目", category="project")
    assert BudgetItem.objects.filter(code="P1").count() == 2


def test_an_item_belongs_to_a_year_and_a_unit():
    item = BudgetItemFactory()
    refused_by_the_database(lambda: BudgetItem.objects.filter(pk=item.pk).update(unit=None))
    refused_by_the_database(lambda: BudgetItem.objects.filter(pk=item.pk).update(department_year=None))
    errors = clean_errors(BudgetItem(code="P9", name="无主项目", category="project"))
    assert {"department_year", "unit"} <= set(errors)


@pytest.mark.parametrize("amount", NOT_ABOVE_ZERO)
def test_a_budget_line_amount_is_above_zero(amount):
    item = BudgetItemFactory()
    refused_by_the_database(lambda: BudgetLine.objects.create(item=item, source="local", kind="initial", amount=amount, date=date(2024, 1, 1)))
    line = BudgetLineFactory(item=item)
    refused_by_the_database(lambda: BudgetLine.objects.filter(pk=line.pk).update(amount=amount))
    line.refresh_from_db()
    assert line.amount == Decimal("1000.00")
    errors = clean_errors(BudgetLine(item=item, source="local", kind="initial", amount=amount, date=date(2024, 1, 1)))
    assert "budget_line_amount_positive" in " ".join(errors[NON_FIELD_ERRORS])


@pytest.mark.parametrize("amount", NOT_ABOVE_ZERO)
def test_an_expenditure_amount_is_above_zero(amount):
    item = BudgetItemFactory()
    office = economic_class()
    refused_by_the_database(lambda: Expenditure.objects.create(item=item, date=date(2024, 6, 1), amount=amount, economic_class=office))
    refused_by_the_database(
        lambda: Expenditure.objects.bulk_create([Expenditure(item=item, date=date(2024, 6, 1), amount=amount, economic_class=office)])
    )
    spent = ExpenditureFactory(item=item)
    refused_by_the_database(lambda: Expenditure.objects.filter(pk=spent.pk).update(amount=amount))
    assert list(Expenditure.objects.values_list("amount", flat=True)) == [Decimal("10.00")]
    errors = clean_errors(Expenditure(item=item, date=date(2024, 6, 1), amount=amount, economic_class=office))
    assert "expenditure_amount_positive" in " ".join(errors[NON_FIELD_ERRORS])


def test_an_expenditure_has_an_item_and_an_economic_class():
    spent = ExpenditureFactory()
    refused_by_the_database(lambda: Expenditure.objects.filter(pk=spent.pk).update(economic_class=None))
    refused_by_the_database(lambda: Expenditure.objects.filter(pk=spent.pk).update(item=None))
    errors = clean_errors(Expenditure(date=date(2024, 6, 1), amount=Decimal("1.00")))
    assert {"item", "economic_class"} <= set(errors)


def test_an_economic_class_in_use_cannot_be_deleted_even_by_raw_sql():
    """Django's PROTECT guards the ORM; the foreign key guards a raw delete, as a shell or a
    migration could run it. Foreign keys are checked at commit, so the test asks for the check."""
    spent = ExpenditureFactory(economic_class=economic_class("30201"))
    with pytest.raises(IntegrityError), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {EconomicClass._meta.db_table} WHERE code = %s", ["30201"])
        connection.check_constraints(table_names=[Expenditure._meta.db_table])
    assert Expenditure.objects.filter(pk=spent.pk, economic_class_id="30201").exists()


def test_a_month_is_closed_once():
    closed = MonthCloseFactory(month=3)
    refused_by_the_database(lambda: MonthClose.objects.create(department_year=closed.department_year, month=3, closed_by=closed.closed_by))
    errors = clean_errors(MonthClose(department_year=closed.department_year, month=3, closed_by=closed.closed_by))
    assert "月份" in errors[NON_FIELD_ERRORS][0]


@pytest.mark.parametrize("month, bound", [(0, "1"), (13, "12")])
def test_a_closed_month_is_between_1_and_12(month, bound):
    department_year, closer = DepartmentYearFactory(), UserFactory()
    refused_by_the_database(lambda: MonthClose.objects.create(department_year=department_year, month=month, closed_by=closer))
    closed = MonthCloseFactory(department_year=department_year, month=6, closed_by=closer)
    refused_by_the_database(lambda: MonthClose.objects.filter(pk=closed.pk).update(month=month))
    # The field's own validators refuse the month first, so Django skips the constraint on it.
    errors = clean_errors(MonthClose(department_year=department_year, month=month, closed_by=closer))
    assert list(errors) == ["month"]
    assert bound in errors["month"][0]


def test_a_month_close_names_who_closed_it():
    closed = MonthCloseFactory()
    refused_by_the_database(lambda: MonthClose.objects.filter(pk=closed.pk).update(closed_by=None))
    assert "closed_by" in clean_errors(MonthClose(department_year=closed.department_year, month=4))


def test_the_monthly_rollup_has_one_row_per_item_month_class_and_status():
    """The triggers keep one row per key; a second row for the same key is refused."""
    spent = ExpenditureFactory(date=date(2024, 6, 1))
    [row] = MonthlySpending.objects.filter(item=spent.item)
    refused_by_the_database(
        lambda: MonthlySpending.objects.create(
            item=spent.item, period=row.period, class_code=row.class_code, status=row.status, amount=Decimal("1.00"), entries=1
        )
    )
    assert MonthlySpending.objects.filter(item=spent.item).count() == 1
