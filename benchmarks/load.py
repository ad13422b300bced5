"""Load test, run on demand, never by `make test`; tests/fundmgr/test_load.py runs a short one.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/fundmgr_load .venv/bin/python benchmarks/load.py
    … benchmarks/load.py --users 50,100,200   # three runs on one server, then their figures side by side

It (re)creates its own department-year in the configured database: LOAD001 2024, a synthetic ledger
of five units (fundmgr.demo.synthetic) plus a few shared items with small budgets in unit U01, and its own
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

This script sets Django up (unless pytest-django already has) and only then imports its parts from
benchmarks/loadtest/: dataset.py and checks.py (the models), users.py and browser.py (the simulated
users, standard library only), server.py (gunicorn) and report.py. The names it imports are the
load test's public face, which tests/fundmgr/test_load.py uses.
"""

import argparse
import os
import secrets
import signal
import sys
import time
from contextlib import nullcontext
from decimal import Decimal
from pathlib import Path

import django
from django.apps import apps

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # run as `python benchmarks/load.py`, the project root is not on the path
if not apps.ready:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fundmgr.settings")
    os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(50))
    django.setup()

from django.conf import settings
from django.core.management import call_command
from django.db import connection

from benchmarks.loadtest.browser import REFUSAL, require_loopback, shown
from benchmarks.loadtest.checks import Check, ItemState, item_states, ledger_checks
from benchmarks.loadtest.dataset import DEPARTMENT_CODE, ECONOMIC_CLASS, Dataset, dataset_delete, dataset_prepare
from benchmarks.loadtest.report import passed, report, side_by_side
from benchmarks.loadtest.server import Server, server_environment
from benchmarks.loadtest.users import LoadRun, Outcome

__all__ = [
    "ECONOMIC_CLASS", "REFUSAL", "Check", "Dataset", "ItemState", "LoadRun", "Outcome", "Server",
    "dataset_delete", "dataset_prepare", "item_states", "ledger_checks", "main", "report", "require_loopback",
    "server_environment", "shown", "side_by_side",
]  # fmt: skip


def arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument(
        "--users", type=_counts, default=[50],
        help="simulated users, 20 %% of them accountants (default 50); a list such as 50,100,200 runs one after another "
        "against the same server and ends with their figures side by side",
    )  # fmt: skip
    parser.add_argument("--duration", type=float, default=60.0, help="seconds of load after the logins (default 60)")
    parser.add_argument("--think", type=float, default=1.0, help="mean pause in seconds between a user's requests (default 1.0)")
    parser.add_argument("--max-requests", type=int, default=100_000, help="hard cap on requests (default 100,000)")
    parser.add_argument("--timeout", type=float, default=30.0, help="seconds before a request counts as failed (default 30)")
    parser.add_argument("--workers", type=int, default=int(os.environ.get("WORKERS", "4")), help="gunicorn workers (default $WORKERS or 4)")
    parser.add_argument("--threads", type=int, default=int(os.environ.get("THREADS", "8")), help="threads per worker (default $THREADS or 8)")
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
    if min(args.users) < 1 or args.duration <= 0 or args.max_requests < 1 or args.think < 0:
        parser.error("--users, --duration and --max-requests must be positive, --think not negative")
    return args


def _counts(text: str) -> list[int]:
    try:
        counts = [int(part) for part in text.split(",")]
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r}: a number of users, or numbers separated by commas") from None
    return counts


def _interrupt(signum, frame):
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> int:
    args = arguments(argv)
    # Ctrl-C and `kill` both unwind through the `with Server` block, which stops gunicorn. SIGINT is
    # set explicitly: a shell starts background jobs with it ignored.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, _interrupt)
    if args.max_amount >= settings.APPROVAL_THRESHOLD:
        args.max_amount = settings.APPROVAL_THRESHOLD - Decimal("0.01")  # stay under 三重一大: every accepted post is spent at once
    database = f"{connection.vendor} {connection.settings_dict['NAME']}"
    if connection.vendor != "postgresql":
        print(f"warning: {database}: the load test's figures are meant for PostgreSQL (set DATABASE_URL)")
    if not args.url:
        call_command("migrate", interactive=False, verbosity=0)
        call_command("collectstatic", interactive=False, verbosity=0)
    server = None if args.url else Server(
        env=server_environment(secret_key=settings.SECRET_KEY),
        workers=args.workers,
        threads=args.threads,
        extra_args=args.gunicorn_args.split(),
    )  # fmt: skip
    runs = []
    try:
        with server if server is not None else nullcontext(args.url) as base_url:
            for users in args.users:
                outcome, checks = one_run(args, users, base_url, server)
                runs.append((outcome, checks))
    except KeyboardInterrupt:
        print("interrupted: server stopped")
        return 130
    if len(runs) > 1:
        print(side_by_side(runs))
    return 0 if all(passed(outcome, checks) for outcome, checks in runs) else 1


def one_run(args: argparse.Namespace, users: int, base_url: str, server: Server | None) -> tuple[Outcome, list[Check]]:
    """One load run of `users` on a freshly prepared department-year; its report printed."""
    accountants = max(1, users // 5)
    started = time.perf_counter()
    dataset = dataset_prepare(
        readers=users - accountants,
        accountants=accountants,
        shared_items=args.shared_items,
        item_budget=args.item_budget,
        background=args.background,
        year=args.year,
        seed=args.seed,
    )
    print(f"database {connection.vendor} {connection.settings_dict['NAME']}: {DEPARTMENT_CODE} {args.year} prepared in "
          f"{time.perf_counter() - started:.1f} s ({args.background:,} background expenditures, {args.shared_items} shared items)")  # fmt: skip
    run = LoadRun(
        base_url,
        dataset,
        users=users,
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
    checks = ledger_checks(dataset, outcome)
    target = f"gunicorn --workers {args.workers} --worker-class gthread --threads {args.threads} {args.gunicorn_args}".strip()
    print(report(outcome, states=item_states(dataset), dataset=dataset, checks=checks, target=f"{target if server else 'the server'} at {base_url}"))
    print()
    if not args.keep:
        dataset_delete()
    return outcome, checks


if __name__ == "__main__":
    sys.exit(main())
