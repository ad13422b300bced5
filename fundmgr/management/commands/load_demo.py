import io

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from fundmgr.demo.performance import demo_performance_year
from fundmgr.demo.seed import DEMO_DEPARTMENT, DEMO_LOGINS, DEMO_YEAR, demo_logins_ensure, demo_rows
from fundmgr.lib.money import wan
from fundmgr.workbook import workbook_bytes, workbook_import
from units.models import Department, DepartmentYear, Membership


class Command(BaseCommand):
    help = "Load the seed department's 2024 data (fundmgr/demo/xjwf-2024.toml) through the workbook import, and the demo logins. Idempotent."

    def handle(self, *args, **options):
        exists = DepartmentYear.objects.filter(department__code=DEMO_DEPARTMENT, year=DEMO_YEAR).exists()
        if exists:
            self.stdout.write(_("示范数据 %(code)s %(year)s 已存在，未做改动") % {"code": DEMO_DEPARTMENT, "year": DEMO_YEAR})
        else:
            result = workbook_import(source=io.BytesIO(workbook_bytes(demo_rows())))
            if result.errors:
                for error in result.errors:
                    self.stderr.write(str(error))
                raise CommandError(_("示范数据导入失败"))
            self.stdout.write(
                self.style.SUCCESS(
                    _("已导入示范数据 %(year)s：全年预算 %(full_year)s 万元，支出 %(spent)s 万元")
                    % {"year": result.department_year, "full_year": wan(result.total_full_year), "spent": wan(result.total_spent)}
                )
            )
        department = Department.objects.get(code=DEMO_DEPARTMENT)
        logins = demo_logins_ensure(department=department)
        if not exists:
            # its performance year (issue 16): a target adjustment, June's monitoring, one evidence file
            department_year = DepartmentYear.objects.get(department=department, year=DEMO_YEAR)
            finance = next(login.username for login in DEMO_LOGINS if login.role == Membership.Role.FINANCE)
            demo_performance_year(department_year=department_year, user=get_user_model().objects.get(username=finance))
        if any(created for _login, created in logins):
            self.stdout.write(_("示范账号："))
        else:
            self.stdout.write(_("示范账号已存在，未做改动："))
        password = _("见环境变量 DEMO_PASSWORD") if settings.DEMO_PASSWORD_EXPLICIT else settings.DEMO_PASSWORD
        for login, _created in logins:
            self.stdout.write(f"  {login.username:<8} {login.description}")
        self.stdout.write(_("  密码：%(password)s") % {"password": password})
