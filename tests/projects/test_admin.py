"""projects/admin.py: the admin writes through the same services, so it refuses the same
overspend; the economic classification, shared by every department, is written by superusers only."""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from projects.models import BudgetLine, EconomicClass, Expenditure
from tests.builders import (
    BudgetItemFactory,
    BudgetLineFactory,
    DepartmentYearFactory,
    ExpenditureFactory,
    MembershipFactory,
    UserFactory,
)
from units.models import Membership

pytestmark = pytest.mark.django_db


@pytest.fixture
def item():
    item = BudgetItemFactory(name="妇联系统培训经费")
    BudgetLineFactory(item=item, amount=Decimal("1000.00"))
    return item


@pytest.fixture
def admin_client(client, superuser):
    client.force_login(superuser)
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
    ExpenditureFactory(item=item, amount=Decimal("900.00"))
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
    ExpenditureFactory(item=item, amount=Decimal("250.00"), date=date(2024, 3, 1))
    response = admin_client.get(reverse("admin:projects_budgetitem_changelist"))
    body = response.content.decode()
    assert "0.10" in body  # 1000.00 yuan is 0.10 万元
    assert "25.00%" in body


def test_a_staff_flag_alone_does_not_open_the_admin(client):
    leader = UserFactory(username="staffleader", is_staff=True)
    MembershipFactory(user=leader, department=DepartmentYearFactory().department, role=Membership.Role.LEADER)
    client.force_login(leader)
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302
    assert reverse("admin:login") in response["Location"]


def test_the_finance_office_reads_but_cannot_change_the_economic_classification(world, login):
    client = login(world.finance)
    office = EconomicClass.objects.get(code="30201")
    assert client.get(reverse("admin:projects_economicclass_changelist")).status_code == 200
    assert client.get(reverse("admin:projects_economicclass_change", args=[office.pk])).status_code == 200
    changed = client.post(reverse("admin:projects_economicclass_change", args=[office.pk]), {"code": "30201", "name": "改名", "parent": "302"})
    added = client.post(reverse("admin:projects_economicclass_add"), {"code": "30298", "name": "自造分类", "parent": "302"})
    assert (changed.status_code, added.status_code) == (403, 403)
    assert EconomicClass.objects.get(code="30201").name == office.name
    assert not EconomicClass.objects.filter(code="30298").exists()


def test_a_superuser_edits_the_economic_classification(world, superuser, login):
    response = login(superuser).post(reverse("admin:projects_economicclass_add"), {"code": "30298", "name": "新分类", "parent": "302"})
    assert response.status_code == 302
    assert EconomicClass.objects.filter(code="30298").exists()
