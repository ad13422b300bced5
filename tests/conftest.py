import pytest

from tests import personas


@pytest.fixture
def world(db):
    """Department PD 2024 with units A and B and the five personas (tests/personas.py)."""
    return personas.build()


@pytest.fixture
def as_persona(client, world):
    """as_persona("accountant_a") -> the test client logged in as that persona (or anonymous)."""

    def login(name):
        client.logout()
        user = world.persona(name)
        if user is not None:
            client.force_login(user)
        return client

    return login


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    # PBKDF2's deliberate slowness buys nothing in tests; personas are created for every test.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
