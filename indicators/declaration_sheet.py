"""The 项目支出绩效目标申报表 / 部门整体支出绩效目标申报表 as an xlsx sheet, written and read back.

The layout of the standard forms (财预〔2020〕10号's annexes, as provinces print them):

    项目支出绩效目标申报表（2024年度）
    项目名称 | …              | 项目编码 | …
    主管部门 | …              | 实施单位 | …
    资金情况（万元） | 年初预算数 | … | 全年预算数 | …
    年度总体目标 | …
    一级指标 | 二级指标 | 三级指标 | 指标方向 | 指标值 | 计量单位 | 分值 | 指标编码
    产出指标 | 数量指标 | …

Reading finds the labels by their words (年度总体目标, 三级指标 …), never by fixed positions, and
turns the indicator grid into the rows indicators.declarations checks: errors name the Excel row.
Export → import gives back the same version (tests/indicators/test_declaration_pages.py).
"""

from decimal import Decimal
from io import BytesIO

from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font

from fundmgr.lib.money import wan
from indicators.models import LEVEL2_BY_LEVEL1, Indicator, TargetDeclaration
from indicators.targets import plain_number
from projects.models import BudgetItem
from projects.selectors import budget_summary, figures_of, items_with_figures
from units.models import DepartmentYear

# The grid's columns: (key, header, the other headers the forms use).
# The form's words, as the 申报表 prints them: written in the reader's language, read in either.
COLUMNS = (
    ("level1", gettext_noop("一级指标"), ()),
    ("level2", gettext_noop("二级指标"), ()),
    ("name", gettext_noop("三级指标"), (gettext_noop("指标名称"),)),
    ("direction", gettext_noop("指标方向"), ()),
    ("target", gettext_noop("指标值"), (gettext_noop("年度指标值"), gettext_noop("目标值"))),
    ("unit", gettext_noop("计量单位"), (gettext_noop("单位"),)),
    ("points", gettext_noop("分值"), (gettext_noop("权重"),)),
    ("code", gettext_noop("指标编码"), ()),
    ("formula", gettext_noop("取数公式"), ()),
)
LEVEL1_WORDS = {
    gettext_noop("产出指标"): "output",
    gettext_noop("效益指标"): "benefit",
    gettext_noop("满意度指标"): "satisfaction",
}
QUALITATIVE_WORD = gettext_noop("定性")
DIRECTION_WORDS = {"≥": "ge", "≤": "le", "=": "eq", QUALITATIVE_WORD: "qualitative", ">=": "ge", "<=": "le"}
GOAL_WORD = gettext_noop("年度总体目标")
SATISFACTION_LEVEL2 = gettext_noop("服务对象满意度")
MAX_ROWS = 500


def _title(item: BudgetItem | None, year: int) -> str:
    if item is None:
        return _("部门整体支出绩效目标申报表（%(year)s年度）") % {"year": year}
    return _("项目支出绩效目标申报表（%(year)s年度）") % {"year": year}


def declaration_workbook(
    *, department_year: DepartmentYear, item: BudgetItem | None, declaration: TargetDeclaration | None
) -> bytes:
    """The 申报表 of a scope holding `declaration`'s goal and indicators (an empty grid for None)."""
    if item is None:
        totals = budget_summary(department_year=department_year).totals
        initial, full_year = totals.initial, totals.full_year
    else:
        figures = figures_of(items_with_figures(BudgetItem.objects.filter(pk=item.pk)).get())
        initial, full_year = figures.initial, figures.full_year
    book = Workbook()
    sheet = book.active
    sheet.title = _("绩效目标申报表")
    department = department_year.department
    sheet.append([_title(item, department_year.year)])
    sheet.merge_cells("A1:H1")
    sheet["A1"].font = Font(bold=True, size=14)
    sheet["A1"].alignment = Alignment(horizontal="center")
    if item is None:
        sheet.append([_("部门名称"), department.name, "", "", _("部门编码"), department.code])
        sheet.append([_("主管部门"), department.name, "", "", _("实施单位"), department.name])
    else:
        sheet.append([_("项目名称"), item.name, "", "", _("项目编码"), item.code])
        sheet.append([_("主管部门"), department.name, "", "", _("实施单位"), item.unit.name])
    sheet.append([_("资金情况（万元）"), _("年初预算数"), wan(initial), "", _("全年预算数"), wan(full_year)])
    sheet.append([_(GOAL_WORD), declaration.goal if declaration else ""])
    sheet.merge_cells(start_row=5, start_column=2, end_row=5, end_column=8)
    sheet.append([_(header) for _key, header, _others in COLUMNS])
    for cell in sheet[6]:
        cell.font = Font(bold=True)
    levels = dict(Indicator.Level1.choices)
    for row in declaration.indicators if declaration else []:
        sheet.append(
            [
                str(levels[row["level1"]]),
                _printed_level2(row["level2"]),
                row["name"],
                _(QUALITATIVE_WORD) if row["direction"] == "qualitative" else str(Indicator.Direction(row["direction"]).label),
                row["target_text"] or row["target"] or "",
                row["unit"],
                Decimal(row["points"]) if row["points"] is not None else None,
                row["code"],
                row["formula"],
            ]
        )
    for column, width in zip("ABCDEFGHI", (12, 14, 36, 10, 16, 10, 8, 14, 12)):
        sheet.column_dimensions[column].width = width
    out = BytesIO()
    book.save(out)
    return out.getvalue()


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        value = Decimal(repr(value))
    if isinstance(value, Decimal | int):
        return plain_number(Decimal(value))
    return str(value).strip()


def _first(texts: list[str], *words: str) -> int | None:
    """The column of the first cell reading one of `words`, in Chinese or the reader's language."""
    accepted = {*words, *(_(word) for word in words)}
    return next((index for index, text in enumerate(texts) if text in accepted), None)


def _level1(text: str) -> str:
    for word, level in LEVEL1_WORDS.items():
        if text in (word, _(word)):
            return level
    return text


def _printed_level2(name: str) -> str:
    """数量 is printed 数量指标, as the forms do (服务对象满意度 stays as it is)."""
    if name == SATISFACTION_LEVEL2:
        return _(name)
    return _("%(level2)s指标") % {"level2": _(name)}


def _level2(text: str) -> str:
    """数量指标, 数量, or either in the reader's language → 数量: the stored names are the standard
    Chinese ones. Anything else is kept, for the declaration's check to name."""
    for names in LEVEL2_BY_LEVEL1.values():
        for name in names:
            with translation.override("zh-hans"):
                chinese = _printed_level2(name)
            if text in (name, _(name), chinese, _printed_level2(name)):
                return name
    return text


def _direction(text: str) -> str:
    for word, direction in DIRECTION_WORDS.items():
        if text in (word, _(word)):
            return direction
    return text


def declaration_workbook_read(source) -> tuple[str, list[dict], list[int]]:
    """(goal, rows, the rows' Excel row numbers) of a filled 申报表, for declaration_update. A file
    that is no 申报表 is refused with a Chinese message (ValidationError)."""
    try:
        book = load_workbook(source, read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds on a file that is no xlsx
        raise ValidationError(_("无法读取该文件：请上传 .xlsx 格式的绩效目标申报表")) from error
    try:
        sheet = book.worksheets[0]
        cells = [list(row) for row in sheet.iter_rows(values_only=True, max_row=MAX_ROWS + 20)]
    finally:
        book.close()
    goal, header_at, columns = "", None, {}
    for number, values in enumerate(cells, start=1):
        texts = [_text(value) for value in values]
        goal_at = _first(texts, GOAL_WORD)
        if goal_at is not None:
            at = goal_at
            goal = next((text for text in texts[at + 1 :] if text), "")
        if _first(texts, COLUMNS[2][1], *COLUMNS[2][2]) is not None:
            for key, header, others in COLUMNS:
                found = _first(texts, header, *others)
                if found is not None:
                    columns[key] = found
            header_at = number
            break
    if header_at is None:
        raise ValidationError(_("找不到指标表头（一级指标、二级指标、三级指标、指标值）：请使用绩效目标申报表的格式"))
    missing = [
        header for key, header, _others in COLUMNS if key not in columns and key not in ("unit", "points", "direction", "formula")
    ]
    if missing:
        raise ValidationError(_("指标表头缺少：%(columns)s") % {"columns": _("、").join(missing)})
    rows, numbers = [], []
    last_level1 = last_level2 = ""
    for number, values in enumerate(cells[header_at:], start=header_at + 1):
        texts = {key: _text(values[index]) if index < len(values) else "" for key, index in columns.items()}
        if not any(texts.values()):
            continue
        # merged 一级 / 二级 cells read as blank below their first row
        level1 = texts.get("level1") or last_level1
        level2 = texts.get("level2") or last_level2
        last_level1, last_level2 = level1, level2
        level2_name = _level2(level2)
        target = texts.get("target", "")
        direction_text = texts.get("direction", "")
        direction = _direction(direction_text)
        if not direction_text:
            direction = "ge"
        rows.append(
            {
                "code": texts.get("code", ""),
                "level1": _level1(level1),
                "level2": level2_name,
                "name": texts.get("name", ""),
                "direction": direction,
                "target": target,
                "unit": texts.get("unit", ""),
                "points": texts.get("points", ""),
                "formula": texts.get("formula", ""),
            }
        )
        numbers.append(number)
    if len(rows) > MAX_ROWS:
        raise ValidationError(_("指标不能超过%(max)s行") % {"max": MAX_ROWS})
    return goal, rows, numbers
