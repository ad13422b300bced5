"""Import a workbook of N expenditures; report the time, the SQL query count and the peak memory.

    .venv/bin/python benchmarks/import_workbook.py [--expenditures N] [--path direct|job|both] [--replace] [--keep]

Runs on the configured database (DATABASE_URL, else SQLite at var/fundmgr.sqlite3), which must
be migrated and hold no BENCH 2024 year: use a scratch database, since the job path keeps what
it imported. The workbook is written once (by the export's own writer, in a child process) to a
temporary file. Two paths are measured (--path, default both):

- direct (the floor): each import runs in a child process of its own, which reports its peak
  resident memory (VmHWM, the high-water mark of the process since it started; getrusage's
  ru_maxrss would count the parent's pages inherited at fork). The first child imports the year,
  the second imports and then replaces it (deleting and re-creating every row); both are rolled
  back unless --keep is given.
- job (what the user gets, issue 17): the workbook goes to the default storage and its dry run is
  enqueued as the upload page does past IMPORT_TASK_ROWS (fundmgr.jobs.job_start); a worker
  (`manage.py db_worker`, started as a child process before the enqueue, through this script so
  that it can count its SQL queries) runs it, while this process polls the Job's rows done / total
  as the progress bar does and prints a few samples. Then the import is confirmed as the job page's
  确认导入 does (job_confirm) and followed the same way. For each job: the wall time from enqueue
  to ready, the worker's SQL queries and its peak RSS (VmHWM, reset when the task starts); at the
  end the database's expenditure count and sum are checked against the workbook's.

Targets (issue 17): a 200,000-row import with the progress bar in at most 30 s and 250 MB on the
2-core reference machine; each is printed beside the figure, with pass or miss.
"""

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from datetime import date
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fundmgr.settings")
os.environ.setdefault("FUNDMGR_DEV", "1")

import django

django.setup()

from django.db import connection, transaction

from fundmgr.workbook import workbook_bytes, workbook_import

CLASSES = ["30201", "30202", "30211", "30215", "30216", "30227", "30299", "31002"]


def bench_rows(expenditures: int, items: int = 100, units: int = 10) -> dict[str, list[dict]]:
    rows = {
        "department": [{"code": "BENCH", "name": "基准测试部门", "year": 2024}],
        "units": [{"code": f"B{u:03d}", "name": f"基准单位{u}", "kind": "事业单位"} for u in range(units)],
        "items": [],
        "lines": [],
        "expenditures": [],
        "indicators": [],
    }
    per_item = expenditures // items
    # Each expenditure is at most 1,333.56; the initial budget covers an item's whole year.
    initial = max(Decimal("1000000.00"), Decimal("1400.00") * per_item)
    for i in range(items):
        code = f"B-XM{i:04d}"
        rows["items"].append({"code": code, "name": f"基准项目{i}", "unit": f"B{i % units:03d}", "category": "特定目标类"})
        rows["lines"].append(
            {"project": code, "source": "上级安排", "kind": "年初预算", "amount": initial, "date": date(2024, 1, 1)}
        )
        rows["lines"].append(
            {"project": code, "source": "本级财政", "kind": "年中追加", "amount": Decimal("50000.00"), "date": date(2024, 7, 1)}
        )
        for level1_code, level1, level2 in (
            ("O", "产出指标", "数量"),
            ("B", "效益指标", "社会效益"),
            ("S", "满意度指标", "服务对象满意度"),
        ):
            rows["indicators"].append(
                {
                    "code": f"{code}-{level1_code}",
                    "level1": level1,
                    "level2": level2,
                    "name": f"{level2}指标",
                    "direction": "≥",
                    "target": Decimal(90),
                    "unit": "%",
                    "actual": Decimal(95),
                    "project": code,
                }
            )
    for n in range(expenditures):
        item = n % items
        rows["expenditures"].append(
            {
                "project": f"B-XM{item:04d}",
                "date": date(2024, 1 + (n // items) % 12, 1 + n % 28),
                "amount": Decimal("1234.56") + Decimal(n % 100),
                "economic_class": CLASSES[n % len(CLASSES)],
                "memo": f"基准支出{n}",
                "voucher": f"B-{n:06d}",
            }
        )
    assert per_item * items == expenditures
    return rows


def import_once(path: str, *, keep: bool, replace_twice: bool) -> dict:
    """In the child: import (and, with replace_twice, replace) the file; report what it cost."""
    queries = 0

    def count(execute, sql, params, many, context):
        nonlocal queries
        queries += 1
        return execute(sql, params, many, context)

    runs = []
    with transaction.atomic(), connection.execute_wrapper(count):
        for label in ("import", "replace") if replace_twice else ("import",):
            queries = 0
            started = time.perf_counter()
            result = workbook_import(source=path, replace=True)
            elapsed = time.perf_counter() - started
            if result.errors:
                return {"errors": [str(error) for error in result.errors[:20]]}
            runs.append({"label": label, "seconds": round(elapsed, 2), "queries": queries, "counts": result.counts})
        if not keep:
            transaction.set_rollback(True)
    return {"runs": runs, "peak_mb": peak_resident_mb()}


def peak_resident_mb() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # not Linux: kilobytes on most systems


TARGET_SECONDS = 30
TARGET_MB = 250


def verdict(value: float, target: float) -> str:
    return "pass" if value <= target else "MISS"


def expected_totals(expenditures: int) -> tuple[int, Decimal]:
    """The workbook's expenditure count and sum (bench_rows: 1,234.56 + n % 100 each)."""
    return expenditures, sum((Decimal("1234.56") + Decimal(n % 100) for n in range(expenditures)), Decimal("0.00"))


# --- the worker: manage.py db_worker, counting its queries and its peak memory per task ---


def run_worker(report_path: str) -> None:
    """In the worker child: django-tasks' db_worker as `make run` starts it, with every connection's
    queries counted (the progress reporter's own connection too) and, per task, a JSON line of its
    queries and peak RSS appended to `report_path` (VmHWM is reset when a task starts)."""
    from django.core.management import call_command
    from django.db.backends.signals import connection_created
    from django_tasks.signals import task_finished, task_started

    queries = 0

    def count(execute, sql, params, many, context):
        nonlocal queries
        queries += 1
        return execute(sql, params, many, context)

    def counted(sender, connection, **kwargs):
        if count not in connection.execute_wrappers:
            connection.execute_wrappers.append(count)

    def started(sender, task_result, **kwargs):
        nonlocal queries
        queries = 0
        try:
            Path("/proc/self/clear_refs").write_text("5")  # resets VmHWM to the current RSS
        except OSError:
            pass

    def finished(sender, task_result, **kwargs):
        line = {"task": str(task_result.id), "status": str(task_result.status), "queries": queries, "peak_mb": peak_resident_mb()}
        with open(report_path, "a") as report:
            report.write(json.dumps(line) + "\n")

    connection_created.connect(counted, weak=False)
    task_started.connect(started, weak=False)
    task_finished.connect(finished, weak=False)
    call_command("db_worker", "--no-reload", "--interval", "1")


def follow(job, *, label: str, enqueued: float, samples: int = 6):
    """Poll the job as the progress bar does (twice a second); print about `samples` progress lines."""
    from fundmgr.models import Job

    printed, last = [], None
    while True:
        job.refresh_from_db(fields=["status", "done", "total", "errors", "task_id"])
        elapsed = time.perf_counter() - enqueued
        state = (job.status, job.done, job.total)
        if state != last:
            printed.append(f"    {elapsed:6.1f} s  {job.status:<8} {job.done:>9,} / {job.total:,} rows")
            last = state
        if job.status in (Job.Status.DONE, Job.Status.FAILED):
            break
        time.sleep(0.5)
    if len(printed) > samples:  # the first, a few evenly spaced, the last
        step = (len(printed) - 1) / (samples - 1)
        printed = [printed[round(index * step)] for index in range(samples)]
    print(f"  {label}: progress as the page polls it")
    print("\n".join(printed))
    if job.status == Job.Status.FAILED:
        sys.exit(f"{label} failed: {job.errors[:5]}")
    return elapsed


def task_report(report_path: str, task_id: str, timeout: float = 10) -> dict:
    deadline = time.perf_counter() + timeout
    while time.perf_counter() < deadline:
        if os.path.exists(report_path):
            for line in Path(report_path).read_text().splitlines():
                entry = json.loads(line)
                if entry["task"] == task_id:
                    return entry
        time.sleep(0.1)
    return {"queries": None, "peak_mb": None}


def process_peak_mb(pid: int) -> float | None:
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def job_path(path: str, *, expenditures: int) -> list[tuple[str, float, float | None]]:
    """Upload, dry run and import as background jobs, as the upload and job pages do; returns the
    (label, seconds, peak MB) of each job and of the two together."""
    from django.contrib.auth import get_user_model
    from django.core.files import File
    from django.core.files.storage import default_storage

    from fundmgr.jobs import job_confirm, job_start
    from fundmgr.models import Job
    from fundmgr.workbook.upload import declared_expenditure_rows
    from projects.models import Expenditure

    user, _created = get_user_model().objects.get_or_create(username="bench-import", defaults={"is_superuser": True})
    with tempfile.NamedTemporaryFile(suffix=".jsonl", delete=False) as report:
        report_path = report.name
    os.unlink(report_path)
    worker = subprocess.Popen([sys.executable, __file__, "--worker", report_path])
    try:
        time.sleep(3)  # the worker's start (django.setup) is not the import's time
        if worker.poll() is not None:
            sys.exit("the worker did not start")
        with open(path, "rb") as upload:
            rows = declared_expenditure_rows(File(upload))
            source = default_storage.save("imports/bench-import.xlsx", File(upload))
        results = []
        started = time.perf_counter()
        with transaction.atomic():  # job_start enqueues at the commit, as in the upload request
            check = job_start(kind=Job.Kind.IMPORT_CHECK, user=user, total=rows, source=source, params={"replace": False})
        seconds = follow(check, label="dry run (试导入) job", enqueued=started)
        figures = task_report(report_path, check.task_id)
        results.append(("dry run job", seconds, figures["peak_mb"], figures["queries"]))
        confirmed = time.perf_counter()
        with transaction.atomic():
            imported = job_confirm(job=check, user=user)
        seconds = follow(imported, label="import (确认导入) job", enqueued=confirmed)
        figures = task_report(report_path, imported.task_id)
        results.append(("import job", seconds, figures["peak_mb"], figures["queries"]))
        whole = time.perf_counter() - started
        peak = process_peak_mb(worker.pid)
        results.append(("dry run + import", whole, peak, None))
    finally:
        worker.terminate()
        worker.wait(timeout=30)
        if os.path.exists(report_path):
            os.unlink(report_path)
    count, total = expected_totals(expenditures)
    stored = Expenditure.objects.filter(item__department_year__department__code="BENCH", item__department_year__year=2024)
    got_count = stored.count()
    # Summed here, not with Sum(): SQLite sums a decimal column as floats.
    got_total = sum(stored.values_list("amount", flat=True).iterator(chunk_size=10_000), Decimal("0.00"))
    ok = got_count == count and got_total == total
    print(
        f"  database after the import: {got_count:,} expenditures, sum {got_total:,}; workbook: {count:,}, sum {total:,}"
        f" -> {'equal' if ok else 'DIFFERENT'}"
    )
    if not ok:
        sys.exit("the imported expenditures differ from the workbook's")
    return results


def print_targets(rows: list[tuple[str, float, float | None, int | None]], expenditures: int) -> None:
    print(f"targets (issue 17) for {expenditures:,} rows: <= {TARGET_SECONDS} s and <= {TARGET_MB} MB")
    print(f"  {'':<26}{'seconds':>9}  {'target':>6}       {'peak MB':>8}  {'target':>6}       {'queries':>8}")
    for label, seconds, peak, queries in rows:
        peak_text = (
            f"{peak:8.0f}  {TARGET_MB:>6}  {verdict(peak, TARGET_MB):<4}" if peak is not None else f"{'-':>8}  {'':>6}      "
        )
        queries_text = f"{queries:>8,}" if queries is not None else f"{'-':>8}"
        print(
            f"  {label:<26}{seconds:9.2f}  {TARGET_SECONDS:>6}  {verdict(seconds, TARGET_SECONDS):<4}"
            f"  {peak_text}  {queries_text}"
        )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--expenditures", type=int, default=10_000)
    parser.add_argument(
        "--path", choices=["direct", "job", "both"], default="both", help="which import path to measure (default both)"
    )
    parser.add_argument("--replace", action="store_true", help="also time a direct replace of the imported year")
    parser.add_argument("--keep", action="store_true", help="keep the directly imported department-year")
    parser.add_argument("--child", help=argparse.SUPPRESS)  # the workbook a child process imports
    parser.add_argument("--replace-twice", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--write", help=argparse.SUPPRESS)  # where a child writes the workbook
    parser.add_argument("--worker", help=argparse.SUPPRESS)  # the worker child: where it reports its tasks
    args = parser.parse_args()

    if args.write:
        Path(args.write).write_bytes(workbook_bytes(bench_rows(args.expenditures)))
        return
    if args.child:
        print(json.dumps(import_once(args.child, keep=args.keep, replace_twice=args.replace_twice), ensure_ascii=False))
        return
    if args.worker:
        run_worker(args.worker)
        return

    started = time.perf_counter()
    with tempfile.NamedTemporaryFile(suffix=".xlsx", delete=False) as file:
        pass
    subprocess.run([sys.executable, __file__, "--write", file.name, "--expenditures", str(args.expenditures)], check=True)
    built = time.perf_counter() - started
    print(f"database: {connection.vendor} ({connection.settings_dict['NAME']})")
    print(f"workbook: {os.path.getsize(file.name):,} bytes, written in {built:.2f} s")
    rows = []
    try:
        if args.path in ("direct", "both"):
            print("direct import (the floor: workbook_import in a child process, no job, no worker)")
            for replace_twice in (False, True) if args.replace else (False,):
                command = [sys.executable, __file__, "--child", file.name] + ["--replace-twice"] * replace_twice
                child = subprocess.run(command + ["--keep"] * args.keep, capture_output=True, text=True, check=False)
                if child.returncode != 0:
                    sys.exit(child.stderr)
                report = json.loads(child.stdout.strip().splitlines()[-1])
                if "errors" in report:
                    sys.exit("\n".join(report["errors"]))
                for run in report["runs"]:
                    print(
                        f"  {run['label']} of {args.expenditures:,} expenditures: {run['seconds']:.2f} s, "
                        f"{run['queries']} SQL queries"
                    )
                print(f"    peak RSS of that child process: {report['peak_mb']:.0f} MB")
                if not replace_twice:
                    run = report["runs"][0]
                    rows.append(("direct import", run["seconds"], report["peak_mb"], run["queries"]))
        if args.path in ("job", "both"):
            print("background job (as the upload page starts it past IMPORT_TASK_ROWS; a db_worker child runs it)")
            rows.extend(job_path(file.name, expenditures=args.expenditures))
    finally:
        os.unlink(file.name)
    print_targets(rows, args.expenditures)


if __name__ == "__main__":
    main()
