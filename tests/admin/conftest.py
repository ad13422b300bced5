"""Two departments for the admin's cross-department tests: the root conftest's `world` (PD, the
department whose rows are attacked) and `other` (QD, whose finance office attacks them)."""

import pytest
from django.contrib.auth import get_user_model

from tests import personas
from units.models import MonthClose


@pytest.fixture
def other(world):
    """Department QD 2024, built like PD; its finance officer is `q_finance`."""
    return personas.build(code="QD", prefix="q_")


@pytest.fixture
def closed_march(world):
    """PD's March, closed by PD's finance office (nothing of the world is dated in March)."""
    return MonthClose.objects.create(department_year=world.department_year, month=3, closed_by=world.finance)


@pytest.fixture
def superuser(db):
    return get_user_model().objects.create_superuser("root", "root@example.org", personas.PASSWORD)


@pytest.fixture
def login(client):
    """login(user) -> the test client signed in as that user (None: signed out)."""

    def sign_in(user):
        client.logout()
        if user is not None:
            client.force_login(user)
        return client

    return sign_in
