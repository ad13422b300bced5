import os

import pytest
from django.conf import settings
from django.test import override_settings
from django.core.cache import cache
from django.utils import translation
from hypothesis import settings as hypothesis_settings

from projects.models import MonthClose
from tests import personas
from tests.builders import MonthCloseFactory

# CI (which sets CI=true) replays a fixed set of examples, so that its verdict is reproducible;
# a developer's runs keep drawing new ones, which is where hypothesis finds what we missed.
hypothesis_settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    hypothesis_settings.load_profile("ci")


@pytest.fixture(scope="session", autouse=True)
def private_file_storage(tmp_path_factory):
    """Files saved through the storage API (佐证材料) go to the session's own folder, never var/:
    also those of tests that do not ask for a storage of their own (the URL crawls of the access
    matrix); so do the jobs' progress notes."""
    location = tmp_path_factory.mktemp("files")
    default = {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(location)}}
    progress = tmp_path_factory.mktemp("progress")  # the jobs' progress notes on SQLite (fundmgr.jobs.progress_note)
    with override_settings(STORAGES={**settings.STORAGES, "default": default}, JOB_PROGRESS_DIR=progress):
        yield location


@pytest.fixture
def own_storage(settings, tmp_path):
    """A test's own default storage (tmp_path/files), where the uploads waiting for their confirmation,
    kept error lists and review batches go (`uploads/`); VAR_DIR points elsewhere (tmp_path/var), to
    prove nothing of them is written there. Returns the storage's uploads folder."""
    settings.VAR_DIR = tmp_path / "var"
    settings.VAR_DIR.mkdir(exist_ok=True)
    location = tmp_path / "files"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(location)}},
    }
    return location / "uploads"


@pytest.fixture
def world(db):
    """Department PD 2024 with units A and B and the five personas (tests/personas.py)."""
    return personas.build()


@pytest.fixture
def other(world):
    """A second department, QD 2024, built like PD; its finance officer (`q_finance`) is the
    stranger of the cross-department tests."""
    return personas.build(code="QD", prefix="q_")


@pytest.fixture
def superuser(db):
    return personas.superuser()


@pytest.fixture
def closed_march(world) -> MonthClose:
    """PD's March, closed by PD's finance office (nothing of the world is dated in March)."""
    return MonthCloseFactory(department_year=world.department_year, month=3, closed_by=world.finance)


@pytest.fixture
def login(client):
    """login(user) -> the test client signed in as that user (None: signed out)."""

    def sign_in(user):
        client.logout()
        if user is not None:
            client.force_login(user)
        return client

    return sign_in


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
    the order in which such tests run does not matter."""
    marker = request.node.get_closest_marker("django_db")
    if marker is not None and marker.kwargs.get("transaction"):
        request.getfixturevalue("transactional_db")
        personas.ensure_economic_classes()


@pytest.fixture(autouse=True)
def default_language():
    """Every test starts in the default language, as a new process does. A request the language
    switch set to English leaves English active in the thread (the locale middleware does not
    deactivate it), and a later test calling a service directly would get English messages."""
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def empty_page_cache():
    """Every test starts with an empty cache (fundmgr.lib.pagecache): the test database gives the
    same ids again after each rollback, and a figure cached by one test is no fixture of another."""
    cache.clear()
