"""Dashboard benchmark, run on demand, never by `make test`.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/fundmgr_bench .venv/bin/python benchmarks/dashboards.py

It builds two synthetic ledgers on the configured database (10,000 and 1,000,000
expenditures across 100 departments, departments BENCH001…), one after the other, and for
each page prints the median and p95 server time over 20 uncached requests (the page cache is
forgotten before each; Django's test Client, so no network) and the SQL query count of one request. It also times the single raw SQL
aggregate the department dashboard needs, as the floor to compare against, and exports a
unit's 100,000 expenditures to xlsx in a fresh process, reporting its time and peak RSS.

It deletes the departments it created (BENCH…, BENCHX…) before and after, and nothing else.
Options: --sizes 10000 1000000 · --requests 20 · --keep (leave the last ledger in place).
"""

import argparse
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fundmgr.settings")
os.environ.setdefault("SECRET_KEY", "benchmark-only-secret-key")
# The test Client speaks plain http, as the app does behind a TLS-terminating proxy: without this
# the production default redirects every request to https and nothing would be timed.
os.environ.setdefault("HTTPS", "0")

import django

django.setup()

from django.conf import settings
from django.contrib.auth.models import User
from django.core.cache import caches
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import NoReverseMatch, reverse

from fundmgr.demo.synthetic import synthetic_ledger_create

PREFIX = "BENCH"
EXPORT_PREFIX = "BENCHX"
YEAR = 2024
EXPORT_YEAR = 2025
DEPARTMENTS, UNITS, ITEMS = 100, 5, 10
EXPORT_ROWS = 100_000
BENCH_USER = "benchmark-superuser"


def ledger_delete(prefix: str) -> None:
    """Remove the benchmark's own departments with set-based SQL (a cascade through the ORM
    would load a million rows)."""
    departments = "SELECT id FROM units_department WHERE code LIKE %s"
    years = f"SELECT id FROM units_departmentyear WHERE department_id IN ({departments})"
    items = f"SELECT id FROM projects_budgetitem WHERE department_year_id IN ({years})"
    pattern = [prefix + "%"]
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM projects_expenditure WHERE item_id IN ({items})", pattern)
        cursor.execute(f"DELETE FROM projects_budgetline WHERE item_id IN ({items})", pattern)
        cursor.execute(f"DELETE FROM indicators_indicator WHERE department_year_id IN ({years})", pattern)
        cursor.execute(f"DELETE FROM projects_budgetitem WHERE department_year_id IN ({years})", pattern)
        cursor.execute(f"DELETE FROM projects_monthclose WHERE department_year_id IN ({years})", pattern)
        cursor.execute(f"DELETE FROM units_departmentyear WHERE department_id IN ({departments})", pattern)
        cursor.execute(f"DELETE FROM units_membership WHERE department_id IN ({departments})", pattern)
        cursor.execute(f"DELETE FROM units_budgetunit WHERE department_id IN ({departments})", pattern)
        cursor.execute("DELETE FROM units_department WHERE code LIKE %s", pattern)


def analyze() -> None:
    """What autovacuum does after a bulk load (PostgreSQL 13+ vacuums on inserts): planner
    statistics, and the visibility map that lets index-only scans skip the table."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")


def forget() -> None:
    """Make every page-cache entry written so far unreachable, as a write does for its
    department-year (fundmgr.lib.pagecache): nothing of a shared Redis is deleted or read."""
    caches["default"].version += 1


def timed(client: Client, url: str, requests: int) -> tuple[list[float], int, int]:
    """Server times of `requests` uncached answers (the page cache forgotten before each), the
    query count of one and the status."""
    response = client.get(url)  # warm-up: templates, imports
    status = response.status_code
    if status != 200:
        raise SystemExit(f"{url} answered HTTP {status}: a timing of that would be meaningless")
    b"".join(response.streaming_content) if response.streaming else response.content
    forget()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
        b"".join(response.streaming_content) if response.streaming else response.content
    query_count = len(queries)  # now: the captured slice is read from a log the next request clears
    samples = []
    for _ in range(requests):
        forget()
        start = time.perf_counter()
        response = client.get(url)
        b"".join(response.streaming_content) if response.streaming else response.content
        samples.append((time.perf_counter() - start) * 1000)
    return samples, query_count, status


def p95(samples: list[float]) -> float:
    ordered = sorted(samples)
    return ordered[max(0, -(-len(ordered) * 95 // 100) - 1)]


def raw_floor(department_code: str, requests: int) -> tuple[list[float], int]:
    """The one aggregate the department dashboard cannot do without: approved and pending
    spending per item of one department-year up to the as-of day."""
    sql = """
        SELECT e.item_id,
               SUM(CASE WHEN e.status = 'approved' THEN e.amount ELSE 0 END),
               SUM(CASE WHEN e.status = 'pending' THEN e.amount ELSE 0 END)
          FROM projects_expenditure e
          JOIN projects_budgetitem i ON i.id = e.item_id
          JOIN units_departmentyear dy ON dy.id = i.department_year_id
          JOIN units_department d ON d.id = dy.department_id
         WHERE d.code = %s AND dy.year = %s AND e.date <= %s
         GROUP BY e.item_id
    """
    samples, rows = [], 0
    with connection.cursor() as cursor:
        for _ in range(requests + 1):
            start = time.perf_counter()
            cursor.execute(sql, [department_code, YEAR, f"{YEAR}-12-31"])
            rows = len(cursor.fetchall())
            samples.append((time.perf_counter() - start) * 1000)
    return samples[1:], rows


def export_in_fresh_process(url: str) -> str:
    """Time the export in a new process, so its peak RSS is the export's and not the generator's."""
    completed = subprocess.run(
        [sys.executable, __file__, "--export-only", url], capture_output=True, text=True, env=os.environ.copy(), check=False
    )
    if completed.returncode != 0:
        return f"export failed: {completed.stderr[-2000:]}"
    return completed.stdout.strip()


def test_server_settings() -> None:
    """The test Client's host, and plain static URLs (no collectstatic manifest is needed to time pages)."""
    settings.ALLOWED_HOSTS = ["testserver"]
    settings.STORAGES = {**settings.STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}


def export_only(url: str) -> None:
    test_server_settings()
    client = Client()
    client.force_login(User.objects.get(username=BENCH_USER))
    baseline = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    start = time.perf_counter()
    response = client.get(url)
    size = sum(len(chunk) for chunk in response.streaming_content)
    elapsed = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"status {response.status_code}, {size / 1e6:.1f} MB xlsx in {elapsed:.2f} s, "
        f"peak RSS {peak:.0f} MB (process before the request: {baseline:.0f} MB)"
    )


def row(name: str, samples: list[float], queries: int, status: int) -> str:
    return f"  {name:<34} median {statistics.median(samples):8.1f} ms   p95 {p95(samples):8.1f} ms   queries {queries:3d}   HTTP {status}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 1_000_000])
    parser.add_argument("--requests", type=int, default=20)
    parser.add_argument("--keep", action="store_true")
    parser.add_argument("--export-only")
    options = parser.parse_args()
    if options.export_only:
        export_only(options.export_only)
        return

    test_server_settings()
    call_command("migrate", verbosity=0)
    print(f"database: {connection.vendor} {connection.settings_dict['NAME']}")
    user, _ = User.objects.get_or_create(username=BENCH_USER, defaults={"is_superuser": True, "is_staff": True})
    client = Client()
    client.force_login(user)
    department, unit, item = f"{PREFIX}050", "U03", "U03-005"
    kwargs = {"department_code": department, "year": YEAR}
    try:
        evaluation_url = reverse("indicators:evaluation", kwargs=kwargs)
    except NoReverseMatch:
        evaluation_url = None
    pages = [
        ("department dashboard", reverse("department", kwargs=kwargs) + f"?asof={YEAR}-12"),
        ("unit page", reverse("units:detail", kwargs={**kwargs, "unit_code": unit}) + f"?asof={YEAR}-12"),
        ("item page", reverse("projects:detail", kwargs={**kwargs, "item_code": item}) + f"?asof={YEAR}-12"),
        ("province view", reverse("province", kwargs={"year": YEAR}) + f"?asof={YEAR}-12"),
        ("自评表 (evaluation)", evaluation_url),
        ("unit expenditures xlsx", reverse("units:expenditures_export", kwargs={**kwargs, "unit_code": unit})),
    ]
    results: dict[int, dict[str, tuple[float, int]]] = {}
    try:
        for size in options.sizes:
            ledger_delete(EXPORT_PREFIX)
            ledger_delete(PREFIX)
            start = time.perf_counter()
            counts = synthetic_ledger_create(
                departments=DEPARTMENTS, units_per_department=UNITS, items_per_unit=ITEMS, expenditures=size, year=YEAR, seed=size,
                prefix=PREFIX,
            )
            analyze()
            print(
                f"\n== {size:,} expenditures: {counts.departments} departments, {counts.units} units, {counts.items} items, "
                f"{counts.lines} lines, {counts.indicators} indicators; generated in {time.perf_counter() - start:.1f} s"
            )
            results[size] = {}
            for name, url in pages:
                if url is None:
                    print(f"  {name:<34} not installed on this branch (indicators:evaluation missing)")
                    continue
                samples, queries, status = timed(client, url, options.requests)
                results[size][name] = (statistics.median(samples), queries)
                print(row(name, samples, queries, status))
            samples, rows = raw_floor(department, options.requests)
            print(f"  {'raw SQL floor (one aggregate)':<34} median {statistics.median(samples):8.1f} ms   p95 {p95(samples):8.1f} ms   ({rows} item rows)")

        print(f"\n== export of one unit's {EXPORT_ROWS:,} expenditures (department {EXPORT_PREFIX}001, year {EXPORT_YEAR})")
        start = time.perf_counter()
        synthetic_ledger_create(
            departments=1, units_per_department=1, items_per_unit=10, expenditures=EXPORT_ROWS, year=EXPORT_YEAR, seed=7, prefix=EXPORT_PREFIX
        )
        analyze()
        print(f"  generated in {time.perf_counter() - start:.1f} s")
        url = reverse("units:expenditures_export", kwargs={"department_code": f"{EXPORT_PREFIX}001", "year": EXPORT_YEAR, "unit_code": "U01"})
        print("  " + export_in_fresh_process(url))

        if len(results) >= 2:
            small, large = min(results), max(results)
            print(f"\n== targets ({large:,} vs {small:,} expenditures)")
            for name in results[large]:
                (t_small, q_small), (t_large, q_large) = results[small][name], results[large][name]
                print(
                    f"  {name:<34} queries {q_small} -> {q_large} ({'same' if q_small == q_large else 'DIFFERENT'}, "
                    f"{'≤ 15' if q_large <= 15 else '> 15'});  median {t_small:.1f} -> {t_large:.1f} ms ({t_large / t_small:.2f}×)"
                )
    finally:
        if not options.keep:
            ledger_delete(EXPORT_PREFIX)
            ledger_delete(PREFIX)


if __name__ == "__main__":
    main()
