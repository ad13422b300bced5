"""Small typed readers of the environment.

Each raises ImproperlyConfigured on a value it cannot understand, so a typo in a
deployment's environment stops the process at start-up instead of running with a
silently wrong setting.
"""

import os
from decimal import Decimal, InvalidOperation
from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str | None = None) -> str | None:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (1/0, true/false), got {raw!r}")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be an integer, got {raw!r}") from None


def env_decimal(name: str, default: Decimal) -> Decimal:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = Decimal(raw)
    except InvalidOperation:
        raise ImproperlyConfigured(f"{name} must be a decimal number, got {raw!r}") from None
    if not value.is_finite():
        raise ImproperlyConfigured(f"{name} must be finite, got {raw!r}")
    return value


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


REDIS_SCHEMES = ("redis", "rediss", "unix")


def env_redis_url(*names: str) -> str | None:
    """The first of `names` that is set and not empty, as a Redis URL (redis://host:port/db,
    rediss:// for TLS, unix:///path.sock); None when none is set."""
    for name in names:
        raw = (os.environ.get(name) or "").strip()
        if not raw:
            continue
        try:
            url = urlsplit(raw)
            url.port  # noqa: B018 (raises ValueError on a port that is not a number)
        except ValueError:
            raise ImproperlyConfigured(f"{name} must be a Redis URL (redis://host:6379/0), got {raw!r}") from None
        database = url.path.strip("/")
        if url.scheme not in REDIS_SCHEMES or (url.scheme != "unix" and not url.hostname) or (
            url.scheme != "unix" and database and not database.isdigit()
        ):
            raise ImproperlyConfigured(f"{name} must be a Redis URL (redis://host:6379/0), got {raw!r}")
        return raw
    return None
