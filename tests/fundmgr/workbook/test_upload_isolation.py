"""The workbook upload keeps departments apart: another department's dry run tells nothing about
it, and one user's pending upload is theirs alone. These tests use the real importer."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.urls import reverse

from projects.models import Expenditure, MonthClose
from tests import personas
from tests.fundmgr.workbooks import department_workbook
from units.models import DepartmentYear

pytestmark = pytest.mark.django_db

REFUSAL = "您不是该工作簿所属部门的财务处人员，不能导入"


@pytest.fixture(autouse=True)
def private_uploads(own_storage):
    return own_storage


def upload(client, *, code="PD", year=2024, replace=False):
    data = {"workbook": SimpleUploadedFile("budget.xlsx", department_workbook(code=code, year=year).getvalue())}
    if replace:
        data["replace"] = "on"
    return client.post(reverse("upload:workbook"), data)


def refusal_part(body: str) -> str:
    """What the page says about the file: its error list and any dry-run result."""
    errors = re.findall(r'<ul class="errorlist[^"]*"[^>]*>.*?</ul>', body, flags=re.S)
    return "".join(errors)


def department_a_exists_open(world) -> str:
    return world.code


def department_a_exists_closed(world) -> str:
    MonthClose.objects.create(department_year=world.department_year, month=1, closed_by=world.finance)
    return world.code


def department_a_year_absent(world) -> str:
    DepartmentYear.objects.filter(pk=world.department_year.pk).delete()
    return world.code


def no_such_department(world) -> str:
    return "NEWDEPT"


STATES = {
    "year exists": department_a_exists_open,
    "year exists with a closed month": department_a_exists_closed,
    "year does not exist": department_a_year_absent,
    "department does not exist": no_such_department,
}


@pytest.mark.parametrize("replace", [False, True], ids=["dry run", "dry run with replace"])
def test_another_departments_finance_gets_one_refusal_whatever_state_that_department_is_in(world, client, replace):
    other = personas.build(code="OTHER", prefix="other_")
    client.force_login(other.finance)
    seen = {}
    for state, arrange in STATES.items():
        point = transaction.savepoint()
        code = arrange(world)
        response = upload(client, code=code, replace=replace)
        transaction.savepoint_rollback(point)
        body = response.content.decode()
        assert response.status_code == 200, state
        assert REFUSAL in body, state
        for revealing in ("年度已存在", "结账月份", "试导入通过", 'id="import-errors"', 'id="import-counts"', 'name="confirm"'):
            assert revealing not in body, f"{state}: the page shows {revealing!r}"
        seen[state] = refusal_part(body)
    assert len(set(seen.values())) == 1, seen


def test_a_refused_dry_run_leaves_no_file_behind(world, client, private_uploads):
    other = personas.build(code="OTHER", prefix="other_")
    client.force_login(other.finance)
    upload(client)
    assert list(private_uploads.glob("*")) == []


def test_the_own_departments_finance_still_learns_that_the_year_exists(world, as_persona):
    body = upload(as_persona("finance")).content.decode()
    assert "PD 2024年度已存在" in body


def test_another_user_cannot_confirm_an_upload_that_is_not_theirs(world, client):
    client.force_login(world.finance)
    upload(client, replace=True)
    token = client.session["workbook_upload"]["token"]

    second = personas.user("second_finance")
    personas.member(second, world.department_year, "finance")
    client.force_login(second)  # a new session: the pending upload stays with the first user's
    response = client.post(reverse("upload:workbook"), {"confirm": "1", "token": token}, follow=True)
    assert "上传已失效" in response.content.decode()
    assert Expenditure.objects.filter(memo="办公用品").count() == 0

    client.force_login(world.finance)
    assert "workbook_upload" not in client.session  # logging in again starts a new session too


@pytest.mark.parametrize("token", ["../../fundmgr.sqlite3", "..%2F..%2Fsettings", "/etc/passwd", "0" * 31 + "g", ""])
def test_a_confirmation_with_a_forged_token_imports_nothing(world, as_persona, token):
    client = as_persona("finance")
    upload(client, replace=True)
    response = client.post(reverse("upload:workbook"), {"confirm": "1", "token": token}, follow=True)
    assert "上传已失效" in response.content.decode()
    assert Expenditure.objects.filter(memo="办公用品").count() == 0


def test_a_second_dry_run_removes_the_first_pending_file(world, as_persona, private_uploads):
    client = as_persona("finance")
    upload(client, replace=True)
    first = client.session["workbook_upload"]["token"]
    upload(client, replace=True)
    assert [path.name for path in private_uploads.glob("*.xlsx")] == [f"{client.session['workbook_upload']['token']}.xlsx"]
    assert first != client.session["workbook_upload"]["token"]
