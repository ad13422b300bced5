"""The finance bureau's review of filled 自评表 workbooks (DOMAIN.md section 10).

Who may review: superusers and the finance bureau group (财政厅), the users who see the
province view (units.access.province_department_ids). Others who are logged in get 403.

A batch is several .xlsx files or .zip files of them. A zip is read in memory, never extracted
to disk: only its .xlsx members are read (each named by its base name), at most MAX_FILES of
them, each at most IMPORT_MAX_BYTES however big its header says it is.
"""

import posixpath
import secrets
import zipfile

from django.conf import settings
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.core.files.storage import default_storage
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views import View

from fundmgr.jobs import job_start
from fundmgr.lib.table_xlsx import XLSX
from fundmgr.models import Job
from fundmgr.review.access import may_review
from fundmgr.review.batch import batch_keep, batch_load, expire_review_batches
from fundmgr.review.checker import Kind, check_json, table_check
from fundmgr.review.export import review_xlsx
from fundmgr.review.reader import NotASelfEvaluation, read_tables

MAX_FILES = 50


def file_result(upload) -> dict:
    """One uploaded file's results: its tables as check_json gives them, or its error."""
    name = upload.name
    if not name.lower().endswith(".xlsx"):
        return {"name": name, "error": _("%(file)s：请上传 .xlsx 格式的工作簿") % {"file": name}}
    if upload.size > settings.IMPORT_MAX_BYTES:
        return {
            "name": name,
            "error": _("%(file)s：文件过大（%(size)s，上限为 %(limit)s）")
            % {"file": name, "size": filesizeformat(upload.size), "limit": filesizeformat(settings.IMPORT_MAX_BYTES)},
        }
    return tables_result(name, upload.read())


def _member_bytes(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> bytes | None:
    """The member's bytes, or None past IMPORT_MAX_BYTES (read no further than that)."""
    if info.file_size > settings.IMPORT_MAX_BYTES:
        return None
    with archive.open(info) as member:
        content = member.read(settings.IMPORT_MAX_BYTES + 1)
    return None if len(content) > settings.IMPORT_MAX_BYTES else content


def zip_results(upload) -> list[dict]:
    """The results of each .xlsx member of an uploaded zip, or one error naming the zip."""
    name = upload.name
    if upload.size > settings.IMPORT_MAX_BYTES:
        return [file_result(upload)]
    try:
        archive = zipfile.ZipFile(upload)
        members = [info for info in archive.infolist() if not info.is_dir()]
    except (zipfile.BadZipFile, OSError, ValueError):
        return [{"name": name, "error": _("%(file)s：不是有效的 zip 压缩包") % {"file": name}}]
    workbooks = [info for info in members if info.filename.lower().endswith(".xlsx")]
    if len(workbooks) > MAX_FILES:
        return [{"name": name, "error": _("%(file)s：压缩包内的工作簿超过 %(count)s 个") % {"file": name, "count": MAX_FILES}}]
    results = []
    for info in members:
        member_name = f"{name}/{posixpath.basename(info.filename.replace(chr(92), '/'))}"
        if info not in workbooks:
            results.append({"name": member_name, "error": _("%(file)s：请上传 .xlsx 格式的工作簿") % {"file": member_name}})
            continue
        try:
            content = _member_bytes(archive, info)
        except (zipfile.BadZipFile, OSError, ValueError, NotImplementedError, RuntimeError):
            results.append({"name": member_name, "error": _("%(file)s：无法解压") % {"file": member_name}})
            continue
        if content is None:
            error = _("%(file)s：文件过大（上限为 %(limit)s）") % {
                "file": member_name,
                "limit": filesizeformat(settings.IMPORT_MAX_BYTES),
            }
            results.append({"name": member_name, "error": error})
            continue
        results.append(tables_result(member_name, content))
    if not results:
        results.append({"name": name, "error": _("%(file)s：压缩包内没有 .xlsx 工作簿") % {"file": name}})
    return results


def tables_result(name: str, content: bytes) -> dict:
    try:
        tables = read_tables(content)
    except NotASelfEvaluation as error:
        return {"name": name, "error": _("%(file)s：%(message)s") % {"file": name, "message": error}}
    return {"name": name, "tables": [check_json(table_check(table), file=name) for table in tables]}


def batch_results(uploads) -> list[dict]:
    results = []
    for upload in uploads:
        if upload.name.lower().endswith(".zip"):
            results.extend(zip_results(upload))
        else:
            results.append(file_result(upload))
    return results


def rows_of(batch: dict) -> list[dict]:
    """One row per table (numbered from 1 for its detail page) or per refused file."""
    rows, number = [], 0
    for entry in batch["files"]:
        if "error" in entry:
            rows.append({"file": entry["name"], "error": entry["error"]})
            continue
        for table in entry["tables"]:
            number += 1
            kinds = [f["kind"] for f in table.get("findings", [])]
            rows.append(
                {
                    "number": number,
                    "file": entry["name"],
                    "table": table,
                    "counts": [kinds.count(kind) for kind in Kind.values],
                    "total": len(kinds),
                }
            )
    return rows


class ReviewMixin(LoginRequiredMixin):
    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not may_review(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def batch(self, token):
        batch = batch_load(token, self.request.user)
        if batch is None:
            raise Http404
        return batch


class ReviewUploadView(ReviewMixin, View):
    def get(self, request):
        return render(request, "review/upload.html", {"error": None})

    def post(self, request):
        expire_review_batches()
        uploads = request.FILES.getlist("workbooks")
        if not uploads:
            return render(request, "review/upload.html", {"error": _("请选择要复核的自评表工作簿")})
        if len(uploads) > MAX_FILES:  # a zip's members are counted in zip_results
            return render(request, "review/upload.html", {"error": _("一次最多上传 %(count)s 个文件") % {"count": MAX_FILES}})
        if len(uploads) > settings.REVIEW_TASK_FILES:
            return self.start_job(request, uploads)
        token = batch_keep(user=request.user, files=batch_results(uploads))
        return redirect(reverse("review:batch", kwargs={"token": token}))

    @staticmethod
    def start_job(request, uploads):
        """A big batch is checked in the background (fundmgr.tasks): the files wait in
        the default storage for the worker, and the job's page links the batch once it is checked."""
        folder = f"review/{secrets.token_hex(16)}"
        files = [
            {"name": upload.name, "path": default_storage.save(f"{folder}/{number}.bin", upload)}
            for number, upload in enumerate(uploads, start=1)
        ]
        job = job_start(kind=Job.Kind.REVIEW, user=request.user, total=len(files), params={"files": files})
        return redirect("jobs:detail", pk=job.pk)


class ReviewBatchView(ReviewMixin, View):
    def get(self, request, token):
        batch = self.batch(token)
        return render(request, "review/batch.html", {"token": token, "rows": rows_of(batch), "kinds": Kind.choices})


class ReviewTableView(ReviewMixin, View):
    def get(self, request, token, number):
        rows = [row for row in rows_of(self.batch(token)) if row.get("number") == number]
        if not rows:
            raise Http404
        row = rows[0]
        table = row["table"]
        labels = dict(Kind.choices)
        findings = [{**f, "label": labels.get(f["kind"], f["kind"])} for f in table.get("findings", [])]
        by_row: dict[int, list] = {}
        for finding in findings:
            by_row.setdefault(finding["row"], []).append(finding)
        indicator_rows = {item["row"] for item in table["indicators"]}
        indicators = [{**item, "findings": by_row.get(item["row"], [])} for item in table["indicators"]]
        other = [f for f in findings if f["row"] not in indicator_rows]
        context = {"token": token, "row": row, "table": table, "indicators": indicators, "other": other}
        return render(request, "review/table.html", context)


class ReviewExportView(ReviewMixin, View):
    def get(self, request, token):
        content = review_xlsx(rows_of(self.batch(token)))
        response = HttpResponse(content, content_type=XLSX)
        response["Content-Disposition"] = content_disposition_header(True, _("自评表复核结果.xlsx"))
        return response
