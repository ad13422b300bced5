"""Reading a budget workbook file (DOMAIN.md section 4) as a stream of rows, without touching the ledger.

`open_workbook` checks the file (size, zip directory) and opens it with openpyxl in read-only
mode; `WorkbookFile.rows(sheet)` then yields one converted Row at a time, so a large sheet is
never held in memory: the importer validates and writes it in batches as it goes. Every cell is
converted by fundmgr.workbook.values; every problem is collected as a WorkbookError naming its
sheet, Excel row and column. The rules across rows are fundmgr.workbook.rules.
"""

import io
import logging
import os
import re
import zipfile
from dataclasses import dataclass, field
from typing import Any, Iterator

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from fundmgr.workbook import schema
from fundmgr.workbook.values import READERS, CellError, is_blank, shown

__all__ = ["READERS", "CellError", "Row", "WorkbookError", "WorkbookFile", "open_workbook"]

logger = logging.getLogger(__name__)

EXCEL_MAX_ROW = 1_048_576  # a row number beyond Excel's last row is not a worksheet
MAX_HEADER_COLUMNS = 256  # the header is looked for in the first columns only
# A zip member that inflates more than this many times over is a zip bomb, not a worksheet
# (a worksheet's XML deflates about 10-20 times); only members above 1 MiB are judged.
MAX_COMPRESSION_RATIO = 100
RATIO_CHECK_FROM = 1024 * 1024


@dataclass(frozen=True)
class WorkbookError:
    """One problem of a workbook, located for the user: `支出明细 第12行 金额: 金额须大于0`."""

    sheet: str
    row: int | None
    column: str
    message: str
    code: str = field(default="", compare=False)  # what a caller may act on, e.g. importer.YEAR_EXISTS

    def __str__(self) -> str:
        where = self.sheet
        if self.row is not None:
            where += _(" 第%(row)s行") % {"row": self.row}
        if self.column:
            where += f" {self.column}"
        return f"{where.strip()}: {self.message}" if where.strip() else self.message


@dataclass
class Row:
    """One data row: its Excel row number and its converted values keyed by column key."""

    number: int
    values: dict[str, Any]
    bad: set[str] = field(default_factory=set)  # columns whose cell could not be read

    def ok(self, *keys: str) -> bool:
        return not any(key in self.bad for key in keys)

    def __getitem__(self, key: str) -> Any:
        return self.values.get(key)


class Collector:
    def __init__(self):
        self.errors: list[WorkbookError] = []

    def add(self, sheet: schema.Sheet | None, row: int | None, column: schema.Column | str | None, message: str):
        header = column.header if isinstance(column, schema.Column) else (column or "")
        self.errors.append(WorkbookError(sheet.name if sheet else "", row, header, message))


# ---- the file ----------------------------------------------------------------------------


def _size_of(source) -> int | None:
    if isinstance(source, (bytes, bytearray)):
        return len(source)
    if isinstance(source, (str, os.PathLike)):
        return os.path.getsize(source)
    size = getattr(source, "size", None)
    if isinstance(size, int):
        return size
    if hasattr(source, "seek") and hasattr(source, "tell"):
        position = source.tell()
        source.seek(0, io.SEEK_END)
        size = source.tell()
        source.seek(position)
        return size
    return None


_HEADER_NOTE = re.compile(r"\s*[（(][^）)]*[）)]\s*$")


def _normal_header(value: Any) -> str:
    """A header without a required-mark or a trailing note: "金额（元）*" reads as "金额"."""
    if value is None:
        return ""
    return _HEADER_NOTE.sub("", str(value).strip().rstrip("*＊").strip())


def _header_map(sheet: schema.Sheet, header_row: tuple, collector: Collector) -> dict[int, schema.Column] | None:
    by_name = {}
    for column in sheet.columns:
        by_name[column.header] = column
        by_name[column.key.lower()] = column
        for alias in column.aliases:
            by_name[alias] = column
    positions: dict[int, schema.Column] = {}
    seen: dict[str, int] = {}
    for index, cell in enumerate(header_row):
        name = _normal_header(cell)
        column = by_name.get(name) or by_name.get(name.lower())
        if column is None:
            continue  # extra columns (remarks and the like) are ignored
        if column.key in seen:
            collector.add(sheet, 1, column, _("列重复"))
            continue
        seen[column.key] = index
        positions[index] = column
    missing = [column for column in sheet.columns if column.required and column.key not in seen]
    for column in missing:
        collector.add(sheet, 1, column, _("缺少必填列“%(header)s”") % {"header": column.header})
    return None if missing else positions


def _archive_refusal(source) -> str | None:
    """Why a file cannot be opened as a workbook, judged from its zip directory alone, or None.

    A bounded check before openpyxl inflates anything: the directory's declared sizes are what
    zipfile will ever yield (it stops reading a member at its declared size), so a member that
    declares little cannot inflate to more. A zip bomb, a small file whose sheet XML inflates to
    gigabytes, is refused here by its total and by its compression ratio.
    """
    try:
        with zipfile.ZipFile(source) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError):
        return _("文件不是有效的 Excel 工作簿（.xlsx）")
    finally:
        if hasattr(source, "seek"):
            source.seek(0)
    limit = settings.IMPORT_MAX_UNCOMPRESSED_BYTES
    inflated = sum(member.file_size for member in members)
    too_compressed = any(
        member.file_size > RATIO_CHECK_FROM and member.file_size > MAX_COMPRESSION_RATIO * max(member.compress_size, 1)
        for member in members
    )
    if inflated > limit or too_compressed:
        return _("工作簿解压后过大（%(size)s 字节，上限为 %(limit)s 字节）或压缩比异常（上限 %(ratio)s 倍），疑为压缩炸弹，已拒绝") % {
            "size": inflated,
            "limit": limit,
            "ratio": MAX_COMPRESSION_RATIO,
        }
    return None


class FileRefused(Exception):
    """The file as a whole cannot be imported (not an xlsx, too many rows…): one error, no others."""

    def __init__(self, error: WorkbookError):
        super().__init__(str(error))
        self.error = error


NOT_A_WORKBOOK = gettext_noop("文件不是有效的 Excel 工作簿（.xlsx）")


class WorkbookFile:
    """An opened workbook whose sheets are read one row at a time (openpyxl read-only mode).

    The rows of every sheet count towards settings.IMPORT_MAX_ROWS: past it, reading stops with
    FileRefused at that row, whatever follows. Cell errors go to `collector`.
    """

    def __init__(self, book):
        self.book = book
        self.collector = Collector()
        self.present: set[str] = set()
        self.total_rows = 0
        self._names = {name.strip(): name for name in book.sheetnames}

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.book.close()

    def _worksheet(self, sheet: schema.Sheet):
        actual = self._names.get(sheet.name) or next((n for k, n in self._names.items() if k.lower() == sheet.key), None)
        return None if actual is None else self.book[actual]

    def declared_rows(self, sheet: schema.Sheet) -> int:
        """The data rows the sheet's own dimension declares (0 when absent or unreadable). Only an
        estimate, to choose between importing now and as a task: reading ignores it (rows())."""
        worksheet = self._worksheet(sheet)
        try:
            return max(0, (worksheet.max_row or 1) - 1) if worksheet is not None else 0
        except Exception:  # no or a damaged dimension: the import itself will say what is wrong
            return 0

    def rows(self, sheet: schema.Sheet) -> Iterator[Row]:
        """The sheet's non-blank data rows, converted, in workbook order."""
        worksheet = self._worksheet(sheet)
        if worksheet is None:
            if sheet.required:
                self.collector.add(sheet, None, None, _("缺少工作表“%(sheet)s”") % {"sheet": sheet.name})
            return
        self.present.add(sheet.key)
        try:
            # Declared dimensions are ignored (some writers record wrong ones, a hostile file a
            # huge one); rows are cut to the columns we read, so a cell in column XFD costs nothing.
            worksheet.reset_dimensions()
            header_row = next(worksheet.iter_rows(max_row=1, max_col=MAX_HEADER_COLUMNS, values_only=True), ())
            positions = _header_map(sheet, header_row or (), self.collector)
            if positions is None:
                return
            cells_of_rows = worksheet.iter_rows(min_row=2, max_col=max(positions) + 1, values_only=True)
            number = 1
            while True:
                cells = next(cells_of_rows, None)
                if cells is None:
                    return
                number += 1
                # Blank rows are skipped (DOMAIN.md section 4) whatever their number, but not past
                # Excel's last row: a row numbered 10**9 would otherwise yield a billion blank rows.
                if number > EXCEL_MAX_ROW:
                    message = _("行号超过 Excel 的上限 %(limit)s 行") % {"limit": EXCEL_MAX_ROW}
                    raise FileRefused(WorkbookError(sheet.name, number, "", message))
                if all(is_blank(cell) for cell in cells):
                    continue
                self.total_rows += 1
                if self.total_rows > settings.IMPORT_MAX_ROWS:
                    message = _("数据行过多，上限为 %(limit)s 行") % {"limit": settings.IMPORT_MAX_ROWS}
                    raise FileRefused(WorkbookError(sheet.name, number, "", message))
                yield _read_row(sheet, number, cells, positions, self.collector)
        except FileRefused:
            raise
        except Exception as error:  # a damaged sheet part inside a valid zip
            raise FileRefused(WorkbookError("", None, "", _(NOT_A_WORKBOOK))) from error


def open_workbook(source) -> tuple[WorkbookFile | None, list[WorkbookError]]:
    """Open an .xlsx file (a path, bytes or a file object) for reading row by row.

    Returns the file, or None and the one error when the file itself cannot be used (too big,
    not an xlsx, a zip bomb). The caller closes it (it is a context manager).
    """
    from openpyxl import load_workbook  # openpyxl is heavy; pages that never import do not pay for it

    try:
        size = _size_of(source)
    except OSError:
        return None, [WorkbookError("", None, "", _("无法读取文件"))]
    if size is not None and size > settings.IMPORT_MAX_BYTES:
        message = _("文件过大（%(size)s 字节），上限为 %(limit)s 字节") % {"size": size, "limit": settings.IMPORT_MAX_BYTES}
        return None, [WorkbookError("", None, "", message)]
    if isinstance(source, (bytes, bytearray)):
        source = io.BytesIO(source)
    refusal = _archive_refusal(source)
    if refusal:
        return None, [WorkbookError("", None, "", refusal)]
    try:
        # Read-only: openpyxl parses a sheet's XML as it is iterated and keeps no cell objects.
        book = load_workbook(source, read_only=True, data_only=True)
    except Exception:  # openpyxl raises zip, XML and key errors alike on a file that is not an xlsx
        return None, [WorkbookError("", None, "", _(NOT_A_WORKBOOK))]
    return WorkbookFile(book), []


def _read_row(sheet: schema.Sheet, number: int, cells: tuple, positions: dict[int, schema.Column], collector) -> Row:
    row = Row(number=number, values={})
    for index, column in positions.items():
        cell = cells[index] if index < len(cells) else None
        if is_blank(cell):
            if column.required:
                collector.add(sheet, number, column, _("%(column)s不能为空") % {"column": column.header})
                row.bad.add(column.key)
            row.values[column.key] = "" if column.kind == schema.TEXT else None
            continue
        try:
            row.values[column.key] = READERS[column.kind](cell, column)
        except CellError as error:
            collector.add(sheet, number, column, str(error))
            row.bad.add(column.key)
            row.values[column.key] = None
        except (ArithmeticError, ValueError, TypeError):
            # A reader is meant to raise CellError only (tests/fundmgr/test_hostile_import.py
            # holds them to it); should a cell still surprise one, it is refused where it is.
            logger.exception("unexpected cell value in %s row %s column %s", sheet.name, number, column.header)
            collector.add(sheet, number, column, _("%(column)s无法识别：“%(value)s”") % {"column": column.header, "value": shown(cell)})
            row.bad.add(column.key)
            row.values[column.key] = None
    for column in sheet.columns:
        if column.key not in row.values:  # an optional column the sheet does not have
            row.values[column.key] = "" if column.kind == schema.TEXT else None
    return row

