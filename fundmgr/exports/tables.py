"""Downloads of the dashboard pages: a table as a sheet, and the expenditure detail.

Numbers stay numbers and text stays text (fundmgr.lib.cells). A table goes through openpyxl's
write-only mode; the expenditures of a unit or an item, which run to 100,000 rows, are the
exports page's 支出明细表 (fundmgr.exports.expenditures), streamed. Either way rows go to a
temporary file as they come, so no sheet sits in memory, and the file's properties name who
generated it and when.
"""

import tempfile
from decimal import Decimal

from django.db.models import QuerySet
from django.http import FileResponse
from openpyxl import Workbook

from fundmgr.exports.expenditures import ExpenditureScope, write_expenditures
from fundmgr.lib import cells
from fundmgr.lib.table_xlsx import XLSX, document_author, stamp_for, stamp_workbook
from projects.models import Expenditure

MONEY_FORMAT = "#,##0.00"


def _response(spool, filename: str) -> FileResponse:
    spool.seek(0)
    return FileResponse(spool, as_attachment=True, filename=filename, content_type=XLSX)


def table_xlsx(table, *, filename: str, title: str, user) -> FileResponse:
    """A django-tables2 table as a sheet, through its value_<column> methods (raw Decimals, shown
    with a money format); `user` is named as the file's author."""
    workbook = Workbook(write_only=True)
    stamp_workbook(workbook, stamp=stamp_for(document_author(user)), title=title)
    sheet = workbook.create_sheet(title=title[:31])
    for values in table.as_values():
        sheet.append(
            [cells.cell(sheet, value, number_format=MONEY_FORMAT if isinstance(value, Decimal) else None) for value in values]
        )
    spool = tempfile.TemporaryFile()
    workbook.save(spool)
    return _response(spool, filename)


def expenditures_xlsx(expenditures: QuerySet[Expenditure], *, filename: str, user,
                      scope: ExpenditureScope | None = None) -> FileResponse:
    """The approved ones of `expenditures` as the 支出明细表; `user` is named as the file's author.

    `scope` (the page's department-year and unit or item) heads the sheet; without it, the
    scope is read from the first approved expenditure (one query).
    """
    spool = tempfile.TemporaryFile()
    write_expenditures(
        scope=scope,
        expenditures=expenditures,
        out=spool,
        stamp=stamp_for(document_author(user)),
    )
    return _response(spool, filename)
