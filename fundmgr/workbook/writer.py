"""Writing budget workbooks in the import format (DOMAIN.md section 4), from fundmgr.workbook.schema.

`workbook_write` takes row dicts per sheet, keyed by the schema's English column keys and holding
model values ("personnel", Decimal amounts, dates); it writes the Chinese labels, the drop-down
lists of every enumerated column and the 说明 sheet. With no rows it is the empty template that
`manage.py budget_template` writes; the demo loader and the year's export write rows.

Every value goes through fundmgr.lib.cells, so a memo typed as "=HYPERLINK(…)" is text, never a
formula. A number with more significant digits than a binary float keeps (15) is written as
numeric text, which the reader accepts, so that no cent is lost on the way back.
"""

import io
from collections.abc import Iterable, Mapping
from decimal import Decimal

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from fundmgr.lib import cells
from fundmgr.workbook import schema
from projects.economic_classes import EDITION
from projects.models import EconomicClass

LAST_ROW = 1048576  # validations cover the whole column below the header
HEADER_FONT = Font(bold=True)
REQUIRED_FILL = PatternFill("solid", fgColor="FFF2CC")
OPTIONAL_FILL = PatternFill("solid", fgColor="EDEDED")
# REFERENCE: the plan template's 全年预算 (its 项目名称 is text, which keeps its own format)
NUMBER_FORMATS = {schema.DATE: "yyyy-mm-dd", schema.AMOUNT: "#,##0.00", schema.PLAN_AMOUNT: "#,##0.00", schema.REFERENCE: "#,##0.00"}
FLOAT_DIGITS = 15  # significant digits an Excel number (an IEEE double) always keeps


def _cell_value(column: schema.Column, value):
    if value is None or value == "":
        return None
    if column.kind == schema.CHOICE:
        return column.label_for(value)
    if isinstance(value, Decimal) and len(value.normalize().as_tuple().digits) > FLOAT_DIGITS:
        return str(value)
    return value


def _instructions(book: Workbook, sheets: tuple[schema.Sheet, ...] = schema.SHEETS) -> None:
    sheet = book.create_sheet(schema.INSTRUCTIONS_SHEET)
    general = [
        _("预算执行工作簿填写说明"),
        _("一个工作簿填写一个部门一个年度的数据；各表第1行为表头（中文或英文列名均可），列的顺序不限，空行会被跳过。"),
        _("金额单位为元：填数字或数字文本，最多两位小数，可用“,”作千位分隔符；金额须大于0，调减也填正数。"),
        _("日期填日期格式或文本 2024-03-15 / 2024/3/15，且须在“部门”表的年度内。"),
        _("编码须唯一，引用的单位编码、项目编码须在相应表中存在。"),
        _("可用指标控制：同一项目按日期逐笔计入，同日的预算指标先于支出；任何时点累计支出不得超过累计可用指标，调减也不得使可用指标低于已支出。"),
        _("导入要么全部成功，要么不做任何改动；所有错误逐行列出（表名、行号、列名、原因）。已存在的部门年度须选择“替换”才会覆盖。"),
        _("带下拉列表的列请从列表中选择。“经济分类表”列出可用的经济分类编码。"),
        _("经济分类依据：%(edition)s。") % {"edition": EDITION},
    ]
    for line in general:
        cells.append(sheet, [line])
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.append([])
    header = [_("工作表"), _("列名"), _("英文列名"), _("是否必填"), _("说明")]
    cells.append(sheet, header)
    for cell in sheet[sheet.max_row]:
        cell.font = HEADER_FONT
    for ws in sheets:
        cells.append(sheet, [ws.name, "", "", "", str(ws.help)])
        sheet.cell(row=sheet.max_row, column=1).font = HEADER_FONT
        for column in ws.columns:
            notes = [str(column.help)] if column.help else []
            if column.kind == schema.CHOICE:
                notes.append(_("可选：%(values)s") % {"values": _("、").join(column.labels)})
            cells.append(
                sheet, [ws.name, column.header, column.key, _("必填") if column.required else _("选填"), _("；").join(notes)]
            )
    sheet.column_dimensions["A"].width = 14
    sheet.column_dimensions["B"].width = 14
    sheet.column_dimensions["C"].width = 22
    sheet.column_dimensions["D"].width = 10
    sheet.column_dimensions["E"].width = 90
    for row in sheet.iter_rows():
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")


def _economic_class_sheet(book: Workbook, classes: Iterable[tuple[str, str]]) -> int:
    sheet = book.create_sheet(schema.ECONOMIC_CLASS_SHEET)
    cells.append(sheet, [_("经济分类编码"), _("经济分类名称")])
    count = 0
    for code, name in classes:
        cells.append(sheet, [code, name])
        count += 1
    sheet.column_dimensions["B"].width = 30
    return count


def workbook_write(
    rows: Mapping[str, list[dict]] | None = None,
    *,
    economic_classes: Iterable[tuple[str, str]] | None = None,
    instructions: bool = True,
    sheets: tuple[schema.Sheet, ...] = schema.SHEETS,
) -> Workbook:
    """A workbook in the import format. `rows` maps a sheet key ("units", "lines", …) to row dicts.

    `economic_classes` (code, name) pairs fill the 经济分类表 sheet that the 经济分类 column's
    drop-down list reads; by default they come from projects.EconomicClass. `sheets`: the sheets
    to write, all of the schema's by default (the plan template writes 用款计划 alone).
    """
    rows = rows or {}
    if economic_classes is None:
        economic_classes = EconomicClass.objects.order_by("code").values_list("code", "name")
    book = Workbook()
    book.remove(book.active)
    if instructions:
        _instructions(book, sheets)
    written = []
    for ws in sheets:
        sheet = book.create_sheet(ws.name)
        written.append((ws, sheet))
        cells.append(sheet, [column.header for column in ws.columns])
        for index, column in enumerate(ws.columns, start=1):
            cell = sheet.cell(row=1, column=index)
            cell.font = HEADER_FONT
            cell.fill = REQUIRED_FILL if column.required else OPTIONAL_FILL
            sheet.column_dimensions[get_column_letter(index)].width = max(12, 2 * len(column.header) + 4)
        sheet.freeze_panes = "A2"
        formats = {
            index: NUMBER_FORMATS[column.kind]
            for index, column in enumerate(ws.columns, start=1)
            if column.kind in NUMBER_FORMATS
        }
        for number, row in enumerate(rows.get(ws.key, []), start=2):
            cells.append(sheet, [_cell_value(column, row.get(column.key)) for column in ws.columns])
            for index, number_format in formats.items():  # (sheet.max_row would rescan every cell)
                cell = sheet.cell(row=number, column=index)
                if cell.value is not None and not isinstance(cell.value, str):
                    cell.number_format = number_format
    class_sheet_rows = _economic_class_sheet(book, economic_classes)
    book[schema.ECONOMIC_CLASS_SHEET].sheet_state = "hidden"
    for ws, sheet in written:
        for index, column in enumerate(ws.columns, start=1):
            letter = get_column_letter(index)
            if column.kind == schema.CHOICE:
                formula = '"' + ",".join(column.labels) + '"'
            elif column.kind == schema.ECONOMIC_CLASS and class_sheet_rows:
                formula = f"'{schema.ECONOMIC_CLASS_SHEET}'!$A$2:$A${class_sheet_rows + 1}"
            else:
                continue
            validation = DataValidation(
                type="list",
                formula1=formula,
                allow_blank=not column.required,
                showErrorMessage=True,
                errorTitle=_("无效的值"),
                error=_("请从下拉列表中选择%(column)s") % {"column": column.header},
            )
            validation.add(f"{letter}2:{letter}{LAST_ROW}")
            sheet.add_data_validation(validation)
    return book


def workbook_bytes(rows: Mapping[str, list[dict]] | None = None, **options) -> bytes:
    """The workbook of `workbook_write`, saved to .xlsx bytes."""
    buffer = io.BytesIO()
    workbook_write(rows, **options).save(buffer)
    return buffer.getvalue()
