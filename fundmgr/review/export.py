"""A review batch as an xlsx: one sheet of tables with their findings counted by kind, one of
every finding. Cells go through fundmgr.lib.cells, so a file name or message like "=..." stays text."""

import io
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.utils import get_column_letter

from fundmgr.lib import cells
from fundmgr.lib.table_xlsx import MAX_WIDTH, display_width
from fundmgr.review.checker import Kind


def _number(text):
    if text is None:
        return None
    try:
        return Decimal(text)
    except (InvalidOperation, TypeError):
        return str(text)


def _sheet(workbook: Workbook, title: str, header: list, rows: list[list]) -> None:
    sheet = workbook.create_sheet(title=title)
    cells.append(sheet, header)
    for row in rows:
        cells.append(sheet, row)
    widths = [display_width(str(value)) for value in header]
    for row in rows:
        for index, value in enumerate(row):
            widths[index] = max(widths[index], display_width("" if value is None else str(value)))
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = min(width + 2, MAX_WIDTH)
    sheet.freeze_panes = "A2"


def review_xlsx(rows: list[dict]) -> bytes:
    """`rows` as views.rows_of gives them (tables and refused files)."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    labels = [str(label) for _value, label in Kind.choices]
    table_rows, finding_rows = [], []
    label_of = dict(Kind.choices)
    for row in rows:
        if "error" in row:
            table_rows.append([row["file"], None, row["error"], None, None, *[None] * len(labels), None])
            continue
        table = row["table"]
        table_rows.append(
            [
                row["file"],
                table["sheet"],
                table["title"],
                _number(table["declared"]["score"]),
                _number(table["computed"]["score"]),
                *row["counts"],
                row["total"],
            ]
        )
        for finding in table.get("findings", []):
            kind = str(label_of.get(finding["kind"], finding["kind"]))
            finding_rows.append([row["file"], table["sheet"], finding["row"], kind, finding["message"]])
    _sheet(
        workbook,
        _("自评表"),
        [_("文件"), _("工作表"), _("名称"), _("自评总分"), _("复核总分"), *labels, _("问题合计")],
        table_rows,
    )
    _sheet(workbook, _("问题清单"), [_("文件"), _("工作表"), _("行"), _("问题类型"), _("说明")], finding_rows)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
