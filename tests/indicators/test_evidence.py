"""佐证材料 (indicators.evidence): a file is checked by its content, kept through the storage API
under a random name, limited in size and number per target, and deleted with its history."""

import hashlib
import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections, transaction

from fundmgr.demo.performance import DEMO_EVIDENCE_NAME, demo_evidence
from fundmgr.workbook import workbook_bytes, workbook_import, workbook_rows
from indicators.evidence import evidence_delete, evidence_upload, kind_of_content
from indicators.models import Evidence
from tests import personas
from tests.builders import IndicatorFactory
from tests.indicators.evidence_files import ALLOWED, DOCX, EXE, JPEG, PDF, PLAIN_ZIP, PNG, XLSX, files, stored_files, upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def storage(settings, tmp_path):
    return files(settings, tmp_path)


def attach(world, name, content, *, item=None, indicator=None, user=None):
    return evidence_upload(
        department_year=world.department_year,
        item=item,
        indicator=indicator,
        upload=upload(name, content),
        user=user or world.finance,
    )


def refusal(error: pytest.ExceptionInfo) -> str:
    return " ".join(message for messages in error.value.message_dict.values() for message in messages)


@pytest.mark.parametrize(("name", "content", "kind"), ALLOWED, ids=[row[0] for row in ALLOWED])
def test_each_allowed_type_is_accepted_and_stored_under_a_random_name(world, storage, name, content, kind):
    evidence = attach(world, name, content, item=world.item_a, indicator=world.indicator_a)
    evidence.refresh_from_db()
    assert (evidence.kind, evidence.original_name, evidence.size) == (kind, name, len(content))
    assert evidence.sha256 == hashlib.sha256(content).hexdigest()
    assert (evidence.item, evidence.indicator, evidence.uploaded_by) == (world.item_a, world.indicator_a, world.finance)
    assert evidence.file.name.startswith("evidence/PD/2024/")
    assert name.rsplit(".", 1)[0] not in evidence.file.name  # never the user's name
    assert stored_files(storage) == [storage / evidence.file.name]
    assert (storage / evidence.file.name).read_bytes() == content


def test_an_exe_renamed_pdf_is_refused_and_nothing_is_stored(world, storage):
    with pytest.raises(ValidationError) as error:
        attach(world, "审计报告.pdf", EXE, item=world.item_a)
    assert refusal(error) == "审计报告.pdf：文件内容不是 PDF、JPG、PNG、DOCX 或 XLSX，可能是改了扩展名的其他文件"
    assert not Evidence.objects.exists()
    assert stored_files(storage) == []


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("照片.pdf", PNG, "照片.pdf：文件内容是 PNG，与扩展名（PDF）不符"),
        ("表格.docx", XLSX, "表格.docx：文件内容是 Excel (XLSX)，与扩展名（Word (DOCX)）不符"),
        ("文档.xlsx", DOCX, "文档.xlsx：文件内容是 Word (DOCX)，与扩展名（Excel (XLSX)）不符"),
        ("图片.png", JPEG, "图片.png：文件内容是 JPEG，与扩展名（PNG）不符"),
        ("压缩包.docx", PLAIN_ZIP, "压缩包.docx：文件内容不是 PDF、JPG、PNG、DOCX 或 XLSX，可能是改了扩展名的其他文件"),
        ("程序.exe", EXE, "程序.exe：只能上传 PDF、JPG、PNG、DOCX 或 XLSX 文件"),
        ("无扩展名", PDF, "无扩展名：只能上传 PDF、JPG、PNG、DOCX 或 XLSX 文件"),
        ("空文件.pdf", b"", "空文件.pdf：文件是空的"),
    ],
)
def test_a_file_whose_content_or_name_is_not_allowed_is_refused_naming_it(world, storage, name, content, message):
    with pytest.raises(ValidationError) as error:
        attach(world, name, content)
    assert refusal(error) == message
    assert not Evidence.objects.exists()
    assert stored_files(storage) == []


def test_an_oversized_file_is_refused_and_one_at_the_limit_accepted(world, storage, settings):
    settings.EVIDENCE_MAX_BYTES = len(PDF)
    with pytest.raises(ValidationError) as error:
        attach(world, "大文件.pdf", PDF + b"\n")
    assert refusal(error).startswith("大文件.pdf：文件过大（")
    assert not Evidence.objects.exists()
    assert stored_files(storage) == []
    attach(world, "刚好.pdf", PDF)
    assert Evidence.objects.get().size == settings.EVIDENCE_MAX_BYTES


def test_the_count_limit_applies_to_each_target_and_a_refusal_keeps_nothing(world, storage, settings):
    settings.EVIDENCE_MAX_FILES = 2
    for number in (1, 2):
        attach(world, f"第{number}份.pdf", PDF, item=world.item_a, indicator=world.indicator_a)
    with pytest.raises(ValidationError) as error:
        attach(world, "第3份.pdf", PDF, item=world.item_a, indicator=world.indicator_a)
    assert refusal(error) == "第3份.pdf：“甲培训经费指标”已有 2 个佐证材料，达到上限，请先删除不需要的文件"
    assert Evidence.objects.count() == 2
    assert len(stored_files(storage)) == 2
    # the item's evaluation itself, and the department's, are targets of their own
    attach(world, "项目总结.pdf", PDF, item=world.item_a)
    attach(world, "部门总结.pdf", PDF)
    assert Evidence.objects.count() == 4


def test_an_indicator_outside_the_evaluation_is_refused(world, storage):
    with pytest.raises(ValidationError) as error:
        attach(world, "张冠李戴.pdf", PDF, item=world.item_a, indicator=world.indicator_b)
    assert refusal(error) == "所选绩效指标不属于本自评表"
    with pytest.raises(ValidationError):
        attach(world, "张冠李戴.pdf", PDF, indicator=world.indicator_a)  # an item's indicator on the department's
    assert not Evidence.objects.exists()
    assert stored_files(storage) == []


def test_delete_is_audited_with_who_and_the_stored_file_is_gone_after_commit(world, storage, django_capture_on_commit_callbacks):
    evidence = attach(world, "会议纪要.pdf", PDF, item=world.item_a, user=world.accountant_a)
    path = storage / evidence.file.name
    with django_capture_on_commit_callbacks(execute=True):
        evidence_delete(evidence=evidence, user=world.finance)
        assert path.exists()  # until the transaction commits
    assert not Evidence.objects.exists()
    assert not path.exists()
    history = list(Evidence.history.filter(id=evidence.pk).order_by("history_date").values_list("history_type", "history_user"))
    assert history == [("+", world.accountant_a.pk), ("-", world.finance.pk)]
    assert Evidence.history.get(id=evidence.pk, history_type="-").original_name == "会议纪要.pdf"


def test_a_rolled_back_delete_keeps_the_row_and_the_file(world, storage, django_capture_on_commit_callbacks):
    evidence = attach(world, "会议纪要.pdf", PDF, item=world.item_a)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(RuntimeError), transaction.atomic():
            evidence_delete(evidence=evidence, user=world.finance)
            raise RuntimeError("the request failed after the delete")
    assert callbacks == []
    assert Evidence.objects.filter(pk=evidence.pk).exists()
    assert (storage / evidence.file.name).exists()


def test_the_demo_attaches_one_valid_pdf_to_a_department_level_indicator(world, storage):
    indicator = IndicatorFactory(department_year=world.department_year, code="D1", name="帮扶家庭户数")
    evidence = demo_evidence(department_year=world.department_year, user=world.finance)
    assert (evidence.indicator, evidence.item, evidence.kind) == (indicator, None, "pdf")
    assert evidence.original_name == DEMO_EVIDENCE_NAME
    content = (storage / evidence.file.name).read_bytes()
    assert content.startswith(b"%PDF-1.4") and content.rstrip().endswith(b"%%EOF")
    assert b"/Type /Catalog" in content
    offset = int(content.rsplit(b"startxref\n", 1)[1].split(b"\n")[0])
    assert content[offset:].startswith(b"xref")  # the cross-reference table is where the trailer says
    assert demo_evidence(department_year=world.department_year, user=world.finance) == evidence  # a second run
    assert Evidence.objects.count() == 1


def test_the_content_check_reads_each_kind(storage):
    assert [kind_of_content(upload(name, content)) for name, content, _ in ALLOWED] == [kind for _, _, kind in ALLOWED]
    assert kind_of_content(upload("x.pdf", EXE)) is None


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("target", ["indicator", "item", "department"])
def test_uploads_racing_for_the_last_place_leave_exactly_the_limit_and_no_stray_file(target, settings, tmp_path):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: SQLite serialises whole-database writes and has no row locks to race")
    storage = files(settings, tmp_path)
    world = personas.build()
    settings.EVIDENCE_MAX_FILES = 3
    where = {
        "indicator": {"item": world.item_a, "indicator": world.indicator_a},
        "item": {"item": world.item_a},
        "department": {},
    }[target]
    attach(world, "已有.pdf", PDF, **where)
    barrier = threading.Barrier(6)
    accepted, refused, unexpected = [], [], []

    def uploader(number):
        try:
            barrier.wait(timeout=30)
            try:
                attach(world, f"并发{number}.pdf", PDF, **where)
            except ValidationError as error:
                refused.append(refusal_text(error))
            else:
                accepted.append(number)
        except BaseException as error:  # noqa: BLE001 - a deadlock or an IntegrityError is what we look for
            unexpected.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=uploader, args=(number,)) for number in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads)
    assert unexpected == []
    assert len(accepted) == 2 and len(refused) == 4
    assert all("达到上限" in message for message in refused)
    assert Evidence.objects.count() == 3
    assert len(stored_files(storage)) == 3


def refusal_text(error: ValidationError) -> str:
    return " ".join(error.messages)


def test_replacing_the_year_by_a_workbook_deletes_its_evidence_with_history_and_files(
    world, storage, django_capture_on_commit_callbacks
):
    on_indicator = attach(world, "指标佐证.pdf", PDF, item=world.item_a, indicator=world.indicator_a)
    on_department = attach(world, "部门佐证.pdf", PDF)
    content = workbook_bytes(workbook_rows(department_year=world.department_year))
    with django_capture_on_commit_callbacks(execute=True):
        result = workbook_import(source=content, replace=True, user=world.finance)
    assert result.errors == [] and result.replaced
    assert not Evidence.objects.exists()
    assert stored_files(storage) == []
    for evidence in (on_indicator, on_department):
        deleted = Evidence.history.get(id=evidence.pk, history_type="-")
        assert (deleted.original_name, deleted.history_user) == (evidence.original_name, world.finance)
