"""Production settings: read in a fresh process with a production environment.

The test suite itself runs with HTTPS=0 (tests/env.py); these tests start `manage.py` and
Python in subprocesses with the environment a deployment would have, so what they check is
what production gets.
"""

import json
import os
import re
import secrets
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

BASE_DIR = Path(__file__).resolve().parents[2]
# Variables the test run sets for itself (the browser tests: DJANGO_ALLOW_ASYNC_UNSAFE, which
# check --deploy rightly refuses); a production process starts without them.
TEST_ONLY = {
    "HTTPS", "STATIC_MANIFEST", "SECRET_KEY", "DEBUG", "FUNDMGR_DEV", "DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE",
}


def production_environment(**overrides) -> dict[str, str]:
    environment = {
        name: value
        for name, value in os.environ.items()
        if name not in TEST_ONLY and not name.startswith(("SECURE_", "SESSION_", "CSRF_", "PYTEST"))
    }
    environment.update(
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(64),
        ALLOWED_HOSTS="fundmgr.example.gov.cn",
        DJANGO_SETTINGS_MODULE="fundmgr.settings",
    )
    environment.update(overrides)
    return {name: value for name, value in environment.items() if value is not None}


def run(args: list[str], environment: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(args, cwd=BASE_DIR, env=environment, capture_output=True, text=True, timeout=120)


def production_settings(**overrides) -> dict:
    names = [
        "DEBUG", "SECURE_SSL_REDIRECT", "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE", "SECURE_HSTS_SECONDS",
        "SECURE_HSTS_INCLUDE_SUBDOMAINS", "SECURE_HSTS_PRELOAD", "SECURE_PROXY_SSL_HEADER", "ALLOWED_HOSTS",
        "CSRF_TRUSTED_ORIGINS",
    ]
    script = (
        "import json; from django.conf import settings; "
        f"print(json.dumps({{name: getattr(settings, name) for name in {names!r}}}))"
    )
    result = run([sys.executable, "-c", script], production_environment(**overrides))
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_check_deploy_passes_without_a_single_warning_in_production():
    result = run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"], production_environment()
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "System check identified no issues" in output
    assert not re.search(r"\b(WARNING|ERROR|CRITICAL)s?\b|\(security\.[WE]\d+\)", result.stderr), output


def test_check_deploy_would_warn_about_a_short_secret_key():
    # The check above can fail: a weak key is reported (security.W009).
    result = run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        production_environment(SECRET_KEY="short"),
    )
    assert result.returncode != 0
    assert "security.W009" in result.stdout + result.stderr


def test_production_without_a_secret_key_refuses_to_start():
    result = run([sys.executable, "manage.py", "check"], production_environment(SECRET_KEY=None))
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_development_starts_without_a_secret_key():
    result = run([sys.executable, "manage.py", "check"], production_environment(SECRET_KEY=None, DEBUG="1"))
    assert result.returncode == 0, result.stderr


def test_production_defaults_are_https_only():
    production = production_settings()
    assert production["DEBUG"] is False
    assert production["SECURE_SSL_REDIRECT"] is True
    assert production["SESSION_COOKIE_SECURE"] is True
    assert production["CSRF_COOKIE_SECURE"] is True
    assert production["SECURE_HSTS_SECONDS"] >= 365 * 24 * 60 * 60
    assert production["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is True
    assert production["SECURE_HSTS_PRELOAD"] is False
    assert production["SECURE_PROXY_SSL_HEADER"] is None
    assert production["ALLOWED_HOSTS"] == ["fundmgr.example.gov.cn"]


def test_a_plain_http_deployment_turns_every_https_setting_off_with_one_switch():
    plain = production_settings(HTTPS="0")
    assert plain["SECURE_SSL_REDIRECT"] is False
    assert plain["SESSION_COOKIE_SECURE"] is False
    assert plain["CSRF_COOKIE_SECURE"] is False
    assert plain["SECURE_HSTS_SECONDS"] == 0


def test_behind_a_proxy_on_another_host_the_forwarded_proto_header_is_trusted_when_named():
    proxied = production_settings(
        SECURE_PROXY_SSL_HEADER="X-Forwarded-Proto",
        CSRF_TRUSTED_ORIGINS="https://fundmgr.example.gov.cn",
        SECURE_HSTS_PRELOAD="1",
    )
    assert proxied["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]
    assert proxied["CSRF_TRUSTED_ORIGINS"] == ["https://fundmgr.example.gov.cn"]
    assert proxied["SECURE_HSTS_PRELOAD"] is True


def test_a_malformed_boolean_stops_the_process():
    result = run([sys.executable, "manage.py", "check"], production_environment(HTTPS="maybe"))
    assert result.returncode != 0
    assert "HTTPS must be a boolean" in result.stderr


@pytest.mark.skipif(not shutil.which("make"), reason="make is not installed")
def test_make_serve_refuses_to_run_without_a_secret_key():
    result = run(["make", "serve"], production_environment(SECRET_KEY=None))
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stdout + result.stderr


@pytest.mark.django_db
def test_every_page_carries_a_strict_content_security_policy_and_the_security_headers(client, settings):
    settings.SECURE_HSTS_SECONDS = 31536000
    response = client.get(reverse("login"), secure=True)
    policy = response["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";"))
    assert directives["default-src"] == "'self'"
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"
    assert directives["img-src"] == "'self'"
    assert directives["object-src"] == "'none'"
    assert directives["frame-ancestors"] == "'none'"
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"


def template_files() -> list[Path]:
    folders = [Path(folder) for engine in settings.TEMPLATES for folder in engine["DIRS"]]
    folders += [BASE_DIR / app / "templates" for app in ("fundmgr", "units", "projects", "indicators")]
    return sorted(path for folder in folders if folder.is_dir() for path in folder.rglob("*.html"))


INLINE = [
    (re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I), "inline <script>"),
    (re.compile(r"\son[a-z]+\s*=", re.I), "inline event handler"),
    (re.compile(r"\sstyle\s*=", re.I), "style attribute"),
    (re.compile(r"<style\b", re.I), "<style> block"),
    (re.compile(r"javascript:", re.I), "javascript: URL"),
]


def test_no_template_needs_unsafe_inline():
    files = template_files()
    assert any(path.name == "base.html" for path in files)
    offences = [
        f"{path.relative_to(BASE_DIR)}: {what}"
        for path in files
        for pattern, what in INLINE
        if pattern.search(path.read_text(encoding="utf-8"))
    ]
    assert offences == []


def test_htmx_is_told_not_to_inject_its_indicator_styles(client, world):
    client.force_login(world.accountant_a)
    page = client.get(reverse("expenditures:new", kwargs=world.kwargs)).content.decode()
    config = re.search(r"<meta name=\"htmx-config\" content='([^']*)'>", page)
    assert config is not None
    assert json.loads(config.group(1))["includeIndicatorStyles"] is False
    assert "django_htmx/htmx-2.min.js" in page and "js/app.js" in page


def database_options(**overrides) -> dict:
    script = "import json; from django.conf import settings; print(json.dumps(settings.DATABASES['default'].get('OPTIONS', {})))"
    result = run([sys.executable, "-c", script], production_environment(**overrides))
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_postgresql_connections_run_without_jit_unless_asked():
    # JIT compiling took 607 of the province view's 750 ms of SQL at 1,000,000 expenditures.
    url = "postgres://fundmgr@db.example.gov.cn:5432/fundmgr"
    assert database_options(DATABASE_URL=url)["options"] == "-c jit=off"
    assert "options" not in database_options(DATABASE_URL=url, PG_JIT="1")
    assert "options" not in database_options(DATABASE_URL="sqlite:////tmp/fundmgr-settings.sqlite3")


@pytest.mark.django_db
def test_the_live_postgresql_connection_has_jit_off():
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL")
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone()[0] == "off"
