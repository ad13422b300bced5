"""Cached figures and page content, keyed by what they depend on (STYLE.md "Caches and background work").

A key holds the department-year, its ledger version (units.models.LedgerVersion, raised by a
trigger in the same transaction as every write its pages show), the as-of month, the language
and the viewer's scope. A write therefore makes every older entry unreachable at once: no entry
is ever deleted or expired to stay correct; settings.CACHE_TTL only lets the backend forget
entries nothing reaches any more.

The version is read before the figures are built, so an entry is never older than its key says:
a write landing in between only makes the entry newer than its version.

Concurrent misses of one key build it once (single flight): the first request claims the key
with an atomic cache.add, the others wait for its entry (up to WAIT_SECONDS, polling at
growing intervals) instead of all rendering the same page on the same cores right after a write. A
claim lapses after CLAIM_SECONDS, so a builder that died frees its key; a waiter whose builder
stopped without storing builds the value itself. The claims live in the same cache as the
entries: per process with local memory, across processes with Redis.

A key also holds the release: a digest of the code, templates and translations the process runs
and of the domain settings, so that a deployment never serves what the one before it rendered
from a shared Redis.
"""

import functools
import hashlib
import time
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
CLAIM_SECONDS = 10  # a claim's lifetime: the longest a dead builder can hold its key
WAIT_SECONDS = 3.0  # how long a request waits for another's build before building itself
WAIT_STEP = 0.005  # the first pause of a waiting request; each next one doubles, up to WAIT_STEP_MAX
WAIT_STEP_MAX = 0.04


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


def claim(key: str) -> bool:
    """Whether this request may build `key`: true for the first to ask until it releases."""
    return cache.add(f"{key}:building", 1, timeout=CLAIM_SECONDS)


def release_claim(key: str) -> None:
    cache.delete(f"{key}:building")


def await_build(key: str) -> Any:
    """The value another request is building under `key` once stored, or None when that
    builder stopped without storing it or WAIT_SECONDS have passed. It asks for the value and the
    claim together (one round trip to Redis), at growing intervals: waiting costs little CPU."""
    claim_key = f"{key}:building"
    deadline = time.monotonic() + WAIT_SECONDS
    step = WAIT_STEP
    while time.monotonic() < deadline:
        time.sleep(step)
        step = min(step * 2, WAIT_STEP_MAX)
        found = cache.get_many([key, claim_key])
        if key in found:
            return found[key]
        if claim_key not in found:
            return cache.get(key)  # stored and released between the two reads, or abandoned
    return None


def cached(key: str, build: Callable[[], Any]) -> Any:
    """The value under `key`, built and stored when absent, by one request at a time."""
    value = cache.get(key)
    if value is not None:
        return value
    claimed = claim(key)
    if not claimed:
        value = await_build(key)
        if value is not None:
            return value
    try:
        value = build()
        cache.set(key, value)
    finally:
        if claimed:
            release_claim(key)
    return value


@dataclass
class CachedContent:
    """A page's main content under `key`: `html` when the cache had it, or another request
    built it meanwhile (the view then builds nothing), else None, and the template's
    {% cached_content %} block renders and stores it. `claimed` says this request builds it:
    storing releases the claim (an unrendered page's claim lapses after CLAIM_SECONDS)."""

    key: str
    html: SafeString | None = None
    claimed: bool = False

    @classmethod
    def look_up(cls, key: str) -> "CachedContent":
        html = cache.get(key)
        claimed = False
        if html is None:
            claimed = claim(key)
            if not claimed:
                html = await_build(key)
        return cls(key=key, html=None if html is None else mark_safe(html), claimed=claimed)  # our own rendered template

    def store(self, html: str) -> None:
        cache.set(self.key, str(html))
        if self.claimed:
            release_claim(self.key)
            self.claimed = False


def page_content(request, *, department_year, version: str, month: int | None, viewer: str, query: bool = True, **subject):
    """The page's main content (CachedContent) under the key of every cached page: the department-year
    at `version`, the as-of month, the viewer, the page (its URL name), the request's query when
    it shapes the page, and the rows the page is about (`subject`: unit=…, item=…)."""
    parts = {name: row.pk for name, row in subject.items()}
    if query:
        parts["query"] = query_string(request.GET)
    return CachedContent.look_up(
        cache_key(
            "page",
            department_year_id=department_year.pk,
            version=version,
            month=month,
            viewer=viewer,
            page=request.resolver_match.view_name,
            **parts,
        )
    )


def query_string(params, *, ignore: tuple[str, ...] = ()) -> str:
    """The request's query parameters that shape a page, in a fixed order."""
    return "&".join(f"{name}={value}" for name in sorted(params) if name not in ignore for value in params.getlist(name))
