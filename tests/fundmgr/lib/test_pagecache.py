"""fundmgr.lib.pagecache.cache_key: every part a cached figure depends on is in its key."""

from decimal import Decimal

import pytest
from django.utils import translation

from fundmgr.lib.pagecache import cache_key, release

KEY = {"department_year_id": 7, "version": "12-1733300000000000", "month": 6, "viewer": "finance", "page": "department"}


@pytest.fixture(autouse=True)
def fresh_release():
    release.cache_clear()
    yield
    release.cache_clear()


@pytest.mark.parametrize(
    "change",
    [
        {"department_year_id": 8},
        {"version": "13-1733300000000001"},
        {"month": 7},
        {"viewer": "accountant-3"},
        {"viewer": "leader"},
        {"page": "units:detail"},
        {"query": "i-sort=name"},
    ],
)
def test_each_part_changes_the_key(change):
    with translation.override("zh-hans"):
        assert cache_key("page", **{**KEY, **change}) != cache_key("page", **KEY)


def test_the_language_is_part_of_the_key():
    with translation.override("zh-hans"):
        chinese = cache_key("page", **KEY)
    with translation.override("en"):
        assert cache_key("page", **KEY) != chinese


def test_a_new_release_never_reads_what_the_last_one_cached(settings):
    """A deployment with other code, templates, translations or domain settings: other keys."""
    before = cache_key("page", **KEY)
    settings.LAG_RED = Decimal("0.50")
    release.cache_clear()
    assert cache_key("page", **KEY) != before
