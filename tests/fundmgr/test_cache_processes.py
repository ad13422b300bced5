"""Two gunicorn processes, one database and one Redis: after a write through either process's
entry form, both serve the new figures (README "Production deployment": N app servers share the
database and the cache, never a per-process copy).

The database is the configured one's kind: a fresh SQLite file by default, and when the suite runs
on PostgreSQL (.ci/run's second pass) a fresh database of its own on that same server, dropped at the
end. Not pytest-django's test database: the processes need the demo committed, and the other tests
of that database expect it empty between them."""

import html
import http.cookiejar
import json
import re
import secrets
import subprocess
import sys
import urllib.parse
import urllib.request
import uuid
from decimal import Decimal
from pathlib import Path

import psycopg
import pytest
import redis
from django.db import connection

from benchmarks.loadtest.server import Server, server_environment
from tests.fundmgr.test_page_cache import REDIS_ANSWERS, REDIS_URL

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "cache-test-" + secrets.token_hex(8)

pytestmark = pytest.mark.skipif(not REDIS_ANSWERS, reason=f"Redis does not answer at {REDIS_URL}")


@pytest.fixture(scope="module")
def shared_database(tmp_path_factory):
    """The URL of a fresh, empty database for the app processes: a SQLite file, or a PostgreSQL
    database on the configured server when the suite runs on PostgreSQL."""
    if connection.vendor != "postgresql":
        yield f"sqlite:///{tmp_path_factory.mktemp('shared') / 'fundmgr.sqlite3'}"
        return
    config = connection.settings_dict
    name = f"{config['NAME']}_procs_{uuid.uuid4().hex[:8]}"[-63:]
    server = {
        "host": config["HOST"] or "",
        "port": config["PORT"] or "",
        "user": config["USER"] or "",
        "password": config["PASSWORD"] or "",
    }
    with psycopg.connect(dbname="postgres", autocommit=True, **server) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    credentials = urllib.parse.quote(server["user"]) + (
        ":" + urllib.parse.quote(server["password"]) if server["password"] else ""
    )
    yield f"postgres://{credentials}@{server['host']}:{server['port'] or 5432}/{name}"
    with psycopg.connect(dbname="postgres", autocommit=True, **server) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="module")
def deployment(shared_database, tmp_path_factory):
    """The demo in a fresh database, and the environment of the app processes sharing it and Redis."""
    database_url = shared_database
    environment = server_environment(secret_key=secrets.token_urlsafe(50), database_url=database_url)
    environment |= {
        "FILES_DIR": str(tmp_path_factory.mktemp("files")),  # the demo's 佐证材料, not the checkout's var/
        "CACHE_URL": REDIS_URL,
        "CACHE_KEY_PREFIX": f"test-{uuid.uuid4().hex}",
        "DEMO_PASSWORD": PASSWORD,
        "LOG_LEVEL": "WARNING",
    }
    environment.pop("REDIS_URL", None)
    for command in (["migrate", "-v0"], ["load_demo"]):
        result = subprocess.run(
            [sys.executable, "manage.py", *command],
            cwd=ROOT,
            env=environment,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        assert result.returncode == 0, result.stderr
    script = (
        "import json; from projects.models import BudgetItem; "
        "item = BudgetItem.objects.filter(department_year__department__code='XJWF', department_year__year=2024, "
        "procurement_required=False).order_by('code').first(); print(json.dumps([item.pk, item.code, item.unit.code]))"
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", script],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    item_pk, item_code, unit_code = json.loads(result.stdout.strip().splitlines()[-1])
    yield {"environment": environment, "item_pk": item_pk, "item_code": item_code, "unit_code": unit_code}
    client = redis.Redis.from_url(REDIS_URL)
    for key in client.scan_iter(match=f"{environment['CACHE_KEY_PREFIX']}:*"):
        client.delete(key)


class Browser:
    """A signed-in user of one server: cookies, CSRF token and plain urllib."""

    def __init__(self, base_url: str, username: str):
        self.base_url = base_url
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
        self.post("/accounts/login/", {"username": username, "password": PASSWORD}, form_page="/accounts/login/")

    def get(self, path: str) -> str:
        with self.opener.open(self.base_url + path, timeout=60) as response:
            assert response.status == 200
            return response.read().decode()

    def post(self, path: str, fields: dict, *, form_page: str) -> str:
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', self.get(form_page)).group(1)
        body = urllib.parse.urlencode({**fields, "csrfmiddlewaretoken": token}).encode()
        with self.opener.open(self.base_url + path, data=body, timeout=60) as response:
            page = response.read().decode()
            assert response.status == 200, response.status
            return page

    def main(self, path: str) -> str:
        return re.search(r"<main>.*</main>", self.get(path), re.DOTALL).group(0)


def test_two_app_processes_sharing_redis_serve_the_same_new_figures_after_a_write_in_either(deployment):
    assert deployment["environment"]["DATABASE_URL"].startswith("postgres" if connection.vendor == "postgresql" else "sqlite")
    department = "/d/XJWF/2024/?asof=2024-12"
    item = f"/d/XJWF/2024/items/{deployment['item_code']}/?asof=2024-12"
    unit = f"/d/XJWF/2024/units/{deployment['unit_code']}/?asof=2024-12"
    new_entry = "/d/XJWF/2024/expenditures/new/"
    with (
        Server(env=deployment["environment"], workers=1, threads=2) as first,
        Server(env=deployment["environment"], workers=1, threads=2) as second,
    ):
        one, two = Browser(first, "caiwu"), Browser(second, "caiwu")
        before = {path: one.main(path) for path in (department, unit, item)}
        assert {path: two.main(path) for path in before} == before  # the second answers from the shared cache
        keys = redis.Redis.from_url(REDIS_URL).keys(f"{deployment['environment']['CACHE_KEY_PREFIX']}:*")
        assert keys, "the pages were not cached in Redis"

        for writer, reader, amount in ((one, two, "7654.32"), (two, one, "1111.11")):
            entry = {
                "item": deployment["item_pk"], "date": "2024-12-20", "amount": amount, "economic_class_parent": "302",
                "economic_class": "30201", "memo": "两进程缓存测试", "voucher": "", "procurement_method": "",
            }  # fmt: skip
            answer = writer.post(new_entry, entry, form_page=new_entry)
            assert "errorlist" not in answer, html.unescape(answer)[:2000]
            shown = f"{Decimal(amount):,.2f}"
            after = {path: reader.main(path) for path in before}
            assert shown in after[item]
            assert after[department] != before[department] and after[unit] != before[unit]
            assert {path: writer.main(path) for path in before} == after
            before = after
