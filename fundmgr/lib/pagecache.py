"""Cached figures and page content, keyed by what they depend on (STYLE.md "Caches and background work").

A key holds the department-year, its ledger version (units.models.LedgerVersion, raised by a
trigger in the same transaction as every write its pages show), the as-of month, the language
and the viewer's scope. A write therefore makes every older entry unreachable at once: no entry
is ever deleted or expired to stay correct; settings.CACHE_TTL only lets the backend forget
entries nothing reaches any more.

The version is read before the figures are built, so an entry is never older than its key says:
a write landing in between only makes the entry newer than its version.
"""

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.cache import cache
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

PREFIX = "fundmgr"


def cache_key(kind: str, *, department_year_id: int, version: str, month: int | None, viewer: str, **parts: Any) -> str:
    """The key of a cached `kind` (e.g. "dashboard", "page") of a department-year at a version,
    as of a month, in the active language, for a viewer ("department" when it does not depend on
    the viewer); `parts` name what else it depends on (the page, its subject, its query string)."""
    detail = "&".join(f"{name}={parts[name]}" for name in sorted(parts))
    digest = hashlib.sha256(detail.encode()).hexdigest()[:32]
    return f"{PREFIX}:{kind}:{department_year_id}:v{version}:m{month or 0}:{get_language() or ''}:{viewer}:{digest}"


def cached(key: str, build: Callable[[], Any]) -> Any:
    """The value under `key`, built and stored when absent."""
    value = cache.get(key)
    if value is None:
        value = build()
        cache.set(key, value)
    return value


@dataclass
class CachedContent:
    """A page's main content under `key`: `html` when the cache had it (the view then builds
    nothing), else None, and the template's {% cached_content %} block renders and stores it."""

    key: str
    html: SafeString | None = None

    @classmethod
    def look_up(cls, key: str) -> "CachedContent":
        html = cache.get(key)
        return cls(key=key, html=None if html is None else mark_safe(html))  # our own rendered template

    def store(self, html: str) -> None:
        cache.set(self.key, str(html))


def query_string(params, *, ignore: tuple[str, ...] = ()) -> str:
    """The request's query parameters that shape a page, in a fixed order."""
    return "&".join(f"{name}={value}" for name in sorted(params) if name not in ignore for value in params.getlist(name))
