"""Reading and validating a budget workbook (DOMAIN.md section 4), without touching the ledger.

`read_workbook` parses the file into plain rows; `validate_workbook` applies every rule that
the workbook alone decides (cell formats, codes, references, dates in the year, availability
control, indicator points and tiers). Every error is collected, none stops the others, and
each names its sheet, Excel row and column.

Numbers are never computed in binary floating point: a numeric cell becomes a Decimal through
its shortest repr, and text goes straight to Decimal.
"""

import io
import logging
import math
import os
import re
import zipfile
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _

from fundmgr.validators import CONTROL_CHARACTERS, has_control_characters
from fundmgr.workbook import schema
from indicators.scoring import IndicatorInput, ScoringError, assign_points, tier_ratio
from projects.availability import Movement, replay
from projects.services import format_yuan

logger = logging.getLogger(__name__)

FLOAT_TOLERANCE = Decimal("0.000001")  # a float cell this close to a cent means that cent
MAX_AMOUNT = Decimal("100000000000000")  # Decimal(16, 2) holds less than 10**14
# No column holds 20 integer digits; anything that large is refused before it is rounded, since
# quantizing 1e308 to cents would overflow the decimal context.
MAX_MAGNITUDE = Decimal(10) ** 20
# Half-width digits only, as the forms accept (projects.forms.parse_amount): "１２３" is refused
# with its own message rather than silently read, the same in every path.
_NUMBER_TEXT = re.compile(r"[+-]?(\d{1,3}(,\d{3})+|\d+)(\.\d+)?", re.ASCII)
_DATE_TEXT = re.compile(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[ T]0{1,2}:00(?::00)?)?", re.ASCII)
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


@dataclass
class BudgetWorkbook:
    """The rows of every sheet, by sheet key, in workbook order."""

    rows: dict[str, list[Row]]
    sheets_present: set[str]

    @property
    def department(self) -> Row | None:
        rows = self.rows.get(schema.DEPARTMENT.key) or []
        return rows[0] if rows else None

    @property
    def year(self) -> int | None:
        row = self.department
        return row["year"] if row is not None and row.ok("year") else None


class CellError(ValueError):
    pass


class _Collector:
    def __init__(self):
        self.errors: list[WorkbookError] = []

    def add(self, sheet: schema.Sheet | None, row: int | None, column: schema.Column | str | None, message: str):
        header = column.header if isinstance(column, schema.Column) else (column or "")
        self.errors.append(WorkbookError(sheet.name if sheet else "", row, header, message))


# ---- cells -------------------------------------------------------------------------------


def _shown(value: Any, limit: int = 40) -> str:
    """A cell's text as quoted back in a message: short, without control characters."""
    text = CONTROL_CHARACTERS.sub("\ufffd", str(value).strip())
    return text if len(text) <= limit else text[:limit] + "…"


def _half_width_error(text: str, column: schema.Column) -> CellError | None:
    if any(character.isdigit() and not character.isascii() for character in text):
        return CellError(
            _("%(column)s请使用半角数字，“%(value)s”含全角或其他文字的数字") % {"column": column.header, "value": _shown(text)}
        )
    return None


def _decimal_of(value: Any, column: schema.Column) -> Decimal:
    """A number cell or numeric text as an exact Decimal with at most the column's decimals."""
    places = Decimal(1).scaleb(-column.decimal_places)
    if isinstance(value, bool):
        raise CellError(_("%(column)s须为数字") % {"column": column.header})
    if isinstance(value, (int, Decimal)):
        number = Decimal(value)
        if not number.is_finite():
            raise CellError(_("%(column)s须为数字") % {"column": column.header})
        if abs(number) >= MAX_MAGNITUDE:
            raise CellError(_("%(column)s过大") % {"column": column.header})
        if number != number.quantize(places):
            raise CellError(_("%(column)s最多%(places)s位小数") % {"column": column.header, "places": column.decimal_places})
        return number
    if isinstance(value, float):
        exact = Decimal(repr(value))
        if not exact.is_finite():
            raise CellError(_("%(column)s须为数字") % {"column": column.header})
        if abs(exact) >= MAX_MAGNITUDE:
            raise CellError(_("%(column)s过大") % {"column": column.header})
        rounded = exact.quantize(places, rounding=ROUND_HALF_UP)
        if abs(exact - rounded) > FLOAT_TOLERANCE:
            raise CellError(_("%(column)s最多%(places)s位小数") % {"column": column.header, "places": column.decimal_places})
        return rounded
    if not isinstance(value, str):  # a date, a time or a duration cell
        raise CellError(_("%(column)s须为数字，“%(value)s”不是数字") % {"column": column.header, "value": _shown(value)})
    text = value.strip().replace(" ", "")
    half_width = _half_width_error(text, column)
    if half_width:
        raise half_width
    if not _NUMBER_TEXT.fullmatch(text):
        raise CellError(_("%(column)s须为数字，“%(value)s”不是数字") % {"column": column.header, "value": _shown(value)})
    number = Decimal(text.replace(",", ""))
    if abs(number) >= MAX_MAGNITUDE:
        raise CellError(_("%(column)s过大") % {"column": column.header})
    if number != number.quantize(places):
        raise CellError(_("%(column)s最多%(places)s位小数") % {"column": column.header, "places": column.decimal_places})
    return number.quantize(places)


def _amount(value: Any, column: schema.Column) -> Decimal:
    number = _decimal_of(value, column)
    if number <= 0:
        raise CellError(_("%(column)s须大于0") % {"column": column.header})
    if number >= MAX_AMOUNT:
        raise CellError(_("%(column)s过大") % {"column": column.header})
    return number


def _value(value: Any, column: schema.Column) -> Decimal:
    number = _decimal_of(value, column)
    if abs(number) >= Decimal(10) ** (column.max_digits - column.decimal_places):
        raise CellError(_("%(column)s过大") % {"column": column.header})
    return number


def _integer(value: Any, column: schema.Column) -> int:
    if isinstance(value, bool):
        raise CellError(_("%(column)s须为非负整数") % {"column": column.header})
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, str):
        text = value.strip()
        half_width = _half_width_error(text, column)
        if half_width:
            raise half_width
        if text.isascii() and text.isdigit() and len(text) <= 10:
            value = int(text)
    if not isinstance(value, int) or value < 0 or value > 2_000_000_000:
        raise CellError(_("%(column)s须为非负整数") % {"column": column.header})
    return value


def _year(value: Any, column: schema.Column) -> int:
    try:
        year = _integer(value, column)
    except CellError:
        year = None
    if year is None or not 2000 <= year <= 2100:
        raise CellError(_("年度须为2000至2100之间的四位年份"))
    return year


def _date(value: Any, column: schema.Column) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        match = _DATE_TEXT.fullmatch(value.strip())
        if match:
            try:
                return date(int(match[1]), int(match[2]), int(match[3]))
            except ValueError:
                pass
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        # A date serial number (45366) in a cell not formatted as a date: refused, not guessed,
        # since an amount typed into the date column would read as a date too.
        raise CellError(
            _("%(column)s须为日期，单元格中是数字 %(value)s；请把单元格格式设为日期，或填写 2024-03-15")
            % {"column": column.header, "value": _shown(value)}
        )
    raise CellError(_("%(column)s须为日期，如 2024-03-15 或 2024/3/15") % {"column": column.header})


def _text(value: Any, column: schema.Column) -> str:
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e20:
        value = int(value)  # a code typed as a number
    if isinstance(value, (datetime, date, time, timedelta, bool)) or (isinstance(value, float) and not math.isfinite(value)):
        raise CellError(_("%(column)s须为文本") % {"column": column.header})
    text = str(value).strip()
    if has_control_characters(text):
        raise CellError(_("%(column)s含有不可见的控制字符，请删除后重新导入") % {"column": column.header})
    if column.max_length and len(text) > column.max_length:
        raise CellError(_("%(column)s最多%(length)s个字符") % {"column": column.header, "length": column.max_length})
    return text


def _choice(value: Any, column: schema.Column) -> Any:
    text = value.strip() if isinstance(value, str) else ""  # a number, date or boolean is no label
    if text in column.choices:
        return column.choices[text]
    for label, choice in column.choices.items():
        if label.lower() == text.lower():
            return choice
    raise CellError(
        _("“%(value)s”不是有效的%(column)s，可选：%(allowed)s")
        % {"value": _shown(value), "column": column.header, "allowed": _("、").join(column.labels)}
    )


def _economic_class(value: Any, column: schema.Column) -> str:
    return _text(value, column)  # existence is checked against the reference data in validate_workbook


READERS = {
    schema.TEXT: _text,
    schema.INTEGER: _integer,
    schema.AMOUNT: _amount,
    schema.VALUE: _value,
    schema.DATE: _date,
    schema.CHOICE: _choice,
    schema.ECONOMIC_CLASS: _economic_class,
    schema.YEAR: _year,
}


def _is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


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


def _header_map(sheet: schema.Sheet, header_row: tuple, collector: _Collector) -> dict[int, schema.Column] | None:
    by_name = {}
    for column in sheet.columns:
        by_name[column.header] = column
        by_name[column.key.lower()] = column
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


def read_workbook(source) -> tuple[BudgetWorkbook | None, list[WorkbookError]]:
    """Parse an .xlsx file (a path, bytes or a file object) into rows, converting every cell.

    Returns the workbook and the cell-level errors; the workbook is None when the file itself
    cannot be used (not an xlsx, too big, too many rows, no usable sheet).
    """
    from openpyxl import load_workbook  # openpyxl is heavy; pages that never import do not pay for it

    collector = _Collector()
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
        book = load_workbook(source, read_only=True, data_only=True)
    except Exception:  # openpyxl raises zip, XML and key errors alike on a file that is not an xlsx
        return None, [WorkbookError("", None, "", _("文件不是有效的 Excel 工作簿（.xlsx）"))]

    rows: dict[str, list[Row]] = {}
    present: set[str] = set()
    total_rows = 0
    try:
        names = {name.strip(): name for name in book.sheetnames}
        for sheet in schema.SHEETS:
            actual = names.get(sheet.name) or next((n for k, n in names.items() if k.lower() == sheet.key), None)
            if actual is None:
                collector.add(sheet, None, None, _("缺少工作表“%(sheet)s”") % {"sheet": sheet.name})
                continue
            present.add(sheet.key)
            worksheet = book[actual]
            # Declared dimensions are ignored (some writers record wrong ones, a hostile file a
            # huge one); rows are cut to the columns we read, so a cell in column XFD costs nothing.
            worksheet.reset_dimensions()
            header_row = next(worksheet.iter_rows(max_row=1, max_col=MAX_HEADER_COLUMNS, values_only=True), ())
            positions = _header_map(sheet, header_row or (), collector)
            sheet_rows = rows.setdefault(sheet.key, [])
            if positions is None:
                continue
            width = max(positions) + 1
            for number, cells in enumerate(worksheet.iter_rows(min_row=2, max_col=width, values_only=True), start=2):
                # Blank rows are skipped (DOMAIN.md section 4) whatever their number, but not past
                # Excel's last row: a row numbered 10**9 would otherwise yield a billion blank rows.
                if number > EXCEL_MAX_ROW:
                    message = _("行号超过 Excel 的上限 %(limit)s 行") % {"limit": EXCEL_MAX_ROW}
                    return None, [WorkbookError(sheet.name, number, "", message)]
                if all(_is_blank(cell) for cell in cells):
                    continue
                total_rows += 1
                if total_rows > settings.IMPORT_MAX_ROWS:
                    message = _("数据行过多，上限为 %(limit)s 行") % {"limit": settings.IMPORT_MAX_ROWS}
                    return None, [WorkbookError(sheet.name, number, "", message)]
                sheet_rows.append(_read_row(sheet, number, cells, positions, collector))
    except Exception:  # a damaged sheet part inside a valid zip
        return None, [WorkbookError("", None, "", _("文件不是有效的 Excel 工作簿（.xlsx）"))]
    finally:
        book.close()
    return BudgetWorkbook(rows=rows, sheets_present=present), collector.errors


def _read_row(sheet: schema.Sheet, number: int, cells: tuple, positions: dict[int, schema.Column], collector) -> Row:
    row = Row(number=number, values={})
    for index, column in positions.items():
        cell = cells[index] if index < len(cells) else None
        if _is_blank(cell):
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
            collector.add(sheet, number, column, _("%(column)s无法识别：“%(value)s”") % {"column": column.header, "value": _shown(cell)})
            row.bad.add(column.key)
            row.values[column.key] = None
    for column in sheet.columns:
        if column.key not in row.values:  # an optional column the sheet does not have
            row.values[column.key] = "" if column.kind == schema.TEXT else None
    return row


# ---- the rules across rows ---------------------------------------------------------------


def validate_workbook(workbook: BudgetWorkbook, *, economic_classes: set[str]) -> list[WorkbookError]:
    """The rules that need more than one cell (DOMAIN.md sections 2-4); every error is kept."""
    collector = _Collector()
    rows = workbook.rows
    S = schema

    departments = rows.get(S.DEPARTMENT.key, [])
    if S.DEPARTMENT.key in workbook.sheets_present and len(departments) != 1:
        number = departments[1].number if len(departments) > 1 else 2
        collector.add(S.DEPARTMENT, number, None, _("“部门”表须恰好填写一行"))
    year = workbook.year

    def unique(sheet: schema.Sheet, key: str = "code") -> dict[str, Row]:
        first: dict[str, Row] = {}
        column = sheet.column(key)
        for row in rows.get(sheet.key, []):
            code = row[key]
            if not code or not row.ok(key):
                continue
            if code in first:
                collector.add(
                    sheet,
                    row.number,
                    column,
                    _("%(column)s“%(code)s”重复（第%(first)s行已使用）")
                    % {"column": column.header, "code": code, "first": first[code].number},
                )
            else:
                first[code] = row
        return first

    def in_year(sheet: schema.Sheet, row: Row, key: str = "date"):
        day = row[key]
        if year is not None and day is not None and day.year != year:
            collector.add(sheet, row.number, sheet.column(key), _("日期须在%(year)s年度内") % {"year": year})
            row.bad.add(key)

    def resolve(sheet: schema.Sheet, row: Row, key: str, known: dict[str, Row], target: schema.Sheet, what: str) -> Row | None:
        code = row[key]
        if not code or not row.ok(key):
            return None
        found = known.get(code)
        if found is None:
            collector.add(
                sheet,
                row.number,
                sheet.column(key),
                _("%(what)s“%(code)s”不存在于“%(target)s”表") % {"what": what, "code": code, "target": target.name},
            )
            row.bad.add(key)
        return found

    units = unique(S.UNITS)
    items = unique(S.ITEMS)
    unique(S.INDICATORS)

    for row in rows.get(S.ITEMS.key, []):
        resolve(S.ITEMS, row, "unit", units, S.UNITS, _("单位编码"))

    movements: dict[str, list[Movement]] = defaultdict(list)
    for row in rows.get(S.LINES.key, []):
        resolve(S.LINES, row, "project", items, S.ITEMS, _("项目编码"))
        in_year(S.LINES, row)
        if row.ok("project", "amount", "date", "kind") and row["project"] in items:
            signed = -row["amount"] if row["kind"] == "reduction" else row["amount"]
            movements[row["project"]].append(Movement(date=row["date"], budget=signed, ref=(S.LINES, row)))

    for row in rows.get(S.EXPENDITURES.key, []):
        resolve(S.EXPENDITURES, row, "project", items, S.ITEMS, _("项目编码"))
        in_year(S.EXPENDITURES, row)
        code = row["economic_class"]
        if code and row.ok("economic_class") and code not in economic_classes:
            collector.add(
                S.EXPENDITURES,
                row.number,
                S.EXPENDITURES.column("economic_class"),
                _("经济分类“%(code)s”不存在，须为部门预算支出经济分类的3位或5位编码") % {"code": code},
            )
        if row.ok("project", "amount", "date") and row["project"] in items:
            movements[row["project"]].append(Movement(date=row["date"], spending=row["amount"], ref=(S.EXPENDITURES, row)))

    # Availability control: the very rule the forms and the admin apply (projects.availability).
    for code, item_movements in movements.items():
        item_name = items[code]["name"]
        for refusal in replay(item_movements):
            sheet, row = refusal.movement.ref
            what = _("支出") if sheet is S.EXPENDITURES else _("调减")
            amount = refusal.movement.spending or -refusal.movement.budget
            collector.add(
                sheet,
                row.number,
                sheet.column("amount"),
                _("项目“%(item)s”可用指标 %(available)s 元，本次%(what)s %(amount)s 元，超出 %(shortfall)s 元")
                % {
                    "item": item_name,
                    "available": format_yuan(refusal.available),
                    "what": what,
                    "amount": format_yuan(amount),
                    "shortfall": format_yuan(refusal.shortfall),
                },
            )

    _validate_indicators(rows.get(S.INDICATORS.key, []), items, collector, resolve)
    return collector.errors


def _validate_indicators(rows: list[Row], items: dict[str, Row], collector: _Collector, resolve) -> None:
    sheet = schema.INDICATORS
    col = sheet.column
    scopes: dict[str | None, list[Row]] = defaultdict(list)
    for row in rows:
        if row["project"]:
            resolve(sheet, row, "project", items, schema.ITEMS, _("项目编码"))
        if row.ok("level1", "level2") and row["level1"] and row["level2"]:
            if row["level2"] not in schema.LEVEL2[row["level1"]]:
                collector.add(
                    sheet,
                    row.number,
                    col("level2"),
                    _("%(level1)s下的二级指标须为：%(allowed)s")
                    % {"level1": col("level1").label_for(row["level1"]), "allowed": _("、").join(schema.LEVEL2[row["level1"]])},
                )
        if row["points"] is not None and row["points"] <= 0:
            collector.add(sheet, row.number, col("points"), _("分值须大于0"))
            row.bad.add("points")
        if row.ok("direction") and row["direction"]:
            if row["direction"] == "qualitative":
                if not row["tier"] and row.ok("tier"):
                    collector.add(sheet, row.number, col("tier"), _("定性指标须填写定性等级（达成、部分达成、未达成）"))
                elif row["tier"] and row["rate"] is not None and row.ok("rate"):
                    try:
                        tier_ratio(row["tier"], row["rate"])
                    except ScoringError as error:
                        collector.add(sheet, row.number, col("rate"), str(error))
            else:
                for key, message in (("target", _("定量指标须填写目标值")), ("actual", _("定量指标须填写全年完成值"))):
                    if row[key] is None and row.ok(key):
                        collector.add(sheet, row.number, col(key), message)
                if row["tier"]:
                    collector.add(sheet, row.number, col("tier"), _("定性等级只用于定性指标"))
                if row["rate"] is not None:
                    collector.add(sheet, row.number, col("rate"), _("得分率只用于定性指标"))
        scopes[row["project"] or None].append(row)

    # Points: all or none within a scope, totalling 90 (indicators.scoring is the one place of the rule).
    for scope_rows in scopes.values():
        if not all(row.ok("points", "level1") and row["level1"] for row in scope_rows):
            continue
        inputs = [
            IndicatorInput(code=row["code"] or str(row.number), level1=row["level1"], direction="ge", points=row["points"])
            for row in scope_rows
        ]
        try:
            assign_points(inputs)
        except ScoringError as error:
            at = next((row for row in scope_rows if row["points"] is None), scope_rows[0])
            collector.add(sheet, at.number, col("points"), str(error))
