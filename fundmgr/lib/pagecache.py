"""Cached figures and page content, keyed by what they depend on (STYLE.md "Caches and background work").

A key holds the department-year, its ledger version (units.models.LedgerVersion, raised by a
trigger in the same transaction as every write its pages show), the as-of month, the language
and the viewer's scope. A write therefore makes every older entry unreachable at once: no entry
is ever deleted or expired to stay correct; settings.CACHE_TTL only lets the backend forget
entries nothing reaches any more.

The version is read before the figures are built, so an entry is never older than its key says:
a write landing in between only makes the entry newer than its version.

A key also holds the release: a digest of the code, templates and translations the process runs
and of the domain settings, so that a deployment never serves what the one before it rendered
from a shared Redis.
"""

import functools
import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

PREFIX = "fundmgr"
RELEASE_FILES = ("**/*.py", "**/*.html", "**/*.mo")
RELEASE_FOLDERS = ("fundmgr", "units", "projects", "indicators", "templates", "locale")
RELEASE_SETTINGS = ("APPROVAL_THRESHOLD", "LAG_YELLOW", "LAG_RED", "LANGUAGE_CODE", "TIME_ZONE")


@functools.cache
def release() -> str:
    """A digest of what renders a page: the source files, templates and compiled translations
    under settings.BASE_DIR, and the domain settings. The same in every process of one deployment."""
    digest = hashlib.sha256()
    base = Path(settings.BASE_DIR)
    for folder in RELEASE_FOLDERS:
        for pattern in RELEASE_FILES:
            for path in sorted((base / folder).glob(pattern)):
                digest.update(str(path.relative_to(base)).encode())
                digest.update(path.read_bytes())
    digest.update(repr([getattr(settings, name, None) for name in RELEASE_SETTINGS]).encode())
    return digest.hexdigest()[:12]


def cache_key(kind: str, *, department_year_id: int, version: str, month: int | None, viewer: str, **parts: Any) -> str:
    """The key of a cached `kind` (e.g. "dashboard", "page") of a department-year at a version,
    as of a month, in the active language, for a viewer ("department" when it does not depend on
    the viewer); `parts` name what else it depends on (the page, its subject, its query string)."""
    detail = "&".join(f"{name}={parts[name]}" for name in sorted(parts))
    digest = hashlib.sha256(detail.encode()).hexdigest()[:32]
    return f"{PREFIX}:{release()}:{kind}:{department_year_id}:v{version}:m{month or 0}:{get_language() or ''}:{viewer}:{digest}"


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
