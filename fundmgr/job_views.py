"""The pages of a background job (fundmgr.jobs): its progress bar, a dry run's confirmation, an export's file.

Each fetches the job through fundmgr.jobs.job_for: 404 for anyone but the user who started it
(and, for an import, the finance office of the workbook's department).
"""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views import View

from fundmgr.jobs import IMPORT_KINDS, check_summary, job_confirm, job_for
from fundmgr.models import Job
from fundmgr.workbook.error_list import errors_workbook
from fundmgr.workbook.upload import xlsx_response


class JobMixin(LoginRequiredMixin):
    def job_context(self, job: Job) -> dict:
        context = {"job": job}
        if job.kind == Job.Kind.IMPORT_CHECK and job.status == Job.Status.DONE:
            context["check"] = check_summary(job.result)
        context["errors_download"] = has_error_list(job)
        return context


def has_error_list(job: Job) -> bool:
    """A failed import's errors located in the sheets are offered as a workbook, as on the upload page;
    a refusal of the file itself is one line on the page."""
    return job.kind in IMPORT_KINDS and job.status == Job.Status.FAILED and any(error.get("sheet") for error in job.errors)


class JobView(JobMixin, View):
    """The job's page: the progress bar, then its result or its errors."""

    def get(self, request, pk):
        job = job_for(request.user, pk)
        return render(request, "jobs/job.html", self.job_context(job))


class JobProgressView(JobMixin, View):
    """The fragment the progress bar polls (htmx): it stops polling once the job is finished."""

    def get(self, request, pk):
        job = job_for(request.user, pk)
        return render(request, "jobs/_progress.html", self.job_context(job))


class JobConfirmView(JobMixin, View):
    """A passed background dry run is confirmed here: the import itself runs as a new job.
    Only the user who uploaded the workbook may confirm it, as on the upload page (its session)."""

    def post(self, request, pk):
        job = job_for(request.user, pk)
        if job.kind != Job.Kind.IMPORT_CHECK or job.status != Job.Status.DONE or job.user_id != request.user.pk:
            raise Http404
        imported = job_confirm(job=job, user=request.user)
        if imported is None:
            messages.error(request, _("上传已失效，请重新上传工作簿"))
            return redirect("upload:workbook")
        return redirect("jobs:detail", pk=imported.pk)


class JobDownloadView(JobMixin, View):
    """A finished export's file, for the user who asked for it."""

    def get(self, request, pk):
        job = job_for(request.user, pk)
        if job.status != Job.Status.DONE or not job.output or not default_storage.exists(job.output):
            raise Http404
        filename = job.result.get("filename") or job.output.rsplit("/", 1)[-1]
        content_type = job.result.get("content_type") or "application/octet-stream"
        return FileResponse(
            default_storage.open(job.output, "rb"), as_attachment=True, filename=filename, content_type=content_type
        )


class JobErrorListView(JobMixin, View):
    """A failed background import's error list as a workbook (错误清单, fundmgr.workbook.error_list)."""

    def get(self, request, pk):
        job = job_for(request.user, pk)
        if not has_error_list(job):
            raise Http404
        rows = [[error["sheet"], error["row"], error["column"], error["message"]] for error in job.errors]
        return xlsx_response(errors_workbook(rows, user=request.user), _("导入错误清单.xlsx"))
