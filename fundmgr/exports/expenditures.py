"""支出明细: approved expenditures of a department or one unit over a date range (issue 6).

Streamed: a write-only workbook and a chunked database cursor, so a million rows never sit in
memory at once. Every text (a memo, a voucher, a name) goes in through fundmgr.lib.cells, so
"=..." stays text. Amounts are yuan here, not 万元: these are voucher lines, and 万元 with two
decimals would hide anything under ¥100. The total row comes from an SQL aggregate.
"""

from dataclasses import dataclass
from datetime import date
from typing import BinaryIO

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.utils import get_column_letter

from fundmgr.exports import styles
from fundmgr.exports.labels import Stamp
from fundmgr.exports.selectors import expenditure_rows
from fundmgr.lib import cells
from projects.models import Expenditure
from units.models import BudgetUnit, DepartmentYear

WIDTHS = [12, 14, 28, 16, 32, 10, 22, 40, 12, 16]


@dataclass(frozen=True)
class ExpenditureScope:
    """Which expenditures: a department-year, optionally one unit, optionally a date range."""

    department_year: DepartmentYear
    unit: BudgetUnit | None = None
    date_from: date | None = None
    date_to: date | None = None

    def describe(self) -> str:
        parts = [self.unit.name if self.unit else self.department_year.department.name]
        start = self.date_from or date(self.department_year.year, 1, 1)
        end = self.date_to or date(self.department_year.year, 12, 31)
        parts.append(_("%(start)s 至 %(end)s") % {"start": start.isoformat(), "end": end.isoformat()})
        return "　".join(parts)


def write_expenditures(*, scope: ExpenditureScope, out: BinaryIO, stamp: Stamp) -> int:
    """Write the detail; returns the number of expenditure rows written."""
    rows, total, count = expenditure_rows(
        department_year=scope.department_year,
        unit_id=scope.unit.id if scope.unit else None,
        date_from=scope.date_from,
        date_to=scope.date_to,
    )
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(_("支出明细"))
    for index, width in enumerate(WIDTHS, start=1):
        ws.column_dimensions[get_column_letter(index)].width = width
    headers = [
        _("支出日期"), _("凭证号"), _("预算单位"), _("项目编码"), _("项目名称"),
        _("经济分类"), _("经济分类名称"), _("摘要"), _("采购方式"), _("金额（元）"),
    ]
    columns = len(headers)
    ws.freeze_panes = "A4"
    ws.print_title_rows = "1:3"
    ws.merged_cells.add(f"A1:{get_column_letter(columns)}1")
    ws.merged_cells.add(f"A2:{get_column_letter(columns)}2")
    styles.setup_print(ws, header_rows="1:3")

    def cell(value, *, font=styles.BODY_FONT, number_format=None, fill=None, alignment=None, border=True):
        written = cells.cell(ws, value)
        written.font = font
        if border:
            written.border = styles.BORDER
        if number_format:
            written.number_format = number_format
        if fill:
            written.fill = fill
        if alignment:
            written.alignment = alignment
        return written

    title = cell(_("%(year)s年度支出明细表") % {"year": scope.department_year.year}, font=styles.TITLE_FONT,
                 alignment=styles.CENTER, border=False)
    ws.append([title])
    ws.append([cell(_("%(scope)s　共%(count)s笔　单位：元") % {"scope": scope.describe(), "count": count},
                    font=styles.SUBTITLE_FONT, border=False)])
    ws.append([cell(header, font=styles.HEADER_FONT, fill=styles.HEADER_FILL, alignment=styles.CENTER) for header in headers])
    procurement_labels = {value: str(label) for value, label in Expenditure.Procurement.choices}
    # Only the date and amount cells carry a style (their number formats): a styled cell costs
    # several times a plain one, and this loop may run a million times.
    for spent_on, voucher, _unit_code, unit_name, item_code, item_name, class_code, class_name, memo, method, amount in rows:
        date_cell = cells.cell(ws, spent_on)
        date_cell.number_format = styles.DATE_FORMAT
        amount_cell = cells.cell(ws, amount)
        amount_cell.number_format = styles.YUAN_FORMAT
        cells.append(
            ws,
            [date_cell, voucher, unit_name, item_code, item_name, class_code, class_name, memo,
             procurement_labels.get(method, method), amount_cell],
        )
    total_cells = [cell(_("合计"), font=styles.TOTAL_FONT, fill=styles.TOTAL_FILL)]
    total_cells += [cell(None, fill=styles.TOTAL_FILL) for _column in range(columns - 2)]
    total_cells.append(cell(total, font=styles.TOTAL_FONT, fill=styles.TOTAL_FILL, number_format=styles.YUAN_FORMAT))
    ws.append(total_cells)
    styles.stamp(wb, creator=stamp.creator, created=stamp.created, title=_("支出明细表"))
    wb.save(out)
    return count
