"""Rules the ledger services enforce for every writer (forms and admin alike)."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from projects import services
from projects.models import EconomicClass

pytestmark = pytest.mark.django_db


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
        services.expenditure_approve(expenditure=world.pending_a, decided_by=world.finance, meeting_date=date(2024, 6, 9), minutes_number=" ")
    with pytest.raises(ValidationError):
        services.expenditure_approve(expenditure=world.pending_a, decided_by=world.finance, meeting_date=None, minutes_number="7")


def test_deleting_uses_the_stored_date_not_the_callers_copy(world):
    from units.models import MonthClose

    MonthClose.objects.create(department_year=world.department_year, month=6, closed_by=world.finance)
    stale = world.spent_a
    stale.date = date(2024, 7, 1)  # an edited, unsaved copy must not get past the closed month
    with pytest.raises(ValidationError):
        services.expenditure_delete(expenditure=stale)


def test_available_amount_is_exact_cents_on_every_engine(world):
    office = EconomicClass.objects.get(code="30201")
    for amount in ("0.10", "0.20", "0.70"):
        services.expenditure_create(item=world.item_b, date=date(2024, 7, 1), amount=Decimal(amount), economic_class=office)
    available = services.available_amount(item=world.item_b, on=date(2024, 7, 1))
    assert available == Decimal("97999.00")
    assert available.as_tuple().exponent == -2
