"""python manage.py export --department CODE --year YYYY --what WHAT --out FILE [--unit CODE] [--from DATE --to DATE]
[--language zh-hans|en]

The exports page's files for scheduled jobs. Errors name the bad argument and exit non-zero.
The file's headers and words follow --language (Simplified Chinese unless told), as a web
download follows the language the user chose.
"""

import os
from datetime import date

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation
from django.utils.translation import gettext as _

from fundmgr.exports import registry
from fundmgr.lib.logs import os_user
from fundmgr.lib.table_xlsx import stamp_for
from projects.selectors import department_year_get
from units.models import BudgetUnit


def _date(text: str, option: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise CommandError(_("%(option)s 日期格式应为 YYYY-MM-DD：%(text)s") % {"option": option, "text": text}) from None


class Command(BaseCommand):
    help = "Write a department-year's export file (self-evaluation tables, execution, expenditures, import workbook, report)."

    def add_arguments(self, parser):
        parser.add_argument("--department", required=True, help="department code, e.g. XJWF")
        parser.add_argument("--year", required=True, type=int)
        parser.add_argument("--what", required=True, choices=list(registry.KINDS))
        parser.add_argument("--out", required=True, help="file to write; its folder must exist")
        parser.add_argument("--unit", help="unit code (expenditures only)")
        parser.add_argument("--from", dest="date_from", help="first date, YYYY-MM-DD (expenditures only)")
        parser.add_argument("--to", dest="date_to", help="last date, YYYY-MM-DD (expenditures only)")
        parser.add_argument("--user", help="the author written into the file's properties (default: the operating-system user)")
        parser.add_argument(
            "--language",
            default=settings.LANGUAGE_CODE,
            choices=[code for code, _name in settings.LANGUAGES],
            help=f"language of the file's headers and words (default {settings.LANGUAGE_CODE})",
        )

    def handle(self, *args, language=settings.LANGUAGE_CODE, **options):
        with translation.override(language):
            self.export(**options)

    def export(self, *, department, year, what, out, unit=None, date_from=None, date_to=None, **options):
        department_year = department_year_get(department_code=department, year=year)
        if department_year is None:
            raise CommandError(_("没有找到部门 %(department)s 的 %(year)s 年度数据") % {"department": department, "year": year})
        if what != registry.EXPENDITURES and (unit or date_from or date_to):
            raise CommandError(_("--unit、--from、--to 只适用于 --what expenditures"))
        budget_unit = None
        if unit:
            budget_unit = BudgetUnit.objects.filter(department_id=department_year.department_id, code=unit).first()
            if budget_unit is None:
                raise CommandError(
                    _("部门 %(department)s 没有编码为 %(unit)s 的预算单位") % {"department": department, "unit": unit}
                )
        start = _date(date_from, "--from") if date_from else None
        end = _date(date_to, "--to") if date_to else None
        for value, option in ((start, "--from"), (end, "--to")):
            if value and value.year != year:
                raise CommandError(
                    _("%(option)s 日期须在 %(year)s 年度内：%(date)s")
                    % {"option": option, "year": year, "date": value.isoformat()}
                )
        if start and end and start > end:
            raise CommandError(_("--to 不能早于 --from"))
        folder = os.path.dirname(os.path.abspath(out))
        if not os.path.isdir(folder):
            raise CommandError(_("目录不存在：%(folder)s") % {"folder": folder})

        stamp = stamp_for(f"{options.get('user') or os_user()} (manage.py export)")
        partial = f"{out}.part"
        try:
            with open(partial, "wb") as stream:
                registry.generate(
                    what,
                    department_year=department_year,
                    out=stream,
                    stamp=stamp,
                    unit=budget_unit,
                    date_from=start,
                    date_to=end,
                )
            os.replace(partial, out)
        finally:
            if os.path.exists(partial):
                os.remove(partial)
        self.stdout.write(f"{out} ({os.path.getsize(out)} bytes)")
