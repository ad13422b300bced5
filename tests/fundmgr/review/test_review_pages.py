"""The finance bureau's review pages (fundmgr.review.views): upload a batch, the results, a table's detail."""

import io
import re
import time
import zipfile
from decimal import Decimal

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from fundmgr.review.batch import batch_path, expire_review_batches
from fundmgr.review.checker import Kind, check_json, table_check
from fundmgr.review.reader import NotASelfEvaluation, read_tables
from tests.builders import DepartmentFactory, MembershipFactory, UserFactory
from tests.fundmgr.review.tables import clean_department, clean_project, with_indicator, xlsx
from tests.personas import finance_bureau
from units.models import Membership

D = Decimal
pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def private_uploads(own_storage):
    return own_storage


def upload(client, *files):
    return client.post(
        reverse("review:upload"),
        {"workbooks": [SimpleUploadedFile(name, content) for name, content in files]},
    )


def overridden():
    return with_indicator(clean_project(score=D("95.12")), 1, earned=D("15.00"))


@pytest.fixture
def bureau(client):
    client.force_login(finance_bureau("bureau"))
    return client


def test_a_batch_lists_every_table_and_refuses_bad_files_by_name_while_going_on(bureau):
    response = upload(
        bureau,
        ("甲.xlsx", xlsx(overridden())),
        ("乙.xlsx", xlsx(clean_department())),
        ("说明.docx", b"not a workbook"),
        ("坏.xlsx", b"PK\x03\x04 broken"),
    )
    assert response.status_code == 302
    html = bureau.get(response["Location"]).content.decode()
    assert "甲.xlsx" in html and "乙.xlsx" in html
    assert "说明.docx：请上传 .xlsx 格式的工作簿" in html
    assert "坏.xlsx：" in html
    assert html.count('class="file-error"') == 2
    assert len(re.findall(r'href="/review/[0-9a-f]{32}/\d+/"', html)) == 2


def test_counts_by_kind_equal_the_checkers(bureau):
    content = xlsx(overridden())
    [table] = read_tables(content)
    expected = check_json(table_check(table), file="甲.xlsx")["findings"]
    assert expected, "the table must have findings for the test to mean anything"
    response = upload(bureau, ("甲.xlsx", content))
    page = bureau.get(response["Location"])
    [row] = page.context["rows"]
    kinds = [finding["kind"] for finding in expected]
    assert row["counts"] == [kinds.count(kind) for kind in Kind.values]
    assert row["total"] == len(expected)
    assert row["counts"][Kind.values.index(Kind.SCORE_OVERRIDE)] == 1


def test_the_detail_page_shows_each_finding_beside_its_row(bureau):
    response = upload(bureau, ("甲.xlsx", xlsx(overridden())))
    detail = bureau.get(response["Location"] + "1/")
    assert detail.status_code == 200
    [item] = [item for item in detail.context["indicators"] if item["findings"]]
    assert item["row"] == 15 and item["name"] == "培训合格率"
    html = detail.content.decode()
    row_html = html[html.index("<td>15</td>") :]
    row_html = row_html[: row_html.index("</tr>")]
    assert "指标得分与公式不符" in row_html
    assert bureau.get(response["Location"] + "2/").status_code == 404


def test_another_users_batch_is_404_and_others_get_403(bureau, client):
    response = upload(bureau, ("甲.xlsx", xlsx(clean_project())))
    url = response["Location"]
    other = finance_bureau("other")
    client.force_login(other)
    assert client.get(url).status_code == 404
    client.force_login(UserFactory())
    assert client.get(url).status_code == 403
    assert client.get(reverse("review:upload")).status_code == 403
    client.logout()
    assert client.get(reverse("review:upload")).status_code == 302


def workbook_of(*rows) -> bytes:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def zipped(*members) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in members:
            archive.writestr(name, content)
    return out.getvalue()


def test_a_zip_is_read_member_by_member_by_base_name(bureau):
    archive = zipped(
        ("../../etc/甲.xlsx", xlsx(overridden())),
        ("sub/乙.xlsx", xlsx(clean_project())),
        ("readme.txt", b"hello"),
    )
    response = upload(bureau, ("批次.zip", archive), ("丙.xlsx", xlsx(clean_department())))
    rows = bureau.get(response["Location"]).context["rows"]
    assert [row["file"] for row in rows] == ["批次.zip/甲.xlsx", "批次.zip/乙.xlsx", "批次.zip/readme.txt", "丙.xlsx"]
    assert rows[2]["error"] == "批次.zip/readme.txt：请上传 .xlsx 格式的工作簿"
    assert [row.get("number") for row in rows] == [1, 2, None, 3]


def test_a_zip_bomb_member_and_a_broken_zip_get_a_message_naming_them(bureau, settings):
    settings.IMPORT_MAX_BYTES = 200_000
    archive = zipped(("大.xlsx", b"0" * 1_000_000), ("甲.xlsx", xlsx(clean_project())))
    assert len(archive) < settings.IMPORT_MAX_BYTES
    response = upload(bureau, ("炸弹.zip", archive), ("坏.zip", b"PK not a zip"))
    rows = bureau.get(response["Location"]).context["rows"]
    assert rows[0]["error"].startswith("炸弹.zip/大.xlsx：文件过大")
    assert "number" in rows[1]
    assert rows[2]["error"] == "坏.zip：不是有效的 zip 压缩包"


def test_a_workbook_without_a_self_evaluation_and_an_empty_one_are_named(bureau):
    response = upload(bureau, ("清单.xlsx", workbook_of(["项目", "金额"], ["甲", 1])), ("空.xlsx", workbook_of()))
    rows = bureau.get(response["Location"]).context["rows"]
    for row, name in zip(rows, ["清单.xlsx", "空.xlsx"], strict=True):
        try:
            read_tables(workbook_of(["项目", "金额"], ["甲", 1]) if name == "清单.xlsx" else workbook_of())
        except NotASelfEvaluation as error:
            assert row["error"] == f"{name}：{error}"
        else:
            pytest.fail("the reader must refuse it")


def test_the_export_holds_the_counts_and_every_finding_with_formulas_as_text(bureau):
    content = xlsx(overridden())
    [table] = read_tables(content)
    expected = check_json(table_check(table), file="=HYPERLINK(1).xlsx")["findings"]
    response = upload(bureau, ("=HYPERLINK(1).xlsx", content), ("坏.docx", b"x"))
    export = bureau.get(response["Location"] + "export/")
    assert export.status_code == 200
    assert "attachment" in export["Content-Disposition"]
    book = load_workbook(io.BytesIO(export.content))
    assert book.sheetnames == ["自评表", "问题清单"]
    tables = list(book["自评表"].iter_rows(values_only=True))
    labels = [str(label) for _value, label in Kind.choices]
    assert list(tables[0]) == ["文件", "工作表", "名称", "自评总分", "复核总分", *labels, "问题合计"]
    first = tables[1]
    assert first[0] == "=HYPERLINK(1).xlsx" and book["自评表"]["A2"].data_type == "s"
    assert first[3] == 95.12
    kinds = [finding["kind"] for finding in expected]
    assert list(first[5:-1]) == [kinds.count(kind) for kind in Kind.values]
    assert first[-1] == len(expected)
    assert tables[2][0] == "坏.docx" and tables[2][2] == "坏.docx：请上传 .xlsx 格式的工作簿"
    findings = list(book["问题清单"].iter_rows(values_only=True))
    assert len(findings) == 1 + len(expected)
    assert [row[4] for row in findings[1:]] == [finding["message"] for finding in expected]
    assert book["问题清单"].column_dimensions["E"].width > 20


def test_an_empty_upload_is_refused_with_a_message(bureau):
    response = bureau.post(reverse("review:upload"), {})
    assert "请选择要复核的自评表工作簿" in response.content.decode()


@pytest.mark.parametrize("tables", [1, 3])
def test_page_query_counts_do_not_grow_with_the_batch(bureau, django_assert_num_queries, tables):
    response = upload(bureau, *[(f"{n}.xlsx", xlsx(overridden())) for n in range(tables)])
    url = response["Location"]
    # the session, the user, the 财政厅 group check
    with django_assert_num_queries(3):
        assert bureau.get(url).status_code == 200
    with django_assert_num_queries(3):
        assert bureau.get(url + "1/").status_code == 200
    with django_assert_num_queries(3):
        assert bureau.get(url + "export/").status_code == 200


def test_the_province_view_links_the_review_for_the_bureau_only(bureau, client):
    link = 'href="/review/"'
    assert link in bureau.get("/province/2024/").content.decode()
    leader = UserFactory()
    for code in ("RA", "RB"):
        department = DepartmentFactory(code=code)
        MembershipFactory(user=leader, department=department, role=Membership.Role.LEADER)
    client.force_login(leader)
    page = client.get("/province/2024/")
    assert page.status_code == 200 and link not in page.content.decode()
    assert client.get("/review/").status_code == 403


def test_an_old_batch_is_404_and_swept(bureau, settings):
    response = upload(bureau, ("甲.xlsx", xlsx(clean_project())))
    url = response["Location"]
    token = url.strip("/").split("/")[-1]
    assert bureau.get(url).status_code == 200
    path = batch_path(token)
    assert expire_review_batches(now=time.time() + settings.UPLOAD_TTL_HOURS * 3600 - 60) == 0
    assert expire_review_batches(now=time.time() + settings.UPLOAD_TTL_HOURS * 3600 + 60) == 1
    assert not default_storage.exists(path)
    assert bureau.get(url).status_code == 404
    assert batch_path("../../etc/passwd") is None
