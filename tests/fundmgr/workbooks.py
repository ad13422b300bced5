"""Budget workbooks (DOMAIN.md section 4) built cell by cell with openpyxl, independently of
fundmgr.workbook.writer, for the import, upload and command tests."""

import copy
import io
from datetime import date

from openpyxl import Workbook

from indicators.models import Indicator
from projects.models import BudgetItem, BudgetLine, Expenditure, MonthClose
from units.models import BudgetUnit, Department, DepartmentYear, Membership

INDICATOR_HEADERS = [
    "指标编码", "一级指标", "二级指标", "指标名称", "指标方向", "目标值", "计量单位",
    "分值", "半年完成值", "全年完成值", "定性等级", "得分率", "项目编码",
]


def valid_sheets() -> dict[str, list[list]]:
    """A small valid department-year: row 1 of each list is the header, row k is Excel row k."""
    return {
        "部门": [["部门编码", "部门名称", "年度"], ["TEST", "测试部门", 2024]],
        "预算单位": [
            ["单位编码", "单位名称", "单位性质", "编制数", "实有人数"],
            ["U1", "测试部门（本级）", "行政单位", 10, 9],
            ["U2", "测试中心", "事业单位", None, None],
        ],
        "预算项目": [
            ["项目编码", "项目名称", "单位编码", "项目类别"],
            ["P1", "人员经费", "U1", "人员类"],
            ["P2", "培训项目", "U2", "特定目标类"],
        ],
        "预算指标": [
            ["项目编码", "资金来源", "调整类型", "金额", "日期", "文号"],
            ["P1", "本级财政", "年初预算", 100000, "2024-01-01", "新财预〔2024〕1号"],
            ["P2", "上级安排", "年初预算", "50,000.00", date(2024, 1, 1), None],
            ["P2", "上级安排", "年中追加", 1000, "2024/6/1", None],
        ],
        "支出明细": [
            ["项目编码", "支出日期", "金额", "经济分类", "摘要", "凭证号"],
            ["P1", date(2024, 1, 15), 40000, "30101", "一月工资", "记-001"],
            ["P2", "2024-03-01", 1234.5699999999, "302", "培训场地", None],
            ["P2", "2024/7/1", "49,765.43", 30216, "培训费", None],
        ],
        "绩效指标": [
            INDICATOR_HEADERS,
            ["I1", "产出指标", "数量", "培训人数", "≥", 100, "人", None, 50, 100, None, None, None],
            ["I2", "效益指标", "社会效益", "培训效果", "定性", None, None, None, None, None, "达成", 90, None],
            ["I3", "满意度指标", "服务对象满意度", "学员满意度", ">=", 90, "%", None, None, 95, None, None, None],
        ],
    }


def workbook(sheets: dict[str, list[list]]) -> Workbook:
    """An openpyxl workbook of these sheets and rows, for a test that then edits cells or formats."""
    book = Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)
    return book


def saved(book: Workbook) -> bytes:
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def xlsx(sheets: dict[str, list[list]]) -> bytes:
    return saved(workbook(sheets))


def department_workbook(world=None, *, code="PD", year=2024, spend="1000.00") -> io.BytesIO:
    """A small valid workbook for department `code` (the persona world's, when given): one unit,
    one item of 100000.00, one expenditure; as an uploaded file."""
    if world is not None:
        code, year = world.code, world.year
    return io.BytesIO(
        xlsx(
            {
                "部门": [["部门编码", "部门名称", "年度"], [code, "测试部门", year]],
                "预算单位": [["单位编码", "单位名称", "单位性质"], ["A", "甲单位", "行政单位"]],
                "预算项目": [["项目编码", "项目名称", "单位编码", "项目类别"], ["A1", "甲培训经费", "A", "特定目标类"]],
                "预算指标": [
                    ["项目编码", "资金来源", "调整类型", "金额", "日期", "文号"],
                    ["A1", "本级财政", "年初预算", "100000.00", f"{year}-01-01", ""],
                ],
                "支出明细": [
                    ["项目编码", "支出日期", "金额", "经济分类", "摘要", "凭证号"],
                    ["A1", f"{year}-03-15", spend, "30201", "办公用品", "记-1"],
                ],
                "绩效指标": [INDICATOR_HEADERS],
            }
        )
    )


def with_cell(sheets: dict, sheet: str, row: int, header: str, value) -> dict:
    """A copy of `sheets` with one cell changed; `row` is the Excel row number."""
    changed = copy.deepcopy(sheets)
    column = changed[sheet][0].index(header)
    changed[sheet][row - 1][column] = value
    return changed


def with_row(sheets: dict, sheet: str, values: dict) -> dict:
    """A copy of `sheets` with a row appended, given as header -> value."""
    changed = copy.deepcopy(sheets)
    headers = changed[sheet][0]
    changed[sheet].append([values.get(header) for header in headers])
    return changed


def without_column(sheets: dict, sheet: str, header: str) -> dict:
    changed = copy.deepcopy(sheets)
    column = changed[sheet][0].index(header)
    changed[sheet] = [row[:column] + row[column + 1 :] for row in changed[sheet]]
    return changed


def database_state() -> dict[str, int]:
    """Row counts of every model an import may touch, history tables included."""
    return {
        "departments": Department.objects.count(),
        "department_years": DepartmentYear.objects.count(),
        "units": BudgetUnit.objects.count(),
        "items": BudgetItem.objects.count(),
        "lines": BudgetLine.objects.count(),
        "expenditures": Expenditure.objects.count(),
        "indicators": Indicator.objects.count(),
        "month_closes": MonthClose.objects.count(),
        "memberships": Membership.objects.count(),
        "line_history": BudgetLine.history.count(),
        "expenditure_history": Expenditure.history.count(),
        "indicator_history": Indicator.history.count(),
        "amounts": str(sorted(Expenditure.objects.values_list("amount", flat=True))),
    }
