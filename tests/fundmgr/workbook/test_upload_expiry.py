"""Dry-run uploads that nobody confirms do not stay on the server: after UPLOAD_TTL_HOURS they are
deleted, by `manage.py expire_uploads` and by the upload page itself, and confirming one says so."""

import io
import os
import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from projects.models import Expenditure
from tests import personas
from tests.fundmgr.workbooks import department_workbook

pytestmark = pytest.mark.django_db

HOUR = 3600


@pytest.fixture
def uploads(settings, own_storage):
    settings.UPLOAD_TTL_HOURS = 24
    own_storage.mkdir(parents=True)
    return own_storage


def pending_file(folder, name: str, *, age_hours: float):
    path = folder / name
    path.write_bytes(b"PK")
    moment = time.time() - age_hours * HOUR
    os.utime(path, (moment, moment))
    return path


def age(path, hours: float):
    moment = time.time() - hours * HOUR
    os.utime(path, (moment, moment))


def test_the_command_deletes_uploads_older_than_the_ttl_and_keeps_newer_ones(uploads):
    old = pending_file(uploads, "a" * 32 + ".xlsx", age_hours=25)
    older = pending_file(uploads, "b" * 32 + ".xlsx", age_hours=24 * 30)
    fresh = pending_file(uploads, "c" * 32 + ".xlsx", age_hours=23)
    out = io.StringIO()
    call_command("expire_uploads", stdout=out)
    assert not old.exists() and not older.exists()
    assert fresh.exists()
    assert "2" in out.getvalue()


def test_the_command_follows_the_ttl_setting(uploads, settings):
    settings.UPLOAD_TTL_HOURS = 1
    stale = pending_file(uploads, "d" * 32 + ".xlsx", age_hours=2)
    call_command("expire_uploads", stdout=io.StringIO())
    assert not stale.exists()


def test_the_command_leaves_files_that_are_not_uploads_alone(uploads):
    stranger = pending_file(uploads, "notes.txt", age_hours=24 * 30)
    call_command("expire_uploads", stdout=io.StringIO())
    assert stranger.exists()


def test_the_command_says_so_when_there_is_no_upload_folder(own_storage):
    out = io.StringIO()
    call_command("expire_uploads", stdout=out)
    assert "0" in out.getvalue()


def test_the_upload_page_sweeps_expired_uploads(uploads, as_persona):
    old = pending_file(uploads, "e" * 32 + ".xlsx", age_hours=48)
    fresh = pending_file(uploads, "f" * 32 + ".xlsx", age_hours=1)
    assert as_persona("finance").get(reverse("upload:workbook")).status_code == 200
    assert not old.exists()
    assert fresh.exists()


def test_confirming_an_expired_upload_says_it_expired_and_imports_nothing(uploads, as_persona):
    client = as_persona("finance")
    data = {"workbook": SimpleUploadedFile("budget.xlsx", department_workbook().getvalue()), "replace": "on"}
    assert "试导入通过" in client.post(reverse("upload:workbook"), data).content.decode()
    token = client.session["workbook_upload"]["token"]
    session = client.session
    session["workbook_upload"]["created"] -= 25 * HOUR
    session.save()
    age(uploads / f"{token}.xlsx", 25)

    response = client.post(reverse("upload:workbook"), {"confirm": "1", "token": token}, follow=True)
    body = response.content.decode()
    assert "已超过24小时未确认" in body
    assert Expenditure.objects.filter(memo="办公用品").count() == 0
    assert not (uploads / f"{token}.xlsx").exists()


def test_confirming_an_upload_swept_by_the_command_says_it_expired(uploads, as_persona):
    client = as_persona("finance")
    data = {"workbook": SimpleUploadedFile("budget.xlsx", department_workbook().getvalue()), "replace": "on"}
    client.post(reverse("upload:workbook"), data)
    token = client.session["workbook_upload"]["token"]
    session = client.session
    session["workbook_upload"]["created"] -= 25 * HOUR
    session.save()
    age(uploads / f"{token}.xlsx", 25)
    call_command("expire_uploads", stdout=io.StringIO())

    body = client.post(reverse("upload:workbook"), {"confirm": "1", "token": token}, follow=True).content.decode()
    assert "已超过24小时未确认" in body
    assert Expenditure.objects.filter(memo="办公用品").count() == 0


def test_a_fresh_upload_is_still_confirmed(uploads, as_persona):
    client = as_persona("finance")
    data = {"workbook": SimpleUploadedFile("budget.xlsx", department_workbook().getvalue()), "replace": "on"}
    client.post(reverse("upload:workbook"), data)
    token = client.session["workbook_upload"]["token"]
    response = client.post(reverse("upload:workbook"), {"confirm": "1", "token": token})
    assert response.status_code == 302
    assert Expenditure.objects.filter(memo="办公用品").count() == 1
    assert list(uploads.glob("*.xlsx")) == []


def test_the_command_also_deletes_the_finance_bureaus_old_review_batches(uploads):
    old = pending_file(uploads, "e" * 32 + ".review.json", age_hours=25)
    fresh = pending_file(uploads, "f" * 32 + ".review.json", age_hours=1)
    out = io.StringIO()
    call_command("expire_uploads", stdout=out)
    assert not old.exists() and fresh.exists()
    assert "1" in out.getvalue()


def test_a_dry_run_on_one_server_is_confirmed_on_another_through_the_storage_and_nothing_goes_to_var(
    uploads, as_persona, settings, client
):
    """The pending workbook is in the default storage (shared by the app servers, here the test's own
    folder), never under VAR_DIR/uploads; a second client carrying the same session (another server
    behind the proxy) confirms it, and the file is gone after."""
    first = as_persona("finance")
    data = {"workbook": SimpleUploadedFile("budget.xlsx", department_workbook().getvalue()), "replace": "on"}
    assert "试导入通过" in first.post(reverse("upload:workbook"), data).content.decode()
    token = first.session["workbook_upload"]["token"]
    assert [path.name for path in uploads.iterdir()] == [f"{token}.xlsx"]
    assert not (settings.VAR_DIR / "uploads").exists()

    client.cookies = first.cookies  # the next request lands on another server: only the session and the storage are shared
    response = client.post(reverse("upload:workbook"), {"confirm": "1", "token": token})
    assert response.status_code == 302
    assert Expenditure.objects.filter(memo="办公用品").count() == 1
    assert list(uploads.iterdir()) == []
    assert not (settings.VAR_DIR / "uploads").exists()


def test_another_users_session_cannot_confirm_a_pending_upload_by_its_token(uploads, as_persona, world, client):
    first = as_persona("finance")
    data = {"workbook": SimpleUploadedFile("budget.xlsx", department_workbook().getvalue()), "replace": "on"}
    first.post(reverse("upload:workbook"), data)
    token = first.session["workbook_upload"]["token"]
    colleague = personas.member(personas.user("finance_2"), world.department_year, "finance")
    client.force_login(colleague)
    body = client.post(reverse("upload:workbook"), {"confirm": "1", "token": token}, follow=True).content.decode()
    assert "上传已失效，请重新上传工作簿" in body
    assert Expenditure.objects.filter(memo="办公用品").count() == 0
    assert (uploads / f"{token}.xlsx").exists()  # still the uploader's to confirm
