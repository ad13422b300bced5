"""The simulated users' side of HTTP, standard library only: one browser per user with its own cookie
jar, on loopback only, and the amounts and messages as the pages print them."""

import http.cookiejar
import ipaddress
import re
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from decimal import Decimal

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
