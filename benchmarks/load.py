"""Load test (issue 7), run on demand, never by `make test`; tests/fundmgr/test_load.py runs a short one.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/fundmgr_load .venv/bin/python benchmarks/load.py

It (re)creates its own department-year in the configured database: LOAD001 2024, a synthetic ledger
of five units (fundmgr.synthetic) plus a few shared items with small budgets in unit U01, and its own
users with a known password: readers (leaders of the department) and accountants of U01. It then
starts the server as `make serve` does (migrate, collectstatic, `gunicorn fundmgr.wsgi --workers 4`)
on 127.0.0.1 and a free port with DEBUG=0, or uses the server given by --url.

Every simulated user is a thread with its own cookie jar. It logs in through /accounts/login/ before
the clock starts; then, for --duration seconds, 80 % of the users read (the department dashboard, a
unit page and an item page of that unit, in turn) and 20 % are accountants who open the entry form,
ask for the item's available amount as the form does, and post an expenditure (random cents, a random
shared item, a date in an open month), following the redirect as a browser does. The shared items run
dry: a refusal that names the available amount is a correct answer. An error is a 5xx, a connection
failure, a timeout or any other unexpected answer.

Afterwards it checks the database: no item is overspent at any point (the availability rule's own
replay, DOMAIN.md section 2), and the ledger holds exactly the amounts the server accepted, no more
and no fewer. Exit status 1 when a check fails or any request failed.

Bounded: a deadline (--duration), a hard cap on requests (--max-requests) and a timeout per request;
it always stops by itself. Loopback only: --url must name 127.0.0.0/8, ::1 or localhost.

Only the standard library drives the HTTP load. The functions that touch the database import Django
inside their body: the caller (main(), or pytest-django) sets Django up first.
"""

import argparse
import http.client
import http.cookiejar
import ipaddress
import os
import random
import re
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter, defaultdict
from contextlib import nullcontext
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

DEPARTMENT_PREFIX = "LOAD"
DEPARTMENT_CODE = "LOAD001"  # the first department synthetic_ledger_create makes for the prefix
UNITS, ITEMS_PER_UNIT = 5, 10
SHARED_UNIT = "U01"
USER_PREFIX = "load-"
PASSWORD = "load-test-password-7"
ECONOMIC_CLASS = "30201"  # 办公费
READ_TARGET_MS = 300

REFUSAL = re.compile(r"可用指标 ([\d,]+\.\d\d) 元，本次支出 ([\d,]+\.\d\d) 元，超出 ([\d,]+\.\d\d) 元")
CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def cents(value: int) -> Decimal:
    return Decimal(value).scaleb(-2)


def shown(amount: Decimal) -> str:
    """An amount as the pages print it: 1,234.50."""
    return f"{amount:,.2f}"


def parse_shown(text: str) -> Decimal:
    return Decimal(text.replace(",", ""))


def require_loopback(url: str) -> str:
    """The load test talks to this machine only: refuse any other host."""
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"not an http(s) URL: {url}")
    if parts.hostname != "localhost":
        try:
            loopback = ipaddress.ip_address(parts.hostname).is_loopback
        except ValueError:
            loopback = False
        if not loopback:
            raise ValueError(f"the load test runs on loopback only (127.0.0.0/8, ::1, localhost), not {parts.hostname}")
    return url.rstrip("/")


# --- the dataset (Django) ------------------------------------------------------------------


@dataclass(frozen=True)
class Dataset:
    department_code: str
    year: int
    items_by_unit: dict[str, list[str]]  # item codes per unit code, for the readers
    shared_items: dict[int, str]  # pk -> code of the items the accountants drain
    item_budget: Decimal
    open_months: list[int]
    readers: list[str]
    accountants: list[str]
    password: str
    committed_before: Decimal  # the department's approved + pending spending before the run

    @property
    def base_path(self) -> str:
        return f"/d/{self.department_code}/{self.year}/"


def dataset_delete() -> None:
    """Remove the load department (every year of it), its history rows and the load users, with
    set-based SQL: a cascade through the ORM would load every expenditure and write history for each."""
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog
    from django.contrib.auth import get_user_model
    from django.db import connection, transaction

    from indicators.models import Indicator
    from projects.models import BudgetLine, Expenditure
    from units.models import MonthClose

    departments = "SELECT id FROM units_department WHERE code = %s"
    years = f"SELECT id FROM units_departmentyear WHERE department_id IN ({departments})"
    items = f"SELECT id FROM projects_budgetitem WHERE department_year_id IN ({years})"
    history = {model: model.history.model._meta.db_table for model in (Expenditure, BudgetLine, Indicator, MonthClose)}
    code = [DEPARTMENT_CODE]
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM projects_expenditure WHERE item_id IN ({items})", code)
        cursor.execute(f"DELETE FROM {history[Expenditure]} WHERE item_id IN ({items})", code)
        cursor.execute(f"DELETE FROM projects_budgetline WHERE item_id IN ({items})", code)
        cursor.execute(f"DELETE FROM {history[BudgetLine]} WHERE item_id IN ({items})", code)
        cursor.execute(f"DELETE FROM indicators_indicator WHERE department_year_id IN ({years})", code)
        cursor.execute(f"DELETE FROM {history[Indicator]} WHERE department_year_id IN ({years})", code)
        cursor.execute(f"DELETE FROM projects_budgetitem WHERE department_year_id IN ({years})", code)
        cursor.execute(f"DELETE FROM units_monthclose WHERE department_year_id IN ({years})", code)
        cursor.execute(f"DELETE FROM {history[MonthClose]} WHERE department_year_id IN ({years})", code)
        cursor.execute(f"DELETE FROM units_departmentyear WHERE department_id IN ({departments})", code)
        cursor.execute(f"DELETE FROM units_membership WHERE department_id IN ({departments})", code)
        cursor.execute(f"DELETE FROM units_budgetunit WHERE department_id IN ({departments})", code)
        cursor.execute("DELETE FROM units_department WHERE code = %s", code)
        get_user_model().objects.filter(username__startswith=USER_PREFIX).delete()
        for model in (AccessAttempt, AccessFailureLog, AccessLog):
            model.objects.filter(username__startswith=USER_PREFIX).delete()


def dataset_prepare(
    *,
    readers: int,
    accountants: int,
    shared_items: int,
    item_budget: Decimal,
    background: int,
    year: int = 2024,
    seed: int = 7,
) -> Dataset:
    """(Re)create the load department-year, its shared items and its users.

    The background ledger comes from the synthetic generator (valid by construction); each shared
    item gets one initial budget line through the ledger service and no spending, so whatever it
    holds after the run was accepted during the run.
    """
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import PBKDF2PasswordHasher
    from django.db import connection, transaction
    from django.db.models import Sum

    from fundmgr.synthetic import synthetic_ledger_create
    from projects.models import BudgetItem, BudgetLine, Expenditure
    from projects.services import COMMITTED, budget_line_create
    from units.models import BudgetUnit, DepartmentYear, Membership, MonthClose

    dataset_delete()
    with transaction.atomic():
        synthetic_ledger_create(
            departments=1,
            units_per_department=UNITS,
            items_per_unit=ITEMS_PER_UNIT,
            expenditures=background,
            year=year,
            seed=seed,
            prefix=DEPARTMENT_PREFIX,
        )
        department_year = DepartmentYear.objects.select_related("department").get(department__code=DEPARTMENT_CODE, year=year)
        department = department_year.department
        unit = BudgetUnit.objects.get(department=department, code=SHARED_UNIT)
        shared = {}
        for number in range(1, shared_items + 1):
            item = BudgetItem.objects.create(
                department_year=department_year,
                unit=unit,
                code=f"S{number:02d}",
                name=f"压力测试共享项目{number:02d}",
                category=BudgetItem.Category.PROJECT,
                position=100 + number,
            )
            budget_line_create(
                item=item,
                source=BudgetLine.Source.LOCAL,
                kind=BudgetLine.Kind.INITIAL,
                amount=item_budget,
                date=date(year, 1, 1),
                document="load test",
            )
            shared[item.pk] = item.code

        # The server checks passwords with its own hasher (PBKDF2); the test suite swaps the
        # in-process hasher for a fast one the server would not know. One hash serves every user.
        hasher = PBKDF2PasswordHasher()
        encoded = hasher.encode(PASSWORD, hasher.salt())
        reader_names = [f"{USER_PREFIX}reader-{number:03d}" for number in range(1, readers + 1)]
        accountant_names = [f"{USER_PREFIX}accountant-{number:03d}" for number in range(1, accountants + 1)]
        users = get_user_model().objects.bulk_create(
            [get_user_model()(username=name, password=encoded) for name in reader_names + accountant_names]
        )
        Membership.objects.bulk_create(
            [
                Membership(
                    user=user,
                    department=department,
                    role=Membership.Role.ACCOUNTANT if user.username in accountant_names else Membership.Role.LEADER,
                    unit=unit if user.username in accountant_names else None,
                )
                for user in users
            ]
        )
    if connection.vendor == "postgresql" and not connection.in_atomic_block:  # VACUUM cannot run in a transaction
        # What autovacuum does soon after a bulk load: planner statistics, and the visibility map that
        # lets the summaries' index-only scans skip the table (at 20,000 expenditures, the SQL of one
        # dashboard drops from about 45 ms to 12 ms).
        with connection.cursor() as cursor:
            cursor.execute(
                "VACUUM ANALYZE projects_expenditure, projects_budgetline, projects_budgetitem, fundmgr_monthlyspending"
            )
    items_by_unit = defaultdict(list)
    for unit_code, item_code in (
        BudgetItem.objects.filter(department_year=department_year).order_by("unit__code", "position").values_list("unit__code", "code")
    ):
        items_by_unit[unit_code].append(item_code)
    closed = set(MonthClose.objects.filter(department_year=department_year).values_list("month", flat=True))
    committed = Expenditure.objects.filter(item__department_year=department_year, status__in=COMMITTED).aggregate(
        total=Sum("amount", default=Decimal("0.00"))
    )["total"]
    return Dataset(
        department_code=DEPARTMENT_CODE,
        year=year,
        items_by_unit=dict(items_by_unit),
        shared_items=shared,
        item_budget=item_budget,
        open_months=[month for month in range(1, 13) if month not in closed],
        readers=reader_names,
        accountants=accountant_names,
        password=PASSWORD,
        committed_before=committed,
    )


# --- simulated users (standard library only) ----------------------------------------------


@dataclass
class Response:
    status: int
    location: str
    body: str
    seconds: float


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """A 302 comes back to the caller, which must see it to know a post was accepted."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


class Browser:
    """One simulated user: its own cookie jar (session, CSRF, messages), no proxy, no automatic redirects."""

    def __init__(self, base_url: str, *, timeout: float):
        self.base_url = require_loopback(base_url)
        self.timeout = timeout
        self.opener = urllib.request.build_opener(
            urllib.request.ProxyHandler({}),  # never through an http_proxy from the environment
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()),
            _NoRedirect(),
        )

    def request(self, path: str, fields: dict | None = None) -> Response:
        """GET `path`, or POST `fields` to it. Transport failures (OSError, HTTPException) propagate."""
        data = urllib.parse.urlencode(fields).encode() if fields is not None else None
        started = time.perf_counter()
        try:
            with self.opener.open(urllib.request.Request(self.base_url + path, data=data), timeout=self.timeout) as answer:
                status, headers, body = answer.status, answer.headers, answer.read()
        except urllib.error.HTTPError as answer:
            with answer:
                status, headers, body = answer.code, answer.headers, answer.read()
        seconds = time.perf_counter() - started
        location = urllib.parse.urlsplit(urllib.parse.urljoin(self.base_url + path, headers.get("Location", ""))).path
        return Response(status, location if headers.get("Location") else "", body.decode("utf-8", "replace"), seconds)

    def login(self, username: str, password: str) -> None:
        form = self.request("/accounts/login/")
        token = CSRF_FIELD.search(form.body)
        if form.status != 200 or token is None:
            raise RuntimeError(f"login form: HTTP {form.status}")
        answer = self.request(
            "/accounts/login/", {"username": username, "password": password, "csrfmiddlewaretoken": token.group(1)}
        )
        if answer.status != 302:
            raise RuntimeError(f"login of {username} refused: HTTP {answer.status}")


class _Stop(Exception):
    """The deadline passed or the request cap was reached."""


@dataclass
class Outcome:
    """What the simulated users saw."""

    users: int
    readers: int
    accountants: int
    duration: float
    think: float
    issued: int = 0
    capped: bool = False
    elapsed: float = 0.0
    client_cpu: float = 0.0  # CPU seconds this process (the simulated users) used during the run
    login_seconds: float = 0.0
    samples: list = field(default_factory=list)  # (kind, page, seconds) of every answered request
    errors: list = field(default_factory=list)  # (page, description)
    accepted: dict = field(default_factory=lambda: defaultdict(list))  # item pk -> [Decimal]
    refused: Counter = field(default_factory=Counter)  # item pk -> refusals
    dry_after: dict = field(default_factory=dict)  # item pk -> seconds into the run of its first refusal
    stuck: int = 0  # users still busy when the hard stop came

    def latencies(self, *, kind: str | None = None, page: str | None = None) -> list[float]:
        return sorted(seconds for k, p, seconds in self.samples if (kind is None or k == kind) and (page is None or p == page))

    @property
    def accepted_total(self) -> Decimal:
        return sum((sum(amounts, Decimal("0.00")) for amounts in self.accepted.values()), Decimal("0.00"))

    @property
    def accepted_count(self) -> int:
        return sum(len(amounts) for amounts in self.accepted.values())

    @property
    def refused_count(self) -> int:
        return sum(self.refused.values())

    @property
    def throughput(self) -> float:
        return self.issued / self.elapsed if self.elapsed else 0.0


def percentile(ordered: list[float], percent: int) -> float:
    """Nearest-rank percentile of an already sorted list."""
    if not ordered:
        return 0.0
    return ordered[max(0, -(-len(ordered) * percent // 100) - 1)]


class LoadRun:
    """N simulated users against one server, for a bounded time and number of requests."""

    def __init__(
        self,
        base_url: str,
        dataset: Dataset,
        *,
        users: int = 50,
        duration: float = 60.0,
        think: float = 1.0,
        max_requests: int = 100_000,
        timeout: float = 30.0,
        min_amount: Decimal = Decimal("100.00"),
        max_amount: Decimal = Decimal("5000.00"),
        seed: int = 7,
        login_timeout: float = 180.0,
    ):
        self.base_url = require_loopback(base_url)
        self.dataset = dataset
        self.accountants = min(len(dataset.accountants), max(1, users // 5))
        self.readers = min(len(dataset.readers), users - self.accountants)
        self.timeout = timeout
        self.max_requests = max_requests
        self.min_cents = int(min_amount * 100)
        self.max_cents = int(max_amount * 100)
        self.seed = seed
        self.login_timeout = login_timeout
        self.outcome = Outcome(
            users=self.readers + self.accountants, readers=self.readers, accountants=self.accountants, duration=duration, think=think
        )
        self.lock = threading.Lock()
        self.started = 0.0
        self.deadline = float("inf")
        self.halt = threading.Event()

    # --- bookkeeping, under the lock ---

    def _claim(self) -> None:
        if self.halt.is_set() or time.perf_counter() >= self.deadline:
            raise _Stop
        with self.lock:
            if self.outcome.issued >= self.max_requests:
                self.outcome.capped = True
                raise _Stop
            self.outcome.issued += 1

    def _error(self, page: str, description: str) -> None:
        with self.lock:
            self.outcome.errors.append((page, description))

    def _request(self, browser: Browser, kind: str, page: str, path: str, fields: dict | None = None) -> Response | None:
        """One counted request: None (and an error) when the transport failed or the server answered 5xx."""
        self._claim()
        try:
            response = browser.request(path, fields)
        except (OSError, http.client.HTTPException) as failure:
            self._error(page, f"{type(failure).__name__}: {failure}")
            return None
        with self.lock:
            self.outcome.samples.append((kind, page, response.seconds))
        if response.status >= 500:
            self._error(page, f"HTTP {response.status}")
            return None
        return response

    def _pause(self, rng: random.Random) -> None:
        self._wait(self.outcome.think * rng.uniform(0.5, 1.5))

    def _wait(self, seconds: float) -> None:
        """Wait, but never past the deadline."""
        wait = min(seconds, self.deadline - time.perf_counter())
        if wait > 0:
            self.halt.wait(wait)

    # --- the two kinds of user ---

    def _page(self, browser: Browser, page: str, path: str) -> Response | None:
        response = self._request(browser, "read", page, path)
        if response is not None and (response.status != 200 or "</html>" not in response.body):
            self._error(page, f"HTTP {response.status} for {path}")
            return None
        return response

    def _reader(self, browser: Browser, rng: random.Random) -> None:
        base = self.dataset.base_path
        units = sorted(self.dataset.items_by_unit)
        while True:
            unit = rng.choice(units)
            item = rng.choice(self.dataset.items_by_unit[unit])
            for page, path in (("dashboard", base), ("unit", f"{base}units/{unit}/"), ("item", f"{base}items/{item}/")):
                self._page(browser, page, path)
                self._pause(rng)

    def _accountant(self, browser: Browser, rng: random.Random) -> None:
        base = self.dataset.base_path
        items = sorted(self.dataset.shared_items)
        while True:
            form = self._page(browser, "entry form", f"{base}expenditures/new/")
            token = CSRF_FIELD.search(form.body) if form is not None else None
            if token is None:
                if form is not None:
                    self._error("entry form", "no CSRF token on the entry form")
                self._pause(rng)
                continue
            item = rng.choice(items)
            on = date(self.dataset.year, rng.choice(self.dataset.open_months), rng.randint(1, 28))
            amount = cents(rng.randint(self.min_cents, self.max_cents))
            available = self._request(browser, "read", "available", f"{base}available/?item={item}&date={on.isoformat()}")
            if available is not None and available.status != 200:
                self._error("available", f"HTTP {available.status}")
            self._pause(rng)
            fields = {
                "csrfmiddlewaretoken": token.group(1),
                "item": item,
                "date": on.isoformat(),
                "amount": f"{amount}",
                "economic_class": ECONOMIC_CLASS,
                "memo": "压力测试",
                "voucher": "",
                "procurement_method": "",
            }
            answer = self._request(browser, "write", "post expenditure", f"{base}expenditures/new/", fields)
            if answer is not None:
                self._judge(browser, answer, item=item, amount=amount)
            self._pause(rng)

    def _judge(self, browser: Browser, answer: Response, *, item: int, amount: Decimal) -> None:
        """Accepted (a redirect to the list, which then shows the saved amount), refused (the form
        again, naming what was available), or an error."""
        refusal = REFUSAL.search(answer.body) if answer.status == 200 else None
        if answer.status == 302 and answer.location == f"{self.dataset.base_path}expenditures/":
            with self.lock:
                self.outcome.accepted[item].append(amount)
            listing = self._page(browser, "expenditure list", answer.location)
            if listing is not None and f"支出 {shown(amount)} 元已保存" not in listing.body:
                self._error("expenditure list", f"no confirmation of {shown(amount)} after an accepted post")
        elif refusal is not None and parse_shown(refusal.group(2)) == amount and parse_shown(refusal.group(1)) < amount:
            with self.lock:
                self.outcome.refused[item] += 1
                self.outcome.dry_after.setdefault(item, time.perf_counter() - self.started)
        else:
            self._error("post expenditure", f"unexpected answer HTTP {answer.status} to posting {amount} on item {item}")

    def _user(self, number: int, role: str, username: str, barrier: threading.Barrier) -> None:
        rng = random.Random(self.seed * 1000 + number)
        browser = Browser(self.base_url, timeout=self.timeout)
        logged_in = True
        try:
            browser.login(username, self.dataset.password)
        except Exception as failure:  # whatever it is, the user must still reach the barrier
            self._error("login", f"{username}: {type(failure).__name__}: {failure}")
            logged_in = False
        try:
            barrier.wait(timeout=self.login_timeout)
        except threading.BrokenBarrierError:
            return
        if not logged_in:
            return
        try:
            # Users arrive spread over two think times, not as one burst of 50 identical first requests.
            self._wait(rng.uniform(0, 2 * self.outcome.think))
            (self._reader if role == "reader" else self._accountant)(browser, rng)
        except _Stop:
            pass
        except Exception as failure:  # a user that dies quietly would make the load lighter unnoticed
            self._error("user", f"{username}: {type(failure).__name__}: {failure}")

    def _start_clock(self) -> None:
        self.cpu_started = time.process_time()
        self.started = time.perf_counter()
        self.outcome.login_seconds = self.started - self.login_started
        self.deadline = self.started + self.outcome.duration

    def run(self) -> Outcome:
        users = [("accountant", name) for name in self.dataset.accountants[: self.accountants]]
        users += [("reader", name) for name in self.dataset.readers[: self.readers]]
        barrier = threading.Barrier(len(users), action=self._start_clock)
        threads = [
            threading.Thread(target=self._user, args=(number, role, name, barrier), daemon=True, name=name)
            for number, (role, name) in enumerate(users)
        ]
        self.login_started = time.perf_counter()
        for thread in threads:
            thread.start()
        hard_stop = self.login_started + self.login_timeout + self.outcome.duration + self.timeout + 10
        try:
            for thread in threads:
                thread.join(timeout=max(0.0, hard_stop - time.perf_counter()))
        finally:
            self.halt.set()
        self.outcome.stuck = sum(thread.is_alive() for thread in threads)
        if self.outcome.stuck:
            self._error("run", f"{self.outcome.stuck} users still busy at the hard stop")
        if self.started:
            self.outcome.elapsed = min(time.perf_counter(), self.deadline + self.timeout) - self.started
            self.outcome.client_cpu = time.process_time() - self.cpu_started
        return self.outcome


# --- checks afterwards (Django) ------------------------------------------------------------


@dataclass(frozen=True)
class Check:
    name: str
    passed: bool
    detail: str


@dataclass(frozen=True)
class ItemState:
    code: str
    budget: Decimal
    committed: Decimal

    @property
    def left(self) -> Decimal:
        return self.budget - self.committed


def item_states(dataset: Dataset) -> dict[int, ItemState]:
    """Full-year budget and committed spending (approved + pending) of each shared item."""
    from projects.models import BudgetItem
    from projects.services import item_movements

    states = {}
    for item in BudgetItem.objects.filter(pk__in=dataset.shared_items):
        movements = item_movements(item)
        states[item.pk] = ItemState(
            code=item.code,
            budget=sum((movement.budget for movement in movements), Decimal("0.00")),
            committed=sum((movement.spending for movement in movements), Decimal("0.00")),
        )
    return states


def ledger_checks(dataset: Dataset, outcome: Outcome) -> list[Check]:
    """No overspent item at any point; the ledger holds exactly what the server accepted."""
    from django.db.models import Sum

    from fundmgr.rollups import rollup_differences
    from projects.availability import replay
    from projects.models import BudgetItem, Expenditure
    from projects.services import COMMITTED, item_movements

    items = list(BudgetItem.objects.filter(department_year__department__code=dataset.department_code, department_year__year=dataset.year))
    # replay() enters the item's ledger in date order and lists every point where spending would
    # exceed the budget available then: none, for an item that was never overspent.
    overspent = [item.code for item in items if replay(item_movements(item))]
    checks = [
        Check(
            "no item is overspent at any point",
            not overspent,
            f"{len(items)} items checked" + (f"; overspent: {', '.join(overspent)}" if overspent else ""),
        )
    ]

    held = defaultdict(list)
    for item_id, amount in Expenditure.objects.filter(item_id__in=dataset.shared_items).values_list("item_id", "amount"):
        held[item_id].append(amount)
    differing = [
        dataset.shared_items[item] for item in dataset.shared_items if sorted(held[item]) != sorted(outcome.accepted.get(item, []))
    ]
    held_total = sum((sum(amounts, Decimal("0.00")) for amounts in held.values()), Decimal("0.00"))
    checks.append(
        Check(
            "the ledger holds exactly the accepted amounts (no lost or extra write)",
            not differing,
            f"{sum(map(len, held.values()))} expenditures, {shown(held_total)} in the ledger; "
            f"{outcome.accepted_count} accepted, {shown(outcome.accepted_total)}"
            + (f"; differing items: {', '.join(differing)}" if differing else ""),
        )
    )

    committed_after = Expenditure.objects.filter(
        item__department_year__department__code=dataset.department_code, item__department_year__year=dataset.year, status__in=COMMITTED
    ).aggregate(total=Sum("amount", default=Decimal("0.00")))["total"]
    checks.append(
        Check(
            "department ledger sum = sum before + accepted",
            committed_after == dataset.committed_before + outcome.accepted_total,
            f"{shown(committed_after)} = {shown(dataset.committed_before)} + {shown(outcome.accepted_total)}",
        )
    )
    differences = rollup_differences(limit=5)
    checks.append(Check("the monthly rollup equals the raw sums", not differences, f"{len(differences)} differing keys shown"))
    return checks


# --- the server ----------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Server:
    """gunicorn with the options of `make serve` (keep them in step with the Makefile), run from the
    project root so a gunicorn.conf.py there would apply too, on 127.0.0.1 and a free port.

    It runs in its own process group, which stop() ends: on leaving the `with` block, on Ctrl-C too.
    """

    def __init__(
        self, *, env: dict, workers: int = 4, threads: int = 8, extra_args: list[str] | None = None, startup_timeout: float = 60.0
    ):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.argv = [
            sys.executable, "-m", "gunicorn", "fundmgr.wsgi", "--bind", f"127.0.0.1:{self.port}",
            "--workers", str(workers), "--worker-class", "gthread", "--threads", str(threads),
            "--timeout", "120", "--graceful-timeout", "30", "--max-requests", "5000", "--max-requests-jitter", "500",
            "--no-control-socket", *(extra_args or []),
        ]  # fmt: skip
        self.env = env
        self.startup_timeout = startup_timeout
        self.process = None
        self.log = tempfile.TemporaryFile(mode="w+")

    def __enter__(self) -> str:
        self.start()
        try:
            self.wait_ready()
        except BaseException:
            self.stop()
            raise
        return self.url

    def __exit__(self, *exc_info) -> None:
        self.stop()

    def start(self) -> None:
        """Start booting; the workers import Django meanwhile, so the caller may do other work."""
        self.process = subprocess.Popen(
            self.argv, cwd=ROOT, env=self.env, stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True
        )

    def wait_ready(self) -> None:
        give_up = time.monotonic() + self.startup_timeout
        while time.monotonic() < give_up:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited with status {self.process.returncode}:\n{self.log_tail()}")
            connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
            try:
                connection.request("GET", "/accounts/login/")
                if connection.getresponse().status == 200:
                    return
            except OSError:
                pass
            finally:
                connection.close()
            time.sleep(0.2)
        raise RuntimeError(f"gunicorn did not answer within {self.startup_timeout:.0f} s:\n{self.log_tail()}")

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()

    def log_tail(self, lines: int = 30) -> str:
        self.log.seek(0)
        return "".join(self.log.readlines()[-lines:])


def server_environment(*, secret_key: str, database_url: str | None = None) -> dict:
    """The server's environment: this one's (its DATABASE_URL unless another is given), in production mode."""
    env = dict(os.environ, SECRET_KEY=secret_key, DEBUG="0", ALLOWED_HOSTS="127.0.0.1,localhost")
    env["HTTPS"] = "0"  # plain http on loopback: no redirect to https, no Secure-only cookies
    if database_url is not None:
        env["DATABASE_URL"] = database_url
    return env


# --- the report ----------------------------------------------------------------------------


def report(outcome: Outcome, *, states: dict[int, ItemState], dataset: Dataset, checks: list[Check], target: str) -> str:
    reads, writes = outcome.latencies(kind="read"), outcome.latencies(kind="write")
    lines = [
        f"load test: {outcome.users} users ({outcome.readers} readers, {outcome.accountants} accountants) "
        f"for {outcome.duration:.0f} s against {target}, think time {outcome.think:.2f} s (±50 %)",
        f"logins: {outcome.users} in {outcome.login_seconds:.1f} s (before the clock starts)",
        f"requests: {outcome.issued:,} in {outcome.elapsed:.1f} s = {outcome.throughput:.1f} req/s"
        + (" (stopped by the request cap)" if outcome.capped else ""),
        f"  reads {len(reads):,}; writes {len(writes):,}: {outcome.accepted_count:,} accepted "
        f"({shown(outcome.accepted_total)} yuan), {outcome.refused_count:,} refused (item ran dry)",
        f"  errors {len(outcome.errors)}",
        f"  the simulated users' own CPU: {outcome.client_cpu:.1f} s ({outcome.client_cpu / outcome.elapsed if outcome.elapsed else 0:.0%} of one core)",
    ]
    for (page, description), count in Counter(outcome.errors).most_common(10):
        lines.append(f"    {count} × {page}: {description}")
    lines.append(f"latency (ms)            {'count':>6} {'p50':>8} {'p95':>8} {'max':>8}")
    rows = [("reads", reads), ("writes", writes)]
    rows += [(f"  {page}", outcome.latencies(page=page)) for page in sorted({page for _, page, _ in outcome.samples})]
    for name, ordered in rows:
        if ordered:
            lines.append(
                f"  {name:<22}{len(ordered):>6} {percentile(ordered, 50) * 1000:>8.1f} "
                f"{percentile(ordered, 95) * 1000:>8.1f} {ordered[-1] * 1000:>8.1f}"
            )
    lines.append(f"shared items (budget {shown(dataset.item_budget)} each)   committed          left  accepted  refused  dry after")
    for pk, state in sorted(states.items(), key=lambda pair: pair[1].code):
        dry = f"{outcome.dry_after[pk]:.1f} s" if pk in outcome.dry_after else "-"
        lines.append(
            f"  {state.code:<36}{shown(state.committed):>12}  {shown(state.left):>12}  "
            f"{len(outcome.accepted.get(pk, [])):>8}  {outcome.refused[pk]:>7}  {dry:>9}"
        )
    lines.append("checks:")
    lines += [f"  {'PASS' if check.passed else 'FAIL'} {check.name}: {check.detail}" for check in checks]
    p95_reads = percentile(reads, 95) * 1000
    lines.append(f"target: 0 errors, 0 overspent items, p95 of reads ≤ {READ_TARGET_MS} ms: p95 of reads {p95_reads:.1f} ms "
                 + ("(met)" if p95_reads <= READ_TARGET_MS else "(missed)"))  # fmt: skip
    return "\n".join(lines)


def passed(outcome: Outcome, checks: list[Check]) -> bool:
    return not outcome.errors and all(check.passed for check in checks)


# --- the script ----------------------------------------------------------------------------


def arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--users", type=int, default=50, help="simulated users, 20 %% of them accountants (default 50)")
    parser.add_argument("--duration", type=float, default=60.0, help="seconds of load after the logins (default 60)")
    parser.add_argument("--think", type=float, default=1.0, help="mean pause in seconds between a user's requests (default 1.0)")
    parser.add_argument("--max-requests", type=int, default=100_000, help="hard cap on requests (default 100,000)")
    parser.add_argument("--timeout", type=float, default=30.0, help="seconds before a request counts as failed (default 30)")
    parser.add_argument("--workers", type=int, default=int(os.environ.get("WORKERS", 4)), help="gunicorn workers (default $WORKERS or 4)")
    parser.add_argument("--threads", type=int, default=int(os.environ.get("THREADS", 8)), help="threads per worker (default $THREADS or 8)")
    parser.add_argument("--gunicorn-args", default="", help="more gunicorn options, appended (the last of a repeated option wins)")
    parser.add_argument("--url", help="use this running server (loopback only) instead of starting one on the same database")
    parser.add_argument("--shared-items", type=int, default=6, help="items the accountants share (default 6)")
    parser.add_argument("--item-budget", type=Decimal, default=Decimal("20000.00"), help="budget of each shared item (default 20000.00)")
    parser.add_argument("--min-amount", type=Decimal, default=Decimal("100.00"), help="smallest posted amount (default 100.00)")
    parser.add_argument("--max-amount", type=Decimal, default=Decimal("5000.00"), help="largest posted amount (default 5000.00)")
    parser.add_argument("--background", type=int, default=20_000, help="expenditures of the synthetic ledger (default 20,000)")
    parser.add_argument("--year", type=int, default=2024)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--keep", action="store_true", help="leave the load department and users in the database")
    args = parser.parse_args(argv)
    if args.url:
        try:
            args.url = require_loopback(args.url)
        except ValueError as refusal:
            parser.error(str(refusal))
    if args.users < 1 or args.duration <= 0 or args.max_requests < 1 or args.think < 0:
        parser.error("--users, --duration and --max-requests must be positive, --think not negative")
    return args


def _interrupt(signum, frame):
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> int:
    args = arguments(argv)
    # Ctrl-C and `kill` both unwind through the `with Server` block, which stops gunicorn. SIGINT is
    # set explicitly: a shell starts background jobs with it ignored.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, _interrupt)
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fundmgr.settings")
    os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(50))
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    if args.max_amount >= settings.APPROVAL_THRESHOLD:
        args.max_amount = settings.APPROVAL_THRESHOLD - Decimal("0.01")  # stay under 三重一大: every accepted post is spent at once
    database = f"{connection.vendor} {connection.settings_dict['NAME']}"
    if connection.vendor != "postgresql":
        print(f"warning: {database}: the load test's figures are meant for PostgreSQL (set DATABASE_URL)")
    if not args.url:
        call_command("migrate", interactive=False, verbosity=0)
        call_command("collectstatic", interactive=False, verbosity=0)
    accountants = max(1, args.users // 5)
    started = time.perf_counter()
    dataset = dataset_prepare(
        readers=args.users - accountants,
        accountants=accountants,
        shared_items=args.shared_items,
        item_budget=args.item_budget,
        background=args.background,
        year=args.year,
        seed=args.seed,
    )
    print(f"database {database}: {DEPARTMENT_CODE} {args.year} prepared in {time.perf_counter() - started:.1f} s "
          f"({args.background:,} background expenditures, {args.shared_items} shared items)")  # fmt: skip
    server = None if args.url else Server(
        env=server_environment(secret_key=os.environ["SECRET_KEY"]),
        workers=args.workers,
        threads=args.threads,
        extra_args=args.gunicorn_args.split(),
    )  # fmt: skip
    target = args.url or f"gunicorn --workers {args.workers} --worker-class gthread --threads {args.threads} {args.gunicorn_args}".strip()
    try:
        with server if server is not None else nullcontext(args.url) as base_url:
            run = LoadRun(
                base_url,
                dataset,
                users=args.users,
                duration=args.duration,
                think=args.think,
                max_requests=args.max_requests,
                timeout=args.timeout,
                min_amount=args.min_amount,
                max_amount=args.max_amount,
                seed=args.seed,
            )
            outcome = run.run()
            if server is not None and outcome.errors:
                print(f"server log (last lines):\n{server.log_tail()}")
    except KeyboardInterrupt:
        print("interrupted: server stopped")
        return 130
    checks = ledger_checks(dataset, outcome)
    print(report(outcome, states=item_states(dataset), dataset=dataset, checks=checks, target=f"{target} at {base_url}"))
    if not args.keep:
        dataset_delete()
    return 0 if passed(outcome, checks) else 1


if __name__ == "__main__":
    sys.exit(main())
