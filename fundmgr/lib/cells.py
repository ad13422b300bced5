"""The one way a value goes into an xlsx cell written with openpyxl.

openpyxl turns any string that starts with "=" into a live formula, and "#N/A"-like strings
into error cells. A memo, a name or a document number is the user's text, never a formula:
every exported workbook writes its cells through these helpers, so a memo of
"=HYPERLINK(...)" stays the text it was typed as. Numbers, dates and None pass unchanged.
(The streamed expenditure sheet, fundmgr.xlsx_stream, writes inline strings and needs none.)
"""

from openpyxl.cell.cell import ERROR_CODES, Cell
from openpyxl.worksheet.worksheet import Worksheet

TEXT = "s"


def set_value(cell: Cell, value) -> Cell:
    """Store `value` in `cell`; a string is always stored as text."""
    cell.value = value
    if isinstance(value, str):
        cell.data_type = TEXT
    return cell


def write(ws: Worksheet, row: int, column: int, value) -> Cell:
    """ws.cell(row, column, value), with strings kept as text."""
    return set_value(ws.cell(row=row, column=column), value)


def cell(ws: Worksheet, value) -> Cell:
    """A detached cell for ws.append() (normal and write-only sheets), strings kept as text."""
    if isinstance(value, Cell):
        return value
    return set_value(Cell(ws, row=1, column=1), value)


def append(ws: Worksheet, values) -> None:
    """ws.append(values), with strings kept as text.

    Only the strings openpyxl would misread get a cell of their own: a write-only sheet appends
    plain values through one shared cell, and a cell per value doubled the time of a
    million-row export.
    """
    ws.append([cell(ws, value) if _misread(value) else value for value in values])


def _misread(value) -> bool:
    """Whether openpyxl would store the string as a formula or an error rather than as text."""
    return isinstance(value, str) and (value.startswith("=") or value in ERROR_CODES)
