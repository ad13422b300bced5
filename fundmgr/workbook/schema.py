"""The budget workbook format (DOMAIN.md section 4): its sheets, columns and enumerations.

The one source of truth for the reader (fundmgr.workbook.reader), the template and any
writer of a department-year back to Excel (fundmgr.workbook.writer). Headers are the
workbook contract, so they are not translated; the English names are accepted as aliases.

Extensions of DOMAIN.md section 4, all optional, so that a workbook without them imports as
before; with them, the export (fundmgr.workbook.export) is a restorable backup of every state the
ledger holds:
- 预算单位: 离休人数 lixiu_staff and 退休人数 retired_staff (the seed report gives both);
- 预算项目: 须政府采购 procurement_required (是/否);
- 支出明细: 状态 status (blank: approved, as before), 采购方式 procurement_method, and the 三重一大
  decision: 审批人 decided_by (a username), 党组会日期, 会议纪要号, 驳回理由. 摘要 may be blank, as in the forms;
- 绩效指标: 偏差原因分析, 改进措施 and 已定稿 results_final (是/否);
- 绩效指标: 评价人得分 override_earned and 调整理由 override_reason, the evaluator's 得分 where it
  differs from the formula's (DOMAIN.md section 9; a 得分 needs its reason);
- 绩效指标: 取数公式 formula, the ledger formula (its key or Chinese name, indicators.formulas) a
  department-level indicator takes its values from; such a row carries no 半年/全年完成值;
- the sheet 评分设置: the scoring profile of the department-year (项目编码 blank) and of each item that
  differs from it (DOMAIN.md section 9). Without it, the defaults of section 3;
- the sheet 月结: the year's month closings and reopenings in the order they happened, each with
  its user and, for a reopening, its reason. Importing it closes those months as part of the import;
- the sheets 预算调剂 and 用款计划 of DOMAIN.md section 8. A 预算调剂 row carries the same 状态 and
  三重一大 decision columns as 支出明细; 用款计划 has two columns for the reader's orientation,
  项目名称 and 全年预算, which the plan template fills and the import never reads.

Users are carried by username. A username this database does not know is left blank for a
decision, and a closing is then recorded as the importing user's.
"""

from dataclasses import dataclass, field

from django.utils import translation
from django.utils.translation import gettext_lazy as _

from fundmgr.lib.validators import validate_code
from indicators.models import GOAL_TEXT_MAX, TEXT_VALUE_MAX, Indicator
from projects.models import BudgetItem, BudgetLine, BudgetTransfer, Expenditure
from units.models import BudgetUnit, Department

# The language of sheet names, headers and choice labels, whatever the interface speaks.
FORMAT_LANGUAGE = "zh-hans"

# Column kinds: how a cell is read and written.
TEXT = "text"
INTEGER = "integer"  # a count, >= 0
AMOUNT = "amount"  # yuan, > 0, at most 2 decimals
PLAN_AMOUNT = "plan_amount"  # yuan, >= 0, at most 2 decimals (a month planned at nothing)
REFERENCE = "reference"  # written for the reader's orientation, never read: any cell is accepted
VALUE = "value"  # an indicator value: any decimal, at most 4 decimals
VALUE_TEXT = "value_text"  # an indicator value: a number as VALUE, or a text (≥200平方米, 达到预期)
DATE = "date"
CHOICE = "choice"  # one of `choices`
ECONOMIC_CLASS = "economic_class"  # a 3- or 5-digit code of projects.EconomicClass
YEAR = "year"


@dataclass(frozen=True)
class Column:
    key: str  # English name, also the key of a row dict
    header: str  # Chinese header, as row 1 of the sheet shows it
    kind: str = TEXT
    required: bool = True
    # Chinese label -> model value. The first label of a value is the one written out.
    choices: dict[str, object] = field(default_factory=dict)
    max_length: int | None = None
    max_digits: int | None = None  # for VALUE: digits before the point, with the 4 decimals
    decimal_places: int = 2
    help: str = ""
    validators: tuple = ()  # for TEXT: the model field's own checks, e.g. fundmgr.lib.validators.validate_code
    aliases: tuple[str, ...] = ()  # other headers read as this column (never written)

    def label_for(self, value: str) -> str:
        """The label written to a workbook for a model value."""
        for label, choice in self.choices.items():
            if choice == value:
                return label
        return value

    @property
    def labels(self) -> list[str]:
        """One label per model value, in order: what the drop-down list offers."""
        seen, labels = set(), []
        for label, value in self.choices.items():
            if value not in seen:
                seen.add(value)
                labels.append(label)
        return labels


@dataclass(frozen=True)
class Sheet:
    key: str
    name: str
    columns: tuple[Column, ...]
    help: str = ""
    required: bool = True  # an optional sheet may be absent: the workbook then imports as before

    def column(self, key: str) -> Column:
        for column in self.columns:
            if column.key == key:
                return column
        raise KeyError(key)


def _field_length(model, name: str) -> int:
    return model._meta.get_field(name).max_length


def _choices(model_choices, extra: dict[str, str] | None = None) -> dict[str, str]:
    """Chinese label -> value from a TextChoices, plus aliases (the English values are always accepted).

    The labels are read in Chinese whatever language is active when this module is first imported:
    the workbook format does not change with the interface language.
    """
    with translation.override(FORMAT_LANGUAGE):
        mapping = {str(label): value for value, label in model_choices.choices}
    mapping.update(extra or {})
    for value in model_choices.values:
        mapping.setdefault(value, value)
    return mapping


YES_NO = {"是": True, "否": False, "yes": True, "no": False}

UNIT_KINDS = _choices(BudgetUnit.Kind)
CATEGORIES = _choices(BudgetItem.Category)
SOURCES = _choices(BudgetLine.Source, {"自治区安排": BudgetLine.Source.LOCAL})
# A transfer's two lines are written by its 预算调剂 row, never entered as lines (BudgetLine.TRANSFER_KINDS).
LINE_KINDS = {label: kind for label, kind in _choices(BudgetLine.Kind).items() if kind not in BudgetLine.TRANSFER_KINDS}
LEVEL1 = _choices(Indicator.Level1)
DIRECTIONS = {"≥": "ge", ">=": "ge", "≤": "le", "<=": "le", "=": "eq", "定性": "qualitative"}
for _value in Indicator.Direction.values:
    DIRECTIONS.setdefault(_value, _value)
TIERS = _choices(Indicator.Tier)
STATUSES = _choices(Expenditure.Status)
PROCUREMENT_METHODS = {label: value for label, value in _choices(Expenditure.Procurement).items() if value}
CLOSE, REOPEN = "close", "reopen"
MONTH_ACTIONS = {"结账": CLOSE, "重新开账": REOPEN, CLOSE: CLOSE, REOPEN: REOPEN}

USERNAME_LENGTH = 150  # django.contrib.auth's username
TEXT_CELL_LENGTH = 32767  # what one Excel cell holds; the model's TextField holds more
REOPEN_REASON_LENGTH = 100  # simple_history's history_change_reason, where a reopening's reason is kept

# 二级指标 allowed under each 一级指标 (DOMAIN.md section 1).
LEVEL2 = {
    "output": ("数量", "质量", "时效", "成本"),
    "benefit": ("经济效益", "社会效益", "生态效益", "可持续影响"),
    "satisfaction": ("服务对象满意度",),
}
LEVEL2_ALL = tuple(name for names in LEVEL2.values() for name in names)

DEPARTMENT = Sheet(
    key="department",
    name="部门",
    help=_("部门及年度，恰好一行。"),
    columns=(
        Column("code", "部门编码", max_length=_field_length(Department, "code"), validators=(validate_code,), help=_("部门编码，如 XJWF")),
        Column("name", "部门名称", max_length=_field_length(Department, "name")),
        Column("year", "年度", kind=YEAR, help=_("四位年份；工作簿中所有日期须在该年度内")),
    ),
)

UNITS = Sheet(
    key="units",
    name="预算单位",
    help=_("部门所属的预算单位，每行一个；已有单位按单位编码更新，不会删除。"),
    columns=(
        Column("code", "单位编码", max_length=_field_length(BudgetUnit, "code"), validators=(validate_code,), help=_("在部门内唯一")),
        Column("name", "单位名称", max_length=_field_length(BudgetUnit, "name")),
        Column("kind", "单位性质", kind=CHOICE, choices=UNIT_KINDS),
        Column("authorized_staff", "编制数", kind=INTEGER, required=False),
        Column("actual_staff", "实有人数", kind=INTEGER, required=False),
        Column("retired_staff", "退休人数", kind=INTEGER, required=False),
        Column("lixiu_staff", "离休人数", kind=INTEGER, required=False),
    ),
)

ITEMS = Sheet(
    key="items",
    name="预算项目",
    help=_("预算项目，每行一个：人员类、运转类（基本支出）或特定目标类（项目支出）。"),
    columns=(
        Column("code", "项目编码", max_length=_field_length(BudgetItem, "code"), validators=(validate_code,), help=_("在年度内唯一")),
        Column("name", "项目名称", max_length=_field_length(BudgetItem, "name")),
        Column("unit", "单位编码", max_length=_field_length(BudgetUnit, "code"), help=_("须是“预算单位”表中的单位编码")),
        Column("category", "项目类别", kind=CHOICE, choices=CATEGORIES),
        Column(
            "procurement_required",
            "须政府采购",
            kind=CHOICE,
            choices=YES_NO,
            required=False,
            help=_("是/否，不填为否"),
        ),
    ),
)

LINES = Sheet(
    key="lines",
    name="预算指标",
    help=_("预算指标：每行一笔下达、追加、调减或结转的金额。全年预算数 = 年初预算 + 年中追加 − 年中调减 + 上年结转。"),
    columns=(
        Column("project", "项目编码", max_length=_field_length(BudgetItem, "code"), help=_("须是“预算项目”表中的项目编码")),
        Column("source", "资金来源", kind=CHOICE, choices=SOURCES),
        Column("kind", "调整类型", kind=CHOICE, choices=LINE_KINDS),
        Column("amount", "金额", kind=AMOUNT, help=_("元，须大于0，最多两位小数；调减也填正数")),
        Column("date", "日期", kind=DATE, help=_("如 2024-03-15 或 2024/3/15")),
        Column("document", "文号", required=False, max_length=_field_length(BudgetLine, "document")),
    ),
)

EXPENDITURES = Sheet(
    key="expenditures",
    name="支出明细",
    help=_("支出明细：每行一笔支出。按日期逐笔检查可用指标，同日的预算指标先于支出计入，任何时点累计支出不得超过累计可用指标。"),
    columns=(
        Column("project", "项目编码", max_length=_field_length(BudgetItem, "code"), help=_("须是“预算项目”表中的项目编码")),
        Column("date", "支出日期", kind=DATE),
        Column("amount", "金额", kind=AMOUNT, help=_("元，须大于0，最多两位小数")),
        Column(
            "economic_class",
            "经济分类",
            kind=ECONOMIC_CLASS,
            help=_("部门预算支出经济分类的3位或5位编码，如 302 或 30201，见“经济分类表”"),
        ),
        Column("memo", "摘要", required=False, max_length=_field_length(Expenditure, "memo")),
        Column("voucher", "凭证号", required=False, max_length=_field_length(Expenditure, "voucher")),
        Column(
            "status", "状态", kind=CHOICE, choices=STATUSES, required=False, help=_("已生效、待审批或已驳回；不填为已生效")
        ),
        Column("procurement_method", "采购方式", kind=CHOICE, choices=PROCUREMENT_METHODS, required=False),
        Column("decided_by", "审批人", required=False, max_length=USERNAME_LENGTH, help=_("三重一大审批人的用户名")),
        Column("meeting_date", "党组会日期", kind=DATE, required=False),
        Column("minutes_number", "会议纪要号", required=False, max_length=_field_length(Expenditure, "minutes_number")),
        Column("rejection_reason", "驳回理由", required=False, max_length=TEXT_CELL_LENGTH),
    ),
)

INDICATORS = Sheet(
    key="indicators",
    name="绩效指标",
    help=_(
        "绩效指标：不填项目编码的为部门整体指标。分值须在同一范围（部门整体或同一项目）的指标上全部填写（合计90）或全部不填"
        "（按产出50、效益30、满意度10平均分配）。"
    ),
    columns=(
        Column("code", "指标编码", max_length=_field_length(Indicator, "code"), validators=(validate_code,), help=_("在年度内唯一")),
        Column("level1", "一级指标", kind=CHOICE, choices=LEVEL1),
        Column(
            "level2",
            "二级指标",
            kind=CHOICE,
            choices={**{name: name for name in LEVEL2_ALL}, **{f"{name}指标": name for name in LEVEL2_ALL}},
            help=_("产出指标：数量/质量/时效/成本；效益指标：经济效益/社会效益/生态效益/可持续影响；满意度指标：服务对象满意度"),
        ),
        Column("name", "指标名称", max_length=_field_length(Indicator, "name")),
        Column("direction", "指标方向", kind=CHOICE, choices=DIRECTIONS, help=_("≥（越大越好）、≤（越小越好）、= 或 定性")),
        Column("target", "目标值", kind=VALUE_TEXT, required=False, max_digits=20, decimal_places=4, max_length=TEXT_VALUE_MAX, help=_("数字，或按原文填写：≥200平方米、98%以上、达到预期")),
        Column("unit", "计量单位", required=False, max_length=_field_length(Indicator, "unit")),
        Column("points", "分值", kind=VALUE, required=False, max_digits=6, decimal_places=2),
        Column("midyear", "半年完成值", kind=VALUE_TEXT, required=False, max_digits=20, decimal_places=4, max_length=TEXT_VALUE_MAX),
        Column("actual", "全年完成值", kind=VALUE_TEXT, required=False, max_digits=20, decimal_places=4, max_length=TEXT_VALUE_MAX, help=_("定量指标填写；未填时为草稿，不计算得分")),
        Column(
            "tier", "定性等级", kind=CHOICE, choices=TIERS, required=False, help=_("定性指标填写：达成、部分达成、未达成；未填时为草稿，不计算得分")
        ),
        Column(
            "rate",
            "得分率",
            kind=VALUE,
            required=False,
            max_digits=6,
            decimal_places=2,
            help=_("定性指标可填，百分数：达成80–100，部分达成60–80（不含80），未达成0–60（不含60）"),
        ),
        Column(
            "project",
            "项目编码",
            required=False,
            max_length=_field_length(BudgetItem, "code"),
            help=_("不填为部门整体指标"),
        ),
        # Published 自评表 have one column 偏差原因分析及改进措施: read as 偏差原因分析, its text split at
        # “改进措施：” when it has that label (fundmgr.workbook.ledger.split_deviation).
        Column(
            "deviation_reason",
            "偏差原因分析",
            required=False,
            max_length=TEXT_CELL_LENGTH,
            aliases=("偏差原因分析及改进措施",),
            help=_("也可用一列“偏差原因分析及改进措施”代替本列和“改进措施”列，文中“改进措施：”之后的内容记为改进措施"),
        ),
        Column("corrective_measures", "改进措施", required=False, max_length=TEXT_CELL_LENGTH),
        Column("results_final", "已定稿", kind=CHOICE, choices=YES_NO, required=False, help=_("是/否，不填为否")),
        Column(
            "formula",
            "取数公式",
            required=False,
            max_length=_field_length(Indicator, "formula"),
            aliases=("formula",),
            help=_("部门整体指标可填账表取数公式的名称或代码（如预算执行率）：完成值由账表自动计算，不填半年和全年完成值"),
        ),
        Column(
            "override_earned",
            "评价人得分",
            kind=VALUE,
            required=False,
            max_digits=6,
            decimal_places=2,
            help=_("评价人给出与公式不同的得分时填写，0至该指标分值之间，须同时填写调整理由；不填按公式计分"),
        ),
        Column("override_reason", "调整理由", required=False, max_length=TEXT_CELL_LENGTH),
    ),
)

# A single 偏差原因分析及改进措施 text is split at its measures label (fundmgr.workbook.ledger.split_deviation).
DEVIATION_MEASURES_LABELS = ("改进措施：", "改进措施:")
DEVIATION_REASON_LABELS = ("偏差原因分析：", "偏差原因分析:", "偏差原因：", "偏差原因:", "原因：", "原因:")
DEVIATION_TRIM = "；;。，,"

EXECUTION_POINTS_ALLOWED = (10, 20, 0)
ROUNDING_ALLOWED = (2, 1, 0)

SCORING = Sheet(
    key="scoring",
    name="评分设置",
    required=False,
    help=_(
        "评分设置（可不要此表，不要时按默认：预算执行率10分，保留2位小数）：项目编码不填的一行为部门整体的设置，"
        "其余每行为与部门设置不同的一个项目。指标分值合计须为100减预算执行率分值；未填分值时按产出、效益、满意度5:3:1分配。"
    ),
    columns=(
        Column(
            "project",
            "项目编码",
            required=False,
            max_length=_field_length(BudgetItem, "code"),
            help=_("不填为部门整体；否则须是“预算项目”表中的项目编码"),
        ),
        Column("execution_points", "预算执行率分值", kind=INTEGER, help=_("10（默认）、20或0（不评预算执行率）")),
        Column(
            "rounding",
            "得分保留小数位",
            kind=INTEGER,
            help=_("2（默认）、1或0（取整数），指标得分和预算执行得分均四舍五入"),
        ),
    ),
)

GOALS = Sheet(
    key="goals",
    name="年度总体目标",
    required=False,
    help=_(
        "年度总体目标（可不要此表）：项目编码不填的一行为部门整体的年度总体目标，其余每行为一个项目的；"
        "预期目标和实际完成情况显示在自评表的年度总体目标栏。"
    ),
    columns=(
        Column(
            "project",
            "项目编码",
            required=False,
            max_length=_field_length(BudgetItem, "code"),
            help=_("不填为部门整体；否则须是“预算项目”表中的项目编码"),
        ),
        Column("expected", "预期目标", required=False, max_length=GOAL_TEXT_MAX),
        Column("achieved", "实际完成情况", required=False, max_length=GOAL_TEXT_MAX),
    ),
)

MONTH_CLOSES = Sheet(
    key="month_closes",
    name="月结",
    required=False,
    help=_("月结记录（可不要此表）：按发生顺序，每行一次结账或重新开账；导入时按此结账。"),
    columns=(
        Column("month", "月份", kind=INTEGER, help=_("1到12")),
        Column("action", "操作", kind=CHOICE, choices=MONTH_ACTIONS, help=_("结账或重新开账")),
        Column("reason", "理由", required=False, max_length=REOPEN_REASON_LENGTH, help=_("重新开账必填")),
        Column("user", "操作人", required=False, max_length=USERNAME_LENGTH, help=_("用户名；不填为导入人")),
    ),
)

# 预算调剂 and 用款计划 (DOMAIN.md section 8), both optional: a workbook without them imports as before.
TRANSFER_STATUSES = _choices(BudgetTransfer.Status)

TRANSFERS = Sheet(
    key="transfers",
    name="预算调剂",
    required=False,
    help=_(
        "预算调剂（可不要此表）：每行一笔从一个项目调出、调入另一个项目的预算，调出项目记调出、调入项目记调入，"
        "部门合计不变。调出项目在调剂日期及以后须有足够的可用指标（与调减相同）。"
        "状态不填为已生效；达到三重一大标准的已生效调剂须填写党组会日期和会议纪要号。"
    ),
    columns=(
        Column("from_project", "调出项目", max_length=_field_length(BudgetItem, "code"), help=_("须是“预算项目”表中的项目编码")),
        Column("to_project", "调入项目", max_length=_field_length(BudgetItem, "code"), help=_("须是“预算项目”表中的另一个项目编码")),
        Column("source", "资金来源", kind=CHOICE, choices=SOURCES),
        Column("amount", "金额", kind=AMOUNT, help=_("元，须大于0，最多两位小数")),
        Column("date", "日期", kind=DATE, help=_("如 2024-03-15 或 2024/3/15")),
        Column("document", "文号", required=False, max_length=_field_length(BudgetTransfer, "document")),
        Column(
            "status",
            "状态",
            kind=CHOICE,
            choices=TRANSFER_STATUSES,
            required=False,
            help=_("已生效、待审批或已驳回；不填为已生效。待审批、已驳回只用于达到三重一大标准的调剂"),
        ),
        Column("decided_by", "审批人", required=False, max_length=USERNAME_LENGTH, help=_("三重一大审批人的用户名")),
        Column("meeting_date", "党组会日期", kind=DATE, required=False),
        Column("minutes_number", "会议纪要号", required=False, max_length=_field_length(BudgetTransfer, "minutes_number")),
        Column("rejection_reason", "驳回理由", required=False, max_length=TEXT_CELL_LENGTH, help=_("已驳回的调剂必填")),
    ),
)

PLANS = Sheet(
    key="plans",
    name="用款计划",
    required=False,
    help=_(
        "用款计划（可不要此表）：每行一个项目一个月份的计划用款金额，每个项目每月至多一行；"
        "一个项目的计划合计不得超过其年末全年预算数。没有计划的项目按序时进度（全年预算×月份÷12）计算计划进度。"
    ),
    columns=(
        Column("project", "项目编码", max_length=_field_length(BudgetItem, "code"), help=_("须是“预算项目”表中的项目编码")),
        Column("month", "月份", kind=INTEGER, help=_("1到12")),
        Column("amount", "金额", kind=PLAN_AMOUNT, required=False, help=_("元，不小于0，最多两位小数；不填为该月无计划")),
        # Shown in the plan template (fundmgr.workbook.plans) for the reader's orientation; never read.
        Column("name", "项目名称", kind=REFERENCE, required=False, help=_("仅供参考，导入时不读取")),
        Column("budget", "全年预算", kind=REFERENCE, required=False, help=_("元，仅供参考，导入时不读取")),
    ),
)

SHEETS: tuple[Sheet, ...] = (
    DEPARTMENT,
    UNITS,
    ITEMS,
    LINES,
    EXPENDITURES,
    INDICATORS,
    SCORING,
    GOALS,
    MONTH_CLOSES,
    TRANSFERS,
    PLANS,
)
SHEETS_BY_KEY = {sheet.key: sheet for sheet in SHEETS}

# Extra sheets of the template; the reader ignores them.
INSTRUCTIONS_SHEET = "说明"
ECONOMIC_CLASS_SHEET = "经济分类表"
