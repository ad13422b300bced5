"""Failed logins lock a username from one client address, not for everyone: behind a reverse
proxy, every request arrives from the proxy's address, so the client's address is read from
X-Forwarded-For, and only when TRUSTED_PROXY_COUNT says how many proxies put it there."""

import pytest
from django.urls import reverse

from tests import personas

pytestmark = pytest.mark.django_db

PROXY = "127.0.0.1"


def log_in(client, password, *, remote=PROXY, forwarded=None):
    headers = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        headers["HTTP_X_FORWARDED_FOR"] = forwarded
    return client.post(reverse("login"), {"username": "accountant_a", "password": password}, **headers)


def fail_five_times(client, **address):
    for _ in range(5):
        log_in(client, "wrong", **address)


def test_five_failures_lock_the_username_from_that_address_only(world, client):
    fail_five_times(client, remote="10.0.0.1")
    assert log_in(client, personas.PASSWORD, remote="10.0.0.1").status_code == 429
    assert log_in(client, personas.PASSWORD, remote="10.0.0.2").status_code == 302


def test_without_a_trusted_proxy_a_forged_forwarded_header_is_ignored(world, client, settings):
    settings.TRUSTED_PROXY_COUNT = 0
    for n in range(5):  # a guesser claiming a new address each time is still one address
        log_in(client, "wrong", forwarded=f"10.9.9.{n}")
    assert log_in(client, personas.PASSWORD, forwarded="10.9.9.99").status_code == 429


def test_behind_a_trusted_proxy_the_clients_own_address_is_locked_and_no_one_else(world, client, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    fail_five_times(client, forwarded="10.0.0.1")
    assert log_in(client, personas.PASSWORD, forwarded="10.0.0.1").status_code == 429
    # what the client put in front of the proxy's entry does not change who it is
    assert log_in(client, personas.PASSWORD, forwarded="6.6.6.6, 10.0.0.1").status_code == 429
    assert log_in(client, personas.PASSWORD, forwarded="10.0.0.2").status_code == 302


def test_behind_a_trusted_proxy_a_missing_or_garbled_header_falls_back_to_the_connections_address(world, client, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    fail_five_times(client, forwarded="not-an-address")
    assert log_in(client, personas.PASSWORD).status_code == 429  # both were the proxy's address
