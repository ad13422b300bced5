"""`manage.py send_alerts`: e-mail the 序时进度预警 digests (fundmgr.alerts).

Cron, on the first of each month at 07:00, for every department-year of the current year:
    0 7 1 * * cd /srv/fundmgr && .venv/bin/python manage.py send_alerts --year "$(date +\\%Y)"
"""

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext as _

from fundmgr import alerts
from fundmgr.dashboards.builder import default_month
from units.models import DepartmentYear

USAGE_ERROR = 2  # what an unknown department or year, or a bad --as-of, exits with


def as_of_month(value: str, *, year: int) -> int:
    """The month of `--as-of YYYY-MM`, which must name a month of `year`."""
    parts = value.split("-")
    if len(parts) != 2 or not all(part.isascii() and part.isdigit() for part in parts) or not 1 <= int(parts[1]) <= 12:
        raise CommandError(
            _("--as-of 须为 YYYY-MM 格式的月份，例如 %(example)s") % {"example": f"{year}-06"}, returncode=USAGE_ERROR
        )
    if int(parts[0]) != year:
        raise CommandError(_("--as-of %(value)s 不在 %(year)s 年度内") % {"value": value, "year": year}, returncode=USAGE_ERROR)
    return int(parts[1])


class Command(BaseCommand):
    help = (
        "E-mail the 序时进度预警 digest: each unit's accountants their unit's items behind plan, the finance "
        "office all of them (DOMAIN.md section 8). Without --department, every department of the year."
    )

    def add_arguments(self, parser):
        parser.add_argument("--department", help="department code, e.g. XJWF; every department of the year without it")
        parser.add_argument("--year", required=True, type=int)
        parser.add_argument("--as-of", dest="as_of", metavar="YYYY-MM", help="the month's end to check (default: this month)")

    def handle(self, *args, department=None, year, as_of=None, **options):
        department_years = DepartmentYear.objects.select_related("department").filter(year=year).order_by("department__code")
        if department:
            department_years = department_years.filter(department__code=department)
        department_years = list(department_years)
        if not department_years:
            if department:
                message = _("没有找到部门 %(department)s 的 %(year)s 年度数据") % {"department": department, "year": year}
            else:
                message = _("没有 %(year)s 年度的部门数据") % {"year": year}
            raise CommandError(message, returncode=USAGE_ERROR)
        month = as_of_month(as_of, year=year) if as_of else default_month(year, timezone.localdate())
        for department_year in department_years:
            run = alerts.digests_for(department_year=department_year, month=month)
            sent = alerts.send_digests(run)
            units = sorted({digest.unit_code for digest in run.accountant_mails})
            self.stdout.write(
                _(
                    "%(department)s %(year)s-%(month)02d：%(items)s 个项目滞后，发送 %(sent)s 封邮件"
                    "（单位会计 %(accountants)s 封，涉及单位 %(units)s；财务处 %(finance)s 封）"
                )
                % {
                    "department": department_year.department.code,
                    "year": year,
                    "month": month,
                    "items": len(run.rows),
                    "sent": sent,
                    "accountants": len(run.accountant_mails),
                    "units": _("、").join(units) or "—",
                    "finance": len(run.finance_mails),
                }
            )
