"""Excel exports of the dashboard tables (issue 5): numbers stay numbers, and big lists stream.
(The report exports of issue 6 live in the fundmgr.exports package.)

Tables go through openpyxl's write-only mode; expenditure lists, which run to 100,000 rows
for a unit, through fundmgr.xlsx_stream. Either way rows go to a temporary file as they
come, so no sheet sits in memory.
"""

import tempfile
from decimal import Decimal

from django.http import FileResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

from fundmgr.xlsx_stream import write_xlsx
from projects.models import Expenditure

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MONEY_FORMAT = "#,##0.00"


def _response(workbook: Workbook, filename: str) -> FileResponse:
    spool = tempfile.TemporaryFile()
    workbook.save(spool)
    spool.seek(0)
    return FileResponse(spool, as_attachment=True, filename=filename, content_type=XLSX)


def _cells(sheet, values):
    row = []
    for value in values:
        if isinstance(value, Decimal):
            cell = WriteOnlyCell(sheet, value=value)
            cell.number_format = MONEY_FORMAT
            row.append(cell)
        else:
            row.append(value)
    return row


def table_xlsx(table, *, filename: str, title: str) -> FileResponse:
    """A django-tables2 table as a sheet, through its value_<column> methods (raw Decimals)."""
    workbook = Workbook(write_only=True)
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


def expenditures_xlsx(expenditures, *, filename: str) -> FileResponse:
    """Expenditures as a streamed sheet (fundmgr.xlsx_stream): read in chunks with a server-side
    cursor, written row by row into a temporary file; amounts and dates stay typed cells."""
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
    write_xlsx(spool, sheet_name=_("支出明细"), rows=rows())
    spool.seek(0)
    return FileResponse(spool, as_attachment=True, filename=filename, content_type=XLSX)
