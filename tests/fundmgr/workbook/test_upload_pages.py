"""The upload page's doors and warnings (fundmgr.workbook.upload): the blank template, the error
list as a workbook (for the uploader and their department's finance office only), the department
nav, the plain warning on 替换 with what a replace deletes, and no command-line text."""

import io
import os
import time
from urllib.parse import quote

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from fundmgr.workbook import schema
from fundmgr.workbook.upload import expire_uploads
from projects.models import Expenditure
from tests import personas
from tests.fundmgr.workbooks import department_workbook

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def uploads(settings, own_storage):
    settings.UPLOAD_TTL_HOURS = 24
    return own_storage


def upload(client, workbook, replace=False):
    data = {"workbook": SimpleUploadedFile("budget.xlsx", workbook.getvalue())}
    if replace:
        data["replace"] = "on"
    return client.post(reverse("upload:workbook"), data)


def errors_url(body: str) -> str:
    start = body.index('id="errors-download" href="') + len('id="errors-download" href="')
    return body[start : body.index('"', start)]


def test_the_page_offers_the_blank_template_and_it_is_the_import_format(world, as_persona):
    client = as_persona("finance")
    page = client.get(reverse("upload:workbook")).content.decode()
    assert f'href="{reverse("upload:template")}"' in page
    response = client.get(reverse("upload:template"))
    assert response.status_code == 200
    assert f"filename*=utf-8''{quote('预算工作簿模板.xlsx')}" in response["Content-Disposition"]
    book = load_workbook(io.BytesIO(response.content))
    assert [sheet.name for sheet in schema.SHEETS if sheet.name not in book.sheetnames] == []
    assert [cell.value for cell in book[schema.EXPENDITURES.name][1]][:3] == ["项目编码", "支出日期", "金额"]


def test_a_refused_dry_run_offers_its_errors_as_a_workbook(world, as_persona):
    client = as_persona("finance")
    body = upload(client, department_workbook(world, spend="200000.00"), replace=True).content.decode()
    assert "下载错误清单（Excel）" in body
    response = client.get(errors_url(body))
    assert response.status_code == 200
    assert f"filename*=utf-8''{quote('导入错误清单.xlsx')}" in response["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(response.content))["错误清单"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("工作表", "行号", "列", "问题")
    assert rows[1][:3] == ("支出明细", 2, "金额")
    assert "可用指标 100,000.00 元" in rows[1][3] and "超出 100,000.00 元" in rows[1][3]
    # fitted: each column as wide as its longest entry (a CJK character counts two)
    assert sheet.column_dimensions["A"].width == 2 * len("支出明细") + 2
    assert sheet.column_dimensions["B"].width == 2 * len("行号") + 2
    assert sheet.column_dimensions["D"].width > 40


def test_the_error_list_is_for_the_uploader_and_their_departments_finance_office_only(world, as_persona, client):
    body = upload(as_persona("finance"), department_workbook(world, spend="0")).content.decode()
    url = errors_url(body)
    colleague = personas.member(personas.user("finance_2"), world.department_year, "finance")
    client.force_login(colleague)
    assert client.get(url).status_code == 200
    stranger = personas.build(code="QD", prefix="q_").finance
    client.force_login(stranger)
    assert client.get(url).status_code == 404
    client.force_login(world.accountant_a)
    assert client.get(url).status_code == 403
    client.force_login(world.finance)
    assert client.get(reverse("upload:errors", kwargs={"token": "0" * 32})).status_code == 404
    assert client.get(reverse("upload:errors", kwargs={"token": "A" * 32})).status_code == 404
    assert client.get("/imports/upload/errors/..%2F..%2Fsettings/").status_code == 404


def test_the_error_list_expires_with_the_uploads(world, as_persona, uploads):
    client = as_persona("finance")
    url = errors_url(upload(client, department_workbook(world, spend="0")).content.decode())
    (kept,) = uploads.glob("*.errors.json")
    day_ago = time.time() - 25 * 3600
    os.utime(kept, (day_ago, day_ago))
    assert expire_uploads() == 1
    assert client.get(url).status_code == 404


def test_the_upload_page_has_the_department_nav(world, as_persona):
    page = as_persona("finance").get(reverse("upload:workbook")).content.decode()
    assert f'href="{reverse("department", kwargs=world.kwargs)}"' in page
    assert f'href="{reverse("expenditures:approvals", kwargs=world.kwargs)}"' in page


def test_replace_is_explained_next_to_the_option_and_the_confirmation_repeats_what_it_deletes(world, as_persona):
    client = as_persona("finance")
    page = client.get(reverse("upload:workbook")).content.decode()
    assert "选择替换后，该部门年度已有的全部预算项目、预算指标、支出明细和绩效指标将被删除" in page
    body = upload(client, department_workbook(world), replace=True).content.decode()
    # the world: items A1, A2, B1 with a line each; 1,000.00 and 2,000.00 approved, 60,000.00 pending
    assert "确认后将删除 PD 测试部门 2024年度现有的 3 个预算项目、3 条预算指标、3 笔支出明细" in body
    assert "确认替换并导入" in body
    assert Expenditure.objects.count() == 3


def test_a_new_department_year_needs_no_replace_warning(world, as_persona, superuser, client):
    client.force_login(superuser)
    body = upload(client, department_workbook(code="NEWD"), replace=True).content.decode()
    assert "试导入通过" in body
    assert 'id="replace-warning"' not in body


def test_the_page_never_shows_command_line_text(world, as_persona):
    client = as_persona("finance")
    refused = upload(client, department_workbook(world)).content.decode()  # the year exists, no replace asked
    assert "年度已存在；如需用本工作簿替换该年度的数据，请选择“替换”" in refused
    for page in (client.get(reverse("upload:workbook")).content.decode(), refused):
        assert "manage.py" not in page and "命令行" not in page and "--replace" not in page
