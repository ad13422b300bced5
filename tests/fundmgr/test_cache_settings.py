"""settings.CACHES: local memory by default, Django's Redis backend when CACHE_URL or REDIS_URL
is set, and a refusal to start on a URL that is no Redis URL."""

import json
import sys

from tests.fundmgr.test_settings import production_environment, run


def caches_of(**environment) -> dict:
    script = "import json; from django.conf import settings; print(json.dumps(settings.CACHES['default']))"
    result = run([sys.executable, "-c", script], production_environment(**{"CACHE_URL": None, "REDIS_URL": None, **environment}))
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_the_embedded_default_is_local_memory_with_a_long_safety_ttl():
    default = caches_of()
    assert default["BACKEND"] == "django.core.cache.backends.locmem.LocMemCache"
    assert default["TIMEOUT"] == 7 * 24 * 60 * 60


def test_cache_url_picks_djangos_redis_backend():
    default = caches_of(CACHE_URL="redis://127.0.0.1:6379/3")
    assert default["BACKEND"] == "django.core.cache.backends.redis.RedisCache"
    assert default["LOCATION"] == "redis://127.0.0.1:6379/3"


def test_redis_url_serves_when_cache_url_is_not_set_and_cache_url_wins_over_it():
    assert caches_of(REDIS_URL="redis://cache.internal:6380/1")["LOCATION"] == "redis://cache.internal:6380/1"
    both = caches_of(CACHE_URL="rediss://a.internal:6379/2", REDIS_URL="redis://b.internal:6379/1")
    assert both["LOCATION"] == "rediss://a.internal:6379/2"


def test_a_bad_cache_url_stops_the_process():
    result = run([sys.executable, "manage.py", "check"], production_environment(CACHE_URL="memcached://127.0.0.1:11211"))
    assert result.returncode != 0
    assert "CACHE_URL must be a Redis URL" in result.stderr
