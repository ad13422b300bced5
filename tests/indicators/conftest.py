import pytest


@pytest.fixture(autouse=True)
def plain_static_files(settings):
    """Tests run with DEBUG off, where static files need a collected manifest; pages under test
    only need their URLs."""
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
