"""The department-year in the import format of DOMAIN.md section 4: the round trip and our backup.

The rows and the layout are the importer's own (fundmgr.workbook.workbook_rows and
workbook_write, built from fundmgr.workbook.schema), so whatever the importer reads, this
writes. Importing the file into an empty database gives the identical summary JSON.

The import format has no status column: pending spending is written like approved spending
and comes back approved; rejected spending is left out. See the note in the issue 6 report.
"""

from typing import BinaryIO

from django.utils.translation import gettext as _

from fundmgr.exports import styles
from fundmgr.exports.labels import Stamp
from fundmgr.workbook import workbook_rows, workbook_write
from units.models import DepartmentYear


def write_workbook(*, department_year: DepartmentYear, out: BinaryIO, stamp: Stamp) -> None:
    book = workbook_write(workbook_rows(department_year=department_year))
    styles.stamp(book, creator=stamp.creator, created=stamp.created, title=_("预算数据工作簿（导入格式）"))
    book.save(out)
