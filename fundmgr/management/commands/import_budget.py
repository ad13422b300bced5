from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from fundmgr.lib.logs import import_logged, os_user
from fundmgr.lib.money import wan
from fundmgr.workbook import workbook_import


class Command(BaseCommand):
    help = "Import one department-year from a budget workbook (.xlsx, DOMAIN.md section 4). All or nothing."

    def add_arguments(self, parser):
        parser.add_argument("file", help="the .xlsx workbook")
        parser.add_argument("--replace", action="store_true", help="replace the department-year if it exists")
        parser.add_argument("--dry-run", action="store_true", help="validate and report, write nothing")
        parser.add_argument(
            "--user", help="record the import as this user (the closer of the months the workbook closes, when it names none)"
        )

    def handle(self, *args, file, replace, dry_run, user=None, **options):
        importer = None
        if user:
            importer = get_user_model().objects.filter(username=user).first()
            if importer is None:
                raise CommandError(_("用户“%(username)s”不存在") % {"username": user})
        result = workbook_import(source=file, replace=replace, dry_run=dry_run, user=importer)
        import_logged(result, user=os_user(), channel="command", replace=replace, dry_run=dry_run, source=str(file))
        if result.errors:
            for error in result.errors:
                self.stderr.write(str(error))
            if result.year_exists:
                self.stderr.write(_("如需替换该部门年度，请加 --replace 参数重新运行"))
            raise CommandError(_("导入被拒绝：共 %(count)s 个错误，数据库未做任何改动") % {"count": len(result.errors)})
        for sheet, count in result.counts.items():
            self.stdout.write(_("%(sheet)s：%(count)s 行") % {"sheet": sheet, "count": count})
        for unit in result.unit_totals:
            self.stdout.write(
                _("  %(code)s %(name)s：全年预算 %(full_year)s 万元，支出 %(spent)s 万元")
                % {"code": unit.code, "name": unit.name, "full_year": wan(unit.full_year), "spent": wan(unit.spent)}
            )
        if dry_run:
            self.stdout.write(self.style.SUCCESS(_("检查通过（试运行，未写入数据库）")))
        elif result.replaced:
            self.stdout.write(self.style.SUCCESS(_("已替换 %(year)s") % {"year": result.department_year}))
        else:
            self.stdout.write(self.style.SUCCESS(_("已导入 %(year)s") % {"year": result.department_year}))
