"""佐证材料 (evidence files): checking an upload by its content, keeping it through Django's
storage API, and deleting it (issue 16 item 4).

A file is attached to one indicator, or to an evaluation: an item's (item set, indicator null) or
the department's (both null). Its type is read from its first bytes, never trusted from its name,
and must agree with its extension, so an .exe renamed .pdf is refused. The stored name is random,
under evidence/<department>/<year>/: the user's name is kept in the row only, for the download.
"""

import hashlib
import posixpath
import secrets
import zipfile

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import transaction
from django.http import Http404
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext as _

from indicators.models import Evidence, Indicator
from projects.models import BudgetItem
from units.access import Scope, record_in_scope
from units.locks import department_year_lock_exclusive, department_year_lock_shared
from units.models import DepartmentYear

Kind = Evidence.Kind

# The extensions a user may give each kind; the first is the stored file's.
EXTENSIONS = {
    Kind.PDF: (".pdf",),
    Kind.JPEG: (".jpg", ".jpeg"),
    Kind.PNG: (".png",),
    Kind.DOCX: (".docx",),
    Kind.XLSX: (".xlsx",),
}
CONTENT_TYPES = {
    Kind.PDF: "application/pdf",
    Kind.JPEG: "image/jpeg",
    Kind.PNG: "image/png",
    Kind.DOCX: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    Kind.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
ZIP_SIGNATURE = b"PK\x03\x04"
# The part of an Office Open XML package that names what it is: a Word document or a workbook.
OFFICE_PARTS = {Kind.DOCX: "word/document.xml", Kind.XLSX: "xl/workbook.xml"}


def kind_of_name(name: str) -> str | None:
    """The kind an extension claims, or None for an extension that is not allowed."""
    extension = posixpath.splitext(name.lower())[1]
    return next((kind for kind, extensions in EXTENSIONS.items() if extension in extensions), None)


def kind_of_content(upload: File) -> str | None:
    """The kind the file's bytes are, or None when they are none of the allowed kinds.

    PDF `%PDF-`, PNG's eight-byte signature, JPEG `FF D8 FF`; a docx or xlsx is a zip holding
    [Content_Types].xml and word/document.xml resp. xl/workbook.xml. Only the zip's directory is
    read, never a member, so a zip bomb costs nothing.
    """
    upload.seek(0)
    head = upload.read(8)
    upload.seek(0)
    if head.startswith(b"%PDF-"):
        return Kind.PDF
    if head.startswith(PNG_SIGNATURE):
        return Kind.PNG
    if head.startswith(b"\xff\xd8\xff"):
        return Kind.JPEG
    if head.startswith(ZIP_SIGNATURE):
        try:
            with zipfile.ZipFile(upload) as package:
                names = set(package.namelist())
        except (zipfile.BadZipFile, OSError, ValueError):
            return None
        finally:
            upload.seek(0)
        if "[Content_Types].xml" in names:
            return next((kind for kind, part in OFFICE_PARTS.items() if part in names), None)
    return None


def _refuse(name: str, message: str) -> ValidationError:
    return ValidationError({"file": _("%(file)s：%(problem)s") % {"file": name, "problem": message}})


def evidence_check(upload: File) -> str:
    """The upload's kind, or ValidationError naming the file: an extension not allowed, an empty
    file, a file over EVIDENCE_MAX_BYTES, content of no allowed kind, or content of another kind
    than its extension says."""
    name = original_name(upload)
    claimed = kind_of_name(name)
    if claimed is None:
        raise _refuse(name, _("只能上传 PDF、JPG、PNG、DOCX 或 XLSX 文件"))
    if not upload.size:
        raise _refuse(name, _("文件是空的"))
    if upload.size > settings.EVIDENCE_MAX_BYTES:
        sizes = {"size": filesizeformat(upload.size), "limit": filesizeformat(settings.EVIDENCE_MAX_BYTES)}
        raise _refuse(name, _("文件过大（%(size)s，上限为 %(limit)s）") % sizes)
    found = kind_of_content(upload)
    if found is None:
        raise _refuse(name, _("文件内容不是 PDF、JPG、PNG、DOCX 或 XLSX，可能是改了扩展名的其他文件"))
    if found != claimed:
        kinds = {"found": Kind(found).label, "claimed": Kind(claimed).label}
        raise _refuse(name, _("文件内容是 %(found)s，与扩展名（%(claimed)s）不符") % kinds)
    return found


def original_name(upload: File) -> str:
    """The name the user gave, without any folder a browser sent with it, at most 255 characters
    (the extension kept)."""
    name = posixpath.basename((upload.name or "").replace("\\", "/")).strip()
    if len(name) > 255:
        stem, extension = posixpath.splitext(name)
        name = stem[: 255 - len(extension)] + extension
    return name


def _sha256(upload: File) -> str:
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return digest.hexdigest()


def _storage():
    return Evidence._meta.get_field("file").storage


def _target_count(department_year: DepartmentYear, item: BudgetItem | None, indicator: Indicator | None) -> int:
    files = Evidence.objects.filter(department_year=department_year)
    if indicator is not None:
        return files.filter(indicator=indicator).count()
    return files.filter(item=item, indicator__isnull=True).count()


def _lock_target(department_year: DepartmentYear, item: BudgetItem | None, indicator: Indicator | None) -> bool:
    """Serialise the uploads to one target (the count limit), in the ledger's lock order
    (units/locks.py); False when the target is gone. The department's own evaluation has no row
    of its own but the department-year, taken exclusively: such uploads are rare and short (the
    file is stored before the lock is taken)."""
    if indicator is None and item is None:
        return department_year_lock_exclusive(department_year.pk)
    if not department_year_lock_shared(department_year.pk):
        return False
    if indicator is not None:
        return Indicator.objects.select_for_update().filter(pk=indicator.pk).exists()
    return BudgetItem.objects.select_for_update(of=("self",)).filter(pk=item.pk).exists()


def evidence_upload(
    *,
    department_year: DepartmentYear,
    upload: File,
    item: BudgetItem | None = None,
    indicator: Indicator | None = None,
    user=None,
) -> Evidence:
    """Attach a 佐证材料 to an indicator, or to the evaluation of `item` (None: the department's).

    Refused with a Chinese message naming the file (ValidationError keyed "file"; "indicator" for
    a target outside the evaluation) when evidence_check refuses it, or when the target already
    has EVIDENCE_MAX_FILES files. An indicator's evidence belongs to the indicator's own scope: an
    item's indicator on that item's evaluation, a department-level one on the department's.

    The file is stored first, under a random name, then the count is checked under the target's
    lock and the row written; a refusal there removes the stored file again, so a refused upload
    leaves nothing, neither in the database nor in the storage.
    """
    kind = evidence_check(upload)
    name = original_name(upload)
    if item is not None and item.department_year_id != department_year.pk:
        raise ValidationError({"indicator": _("该预算项目不属于本部门年度")})
    if indicator is not None and (
        indicator.department_year_id != department_year.pk or indicator.item_id != (item.pk if item else None)
    ):
        raise ValidationError({"indicator": _("所选绩效指标不属于本自评表")})
    digest = _sha256(upload)
    department = department_year.department
    path = f"evidence/{department.code}/{department_year.year}/{secrets.token_hex(16)}{EXTENSIONS[kind][0]}"
    storage = _storage()
    stored = storage.save(path, upload)
    try:
        with transaction.atomic():
            if not _lock_target(department_year, item, indicator):
                raise ValidationError({"file": _("%(file)s：所选自评表或指标已不存在，请刷新页面") % {"file": name}})
            limit = settings.EVIDENCE_MAX_FILES
            if _target_count(department_year, item, indicator) >= limit:
                where = indicator.name if indicator is not None else (item.name if item is not None else _("部门整体自评表"))
                raise _refuse(
                    name,
                    _("“%(target)s”已有 %(limit)s 个佐证材料，达到上限，请先删除不需要的文件")
                    % {"target": where, "limit": limit},
                )
            evidence = Evidence(
                department_year=department_year,
                item=item,
                indicator=indicator,
                file=stored,
                original_name=name,
                kind=kind,
                size=upload.size,
                sha256=digest,
                uploaded_by=user if user is not None and user.is_authenticated else None,
                uploaded_at=timezone.now(),
            )
            evidence._history_user = user
            evidence.full_clean(exclude=["department_year", "item", "indicator", "uploaded_by"])
            evidence.save()
    except BaseException:
        storage.delete(stored)
        raise
    return evidence


def evidence_delete(*, evidence: Evidence, user=None) -> None:
    """Delete a 佐证材料: the row (its history keeps who deleted it, and when), and the stored file
    once the transaction has committed, so that a rolled-back delete keeps its file."""
    with transaction.atomic():
        department_year_lock_shared(evidence.department_year_id)
        locked = Evidence.objects.select_for_update().filter(pk=evidence.pk).first()
        if locked is None:
            raise ValidationError({"file": _("%(file)s：该佐证材料已被删除") % {"file": evidence.original_name}})
        stored = locked.file.name
        storage = _storage()
        locked._history_user = user
        locked.delete()
        transaction.on_commit(lambda: storage.delete(stored))


def evidence_delete_year(*, department_year: DepartmentYear, user=None) -> int:
    """Delete every 佐证材料 of a department-year whose ledger is being replaced (the workbook's
    replace deletes its items and indicators, which the files are attached to): each row with its
    history (who, when), each stored file once the replace has committed. Runs inside the
    replace's transaction, which holds the department-year exclusively. Returns how many."""
    storage = _storage()
    deleted = 0
    for evidence in Evidence.objects.filter(department_year=department_year).order_by("pk"):
        stored = evidence.file.name
        evidence._history_user = user
        evidence.delete()
        transaction.on_commit(lambda stored=stored: storage.delete(stored))
        deleted += 1
    return deleted


def evidence_in_scope(scope: Scope, pk: int) -> Evidence:
    """A 佐证材料 of the scope's department-year, looked up before any right is checked: 404 for
    another department's (its pk under this department's address) or, for a unit accountant,
    another unit's; a department-level one asks for DEPARTMENT_WIDE (403 for an accountant), as
    the page listing it does (units.access.record_in_scope)."""
    evidence = Evidence.objects.select_related("item").filter(pk=pk).first()
    if evidence is None:
        raise Http404
    record_in_scope(
        scope, department_year_id=evidence.department_year_id, unit_id=evidence.item.unit_id if evidence.item_id else None
    )
    return evidence


def evidence_of(*, department_year_id: int, item_id: int | None) -> list[Evidence]:
    """The 佐证材料 of one evaluation, the item's (None: the department's), with those of its
    indicators, in upload order, with their indicator and uploader. One query."""
    return list(
        Evidence.objects.filter(department_year_id=department_year_id, item_id=item_id)
        .select_related("indicator", "uploaded_by")
        .order_by("uploaded_at", "id")
    )
