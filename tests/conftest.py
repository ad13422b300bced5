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


@pytest.fixture(autouse=True)
def reference_data_after_a_flush(request):
    """A transactional test (browser, concurrency) flushes the database when it ends, and with it the
    economic classes that a data migration loaded. Every transactional test reloads them first, so
    the order in which such tests run does not matter (issue 5's browser test ran before others)."""
    marker = request.node.get_closest_marker("django_db")
    if marker is not None and marker.kwargs.get("transaction"):
        request.getfixturevalue("transactional_db")
        personas.ensure_economic_classes()
