"""The error list of a refused dry run (错误清单): kept with the pending uploads (in the default storage), and written as a
workbook the finance officer can sort, filter and hand to whoever fills the budget workbook.

fundmgr.workbook.upload keeps the list next to the pending uploads under the dry run's token, with
who uploaded it and the workbook's department, and serves it only to that user or that
department's finance office, within UPLOAD_TTL_HOURS. This module reads and writes the kept
file and the downloaded workbook; it knows nothing of requests.
"""

import io
import json
import time

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from fundmgr.lib import cells
from fundmgr.lib.table_xlsx import document_author, stamp_for, stamp_workbook

MAX_WIDTH = 80  # a long message wraps within this many characters rather than widen its column


def errors_content(*, errors, user, department: str | None) -> bytes:
    """The dry run's errors (WorkbookError-like: sheet, row, column, message) as the kept file's bytes."""
    kept = {
        "user": user.pk,
        "department": department,
        "created": time.time(),
        "errors": [[error.sheet, error.row, error.column, error.message] for error in errors],
    }
    return json.dumps(kept, ensure_ascii=False).encode()


def errors_read(content: bytes | None) -> dict | None:
    """The kept list in `content`, or None when there is none (or it is not one we wrote)."""
    if content is None:
        return None
    try:
        kept = json.loads(content.decode("utf-8"))
    except ValueError:
        return None
    if not isinstance(kept, dict) or not isinstance(kept.get("errors"), list):
        return None
    return kept


def display_width(text) -> int:
    """Excel's column width units of `text`: a CJK character takes about two."""
    return sum(2 if ord(character) > 0x2E80 else 1 for character in str(text or ""))


def errors_workbook(errors: list, *, user) -> bytes:
    """The errors as one sheet, 错误清单: 工作表, 行号, 列, 问题, in the order the page lists them,
    with each column as wide as its longest entry (messages wrap beyond MAX_WIDTH)."""
    book = Workbook()
    title = _("导入错误清单")
    stamp_workbook(book, stamp=stamp_for(document_author(user)), title=title)
    sheet = book.active
    sheet.title = _("错误清单")
    header = [_("工作表"), _("行号"), _("列"), _("问题")]
    cells.append(sheet, header)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for sheet_name, row, column, message in errors:
        cells.append(sheet, [sheet_name or "", row, column or "", message])
    widths = [display_width(text) for text in header]
    for values in sheet.iter_rows(min_row=2, values_only=True):
        widths = [max(width, display_width(value)) for width, value in zip(widths, values)]
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = min(width + 2, MAX_WIDTH)
    wrap = Alignment(wrap_text=True, vertical="top")
    for (cell,) in sheet.iter_rows(min_row=2, min_col=4, max_col=4):
        cell.alignment = wrap
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = sheet.dimensions
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
