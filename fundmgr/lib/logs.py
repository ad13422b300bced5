"""Structured logs: one JSON object a line on stdout, for the log collector.

Every record carries `time`, `level`, `logger` and `event`; the helpers below add the fields
an auditor asks about first: who (`user`), which department (`department`, its code) and
what happened. Money goes out as a string, so the log holds the exact yuan amount.

    log_event("expenditure_approved", user=request.user, department="XJWF", year=2024, amount=amount)

The services that approve, close months and import call these helpers once per action; the
middleware fundmgr.middleware.FailedRequestLogMiddleware logs every 4xx/5xx answer, and an axes
signal logs lockouts.
"""

import getpass
import json
import logging
from datetime import datetime, timezone

AUDIT = "fundmgr.audit"
REQUESTS = "fundmgr.requests"
SECURITY = "fundmgr.security"

# The attributes every LogRecord has; anything else on a record came through `extra`.
_STANDARD_ATTRIBUTES = set(vars(logging.makeLogRecord({}))) | {"message", "asctime", "taskName"}


class JsonFormatter(logging.Formatter):
    """One JSON object a line; `extra` fields become keys, an exception becomes `exception`."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, tz=timezone.utc).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "event": record.getMessage(),
        }
        for key, value in vars(record).items():
            if key not in _STANDARD_ATTRIBUTES and not key.startswith("_"):
                entry[key] = value
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


def username(user) -> str | None:
    """The login name, or None for nobody / an anonymous visitor."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    return user.get_username()


def os_user() -> str:
    """Who runs a management command: the operating-system login, or "system" when there is none
    (a container's uid without a passwd entry)."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "system"


def log_event(event: str, *, user=None, department: str | None = None, level: int = logging.INFO,
              logger: str = AUDIT, **fields) -> None:
    """Log `event` with who did it and in which department, plus any further fields.

    `user` is a User (or None); a plain string is taken as the name already (an OS user
    running a management command).
    """
    who = user if isinstance(user, str) else username(user)
    logging.getLogger(logger).log(level, event, extra={"user": who, "department": department, **fields})


def import_logged(result, *, user, channel: str, replace: bool, dry_run: bool, source: str = "") -> None:
    """One record per workbook import (fundmgr.workbook.workbook_import's ImportResult), from the
    browser upload (`channel="upload"`) or `manage.py import_budget` (`channel="command"`).
    The outcome is "rejected", "validated" (a dry run that passed) or "imported"."""
    department_year = result.department_year
    if result.errors:
        outcome = "rejected"
    elif dry_run:
        outcome = "validated"
    else:
        outcome = "imported"
    log_event(
        "workbook_import",
        user=user,
        department=department_year.department.code if department_year else None,
        level=logging.WARNING if result.errors else logging.INFO,
        channel=channel,
        year=department_year.year if department_year else None,
        outcome=outcome,
        dry_run=dry_run,
        replace=replace,
        counts=dict(result.counts),
        errors=len(result.errors),
        source=source,
    )


def expenditure_decision_logged(event: str, *, expenditure, user, **fields) -> None:
    """三重一大 approvals and rejections (projects.services); `expenditure` has its item, unit,
    department-year and department loaded."""
    item = expenditure.item
    log_event(
        event,
        user=user,
        department=item.department_year.department.code,
        year=item.department_year.year,
        unit=item.unit.code,
        item=item.code,
        expenditure=expenditure.pk,
        amount=expenditure.amount,
        date=expenditure.date,
        **fields,
    )


def month_logged(event: str, *, department_year, month: int, user, **fields) -> None:
    """Month closings and reopenings (units.services)."""
    log_event(event, user=user, department=department_year.department.code, year=department_year.year,
              month=month, **fields)
