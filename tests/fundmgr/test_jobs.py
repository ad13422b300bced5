"""Long work in the background (fundmgr.jobs, fundmgr.tasks): big imports, exports and review
batches run as django-tasks tasks, with their progress, errors and result on a Job row.

Most tests run the tasks with django-tasks' immediate backend, when the request's transaction
commits; one runs the database backend with its worker in this process (db_worker --batch).
"""

import io
import re
import threading
import time
from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from openpyxl import load_workbook

import fundmgr.workbook.importer
from fundmgr.jobs import ProgressReporter, job_finish
from fundmgr.models import Job
from fundmgr.workbook import workbook_import
from projects.models import Expenditure
from tests import personas
from tests.browser import launched_chromium, needs_chromium
from tests.fundmgr.review.tables import clean_department, clean_project
from tests.fundmgr.review.tables import xlsx as table_xlsx
from tests.fundmgr.workbooks import INDICATOR_HEADERS, database_state, xlsx
from units.models import DepartmentYear, Membership

pytestmark = pytest.mark.django_db

IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
DATABASE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@pytest.fixture(autouse=True)
def private_files(settings, tmp_path):
    """Uploads, kept batches and generated files go to the test's own folders, not var/."""
    settings.VAR_DIR = tmp_path / "var"
    settings.VAR_DIR.mkdir()
    settings.TASKS = IMMEDIATE
    settings.IMPORT_TASK_ROWS = 3
    settings.EXPORT_TASK_ROWS = 1
    settings.REVIEW_TASK_FILES = 1


def big_workbook(*, code="PD", year=2025, rows=7, bad_row=None) -> bytes:
    """A department-year with `rows` expenditures of 100.01 + n; `bad_row` (an Excel row) gets a negative amount."""
    expenditures = [["项目编码", "支出日期", "金额", "经济分类", "摘要", "凭证号"]]
    for number in range(rows):
        amount = "-5.00" if bad_row == number + 2 else f"{Decimal('100.01') + number}"
        expenditures.append(["A1", f"{year}-03-{number % 28 + 1:02d}", amount, "30201", f"办公用品{number}", f"记-{number}"])
    return xlsx(
        {
            "部门": [["部门编码", "部门名称", "年度"], [code, "测试部门", year]],
            "预算单位": [["单位编码", "单位名称", "单位性质"], ["A", "甲单位", "行政单位"]],
            "预算项目": [["项目编码", "项目名称", "单位编码", "项目类别"], ["A1", "甲培训经费", "A", "特定目标类"]],
            "预算指标": [
                ["项目编码", "资金来源", "调整类型", "金额", "日期", "文号"],
                ["A1", "本级财政", "年初预算", "100000.00", f"{year}-01-01", ""],
            ],
            "支出明细": expenditures,
            "绩效指标": [INDICATOR_HEADERS],
        }
    )


def upload(client, content: bytes, *, replace=False):
    data = {"workbook": SimpleUploadedFile("budget.xlsx", content)}
    if replace:
        data["replace"] = "on"
    return client.post(reverse("upload:workbook"), data)


def job_of(response) -> Job:
    match = re.fullmatch(r"/jobs/([0-9a-f-]{36})/", response["Location"])
    assert match, response["Location"]
    return Job.objects.get(pk=match.group(1))


def ledger_of(department_year: DepartmentYear) -> list:
    return sorted(
        Expenditure.objects.filter(item__department_year=department_year).values_list(
            "item__code", "date__month", "date__day", "amount", "economic_class__code", "memo", "voucher", "status"
        )
    )


def test_a_big_workbook_is_checked_then_imported_as_tasks_equal_to_the_synchronous_import(
    world, as_persona, monkeypatch, django_capture_on_commit_callbacks
):
    seen = []
    report = ProgressReporter.__call__

    def spy(self, done):
        report(self, done)
        seen.append((self.job.done, self.job.total))

    monkeypatch.setattr(ProgressReporter, "__call__", spy)
    monkeypatch.setattr(fundmgr.workbook.importer, "PROGRESS_EVERY", 3)
    client = as_persona("finance")
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(client, big_workbook(year=2025))
    check = job_of(response)
    check.refresh_from_db()
    assert (check.kind, check.status, check.done, check.total, check.department_code) == ("import_check", "done", 7, 7, "PD")
    # rows done out of the total, written as the dry run ran (another connection sees them at once on
    # PostgreSQL: test_on_postgresql_the_rows_done_are_visible_to_other_connections_while_the_import_runs)
    assert seen == [(3, 7), (6, 7), (7, 7)]
    page = client.get(reverse("jobs:detail", kwargs={"pk": check.pk})).content.decode()
    assert "试导入通过" in page and 'id="job-confirm"' in page and "721.07" in page  # 7 × 100.01 + (0 + 1 + … + 6)
    assert not DepartmentYear.objects.filter(year=2025).exists()  # a dry run writes nothing
    assert check.source and default_storage.exists(check.source)  # the upload waits in the shared storage

    seen.clear()
    with django_capture_on_commit_callbacks(execute=True):
        confirmed = client.post(reverse("jobs:confirm", kwargs={"pk": check.pk}))
    imported = job_of(confirmed)
    imported.refresh_from_db()
    assert (imported.kind, imported.status, imported.done, imported.total) == ("import", "done", 7, 7)
    assert imported.result == {"department_code": "PD", "year": 2025}
    assert seen[-1] == (7, 7)
    ready = client.get(reverse("jobs:progress", kwargs={"pk": imported.pk})).content.decode()
    assert "工作簿已导入" in ready and reverse("department", kwargs={"department_code": "PD", "year": 2025}) in ready

    # the same workbook imported synchronously (another year) gives the same ledger
    assert workbook_import(source=io.BytesIO(big_workbook(year=2026)), user=world.finance).ok
    background = ledger_of(DepartmentYear.objects.get(department__code="PD", year=2025))
    synchronous = ledger_of(DepartmentYear.objects.get(department__code="PD", year=2026))
    assert len(background) == 7 and background == synchronous
    # the uploaded file is gone once imported, and a dry run is confirmed only once
    assert not default_storage.exists(check.source)
    assert client.post(reverse("jobs:confirm", kwargs={"pk": check.pk})).status_code == 302
    assert Job.objects.filter(kind="import").count() == 1


def test_a_small_workbook_stays_synchronous(world, as_persona, settings):
    settings.IMPORT_TASK_ROWS = 7
    response = upload(as_persona("finance"), big_workbook(rows=7))
    assert response.status_code == 200 and "试导入通过" in response.content.decode()
    assert not Job.objects.exists()


def test_a_big_workbook_with_a_bad_row_fails_with_the_synchronous_row_numbered_error_and_writes_nothing(
    world, as_persona, django_capture_on_commit_callbacks
):
    content = big_workbook(bad_row=5)
    expected = workbook_import(source=io.BytesIO(content), dry_run=True).errors
    assert [(error.sheet, error.row) for error in expected] == [("支出明细", 5)]
    before = database_state()
    client = as_persona("finance")
    with django_capture_on_commit_callbacks(execute=True):
        job = job_of(upload(client, content))
    job.refresh_from_db()
    assert job.status == "failed"
    assert job.errors == [{"sheet": "支出明细", "row": 5, "column": expected[0].column, "message": expected[0].message}]
    page = client.get(reverse("jobs:detail", kwargs={"pk": job.pk})).content.decode()
    assert f"<td>支出明细</td><td>5</td><td>{expected[0].column}</td><td>{expected[0].message}</td>" in page
    assert "发现 1 个错误，未导入任何数据" in page and "job-confirm" not in page
    assert database_state() == before
    # the error list as a workbook, as the upload page offers it
    download = client.get(reverse("jobs:errors", kwargs={"pk": job.pk}))
    rows = list(load_workbook(io.BytesIO(download.content)).active.iter_rows(values_only=True))
    assert rows == [("工作表", "行号", "列", "问题"), ("支出明细", 5, expected[0].column, expected[0].message)]


def test_an_import_that_breaks_while_writing_leaves_nothing_half_written(
    world, as_persona, monkeypatch, django_capture_on_commit_callbacks
):
    client = as_persona("finance")
    with django_capture_on_commit_callbacks(execute=True):
        check = job_of(upload(client, big_workbook()))
    before = database_state()
    written = []

    def expenditure(self, row):
        written.append(row)
        if len(written) == 4:
            raise RuntimeError("disk full")
        return original(self, row)

    original = fundmgr.workbook.importer.LedgerWriter.expenditure
    monkeypatch.setattr(fundmgr.workbook.importer.LedgerWriter, "expenditure", expenditure)
    with django_capture_on_commit_callbacks(execute=True):
        job = job_of(client.post(reverse("jobs:confirm", kwargs={"pk": check.pk})))
    job.refresh_from_db()
    assert job.status == "failed"
    assert job.errors[0]["message"] == "任务意外中止，未写入任何数据；请重试，或联系系统管理员"
    assert database_state() == before
    assert not DepartmentYear.objects.filter(year=2025).exists()


def test_the_progress_fragment_polls_until_the_result_is_ready(world, as_persona):
    job = Job.objects.create(kind=Job.Kind.EXPORT, user=world.finance, status=Job.Status.RUNNING, done=3, total=10)
    client = as_persona("finance")
    running = client.get(reverse("jobs:progress", kwargs={"pk": job.pk}), headers={"HX-Request": "true"}).content.decode()
    assert 'hx-trigger="every 1s"' in running and f'hx-get="/jobs/{job.pk}/progress/"' in running
    assert "已处理 3 / 10 行" in running and 'value="3"' in running and 'max="10"' in running
    assert "<html" not in running  # the fragment, not the page
    job_finish(job=job, result={"filename": "支出明细表.xlsx"}, output="exports/x.xlsx")
    ready = client.get(reverse("jobs:progress", kwargs={"pk": job.pk})).content.decode()
    assert "hx-trigger" not in ready
    assert "已处理 10 / 10 行" in ready and "文件已生成" in ready and f"/jobs/{job.pk}/download/" in ready


@pytest.mark.parametrize(
    "persona, import_status, export_status",
    [
        ("finance", 200, 200),
        ("finance2", 200, 404),
        ("other_finance", 404, 404),
        ("accountant_a", 404, 404),
        ("leader", 404, 404),
        ("outsider", 404, 404),
    ],
)
def test_only_the_starter_and_for_an_import_their_departments_finance_office_see_a_job(
    world, client, persona, import_status, export_status
):
    personas.member(personas.user("finance2"), world.department_year, Membership.Role.FINANCE)
    personas.build(code="OTHER", prefix="other_")
    check = Job.objects.create(kind=Job.Kind.IMPORT_CHECK, user=world.finance, department_code="PD", status=Job.Status.RUNNING)
    export = Job.objects.create(kind=Job.Kind.EXPORT, user=world.finance, status=Job.Status.RUNNING)
    client.force_login(get_user_model().objects.get(username=persona) if persona != "finance" else world.finance)
    for name in ("jobs:detail", "jobs:progress"):
        assert client.get(reverse(name, kwargs={"pk": check.pk})).status_code == import_status
        assert client.get(reverse(name, kwargs={"pk": export.pk})).status_code == export_status


def test_another_finance_office_cannot_confirm_a_dry_run(world, client, django_capture_on_commit_callbacks):
    colleague = personas.member(personas.user("finance2"), world.department_year, Membership.Role.FINANCE)
    client.force_login(world.finance)
    with django_capture_on_commit_callbacks(execute=True):
        check = job_of(upload(client, big_workbook()))
    client.force_login(colleague)
    assert client.post(reverse("jobs:confirm", kwargs={"pk": check.pk})).status_code == 404
    assert not Job.objects.filter(kind="import").exists()


def test_a_workbook_of_another_department_is_refused_without_its_findings(world, client, django_capture_on_commit_callbacks):
    other = personas.build(code="OTHER", prefix="other_")
    client.force_login(other.finance)
    with django_capture_on_commit_callbacks(execute=True):
        job = job_of(upload(client, big_workbook(code="PD", bad_row=5)))
    job.refresh_from_db()
    assert job.status == "failed" and job.department_code == ""
    assert [error["message"] for error in job.errors] == ["您不是该工作簿所属部门的财务处人员，不能导入"]


def sheet_values(content: bytes) -> dict:
    book = load_workbook(io.BytesIO(content))
    return {sheet.title: [list(row) for row in sheet.iter_rows(values_only=True)] for sheet in book.worksheets}


def test_a_big_export_runs_as_a_task_and_downloads_the_same_workbook(
    world, as_persona, settings, django_capture_on_commit_callbacks
):
    client = as_persona("finance")
    url = reverse("exports:download", kwargs={**world.kwargs, "what": "expenditures"})
    settings.EXPORT_TASK_ROWS = 100
    synchronous = b"".join(client.get(url).streaming_content)
    settings.EXPORT_TASK_ROWS = 1  # the department-year has 2 approved expenditures
    with django_capture_on_commit_callbacks(execute=True):
        response = client.get(url)
    job = job_of(response)
    job.refresh_from_db()
    assert (job.status, job.done, job.total) == ("done", 2, 2)
    download = client.get(reverse("jobs:download", kwargs={"pk": job.pk}))
    assert download.status_code == 200
    assert "PD_2024_" in download["Content-Disposition"]
    assert sheet_values(b"".join(download.streaming_content)) == sheet_values(synchronous)
    # the file is the starter's only
    assert as_persona("leader").get(reverse("jobs:download", kwargs={"pk": job.pk})).status_code == 404


def test_a_review_batch_runs_as_a_task_and_links_the_same_batch(client, django_capture_on_commit_callbacks):
    client.force_login(personas.finance_bureau("bureau"))
    files = {
        "workbooks": [
            SimpleUploadedFile("甲.xlsx", table_xlsx(clean_project())),
            SimpleUploadedFile("乙.xlsx", table_xlsx(clean_department())),
        ]
    }
    with django_capture_on_commit_callbacks(execute=True):
        job = job_of(client.post(reverse("review:upload"), files))
    job.refresh_from_db()
    assert (job.status, job.done, job.total) == ("done", 2, 2)
    page = client.get(reverse("jobs:detail", kwargs={"pk": job.pk})).content.decode()
    assert "已复核 2 / 2 个文件" in page
    batch = client.get(reverse("review:batch", kwargs={"token": job.result["token"]})).content.decode()
    assert "甲.xlsx" in batch and "乙.xlsx" in batch
    assert len(re.findall(r'href="/review/[0-9a-f]{32}/\d+/"', batch)) == 2


@pytest.mark.django_db(transaction=True)
def test_the_database_backend_queues_the_import_and_the_worker_runs_it(settings, client):
    settings.TASKS = DATABASE
    world = personas.build()
    client.force_login(world.finance)
    check = job_of(upload(client, big_workbook()))
    check.refresh_from_db()
    assert check.status == "queued" and check.task_id  # enqueued when the upload's transaction committed
    queued = client.get(reverse("jobs:progress", kwargs={"pk": check.pk})).content.decode()
    assert "排队中" in queued and 'hx-trigger="every 1s"' in queued
    call_command("db_worker", batch=True, startup_delay=False, reload=False, verbosity=0)
    check.refresh_from_db()
    assert (check.status, check.done, check.total) == ("done", 7, 7)
    imported = job_of(client.post(reverse("jobs:confirm", kwargs={"pk": check.pk})))
    call_command("db_worker", batch=True, startup_delay=False, reload=False, verbosity=0)
    imported.refresh_from_db()
    assert imported.status == "done"
    assert Expenditure.objects.filter(item__department_year__year=2025).count() == 7
    assert list(DBTaskResult.objects.values_list("status", flat=True)) == ["SUCCESSFUL", "SUCCESSFUL"]


# --- queries ---


@pytest.mark.parametrize("errors", [1, 200])
def test_the_job_page_and_its_fragment_run_three_queries_whatever_the_job_holds(world, as_persona, django_assert_num_queries, errors):
    rows = [{"sheet": "支出明细", "row": number, "column": "金额", "message": "金额须大于0"} for number in range(2, errors + 2)]
    job = Job.objects.create(kind=Job.Kind.IMPORT_CHECK, user=world.finance, department_code="PD", status=Job.Status.FAILED, errors=rows)
    client = as_persona("finance")
    client.get(reverse("jobs:detail", kwargs={"pk": job.pk}))  # warm the session
    for name in ("jobs:detail", "jobs:progress"):
        # session, user, the job (its errors and result are its own columns)
        with django_assert_num_queries(3):
            response = client.get(reverse(name, kwargs={"pk": job.pk}))
        assert response.content.decode().count("<td>金额须大于0</td>") == errors


def test_expire_uploads_deletes_old_finished_jobs_with_their_files_and_leaves_running_ones(world):
    old = timezone.now() - timedelta(hours=25)
    unconfirmed = default_storage.save("imports/a.xlsx", ContentFile(b"PK"))
    exported = default_storage.save("exports/b.xlsx", ContentFile(b"PK"))
    running_source = default_storage.save("imports/c.xlsx", ContentFile(b"PK"))
    Job.objects.create(kind=Job.Kind.IMPORT_CHECK, user=world.finance, status=Job.Status.DONE, source=unconfirmed)
    Job.objects.create(kind=Job.Kind.EXPORT, user=world.finance, status=Job.Status.DONE, output=exported)
    running = Job.objects.create(kind=Job.Kind.IMPORT, user=world.finance, status=Job.Status.RUNNING, source=running_source)
    recent = Job.objects.create(kind=Job.Kind.EXPORT, user=world.finance, status=Job.Status.DONE)
    Job.objects.exclude(pk=recent.pk).update(created_at=old)
    out = io.StringIO()
    call_command("expire_uploads", stdout=out)
    assert set(Job.objects.values_list("pk", flat=True)) == {running.pk, recent.pk}
    assert [default_storage.exists(name) for name in (unconfirmed, exported, running_source)] == [False, False, True]
    assert "已删除 2 个" in out.getvalue()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_on_postgresql_the_rows_done_are_visible_to_other_connections_while_the_import_runs(settings, monkeypatch):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: SQLite has one writer, and the import holds it until its end")
    world = personas.build()
    monkeypatch.setattr(fundmgr.workbook.importer, "PROGRESS_EVERY", 2)
    job = Job.objects.create(kind=Job.Kind.IMPORT_CHECK, user=world.finance, total=7, status=Job.Status.RUNNING)
    observer = connections.create_connection(DEFAULT_DB_ALIAS)  # another process's view, outside the import's transaction
    seen = []
    report = ProgressReporter.__call__

    def spy(self, done):
        report(self, done)
        assert connection.in_atomic_block  # inside the import's one transaction
        with observer.cursor() as cursor:
            cursor.execute(f"SELECT done FROM {Job._meta.db_table} WHERE id = %s", [job.pk])
            seen.append(cursor.fetchone()[0])

    monkeypatch.setattr(ProgressReporter, "__call__", spy)
    reporter = ProgressReporter(job)
    try:
        result = workbook_import(source=io.BytesIO(big_workbook()), user=world.finance, progress=reporter)
    finally:
        reporter.close()
        observer.close()
    assert result.ok
    assert seen == [2, 4, 6, 7]


# --- the progress bar in the browser ---


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@needs_chromium
def test_the_progress_bar_moves_and_then_links_the_result_in_the_browser(live_server):
    """htmx polls the fragment under the site's Content-Security-Policy (no eval, no inline style)."""
    world = personas.build()
    job = Job.objects.create(kind=Job.Kind.IMPORT, user=world.finance, status=Job.Status.RUNNING, done=0, total=4000)
    with launched_chromium() as browser:
        page = browser.new_page()
        page.set_default_timeout(15000)
        failed = []  # a refused script (CSP) or a failed poll; the browser's own favicon request aside
        page.on("console", lambda message: failed.append(message.text) if message.type == "error" and "404" not in message.text else None)
        page.on("response", lambda response: failed.append(response.url) if response.status >= 400 and "favicon" not in response.url else None)
        page.goto(f"{live_server.url}/accounts/login/")
        page.fill("#id_username", "finance")
        page.fill("#id_password", personas.PASSWORD)
        page.click("button[type=submit].primary")
        page.wait_for_load_state()
        page.goto(f"{live_server.url}/jobs/{job.pk}/")
        assert page.text_content("#job-rows") == "已处理 0 / 4000 行"
        Job.objects.filter(pk=job.pk).update(done=1500)  # as the worker would, from another process
        page.locator("#job-rows", has_text="已处理 1500 / 4000 行").wait_for()  # the next poll (no eval: CSP)
        assert page.get_attribute("#job-bar", "value") == "1500"
        Job.objects.filter(pk=job.pk).update(done=4000, status=Job.Status.DONE, result={"department_code": "PD", "year": 2024})
        page.wait_for_selector("#job-result")
        assert page.get_attribute("#job-result", "href") == "/d/PD/2024/"
        assert page.text_content("#job-rows") == "已处理 4000 / 4000 行"
        assert failed == []


def test_a_running_job_whose_worker_died_is_failed_saying_nothing_was_written_and_stops_polling(world, as_persona, settings):
    settings.JOB_STALE_SECONDS = 120
    source = default_storage.save("jobs/dead.xlsx", ContentFile(b"workbook"))
    dead = Job.objects.create(
        kind=Job.Kind.IMPORT, user=world.finance, status=Job.Status.RUNNING, done=40, total=100, source=source,
        heartbeat_at=timezone.now() - timedelta(seconds=121),
    )  # fmt: skip
    alive = Job.objects.create(
        kind=Job.Kind.EXPORT, user=world.finance, status=Job.Status.RUNNING, done=3, total=10,
        heartbeat_at=timezone.now() - timedelta(seconds=100),
    )  # fmt: skip
    client = as_persona("finance")
    fragment = client.get(reverse("jobs:progress", kwargs={"pk": dead.pk})).content.decode()
    assert "hx-trigger" not in fragment
    assert "后台任务中断（处理进程已停止），未写入任何数据；请重新提交" in fragment and 'id="job-failed"' in fragment
    dead.refresh_from_db()
    assert dead.status == Job.Status.FAILED and dead.finished_at is not None  # marked in the database on read
    assert not default_storage.exists(source)
    page = client.get(reverse("jobs:detail", kwargs={"pk": dead.pk})).content.decode()
    assert "后台任务中断" in page and "hx-trigger" not in page
    # a heartbeat younger than JOB_STALE_SECONDS: still running, still polled
    running = client.get(reverse("jobs:progress", kwargs={"pk": alive.pk})).content.decode()
    assert 'hx-trigger="every 1s"' in running and "后台任务中断" not in running
    alive.refresh_from_db()
    assert alive.status == Job.Status.RUNNING


def test_a_job_without_progress_counts_from_its_creation_and_a_heartbeat_written_meanwhile_wins(world, settings):
    from fundmgr.jobs import job_fail_if_stale

    settings.JOB_STALE_SECONDS = 60
    job = Job.objects.create(kind=Job.Kind.REVIEW, user=world.finance, status=Job.Status.RUNNING)
    Job.objects.filter(pk=job.pk).update(created_at=timezone.now() - timedelta(seconds=61))
    stale = Job.objects.get(pk=job.pk)  # the page reads the row: no heartbeat, created 61 s ago
    Job.objects.filter(pk=job.pk).update(heartbeat_at=timezone.now())  # then the worker speaks
    assert job_fail_if_stale(job=stale).status == Job.Status.RUNNING
    assert Job.objects.get(pk=job.pk).status == Job.Status.RUNNING
    Job.objects.filter(pk=job.pk).update(heartbeat_at=timezone.now() - timedelta(seconds=61))
    assert job_fail_if_stale(job=Job.objects.get(pk=job.pk)).status == Job.Status.FAILED


@pytest.mark.django_db(transaction=True)  # on PostgreSQL the progress goes through a connection of its own
def test_the_worker_beats_when_the_job_begins_and_at_each_progress_update():
    from fundmgr.jobs import job_begin

    user = get_user_model().objects.create_user("beating")
    job = Job.objects.create(kind=Job.Kind.EXPORT, user=user)
    assert job.heartbeat_at is None
    began = job_begin(job_id=str(job.pk))
    assert began.heartbeat_at is not None
    Job.objects.filter(pk=job.pk).update(heartbeat_at=timezone.now() - timedelta(hours=1))
    reporter = ProgressReporter(began)
    try:
        reporter(5)
    finally:
        reporter.close()
    assert Job.objects.get(pk=job.pk).heartbeat_at > timezone.now() - timedelta(minutes=1)


@pytest.mark.django_db(transaction=True)  # the heartbeat writes from a thread of its own, on its own connection
def test_a_job_that_reports_no_progress_keeps_beating_and_is_never_taken_for_dead(settings):
    """A big export writes no progress: while it runs longer than JOB_STALE_SECONDS its page still
    finds it running (the Heartbeat thread of fundmgr.tasks.run_job), and it ends done."""
    from fundmgr.jobs import job_fail_if_stale
    from fundmgr.tasks import run_job

    settings.JOB_STALE_SECONDS = 0.5  # a beat every 0.1 s
    user = get_user_model().objects.create_user("exporting")
    job = Job.objects.create(kind=Job.Kind.EXPORT, user=user)
    seen = []

    def slow_export(running):
        for _ in range(8):  # 1.6 s of work, three times the stale limit, without a word of progress
            time.sleep(0.2)
            seen.append(job_fail_if_stale(job=Job.objects.get(pk=running.pk)).status)  # the page polling meanwhile
        job_finish(job=running, result={"filename": "x.xlsx"})

    run_job(str(job.pk), slow_export)
    assert seen == [Job.Status.RUNNING] * 8
    assert Job.objects.get(pk=job.pk).status == Job.Status.DONE
    assert not [thread for thread in threading.enumerate() if thread.name.startswith("job-heartbeat-")]


# --- on SQLite the progress goes beside the database while the import holds it ---


@pytest.mark.django_db(transaction=True)
def test_on_sqlite_the_rows_done_are_noted_beside_the_database_while_the_import_runs(settings, monkeypatch):
    """The import's transaction holds SQLite: the row's count shows only at the commit, so each update
    is noted in a file that any process reads (fundmgr.jobs.progress_noted) with the committed row."""
    if connection.vendor != "sqlite":
        pytest.skip("on PostgreSQL the progress goes through a connection of its own (the test above)")
    from fundmgr.jobs import progress_noted

    world = personas.build()
    monkeypatch.setattr(fundmgr.workbook.importer, "PROGRESS_EVERY", 2)
    job = Job.objects.create(kind=Job.Kind.IMPORT_CHECK, user=world.finance, total=7, status=Job.Status.RUNNING)
    seen = []
    report = ProgressReporter.__call__

    def spy(self, done):
        report(self, done)
        assert connection.in_atomic_block  # inside the import's one transaction
        committed = Job(pk=job.pk, kind=job.kind, user=world.finance, status=Job.Status.RUNNING, total=7, done=0)
        seen.append(progress_noted(committed).done)  # what another process sees: the row as committed, and the note

    monkeypatch.setattr(ProgressReporter, "__call__", spy)
    reporter = ProgressReporter(job)
    try:
        result = workbook_import(source=io.BytesIO(big_workbook()), user=world.finance, progress=reporter)
    finally:
        reporter.close()
    assert result.ok
    assert seen == [2, 4, 6, 7]
    job_finish(job=Job.objects.get(pk=job.pk))
    assert not (settings.JOB_PROGRESS_DIR / f"{job.pk}.json").exists(), "the note goes with the finished job"


def test_the_progress_bar_shows_the_noted_rows_and_a_noted_heartbeat_keeps_the_job_alive(world, as_persona, settings):
    from fundmgr.jobs import progress_note

    settings.JOB_STALE_SECONDS = 60
    job = Job.objects.create(
        kind=Job.Kind.IMPORT, user=world.finance, status=Job.Status.RUNNING, total=200_000,
        heartbeat_at=timezone.now() - timedelta(minutes=10),  # the row last spoke when the import began
    )  # fmt: skip
    progress_note(Job(pk=job.pk, done=50_000, total=200_000, heartbeat_at=timezone.now()))
    client = as_persona("finance")
    fragment = client.get(reverse("jobs:progress", kwargs={"pk": job.pk})).content.decode()
    assert "已处理 50000 / 200000 行" in fragment and 'value="50000"' in fragment and "后台任务中断" not in fragment
    assert Job.objects.get(pk=job.pk).status == Job.Status.RUNNING
    progress_note(Job(pk=job.pk, done=60_000, total=200_000, heartbeat_at=timezone.now() - timedelta(minutes=2)))
    fragment = client.get(reverse("jobs:progress", kwargs={"pk": job.pk})).content.decode()
    assert "后台任务中断" in fragment  # the note too is older than JOB_STALE_SECONDS: the worker died
    assert Job.objects.get(pk=job.pk).status == Job.Status.FAILED
    assert not (settings.JOB_PROGRESS_DIR / f"{job.pk}.json").exists()
