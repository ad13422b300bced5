"""Filled 自评表 built cell by cell with openpyxl, in the layouts and wordings of the published
forms (财预〔2020〕10号 annexes and provincial variants), independently of fundmgr.exports.

`clean_project()` is a 项目支出绩效自评表 worked by hand, with no finding:

- money (万元): 年度资金总额 20.00 / 20.00 / 19.00 = 15.00 / 15.00 / 14.50 (当年财政拨款)
  + 3.00 / 3.00 / 3.00 (上年结转) + 2.00 / 2.00 / 1.50 (其他资金); 执行率 95.00 %,
  execution 10 x 0.95 = 9.50;
- indicators (分值 90):
  培训人数 ≥200人次 / 210人次, 15 → 15.00;
  培训合格率 ≥95% / 90%, 15 x 90/95 = 14.2105 → 14.21;
  完成时间 12月底前 / 2024年11月30日, 10 → 10.00;
  人均培训成本 ≤500元 / 520元, 10 x 500/520 = 9.6154 → 9.62;
  受益妇女人数 1.2万人 / 12000人 (a bare number is ≥), 20 → 20.00;
  长效机制 达到预期 / 基本达成 (部分达成: 60 %), 10 → 6.00;
  参训学员满意度 ≥90% / 96%, 10 → 10.00;
- 总分 9.50 + 84.83 = 94.33, 优.
"""

import io
from dataclasses import dataclass, field, replace
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.utils import get_column_letter

D = Decimal


@dataclass(frozen=True)
class Indicator:
    level1: str
    level2: str
    name: str
    target: object
    actual: object
    points: object
    earned: object
    deviation: str = "无偏差"


@dataclass(frozen=True)
class Table:
    kind: str = "project"  # project | department
    name: str = "妇女儿童关爱培训项目"
    title: str | None = None  # default: the kind's form title
    year: int = 2024
    unit: str = "万元"
    with_initial: bool = True
    # label -> (initial, full_year, spent); a missing row is left out of the table
    money: dict = field(
        default_factory=lambda: {
            "年度资金总额": (D("20.00"), D("20.00"), D("19.00")),
            "其中：当年财政拨款": (D("15.00"), D("15.00"), D("14.50")),
            "上年结转资金": (D("3.00"), D("3.00"), D("3.00")),
            "其他资金": (D("2.00"), D("2.00"), D("1.50")),
        }
    )
    execution_points: object = D("10")  # 分值 of the money block
    rate: object = D("0.95")  # 执行率 as the cell holds it
    rate_format: str = "0.00%"
    execution_earned: object = D("9.50")
    goal: tuple[str, str] = ("完成妇女儿童培训200人次，建立长效机制。", "完成培训210人次，长效机制基本建立。")
    indicators: tuple[Indicator, ...] = (
        Indicator("产出指标", "数量指标", "培训人数", "≥200人次", "210人次", D("15"), D("15.00")),
        Indicator("产出指标", "质量指标", "培训合格率", "≥95%", "90%", D("15"), D("14.21"), "部分学员未通过考核，下年加强辅导"),
        Indicator("产出指标", "时效指标", "完成时间", "12月底前", "2024年11月30日", D("10"), D("10.00")),
        Indicator("产出指标", "成本指标", "人均培训成本", "≤500元", "520元", D("10"), D("9.62"), "物价上涨，下年优化采购"),
        Indicator("效益指标", "社会效益指标", "受益妇女人数", "1.2万人", "12000人", D("20"), D("20.00")),
        Indicator("效益指标", "可持续影响指标", "长效机制", "达到预期", "基本达成", D("10"), D("6.00"), "机制尚在完善"),
        Indicator("满意度指标", "服务对象满意度指标", "参训学员满意度", "≥90%", "96%", D("10"), D("10.00")),
    )
    score: object = D("94.33")
    rating: str | None = "优"
    rating_inline: bool = False  # 自评等级：优 in the 总分 row instead of a row of its own
    # header wording: key -> words (the 10号 annex's by default)
    headers: dict = field(default_factory=dict)
    merge: bool = True  # merge the cells as the forms do
    money_block_label: str | None = None  # column A beside the money block; default 年度资金（unit）


STANDARD_HEADERS = {
    "initial": "年初预算数",
    "full_year": "全年预算数",
    "spent": "全年执行数",
    "money_points": "分值",
    "rate": "执行率",
    "money_earned": "得分",
    "level1": "一级指标",
    "level2": "二级指标",
    "name": "三级指标",
    "target": "年度指标值",
    "actual": "实际完成值",
    "points": "分值",
    "earned": "得分",
    "deviation": "偏差原因分析及改进措施",
    "total": "总分",
    "rating": "自评等级",
}
VARIANT_HEADERS = {  # wordings of other provinces' forms
    "initial": "年初预算数（万元）",
    "full_year": "全年预算数（A）",
    "spent": "全年执行数（B）",
    "rate": "执行率（B/A）",
    "target": "目标值",
    "actual": "完成值",
    "points": "权重",
    "earned": "自评得分",
    "money_earned": "得分",
    "rating": "评价等级",
}


def clean_project(**changes) -> Table:
    return replace(Table(), **changes)


def clean_department(**changes) -> Table:
    return replace(Table(kind="department", name="测试妇女联合会", headers=VARIANT_HEADERS), **changes)


def with_indicator(table: Table, index: int, **changes) -> Table:
    indicators = list(table.indicators)
    indicators[index] = replace(indicators[index], **changes)
    return replace(table, indicators=tuple(indicators))


LAST = 10  # the forms are ten columns wide (A:J)


def _merge(ws, first_row, first_column, last_row, last_column, value, merge=True):
    ws.cell(row=first_row, column=first_column, value=value)
    if merge and (first_row, first_column) != (last_row, last_column):
        ws.merge_cells(start_row=first_row, start_column=first_column, end_row=last_row, end_column=last_column)


def write_table(ws, table: Table, top: int = 1) -> int:
    """Write the table from row `top`; returns the row after it."""
    words = {**STANDARD_HEADERS, **table.headers}
    merge = table.merge
    title = table.title or ("项目支出绩效自评表" if table.kind == "project" else "部门整体支出绩效自评表")
    row = top
    _merge(ws, row, 1, row, LAST, title, merge)
    _merge(ws, row + 1, 1, row + 1, LAST, f"（{table.year}年度）", merge)
    row += 2
    if table.kind == "project":
        heading = [("项目名称", table.name), ("主管部门", "测试妇女联合会"), ("实施单位", "测试妇女儿童中心")]
    else:
        heading = [("部门名称", table.name)]
    for label, value in heading:
        _merge(ws, row, 1, row, 2, label, merge)
        _merge(ws, row, 3, row, LAST, value, merge)
        row += 1

    # Money block: label column A over the header and the rows, B:C the row labels.
    columns = (["initial"] if table.with_initial else []) + ["full_year", "spent", "money_points", "rate", "money_earned"]
    money_rows = list(table.money.items())
    _merge(ws, row, 1, row + len(money_rows), 1, table.money_block_label or f"年度资金（{table.unit}）", merge)
    for offset, key in enumerate(columns):
        ws.cell(row=row, column=4 + offset, value=words[key])
    row += 1
    for label, (initial, full_year, spent) in money_rows:
        _merge(ws, row, 2, row, 3, label, merge)
        figures = ([initial] if table.with_initial else []) + [full_year, spent]
        is_total = label == "年度资金总额"
        figures += [table.execution_points, table.rate, table.execution_earned] if is_total else ["—", "—", "—"]
        for offset, value in enumerate(figures):
            cell = ws.cell(row=row, column=4 + offset, value=value)
            if is_total and columns[offset] == "rate":
                cell.number_format = table.rate_format
            elif isinstance(value, Decimal):
                cell.number_format = "#,##0.00"
        row += 1

    # 年度总体目标: the label over two rows, 预期目标 | 实际完成情况 and their texts below.
    _merge(ws, row, 1, row + 1, 1, "年度总体目标", merge)
    _merge(ws, row, 2, row, 5, "预期目标", merge)
    _merge(ws, row, 6, row, LAST, "实际完成情况", merge)
    _merge(ws, row + 1, 2, row + 1, 5, table.goal[0], merge)
    _merge(ws, row + 1, 6, row + 1, LAST, table.goal[1], merge)
    row += 2

    # Indicator block.
    for column, key in enumerate(["level1", "level2", "name", "target", "actual", "points", "earned"], start=1):
        ws.cell(row=row, column=column, value=words[key])
    _merge(ws, row, 8, row, LAST, words["deviation"], merge)
    row += 1
    first, previous = row, None
    for indicator in table.indicators:
        values = [indicator.level1, indicator.level2, indicator.name, indicator.target, indicator.actual,
                  indicator.points, indicator.earned]
        for column, value in enumerate(values, start=1):
            if column == 1 and merge and indicator.level1 == previous:
                continue  # merged into the run's first cell below
            ws.cell(row=row, column=column, value=value)
        _merge(ws, row, 8, row, LAST, indicator.deviation, merge)
        previous = indicator.level1
        row += 1
    if merge:
        _merge_level1(ws, first, row - 1)

    _merge(ws, row, 1, row, 5, words["total"], merge)
    ws.cell(row=row, column=6, value=100)
    ws.cell(row=row, column=7, value=table.score)
    if table.rating is not None and table.rating_inline:
        _merge(ws, row, 8, row, LAST, f"{words['rating']}：{table.rating}", merge)
    row += 1
    if table.rating is not None and not table.rating_inline:
        _merge(ws, row, 1, row, 5, words["rating"], merge)
        _merge(ws, row, 6, row, LAST, table.rating, merge)
        row += 1
    for column in range(1, LAST + 1):
        ws.column_dimensions[get_column_letter(column)].width = 14
    return row


def _merge_level1(ws, first: int, last: int) -> None:
    """Merge each run of one 一级指标 in column A (the cells after the first were left empty)."""
    start = first
    for row in range(first + 1, last + 2):
        if row > last or ws.cell(row=row, column=1).value is not None:
            if row - 1 > start:
                ws.merge_cells(start_row=start, start_column=1, end_row=row - 1, end_column=1)
            start = row


def xlsx(*sheets: list[Table] | Table, titles: list[str] | None = None, gap: int = 2) -> bytes:
    """A workbook with one sheet per argument; a list puts several tables on one sheet."""
    wb = Workbook()
    wb.remove(wb.active)
    for index, content in enumerate(sheets):
        ws = wb.create_sheet(titles[index] if titles else f"Sheet{index + 1}")
        row = 1
        for table in content if isinstance(content, list) else [content]:
            row = write_table(ws, table, top=row) + gap
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
