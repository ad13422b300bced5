"""Downloads of the dashboard pages: a table as a sheet, and the expenditure detail.

A table goes through the one table writer, fundmgr.lib.table_xlsx (the list views' door too);
the expenditures of a unit or an item, which run to 100,000 rows, are the exports page's
支出明细表 (fundmgr.exports.expenditures), streamed to a temporary file. Either way the file's
properties name who generated it and when.
"""

import tempfile

from django.db.models import QuerySet
from django.http import FileResponse

from fundmgr.exports.expenditures import ExpenditureScope, write_expenditures
from fundmgr.lib.table_xlsx import XLSX, document_author, export_filename, stamp_for, table_xlsx_response
from projects.models import Expenditure


def _response(spool, filename: str) -> FileResponse:
    spool.seek(0)
    return FileResponse(spool, as_attachment=True, filename=filename, content_type=XLSX)


def table_xlsx(table, *, prefix: str, user) -> FileResponse:
    """A dashboard table as `<prefix>-<its title>.xlsx` (XJWF-2024-12-各预算单位执行情况.xlsx);
    `user` is named as the file's author."""
    return table_xlsx_response(table, filename=export_filename(table, prefix=prefix), user=user)


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
