import json
import re
from datetime import date

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from fundmgr.summary import summary_json
from projects.arithmetic import month_end
from units.models import DepartmentYear

AS_OF = re.compile(r"(\d{4})-(\d{2})", re.ASCII)


def as_of_month_end(text: str, *, year: int) -> date:
    """The end of the month `--as-of YYYY-MM` names (DOMAIN.md section 8), which must be a month of
    the department-year: figures as of a month of another year would be another year's summary."""
    match = AS_OF.fullmatch(text.strip())
    if match is None:
        raise CommandError(
            _("--as-of 须为 YYYY-MM 格式的年月，如 %(example)s，而不是“%(value)s”") % {"example": f"{year}-06", "value": text}
        )
    as_of_year, month = int(match[1]), int(match[2])
    if not 1 <= month <= 12:
        raise CommandError(_("--as-of 的月份须在01到12之间：%(value)s") % {"value": text})
    if as_of_year != year:
        raise CommandError(_("--as-of 须为%(year)s年度内的月份：%(value)s") % {"year": year, "value": text})
    return month_end(as_of_year, month)


class Command(BaseCommand):
    help = "Print a department-year's budget summary as JSON (DOMAIN.md sections 5 and 8)."

    def add_arguments(self, parser):
        parser.add_argument("--department", required=True, help="department code, e.g. XJWF")
        parser.add_argument("--year", required=True, type=int)
        parser.add_argument(
            "--as-of",
            dest="as_of",
            metavar="YYYY-MM",
            help="figures as of the end of this month of the year (default: the whole year)",
        )

    def handle(self, *args, department, year, as_of=None, **options):
        as_of_date = as_of_month_end(as_of, year=year) if as_of is not None else None
        department_year = (
            DepartmentYear.objects.select_related("department").filter(department__code=department, year=year).first()
        )
        if department_year is None:
            raise CommandError(_("没有找到部门 %(department)s 的 %(year)s 年度数据") % {"department": department, "year": year})
        summary = summary_json(department_year=department_year, as_of=as_of_date)
        self.stdout.write(json.dumps(summary, ensure_ascii=False, indent=2))
