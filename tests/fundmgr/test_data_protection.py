"""Data protection: lockout after repeated failed logins, password strength, and
exports that say who generated them and when, in the file's own properties."""

import io
import logging
import zipfile
from datetime import datetime, timedelta
from datetime import timezone as dt_timezone

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.urls import reverse
from docx import Document
from openpyxl import load_workbook

from tests import personas

pytestmark = pytest.mark.django_db


def log_in(client, username, password):
    return client.post(reverse("login"), {"username": username, "password": password})


def test_the_sixth_attempt_is_refused_with_a_clear_chinese_message_even_with_the_right_password(client, world, caplog):
    caplog.set_level(logging.INFO, logger="fundmgr.security")
    assert settings.AXES_FAILURE_LIMIT == 5
    for _ in range(5):
        log_in(client, "accountant_a", "wrong")
    lockouts = [record for record in caplog.records if record.getMessage() == "login_locked_out"]
    assert [(record.user, record.department) for record in lockouts] == [("accountant_a", world.code)]
    sixth = log_in(client, "accountant_a", personas.PASSWORD)
    assert sixth.status_code == 429
    assert "登录失败次数过多，账户已暂时锁定。请稍后再试，或联系部门财务处解锁。" in sixth.content.decode()
    assert "_auth_user_id" not in client.session
    # every attempt while locked is on record too
    assert [record.getMessage() for record in caplog.records].count("login_locked_out") == 2


def test_four_failures_do_not_lock_the_right_password_out(client, world):
    for _ in range(4):
        log_in(client, "accountant_a", "wrong")
    assert log_in(client, "accountant_a", personas.PASSWORD).status_code == 302


@pytest.mark.parametrize(
    "weak, message",
    [
        ("12345678", "这个密码太常见了。"),
        ("8403917265", "密码只包含数字。"),
        ("kx9#q", "密码太短，至少需要 8 个字符。"),
    ],
)
def test_a_password_change_refuses_a_weak_password_with_a_message(client, world, weak, message):
    client.force_login(world.leader)
    response = client.post(
        reverse("accounts:password"),
        {"old_password": personas.PASSWORD, "new_password1": weak, "new_password2": weak},
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    world.leader.refresh_from_db()
    assert world.leader.check_password(personas.PASSWORD)


# --- who generated an export, and when ---


@pytest.fixture
def named_finance(world):
    world.finance.first_name, world.finance.last_name = "丽", "王"
    world.finance.save()
    return world.finance


def content_of(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def assert_recent(moment: datetime) -> None:
    now = datetime.now(dt_timezone.utc).replace(tzinfo=None)
    moment = moment.replace(tzinfo=None) if moment.tzinfo is None else moment.astimezone(dt_timezone.utc).replace(tzinfo=None)
    assert now - timedelta(minutes=2) <= moment <= now + timedelta(seconds=5), moment


def assert_xlsx_stamped(content: bytes, author: str) -> None:
    properties = load_workbook(io.BytesIO(content)).properties
    assert properties.creator == author
    assert properties.lastModifiedBy == author
    assert_recent(properties.created)
    assert_recent(properties.modified)


def table_exports(world) -> dict[str, str]:
    unit = {**world.kwargs, "unit_code": world.unit_a.code}
    item = {**world.kwargs, "item_code": world.item_a.code}
    return {
        "department table": reverse("department", kwargs=world.kwargs) + "?_export=xlsx&table=units",
        "unit table": reverse("units:detail", kwargs=unit) + "?_export=xlsx&table=items",
        "unit expenditures (streamed)": reverse("units:expenditures_export", kwargs=unit),
        "item expenditures (streamed)": reverse("projects:detail", kwargs=item) + "?_export=xlsx&table=expenditures",
        "expenditure list": reverse("expenditures:list", kwargs=world.kwargs) + "?_export=xlsx",
        "budget lines": reverse("budget_lines:list", kwargs=world.kwargs) + "?_export=xlsx",
        "province": reverse("province", kwargs={"year": world.year}) + "?_export=xlsx&table=departments",
    }


@pytest.mark.parametrize(
    "name",
    ["department table", "unit table", "unit expenditures (streamed)", "item expenditures (streamed)",
     "expenditure list", "budget lines"],
)
def test_every_table_export_names_the_user_and_the_time(client, world, named_finance, name):
    client.force_login(named_finance)
    response = client.get(table_exports(world)[name])
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats-officedocument.spreadsheetml")
    assert_xlsx_stamped(content_of(response), "丽 王")


def test_the_province_export_names_a_user_without_a_full_name_by_login(client, world):
    bureau = get_user_model().objects.create_superuser("czt", password=personas.PASSWORD)
    client.force_login(bureau)
    response = client.get(table_exports(world)["province"])
    assert response.status_code == 200
    assert_xlsx_stamped(content_of(response), "czt")


def test_the_streamed_sheet_is_a_valid_package_with_core_properties(client, world, named_finance):
    client.force_login(named_finance)
    content = content_of(client.get(table_exports(world)["unit expenditures (streamed)"]))
    with zipfile.ZipFile(io.BytesIO(content)) as package:
        assert package.testzip() is None
        assert "docProps/core.xml" in package.namelist()
    workbook = load_workbook(io.BytesIO(content))
    assert workbook.active.max_row >= 2  # the header and world's expenditures of unit A


@pytest.mark.parametrize("what", ["self-evaluation", "project-evaluation", "execution", "expenditures", "workbook"])
def test_every_exports_page_workbook_names_the_user_and_the_time(client, world, named_finance, what):
    client.force_login(named_finance)
    response = client.get(reverse("exports:download", kwargs={**world.kwargs, "what": what}))
    assert response.status_code == 200
    assert_xlsx_stamped(content_of(response), "丽 王")


def test_the_word_report_names_the_user_and_the_time(client, world, named_finance):
    client.force_login(named_finance)
    response = client.get(reverse("exports:download", kwargs={**world.kwargs, "what": "report"}))
    assert response.status_code == 200
    properties = Document(io.BytesIO(content_of(response))).core_properties
    assert properties.author == "丽 王"
    assert properties.last_modified_by == "丽 王"
    assert_recent(properties.created)


@pytest.mark.parametrize("what", ["workbook", "report"])
def test_the_export_command_names_the_operating_system_user(world, tmp_path, monkeypatch, what):
    monkeypatch.setenv("USER", "ops")
    monkeypatch.setenv("LOGNAME", "ops")
    out = tmp_path / f"export.{'docx' if what == 'report' else 'xlsx'}"
    call_command("export", department=world.code, year=world.year, what=what, out=str(out), stdout=io.StringIO())
    if what == "report":
        properties = Document(str(out)).core_properties
        author, modified_by, created = properties.author, properties.last_modified_by, properties.created
    else:
        properties = load_workbook(str(out)).properties
        author, modified_by, created = properties.creator, properties.lastModifiedBy, properties.created
    assert author.startswith("ops")
    assert modified_by == author
    assert_recent(created)


def test_the_export_command_writes_the_author_it_is_given(world, tmp_path):
    out = tmp_path / "执行情况.xlsx"
    call_command("export", department=world.code, year=world.year, what="execution", out=str(out), user="王丽",
                 stdout=io.StringIO())
    assert load_workbook(str(out)).properties.creator == "王丽 (manage.py export)"
