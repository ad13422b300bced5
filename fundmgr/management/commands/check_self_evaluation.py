"""python manage.py check_self_evaluation FILE.xlsx [FILE.xlsx ...]

The finance bureau's check of filled 自评表 (DOMAIN.md section 10): every 项目支出绩效自评表 and
部门整体支出绩效自评表 of each workbook, one JSON object per table and per line on stdout, with
the figures the table states, the figures recomputed from it and the findings.

Exit status 0 when every file was read, findings or not; 2 when a file cannot be read as a 自评表.
Such a file gets one line on stderr naming it, and the other files are still checked.
"""

import json
import os
import sys

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from fundmgr.review.checker import check_json, table_check
from fundmgr.review.reader import NotASelfEvaluation, read_tables

UNREADABLE = 2


class Command(BaseCommand):
    help = "Check filled 自评表 workbooks: one JSON object per table on stdout (DOMAIN.md section 10)."

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+", metavar="FILE.xlsx", help="filled self-evaluation workbooks (.xlsx)")

    def handle(self, *args, files, **options):
        unreadable = 0
        for path in files:
            try:
                lines = self.lines_of(path)
            except NotASelfEvaluation as error:
                unreadable += 1
                self.stderr.write(_("%(file)s：无法作为自评表读取：%(reason)s") % {"file": path, "reason": error})
                continue
            for line in lines:
                self.stdout.write(line)
        if unreadable:
            sys.exit(UNREADABLE)

    @staticmethod
    def lines_of(path: str) -> list[str]:
        """The JSON line of each table of the file, all or none."""
        if not os.path.isfile(path):
            raise NotASelfEvaluation(_("文件不存在"))
        try:
            return [json.dumps(check_json(table_check(table), file=path), ensure_ascii=False) for table in read_tables(path)]
        except NotASelfEvaluation:
            raise
        except Exception as error:
            # A file that surprises the reader is refused like any unreadable file: one line naming
            # it, never a traceback, and the batch goes on.
            raise NotASelfEvaluation(_("文件内容无法识别（%(error)s）") % {"error": type(error).__name__}) from error
