import pytest


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Each page test creates four personas; the production hasher would dominate the run time."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
