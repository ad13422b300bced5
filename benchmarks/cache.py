"""Page cache benchmark, run on demand, never by `make test`.

    .venv/bin/python benchmarks/cache.py [--expenditures 10000] [--requests 20]
    CACHE_URL=redis://127.0.0.1:6379/0 .venv/bin/python benchmarks/cache.py   # the same through Redis

It builds one synthetic department (BENCHC001, fundmgr.demo.synthetic) on the configured
database and prints, for the department, unit and item pages and the 自评表, the median and p95
server time (Django's test Client, so no network) built from nothing (every cached entry made unreachable before each request) and answered from the cache (fundmgr.lib.pagecache), with each one's query count.

It deletes the department it created before and after, and nothing else. "Built from nothing"
moves the cache's key version, so nothing of a shared Redis is deleted or read (its entries
expire with CACHE_TTL).
Options: --expenditures 10000 · --requests 20 · --keep.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fundmgr.settings")
os.environ.setdefault("SECRET_KEY", "benchmark-only-secret-key")
os.environ.setdefault("HTTPS", "0")  # the test Client speaks plain http (benchmarks/dashboards.py says why)

import django

django.setup()

from django.conf import settings
from django.contrib.auth.models import User
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from benchmarks.dashboards import YEAR, analyze, forget, ledger_delete, p95, test_server_settings
from fundmgr.demo.synthetic import synthetic_ledger_create

PREFIX = "BENCHC"
BENCH_USER = "benchmark-superuser"


def cached_pages(department_code: str) -> list[tuple[str, str]]:
    """(name, address) of the pages the cache holds, for one synthetic department of YEAR (unit
    U01, item U01-001; fundmgr.demo.synthetic)."""
    kwargs = {"department_code": department_code, "year": YEAR}
    return [
        ("department dashboard", reverse("department", kwargs=kwargs) + f"?asof={YEAR}-12"),
        ("unit page", reverse("units:detail", kwargs={**kwargs, "unit_code": "U01"}) + f"?asof={YEAR}-12"),
        ("item page", reverse("projects:detail", kwargs={**kwargs, "item_code": "U01-001"}) + f"?asof={YEAR}-12"),
        ("自评表 (evaluation)", reverse("indicators:evaluation", kwargs=kwargs)),
    ]


def timed(client: Client, url: str, requests: int, *, cached: bool) -> tuple[list[float], int]:
    """Server times of `requests` answers, and the query count of one; the cache is emptied
    before each request unless `cached`, when one request fills it first."""
    forget()
    response = client.get(url)
    if response.status_code != 200:
        raise SystemExit(f"{url} answered HTTP {response.status_code}: a timing of that would be meaningless")
    if not cached:
        forget()
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    query_count = len(queries)
    samples = []
    for _ in range(requests):
        if not cached:
            forget()
        start = time.perf_counter()
        client.get(url)
        samples.append((time.perf_counter() - start) * 1000)
    return samples, query_count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--expenditures", type=int, default=10_000)
    parser.add_argument("--requests", type=int, default=20)
    parser.add_argument("--keep", action="store_true")
    options = parser.parse_args()

    test_server_settings()
    call_command("migrate", verbosity=0)
    print(f"database: {connection.vendor} {connection.settings_dict['NAME']}; cache: {settings.CACHES['default']['BACKEND']}")
    user, _ = User.objects.get_or_create(username=BENCH_USER, defaults={"is_superuser": True, "is_staff": True})
    client = Client()
    client.force_login(user)
    pages = cached_pages(f"{PREFIX}001")
    ledger_delete(PREFIX)
    try:
        synthetic_ledger_create(
            departments=1, units_per_department=5, items_per_unit=10, expenditures=options.expenditures, year=YEAR, seed=11, prefix=PREFIX
        )
        analyze()
        print(f"\n== {options.expenditures:,} expenditures in one department (5 units, 50 items), {options.requests} requests each")
        for name, url in pages:
            built, built_queries = timed(client, url, options.requests, cached=False)
            served, served_queries = timed(client, url, options.requests, cached=True)
            print(
                f"  {name:<22} uncached median {statistics.median(built):7.1f} ms  p95 {p95(built):7.1f} ms  queries {built_queries:3d}"
                f"   cached median {statistics.median(served):6.1f} ms  p95 {p95(served):6.1f} ms  queries {served_queries:3d}"
                f"   ({statistics.median(built) / statistics.median(served):.0f}×)"
            )
    finally:
        if not options.keep:
            ledger_delete(PREFIX)


if __name__ == "__main__":
    main()
