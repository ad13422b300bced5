"""部门整体支出绩效运行监控表 and one 项目支出绩效运行监控表 per monitored item, in one workbook (a
sheet each), at the end of the department-year's monitoring month (issue 16).

Every figure and flag comes from indicators.monitoring.monitoring_for (the ledger's figures of
projects.selectors.budget_summary_at_month): nothing is computed here but layout. Money is in 万元
with 2 decimals, as the header of every sheet says.
"""

from decimal import Decimal
from typing import BinaryIO

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from fundmgr.exports import styles
from fundmgr.exports.selfeval import _sheet_title
from fundmgr.lib import cells
from fundmgr.lib.table_xlsx import Stamp, stamp_workbook
from indicators.models import Indicator
from indicators.monitoring import Monitoring, MonitoringRow, MonitoringScope, monitoring_for, shortfall
from indicators.scoring import ScoringError
from indicators.wording import target_text
from projects.selectors import Figures
from units.models import DepartmentYear

COLUMNS = 10
WIDTHS = [14, 14, 30, 14, 14, 14, 20, 14, 24, 22]


def budget_headers() -> list[str]:
    return [
        "",
        _("年初预算数"),
        _("全年预算数"),
        _("监控期执行数"),
        _("执行率"),
        _("全年预计执行数"),
        _("预计执行率"),
        _("预算缺口"),
        _("偏差原因"),
        _("预警"),
    ]


def budget_flag(scope: MonitoringScope) -> str:
    """The export's words for a scope's budget flag (the page's 预计执行不足 badge)."""
    if not scope.budget_missed:
        return ""
    return _("预计执行不足，缺口%(amount)s万元") % {"amount": f"{styles.wan_cell(scope.shortfall):,.2f}"}


def indicator_flag(row: MonitoringRow) -> str:
    return _("预计不能完成目标") if row.forecast_missed else ""


def _value_text(text: str, value: Decimal | None, indicator: Indicator) -> str | Decimal | None:
    """A value as the page shows it: its text as written, else the number (a numeric cell)."""
    if text:
        return text
    return None if value is None or indicator.direction == Indicator.Direction.QUALITATIVE else value


def _budget_row(ws: Worksheet, row: int, label: str, figures: Figures, *, shortfall: Decimal, cause: str, flag: str, total: bool) -> None:
    styles.body_cell(ws, row, 1, label, total=total)
    for column, amount in zip((2, 3, 4), (figures.initial, figures.full_year, figures.spent)):
        styles.body_cell(ws, row, column, styles.wan_cell(amount), number_format=styles.WAN_FORMAT, total=total)
    styles.body_cell(ws, row, 5, styles.rate_cell(figures.execution_rate), number_format=styles.RATE_FORMAT, total=total)
    styles.body_cell(ws, row, 6, styles.wan_cell(figures.forecast), number_format=styles.WAN_FORMAT, total=total)
    styles.body_cell(ws, row, 7, styles.rate_cell(figures.forecast_rate), number_format=styles.RATE_FORMAT, total=total)
    styles.body_cell(ws, row, 8, styles.wan_cell(shortfall), number_format=styles.WAN_FORMAT, total=total)
    styles.body_cell(ws, row, 9, cause, total=total)
    styles.body_cell(ws, row, 10, flag, total=total)


def _indicator_block(ws: Worksheet, row: int, rows: list[MonitoringRow]) -> int:
    """The indicator table: 一级 | 二级 | 三级 | 年度指标值 | 监控期完成值 | 全年预计完成值 | 偏差原因 |
    完成目标可能性 | 纠偏措施 | 预警. Returns the next row."""
    styles.header_row(
        ws,
        row,
        [
            _("一级指标"),
            _("二级指标"),
            _("三级指标"),
            _("年度指标值"),
            _("监控期完成值"),
            _("全年预计完成值"),
            _("偏差原因"),
            _("完成目标可能性"),
            _("纠偏措施"),
            _("预警"),
        ],
    )
    row += 1
    if not rows:
        styles.note_row(ws, row, COLUMNS, _("没有绩效指标"))
        return row + 1
    for entry in rows:
        indicator = entry.indicator
        values = [
            indicator.get_level1_display(),
            indicator.level2_label,
            indicator.name,
            target_text(indicator),
            _value_text(indicator.midyear_text, entry.value, indicator),
            _value_text(indicator.forecast_text, indicator.forecast, indicator),
            entry.cause,
            indicator.get_likelihood_display() if indicator.likelihood else "",
            indicator.monitoring_measures,
            indicator_flag(entry),
        ]
        for column, value in enumerate(values, start=1):
            styles.body_cell(ws, row, column, value)
        row += 1
    return row


def _scope_sheet(ws: Worksheet, *, title: str, heading: list[tuple[str, str]], monitoring: Monitoring, scope: MonitoringScope,
                 parts: list[tuple[str, Figures]]) -> None:
    year = monitoring.department_year.year
    styles.set_widths(ws, WIDTHS)
    subtitle = _("（%(year)s年度，截至%(month)s月末）　金额单位：万元") % {"year": year, "month": monitoring.month}
    row = styles.title_rows(ws, title=title, subtitle=subtitle, columns=COLUMNS)
    for label, value in heading:
        styles.body_cell(ws, row, 1, label, total=True)
        ws.merge_cells(start_row=row, start_column=2, end_row=row, end_column=COLUMNS)
        styles.body_cell(ws, row, 2, value)
        row += 1
    styles.header_row(ws, row, budget_headers())
    row += 1
    entry = scope.entry
    _budget_row(ws, row, _("年度资金总额"), scope.figures, shortfall=scope.shortfall, cause=scope.cause, flag=budget_flag(scope), total=True)
    row += 1
    for label, figures in parts:
        _budget_row(ws, row, label, figures, shortfall=shortfall(figures), cause="", flag="", total=False)
        row += 1
    if scope.item_id is not None:
        needs = "" if entry is None else (_("是") if entry.needs_correction else _("否"))
        for label, value in ((_("是否需要纠偏"), needs), (_("纠偏措施"), entry.measures if entry else "")):
            styles.body_cell(ws, row, 1, label, total=True)
            ws.merge_cells(start_row=row, start_column=2, end_row=row, end_column=COLUMNS)
            styles.body_cell(ws, row, 2, value)
            row += 1
    row += 1
    _indicator_block(ws, row, scope.rows)
    styles.setup_print(ws, header_rows=None)


def write_monitoring(*, department_year: DepartmentYear, out: BinaryIO, stamp: Stamp) -> None:
    """绩效运行监控表: the department's sheet first, then one sheet per monitored item (every
    特定目标类 item and any item with indicators), each named by the item's code."""
    wb = Workbook()
    ws = wb.active
    ws.title = _("部门整体运行监控表")
    try:
        monitoring = monitoring_for(department_year=department_year)
    except ScoringError as error:
        cells.write(ws, 1, 1, _("绩效指标数据有误，无法计算：") + str(error))
        stamp_workbook(wb, stamp=stamp, title=_("绩效运行监控表"))
        wb.save(out)
        return
    by_category = monitoring.by_category
    _scope_sheet(
        ws,
        title=_("部门整体支出绩效运行监控表"),
        heading=[(_("部门名称"), department_year.department.name)],
        monitoring=monitoring,
        scope=monitoring.department,
        parts=[
            (_("其中：人员类"), by_category["personnel"]),
            (_("　　　运转类"), by_category["operating"]),
            (_("　　　特定目标类"), by_category["project"]),
        ],
    )
    for scope in monitoring.items:
        _scope_sheet(
            wb.create_sheet(_sheet_title(scope.code, wb)),
            title=_("项目支出绩效运行监控表"),
            heading=[
                (_("项目名称"), f"{scope.code} {scope.name}"),
                (_("主管部门"), department_year.department.name),
                (_("实施单位"), scope.unit_name),
            ],
            monitoring=monitoring,
            scope=scope,
            parts=[],
        )
    stamp_workbook(wb, stamp=stamp, title=_("绩效运行监控表"))
    wb.save(out)
