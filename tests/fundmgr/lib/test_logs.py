"""Structured logs: who did what in which department, one JSON object a line."""

import io
import json
import logging
from decimal import Decimal

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.urls import reverse

from fundmgr.lib.logs import JsonFormatter, log_event
from tests import personas
from tests.fundmgr.workbooks import department_workbook

pytestmark = pytest.mark.django_db


def events(caplog, name: str) -> list[logging.LogRecord]:
    return [record for record in caplog.records if record.getMessage() == name]


def one_event(caplog, name: str) -> logging.LogRecord:
    found = events(caplog, name)
    assert len(found) == 1, [record.getMessage() for record in caplog.records]
    return found[0]


def test_a_record_is_one_json_object_with_user_department_and_exact_money(caplog):
    caplog.set_level(logging.INFO, logger="fundmgr.audit")
    log_event("expenditure_approved", user="caiwu", department="XJWF", amount=Decimal("60000.10"), note="第一行\n第二行")
    line = JsonFormatter().format(one_event(caplog, "expenditure_approved"))
    assert "\n" not in line
    entry = json.loads(line)
    assert entry["event"] == "expenditure_approved"
    assert entry["level"] == "INFO"
    assert entry["logger"] == "fundmgr.audit"
    assert entry["user"] == "caiwu"
    assert entry["department"] == "XJWF"
    assert entry["amount"] == "60000.10"
    assert entry["note"] == "第一行\n第二行"
    assert entry["time"].endswith("+00:00")


def test_an_exception_goes_into_the_same_json_line():
    try:
        raise ValueError("坏数据")
    except ValueError:
        record = logging.LogRecord("django.request", logging.ERROR, __file__, 1, "Internal Server Error", None, __import__("sys").exc_info())
    entry = json.loads(JsonFormatter().format(record))
    assert "ValueError: 坏数据" in entry["exception"]


def test_the_logging_setting_writes_json_to_stderr():
    handler = settings.LOGGING["handlers"]["stderr"]
    assert handler["stream"] == "ext://sys.stderr"
    assert settings.LOGGING["formatters"][handler["formatter"]]["()"] == "fundmgr.lib.logs.JsonFormatter"


def test_an_approval_is_logged_with_the_finance_officer_and_the_department(world, as_persona, caplog):
    caplog.set_level(logging.INFO, logger="fundmgr.audit")
    pk = world.pending_a.pk
    response = as_persona("finance").post(
        reverse("expenditures:approve", kwargs={**world.kwargs, "pk": pk}),
        {f"{pk}-meeting_date": "2024-06-10", f"{pk}-minutes_number": "纪要〔2024〕7号"},
    )
    assert response.status_code == 302
    record = one_event(caplog, "expenditure_approved")
    assert record.user == world.finance.username
    assert record.department == world.code
    assert record.year == world.year
    assert record.unit == world.unit_a.code
    assert record.item == world.item_a.code
    assert record.expenditure == pk
    assert record.amount == world.pending_a.amount
    assert record.minutes_number == "纪要〔2024〕7号"


def test_a_rejection_is_logged_with_its_reason(world, as_persona, caplog):
    caplog.set_level(logging.INFO, logger="fundmgr.audit")
    pk = world.pending_a.pk
    as_persona("finance").post(
        reverse("expenditures:reject", kwargs={**world.kwargs, "pk": pk}), {f"{pk}-rejection_reason": "预算调整"}
    )
    record = one_event(caplog, "expenditure_rejected")
    assert (record.user, record.department, record.expenditure) == (world.finance.username, world.code, pk)
    assert record.reason == "预算调整"


def test_a_refused_approval_logs_no_decision(world, as_persona, caplog):
    caplog.set_level(logging.INFO, logger="fundmgr.audit")
    pk = world.pending_a.pk
    as_persona("finance").post(reverse("expenditures:approve", kwargs={**world.kwargs, "pk": pk}), {f"{pk}-meeting_date": "2024-06-10"})
    assert events(caplog, "expenditure_approved") == []


def test_closing_and_reopening_a_month_are_logged(world, as_persona, caplog):
    caplog.set_level(logging.INFO, logger="fundmgr.audit")
    client = as_persona("finance")
    client.post(reverse("closing:close", kwargs={**world.kwargs, "month": 1}))
    closed = one_event(caplog, "month_closed")
    assert (closed.user, closed.department, closed.year, closed.month) == (world.finance.username, world.code, world.year, 1)
    client.post(reverse("closing:reopen", kwargs={**world.kwargs, "month": 1}), {"reason": "补录一月凭证"})
    reopened = one_event(caplog, "month_reopened")
    assert (reopened.user, reopened.department, reopened.month) == (world.finance.username, world.code, 1)
    assert reopened.reason == "补录一月凭证"


def test_a_browser_import_is_logged_with_who_department_year_outcome_and_counts(world, as_persona, caplog):
    caplog.set_level(logging.INFO, logger="fundmgr.audit")
    client = as_persona("finance")
    client.post(
        reverse("upload:workbook"),
        {"workbook": SimpleUploadedFile("budget.xlsx", department_workbook(world).getvalue()), "replace": "on"},
    )
    checked = one_event(caplog, "workbook_import")
    assert (checked.user, checked.department, checked.year) == (world.finance.username, world.code, world.year)
    assert (checked.channel, checked.outcome, checked.dry_run) == ("upload", "validated", True)
    caplog.clear()
    client.post(reverse("upload:workbook"), {"confirm": "1", "token": client.session["workbook_upload"]["token"]})
    imported = one_event(caplog, "workbook_import")
    assert (imported.user, imported.department, imported.outcome, imported.replace) == (
        world.finance.username, world.code, "imported", True
    )
    assert imported.counts["支出明细"] == 1
    assert imported.counts["预算项目"] == 1


def test_a_command_import_is_logged_with_the_os_user_and_a_rejection_as_a_warning(tmp_path, caplog, monkeypatch):
    monkeypatch.setenv("USER", "ops")
    monkeypatch.setenv("LOGNAME", "ops")
    caplog.set_level(logging.INFO, logger="fundmgr.audit")
    path = tmp_path / "budget.xlsx"
    path.write_bytes(department_workbook(code="NEW", year=2025).getvalue())
    call_command("import_budget", str(path), stdout=io.StringIO())
    record = one_event(caplog, "workbook_import")
    assert (record.user, record.department, record.year) == ("ops", "NEW", 2025)
    assert (record.channel, record.outcome, record.source) == ("command", "imported", str(path))
    assert record.counts["预算指标"] == 1
    caplog.clear()
    with pytest.raises(CommandError):
        call_command("import_budget", str(path), stdout=io.StringIO(), stderr=io.StringIO())  # the year exists
    refused = one_event(caplog, "workbook_import")
    assert (refused.outcome, refused.levelname, refused.errors) == ("rejected", "WARNING", 1)


def test_a_failed_request_is_logged_with_path_status_user_and_department(world, as_persona, caplog):
    caplog.set_level(logging.INFO, logger="fundmgr.requests")
    url = reverse("upload:workbook")
    as_persona("accountant_a").get(url)
    record = one_event(caplog, "request_failed")
    assert (record.path, record.status, record.method, record.user) == (url, 403, "GET", world.accountant_a.username)
    caplog.clear()
    department_url = reverse("department", kwargs={"department_code": "ZZ", "year": 2024})
    as_persona("outsider").get(department_url)
    record = one_event(caplog, "request_failed")
    assert (record.status, record.user, record.department) == (404, world.outsider.username, "ZZ")


def test_a_successful_request_is_not_logged(world, as_persona, caplog):
    caplog.set_level(logging.INFO, logger="fundmgr.requests")
    assert as_persona("finance").get(reverse("department", kwargs=world.kwargs)).status_code == 200
    assert events(caplog, "request_failed") == []


@pytest.mark.urls("tests.fundmgr.error_urls")
def test_a_server_error_is_logged_as_an_error_with_its_traceback(world, caplog):
    caplog.set_level(logging.INFO)
    client = Client(raise_request_exception=False)
    client.force_login(world.finance)
    client.get("/test-errors/raises/")
    failed = one_event(caplog, "request_failed")
    assert (failed.levelname, failed.status, failed.user) == ("ERROR", 500, world.finance.username)
    traceback = [record for record in caplog.records if record.name == "django.request" and record.exc_info]
    assert traceback and "RuntimeError" in JsonFormatter().format(traceback[0])


def test_an_axes_lockout_is_logged_with_the_username_and_department(client, world, caplog):
    caplog.set_level(logging.INFO, logger="fundmgr.security")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("login"), {"username": "accountant_a", "password": "wrong"})
    record = one_event(caplog, "login_locked_out")
    assert record.levelname == "WARNING"
    assert (record.user, record.department, record.ip_address) == ("accountant_a", world.code, "127.0.0.1")
    assert personas.PASSWORD not in JsonFormatter().format(record)
