"""The admin's filter sidebars, dropdowns and autocompletes offer a finance office only its own
department: its units, items, years and users, never another department's."""

import json

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from units.models import Membership

pytestmark = pytest.mark.django_db

CHANGELISTS = (
    "projects_budgetitem",
    "projects_expenditure",
    "projects_budgetline",
    "indicators_indicator",
    "units_budgetunit",
    "units_departmentyear",
    "units_monthclose",
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
    for name in ("units_membership", "projects_budgetitem", "units_budgetunit", "units_monthclose"):
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
    from units.models import DepartmentYear

    DepartmentYear.objects.create(department=world.department_year.department, year=2031)
    client = login(other.finance)
    for name in ("projects_budgetitem", "projects_expenditure", "projects_budgetline", "indicators_indicator", "units_monthclose"):
        response = client.get(reverse(f"admin:{name}_changelist"))
        years = [choice["display"] for spec in response.context["cl"].filter_specs for choice in spec.choices(response.context["cl"])]
        assert 2031 not in years and "2031" not in years, name


def test_the_user_autocomplete_is_closed_to_the_finance_office(world, login):
    status, _ = autocomplete(login(world.finance), "units", "membership", "user")
    assert status == 403
