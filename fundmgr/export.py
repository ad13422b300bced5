"""xlsx export of a django-tables2 table with openpyxl (tablib is not a dependency).

Cells take the table's `value_<column>` values, so money stays a number in Excel.
"""

from datetime import date, datetime
from decimal import Decimal
from io import BytesIO

from django.http import HttpResponse
from django.utils.http import content_disposition_header
from openpyxl import Workbook
from openpyxl.styles import Font

from fundmgr.lib import cells
from fundmgr.table_exports import document_author, stamp_workbook

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _cell(value):
    if value is None or isinstance(value, (int, Decimal, date, datetime)):
        if isinstance(value, datetime):
            return value.replace(tzinfo=None)
        return value
    return str(value)


def table_xlsx_response(table, *, filename: str, user, exclude_columns=()) -> HttpResponse:
    """The table as a workbook; `user` is named as its author in the document properties."""
    workbook = Workbook()
    stamp_workbook(workbook, creator=document_author(user), title=filename.removesuffix(".xlsx"))
    sheet = workbook.active
    for row in table.as_values(exclude_columns=exclude_columns):
        cells.append(sheet, [_cell(value) for value in row])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    buffer = BytesIO()
    workbook.save(buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


class XlsxExportMixin:
    """For SingleTableMixin views: `?_export=xlsx` answers the whole filtered table as a workbook."""

    export_trigger_param = "_export"
    exclude_columns = ()
    export_name = "export"

    def render_to_response(self, context, **response_kwargs):
        if self.request.GET.get(self.export_trigger_param) == "xlsx":
            table = self.get_table(**self.get_table_kwargs())
            return table_xlsx_response(
                table, filename=f"{self.export_name}.xlsx", user=self.request.user, exclude_columns=self.exclude_columns
            )
        return super().render_to_response(context, **response_kwargs)
