"""The look shared by every exported workbook: the standard forms' fonts, borders, number
formats and print setup. Figures are written as numbers; only the format shows them
as 万元 with 2 decimals, so the finance bureau can add them up in Excel. Every value goes in
through fundmgr.lib.cells, so a name or a memo that starts with "=" stays text."""

from decimal import Decimal

from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from fundmgr.lib import cells
from fundmgr.lib.money import percent, round_half_up, wan

WAN_FORMAT = "#,##0.00"
YUAN_FORMAT = "#,##0.00"
# Rates are stored as fractions (0.9587) so that Excel arithmetic works; the format shows 95.87%.
RATE_FORMAT = "0.00%"
SCORE_FORMAT = "0.00"
DATE_FORMAT = "yyyy-mm-dd"

FONT_NAME = "宋体"
TITLE_FONT = Font(name=FONT_NAME, size=16, bold=True)
SUBTITLE_FONT = Font(name=FONT_NAME, size=10)
HEADER_FONT = Font(name=FONT_NAME, size=10, bold=True)
BODY_FONT = Font(name=FONT_NAME, size=10)
TOTAL_FONT = Font(name=FONT_NAME, size=10, bold=True)
HEADER_FILL = PatternFill("solid", fgColor="EEF2F7")
TOTAL_FILL = PatternFill("solid", fgColor="F8FAFC")
THIN = Side(style="thin", color="000000")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
LEFT = Alignment(horizontal="left", vertical="center", wrap_text=True)
RIGHT = Alignment(horizontal="right", vertical="center")


def wan_cell(amount: Decimal | None) -> Decimal | None:
    """A yuan amount as the number written in a 万元 cell (money.wan rounds, half up)."""
    return None if amount is None else wan(amount)


def rate_cell(rate: Decimal | None) -> Decimal | None:
    """An unrounded ratio as the fraction written in a rate cell: the shown percentage / 100.

    None stays None: an undefined rate is an empty cell, shown as "—" by the caller.
    """
    shown = percent(rate)
    return None if shown is None else shown / Decimal("100")


def score_cell(score: Decimal) -> Decimal:
    return round_half_up(score)


def setup_print(ws: Worksheet, *, header_rows: str | None, landscape: bool = True) -> None:
    """A4, landscape, fit to one page wide, header rows repeated on every page."""
    ws.page_setup.paperSize = Worksheet.PAPERSIZE_A4
    ws.page_setup.orientation = Worksheet.ORIENTATION_LANDSCAPE if landscape else Worksheet.ORIENTATION_PORTRAIT
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.page_margins.top = ws.page_margins.bottom = 0.6
    if header_rows:
        ws.print_title_rows = header_rows


def set_widths(ws: Worksheet, widths: list[float]) -> None:
    for index, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(index)].width = width


def title_rows(ws: Worksheet, *, title: str, subtitle: str, columns: int, row: int = 1) -> int:
    """A merged title row and a merged subtitle row (unit of amounts, department, year). Returns the next row."""
    last = get_column_letter(columns)
    ws.merge_cells(f"A{row}:{last}{row}")
    cell = cells.write(ws, row, 1, title)
    cell.font = TITLE_FONT
    cell.alignment = CENTER
    ws.row_dimensions[row].height = 30
    ws.merge_cells(f"A{row + 1}:{last}{row + 1}")
    cell = cells.write(ws, row + 1, 1, subtitle)
    cell.font = SUBTITLE_FONT
    cell.alignment = Alignment(horizontal="right", vertical="center")
    return row + 2


def style_range(ws: Worksheet, *, first_row: int, last_row: int, columns: int, font: Font = BODY_FONT) -> None:
    for row in ws.iter_rows(min_row=first_row, max_row=last_row, max_col=columns):
        for cell in row:
            cell.border = BORDER
            if cell.font is None or not cell.font.b:
                cell.font = font


def header_row(ws: Worksheet, row: int, headers: list[str]) -> None:
    for column, header in enumerate(headers, start=1):
        cell = cells.write(ws, row, column, header)
        cell.font = HEADER_FONT
        cell.fill = HEADER_FILL
        cell.alignment = CENTER
        cell.border = BORDER


def body_cell(ws: Worksheet, row: int, column: int, value, *, number_format: str | None = None, total: bool = False):
    """One bordered cell. Numbers get their number format; None is shown as "—" (undefined)."""
    if value is None and number_format is not None:
        value = "—"
        number_format = None
    cell = cells.write(ws, row, column, value)
    cell.border = BORDER
    cell.font = TOTAL_FONT if total else BODY_FONT
    if total:
        cell.fill = TOTAL_FILL
    if number_format:
        cell.number_format = number_format
        cell.alignment = RIGHT
    elif isinstance(value, str) and value == "—":
        cell.alignment = CENTER
    else:
        cell.alignment = LEFT
    return cell


def note_row(ws: Worksheet, row: int, columns: int, text: str) -> None:
    ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=columns)
    cell = cells.write(ws, row, 1, text)
    cell.font = SUBTITLE_FONT
    cell.alignment = LEFT
    ws.row_dimensions[row].height = 30


def fit_row_height(ws: Worksheet, row: int, texts: list[tuple[str, float]], *, line_height: float = 14) -> None:
    """Give a row enough height for its wrapped text; Excel does not grow rows for merged cells.

    `texts` pairs each text with the width (in characters) it wraps within. A CJK character
    takes about two width units.
    """
    lines = 1
    for text, width in texts:
        if not text:
            continue
        units = sum(2 if ord(ch) > 0x2E80 else 1 for ch in str(text))
        lines = max(lines, -(-units // max(int(width), 1)))
    if lines > 1:
        ws.row_dimensions[row].height = line_height * lines + 2
