"""Long work in the background (README "Background work"): the Job row of each task, its services.

A big workbook import, a big export and a review batch are started here (job_start), run by the
worker (fundmgr.tasks, django-tasks' database backend) and followed on the job's page, whose
progress bar polls a fragment (htmx) until the result is ready. Everything a page shows is read
from the Job row, so it does not matter which process runs the task or serves the page.

Who sees a job: the user who started it, and for an import the finance office of the workbook's
department (units.access.may_import_into). Anyone else gets 404, as for a department they do not see.
"""

import json
import os
import threading
from collections.abc import Callable
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import DEFAULT_DB_ALIAS, OperationalError, connections, models, transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django_tasks import task
from django_tasks.base import Task

from fundmgr.models import Job
from units.access import may_import_into

IMPORT_KINDS = (Job.Kind.IMPORT_CHECK, Job.Kind.IMPORT)

# The task of each kind of job: fundmgr.tasks registers them (job_task) when the app is ready, so
# the pages that start jobs need not import the tasks, which use those pages' own helpers.
TASK_OF_KIND: dict[str, Task] = {}


def job_task(kind: str) -> Callable[[Callable], Task]:
    """Declare `function(job_id)` the django-tasks task that runs the jobs of `kind`."""

    def register(function: Callable) -> Task:
        TASK_OF_KIND[kind] = task()(function)
        return TASK_OF_KIND[kind]

    return register


# --- services ---


def job_start(*, kind: str, user, total: int = 0, source: str = "", params: dict | None = None, department_code: str = "") -> Job:
    """Create the job and enqueue its task once the row is committed, for the worker to find it.
    The task speaks the language of the page that started it (its messages and file names)."""
    job = Job.objects.create(
        kind=kind,
        user=user,
        total=total,
        source=source,
        params={**(params or {}), "language": get_language()},
        department_code=department_code,
    )

    def enqueue():
        result = TASK_OF_KIND[kind].enqueue(str(job.pk))
        Job.objects.filter(pk=job.pk).update(task_id=str(result.id))

    transaction.on_commit(enqueue)
    return job


def job_confirm(*, job: Job, user) -> Job | None:
    """Start the import of a passed background dry run (its 确认导入), once: None when it was
    confirmed already or its upload has gone (expired)."""
    with transaction.atomic():
        locked = Job.objects.select_for_update().get(pk=job.pk)
        if locked.result.get("confirmed") or not default_storage.exists(locked.source):
            return None
        locked.result = {**locked.result, "confirmed": True}
        locked.save(update_fields=["result"])
        return job_start(
            kind=Job.Kind.IMPORT,
            user=user,
            total=locked.total,
            source=locked.source,
            params=locked.params,
            department_code=locked.department_code,
        )


def job_begin(*, job_id: str) -> Job | None:
    """Mark the job running; None if it is gone or has already run (a task is run at most once)."""
    with transaction.atomic():
        job = Job.objects.select_for_update().filter(pk=job_id).first()
        if job is None or job.status != Job.Status.QUEUED:
            return None
        job.status = Job.Status.RUNNING
        job.heartbeat_at = timezone.now()
        job.save(update_fields=["status", "heartbeat_at"])
    return job


def job_finish(*, job: Job, result: dict | None = None, output: str = "", department_code: str | None = None) -> Job:
    """The job's result is ready: all rows done."""
    job.status = Job.Status.DONE
    job.result = result or {}
    job.output = output
    if department_code is not None:
        job.department_code = department_code
    job.done = max(job.done, job.total)
    job.total = max(job.done, job.total)
    job.finished_at = timezone.now()
    job.save(update_fields=["status", "result", "output", "department_code", "done", "total", "finished_at"])
    progress_forget(job.pk)
    return job


def job_fail(*, job: Job, errors: list[dict], department_code: str | None = None) -> Job:
    """The job failed: `errors` are {"sheet", "row", "column", "message"} dicts (sheet, row and column may be empty)."""
    job.status = Job.Status.FAILED
    job.errors = errors
    if department_code is not None:
        job.department_code = department_code
    job.finished_at = timezone.now()
    job.save(update_fields=["status", "errors", "department_code", "finished_at"])
    progress_forget(job.pk)
    return job


class ProgressReporter:
    """Writes a running job's rows done, at once visible to the page that polls it.

    The import writes in one transaction, and progress written inside it would show only at its
    commit (and vanish at its rollback). So on PostgreSQL progress goes through a connection of its
    own, committed at once. SQLite has one writer at a time and the import holds it: there the
    count is written in the import's own transaction (the row's figure once it commits), and
    beside the database in a small file (progress_note) that the pages read meanwhile (job_for):
    a SQLite deployment is one machine, whose app and worker processes share `var/`.
    """

    def __init__(self, job: Job):
        self.job = job
        self.connection = None
        if connections[DEFAULT_DB_ALIAS].vendor == "postgresql":
            self.connection = connections.create_connection(DEFAULT_DB_ALIAS)

    def __call__(self, done: int) -> None:
        self.job.done = done
        self.job.total = max(self.job.total, done)  # a workbook's declared rows are only an estimate
        self.job.heartbeat_at = timezone.now()
        if self.connection is None:
            Job.objects.filter(pk=self.job.pk).update(
                done=self.job.done, total=self.job.total, heartbeat_at=self.job.heartbeat_at
            )
            progress_note(self.job)
            return
        with self.connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {Job._meta.db_table} SET done = %s, total = %s, heartbeat_at = %s WHERE id = %s",
                [self.job.done, self.job.total, self.job.heartbeat_at, self.job.pk],
            )

    def close(self) -> None:
        if self.connection is not None:
            self.connection.close()


class Heartbeat:
    """Keeps a running job's heartbeat fresh for as long as its work runs, whatever the work: a
    thread writes heartbeat_at every JOB_STALE_SECONDS ÷ 5. An import and a review batch also beat
    with their progress (ProgressReporter); a big export reports none, and without this it would be
    taken for a dead worker after JOB_STALE_SECONDS and failed while still writing.

    The thread has its own connection, closed when it stops. A beat it cannot write is skipped: on
    SQLite while the job's own import holds the database (the lock itself says the worker lives),
    on PostgreSQL when the row is locked for longer than a second."""

    def __init__(self, job: Job):
        self.job_id = job.pk
        self.interval = settings.JOB_STALE_SECONDS / 5
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._beat, name=f"job-heartbeat-{job.pk}", daemon=True)

    def __enter__(self) -> "Heartbeat":
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stopped.set()
        self.thread.join()

    def _beat(self) -> None:
        try:
            while not self.stopped.wait(self.interval):
                try:
                    with transaction.atomic():
                        if connections[DEFAULT_DB_ALIAS].vendor == "postgresql":
                            with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
                                cursor.execute("SET LOCAL lock_timeout = '1s'")
                        Job.objects.filter(pk=self.job_id, status=Job.Status.RUNNING).update(heartbeat_at=timezone.now())
                except OperationalError:
                    continue
        finally:
            connections.close_all()  # this thread's own


def _progress_file(job_id) -> Path:
    return Path(settings.JOB_PROGRESS_DIR) / f"{job_id}.json"


def progress_note(job: Job) -> None:
    """A running job's progress (rows done, total, heartbeat) where other processes see it while the
    job's own transaction holds SQLite: a file replaced whole at each update, never half-written."""
    path = _progress_file(job.pk)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(f".{threading.get_ident()}.part")
    partial.write_text(json.dumps({"done": job.done, "total": job.total, "at": job.heartbeat_at.isoformat()}))
    os.replace(partial, path)


def progress_noted(job: Job) -> Job:
    """`job` with the progress its worker noted beside the database (progress_note), when it is
    running and the note is ahead of the row; the row itself is left as it is."""
    if job.status != Job.Status.RUNNING:
        return job
    try:
        noted = json.loads(_progress_file(job.pk).read_text())
    except (OSError, ValueError):
        return job
    if noted["done"] > job.done:
        job.done, job.total = noted["done"], max(job.total, noted["total"])
    at = datetime.fromisoformat(noted["at"])
    if job.heartbeat_at is None or at > job.heartbeat_at:
        job.heartbeat_at = at
    return job


def progress_forget(job_id) -> None:
    _progress_file(job_id).unlink(missing_ok=True)


def message_row(message: str) -> dict:
    """One message as a job's error row, with no sheet, row or column."""
    return {"sheet": "", "row": None, "column": "", "message": str(message)}


def job_stale_cutoff(now=None):
    return (now or timezone.now()) - timedelta(seconds=settings.JOB_STALE_SECONDS)


def job_fail_if_stale(*, job: Job, now=None) -> Job:
    """A running job whose worker gave no sign of life for JOB_STALE_SECONDS (its process killed:
    the task never finished nor failed) is failed, in the database, when its page reads it.

    Nothing was written: an import writes in one transaction, which the dead process never
    committed; an export and a review batch keep their result only at their very end. The update is
    conditional (still running, heartbeat still old), so a worker that spoke meanwhile wins. On
    SQLite a live import holds the write lock (and its progress shows only at its commit): the
    update then cannot take the lock, which says the worker is alive, and the job is left running.
    """
    if job.status != Job.Status.RUNNING:
        return job
    cutoff = job_stale_cutoff(now)
    if (job.heartbeat_at or job.created_at) >= cutoff:
        return job
    message = _("后台任务中断（处理进程已停止），未写入任何数据；请重新提交")
    errors = [message_row(message)]
    try:
        with transaction.atomic():
            failed = (
                Job.objects.filter(pk=job.pk, status=Job.Status.RUNNING)
                .filter(models.Q(heartbeat_at__lt=cutoff) | models.Q(heartbeat_at__isnull=True, created_at__lt=cutoff))
                .update(status=Job.Status.FAILED, errors=errors, finished_at=timezone.now())
            )
    except OperationalError:  # SQLite: the import's transaction holds the database, its worker is alive
        return job
    if not failed:
        return Job.objects.get(pk=job.pk)
    job.refresh_from_db()
    job_files_delete(job=job)
    return job


def job_files_delete(*, job: Job) -> None:
    """A dead job's uploads: its workbook (not for a dry run, whose file an expiry sweeps) or its review
    files; and its progress note."""
    progress_forget(job.pk)
    if job.kind == Job.Kind.IMPORT:
        job_source_delete(job=job)
    names = [entry["path"] for entry in job.params.get("files", [])] if job.kind == Job.Kind.REVIEW else []
    for name in filter(None, names):
        if default_storage.exists(name):
            default_storage.delete(name)


def job_source_delete(*, job: Job) -> None:
    """The uploaded file is gone once its import has run (or failed)."""
    if job.source and default_storage.exists(job.source):
        default_storage.delete(job.source)


def jobs_expire(*, now=None) -> int:
    """Delete the finished jobs older than UPLOAD_TTL_HOURS with their files (an unconfirmed dry
    run's upload, an export's file), as `manage.py expire_uploads` does the other uploads; returns
    how many files were deleted. A job still queued or running is left alone."""
    cutoff = (now or timezone.now()) - timedelta(hours=settings.UPLOAD_TTL_HOURS)
    deleted = 0
    for job in Job.objects.filter(created_at__lt=cutoff, status__in=[Job.Status.DONE, Job.Status.FAILED]):
        # A confirmed dry run's file belongs to its import job, which deletes it when it has run.
        names = [job.output] + ([job.source] if not job.result.get("confirmed") and job.kind != Job.Kind.REVIEW else [])
        for name in filter(None, names):
            if default_storage.exists(name):
                default_storage.delete(name)
                deleted += 1
        job.delete()
    return deleted


# --- selectors ---


def job_for(user, job_id) -> Job:
    """The job if `user` may see it, else 404 (units.access: outsiders learn nothing)."""
    job = Job.objects.filter(pk=job_id).first()
    if job is None or not may_see_job(user, job):
        raise Http404
    return job_fail_if_stale(job=progress_noted(job))


def may_see_job(user, job: Job) -> bool:
    if job.user_id == user.pk:
        return True
    return job.kind in IMPORT_KINDS and bool(job.department_code) and may_import_into(user, job.department_code)


def check_summary(result: dict) -> dict:
    """A dry run's kept result (tasks.import_result_json) with its amounts as Decimals again, for the page."""
    units = [
        {**unit, "full_year": Decimal(unit["full_year"]), "spent": Decimal(unit["spent"])}
        for unit in result.get("unit_totals", [])
    ]
    return {
        **result,
        "unit_totals": units,
        "total_full_year": sum((unit["full_year"] for unit in units), Decimal("0.00")),
        "total_spent": sum((unit["spent"] for unit in units), Decimal("0.00")),
    }
