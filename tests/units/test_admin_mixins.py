"""The admin plumbing of units/admin_mixins.py, seen through the admin's pages.

- DepartmentScopedAdminMixin: the filter sidebars, dropdowns and autocompletes offer a finance
  office only its own department: its units, items, years and users, never another department's.
- ReadOnlyHistoryAdminMixin: the history pages (django-simple-history) are read-only and scoped
  to the department: another department's finance office can neither read a record's versions
  nor revert them."""

import json
from decimal import Decimal

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.urls import reverse

from indicators.models import Indicator
from projects.models import BudgetLine, Expenditure, MonthClose
from units.models import DepartmentYear, Membership

pytestmark = pytest.mark.django_db

CHANGELISTS = (
    "projects_budgetitem",
    "projects_expenditure",
    "projects_budgetline",
    "indicators_indicator",
    "units_budgetunit",
    "units_departmentyear",
    "projects_monthclose",
    "units_membership",
    "units_department",
)


def foreign_ids(world) -> dict[str, set[int]]:
    return {
        "unit": {world.unit_a.pk, world.unit_b.pk},
        "department": {world.department_year.department_id},
        "department_year": {world.department_year.pk},
        "item": {world.item_a.pk, world.item_a2.pk, world.item_b.pk},
    }


def test_the_filter_sidebars_show_only_the_users_own_department(world, other, login):
    client = login(other.finance)
    seen = foreign_ids(world)
    for name in CHANGELISTS:
        response = client.get(reverse(f"admin:{name}_changelist"))
        assert response.status_code == 200, name
        filters = response.context["cl"].filter_specs
        for spec in filters:
            for choice in spec.choices(response.context["cl"]):
                query = choice.get("query_string", "")
                for kind, ids in seen.items():
                    for pk in ids:
                        assert f"{kind}__id__exact={pk}&" not in query + "&", (name, spec.title, query)
                        assert f"{kind}__pk__exact={pk}&" not in query + "&", (name, spec.title, query)


def test_the_filter_sidebars_name_no_unit_of_another_department(world, other, login):
    """The two departments' units get distinct names here, so a leaked name is visible."""
    world.unit_a.name, world.unit_b.name = "泄露甲", "泄露乙"
    world.unit_a.save()
    world.unit_b.save()
    world.department_year.department.name = "泄露部门"
    world.department_year.department.save()
    client = login(other.finance)
    for name in CHANGELISTS:
        body = client.get(reverse(f"admin:{name}_changelist")).content.decode()
        assert "泄露" not in body, name


def test_the_dropdowns_offer_only_the_users_own_department(world, other, login):
    world.unit_a.name = "泄露甲"
    world.unit_a.save()
    client = login(other.finance)
    for name in ("units_membership", "projects_budgetitem", "units_budgetunit", "projects_monthclose"):
        form = client.get(reverse(f"admin:{name}_add")).context["adminform"].form
        for field_name, field in form.fields.items():
            queryset = getattr(field, "queryset", None)
            if queryset is None:
                continue
            values = {str(row) for row in queryset}
            assert "泄露甲" not in values, (name, field_name)
            if field_name == "user":
                assert world.accountant_a not in queryset and world.finance not in queryset
                assert other.accountant_a in queryset


def test_the_membership_user_choices_leave_out_superusers_and_other_departments(world, other, superuser, login):
    newcomer = get_user_model().objects.create_user("newcomer")
    client = login(other.finance)
    users = client.get(reverse("admin:units_membership_add")).context["adminform"].form.fields["user"].queryset
    assert superuser not in users and world.leader not in users
    assert newcomer in users and other.leader in users
    response = client.post(
        reverse("admin:units_membership_add"),
        {"user": world.leader.pk, "department": other.department_year.department_id, "role": "finance", "unit": ""},
    )
    assert response.status_code == 200
    assert not Membership.objects.filter(user=world.leader, department=other.department_year.department).exists()


def test_a_finance_officer_cannot_give_anyone_a_role_in_another_department(world, other, login):
    client = login(other.finance)
    response = client.post(
        reverse("admin:units_membership_add"),
        {"user": other.outsider.pk, "department": world.department_year.department_id, "role": "finance", "unit": ""},
    )
    assert response.status_code == 200
    assert not Membership.objects.filter(user=other.outsider).exists()
    own = Membership.objects.get(user=other.accountant_a)
    response = client.post(
        reverse("admin:units_membership_change", args=[own.pk]),
        {"user": other.accountant_a.pk, "department": other.department_year.department_id, "role": "accountant", "unit": world.unit_a.pk},
    )
    own.refresh_from_db()
    assert own.unit_id == other.unit_a.pk


def autocomplete(client, app_label, model_name, field_name, term=""):
    response = client.get(
        reverse("admin:autocomplete"), {"app_label": app_label, "model_name": model_name, "field_name": field_name, "term": term}
    )
    return response.status_code, [row["id"] for row in json.loads(response.content)["results"]] if response.status_code == 200 else []


def test_the_autocompletes_offer_only_the_users_own_department(world, other, login):
    client = login(other.finance)
    status, ids = autocomplete(client, "projects", "expenditure", "item")
    assert status == 200
    assert {str(pk) for pk in (world.item_a.pk, world.item_a2.pk, world.item_b.pk)}.isdisjoint(ids)
    assert str(other.item_a.pk) in ids
    status, ids = autocomplete(client, "indicators", "indicator", "item")
    assert status == 200 and str(world.item_a.pk) not in ids


def test_the_year_filters_list_only_the_users_own_years(world, other, login):
    DepartmentYear.objects.create(department=world.department_year.department, year=2031)
    client = login(other.finance)
    for name in ("projects_budgetitem", "projects_expenditure", "projects_budgetline", "indicators_indicator", "projects_monthclose"):
        response = client.get(reverse(f"admin:{name}_changelist"))
        years = [choice["display"] for spec in response.context["cl"].filter_specs for choice in spec.choices(response.context["cl"])]
        assert 2031 not in years and "2031" not in years, name


def test_the_user_autocomplete_is_closed_to_the_finance_office(world, login):
    status, _ = autocomplete(login(world.finance), "units", "membership", "user")
    assert status == 403


# History pages


def history_url(record) -> str:
    opts = record._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_history", args=[record.pk])


def version_url(record) -> str:
    opts = record._meta
    version = record.history.order_by("history_id").first()
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_simple_history", args=[record.pk, version.history_id])


@pytest.fixture
def tracked(world, closed_march):
    """One history-tracked record of department PD per model the admin shows history for."""
    return {
        Expenditure: world.spent_a,
        BudgetLine: world.line_a,
        MonthClose: closed_march,
        Indicator: world.indicator_a,
    }


def test_revert_is_switched_off_in_the_settings():
    assert settings.SIMPLE_HISTORY_REVERT_DISABLED is True


def test_another_departments_finance_office_cannot_read_a_records_history(world, other, tracked, login):
    client = login(other.finance)
    for model, record in tracked.items():
        for url in (history_url(record), version_url(record)):
            response = client.get(url)
            assert response.status_code == 404, (model.__name__, url, response.status_code)


def test_the_history_of_a_deleted_record_stays_hidden_from_another_department(world, other, login):
    expenditure_id = world.spent_a.pk
    url = reverse("admin:projects_expenditure_history", args=[expenditure_id])
    version = Expenditure.history.filter(id=expenditure_id).first().history_id
    Expenditure.objects.filter(pk=expenditure_id).delete()
    client = login(other.finance)
    assert client.get(url).status_code == 404
    assert client.get(reverse("admin:projects_expenditure_simple_history", args=[expenditure_id, version])).status_code == 404
    owner = login(world.finance)
    assert owner.get(url).status_code == 200


def test_the_owning_finance_office_reads_its_history_with_a_link_to_the_audit_page(world, tracked, login):
    client = login(world.finance)
    for model, record in tracked.items():
        assert client.get(history_url(record)).status_code == 200, model.__name__
        assert client.get(version_url(record)).status_code == 200, model.__name__
    change_page = client.get(reverse("admin:projects_expenditure_change", args=[world.spent_a.pk])).content.decode()
    assert reverse("expenditures:history", kwargs={**world.kwargs, "pk": world.spent_a.pk}) in change_page


def test_no_one_reverts_a_record_through_the_history_form(world, other, tracked, superuser, login):
    """A revert would skip availability control and closed months; nobody gets it, superusers included."""
    world.spent_a.amount = Decimal("1.00")
    world.spent_a.save()  # a second version to revert to
    for user in (other.finance, world.finance, superuser):
        client = login(user)
        for model, record in tracked.items():
            before = list(model.objects.order_by("pk").values())
            form = {
                "amount": "99999.00", "month": "4", "memo": "reverted", "name": "reverted",
                "results_final": "on", "date": "2024-06-01", "item": world.item_a.pk, "economic_class": "30201",
            }
            response = client.post(version_url(record), form)
            assert response.status_code in (404, 405), (user.username, model.__name__, response.status_code)
            assert list(model.objects.order_by("pk").values()) == before, (user.username, model.__name__)
