from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from fundmgr.workbook import workbook_write


class Command(BaseCommand):
    help = "Write the empty budget workbook template: headers, drop-down lists and the 说明 sheet."

    def add_arguments(self, parser):
        parser.add_argument("file", help="where to write the .xlsx template")

    def handle(self, *args, file, **options):
        workbook_write().save(file)
        self.stdout.write(self.style.SUCCESS(_("已写入模板：%(file)s") % {"file": file}))
