"""units/admin.py: departments are shared by the whole province, so only superusers create them."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from units.models import Department

pytestmark = pytest.mark.django_db


def test_a_finance_officer_cannot_create_another_department(world, login):
    response = login(world.finance).post(reverse("admin:units_department_add"), {"code": "ZZ", "name": "新部门"})
    assert response.status_code == 403
    assert not get_user_model().objects.filter(is_superuser=True).exists()
    assert not Department.objects.filter(code="ZZ").exists()
