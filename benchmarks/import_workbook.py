"""Import a workbook of 10,000 expenditures and report the time and the SQL query count.

    .venv/bin/python benchmarks/import_workbook.py [--expenditures N] [--keep]

Runs on the configured database (DATABASE_URL, else SQLite at var/fundmgr.sqlite3), which must
be migrated and hold no BENCH 2024 year. It imports the workbook, then imports it again
with replace (which deletes and re-creates the year), and rolls both back unless --keep is given.
"""

import argparse
import os
import sys
import time
from datetime import date
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fundmgr.settings")
os.environ.setdefault("FUNDMGR_DEV", "1")

import django  # noqa: E402

django.setup()

from django.db import connection, transaction  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from fundmgr.workbook import workbook_bytes, workbook_import  # noqa: E402

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
    for i in range(items):
        code = f"B-XM{i:04d}"
        rows["items"].append({"code": code, "name": f"基准项目{i}", "unit": f"B{i % units:03d}", "category": "特定目标类"})
        rows["lines"].append({"project": code, "source": "上级安排", "kind": "年初预算", "amount": Decimal("1000000.00"), "date": date(2024, 1, 1)})
        rows["lines"].append({"project": code, "source": "本级财政", "kind": "年中追加", "amount": Decimal("50000.00"), "date": date(2024, 7, 1)})
        for level1, level2 in (("产出指标", "数量"), ("效益指标", "社会效益"), ("满意度指标", "服务对象满意度")):
            rows["indicators"].append(
                {"code": f"{code}-{level2}", "level1": level1, "level2": level2, "name": f"{level2}指标",
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


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--expenditures", type=int, default=10_000)
    parser.add_argument("--keep", action="store_true", help="keep the imported department-year")
    args = parser.parse_args()

    started = time.perf_counter()
    content = workbook_bytes(bench_rows(args.expenditures))
    built = time.perf_counter() - started

    runs = []
    with transaction.atomic():
        for label in ("import", "replace"):  # the second run replaces what the first wrote
            with CaptureQueriesContext(connection) as queries:
                started = time.perf_counter()
                result = workbook_import(source=content, replace=True)
                elapsed = time.perf_counter() - started
            if result.errors:
                for error in result.errors[:20]:
                    print(error, file=sys.stderr)
                sys.exit(1)
            runs.append((label, elapsed, len(queries.captured_queries)))
        if not args.keep:
            transaction.set_rollback(True)

    print(f"database: {connection.vendor} ({connection.settings_dict['NAME']})")
    print(f"workbook: {len(content):,} bytes, rows {result.counts}, built in {built:.2f} s")
    for label, elapsed, count in runs:
        print(f"{label} of {args.expenditures:,} expenditures: {elapsed:.2f} s, {count} SQL queries")

if __name__ == "__main__":
    main()
