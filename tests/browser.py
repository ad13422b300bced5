"""Debian's chromium driven by Playwright, for the browser tests (tests/*/test_*browser*.py).

Playwright's own browser download cannot work here, so the tests launch /usr/bin/chromium and
are skipped, with the reason, on a machine without it (`make test` installs it as root).
"""

import os
from contextlib import contextmanager
from pathlib import Path

import pytest

# Playwright runs an event loop in the test's thread; Django's ORM refuses to be called from a
# thread with a running loop unless told that the synchronous calls here are deliberate.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]

needs_chromium = pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian's chromium is not installed")


@contextmanager
def launched_chromium():
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()
            # While Playwright's loop runs, Django's connection handler hands the test a separate
            # connection (asgiref Local is per context): close it here, or PostgreSQL refuses to
            # drop the test database at the end of the session.
            from django.db import connections

            connections.close_all()
