"""Size and generation time of every export, for the seed department and a 100,000-expenditure one.

    .venv/bin/python benchmarks/exports.py [--rows 100000] [--keep DIR]

Runs against a throwaway SQLite database in a temporary folder (or DATABASE_URL when set),
so it never touches var/fundmgr.sqlite3. The big department is built with bulk_create.
"""

import argparse
import os
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

import django

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
# The throwaway database and the generated files share one temporary folder.
WORKDIR = Path(tempfile.mkdtemp(prefix="fundmgr-bench-"))
os.environ.setdefault("SECRET_KEY", "benchmark-only-secret")
os.environ.setdefault("DATABASE_URL", f"sqlite:///{WORKDIR / 'bench.sqlite3'}")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fundmgr.settings")
os.environ.setdefault("LOG_LEVEL", "WARNING")
django.setup()

from django.core.management import call_command

from fundmgr.exports import registry
from fundmgr.lib.table_xlsx import stamp_for
from projects.models import BudgetItem
from tests.exports.bulk import add_expenditures
from tests.exports.factories import build_ledger
from units.models import DepartmentYear


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=100_000, help="expenditures of the big department")
    parser.add_argument("--keep", help="folder to keep the generated files in")
    args = parser.parse_args()

    call_command("migrate", verbosity=0)
    out_dir = Path(args.keep) if args.keep else WORKDIR
    out_dir.mkdir(parents=True, exist_ok=True)
    stamp = stamp_for("benchmark", now=datetime.now(timezone.utc))

    departments = []
    if (ROOT / "fundmgr/management/commands/load_demo.py").exists():
        call_command("load_demo", verbosity=0)
        departments.append(("seed XJWF 2024", DepartmentYear.objects.get(department__code="XJWF", year=2024)))
    else:
        print("load_demo is not available: seed department skipped")
    started = time.perf_counter()
    ledger = build_ledger("BIG")
    add_expenditures(BudgetItem.objects.get(department_year=ledger.department_year, code="B-X01"), args.rows)
    print(f"built BIG 2024 with {args.rows:,} extra expenditures in {time.perf_counter() - started:.1f} s")
    departments.append((f"BIG 2024 ({args.rows:,} expenditures)", ledger.department_year))

    print(f"{'department':<34} {'file':<20} {'size':>12} {'seconds':>9}")
    for label, department_year in departments:
        for what, kind in registry.KINDS.items():
            path = out_dir / registry.filename_for(what, department_year=department_year)
            started = time.perf_counter()
            try:
                with open(path, "wb") as out:
                    registry.generate(what, department_year=department_year, out=out, stamp=stamp)
            except ImportError as error:
                print(f"{label:<34} {what:<20} {'n/a':>12} {'':>9}  ({error})")
                continue
            elapsed = time.perf_counter() - started
            print(f"{label:<34} {what:<20} {path.stat().st_size:>12,} {elapsed:>9.2f}")


if __name__ == "__main__":
    main()
