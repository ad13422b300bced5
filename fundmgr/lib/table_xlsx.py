"""The one xlsx export of a django-tables2 table (openpyxl; tablib is not a dependency), and the
stamp every exported file carries: who generated it and when, in its document properties.

Both doors use `table_xlsx_response`: the dashboards' `?_export=xlsx&table=<name>` and the list
views' XlsxExportMixin. The sheet reads:

    row 1  the table's title (its `export_title`: 单位执行情况, 支出明细, …)
    row 2  the unit its money is in (单位：元), when it has money columns
    row 3  the header: each column's `export_header` (stating the unit), else its header
    …      one row per record, through the table's `value_<column>` methods
    last   合计, when it has money columns: their sums; a rate recomputed from the totals

Columns carry their export semantics (fundmgr.lib.columns): `number_format`, `totalled`,
`ratio_of`. Cells go through fundmgr.lib.cells, so money stays a number and text stays text.
Column widths are fitted to the content, a CJK character counting double. The file name and
the sheet name are the table's title, in the active language.
"""

import re
import tempfile
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime
from datetime import timezone as dt_timezone
from decimal import Decimal

from django.http import FileResponse
from django.utils import timezone
from django.utils.encoding import force_str
from django.utils.translation import gettext
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from fundmgr.lib import cells
from fundmgr.lib.columns import MONEY_FORMAT, PERCENT_FORMAT, shown_ratio
from fundmgr.lib.money import ratio

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

BOLD = Font(bold=True)
TITLE_FONT = Font(bold=True, size=14)
HEADER_ROW = 3  # where the table's header is: after the title and the unit line
MAX_WIDTH = 60
# A file name holds none of these (a folder separator, a quote, a line break); Excel's sheet
# names hold none of []:*?/\ and at most 31 characters.
UNSAFE_IN_FILE_NAME = re.compile(r'[\\/:*?"<>|\x00-\x1f\x7f]')
UNSAFE_IN_SHEET_NAME = re.compile(r"[\[\]:*?/\\]")


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


# --- what a table says about its export ------------------------------------------------------


def export_title(table) -> str:
    """The table's title: its `export_title`, else its class name."""
    return str(getattr(table, "export_title", "") or type(table).__name__)


def export_filename(table, *, prefix: str = "") -> str:
    """`<prefix>-<title>.xlsx` (XJWF-2024-12-单位执行情况.xlsx), safe as one file name."""
    stem = f"{prefix}-{export_title(table)}" if prefix else export_title(table)
    return UNSAFE_IN_FILE_NAME.sub("_", stem) + ".xlsx"


def _sheet_name(title: str) -> str:
    return UNSAFE_IN_SHEET_NAME.sub("_", title)[:31] or "Sheet"


def _exported_columns(table, exclude_columns) -> list:
    return [
        column
        for column in table.columns.iterall()
        if not (column.column.exclude_from_export or column.name in exclude_columns)
    ]


def _header(bound_column) -> str:
    return force_str(getattr(bound_column.column, "export_header", None) or bound_column.header)


def _counts_in_total(table, record) -> bool:
    counts = getattr(table, "counts_in_total", None)
    return True if counts is None else counts(record)


# --- widths -----------------------------------------------------------------------------------


def display_width(text: str) -> int:
    """How many character cells `text` takes in Excel: a wide (CJK) character counts two."""
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)


def shown_text(value, number_format: str | None) -> str:
    """The text a cell shows, for its width."""
    if value is None:
        return ""
    if isinstance(value, (int, Decimal, float)) and not isinstance(value, bool):
        if number_format == PERCENT_FORMAT:
            return f"{Decimal(value) * 100:,.2f}%"
        if number_format == MONEY_FORMAT:
            return f"{Decimal(value):,.2f}"
        return str(value)
    if isinstance(value, date):  # a datetime too
        return value.isoformat(sep=" ") if isinstance(value, datetime) else value.isoformat()
    return str(value)


# --- the sheet --------------------------------------------------------------------------------


@dataclass
class _Column:
    name: str
    header: str
    number_format: str | None
    totalled: bool
    ratio_of: tuple[str, str] | None


def _totals(columns: list[_Column], rows: list[list], counted: list[bool], label: str) -> list:
    """The 合计 row: money summed over the counted rows, a rate recomputed from the totals of
    its `ratio_of` columns (blank when they are not both there), `label` in the first cell."""
    sums = {}
    for index, column in enumerate(columns):
        if column.totalled:
            sums[column.name] = sum(
                (row[index] for row, counts in zip(rows, counted) if counts and row[index] is not None), Decimal("0.00")
            )
    totals = []
    for column in columns:
        if column.totalled:
            totals.append(sums[column.name])
        elif column.ratio_of and column.ratio_of[0] in sums and column.ratio_of[1] in sums:
            totals.append(shown_ratio(ratio(sums[column.ratio_of[0]], sums[column.ratio_of[1]])))
        else:
            totals.append(None)
    totals[0] = label
    return totals


def write_table(workbook: Workbook, table, *, title: str, exclude_columns=()) -> None:
    """Add the sheet of `table` to the write-only `workbook` (layout: the module's docstring)."""
    bound_columns = _exported_columns(table, exclude_columns)
    columns = [
        _Column(
            name=bound.name,
            header=_header(bound),
            number_format=getattr(bound.column, "number_format", None),
            totalled=getattr(bound.column, "totalled", False),
            ratio_of=getattr(bound.column, "ratio_of", None),
        )
        for bound in bound_columns
    ]
    rows, counted = [], []
    for row in table.rows:
        rows.append([cells.stored(force_str(row.get_cell_value(column.name), strings_only=True)) for column in columns])
        counted.append(_counts_in_total(table, row.record))
    has_money = any(column.totalled for column in columns)
    totals = _totals(columns, rows, counted, str(getattr(table, "export_totals_label", "") or gettext("合计"))) if has_money else None

    sheet = workbook.create_sheet(title=_sheet_name(title))
    widths = [display_width(column.header) for column in columns]
    for row in rows + ([totals] if totals else []):
        for index, (value, column) in enumerate(zip(row, columns)):
            widths[index] = max(widths[index], display_width(shown_text(value, column.number_format)))
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = min(width + 2, MAX_WIDTH)
    sheet.freeze_panes = f"A{HEADER_ROW + 1}"

    title_cell = cells.cell(sheet, title)
    title_cell.font = TITLE_FONT
    sheet.append([title_cell])
    sheet.append([cells.cell(sheet, gettext("单位：元"))] if has_money else [])
    sheet.append([_styled(cells.cell(sheet, column.header), font=BOLD) for column in columns])
    for row in rows:
        sheet.append(
            [cells.appendable(sheet, value) if column.number_format is None else cells.cell(sheet, value, number_format=column.number_format)
             for value, column in zip(row, columns)]
        )
    if totals:
        sheet.append(
            [_styled(cells.cell(sheet, value, number_format=None if isinstance(value, str) else column.number_format), font=BOLD)
             for value, column in zip(totals, columns)]
        )


def _styled(cell, *, font):
    cell.font = font
    return cell


def table_xlsx_response(table, *, filename: str, user, exclude_columns=()) -> FileResponse:
    """The table as a workbook of one sheet, spooled to a temporary file; `user` is named as its
    author in the document properties."""
    title = export_title(table)
    workbook = Workbook(write_only=True)
    stamp_workbook(workbook, stamp=stamp_for(document_author(user)), title=title)
    write_table(workbook, table, title=title, exclude_columns=exclude_columns)
    spool = tempfile.TemporaryFile()
    workbook.save(spool)
    spool.seek(0)
    return FileResponse(spool, as_attachment=True, filename=filename, content_type=XLSX)


class XlsxExportMixin:
    """For SingleTableMixin views: `?_export=xlsx` answers the whole filtered table as a workbook,
    named `<table.export_prefix>-<table.export_title>.xlsx` (the view's `export_name` when the
    table has no title)."""

    export_trigger_param = "_export"
    exclude_columns = ()
    export_name = "export"

    def render_to_response(self, context, **response_kwargs):
        if self.request.GET.get(self.export_trigger_param) == "xlsx":
            table = self.get_table(**self.get_table_kwargs())
            if getattr(table, "export_title", None):
                filename = export_filename(table, prefix=str(getattr(table, "export_prefix", "")))
            else:
                filename = f"{self.export_name}.xlsx"
            return table_xlsx_response(table, filename=filename, user=self.request.user, exclude_columns=self.exclude_columns)
        return super().render_to_response(context, **response_kwargs)
