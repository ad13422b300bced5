"""Every write the admin makes on the ledger goes through the services the forms and the import
use, or the admin does not offer it. The walk over admin.site._registry makes a newly registered
admin that writes around the services fail here."""

from datetime import date
from decimal import Decimal
from unittest import mock

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.test import RequestFactory
from django.urls import reverse

from indicators.models import Indicator
from projects import services as ledger
from projects.models import BudgetItem, BudgetLine, EconomicClass, Expenditure, MonthClose
from tests.fundmgr.admin_rows import department_rows, snapshot
from units.admin_mixins import DepartmentScopedAdminMixin
from units.models import BudgetUnit, DepartmentYear, Membership

pytestmark = pytest.mark.django_db

# What a department's finance office may write through the admin, and the service each write
# must call. (model, inline model) rows cover the inlines of a model's change page.
SERVICE_OF = {
    BudgetItem: {
        "add": "projects.services.budget_item_create",
        "change": "projects.services.budget_item_update",
        "delete": "projects.services.budget_item_delete",
    },
    (BudgetItem, BudgetLine): {
        "add": "projects.services.budget_line_create",
        "change": "projects.services.budget_line_update",
        "delete": "projects.services.budget_line_delete",
    },
    Expenditure: {
        "add": "projects.services.expenditure_create",
        "change": "projects.services.expenditure_update",
        "delete": "projects.services.expenditure_delete",
    },
    BudgetLine: {"delete": "projects.services.budget_line_delete"},
    MonthClose: {"add": "projects.closing.month_close"},
    BudgetUnit: {"add": "units.services.budget_unit_create", "change": "units.services.budget_unit_update"},
    Membership: {
        "add": "units.services.membership_create",
        "change": "units.services.membership_update",
        "delete": "units.services.membership_delete",
    },
}


def change_forms(world) -> dict:
    """A valid admin form for adding (None) or changing a row of PD, per model."""
    dy = world.department_year
    newcomer = get_user_model().objects.create_user("newcomer")
    no_lines = {"lines-TOTAL_FORMS": 0, "lines-INITIAL_FORMS": 0, "lines-MIN_NUM_FORMS": 0, "lines-MAX_NUM_FORMS": 1000}
    item_fields = {"code": "A2", "name": "甲设备购置（改）", "category": "project", "position": 0, "procurement_required": "on"}
    line = {
        "lines-TOTAL_FORMS": 1, "lines-INITIAL_FORMS": 1, "lines-MIN_NUM_FORMS": 0, "lines-MAX_NUM_FORMS": 1000,
        "lines-0-id": BudgetLine.objects.get(item=world.item_a2).pk, "lines-0-item": world.item_a2.pk, "lines-0-kind": "initial",
        "lines-0-source": "local", "lines-0-amount": "100000.00", "lines-0-date": "2024-01-01", "lines-0-document": "",
    }
    expenditure = {"date": "2024-07-01", "amount": "10.00", "economic_class": "30201", "memo": "改", "voucher": "", "procurement_method": ""}
    unit = {"code": "C", "name": "丙单位", "kind": "administrative", "position": 3}
    return {
        (BudgetItem, "add"): {"department_year": dy.pk, "unit": world.unit_a.pk, **item_fields, "code": "A9", **no_lines},
        (BudgetItem, "change"): {**item_fields, **line},
        (Expenditure, "add"): {"item": world.item_a.pk, **expenditure},
        (Expenditure, "change"): expenditure,
        (MonthClose, "add"): {"department_year": dy.pk, "month": 4},
        (BudgetUnit, "add"): {"department": dy.department_id, **unit},
        (BudgetUnit, "change"): {**unit, "code": "A", "name": "甲单位（改）"},
        (Membership, "add"): {"user": newcomer.pk, "department": dy.department_id, "role": "leader", "unit": ""},
        (Membership, "change"): {"user": world.accountant_a.pk, "department": dy.department_id, "role": "leader", "unit": ""},
    }


def admin_url(model, view, *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def refusing(service_path):
    return mock.patch(service_path, side_effect=ValidationError("refused by the test"))


def granted_operations(model_admin, request, obj) -> set:
    allowed = {
        "add": model_admin.has_add_permission(request),
        "change": model_admin.has_change_permission(request, obj),
        "delete": model_admin.has_delete_permission(request, obj),
    }
    return {operation for operation, yes in allowed.items() if yes}


def unrouted_writes(model, model_admin, request, obj) -> set:
    """Writes the admin grants the request's user on `obj` that SERVICE_OF names no service for."""
    missing = {(model.__name__, op) for op in granted_operations(model_admin, request, obj) - set(SERVICE_OF.get(model, {}))}
    for inline in model_admin.get_inline_instances(request, obj):
        granted = {
            operation
            for operation, yes in {
                "add": inline.has_add_permission(request, obj),
                "change": inline.has_change_permission(request, obj),
                "delete": inline.has_delete_permission(request, obj),
            }.items()
            if yes
        }
        missing |= {(inline.model.__name__, op) for op in granted - set(SERVICE_OF.get((model, inline.model), {}))}
    return missing


def test_every_admin_write_of_the_finance_office_goes_through_a_service(world, closed_march, login):
    """For each registered admin: what the finance office may write must be in SERVICE_OF, and each
    such write, made through the admin with its service refusing, must call it and change nothing."""
    rows = department_rows(world, closed_march)
    forms = change_forms(world)
    request = RequestFactory().get("/admin/")
    request.user = world.finance
    client = login(world.finance)
    exercised = 0
    for model, model_admin in admin.site._registry.items():
        obj = rows[model]
        assert not unrouted_writes(model, model_admin, request, obj), "the admin lets the finance office write without a service"
        routes = SERVICE_OF.get(model, {})
        for operation in sorted(granted_operations(model_admin, request, obj)):
            before = snapshot()
            with refusing(routes[operation]) as service:
                if operation == "add":
                    response = client.post(admin_url(model, "add"), forms[(model, "add")])
                elif operation == "change":
                    response = client.post(admin_url(model, "change", obj.pk), forms[(model, "change")])
                else:
                    response = client.post(admin_url(model, "delete", obj.pk), {"post": "yes"})
                    assert response.status_code in (200, 302)
                    response = client.post(
                        admin_url(model, "changelist"), {"action": "delete_selected", "_selected_action": [obj.pk], "post": "yes"}
                    )
            assert response.status_code in (200, 302), (model.__name__, operation)
            assert service.called, f"{model.__name__} {operation} did not call {routes[operation]}"
            assert snapshot() == before, f"{model.__name__} {operation} wrote around {routes[operation]}"
            exercised += 1
    assert exercised >= 12


def test_the_walk_catches_an_admin_that_writes_without_a_service(world):
    """A plain ModelAdmin, as someone might register next, fails the walk's check."""
    class PlainIndicatorAdmin(DepartmentScopedAdminMixin, admin.ModelAdmin):
        department_path = "department_year__department"

    request = RequestFactory().get("/admin/")
    request.user = world.finance
    plain = PlainIndicatorAdmin(Indicator, admin.site)
    assert unrouted_writes(Indicator, plain, request, world.indicator_a) == {("Indicator", "add"), ("Indicator", "change"), ("Indicator", "delete")}


def test_the_budget_line_inline_writes_through_the_line_services(world, login):
    client = login(world.finance)
    data = change_forms(world)[(BudgetItem, "change")] | {"name": world.item_a2.name}
    added = data | {
        "lines-TOTAL_FORMS": 2, "lines-1-item": world.item_a2.pk, "lines-1-kind": "addition", "lines-1-source": "local",
        "lines-1-amount": "5.00", "lines-1-date": "2024-08-01", "lines-1-document": "",
    }
    for path, form in (
        ("projects.services.budget_line_create", added),
        ("projects.services.budget_line_update", data | {"lines-0-amount": "99000.00"}),
        ("projects.services.budget_line_delete", data | {"lines-0-DELETE": "on"}),
    ):
        before = snapshot()
        with refusing(path) as service:
            response = client.post(admin_url(BudgetItem, "change", world.item_a2.pk), form)
        assert response.status_code in (200, 302), path
        assert service.called, path
        assert snapshot()["BudgetLine"] == before["BudgetLine"], path


def test_the_admin_closes_a_month_as_the_acting_user_whatever_the_form_says(world, login):
    client = login(world.finance)
    response = client.post(
        admin_url(MonthClose, "add"), {"department_year": world.department_year.pk, "month": 4, "closed_by": world.leader.pk}
    )
    assert response.status_code == 302
    assert MonthClose.objects.get(month=4).closed_by == world.finance


def test_the_admin_refuses_to_close_a_month_with_pending_spending(world, login):
    client = login(world.finance)
    response = client.post(admin_url(MonthClose, "add"), {"department_year": world.department_year.pk, "month": 6}, follow=True)
    assert "待审批" in response.content.decode()
    assert not MonthClose.objects.filter(month=6).exists()


def test_deleting_a_month_close_in_the_admin_never_reopens_the_month(world, closed_march, superuser, login):
    for user in (world.finance, superuser):
        client = login(user)
        assert client.get(admin_url(MonthClose, "delete", closed_march.pk)).status_code == 403
        assert client.post(admin_url(MonthClose, "delete", closed_march.pk), {"post": "yes"}).status_code == 403
        client.post(admin_url(MonthClose, "changelist"), {"action": "delete_selected", "_selected_action": [closed_march.pk], "post": "yes"})
        assert MonthClose.objects.filter(pk=closed_march.pk).exists(), user.username


def test_the_admin_cannot_change_a_month_close(world, closed_march, login):
    client = login(world.finance)
    response = client.post(admin_url(MonthClose, "change", closed_march.pk), {"department_year": world.department_year.pk, "month": 5})
    assert response.status_code == 403
    assert MonthClose.objects.get(pk=closed_march.pk).month == 3


def test_the_admin_does_not_edit_indicator_results(world, superuser, login):
    indicator = world.indicator_a
    form = {"department_year": world.department_year.pk, "code": indicator.code, "level1": "output", "level2": "数量",
            "name": indicator.name, "direction": "ge", "actual": "1", "results_final": "on", "position": 0}
    for user in (world.finance, superuser):
        response = login(user).post(admin_url(Indicator, "change", indicator.pk), form)
        assert response.status_code == 403
    indicator.refresh_from_db()
    assert (indicator.actual, indicator.results_final) == (10, False)


def test_the_admin_refuses_to_delete_an_item_dated_in_a_closed_month(world, login):
    MonthClose.objects.create(department_year=world.department_year, month=1, closed_by=world.finance)
    client = login(world.finance)
    response = client.post(admin_url(BudgetItem, "delete", world.item_a2.pk), {"post": "yes"}, follow=True)
    assert "1月已结账" in response.content.decode()
    client.post(admin_url(BudgetItem, "changelist"), {"action": "delete_selected", "_selected_action": [world.item_a2.pk], "post": "yes"})
    assert BudgetItem.objects.filter(pk=world.item_a2.pk).exists()


def test_the_admin_refuses_to_delete_an_item_with_spending(world, login):
    ledger.expenditure_create(item=world.item_a2, date=date(2024, 7, 1), amount=Decimal("10.00"),
                              economic_class=EconomicClass.objects.get(code="30201"), procurement_method="inquiry")
    client = login(world.finance)
    response = client.post(admin_url(BudgetItem, "delete", world.item_a2.pk), {"post": "yes"}, follow=True)
    assert "已有支出" in response.content.decode()
    assert BudgetItem.objects.filter(pk=world.item_a2.pk).exists()


def test_the_admin_refuses_to_delete_an_item_with_indicators(world, login):
    response = login(world.finance).post(admin_url(BudgetItem, "delete", world.item_a.pk), {"post": "yes"})
    assert response.status_code == 403
    assert BudgetItem.objects.filter(pk=world.item_a.pk).exists()
    with pytest.raises(ValidationError) as refused:
        Expenditure.objects.filter(item=world.item_a).delete()
        ledger.budget_item_delete(item=world.item_a)
    assert "绩效指标" in " ".join(refused.value.messages)


def test_the_admin_deletes_an_item_without_spending_in_open_months(world, login):
    response = login(world.finance).post(admin_url(BudgetItem, "delete", world.item_a2.pk), {"post": "yes"})
    assert response.status_code == 302
    assert not BudgetItem.objects.filter(pk=world.item_a2.pk).exists()
    assert BudgetLine.history.filter(item_id=world.item_a2.pk, history_type="-").exists()


def test_a_bulk_delete_of_items_is_all_or_nothing(world, login):
    MonthClose.objects.create(department_year=world.department_year, month=6, closed_by=world.finance)
    spare = BudgetItem.objects.create(department_year=world.department_year, unit=world.unit_a, code="A3", name="甲空项目", category="project")
    client = login(world.finance)
    client.post(
        admin_url(BudgetItem, "changelist"), {"action": "delete_selected", "_selected_action": [spare.pk, world.item_a.pk], "post": "yes"}
    )
    assert BudgetItem.objects.filter(pk__in=[spare.pk, world.item_a.pk]).count() == 2


def test_budget_item_delete_refuses_an_item_with_a_line_in_a_closed_month(world):
    MonthClose.objects.create(department_year=world.department_year, month=1, closed_by=world.finance)
    with pytest.raises(ValidationError) as refused:
        ledger.budget_item_delete(item=world.item_a2)
    assert "1月已结账" in " ".join(refused.value.messages)
    assert BudgetItem.objects.filter(pk=world.item_a2.pk).exists()


def test_the_admin_keeps_a_department_years_year_and_department(world, other, superuser, login):
    dy = world.department_year
    for user in (world.finance, superuser):
        login(user).post(admin_url(DepartmentYear, "change", dy.pk), {"department": other.department_year.department_id, "year": 2030})
    dy.refresh_from_db()
    assert (dy.year, dy.department_id) == (2024, world.department_year.department_id)


def test_a_department_year_cannot_be_deleted_in_the_admin(world, superuser, login):
    for user in (world.finance, superuser):
        assert login(user).post(admin_url(DepartmentYear, "delete", world.department_year.pk), {"post": "yes"}).status_code == 403
    assert DepartmentYear.objects.filter(pk=world.department_year.pk).exists()


def test_an_items_year_and_unit_stay_put_in_the_admin(world, other, login):
    data = change_forms(world)[(BudgetItem, "change")] | {"department_year": other.department_year.pk, "unit": world.unit_b.pk}
    response = login(world.finance).post(admin_url(BudgetItem, "change", world.item_a2.pk), data)
    assert response.status_code == 302
    world.item_a2.refresh_from_db()
    assert (world.item_a2.department_year_id, world.item_a2.unit_id) == (world.department_year.pk, world.unit_a.pk)
    assert world.item_a2.name == "甲设备购置（改）"


def test_the_admin_adds_an_item_only_with_a_unit_of_the_items_department(world, other, superuser, login):
    data = change_forms(world)[(BudgetItem, "add")] | {"unit": other.unit_a.pk}
    response = login(superuser).post(admin_url(BudgetItem, "add"), data, follow=True)
    assert "预算单位不属于该部门" in response.content.decode()
    assert not BudgetItem.objects.filter(code="A9").exists()


def test_an_inline_line_delete_is_checked_against_its_stored_date_not_the_posted_one(world, login):
    """Posting a deleted inline line with a new date in an open month must not slip it out of a closed one."""
    MonthClose.objects.create(department_year=world.department_year, month=1, closed_by=world.finance)
    line = BudgetLine.objects.get(item=world.item_a2)
    data = change_forms(world)[(BudgetItem, "change")] | {
        "name": world.item_a2.name, "lines-0-DELETE": "on", "lines-0-date": "2024-08-01",
    }
    login(world.finance).post(admin_url(BudgetItem, "change", world.item_a2.pk), data)
    assert BudgetLine.objects.filter(pk=line.pk).exists()
