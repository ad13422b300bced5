"""The background tasks (django-tasks; the worker is `manage.py db_worker`, README "Background work").

Each task takes the id of its Job (fundmgr.jobs), runs the same service as the page that would
have run it in the request, and leaves its progress, errors and result on the Job. An import keeps
its one transaction (fundmgr.workbook.importer): a failed one writes nothing but its errors. An
unexpected error fails the job with a general message (the traceback goes to the log) and fails
the task too.
"""

import logging
import tempfile
from datetime import date

from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.storage import default_storage
from django.utils import translation
from django.utils.translation import gettext as _

from fundmgr import workbook
from fundmgr.exports import registry
from fundmgr.jobs import Heartbeat, ProgressReporter, job_begin, job_fail, job_finish, job_source_delete, job_task, message_row
from fundmgr.lib.logs import import_logged
from fundmgr.lib.table_xlsx import document_author, stamp_for
from fundmgr.models import Job
from fundmgr.review.batch import batch_keep
from fundmgr.review.views import batch_results
from fundmgr.workbook.department import file_was_read, workbook_department_code
from projects.selectors import ledger_counts
from units.access import may_import_into
from units.models import BudgetUnit, DepartmentYear

logger = logging.getLogger(__name__)


def run_job(job_id: str, work) -> None:
    job = job_begin(job_id=job_id)
    if job is None:
        return
    with translation.override(job.params.get("language")), Heartbeat(job):
        try:
            work(job)
        except Exception:
            logger.exception("job %s (%s) failed", job.pk, job.kind)
            job_fail(job=job, errors=[message_row(_("任务意外中止，未写入任何数据；请重试，或联系系统管理员"))])
            raise


def error_rows(errors) -> list[dict]:
    """The importer's WorkbookErrors as the page lists them (sheet, row, column, message)."""
    return [{"sheet": error.sheet, "row": error.row, "column": error.column, "message": error.message} for error in errors]


def import_result_json(result, *, replace: bool) -> dict:
    """What a passed dry run reports (the upload page's summary), kept on the job as JSON."""
    summary = {
        "counts": result.counts,
        "unit_totals": [
            {"code": unit.code, "name": unit.name, "full_year": str(unit.full_year), "spent": str(unit.spent)}
            for unit in result.unit_totals
        ],
        "replace": replace,
    }
    department_year = result.department_year
    if department_year is not None and department_year.pk:
        summary["department_year"] = {
            "code": department_year.department.code,
            "name": department_year.department.name,
            "year": department_year.year,
        }
        if replace:
            summary["replacing"] = ledger_counts(department_year=department_year)
    return summary


def refuse_other_department(job: Job) -> None:
    job_source_delete(job=job)
    job_fail(job=job, errors=[message_row(_("您不是该工作簿所属部门的财务处人员，不能导入"))])


def check_workbook(job: Job) -> None:
    """The dry run of a big uploaded workbook (the upload page's 试导入), with its row progress."""
    replace = bool(job.params.get("replace"))
    reporter = ProgressReporter(job)
    try:
        with default_storage.open(job.source, "rb") as source:
            result = workbook.workbook_import(source=source, replace=replace, dry_run=True, user=job.user, progress=reporter)
            # As on the upload page: a file the importer could not open is never opened again.
            code = workbook_department_code(result, source) if file_was_read(result) else None
    except ValidationError as error:
        job_source_delete(job=job)
        job_fail(job=job, errors=[message_row(message) for message in error.messages])
        return
    finally:
        reporter.close()
    import_logged(result, user=job.user, channel="task", replace=replace, dry_run=True)
    if code is not None and not may_import_into(job.user, code):
        # Before any of the dry run's findings, as on the upload page.
        refuse_other_department(job)
        return
    if result.errors:
        job_source_delete(job=job)
        job_fail(job=job, errors=error_rows(result.errors), department_code=code or "")
        return
    if not may_import_into(job.user, code):
        refuse_other_department(job)
        return
    job_finish(job=job, result=import_result_json(result, replace=replace), department_code=code)


def import_workbook(job: Job) -> None:
    """The confirmed import of a big workbook: all or nothing, in the importer's one transaction."""
    replace = bool(job.params.get("replace"))
    if not may_import_into(job.user, job.department_code) or not default_storage.exists(job.source):
        job_source_delete(job=job)
        job_fail(job=job, errors=[message_row(_("上传已失效，请重新上传工作簿"))])
        return
    reporter = ProgressReporter(job)
    try:
        with default_storage.open(job.source, "rb") as source:
            result = workbook.workbook_import(source=source, replace=replace, dry_run=False, user=job.user, progress=reporter)
    except ValidationError as error:
        job_fail(job=job, errors=[message_row(message) for message in error.messages])
        return
    finally:
        reporter.close()
        job_source_delete(job=job)
    import_logged(result, user=job.user, channel="task", replace=replace, dry_run=False)
    if result.errors:
        job_fail(job=job, errors=error_rows(result.errors))
        return
    department_year = result.department_year
    job_finish(job=job, result={"department_code": department_year.department.code, "year": department_year.year})


def generate_export(job: Job) -> None:
    """A big export, written to the default storage for the job's download (fundmgr.exports.registry)."""
    params = job.params
    department_year = DepartmentYear.objects.select_related("department").get(
        department__code=params["department_code"], year=params["year"]
    )
    unit = BudgetUnit.objects.get(pk=params["unit"]) if params.get("unit") else None
    date_from = date.fromisoformat(params["date_from"]) if params.get("date_from") else None
    date_to = date.fromisoformat(params["date_to"]) if params.get("date_to") else None
    what = params["what"]
    kind = registry.KINDS[what]
    with tempfile.TemporaryFile() as out:
        registry.generate(
            what,
            department_year=department_year,
            out=out,
            stamp=stamp_for(document_author(job.user)),
            unit=unit,
            date_from=date_from,
            date_to=date_to,
        )
        out.seek(0)
        output = default_storage.save(f"exports/{job.pk}.{kind.extension}", File(out))
    filename = registry.filename_for(what, department_year=department_year, unit=unit, date_from=date_from, date_to=date_to)
    job_finish(job=job, result={"filename": filename, "content_type": kind.content_type}, output=output)


def review_files(job: Job) -> None:
    """A review batch (fundmgr.review): each stored file checked in turn, then kept as the review pages read it."""
    stored = job.params["files"]
    reporter = ProgressReporter(job)
    results: list[dict] = []
    try:
        for number, entry in enumerate(stored, start=1):
            with default_storage.open(entry["path"], "rb") as content:
                results.extend(batch_results([File(content, name=entry["name"])]))
            reporter(number)
    finally:
        reporter.close()
        for entry in stored:
            default_storage.delete(entry["path"])
    job_finish(job=job, result={"token": batch_keep(user=job.user, files=results)})


@job_task(Job.Kind.IMPORT_CHECK)
def workbook_check_task(job_id: str) -> None:
    run_job(job_id, check_workbook)


@job_task(Job.Kind.IMPORT)
def workbook_import_task(job_id: str) -> None:
    run_job(job_id, import_workbook)


@job_task(Job.Kind.EXPORT)
def export_task(job_id: str) -> None:
    run_job(job_id, generate_export)


@job_task(Job.Kind.REVIEW)
def review_task(job_id: str) -> None:
    run_job(job_id, review_files)
