"""The department-year in the import format of DOMAIN.md section 4: the round trip and our backup.

The rows and the layout are the importer's own (fundmgr.workbook.workbook_rows and
workbook_write, built from fundmgr.workbook.schema), so whatever the importer reads, this
writes. Importing the file into an empty database gives the identical summary JSON.

It is a restorable backup: every state of the ledger (pending and rejected spending with their
decisions, closed and reopened months, indicator results) is written, and export → import →
export gives the same workbook (tests/fundmgr/test_workbook_roundtrip.py).
"""

from typing import BinaryIO

from django.utils.translation import gettext as _

from fundmgr.lib.table_xlsx import Stamp, stamp_workbook
from fundmgr.workbook import workbook_rows, workbook_write
from units.models import DepartmentYear


def write_workbook(*, department_year: DepartmentYear, out: BinaryIO, stamp: Stamp) -> None:
    book = workbook_write(workbook_rows(department_year=department_year))
    stamp_workbook(book, stamp=stamp, title=_("预算数据工作簿（导入格式）"))
    book.save(out)
