"""The admin's cross-department matrix: every registered model × {list, change, history, revert,
delete} × the personas, against a row of department PD. Another department's finance office
finds PD's row as if it did not exist, and its posts change nothing.

Expected answers:
- not the admin's audience (accountant, leader, outsider, anonymous): 302 to the admin login;
- PD's finance office and superusers: 200, or 403 where the admin offers no such page
  (deletes it switches off, the shared tables' writes);
- QD's finance office: the row is absent from the list; change, delete and the log-entry history
  answer Django's "does not exist" redirect to the admin index (403 where the page is off for
  everybody); simple_history's pages answer 404, as for an id that never existed.
"""

import pytest
from django.contrib import admin
from django.urls import reverse
from simple_history.admin import SimpleHistoryAdmin

from indicators.models import Evidence, Indicator
from projects.models import (
    BudgetItem,
    BudgetLine,
    BudgetTransfer,
    EconomicClass,
    Expenditure,
    MonthClose,
    SpendingPlan,
    YearClose,
)
from tests.fundmgr.admin_rows import department_rows, snapshot
from units.models import BudgetUnit, Department, DepartmentYear, Membership

pytestmark = pytest.mark.django_db

DEPARTMENT_MODELS = {
    Department, BudgetUnit, DepartmentYear, Membership, MonthClose, BudgetItem, BudgetLine, Expenditure, Indicator,
    BudgetTransfer, SpendingPlan, YearClose, Evidence,
}
SHARED_MODELS = {EconomicClass}  # every other registered model (accounts, lockouts) is superuser-only
FINANCE_DELETES = {BudgetItem, BudgetLine, Expenditure, Membership}
NOBODY_DELETES = {DepartmentYear, MonthClose, Indicator, EconomicClass, BudgetTransfer, SpendingPlan, YearClose, Evidence}
OUTSIDERS = ("accountant_a", "leader", "outsider", "anonymous")
PERSONAS = ("finance_a", "finance_b", *OUTSIDERS, "superuser")
VIEWS = ("changelist", "change", "history", "revert", "delete")


def url_of(model, view, obj):
    opts = model._meta
    name = f"admin:{opts.app_label}_{opts.model_name}"
    if view == "changelist":
        return reverse(f"{name}_changelist")
    if view == "revert":
        version = obj.history.order_by("history_id").first().history_id
        return reverse(f"{name}_simple_history", args=[obj.pk, version])
    return reverse(f"{name}_{view}", args=[obj.pk])


def expected(model, view, persona, has_history) -> int:
    if persona in OUTSIDERS:
        return 302
    if persona == "superuser":
        return 403 if view == "delete" and model in NOBODY_DELETES else 200
    if model in SHARED_MODELS:
        return 403 if view == "delete" else 200
    if model not in DEPARTMENT_MODELS:
        return 403
    if persona == "finance_a":
        return 403 if view == "delete" and model not in FINANCE_DELETES else 200
    # finance_b
    if view == "changelist":
        return 200
    if view in ("history", "revert") and has_history:
        return 404
    if view == "delete" and model in NOBODY_DELETES | {Department, BudgetUnit}:
        return 403
    return 302


@pytest.fixture
def users(world, other, superuser):
    return {
        "finance_a": world.finance,
        "finance_b": other.finance,
        "accountant_a": world.accountant_a,
        "leader": world.leader,
        "outsider": world.outsider,
        "anonymous": None,
        "superuser": superuser,
    }


def test_the_admin_matrix_across_departments(world, other, closed_march, users, login):
    rows = department_rows(world, closed_march)
    checked = 0
    for model, model_admin in admin.site._registry.items():
        obj = rows[model]
        has_history = isinstance(model_admin, SimpleHistoryAdmin)
        change_url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_change", args=[obj.pk])
        for persona in PERSONAS:
            client = login(users[persona])
            for view in VIEWS:
                if view == "revert" and not has_history:
                    continue
                response = client.get(url_of(model, view, obj))
                want = expected(model, view, persona, has_history)
                cell = (model.__name__, view, persona)
                assert response.status_code == want, (*cell, response.status_code)
                if want == 302 and persona in OUTSIDERS:
                    assert response["Location"].startswith(reverse("admin:login")), cell
                if persona == "finance_b" and model in DEPARTMENT_MODELS:
                    if want == 302:
                        assert response["Location"] == reverse("admin:index"), cell
                    if want == 200:
                        assert change_url not in response.content.decode(), cell
                if persona == "finance_a" and view == "changelist" and model in DEPARTMENT_MODELS:
                    assert change_url in response.content.decode(), cell
                checked += 1
    print(f"admin matrix: {checked} cells")
    assert checked == len(admin.site._registry) * len(PERSONAS) * 4 + 8 * len(PERSONAS)  # 8 admins with a revert page


def test_another_departments_finance_office_posts_change_nothing(world, other, closed_march, login):
    rows = department_rows(world, closed_march)
    client = login(other.finance)
    forged = {
        "department_year": other.department_year.pk, "department": other.department_year.department_id, "unit": other.unit_a.pk,
        "item": other.item_a.pk, "code": "X1", "name": "forged", "year": 2030, "month": 5, "amount": "1.00", "date": "2024-06-01",
        "economic_class": "30201", "memo": "forged", "role": "finance", "user": other.finance.pk, "category": "project",
        "kind": "administrative", "source": "local", "results_final": "on", "position": 0,
        "lines-TOTAL_FORMS": 0, "lines-INITIAL_FORMS": 0, "lines-MIN_NUM_FORMS": 0, "lines-MAX_NUM_FORMS": 1000,
        "units-TOTAL_FORMS": 0, "units-INITIAL_FORMS": 0, "units-MIN_NUM_FORMS": 0, "units-MAX_NUM_FORMS": 1000,
    }
    before = snapshot()
    for model, model_admin in admin.site._registry.items():
        if model not in DEPARTMENT_MODELS:
            continue
        obj = rows[model]
        changelist = url_of(model, "changelist", obj)
        responses = [
            client.post(url_of(model, "change", obj), forged),
            client.post(url_of(model, "delete", obj), {"post": "yes"}),
            client.post(changelist, {"action": "delete_selected", "_selected_action": [obj.pk], "post": "yes"}),
        ]
        if isinstance(model_admin, SimpleHistoryAdmin):
            responses.append(client.post(url_of(model, "revert", obj), forged))
        assert all(response.status_code in (200, 302, 403, 404) for response in responses), model.__name__
        assert snapshot() == before, model.__name__
