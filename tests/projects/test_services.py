"""Availability control through the services every writer uses (DOMAIN.md section 2)."""

from datetime import date
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError

from projects import availability, services
from projects.models import BudgetLine, EconomicClass, Expenditure, MonthClose
from tests.builders import BudgetItemFactory, BudgetLineFactory

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
