"""python manage.py export --department CODE --year YYYY --what WHAT --out FILE [--unit CODE] [--from DATE --to DATE]

The exports page's files for scheduled jobs (issue 6). Errors name the bad argument and exit non-zero.
"""

import getpass
import os
from datetime import date

from django.core.management.base import BaseCommand, CommandError

from fundmgr.exports import registry
from projects.selectors import department_year_get
from units.models import BudgetUnit


def _date(text: str, option: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"{option} 日期格式应为 YYYY-MM-DD：{text}") from None


class Command(BaseCommand):
    help = "Write a department-year's export file (自评表, 执行情况表, 支出明细, 导入格式工作簿, 自评报告)."

    def add_arguments(self, parser):
        parser.add_argument("--department", required=True, help="department code, e.g. XJWF")
        parser.add_argument("--year", required=True, type=int)
        parser.add_argument("--what", required=True, choices=list(registry.KINDS))
        parser.add_argument("--out", required=True, help="file to write; its folder must exist")
        parser.add_argument("--unit", help="unit code (expenditures only)")
        parser.add_argument("--from", dest="date_from", help="first date, YYYY-MM-DD (expenditures only)")
        parser.add_argument("--to", dest="date_to", help="last date, YYYY-MM-DD (expenditures only)")

    def handle(self, *args, department, year, what, out, unit=None, date_from=None, date_to=None, **options):
        department_year = department_year_get(department_code=department, year=year)
        if department_year is None:
            raise CommandError(f"没有找到部门 {department} 的 {year} 年度数据")
        if what != registry.EXPENDITURES and (unit or date_from or date_to):
            raise CommandError("--unit、--from、--to 只适用于 --what expenditures")
        budget_unit = None
        if unit:
            budget_unit = BudgetUnit.objects.filter(department_id=department_year.department_id, code=unit).first()
            if budget_unit is None:
                raise CommandError(f"部门 {department} 没有编码为 {unit} 的预算单位")
        start = _date(date_from, "--from") if date_from else None
        end = _date(date_to, "--to") if date_to else None
        for value, option in ((start, "--from"), (end, "--to")):
            if value and value.year != year:
                raise CommandError(f"{option} 日期须在 {year} 年度内：{value.isoformat()}")
        if start and end and start > end:
            raise CommandError("--to 不能早于 --from")
        folder = os.path.dirname(os.path.abspath(out))
        if not os.path.isdir(folder):
            raise CommandError(f"目录不存在：{folder}")

        stamp = registry.stamp_for(f"{getpass.getuser()} (manage.py export)")
        partial = f"{out}.part"
        try:
            with open(partial, "wb") as stream:
                registry.generate(
                    what, department_year=department_year, out=stream, stamp=stamp,
                    unit=budget_unit, date_from=start, date_to=end,
                )
            os.replace(partial, out)
        finally:
            if os.path.exists(partial):
                os.remove(partial)
        self.stdout.write(f"{out} ({os.path.getsize(out)} bytes)")
