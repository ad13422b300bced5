"""Uploaded workbooks are parsed safely: openpyxl reads their XML through defusedxml, so entity
declarations (billion laughs, external entities) are refused with a message, never expanded,
never fetched, and never a 500."""

import io
import re
import zipfile

import openpyxl.xml
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template.defaultfilters import filesizeformat
from django.urls import reverse

from projects.models import Expenditure
from tests.fundmgr.workbooks import department_workbook
from units.models import Department

pytestmark = pytest.mark.django_db

NOT_A_WORKBOOK = "文件不是有效的 Excel 工作簿（.xlsx）"
DEPARTMENT_NAME = re.compile(r'(<c r="B2" t="inlineStr"><is><t>)[^<]*(</t>)')

BILLION_LAUGHS = (
    '<!DOCTYPE worksheet [<!ENTITY lol "lol">'
    + "".join(f'<!ENTITY lol{n} "{("&lol" + (str(n - 1) if n > 1 else "") + ";") * 10}">' for n in range(1, 10))
    + "]>"
)
ENTITY_USE = {
    "billion laughs": (BILLION_LAUGHS, "&lol9;"),
    "external entity": ('<!DOCTYPE worksheet [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>', "&xxe;"),
    "internal entity": ('<!DOCTYPE worksheet [<!ENTITY name "实体部门">]>', "&name;"),
}


def with_entity(kind: str) -> bytes:
    """A valid department workbook whose 部门 sheet declares an entity and names the department with it."""
    doctype, reference = ENTITY_USE[kind]
    changed = False
    source = zipfile.ZipFile(department_workbook())
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for member in source.infolist():
            content = source.read(member.filename)
            if member.filename == "xl/worksheets/sheet1.xml":
                # openpyxl writes no XML declaration: the document type goes first. B2 is the 部门名称.
                text, count = DEPARTMENT_NAME.subn(lambda match: match[1] + reference + match[2], content.decode())
                content, changed = (doctype + text).encode(), count == 1
            target.writestr(member, content)
    assert changed
    return buffer.getvalue()


def test_openpyxl_parses_with_defusedxml():
    assert openpyxl.xml.DEFUSEDXML is True


@pytest.mark.parametrize("kind", list(ENTITY_USE))
def test_an_upload_declaring_xml_entities_is_refused_with_a_message(world, as_persona, own_storage, kind):
    data = {"workbook": SimpleUploadedFile("budget.xlsx", with_entity(kind)), "replace": "on"}
    response = as_persona("finance").post(reverse("upload:workbook"), data)
    body = response.content.decode()
    assert response.status_code == 200
    assert NOT_A_WORKBOOK in body
    assert "试导入通过" not in body and 'name="confirm"' not in body
    assert "root:" not in body and "lollol" not in body and "实体部门" not in body
    assert list(own_storage.glob("*")) == []
    assert not Department.objects.filter(name="实体部门").exists()
    assert Expenditure.objects.filter(memo="办公用品").count() == 0


@pytest.mark.parametrize(
    "limit, shown", [(2 * 1024 * 1024, "上限为 2.0\xa0MB"), (500 * 1024, "上限为 500.0\xa0KB")], ids=["2 MB", "500 KB"]
)
def test_an_upload_over_the_size_limit_names_its_size_and_the_limit(world, as_persona, settings, limit, shown):
    settings.IMPORT_MAX_BYTES = limit
    huge = SimpleUploadedFile("huge.xlsx", b"x" * (limit + 1))
    response = as_persona("finance").post(reverse("upload:workbook"), {"workbook": huge})
    assert response.status_code == 200
    assert f"文件过大（{filesizeformat(limit + 1)}，{shown}）" in response.content.decode()
