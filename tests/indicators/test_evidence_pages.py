"""佐证材料 on the 自评表 pages: who lists, downloads, uploads and deletes them (units.access), and
the change log."""

from decimal import Decimal
from urllib.parse import quote

import pytest
from django.urls import reverse

from indicators.evidence import evidence_upload
from indicators.models import Evidence
from tests.builders import IndicatorFactory
from tests.indicators.evidence_files import EXE, PDF, PNG, files, stored_files, upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def storage(settings, tmp_path):
    return files(settings, tmp_path)


def url(world, name, **kwargs):
    return reverse(name, kwargs={**world.kwargs, **kwargs})


def attached(world, name="培训签到表.pdf", content=PDF, *, item=None, indicator=None):
    return evidence_upload(
        department_year=world.department_year, item=item, indicator=indicator, upload=upload(name, content), user=world.finance
    )


def test_an_upload_in_the_item_page_is_listed_there_with_its_indicator(world, storage, as_persona):
    client = as_persona("accountant_a")
    response = client.post(
        url(world, "indicators:item_evidence_upload", item_code="A1"),
        {"file": upload("培训签到表.pdf", PDF), "indicator": world.indicator_a.code},
        follow=True,
    )
    assert response.redirect_chain == [(url(world, "indicators:item_evaluation", item_code="A1"), 302)]
    page = response.content.decode()
    assert "已上传佐证材料“培训签到表.pdf”" in page
    evidence = Evidence.objects.get()
    row = page[page.index(f'id="evidence-{evidence.pk}"') :].split("</tr>")[0]
    assert "培训签到表.pdf" in row and "I-A1 甲培训经费指标" in row and "accountant_a" in row
    assert url(world, "indicators:evidence_download", pk=evidence.pk) in row
    assert url(world, "indicators:evidence_delete", pk=evidence.pk) in row  # the accountant may delete it
    assert (evidence.item, evidence.indicator, evidence.uploaded_by) == (world.item_a, world.indicator_a, world.accountant_a)


def test_the_department_page_lists_its_evidence_and_the_finance_office_uploads_there(world, storage, as_persona):
    indicator = IndicatorFactory(department_year=world.department_year, code="D1", name="帮扶家庭户数", target=None)
    client = as_persona("finance")
    response = client.post(
        url(world, "indicators:evidence_upload"), {"file": upload("入户登记.png", PNG), "indicator": "D1"}, follow=True
    )
    page = response.content.decode()
    assert response.redirect_chain == [(url(world, "indicators:evaluation"), 302)]
    assert "已上传佐证材料“入户登记.png”" in page and "D1 帮扶家庭户数" in page
    assert Evidence.objects.get().indicator == indicator
    # the leader reads and downloads it, without the form or a delete button
    leader_page = as_persona("leader").get(url(world, "indicators:evaluation")).content.decode()
    assert "入户登记.png" in leader_page
    assert 'id="evidence-upload"' not in leader_page and "indicators:evidence_delete" not in leader_page
    assert url(world, "indicators:evidence_delete", pk=Evidence.objects.get().pk) not in leader_page


def test_a_refused_upload_names_the_file_and_keeps_nothing(world, storage, as_persona):
    response = as_persona("finance").post(
        url(world, "indicators:item_evidence_upload", item_code="A1"), {"file": upload("审计报告.pdf", EXE)}, follow=True
    )
    assert "审计报告.pdf：文件内容不是 PDF、JPG、PNG、DOCX 或 XLSX，可能是改了扩展名的其他文件" in response.content.decode()
    assert not Evidence.objects.exists()
    assert stored_files(storage) == []


def test_an_indicator_of_another_evaluation_is_refused_in_the_form(world, storage, as_persona):
    response = as_persona("finance").post(
        url(world, "indicators:item_evidence_upload", item_code="A1"),
        {"file": upload("签到表.pdf", PDF), "indicator": world.indicator_b.code},
        follow=True,
    )
    assert "所选绩效指标不属于本自评表" in response.content.decode()
    assert not Evidence.objects.exists()


def test_a_post_without_a_file_asks_for_one(world, storage, as_persona):
    response = as_persona("finance").post(url(world, "indicators:evidence_upload"), {}, follow=True)
    assert "请选择要上传的佐证材料文件" in response.content.decode()


def test_the_download_is_an_attachment_under_its_chinese_name_that_the_browser_may_not_sniff(world, storage, as_persona):
    evidence = attached(world, "培训签到表（盖章）.pdf", item=world.item_a)
    for persona in ("finance", "accountant_a", "leader"):
        response = as_persona(persona).get(url(world, "indicators:evidence_download", pk=evidence.pk))
        assert response.status_code == 200, persona
        assert b"".join(response.streaming_content) == PDF
        assert response["Content-Type"] == "application/pdf"
        assert response["X-Content-Type-Options"] == "nosniff"
        disposition = response["Content-Disposition"]
        assert disposition.startswith("attachment;")
        assert f"filename*=utf-8''{quote('培训签到表（盖章）.pdf')}" in disposition


def test_another_units_file_is_404_for_an_accountant_and_their_delete_removes_nothing(world, storage, as_persona):
    evidence = attached(world, item=world.item_a, indicator=world.indicator_a)
    client = as_persona("accountant_b")
    assert client.get(url(world, "indicators:evidence_download", pk=evidence.pk)).status_code == 404
    assert client.post(url(world, "indicators:evidence_delete", pk=evidence.pk)).status_code == 404
    assert (
        client.post(url(world, "indicators:item_evidence_upload", item_code="A1"), {"file": upload("x.pdf", PDF)}).status_code
        == 404
    )
    assert Evidence.objects.count() == 1
    assert len(stored_files(storage)) == 1
    item_page = client.get(url(world, "indicators:item_evaluation", item_code="B1")).content.decode()
    assert "培训签到表.pdf" not in item_page


def test_another_departments_file_is_404_for_its_finance_office_too(world, other, storage, client):
    evidence = attached(world, item=world.item_a)
    client.force_login(other.finance)
    assert client.get(url(world, "indicators:evidence_download", pk=evidence.pk)).status_code == 404
    foreign = {"department_code": other.code, "year": other.year, "pk": evidence.pk}
    assert client.get(reverse("indicators:evidence_download", kwargs=foreign)).status_code == 404
    assert client.post(reverse("indicators:evidence_delete", kwargs=foreign)).status_code == 404
    assert Evidence.objects.filter(pk=evidence.pk).exists()


def test_the_departments_own_evidence_is_403_for_an_accountant(world, storage, as_persona):
    evidence = attached(world)
    client = as_persona("accountant_a")
    assert client.get(url(world, "indicators:evidence_download", pk=evidence.pk)).status_code == 403
    assert client.post(url(world, "indicators:evidence_delete", pk=evidence.pk)).status_code == 403
    assert client.post(url(world, "indicators:evidence_upload"), {"file": upload("x.pdf", PDF)}).status_code == 403
    assert Evidence.objects.count() == 1


def test_the_leader_may_neither_upload_nor_delete(world, storage, as_persona):
    evidence = attached(world, item=world.item_a)
    client = as_persona("leader")
    assert (
        client.post(url(world, "indicators:item_evidence_upload", item_code="A1"), {"file": upload("x.pdf", PDF)}).status_code
        == 403
    )
    assert client.post(url(world, "indicators:evidence_delete", pk=evidence.pk)).status_code == 403
    assert Evidence.objects.count() == 1


def test_a_delete_from_the_page_removes_the_file_and_shows_in_the_change_log(
    world, storage, as_persona, django_capture_on_commit_callbacks
):
    evidence = attached(world, "会议纪要.pdf", item=world.item_a, indicator=world.indicator_a)
    client = as_persona("accountant_a")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url(world, "indicators:evidence_delete", pk=evidence.pk), follow=True)
    assert response.redirect_chain == [(url(world, "indicators:item_evaluation", item_code="A1"), 302)]
    assert "已删除佐证材料“会议纪要.pdf”" in response.content.decode()
    assert not Evidence.objects.exists()
    assert stored_files(storage) == []
    for persona in ("finance", "accountant_a"):
        log = as_persona(persona).get(url(world, "audit:changes")).content.decode()
        rows = [row for row in log.split("<tr") if "会议纪要.pdf（I-A1）" in row]
        assert len(rows) == 2, persona  # the upload and the delete
        assert "删除" in rows[0] and "accountant_a" in rows[0]
        assert "新增" in rows[1] and "finance" in rows[1]
    assert "会议纪要.pdf" not in as_persona("accountant_b").get(url(world, "audit:changes")).content.decode()


def test_a_stored_file_gone_from_the_storage_is_404_not_a_traceback(world, storage, as_persona):
    evidence = attached(world, item=world.item_a)
    (storage / evidence.file.name).unlink()
    assert as_persona("finance").get(url(world, "indicators:evidence_download", pk=evidence.pk)).status_code == 404


@pytest.mark.parametrize("count", [1, 6])
def test_the_department_page_runs_two_queries_more_whatever_the_number_of_files(
    world, storage, as_persona, django_assert_num_queries, count
):
    indicator = IndicatorFactory(department_year=world.department_year, code="D1", actual=Decimal("10"))
    for number in range(count):
        attached(world, f"第{number}份.pdf", indicator=indicator if number % 2 else None)
    client = as_persona("finance")
    # 1 session, 2 user, 3 department-year (scope), 4 membership (scope), budget_summary: 5 units,
    # 6 items, 7 their figures with the budget by source and the lines of the budget block, 8 indicators,
    # 9 scoring profiles, 10 staff totals, 11 三公经费, 12 the 年度总体目标, 13 the latest 自评表 upload,
    # 14 the 目标版本 in force (as tests/indicators/test_views.py pins them), then
    # 15 the evidence with their indicators and uploaders, 16 the indicators of the upload form
    with django_assert_num_queries(16):
        response = client.get(url(world, "indicators:evaluation"))
    assert response.content.decode().count('id="evidence-') == count + 2  # the rows, the section and the form


@pytest.mark.parametrize("count", [1, 6])
def test_the_item_page_runs_two_queries_more_whatever_the_number_of_files(
    world, storage, as_persona, django_assert_num_queries, count
):
    for number in range(count):
        attached(world, f"第{number}份.pdf", item=world.item_a, indicator=world.indicator_a if number % 2 else None)
    client = as_persona("accountant_a")
    # 1 session, 2 user, 3 department-year, 4 membership, 5 the item, 6 its figures with its budget lines,
    # 7 its indicators, 8 its scoring profile, 9 its 年度总体目标, 10 its latest 自评表 upload,
    # 11 its 目标版本 in force, 12 the evidence with their indicators and uploaders, 13 the indicators of the upload form
    with django_assert_num_queries(13):
        response = client.get(url(world, "indicators:item_evaluation", item_code="A1"))
    assert response.content.decode().count("第") >= count


def test_the_admin_lists_the_evidence_read_only_without_linking_the_stored_file(world, storage, as_persona):
    evidence = attached(world, "会议纪要.pdf", item=world.item_a)
    client = as_persona("finance")
    listing = client.get(reverse("admin:indicators_evidence_changelist")).content.decode()
    assert "会议纪要.pdf" in listing
    page = client.get(reverse("admin:indicators_evidence_change", args=[evidence.pk])).content.decode()
    assert url(world, "indicators:evidence_download", pk=evidence.pk) in page
    assert evidence.file.name not in page  # neither the stored name nor a storage URL
    assert 'name="original_name"' not in page  # nothing to edit
    assert client.post(reverse("admin:indicators_evidence_delete", args=[evidence.pk]), {"post": "yes"}).status_code == 403
    assert Evidence.objects.filter(pk=evidence.pk).exists()


def test_a_file_larger_than_a_workbook_may_be_but_within_the_evidence_limit_arrives_whole(world, storage, as_persona, settings):
    """The upload handler that caps a workbook's upload lets a 佐证材料 up to EVIDENCE_MAX_BYTES through."""
    settings.IMPORT_MAX_BYTES = 100
    settings.EVIDENCE_MAX_BYTES = 10_000
    content = PDF + b"%" * 1000
    client = as_persona("finance")
    client.post(url(world, "indicators:item_evidence_upload", item_code="A1"), {"file": upload("长报告.pdf", content)})
    evidence = Evidence.objects.get()
    assert (storage / evidence.file.name).read_bytes() == content


def test_a_file_over_the_evidence_limit_is_refused_in_the_page_naming_it(world, storage, as_persona, settings):
    settings.IMPORT_MAX_BYTES = 100
    settings.EVIDENCE_MAX_BYTES = 500
    response = as_persona("finance").post(
        url(world, "indicators:item_evidence_upload", item_code="A1"),
        {"file": upload("超大报告.pdf", PDF + b"%" * 1000)},
        follow=True,
    )
    assert "超大报告.pdf：文件过大（" in response.content.decode()
    assert not Evidence.objects.exists()
    assert stored_files(storage) == []


def test_an_item_without_indicators_has_no_evaluation_to_attach_evidence_to(world, storage, as_persona):
    response = as_persona("finance").post(
        url(world, "indicators:item_evidence_upload", item_code="A2"), {"file": upload("x.pdf", PDF)}
    )
    assert response.status_code == 404
    assert not Evidence.objects.exists()
