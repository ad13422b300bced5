"""Workbook upload in the browser: upload -> dry run -> confirm.

The view logic is tested against a stand-in importer with the interface of
fundmgr.workbook.workbook_import; the end-to-end tests ("the real importer") use the real one.
"""

import types
from dataclasses import dataclass, field

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.files.uploadhandler import TemporaryFileUploadHandler
from django.urls import reverse

import fundmgr.workbook
from fundmgr.workbook.upload import workbook_department_code
from projects.models import Expenditure
from tests import personas
from tests.fundmgr.workbooks import department_workbook

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def private_uploads(own_storage):
    """Pending uploads and kept error lists go to the test's own storage, not the checkout's var/."""


@dataclass
class FakeError:
    sheet: str
    row: int
    column: str
    message: str


@dataclass
class FakeResult:
    department_year: object
    errors: list = field(default_factory=list)
    counts: dict = field(default_factory=dict)


@pytest.fixture
def fake_importer(monkeypatch, world):
    calls = []

    def workbook_import(*, source, replace=False, dry_run=False, user=None):
        calls.append({"replace": replace, "dry_run": dry_run, "user": user, "bytes": len(source.read())})
        if getattr(fake_importer_state, "errors", None):
            return FakeResult(department_year=world.department_year, errors=fake_importer_state.errors)
        return FakeResult(department_year=world.department_year, counts={"支出明细": 1, "预算项目": 1})

    fake_importer_state = types.SimpleNamespace(errors=None, calls=calls)
    # Only the import function is replaced: fundmgr.workbook.upload also needs the real package's schema,
    # and replacing the whole module made these tests depend on which test imported it first.
    monkeypatch.setattr(fundmgr.workbook, "workbook_import", workbook_import)
    return fake_importer_state


def upload(client, replace=False, name="budget.xlsx"):
    data = {"workbook": SimpleUploadedFile(name, department_workbook().getvalue())}
    if replace:
        data["replace"] = "on"
    return client.post(reverse("upload:workbook"), data)


def test_a_dry_run_shows_counts_and_a_confirm_button_then_imports(world, as_persona, fake_importer):
    client = as_persona("finance")
    response = upload(client, replace=True)
    body = response.content.decode()
    assert response.status_code == 200
    assert "试导入通过" in body and "支出明细" in body and 'name="confirm"' in body
    assert fake_importer.calls[-1]["dry_run"] is True
    token = client.session["workbook_upload"]["token"]
    confirmed = client.post(reverse("upload:workbook"), {"confirm": "1", "token": token})
    assert confirmed.status_code == 302
    assert fake_importer.calls[-1] == {"replace": True, "dry_run": False, "user": world.finance, "bytes": fake_importer.calls[0]["bytes"]}
    # the token is spent: confirming twice imports once
    client.post(reverse("upload:workbook"), {"confirm": "1", "token": token})
    assert len(fake_importer.calls) == 2


def test_a_dry_run_with_errors_shows_the_error_table_and_no_confirm(world, as_persona, fake_importer):
    fake_importer.errors = [FakeError("支出明细", 12, "金额", "金额须大于0")]
    body = upload(as_persona("finance")).content.decode()
    assert "<td>支出明细</td><td>12</td><td>金额</td><td>金额须大于0</td>" in body
    assert 'name="confirm"' not in body


def test_only_xlsx_files_are_accepted(world, as_persona, fake_importer):
    response = upload(as_persona("finance"), name="budget.csv")
    assert "请上传 .xlsx 格式的工作簿" in response.content.decode()
    assert fake_importer.calls == []


def test_a_finance_officer_of_another_department_cannot_import_this_one(world, as_persona, fake_importer, client):
    other = personas.build(code="OTHER", prefix="other_")
    client.force_login(other.finance)
    body = upload(client).content.decode()
    assert "不能导入" in body
    assert [call["dry_run"] for call in fake_importer.calls] == [True]


def test_a_forged_confirmation_imports_nothing(world, as_persona, fake_importer):
    response = as_persona("finance").post(reverse("upload:workbook"), {"confirm": "1", "token": "0" * 32})
    assert response.status_code == 302
    assert fake_importer.calls == []


def test_the_real_importer_runs_a_dry_run_then_imports(world, as_persona):
    client = as_persona("finance")
    body = upload(client, replace=True).content.decode()
    assert "试导入通过" in body, body
    assert Expenditure.objects.filter(memo="办公用品").count() == 0
    client.post(reverse("upload:workbook"), {"confirm": "1", "token": client.session["workbook_upload"]["token"]})
    assert Expenditure.objects.filter(memo="办公用品").count() == 1


def test_the_department_is_read_from_the_workbook_when_a_dry_run_keeps_no_department_year(tmp_path):
    path = tmp_path / "budget.xlsx"
    path.write_bytes(department_workbook(code="XJWF").getvalue())
    assert workbook_department_code(FakeResult(department_year=None), path) == "XJWF"


def test_the_real_importer_lists_each_error_with_sheet_row_and_column(world, as_persona):
    client = as_persona("finance")
    data = {"workbook": SimpleUploadedFile("bad.xlsx", department_workbook(spend="-5").getvalue()), "replace": "on"}
    body = client.post(reverse("upload:workbook"), data).content.decode()
    assert 'id="import-errors"' in body
    assert "<td>支出明细</td><td>2</td>" in body
    assert 'name="confirm"' not in body
    assert "workbook_upload" not in client.session


def test_the_real_dry_run_shows_totals_per_unit(world, as_persona):
    body = upload(as_persona("finance"), replace=True).content.decode()
    assert 'id="import-units"' in body
    assert '<td>A</td><td>甲单位</td><td class="num">100,000.00</td><td class="num">1,000.00</td>' in body


def test_an_oversized_upload_is_refused_without_reaching_the_disk_beyond_the_limit(world, as_persona, settings, monkeypatch):
    """Django's temporary-file handler sees at most IMPORT_MAX_BYTES of the upload; the form says why."""
    settings.IMPORT_MAX_BYTES = 1000
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 10  # any real file goes to a temporary file
    spooled = []
    original = TemporaryFileUploadHandler.receive_data_chunk

    def spy(self, raw_data, start):
        spooled.append(len(raw_data))
        return original(self, raw_data, start)

    monkeypatch.setattr(TemporaryFileUploadHandler, "receive_data_chunk", spy)
    huge = SimpleUploadedFile("huge.xlsx", b"x" * 300_000)
    response = as_persona("finance").post(reverse("upload:workbook"), {"workbook": huge})
    assert response.status_code == 200
    assert "文件过大" in response.content.decode()
    assert sum(spooled) <= 1000  # without SizeCappedUploadHandler: all 300,000 bytes


def test_an_upload_of_exactly_the_limit_reaches_the_importer_whole(world, as_persona, settings, fake_importer):
    settings.IMPORT_MAX_BYTES = 1000
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 10
    response = as_persona("finance").post(
        reverse("upload:workbook"), {"workbook": SimpleUploadedFile("small.xlsx", b"y" * 1000)}
    )
    assert response.status_code == 200
    assert "文件过大" not in response.content.decode()
    assert fake_importer.calls[-1]["bytes"] == 1000
