"""fundmgr.lib.env.env_redis_url: the cache's Redis URL, refused at start-up when it is none."""

import pytest
from django.core.exceptions import ImproperlyConfigured

from fundmgr.lib.env import env_redis_url


@pytest.mark.parametrize(
    "value", ["http://127.0.0.1:6379/0", "redis://", "redis://127.0.0.1:port/0", "redis://127.0.0.1:6379/zero", "127.0.0.1:6379"]
)
def test_env_redis_url_refuses_what_is_not_a_redis_url(monkeypatch, value):
    monkeypatch.setenv("CACHE_URL", value)
    with pytest.raises(ImproperlyConfigured, match="CACHE_URL must be a Redis URL"):
        env_redis_url("CACHE_URL")


@pytest.mark.parametrize(
    "value", ["redis://127.0.0.1:6379/0", "redis://:secret@cache:6379", "rediss://cache.example:6380/1", "unix:///run/redis.sock"]
)
def test_env_redis_url_accepts_redis_urls(monkeypatch, value):
    monkeypatch.setenv("CACHE_URL", value)
    assert env_redis_url("CACHE_URL") == value


def test_env_redis_url_is_none_when_nothing_is_set(monkeypatch):
    monkeypatch.delenv("CACHE_URL", raising=False)
    monkeypatch.setenv("REDIS_URL", "  ")
    assert env_redis_url("CACHE_URL", "REDIS_URL") is None
