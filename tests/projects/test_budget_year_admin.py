"""The admin and DOMAIN.md section 8's rows: a transfer's lines show on their item's page but are
changed only through the transfer; plans, transfers and year closes are read-only there."""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from projects import services
from projects.models import BudgetLine, BudgetTransfer, SpendingPlan, YearClose
from tests.projects.budget_year import small_department

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, superuser):
    client.force_login(superuser)
    return client


@pytest.fixture
def moved():
    department = small_department()
    services.transfer_create(
        department_year=department.department_year,
        from_item=department["A1"],
        to_item=department["B1"],
        source="local",
        amount=Decimal("300.00"),
        date=date(2024, 4, 1),
        document="财调1号",
    )
    return department


def item_form(item, line_rows):
    data = {
        "code": item.code,
        "name": item.name,
        "category": item.category,
        "position": 0,
        "lines-TOTAL_FORMS": len(line_rows),
        "lines-INITIAL_FORMS": len(line_rows),
        "lines-MIN_NUM_FORMS": 0,
        "lines-MAX_NUM_FORMS": 1000,
    }
    for index, (line, amount) in enumerate(line_rows):
        data.update(
            {
                f"lines-{index}-id": line.pk,
                f"lines-{index}-item": item.pk,
                f"lines-{index}-kind": line.kind,
                f"lines-{index}-source": line.source,
                f"lines-{index}-amount": amount,
                f"lines-{index}-date": line.date.isoformat(),
                f"lines-{index}-document": line.document,
            }
        )
    return data


def test_an_item_with_a_transfer_line_can_still_be_renamed_in_the_admin(admin_client, moved):
    item = moved["A1"]
    lines = list(BudgetLine.objects.filter(item=item).order_by("date", "pk"))
    data = {**item_form(item, [(line, f"{line.amount:.2f}") for line in lines]), "name": "A1项目（改）"}
    response = admin_client.post(reverse("admin:projects_budgetitem_change", args=[item.pk]), data)
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.name == "A1项目（改）"


def test_a_transfer_line_edited_on_its_items_page_is_refused_and_left_as_it_was(admin_client, moved):
    item = moved["A1"]
    initial, out = BudgetLine.objects.filter(item=item).order_by("date", "pk")
    response = admin_client.post(
        reverse("admin:projects_budgetitem_change", args=[item.pk]), item_form(item, [(initial, "1200.00"), (out, "1.00")])
    )
    assert response.status_code == 200
    assert "请通过预算调剂录入" in response.content.decode()
    out.refresh_from_db()
    assert out.amount == Decimal("300.00")


@pytest.mark.parametrize("model", [BudgetTransfer, SpendingPlan, YearClose])
def test_the_budget_year_rows_are_read_only_in_the_admin(admin_client, moved, model):
    services.plan_set(item=moved["A1"], amounts={1: Decimal("100.00")}, user=None)
    YearClose.objects.create(department_year=moved.department_year, carried_total=Decimal("0.00"), lapsed_total=Decimal("0.00"))
    row = model.objects.get()
    name = f"admin:projects_{model._meta.model_name}"
    assert admin_client.get(reverse(f"{name}_changelist")).status_code == 200
    assert admin_client.get(reverse(f"{name}_change", args=[row.pk])).status_code == 200
    assert admin_client.get(reverse(f"{name}_add")).status_code == 403
    assert admin_client.post(reverse(f"{name}_delete", args=[row.pk]), {"post": "yes"}).status_code == 403
    assert model.objects.filter(pk=row.pk).exists()
