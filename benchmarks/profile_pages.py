"""Where an uncached page's time goes (issue 17 item 3), run on demand, never by `make test`.

    DATABASE_URL=sqlite:////tmp/fundmgr-profile.sqlite3 .venv/bin/python benchmarks/profile_pages.py

It builds one synthetic department of 10,000 expenditures (department PROF001, 5 units of 10
items) on the configured database, then, for the department, unit, item and 自评表 pages, asks
each page --requests times with the page cache emptied before every request (the uncached path),
as a superuser through Django's test Client, first timed, then again under the profiler. For each page it prints the median server time, the
time spent in SQL (inside the database driver: executing and fetching, SqlClock), the rest
(Python: views, selectors, templates, django-tables2), and the query count; and it writes pyinstrument's profile of the
requests, reduced to the frames over 2 % of the time, to benchmarks/results/profile-<page>-<date>.txt.

Needs pyinstrument (`pip install .[bench]`). It deletes the departments it created (PROF…),
before and after, and nothing else.
"""

import argparse
import os
import statistics
import sys
import time
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fundmgr.settings")
os.environ.setdefault("SECRET_KEY", "benchmark-only-secret-key")
os.environ.setdefault("HTTPS", "0")  # the test Client speaks plain http

import django

django.setup()

from django.contrib.auth.models import User
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from django.db.backends.utils import CursorWrapper
from django.test import Client
from pyinstrument import Profiler

from benchmarks.cache import cached_pages
from benchmarks.dashboards import YEAR, ledger_delete, test_server_settings
from fundmgr.demo.synthetic import synthetic_ledger_create

PREFIX = "PROF"
RESULTS = ROOT / "benchmarks" / "results"


class SqlClock:
    """The time spent inside the database driver, summed over the queries of a request: running
    each statement (`connection.execute_wrapper`) and reading its rows (`fetching`). The second
    matters on SQLite, which computes a result's rows as they are fetched, not in execute: timing
    execute alone left half of SQLite's work on the Python side. psycopg reads the whole result
    in execute, so on PostgreSQL the fetches are the driver's copying of rows it holds."""

    FETCHES = frozenset({"fetchone", "fetchmany", "fetchall"})

    def __init__(self):
        self.seconds = 0.0
        self.queries = 0

    def __call__(self, execute, sql, params, many, context):
        start = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.seconds += time.perf_counter() - start
            self.queries += 1

    @contextmanager
    def fetching(self):
        """Time every fetch through Django's cursor wrapper while inside."""
        original = CursorWrapper.__getattr__
        clock = self

        def timed_getattr(wrapper, name):
            found = original(wrapper, name)
            if name not in clock.FETCHES:
                return found

            def timed(*args, **kwargs):
                start = time.perf_counter()
                try:
                    return found(*args, **kwargs)
                finally:
                    clock.seconds += time.perf_counter() - start

            return timed

        CursorWrapper.__getattr__ = timed_getattr
        try:
            yield
        finally:
            CursorWrapper.__getattr__ = original


def measure(client: Client, url: str, requests: int) -> tuple[list[float], list[float], int]:
    """Server time and SQL time (ms) of each uncached request, and the query count of the last;
    timed without the profiler, whose sampling would inflate them."""
    totals, sql = [], []
    queries = 0
    client.get(url)  # warm the process (imports, template loading), as a running server is
    for _ in range(requests):
        cache.clear()
        clock = SqlClock()
        with connection.execute_wrapper(clock), clock.fetching():
            start = time.perf_counter()
            response = client.get(url)
            elapsed = time.perf_counter() - start
        assert response.status_code == 200, (url, response.status_code)
        totals.append(elapsed * 1000)
        sql.append(clock.seconds * 1000)
        queries = clock.queries
    return totals, sql, queries


def profile(client: Client, url: str, requests: int) -> Profiler:
    """pyinstrument's samples of the same uncached requests, run apart from the timing."""
    profiler = Profiler(interval=0.0005)
    for _ in range(requests):
        cache.clear()
        profiler.start()
        client.get(url)
        profiler.stop()
    return profiler


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--expenditures", type=int, default=10_000)
    parser.add_argument("--requests", type=int, default=20)
    parser.add_argument("--keep", action="store_true")
    options = parser.parse_args()

    test_server_settings()
    call_command("migrate", verbosity=0)
    user, _ = User.objects.get_or_create(username="profile-superuser", defaults={"is_superuser": True, "is_staff": True})
    client = Client()
    client.force_login(user)
    pages = cached_pages(f"{PREFIX}001")
    ledger_delete(PREFIX)
    try:
        synthetic_ledger_create(
            departments=1, units_per_department=5, items_per_unit=10, expenditures=options.expenditures, year=YEAR, seed=11,
            prefix=PREFIX,
        )
        print(f"database: {connection.vendor}; {options.expenditures:,} expenditures; {options.requests} uncached requests a page")
        print(f"  {'page':<22} {'median':>9} {'SQL':>9} {'Python':>9} {'page÷SQL':>9} {'queries':>8}")
        RESULTS.mkdir(exist_ok=True)
        for name, url in pages:
            totals, sql, queries = measure(client, url, options.requests)
            profiler = profile(client, url, options.requests)
            median, median_sql = statistics.median(totals), statistics.median(sql)
            print(
                f"  {name:<22} {median:7.1f}ms {median_sql:7.1f}ms {median - median_sql:7.1f}ms "
                f"{median / median_sql if median_sql else 0:8.1f}× {queries:>8}"
            )
            slug = name.split("(")[-1].rstrip(")") if "(" in name else name.split()[0]  # department … evaluation
            path = RESULTS / f"profile-{slug}-{connection.vendor}-{datetime.now(UTC).date().isoformat()}.txt"
            summary = profiler.output_text(unicode=True, color=False, show_all=False, time="percent_of_total")
            header = (
                f"# {name} page, uncached, {options.expenditures:,} expenditures, {connection.vendor}, "
                f"{options.requests} requests: median {median:.1f} ms, SQL {median_sql:.1f} ms, {queries} queries\n"
                f"# {url}\n# benchmarks/profile_pages.py\n\n"
            )
            path.write_text(header + "\n".join(line for line in summary.splitlines() if _worth_keeping(line)) + "\n")
            print(f"    profile: {path.relative_to(ROOT)}")
    finally:
        if not options.keep:
            ledger_delete(PREFIX)


def _worth_keeping(line: str) -> bool:
    """A frame of 2 % of the time or more (pyinstrument prints each frame's share first)."""
    text = line.lstrip("│├└─ ")
    share = text.split("%", 1)[0]
    try:
        return float(share) >= 2.0
    except ValueError:
        return True  # headers and summary lines


if __name__ == "__main__":
    main()
