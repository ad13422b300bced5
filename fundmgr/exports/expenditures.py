"""支出明细表: the one expenditure sheet, of the exports page and of the unit and item pages.

Approved expenditures of a department-year, a unit or an item, over a date range, in the
finance bureau's layout: a title, the scope, one row per voucher line and a total from an SQL
aggregate. Streamed (fundmgr.exports.stream and a chunked database cursor), so a million rows
never sit in memory at once. Amounts are yuan here, not 万元: these are voucher lines, and 万元
with two decimals would hide anything under ¥100.
"""

from dataclasses import dataclass
from datetime import date
from typing import BinaryIO

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from openpyxl.utils import get_column_letter

from fundmgr.exports import styles
from fundmgr.exports.selectors import expenditure_rows, expenditures_in
from fundmgr.exports.stream import CellStyle, SheetLayout, Styled, write_xlsx
from fundmgr.lib.table_xlsx import Stamp
from projects.models import BudgetItem, Expenditure
from units.models import BudgetUnit, DepartmentYear

WIDTHS = [12, 14, 28, 16, 32, 10, 22, 40, 12, 16]
HEADING_ROWS = 3  # title, scope, column headers

TITLE = CellStyle(font=styles.TITLE_FONT, alignment=styles.CENTER)
SUBTITLE = CellStyle(font=styles.SUBTITLE_FONT)
HEADER = CellStyle(font=styles.HEADER_FONT, fill=styles.HEADER_FILL, border=styles.BORDER, alignment=styles.CENTER)
# Body cells carry no style but their number formats: this sheet may run to a million rows.
DATE = CellStyle(number_format=styles.DATE_FORMAT)
AMOUNT = CellStyle(number_format=styles.YUAN_FORMAT)
TOTAL_LABEL = CellStyle(font=styles.TOTAL_FONT, fill=styles.TOTAL_FILL, border=styles.BORDER)
TOTAL_BLANK = CellStyle(font=styles.BODY_FONT, fill=styles.TOTAL_FILL, border=styles.BORDER)
TOTAL_AMOUNT = CellStyle(font=styles.TOTAL_FONT, fill=styles.TOTAL_FILL, border=styles.BORDER, number_format=styles.YUAN_FORMAT)


@dataclass(frozen=True)
class ExpenditureScope:
    """Which expenditures: a department-year, optionally one unit or item, optionally a date range."""

    department_year: DepartmentYear
    unit: BudgetUnit | None = None
    item: BudgetItem | None = None
    date_from: date | None = None
    date_to: date | None = None

    def describe(self) -> str:
        if self.item:
            name = f"{self.item.code} {self.item.name}"
        else:
            name = self.unit.name if self.unit else self.department_year.department.name
        start = self.date_from or date(self.department_year.year, 1, 1)
        end = self.date_to or date(self.department_year.year, 12, 31)
        return "　".join([name, _("%(start)s 至 %(end)s") % {"start": start.isoformat(), "end": end.isoformat()}])

    def expenditures(self) -> QuerySet[Expenditure]:
        return expenditures_in(
            department_year=self.department_year,
            unit_id=self.unit.id if self.unit else None,
            item_id=self.item.id if self.item else None,
            date_from=self.date_from,
            date_to=self.date_to,
        )


def headers() -> list[str]:
    return [
        _("支出日期"), _("凭证号"), _("预算单位"), _("项目编码"), _("项目名称"),
        _("经济分类"), _("经济分类名称"), _("摘要"), _("采购方式"), _("金额（元）"),
    ]


def write_expenditures(*, scope: ExpenditureScope | None, out: BinaryIO, stamp: Stamp,
                       expenditures: QuerySet[Expenditure] | None = None) -> int:
    """Write the detail of the approved ones of `expenditures` (by default the scope's), and
    return how many rows it holds. Without a scope, the heading names neither year nor scope."""
    rows, total, count = expenditure_rows(expenditures if expenditures is not None else scope.expenditures())
    columns = headers()
    last_column = get_column_letter(len(columns))
    procurement_labels = {value: str(label) for value, label in Expenditure.Procurement.choices}
    title = _("%(year)s年度支出明细表") % {"year": scope.department_year.year} if scope else _("支出明细表")
    subtitle = _("%(scope)s　共%(count)s笔　单位：元") % {"scope": scope.describe() if scope else "", "count": count}

    def sheet_rows():
        yield [Styled(title, TITLE)]
        yield [Styled(subtitle, SUBTITLE)]
        yield [Styled(header, HEADER) for header in columns]
        for spent_on, voucher, unit_name, item_code, item_name, class_code, class_name, memo, method, amount in rows:
            yield (spent_on, voucher, unit_name, item_code, item_name, class_code, class_name, memo,
                   procurement_labels.get(method, method), amount)
        yield [Styled(_("合计"), TOTAL_LABEL), *[Styled(None, TOTAL_BLANK)] * (len(columns) - 2), Styled(total, TOTAL_AMOUNT)]

    layout = SheetLayout(
        name=_("支出明细"),
        date_style=DATE,
        decimal_style=AMOUNT,
        widths=WIDTHS,
        merged=[f"A1:{last_column}1", f"A2:{last_column}2"],
        frozen_rows=HEADING_ROWS,
        print_title_rows=HEADING_ROWS,
        landscape_a4=True,
    )
    write_xlsx(out, layout=layout, rows=sheet_rows(), stamp=stamp, title=_("支出明细表"))
    return count
