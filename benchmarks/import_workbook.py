"""Import a workbook of N expenditures; report the time, the SQL query count and the peak memory.

    .venv/bin/python benchmarks/import_workbook.py [--expenditures N] [--keep]

Runs on the configured database (DATABASE_URL, else SQLite at var/fundmgr.sqlite3), which must
be migrated and hold no BENCH 2024 year. The workbook is written once (by the export's own
writer, in a child process) to a temporary file; each import then runs in a child process of its
own, which reports its peak resident memory (VmHWM, the high-water mark of the process since it
started; getrusage's ru_maxrss would count the parent's pages inherited at fork). The first child
imports the year, the second imports and then replaces it (deleting and re-creating every row);
both are rolled back unless --keep is given. Target (README): 200,000 expenditures in at most 30 s
and 250 MB on the 2-core reference machine.
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
        rows["lines"].append({"project": code, "source": "上级安排", "kind": "年初预算", "amount": initial, "date": date(2024, 1, 1)})
        rows["lines"].append({"project": code, "source": "本级财政", "kind": "年中追加", "amount": Decimal("50000.00"), "date": date(2024, 7, 1)})
        for level1_code, level1, level2 in (("O", "产出指标", "数量"), ("B", "效益指标", "社会效益"), ("S", "满意度指标", "服务对象满意度")):
            rows["indicators"].append(
                {"code": f"{code}-{level1_code}", "level1": level1, "level2": level2, "name": f"{level2}指标",
                 "direction": "≥", "target": Decimal("90"), "unit": "%", "actual": Decimal("95"), "project": code}
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


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--expenditures", type=int, default=10_000)
    parser.add_argument("--keep", action="store_true", help="keep the imported department-year")
    parser.add_argument("--child", help=argparse.SUPPRESS)  # the workbook a child process imports
    parser.add_argument("--replace-twice", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--write", help=argparse.SUPPRESS)  # where a child writes the workbook
    args = parser.parse_args()

    if args.write:
        Path(args.write).write_bytes(workbook_bytes(bench_rows(args.expenditures)))
        return
    if args.child:
        print(json.dumps(import_once(args.child, keep=args.keep, replace_twice=args.replace_twice), ensure_ascii=False))
        return

    started = time.perf_counter()
    with tempfile.NamedTemporaryFile(suffix=".xlsx", delete=False) as file:
        pass
    subprocess.run([sys.executable, __file__, "--write", file.name, "--expenditures", str(args.expenditures)], check=True)
    built = time.perf_counter() - started
    print(f"database: {connection.vendor} ({connection.settings_dict['NAME']})")
    print(f"workbook: {os.path.getsize(file.name):,} bytes, written in {built:.2f} s")
    try:
        for replace_twice in (False, True):
            command = [sys.executable, __file__, "--child", file.name] + ["--replace-twice"] * replace_twice
            child = subprocess.run(command + ["--keep"] * args.keep, capture_output=True, text=True, check=False)
            if child.returncode != 0:
                sys.exit(child.stderr)
            report = json.loads(child.stdout.strip().splitlines()[-1])
            if "errors" in report:
                sys.exit("\n".join(report["errors"]))
            for run in report["runs"]:
                print(
                    f"{run['label']} of {args.expenditures:,} expenditures: {run['seconds']:.2f} s, "
                    f"{run['queries']} SQL queries"
                )
            print(f"  peak RSS of that child process: {report['peak_mb']:.0f} MB")
    finally:
        os.unlink(file.name)


if __name__ == "__main__":
    main()
