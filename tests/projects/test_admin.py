"""The admin writes through the same services, so it refuses the same overspend."""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from projects.models import BudgetLine, Expenditure
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def item():
    dy = factories.department_year()
    p = factories.item(dy, factories.unit(dy), name="妇联系统培训经费")
    factories.line(p, "1000.00")
    return p


@pytest.fixture
def admin_client(client, django_user_model):
    client.force_login(django_user_model.objects.create_superuser("root", "root@example.org", "x"))
    return client


def expenditure_form(item, amount):
    return {
        "item": item.pk,
        "date": "2024-05-01",
        "amount": amount,
        "economic_class": "30216",
        "memo": "培训",
        "voucher": "",
        "procurement_method": "",
    }


def test_admin_refuses_an_overspend_with_the_service_message(admin_client, item):
    response = admin_client.post(reverse("admin:projects_expenditure_add"), expenditure_form(item, "1000.01"))
    assert response.status_code == 200
    assert "可用指标 1,000.00 元" in response.content.decode()
    assert "超出 0.01 元" in response.content.decode()
    assert not Expenditure.objects.exists()


def test_admin_saves_spending_within_budget_and_records_who(admin_client, item):
    response = admin_client.post(reverse("admin:projects_expenditure_add"), expenditure_form(item, "1000.00"))
    assert response.status_code == 302
    saved = Expenditure.objects.get()
    assert saved.amount == Decimal("1000.00")
    assert saved.entered_by.username == "root"
    assert saved.history.first().history_user.username == "root"


def test_admin_inline_refuses_a_reduction_below_spending(admin_client, item):
    factories.spend(item, "900.00")
    line = BudgetLine.objects.get(item=item)
    url = reverse("admin:projects_budgetitem_change", args=[item.pk])
    data = {
        "department_year": item.department_year_id,
        "unit": item.unit_id,
        "code": item.code,
        "name": item.name,
        "category": item.category,
        "position": 0,
        "lines-TOTAL_FORMS": 2,
        "lines-INITIAL_FORMS": 1,
        "lines-MIN_NUM_FORMS": 0,
        "lines-MAX_NUM_FORMS": 1000,
        "lines-0-id": line.pk,
        "lines-0-item": item.pk,
        "lines-0-kind": "initial",
        "lines-0-source": "local",
        "lines-0-amount": "1000.00",
        "lines-0-date": "2024-01-01",
        "lines-0-document": "",
        "lines-1-item": item.pk,
        "lines-1-kind": "reduction",
        "lines-1-source": "local",
        "lines-1-amount": "100.01",
        "lines-1-date": "2024-10-01",
        "lines-1-document": "",
    }
    response = admin_client.post(url, data)
    assert response.status_code == 200
    assert "超支 0.01 元" in response.content.decode()
    assert not BudgetLine.objects.filter(kind="reduction").exists()


def test_admin_item_list_shows_annotated_figures(admin_client, item):
    factories.spend(item, "250.00", on=date(2024, 3, 1))
    response = admin_client.get(reverse("admin:projects_budgetitem_changelist"))
    body = response.content.decode()
    assert "0.10" in body  # 1000.00 yuan is 0.10 万元
    assert "25.00%" in body
