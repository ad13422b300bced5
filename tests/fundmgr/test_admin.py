"""fundmgr/admin.py: accounts, groups and the login-lockout records span every department, so only
superusers see or change them; a department's finance office gives roles through Membership."""

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group, Permission
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

pytestmark = pytest.mark.django_db


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


def test_task_results_are_not_in_the_admin_even_for_a_superuser(client, django_user_model):
    """django-tasks-db's results name any department's jobs and files: the job pages show each
    user their own (fundmgr.job_views); the admin shows none of them."""
    assert not admin.site.is_registered(DBTaskResult)
    client.force_login(django_user_model.objects.create_superuser("root", password="x"))
    assert client.get("/admin/django_tasks_db/dbtaskresult/").status_code == 404
