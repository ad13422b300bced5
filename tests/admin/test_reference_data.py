"""Reference data every department shares (the economic classification, users, groups, the
lockout records) is written only by superusers; a department's finance office may at most read it."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.urls import reverse

from projects.models import EconomicClass

pytestmark = pytest.mark.django_db


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


def test_auth_permissions_do_not_open_users_and_groups_to_the_finance_office(world, login):
    """Even given the auth permissions, a finance officer cannot make a superuser or a group."""
    world.finance.user_permissions.add(*Permission.objects.filter(content_type__app_label__in=("auth", "axes")))
    client = login(world.finance)
    for url in (
        reverse("admin:auth_user_changelist"),
        reverse("admin:auth_user_add"),
        reverse("admin:auth_user_change", args=[world.finance.pk]),
        reverse("admin:auth_group_changelist"),
        reverse("admin:axes_accessattempt_changelist"),
    ):
        assert client.get(url).status_code == 403, url
    response = client.post(
        reverse("admin:auth_user_change", args=[world.finance.pk]),
        {"username": "finance", "is_superuser": "on", "is_staff": "on", "is_active": "on", "date_joined_0": "2024-01-01", "date_joined_1": "00:00:00"},
    )
    assert response.status_code == 403
    client.post(reverse("admin:auth_group_add"), {"name": "自建组"})
    world.finance.refresh_from_db()
    assert not world.finance.is_superuser
    assert not Group.objects.filter(name="自建组").exists()


def test_a_finance_officer_cannot_create_another_department(world, login):
    response = login(world.finance).post(reverse("admin:units_department_add"), {"code": "ZZ", "name": "新部门"})
    assert response.status_code == 403
    assert not get_user_model().objects.filter(is_superuser=True).exists()
    from units.models import Department

    assert not Department.objects.filter(code="ZZ").exists()
