import pytest

from tests.exports.known_ledger import build_ledger


@pytest.fixture(autouse=True)
def plain_static_files(settings):
    # Tests run with DEBUG off, where static files expect a collectstatic manifest.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture
def ledger(db):
    return build_ledger()
