import json

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from fundmgr.summary import summary_json
from units.models import DepartmentYear


class Command(BaseCommand):
    help = "Print a department-year's budget summary as JSON (DOMAIN.md section 5)."

    def add_arguments(self, parser):
        parser.add_argument("--department", required=True, help="department code, e.g. XJWF")
        parser.add_argument("--year", required=True, type=int)

    def handle(self, *args, department, year, **options):
        department_year = (
            DepartmentYear.objects.select_related("department").filter(department__code=department, year=year).first()
        )
        if department_year is None:
            raise CommandError(_("没有找到部门 %(department)s 的 %(year)s 年度数据") % {"department": department, "year": year})
        self.stdout.write(json.dumps(summary_json(department_year=department_year), ensure_ascii=False, indent=2))
