"""xlsx export of a django-tables2 table with openpyxl (tablib is not a dependency), and the
stamp every exported file carries: who generated it and when, in its document properties.

Cells take the table's `value_<column>` values through fundmgr.lib.cells, so money stays a
number in Excel and text stays text.
"""

from dataclasses import dataclass
from datetime import datetime
from datetime import timezone as dt_timezone
from io import BytesIO

from django.http import HttpResponse
from django.utils import timezone
from django.utils.http import content_disposition_header
from openpyxl import Workbook
from openpyxl.styles import Font

from fundmgr.lib import cells

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(frozen=True)
class Stamp:
    """Who generated a file and when (naive UTC, as document properties keep it)."""

    creator: str
    created: datetime


def stamp_for(creator: str, *, now: datetime | None = None) -> Stamp:
    """A file's stamp: `creator`, and now (or `now`) in UTC."""
    moment = now or timezone.now()
    return Stamp(creator=creator, created=moment.astimezone(dt_timezone.utc).replace(tzinfo=None))


def document_author(user) -> str:
    """The name an export's document properties give as its author: the full name, else the login."""
    return user.get_full_name() or user.get_username()


def stamp_workbook(workbook: Workbook, *, stamp: Stamp, title: str) -> None:
    """Write the stamp and the title into the workbook's document properties."""
    workbook.properties.creator = stamp.creator
    workbook.properties.lastModifiedBy = stamp.creator
    workbook.properties.created = stamp.created
    workbook.properties.modified = stamp.created
    workbook.properties.title = title


def table_xlsx_response(table, *, filename: str, user, exclude_columns=()) -> HttpResponse:
    """The table as a workbook; `user` is named as its author in the document properties."""
    workbook = Workbook()
    stamp_workbook(workbook, stamp=stamp_for(document_author(user)), title=filename.removesuffix(".xlsx"))
    sheet = workbook.active
    for row in table.as_values(exclude_columns=exclude_columns):
        cells.append(sheet, row)
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
