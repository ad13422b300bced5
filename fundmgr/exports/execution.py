"""预算执行情况表: four tables, each with subtotals and a grand total, and the 用款计划执行情况表.

Every figure is a roll-up of projects.selectors.budget_summary's item rows (or, for sources,
economic items and months, one aggregate in fundmgr.exports.selectors), so a subtotal in yuan is
the exact sum of its rows; only the 万元 shown is rounded, half up, by fundmgr.lib.money.wan.

The budget columns carry section 8's transfers (调入, 调出), so each row's 全年预算数 is the sum of
its columns. The item table adds the plan to date, the plan execution rate, the forecast and the
forecast rate as of December (the whole year), and the lag colour from the plan execution rate
(the thresholds of 序时进度, fundmgr.alerts.plan_status).
"""

from dataclasses import dataclass
from typing import BinaryIO

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import PatternFill
from openpyxl.worksheet.worksheet import Worksheet

from fundmgr.alerts import plan_status
from fundmgr.exports import styles
from fundmgr.exports.selectors import (
    by_source_and_kind,
    by_unit_and_category,
    monthly_plan_and_spending,
    spending_by_economic_item,
)
from fundmgr.lib.money import ZERO
from fundmgr.lib.table_xlsx import Stamp, stamp_workbook
from projects.models import BudgetItem, BudgetLine
from projects.selectors import BudgetSummary, Figures, budget_summary
from units.models import DepartmentYear

ROW, SUBTOTAL, TOTAL = "row", "subtotal", "total"
WAN, RATE, TEXT, LAG = "wan", "rate", "text", "lag"
FORMATS = {WAN: styles.WAN_FORMAT, RATE: styles.RATE_FORMAT, TEXT: None, LAG: None}
# The lag colours of the dashboards (static/css/app.css's badges), as cell fills.
LAG_FILLS = {
    "red": PatternFill("solid", fgColor="F8D7DA"),
    "yellow": PatternFill("solid", fgColor="FFF3CD"),
    "": PatternFill("solid", fgColor="D4EDDA"),
}


def lag_label(status: str) -> str:
    return {"red": _("严重滞后"), "yellow": _("滞后"), "": _("正常")}[status]


@dataclass
class Column:
    header: str
    kind: str
    width: float


def figure_values(figures: Figures) -> list:
    """initial, addition, reduction, carryover, full-year, spent (万元) and the rate."""
    return [
        styles.wan_cell(figures.initial),
        styles.wan_cell(figures.addition),
        styles.wan_cell(figures.reduction),
        styles.wan_cell(figures.carryover),
        styles.wan_cell(figures.full_year),
        styles.wan_cell(figures.spent),
        styles.rate_cell(figures.execution_rate),
    ]


def figure_columns() -> list[Column]:
    return [
        Column(_("年初预算"), WAN, 13),
        Column(_("年中追加"), WAN, 13),
        Column(_("年中调减"), WAN, 13),
        Column(_("上年结转"), WAN, 13),
        Column(_("全年预算数"), WAN, 14),
        Column(_("执行数"), WAN, 14),
        Column(_("执行率"), RATE, 10),
    ]


def transfer_values(figures: Figures) -> list:
    """调入, 调出 (万元): section 8's transfers, the rest of what makes up the full-year budget.
    They follow the rate, so the columns of the tables before them keep their places."""
    return [styles.wan_cell(figures.transfer_in), styles.wan_cell(figures.transfer_out)]


def transfer_columns() -> list[Column]:
    return [Column(_("调入"), WAN, 12), Column(_("调出"), WAN, 12)]


def write_table(
    ws: Worksheet, *, title: str, subtitle: str, columns: list[Column], rows: list[tuple[str, list]], note: str
) -> None:
    """A standard table: merged title, header row frozen and repeated on print, bordered body."""
    styles.set_widths(ws, [column.width for column in columns])
    header = styles.title_rows(ws, title=title, subtitle=subtitle, columns=len(columns))
    styles.header_row(ws, header, [column.header for column in columns])
    row = header + 1
    for row_kind, values in rows:
        for index, (column, value) in enumerate(zip(columns, values), start=1):
            if column.kind == LAG:
                styles.body_cell(ws, row, index, lag_label(value), total=row_kind != ROW).fill = LAG_FILLS[value]
                continue
            styles.body_cell(ws, row, index, value, number_format=FORMATS[column.kind], total=row_kind != ROW)
        row += 1
    styles.note_row(ws, row, len(columns), note)
    ws.freeze_panes = ws.cell(row=header + 1, column=1)
    styles.setup_print(ws, header_rows=f"1:{header}")


def category_label(category: str) -> str:
    return str(BudgetItem.Category(category).label)


def unit_category_rows(summary: BudgetSummary) -> list[tuple[str, list]]:
    rows = []
    for block in by_unit_and_category(summary=summary):
        for category, figures in block.by_category.items():
            rows.append((ROW, [block.name, category_label(category), *figure_values(figures), *transfer_values(figures)]))
        rows.append((SUBTOTAL, [block.name, _("小计"), *figure_values(block.total), *transfer_values(block.total)]))
    rows.append((TOTAL, [_("合计"), "", *figure_values(summary.totals), *transfer_values(summary.totals)]))
    for category, figures in summary.by_category.items():
        rows.append(
            (
                SUBTOTAL,
                [
                    _("其中：%(category)s") % {"category": category_label(category)},
                    "",
                    *figure_values(figures),
                    *transfer_values(figures),
                ],
            )
        )
    return rows


def plan_values(figures: Figures) -> list:
    """plan to date, plan execution rate, forecast, forecast rate, and the lag colour (section 8)."""
    return [
        styles.wan_cell(figures.plan_to_date),
        styles.rate_cell(figures.plan_execution_rate),
        styles.wan_cell(figures.forecast),
        styles.rate_cell(figures.forecast_rate),
        plan_status(figures),
    ]


def plan_columns() -> list[Column]:
    return [
        Column(_("计划进度数"), WAN, 13),
        Column(_("计划执行率"), RATE, 11),
        Column(_("预计全年执行数"), WAN, 14),
        Column(_("预计执行率"), RATE, 11),
        Column(_("进度"), LAG, 10),
    ]


def item_rows(summary: BudgetSummary) -> list[tuple[str, list]]:
    rows = []
    units = {unit.id: unit for unit in summary.by_unit}
    by_unit: dict[int, list] = {unit_id: [] for unit_id in units}
    for item in summary.by_item:
        by_unit[item.unit_id].append(item)
    for unit_id, items in by_unit.items():
        if not items:
            continue
        for item in items:
            rows.append(
                (
                    ROW,
                    [
                        item.unit_name,
                        item.code,
                        item.name,
                        category_label(item.category),
                        *figure_values(item.figures),
                        *transfer_values(item.figures),
                        *plan_values(item.figures),
                    ],
                )
            )
        unit_figures = units[unit_id].figures
        rows.append(
            (
                SUBTOTAL,
                [
                    units[unit_id].name,
                    "",
                    _("小计"),
                    "",
                    *figure_values(unit_figures),
                    *transfer_values(unit_figures),
                    *plan_values(unit_figures),
                ],
            )
        )
    rows.append(
        (
            TOTAL,
            [
                _("合计"),
                "",
                "",
                "",
                *figure_values(summary.totals),
                *transfer_values(summary.totals),
                *plan_values(summary.totals),
            ],
        )
    )
    return rows


BUDGET_COLUMNS = 5  # figure_values()' budget columns, initial to full-year: spending has no source


def monthly_plan_rows(summary: BudgetSummary) -> list[tuple[str, list]]:
    """用款计划执行情况表: per item, the plan and the approved spending of each month, and the
    year's; per unit a subtotal, and the total. An item without a plan shows its linear plan."""
    by_item = monthly_plan_and_spending(summary=summary)
    rows = []
    grand_plan, grand_actual = [ZERO] * 12, [ZERO] * 12

    def values(plan: list, actual: list) -> list:
        cells = []
        for month in range(12):
            cells += [styles.wan_cell(plan[month]), styles.wan_cell(actual[month])]
        return [*cells, styles.wan_cell(sum(plan, ZERO)), styles.wan_cell(sum(actual, ZERO))]

    for unit in summary.by_unit:
        items = [item for item in summary.by_item if item.unit_id == unit.id]
        if not items:
            continue
        unit_plan, unit_actual = [ZERO] * 12, [ZERO] * 12
        for item in items:
            months = by_item[item.id]
            kind = _("用款计划") if months.planned else _("按序时进度")
            rows.append((ROW, [item.unit_name, item.code, item.name, kind, *values(months.plan, months.actual)]))
            unit_plan = [a + b for a, b in zip(unit_plan, months.plan)]
            unit_actual = [a + b for a, b in zip(unit_actual, months.actual)]
        rows.append((SUBTOTAL, [unit.name, "", _("小计"), "", *values(unit_plan, unit_actual)]))
        grand_plan = [a + b for a, b in zip(grand_plan, unit_plan)]
        grand_actual = [a + b for a, b in zip(grand_actual, unit_actual)]
    rows.append((TOTAL, [_("合计"), "", "", "", *values(grand_plan, grand_actual)]))
    return rows


def monthly_plan_columns() -> list[Column]:
    columns = [
        Column(_("预算单位"), TEXT, 24),
        Column(_("项目编码"), TEXT, 14),
        Column(_("项目名称"), TEXT, 30),
        Column(_("计划类型"), TEXT, 10),
    ]
    for month in range(1, 13):
        columns += [
            Column(_("%(month)d月计划") % {"month": month}, WAN, 11),
            Column(_("%(month)d月实际") % {"month": month}, WAN, 11),
        ]
    return [*columns, Column(_("全年计划"), WAN, 13), Column(_("全年实际"), WAN, 13)]


def source_rows(summary: BudgetSummary) -> list[tuple[str, list]]:
    rows = []
    total = Figures()
    for source_row in by_source_and_kind(summary=summary):
        figures = source_row.figures
        total.add(figures)
        values = [*figure_values(figures)[:BUDGET_COLUMNS], *transfer_values(figures)]
        rows.append((ROW, [str(BudgetLine.Source(source_row.source).label), *values]))
    rows.append((TOTAL, [_("合计"), *figure_values(total)[:BUDGET_COLUMNS], *transfer_values(total)]))
    return rows


def economic_rows(summary: BudgetSummary) -> list[tuple[str, list]]:
    rows = []
    total = summary.totals.spent

    def share(amount):
        return styles.rate_cell(amount / total) if total else None

    grand = ZERO
    for economic_class in spending_by_economic_item(summary=summary):
        rows.append(
            (
                SUBTOTAL,
                [economic_class.code, economic_class.name, styles.wan_cell(economic_class.spent), share(economic_class.spent)],
            )
        )
        for item in economic_class.items:
            rows.append((ROW, [item.code, f"　{item.name}", styles.wan_cell(item.spent), share(item.spent)]))
        grand += economic_class.spent
    rows.append((TOTAL, [_("合计"), "", styles.wan_cell(grand), share(grand)]))
    return rows


def write_execution(*, department_year: DepartmentYear, out: BinaryIO, stamp: Stamp) -> None:
    """预算执行情况表 of a department-year: by unit × category, by item, by source, by economic class."""
    summary = budget_summary(department_year=department_year)
    name, year = department_year.department.name, department_year.year
    subtitle = _("部门：%(name)s　　年度：%(year)s　　单位：万元") % {"name": name, "year": year}
    note = _(
        "注：金额由元四舍五入保留两位小数，小计、合计按元汇总后取整，与各行之和可能存在尾差。执行率＝执行数÷全年预算数，全年预算数含上年结转。"
    )
    wb = Workbook()
    ws = wb.active
    ws.title = _("按单位和类别")
    write_table(
        ws,
        title=_("%(year)s年度预算执行情况表（按单位和项目类别）") % {"year": year},
        subtitle=subtitle,
        columns=[Column(_("预算单位"), TEXT, 34), Column(_("项目类别"), TEXT, 12), *figure_columns(), *transfer_columns()],
        rows=unit_category_rows(summary),
        note=note,
    )
    write_table(
        wb.create_sheet(_("按项目")),
        title=_("%(year)s年度预算执行情况表（按预算项目）") % {"year": year},
        subtitle=subtitle,
        columns=[
            Column(_("预算单位"), TEXT, 28),
            Column(_("项目编码"), TEXT, 16),
            Column(_("项目名称"), TEXT, 36),
            Column(_("项目类别"), TEXT, 11),
            *figure_columns(),
            *transfer_columns(),
            *plan_columns(),
        ],
        rows=item_rows(summary),
        note=note
        + _(
            "计划进度数为用款计划全年之和（没有用款计划的项目为全年预算数）；计划执行率＝执行数÷计划进度数，"
            "低于80%为滞后，低于60%为严重滞后；预计全年执行数＝执行数＋其余月份计划，不超过全年预算数。"
        ),
    )
    write_table(
        wb.create_sheet(_("按资金来源")),
        title=_("%(year)s年度预算执行情况表（按资金来源）") % {"year": year},
        subtitle=subtitle,
        columns=[Column(_("资金来源"), TEXT, 16), *figure_columns()[:BUDGET_COLUMNS], *transfer_columns()],
        rows=source_rows(summary),
        note=_("注：支出不区分资金来源，故本表只列预算数。") + note,
    )
    write_table(
        wb.create_sheet(_("按经济分类")),
        title=_("%(year)s年度支出执行情况表（按经济分类）") % {"year": year},
        subtitle=subtitle,
        columns=[
            Column(_("科目编码"), TEXT, 12),
            Column(_("科目名称"), TEXT, 30),
            Column(_("执行数"), WAN, 16),
            Column(_("占比"), RATE, 10),
        ],
        rows=economic_rows(summary),
        note=_("注：加粗行为类级小计，其下为款级明细。") + note,
    )
    write_table(
        wb.create_sheet(_("用款计划执行情况表")),
        title=_("%(year)s年度用款计划执行情况表") % {"year": year},
        subtitle=subtitle,
        columns=monthly_plan_columns(),
        rows=monthly_plan_rows(summary),
        note=_("注：计划为用款计划各月金额；没有用款计划的项目按序时进度（全年预算数×月份÷12）分月。实际为当月已生效支出。")
        + note,
    )
    stamp_workbook(wb, stamp=stamp, title=_("预算执行情况表"))
    wb.save(out)
