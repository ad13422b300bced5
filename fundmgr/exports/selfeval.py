"""部门整体支出绩效自评表 and 项目支出绩效自评表, in the layout of 财预〔2020〕10号.

The budget block comes from projects.selectors.budget_summary, the points, earned, score and
rating from indicators.selectors.evaluations_for: nothing is computed here but layout.
"""

from dataclasses import dataclass
from decimal import Decimal
from typing import BinaryIO

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from fundmgr.exports import styles
from fundmgr.lib import cells
from fundmgr.lib.table_xlsx import Stamp, stamp_workbook
from indicators.models import Indicator
from indicators.scoring import EXECUTION_POINTS, Evaluation
from indicators.selectors import BudgetBlock, annual_goals, budget_block, budget_blocks_by_item, evaluations_for
from indicators.wording import actual_value, deviation_text, target_text
from projects.models import BudgetLine
from projects.selectors import Figures, budget_summary
from units.models import DepartmentYear

COLUMNS = 10
WIDTHS = [12, 12, 30, 14, 12, 12, 10, 10, 16, 16]


@dataclass
class EvaluationSheet:
    """What one 自评表 sheet shows: the scope's name rows, funds and scored indicators."""

    title: str
    heading: list[tuple[str, str]]
    figures: Figures
    block: BudgetBlock
    evaluation: Evaluation | None
    indicators: list[Indicator]
    # 年度总体目标: (预期目标, 实际完成情况), blank when none was written.
    goal: tuple[str, str] = ("", "")


LEVEL_ORDER = [Indicator.Level1.OUTPUT, Indicator.Level1.BENEFIT, Indicator.Level1.SATISFACTION]


def _merge_value(ws: Worksheet, ref: str, value, **kwargs):
    ws.merge_cells(ref)
    first = ref.split(":")[0]
    cell = cells.set_value(ws[first], value)
    for row in ws[ref]:
        for c in row:
            c.border = styles.BORDER
    cell.font = kwargs.get("font", styles.BODY_FONT)
    cell.alignment = kwargs.get("alignment", styles.CENTER)
    if "number_format" in kwargs:
        cell.number_format = kwargs["number_format"]
    if "fill" in kwargs:
        for row in ws[ref]:
            for c in row:
                c.fill = kwargs["fill"]
    return cell


def write_evaluation_sheet(ws: Worksheet, sheet: EvaluationSheet, *, year: int) -> None:
    """One 自评表: title, name rows, budget block, indicator table, total and rating."""
    styles.set_widths(ws, WIDTHS)
    row = styles.title_rows(ws, title=sheet.title, subtitle=_("（%(year)s年度）") % {"year": year}, columns=COLUMNS)
    ws["A2"].alignment = styles.CENTER
    for label, value in sheet.heading:
        _merge_value(ws, f"A{row}:B{row}", label, font=styles.HEADER_FONT)
        _merge_value(ws, f"C{row}:J{row}", value, alignment=styles.LEFT)
        row += 1
    header_last = row - 1

    # Budget block: 年度资金总额 and its split, in 万元.
    block_first = row
    _merge_value(ws, f"A{row}:A{row + 4}", _("年度资金（万元）"), font=styles.HEADER_FONT)
    _merge_value(ws, f"B{row}:C{row}", "", fill=styles.HEADER_FILL)
    for column, label in zip("DEFGH", [_("年初预算数"), _("全年预算数"), _("全年执行数"), _("分值"), _("执行率")]):
        cell = _merge_value(ws, f"{column}{row}:{column}{row}", label, font=styles.HEADER_FONT)
        cell.fill = styles.HEADER_FILL
    _merge_value(ws, f"I{row}:J{row}", _("得分"), font=styles.HEADER_FONT, fill=styles.HEADER_FILL)
    row += 1
    evaluation = sheet.evaluation
    execution_max = evaluation.execution_max if evaluation else EXECUTION_POINTS
    total = (sheet.figures.initial, sheet.figures.full_year, sheet.figures.spent, sheet.figures.execution_rate)
    rows = [(_("年度资金总额"), total, True)] + [
        (label, (part.initial, part.full_year, part.spent, part.execution_rate), False)
        for label, part in zip(
            [_("其中：当年财政拨款"), _("　　　上年结转资金"), _("　　　其他资金")], sheet.block.parts
        )
    ]
    for label, (initial, full_year, spent, rate), is_total in rows:
        _merge_value(ws, f"B{row}:C{row}", label, alignment=styles.LEFT, font=styles.TOTAL_FONT if is_total else styles.BODY_FONT)
        styles.body_cell(ws, row, 4, styles.wan_cell(initial), number_format=styles.WAN_FORMAT, total=is_total)
        styles.body_cell(ws, row, 5, styles.wan_cell(full_year), number_format=styles.WAN_FORMAT, total=is_total)
        styles.body_cell(ws, row, 6, styles.wan_cell(spent), number_format=styles.WAN_FORMAT, total=is_total)
        if is_total:
            styles.body_cell(ws, row, 7, execution_max, number_format=styles.SCORE_FORMAT, total=True)
        else:
            styles.body_cell(ws, row, 7, "—")
        styles.body_cell(ws, row, 8, styles.rate_cell(rate), number_format=styles.RATE_FORMAT, total=is_total)
        if is_total and evaluation is not None:
            _merge_value(ws, f"I{row}:J{row}", evaluation.execution_score, number_format=styles.SCORE_FORMAT,
                         alignment=styles.RIGHT, font=styles.TOTAL_FONT)
        else:
            _merge_value(ws, f"I{row}:J{row}", "—")
        row += 1

    # 年度总体目标: 预期目标 | 实际完成情况, the texts in the row below (DOMAIN.md section 10).
    expected, achieved = sheet.goal
    _merge_value(ws, f"A{row}:A{row + 1}", _("年度总体目标"), font=styles.HEADER_FONT)
    _merge_value(ws, f"B{row}:E{row}", _("预期目标"), font=styles.HEADER_FONT, fill=styles.HEADER_FILL)
    _merge_value(ws, f"F{row}:J{row}", _("实际完成情况"), font=styles.HEADER_FONT, fill=styles.HEADER_FILL)
    row += 1
    _merge_value(ws, f"B{row}:E{row}", expected, alignment=styles.LEFT)
    _merge_value(ws, f"F{row}:J{row}", achieved, alignment=styles.LEFT)
    styles.fit_row_height(ws, row, [(expected, sum(WIDTHS[1:5])), (achieved, sum(WIDTHS[5:10]))])
    row += 1

    # Indicator table.
    headers = [_("一级指标"), _("二级指标"), _("三级指标"), _("年度指标值"), _("半年完成值"), _("全年完成值"), _("分值"), _("得分")]
    for column, label in enumerate(headers, start=1):
        cell = cells.write(ws, row, column, label)
        cell.font, cell.fill, cell.alignment, cell.border = styles.HEADER_FONT, styles.HEADER_FILL, styles.CENTER, styles.BORDER
    _merge_value(ws, f"I{row}:J{row}", _("偏差原因分析及改进措施"), font=styles.HEADER_FONT, fill=styles.HEADER_FILL)
    row += 1
    scores = {score.code: score for score in evaluation.indicators} if evaluation else {}
    if not sheet.indicators:
        _merge_value(ws, f"A{row}:J{row}", _("未设置绩效指标"))
        row += 1
    ordered = sorted(sheet.indicators, key=lambda indicator: LEVEL_ORDER.index(indicator.level1))
    level_start = row
    for index, indicator in enumerate(ordered):
        score = scores.get(indicator.code)
        cells.write(ws, row, 1, indicator.get_level1_display())
        cells.write(ws, row, 2, indicator.level2_label)
        styles.body_cell(ws, row, 3, indicator.name)
        styles.body_cell(ws, row, 4, target_text(indicator))
        styles.body_cell(ws, row, 5, indicator.midyear, number_format="General")
        actual = actual_value(indicator)
        styles.body_cell(ws, row, 6, actual, number_format="General" if isinstance(actual, Decimal) else None)
        styles.body_cell(ws, row, 7, score.points if score else None, number_format=styles.SCORE_FORMAT)
        styles.body_cell(ws, row, 8, score.earned if score else None, number_format=styles.SCORE_FORMAT)
        deviation = deviation_text(indicator, score.flags if score else ())
        _merge_value(ws, f"I{row}:J{row}", deviation, alignment=styles.LEFT)
        styles.fit_row_height(ws, row, [(deviation, WIDTHS[8] + WIDTHS[9]), (indicator.name, WIDTHS[2])])
        last_of_level = index == len(ordered) - 1 or ordered[index + 1].level1 != indicator.level1
        if last_of_level:
            _merge_runs(ws, column=1, first=level_start, last=row)
            level_start = row + 1
        row += 1
    _merge_runs_by_value(ws, column=2, first=row - len(ordered), last=row - 1, group_column=1)

    # Total and rating.
    _merge_value(ws, f"A{row}:F{row}", _("总分"), font=styles.TOTAL_FONT, fill=styles.TOTAL_FILL)
    styles.body_cell(ws, row, 7, evaluation.max if evaluation else None, number_format=styles.SCORE_FORMAT, total=True)
    styles.body_cell(ws, row, 8, evaluation.score if evaluation else None, number_format=styles.SCORE_FORMAT, total=True)
    _merge_value(ws, f"I{row}:J{row}", "", fill=styles.TOTAL_FILL)
    row += 1
    _merge_value(ws, f"A{row}:F{row}", _("评价等级"), font=styles.TOTAL_FONT, fill=styles.TOTAL_FILL)
    _merge_value(ws, f"G{row}:J{row}", _rating_text(evaluation), font=styles.TOTAL_FONT, fill=styles.TOTAL_FILL)
    row += 1
    styles.note_row(
        ws,
        row,
        COLUMNS,
        _("注：金额单位为万元，由元四舍五入保留两位小数。得分按财预〔2020〕10号：预算执行率%(execution)s分，绩效指标%(indicators)s分，总分按满分折算为百分制。")
        % {"execution": int(execution_max), "indicators": 100 - int(execution_max)},
    )
    for table_row in ws.iter_rows(min_row=header_last + 1, max_row=row - 1, max_col=COLUMNS):
        for cell in table_row:
            cell.border = styles.BORDER
            if cell.alignment is None or cell.alignment.horizontal is None:
                cell.alignment = styles.CENTER
    ws.freeze_panes = f"A{block_first}"
    styles.setup_print(ws, header_rows=f"1:{header_last}")


def _rating_text(evaluation: Evaluation | None) -> str:
    """The 评价等级 cell: the rating, "草稿（未评分）" for a draft (DOMAIN.md section 9; its 总分
    cell stays blank), — without indicators."""
    if evaluation is None:
        return "—"
    if evaluation.draft:
        return _("草稿（未评分）")
    return str(evaluation.rating.label)


def _merge_runs(ws: Worksheet, *, column: int, first: int, last: int) -> None:
    cell = ws.cell(row=first, column=column)
    cell.font, cell.alignment = styles.BODY_FONT, styles.CENTER
    if last > first:
        ws.merge_cells(start_row=first, start_column=column, end_row=last, end_column=column)


def _merge_runs_by_value(ws: Worksheet, *, column: int, first: int, last: int, group_column: int) -> None:
    """Merge consecutive equal 二级指标 cells within one 一级指标."""
    start = first
    for row in range(first, last + 2):
        ended = row > last or (
            ws.cell(row=row, column=column).value != ws.cell(row=start, column=column).value
            or ws.cell(row=row, column=group_column).value not in (None, ws.cell(row=start, column=group_column).value)
        )
        if ended:
            _merge_runs(ws, column=column, first=start, last=row - 1)
            start = row


def department_sheet(department_year: DepartmentYear) -> EvaluationSheet:
    summary = budget_summary(department_year=department_year)
    evaluations = evaluations_for(summary=summary)
    return EvaluationSheet(
        title=_("部门整体支出绩效自评表"),
        heading=[(_("部门（单位）名称"), department_year.department.name)],
        figures=summary.totals,
        block=budget_block(
            lines=BudgetLine.objects.filter(item__department_year=department_year),
            items={row.id: row.figures for row in summary.by_item},
        ),
        evaluation=evaluations.department,
        indicators=evaluations.department_indicators,
        goal=_goal_texts(annual_goals(department_year_id=department_year.pk).get(None)),
    )


def _goal_texts(goal) -> tuple[str, str]:
    return (goal.expected, goal.achieved) if goal is not None else ("", "")


def write_self_evaluation(*, department_year: DepartmentYear, out: BinaryIO, stamp: Stamp) -> None:
    """部门整体支出绩效自评表: one sheet, the department's budget block and indicators."""
    wb = Workbook()
    ws = wb.active
    ws.title = _("部门整体自评表")
    write_evaluation_sheet(ws, department_sheet(department_year), year=department_year.year)
    stamp_workbook(wb, stamp=stamp, title=_("部门整体支出绩效自评表"))
    wb.save(out)


def write_project_evaluation(*, department_year: DepartmentYear, out: BinaryIO, stamp: Stamp) -> None:
    """项目支出绩效自评表: one sheet per budget item that has its own indicators.

    A year with no item-level indicators gets a single sheet saying so, rather than an empty file.
    """
    summary = budget_summary(department_year=department_year)
    evaluations = evaluations_for(summary=summary)
    blocks = budget_blocks_by_item(
        lines=BudgetLine.objects.filter(item__department_year=department_year),
        items={row.id: row.figures for row in summary.by_item if row.id in evaluations.item_indicators},
    )
    goals = annual_goals(department_year_id=department_year.pk)
    wb = Workbook()
    wb.remove(wb.active)
    for item in summary.by_item:
        indicators = evaluations.item_indicators.get(item.id)
        if not indicators:
            continue
        ws = wb.create_sheet(_sheet_title(item.code, wb))
        write_evaluation_sheet(
            ws,
            EvaluationSheet(
                title=_("项目支出绩效自评表"),
                heading=[
                    (_("项目名称"), f"{item.code} {item.name}"),
                    (_("主管部门"), department_year.department.name),
                    (_("实施单位"), item.unit_name),
                ],
                figures=item.figures,
                block=blocks[item.id],
                evaluation=evaluations.by_item.get(item.id),
                indicators=indicators,
                goal=_goal_texts(goals.get(item.id)),
            ),
            year=department_year.year,
        )
    if not wb.sheetnames:
        ws = wb.create_sheet(_("说明"))
        cells.write(ws, 1, 1, _("%(year)s年度没有设置项目级绩效指标的预算项目。") % {"year": department_year.year})
        ws["A1"].font = styles.BODY_FONT
    stamp_workbook(wb, stamp=stamp, title=_("项目支出绩效自评表"))
    wb.save(out)


def _sheet_title(code: str, wb: Workbook) -> str:
    """A sheet name Excel accepts: at most 31 characters, none of []:*?/\\, unique."""
    cleaned = "".join("_" if ch in "[]:*?/\\" else ch for ch in code)[:28] or "_"
    title, counter = cleaned, 1
    while title in wb.sheetnames:
        counter += 1
        title = f"{cleaned[:25]}~{counter}"
    return title
