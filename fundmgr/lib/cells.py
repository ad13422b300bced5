"""The one way a value goes into an xlsx cell.

Text is stored as text, numbers as numbers, dates as dates. openpyxl turns any string that
starts with "=" into a live formula, and "#N/A"-like strings into error cells; a memo, a name or
a document number is the user's text, never a formula, so every exported sheet writes its
cells through these helpers and a memo of "=HYPERLINK(...)" stays the text it was typed as.
The streamed sheet (fundmgr.exports.stream) writes every string as an inline string, which is
never a formula, and takes its values through `stored` too.
"""

from datetime import date, datetime
from decimal import Decimal

from openpyxl.cell.cell import ERROR_CODES, Cell
from openpyxl.worksheet.worksheet import Worksheet

TEXT = "s"
# The types a cell holds as they are. bool is an int; a date or datetime stays a date cell.
KEPT = frozenset({type(None), str, int, bool, float, Decimal, date})


def stored(value):
    """`value` as a cell holds it: a datetime without its time zone (Excel has none), a value
    of any other type (a lazy translation, a choice) as its text."""
    if type(value) in KEPT:
        return value
    if isinstance(value, datetime):
        return value.replace(tzinfo=None)
    if isinstance(value, (int, float, Decimal, date)):
        return value
    return str(value)


def set_value(cell: Cell, value) -> Cell:
    """Store `value` in `cell`; a string is always stored as text."""
    value = stored(value)
    cell.value = value
    if isinstance(value, str):
        cell.data_type = TEXT
    return cell


def write(ws: Worksheet, row: int, column: int, value) -> Cell:
    """ws.cell(row, column, value), with strings kept as text."""
    return set_value(ws.cell(row=row, column=column), value)


def cell(ws: Worksheet, value, *, number_format: str | None = None) -> Cell:
    """A detached cell for ws.append() (normal and write-only sheets), strings kept as text."""
    if isinstance(value, Cell):
        return value
    written = set_value(Cell(ws, row=1, column=1), value)
    if number_format is not None:
        written.number_format = number_format
    return written


def append(ws: Worksheet, values) -> None:
    """ws.append(values), with strings kept as text.

    Only the values openpyxl would misread get a cell of their own: a write-only sheet appends
    plain values through one shared cell, and a cell per value doubled the time of a
    million-row export.
    """
    ws.append([value if type(value) in PLAIN else appendable(ws, value) for value in values])


# Appended as they are: every kept type but text, which may look like a formula.
PLAIN = KEPT - {str}


def appendable(ws: Worksheet, value):
    """`value` as ws.append() takes it: as it is, unless openpyxl would misread it (a string
    that looks like a formula or an error gets a text cell of its own)."""
    if isinstance(value, Cell):
        return value
    value = stored(value)
    if isinstance(value, str) and (value.startswith("=") or value in ERROR_CODES):
        return cell(ws, value)
    return value
