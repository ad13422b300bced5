"""Workbook upload in the browser: upload → dry run → confirm.

It calls the same import service as `manage.py import_budget` (fundmgr.workbook.workbook_import).
The uploaded file waits in the default storage (`uploads/`, under FILES_DIR or in the S3 bucket,
shared by every app server) under a random name kept in the session between the dry run and the
confirmation: only the session that uploaded it can confirm it, on whichever server, and only
within UPLOAD_TTL_HOURS. Older files are deleted by `manage.py expire_uploads` and, as it is
used, by the upload page.

A dry run that finds errors keeps them under the same random name (`<token>.errors.json`, with
who uploaded and for which department; fundmgr.workbook.error_list): the page lists them and offers
them as a workbook, to the uploader or the finance office of the workbook's department only.
The blank workbook (the template `manage.py budget_template` writes) is downloadable here too, and
so is a department-year's plan template (用款计划, fundmgr.workbook.plans), which imports back here.

A dry run tells a finance officer about their own department only. A workbook declaring
another department is refused with one message, before anything the import found out about
that department (its year exists, has closed months, or does not exist) is shown.
"""

import io
import re
import secrets
import time

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import InMemoryUploadedFile
from django.core.files.uploadhandler import FileUploadHandler
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from fundmgr import workbook
from fundmgr.jobs import job_start
from fundmgr.lib.logs import import_logged
from fundmgr.lib.table_xlsx import XLSX
from fundmgr.models import Job
from fundmgr.workbook import error_list, plans, schema
from fundmgr.workbook.department import file_was_read, workbook_department_code
from fundmgr.workbook.reader import open_workbook
from projects.selectors import ledger_counts
from units.access import (
    FINANCE,
    ScopedViewMixin,
    department_scope,
    home_department_year,
    is_finance_officer,
    may_import_into,
)

SESSION_KEY = "workbook_upload"
UPLOADS = "uploads"  # the folder of the default storage
# The names in the folder: 32 hex digits from secrets.token_hex(16), then `.xlsx` for a pending
# upload or `.errors.json` for a refused dry run's error list. Nothing else in the folder is ever
# opened, confirmed or deleted.
UPLOAD_NAME = re.compile(r"[0-9a-f]{32}\.xlsx")
ERRORS_NAME = re.compile(r"[0-9a-f]{32}\.errors\.json")  # a refused dry run's error list
HOUR = 3600


class SizeCappedUploadHandler(FileUploadHandler):
    """Passes at most IMPORT_MAX_BYTES of an uploaded file on to Django's own handlers (or the
    setting a view names in its `upload_max_bytes_setting`, as the 佐证材料 upload names
    EVIDENCE_MAX_BYTES: the URL is resolved before the body is read).

    Django would otherwise spool a whole upload to a temporary file before the form could
    compare its size with the limit: a multi-gigabyte POST would fill the disk first. Past the
    limit the rest is read and dropped, and an empty stand-in of the full size takes the file's
    place, so UploadForm refuses it with its usual message. First in FILE_UPLOAD_HANDLERS.
    """

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self.oversized = False
        match = getattr(self.request, "resolver_match", None)
        view_class = getattr(match.func, "view_class", None) if match is not None else None
        self.limit = getattr(settings, getattr(view_class, "upload_max_bytes_setting", "IMPORT_MAX_BYTES"))

    def receive_data_chunk(self, raw_data, start):
        if start + len(raw_data) > self.limit:
            self.oversized = True
            return None  # the handlers after this one get nothing more
        return raw_data

    def file_complete(self, file_size):
        if not self.oversized:
            return None  # the next handler returns the real file
        return InMemoryUploadedFile(
            io.BytesIO(), self.field_name, self.file_name, self.content_type, file_size, self.charset
        )


def kept_name(name: str, pattern: re.Pattern) -> str | None:
    """The storage name of a kept file, or None for anything that is not a token we issued."""
    return f"{UPLOADS}/{name}" if pattern.fullmatch(name) else None


def pending_path(token: str) -> str | None:
    """The storage name of a pending upload, or None for anything that is not a token we issued."""
    return kept_name(f"{token}.xlsx", UPLOAD_NAME)


def errors_path(token: str) -> str | None:
    """The storage name of a refused dry run's kept error list, or None for anything that is not a token we issued."""
    return kept_name(f"{token}.errors.json", ERRORS_NAME)


def kept_write(name: str, content: bytes) -> None:
    """Write a kept file under exactly `name` (a fresh random token: nothing is there already)."""
    saved = default_storage.save(name, ContentFile(content))
    if saved != name:  # the storage renamed it: never expected with 128 random bits
        default_storage.delete(saved)
        raise FileExistsError(name)


def kept_read(name: str) -> bytes | None:
    try:
        with default_storage.open(name, "rb") as kept:
            return kept.read()
    except (OSError, ValueError):  # gone (used, expired, swept by another server), or unreadable
        return None


def kept_delete(name: str | None) -> None:
    if name is not None:
        try:
            default_storage.delete(name)
        except OSError:  # swept by another server meanwhile
            pass


def expire_kept(patterns: tuple[re.Pattern, ...], *, now: float | None = None) -> int:
    """Delete the kept files matching `patterns` older than UPLOAD_TTL_HOURS; returns how many were deleted."""
    try:
        _folders, names = default_storage.listdir(UPLOADS)
    except (OSError, ValueError):  # no folder yet
        return 0
    cutoff = (now if now is not None else time.time()) - settings.UPLOAD_TTL_HOURS * HOUR
    deleted = 0
    for name in names:
        if not any(pattern.fullmatch(name) for pattern in patterns):
            continue
        try:
            if default_storage.get_modified_time(f"{UPLOADS}/{name}").timestamp() < cutoff:
                default_storage.delete(f"{UPLOADS}/{name}")
                deleted += 1
        except OSError:  # confirmed or swept by another process meanwhile
            continue
    return deleted


def expire_uploads(*, now: float | None = None) -> int:
    """Delete the pending uploads and kept error lists older than UPLOAD_TTL_HOURS; returns how many were deleted."""
    return expire_kept((UPLOAD_NAME, ERRORS_NAME), now=now)


def expired(pending: dict) -> bool:
    created = pending.get("created")
    return not isinstance(created, (int, float)) or time.time() - created > settings.UPLOAD_TTL_HOURS * HOUR


class UploadForm(forms.Form):
    workbook = forms.FileField(label=gettext_lazy("预算工作簿（.xlsx）"))
    replace = forms.BooleanField(
        label=gettext_lazy("替换已存在的部门年度数据"),
        required=False,
        help_text=gettext_lazy(
            "注意：选择替换后，该部门年度已有的全部预算项目、预算指标、支出明细和绩效指标将被删除，"
            "并按本工作簿重新写入，删除的数据不能恢复。试导入后会列出将被替换的条数，确认前请核对。"
        ),
    )

    def clean_workbook(self):
        workbook = self.cleaned_data["workbook"]
        if not workbook.name.lower().endswith(".xlsx"):
            raise forms.ValidationError(_("请上传 .xlsx 格式的工作簿"))
        if workbook.size > settings.IMPORT_MAX_BYTES:
            # filesizeformat, not whole megabytes: a limit under 1 MB used to read "0 MB".
            raise forms.ValidationError(
                _("文件过大（%(size)s，上限为 %(limit)s）")
                % {"size": filesizeformat(workbook.size), "limit": filesizeformat(settings.IMPORT_MAX_BYTES)}
            )
        return workbook


def declared_expenditure_rows(upload) -> int:
    """How many expenditure rows the uploaded workbook says it has (0 when it cannot be opened):
    past settings.IMPORT_TASK_ROWS its dry run and import run as background jobs."""
    book, _errors = open_workbook(upload)
    if book is None:
        return 0
    with book:
        rows = book.declared_rows(schema.EXPENDITURES)
    upload.seek(0)
    return rows


def run_import(name: str, *, replace: bool, dry_run: bool, user):
    with default_storage.open(name, "rb") as source:
        result = workbook.workbook_import(source=source, replace=replace, dry_run=dry_run, user=user)
    import_logged(result, user=user, channel="upload", replace=replace, dry_run=dry_run)
    return result


class FinanceOfficeMixin(LoginRequiredMixin):
    """The upload's pages are for some department's finance office (or a superuser): 403 for others."""

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not is_finance_officer(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


def xlsx_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


class TemplateDownloadView(FinanceOfficeMixin, View):
    """The blank budget workbook: headers, drop-down lists and the 说明 sheet (fundmgr.workbook.writer)."""

    def get(self, request):
        return xlsx_response(workbook.workbook_bytes(), _("预算工作簿模板.xlsx"))


class PlanTemplateView(ScopedViewMixin, View):
    """The plan template of a department-year (用款计划, fundmgr.workbook.plans): GET downloads it,
    every item with its budget and current plan; POST imports a filled one back, all or nothing.
    The finance office's (FINANCE): 404 outside the department, 403 for its other roles."""

    need = FINANCE

    def get(self, request, department_code, year):
        department_year = self.department_year
        filename = _("用款计划_%(code)s_%(year)s.xlsx") % {"code": department_year.department.code, "year": department_year.year}
        return xlsx_response(plans.plan_template_bytes(department_year), filename)

    def post(self, request, department_code, year):
        department_year = self.department_year
        form = UploadForm(request.POST, request.FILES)
        if not form.is_valid():
            for errors in form.errors.values():
                for error in errors:
                    messages.error(request, error)
        else:
            result = plans.plan_import(department_year=department_year, source=form.cleaned_data["workbook"], user=request.user)
            for error in result.errors:
                messages.error(request, str(error))
            if result.ok:
                messages.success(request, _("已导入用款计划：%(count)s个项目") % {"count": result.items})
        return redirect("department", department_code=department_year.department.code, year=department_year.year)


class ErrorListView(FinanceOfficeMixin, View):
    """The error list of a refused dry run as a workbook: for the user who uploaded it and the finance
    office of the workbook's department; 404 for anyone else, and once UPLOAD_TTL_HOURS have passed."""

    def get(self, request, token):
        name = errors_path(token)
        kept = error_list.errors_read(kept_read(name)) if name is not None else None
        if kept is None or expired(kept) or not self.may_read(request.user, kept):
            raise Http404
        return xlsx_response(error_list.errors_workbook(kept["errors"], user=request.user), _("导入错误清单.xlsx"))

    @staticmethod
    def may_read(user, kept: dict) -> bool:
        department = kept.get("department")
        return kept.get("user") == user.pk or (isinstance(department, str) and may_import_into(user, department))


class UploadView(FinanceOfficeMixin, View):
    template_name = "ledger/upload.html"

    def page(self, request, **context):
        """The page, with the department nav of the user's home department-year."""
        context.setdefault("form", UploadForm())
        department_year = home_department_year(request.user)
        if department_year is not None:
            scope = department_scope(request.user, department_code=department_year.department.code, year=department_year.year)
            context.update(department_year=department_year, scope=scope)
        return render(request, self.template_name, context)

    def keep_errors(self, request, result, *, token: str, department: str | None) -> str:
        """Keep the errors under the dry run's token, for the download (ErrorListView)."""
        content = error_list.errors_content(errors=result.errors, user=request.user, department=department)
        kept_write(errors_path(token), content)
        return token

    def get(self, request):
        expire_uploads()
        return self.page(request)

    def post(self, request):
        expire_uploads()
        if "confirm" in request.POST:
            return self.confirm(request)
        form = UploadForm(request.POST, request.FILES)
        if not form.is_valid():
            return self.page(request, form=form)
        self.discard_pending(request)
        token = secrets.token_hex(16)
        upload = form.cleaned_data["workbook"]
        rows = declared_expenditure_rows(upload)
        if rows > settings.IMPORT_TASK_ROWS:
            return self.start_check(request, upload, token=token, rows=rows, replace=form.cleaned_data["replace"])
        path = pending_path(token)
        saved = default_storage.save(path, upload)
        if saved != path:  # the storage renamed it: never expected with 128 random bits
            kept_delete(saved)
            raise FileExistsError(path)
        replace = form.cleaned_data["replace"]
        try:
            result = run_import(path, replace=replace, dry_run=True, user=request.user)
        except ValidationError as error:
            kept_delete(path)
            form.add_error("workbook", error.messages)
            return self.page(request, form=form)
        # A file the importer could not open is never opened again (a zip bomb must not reach
        # openpyxl here either); its errors are about the file and say nothing of any department.
        code = None
        if file_was_read(result):
            with default_storage.open(path, "rb") as source:
                code = workbook_department_code(result, source)
        if code is not None and not may_import_into(request.user, code):
            # Before any of the dry run's findings: whether that department's year exists or has
            # closed months is not this user's to learn.
            return self.refused(request, form, path)
        if result.errors:
            kept_delete(path)
            # Errors located in the sheets are kept for the download; a refusal of the file itself
            # is one line on the page, and nothing of it stays on disk.
            errors_token = self.keep_errors(request, result, token=token, department=code) if file_was_read(result) else None
            return self.page(request, form=form, result=result, dry_run=True, errors_token=errors_token)
        if not may_import_into(request.user, code):
            return self.refused(request, form, path)
        request.session[SESSION_KEY] = {"token": token, "replace": replace, "department": code, "created": time.time()}
        return self.page(request, form=form, result=result, dry_run=True, replacing=self.replacing(result, replace=replace))

    @staticmethod
    def start_check(request, upload, *, token: str, rows: int, replace: bool):
        """A big workbook's dry run runs in the background (fundmgr.tasks); the file is kept in the
        default storage, where the worker reads it, and the job's page follows it."""
        source = default_storage.save(f"imports/{token}.xlsx", upload)
        job = job_start(kind=Job.Kind.IMPORT_CHECK, user=request.user, total=rows, source=source, params={"replace": replace})
        return redirect("jobs:detail", pk=job.pk)

    @staticmethod
    def replacing(result, *, replace: bool) -> dict | None:
        """What a replace would delete: the existing department-year's items, lines and expenditures
        (a dry run returns the department-year only when it exists already)."""
        department_year = getattr(result, "department_year", None)
        if not replace or department_year is None or department_year.pk is None:
            return None
        return {"department_year": department_year, **ledger_counts(department_year=department_year)}

    def refused(self, request, form, path: str):
        kept_delete(path)
        form.add_error("workbook", _("您不是该工作簿所属部门的财务处人员，不能导入"))
        return self.page(request, form=form)

    def discard_pending(self, request) -> None:
        """A new dry run replaces the session's pending upload: its file goes at once."""
        pending = request.session.pop(SESSION_KEY, None)
        kept_delete(pending_path(str(pending.get("token", ""))) if isinstance(pending, dict) else None)

    def confirm(self, request):
        pending = request.session.pop(SESSION_KEY, None)
        if not isinstance(pending, dict) or pending.get("token") != request.POST.get("token", ""):
            messages.error(request, _("上传已失效，请重新上传工作簿"))
            return redirect("upload:workbook")
        path = pending_path(str(pending.get("token", "")))
        if path is None:
            messages.error(request, _("上传已失效，请重新上传工作簿"))
            return redirect("upload:workbook")
        if expired(pending):
            kept_delete(path)
            messages.error(
                request,
                _("该工作簿试导入后已超过%(hours)s小时未确认，上传已失效，请重新上传") % {"hours": settings.UPLOAD_TTL_HOURS},
            )
            return redirect("upload:workbook")
        if not default_storage.exists(path) or not may_import_into(request.user, pending.get("department")):
            kept_delete(path)
            messages.error(request, _("上传已失效，请重新上传工作簿"))
            return redirect("upload:workbook")
        try:
            result = run_import(path, replace=pending["replace"], dry_run=False, user=request.user)
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
            return redirect("upload:workbook")
        finally:
            kept_delete(path)
        if result.errors:
            errors_token = None
            if file_was_read(result):
                errors_token = self.keep_errors(request, result, token=pending["token"], department=pending.get("department"))
            return self.page(request, result=result, dry_run=False, errors_token=errors_token)
        department_year = result.department_year
        messages.success(request, _("工作簿已导入"))
        return redirect(
            reverse("department", kwargs={"department_code": department_year.department.code, "year": department_year.year})
        )
