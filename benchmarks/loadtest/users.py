"""The simulated users, standard library only: each a thread with its own browser, 80 % readers going
from the department dashboard to a unit to an item, 20 % accountants posting expenditures to the
shared items until they run dry. A run is bounded by a deadline and a cap on requests."""

import http.client
import random
import threading
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from benchmarks.loadtest.browser import CSRF_FIELD, REFUSAL, Browser, Response, cents, parse_shown, require_loopback, shown
from benchmarks.loadtest.dataset import ECONOMIC_CLASS, Dataset


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
