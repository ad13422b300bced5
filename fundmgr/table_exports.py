"""Excel exports of the dashboard tables (issue 5): numbers stay numbers, and big lists stream.
(The report exports of issue 6 live in the fundmgr.exports package.)

Tables go through openpyxl's write-only mode; expenditure lists, which run to 100,000 rows
for a unit, through fundmgr.xlsx_stream. Either way rows go to a temporary file as they
come, so no sheet sits in memory, and the file's properties name who generated it and when.
"""

import tempfile
from datetime import datetime
from datetime import timezone as dt_timezone
from decimal import Decimal

from django.http import FileResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook

from fundmgr.lib import cells
from fundmgr.xlsx_stream import write_xlsx
from projects.models import Expenditure

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MONEY_FORMAT = "#,##0.00"


def document_author(user) -> str:
    """The name an export's document properties give as its author: the full name, else the login."""
    return user.get_full_name() or user.get_username()


def created_now() -> datetime:
    """Now as document properties keep it: naive UTC."""
    return timezone.now().astimezone(dt_timezone.utc).replace(tzinfo=None)


def stamp_workbook(workbook: Workbook, *, creator: str, title: str) -> None:
    """Who generated the workbook and when, in its document properties (issue 7)."""
    created = created_now()
    workbook.properties.creator = creator
    workbook.properties.lastModifiedBy = creator
    workbook.properties.created = created
    workbook.properties.modified = created
    workbook.properties.title = title


def _response(workbook: Workbook, filename: str) -> FileResponse:
    spool = tempfile.TemporaryFile()
    workbook.save(spool)
    spool.seek(0)
    return FileResponse(spool, as_attachment=True, filename=filename, content_type=XLSX)


def _cells(sheet, values):
    """A table row as cells: money keeps its number format, text stays text (fundmgr.lib.cells)."""
    row = []
    for value in values:
        cell = cells.cell(sheet, value)
        if isinstance(value, Decimal):
            cell.number_format = MONEY_FORMAT
        row.append(cell)
    return row


def table_xlsx(table, *, filename: str, title: str, user) -> FileResponse:
    """A django-tables2 table as a sheet, through its value_<column> methods (raw Decimals);
    `user` is named as the file's author."""
    workbook = Workbook(write_only=True)
    stamp_workbook(workbook, creator=document_author(user), title=title)
    sheet = workbook.create_sheet(title=title[:31])
    for values in table.as_values():
        sheet.append(_cells(sheet, values))
    return _response(workbook, filename)


EXPENDITURE_COLUMNS = (
    ("item__unit__code", gettext_lazy("单位编码")),
    ("item__code", gettext_lazy("项目编码")),
    ("item__name", gettext_lazy("项目名称")),
    ("date", gettext_lazy("支出日期")),
    ("amount", gettext_lazy("金额（元）")),
    ("economic_class_id", gettext_lazy("经济分类")),
    ("memo", gettext_lazy("摘要")),
    ("voucher", gettext_lazy("凭证号")),
    ("status", gettext_lazy("状态")),
)


def expenditures_xlsx(expenditures, *, filename: str, user) -> FileResponse:
    """Expenditures as a streamed sheet (fundmgr.xlsx_stream): read in chunks with a server-side
    cursor, written row by row into a temporary file; amounts and dates stay typed cells.
    `user` is named as the file's author."""
    statuses = {value: str(label) for value, label in Expenditure.Status.choices}
    fields = [name for name, _label in EXPENDITURE_COLUMNS]
    status_index = fields.index("status")

    def rows():
        yield [str(label) for _name, label in EXPENDITURE_COLUMNS]
        for values in expenditures.order_by("date", "id").values_list(*fields).iterator(chunk_size=5000):
            values = list(values)
            values[status_index] = statuses.get(values[status_index], values[status_index])
            yield values

    spool = tempfile.TemporaryFile()
    write_xlsx(spool, sheet_name=_("支出明细"), rows=rows(), creator=document_author(user), created=created_now())
    spool.seek(0)
    return FileResponse(spool, as_attachment=True, filename=filename, content_type=XLSX)
