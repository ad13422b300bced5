"""共性指标取数公式: the ledger formulas a department-level indicator may take its values from
instead of typed ones (issue 16; the figures are DOMAIN.md section 2's and 8's).

The list is data: one LedgerFormula per formula, each naming a small function over the
department-year's ledger figures (LedgerFigures: the budget summary and the common indicators of
indicators.common, as of one month). A province's list differs: settings.LEDGER_FORMULAS names the
active keys (unset: all of FORMULAS). No arithmetic lives here: every ratio is
indicators.common's or projects.arithmetic's, and every rounding fundmgr.lib.money.percent's.

An indicator whose key is unknown or inactive is reported (FormulaValue.problem), never a crash:
its values stay blank, so its evaluation is a draft until the finance office mends it.
"""

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.utils.translation import gettext, gettext_noop

from fundmgr.lib.money import percent, ratio
from indicators.common import CommonIndicators, common_indicators
from indicators.models import Indicator
from indicators.targets import plain_number
from projects.selectors import BudgetSummary, budget_summary, budget_summary_at_month
from units.models import DepartmentYear

YEAR_END = 12
PERCENT = "%"


@dataclass(frozen=True)
class LedgerFigures:
    """What a formula reads: the department-year's budget summary as of the end of `month` (the
    whole year at 12) and its common indicators."""

    month: int
    summary: BudgetSummary
    common: CommonIndicators


@dataclass(frozen=True)
class LedgerFormula:
    """One ledger formula: its key (what Indicator.formula stores), its name and unit as the
    自评表 prints them, the direction and levels an indicator picked from it gets by default,
    and `compute`, an unrounded ratio from the ledger figures (None when undefined)."""

    key: str
    name: str  # the Chinese name, a msgid: `label` is the reader's language
    unit: str
    direction: str  # an Indicator.Direction value
    level1: str  # an Indicator.Level1 value
    level2: str  # a standard 二级指标 (indicators.models.LEVEL2_NAMES)
    compute: Callable[[LedgerFigures], Decimal | None]

    @property
    def label(self) -> str:
        return gettext(self.name)

    @property
    def code(self) -> str:
        """The indicator code the finance office's pick gets: GX- and the key (共性)."""
        return f"GX-{self.key}"


def department_execution_rate(figures: LedgerFigures) -> Decimal | None:
    """预算执行率 = spent ÷ full-year budget of the whole department (section 2)."""
    return figures.summary.totals.execution_rate


def carryover_balance_rate(figures: LedgerFigures) -> Decimal | None:
    """结转结余率 = (full-year budget − spent) ÷ full-year budget (indicators.common)."""
    return figures.common.carryover_balance_rate


def budget_adjustment_rate(figures: LedgerFigures) -> Decimal | None:
    """预算调整率 = (additions − reductions) ÷ initial budget (indicators.common)."""
    return figures.common.budget_adjustment_rate


def staff_control_rate(figures: LedgerFigures) -> Decimal | None:
    """在职人员控制率 = actual staff ÷ authorized staff (indicators.common)."""
    return figures.common.staff_control_rate


def running_cost_control_rate(figures: LedgerFigures) -> Decimal | None:
    """公用经费控制率 = running costs spent ÷ their full-year budget (indicators.common)."""
    return figures.common.running_cost_control_rate


def three_public_change_rate(figures: LedgerFigures) -> Decimal | None:
    """三公经费变动率 = (this year's − last year's 三公经费) ÷ last year's (indicators.common);
    undefined without last year in the ledger."""
    return figures.common.three_public_change_rate


def plan_deviation(figures: LedgerFigures) -> Decimal | None:
    """计划执行偏差 = |spent to date − plan to date| ÷ plan to date, the department's totals at the
    end of the month (section 8: an item without plan rows is planned linearly,
    projects.arithmetic.plan_to_date); undefined when nothing is planned yet."""
    totals = figures.summary.totals
    return ratio(abs(totals.spent - totals.plan_to_date), totals.plan_to_date)


GE, LE = Indicator.Direction.AT_LEAST.value, Indicator.Direction.AT_MOST.value
OUTPUT = Indicator.Level1.OUTPUT.value

FORMULAS: tuple[LedgerFormula, ...] = (
    LedgerFormula(
        "execution_rate", gettext_noop("预算执行率"), PERCENT, GE, OUTPUT, gettext_noop("时效"), department_execution_rate
    ),
    LedgerFormula(
        "carryover_balance_rate", gettext_noop("结转结余率"), PERCENT, LE, OUTPUT, gettext_noop("成本"), carryover_balance_rate
    ),
    LedgerFormula(
        "budget_adjustment_rate", gettext_noop("预算调整率"), PERCENT, LE, OUTPUT, gettext_noop("成本"), budget_adjustment_rate
    ),
    LedgerFormula(
        "staff_control_rate", gettext_noop("在职人员控制率"), PERCENT, LE, OUTPUT, gettext_noop("数量"), staff_control_rate
    ),
    LedgerFormula(
        "running_cost_control_rate",
        gettext_noop("公用经费控制率"),
        PERCENT,
        LE,
        OUTPUT,
        gettext_noop("成本"),
        running_cost_control_rate,
    ),
    LedgerFormula(
        "three_public_change_rate",
        gettext_noop("三公经费变动率"),
        PERCENT,
        LE,
        OUTPUT,
        gettext_noop("成本"),
        three_public_change_rate,
    ),
    LedgerFormula("plan_deviation", gettext_noop("计划执行偏差"), PERCENT, LE, OUTPUT, gettext_noop("时效"), plan_deviation),
)
BY_KEY = {formula.key: formula for formula in FORMULAS}


def active_formulas() -> tuple[LedgerFormula, ...]:
    """The formulas this province uses, in FORMULAS order: settings.LEDGER_FORMULAS's keys (a
    key FORMULAS does not know is left out: the system check indicators.E001 names it), all of
    them when the setting is None."""
    keys = settings.LEDGER_FORMULAS
    if keys is None:
        return FORMULAS
    return tuple(formula for formula in FORMULAS if formula.key in keys)


def unknown_setting_keys() -> list[str]:
    """The keys of settings.LEDGER_FORMULAS that name no formula of FORMULAS."""
    return [key for key in settings.LEDGER_FORMULAS or () if key not in BY_KEY]


def formula_named(key_or_name: str) -> LedgerFormula | None:
    """The formula whose key or Chinese name is `key_or_name` (a workbook cell may hold either)."""
    text = (key_or_name or "").strip()
    if text in BY_KEY:
        return BY_KEY[text]
    return next((formula for formula in FORMULAS if text in (formula.name, formula.label)), None)


@dataclass(frozen=True)
class FormulaValue:
    """A formula's value for one department-year at one month: the percentage to the hundredth
    (None when undefined or when the key is not usable) and its text as the 自评表 writes it
    ("96.5%"), or the problem with the key."""

    value: Decimal | None
    text: str
    problem: str = ""


def ledger_figures(*, department_year: DepartmentYear, month: int, summary: BudgetSummary | None = None) -> LedgerFigures:
    """The ledger figures as of the end of `month` (12: the whole year). `summary`, when the caller
    has that month's already, saves its five queries; two more for the common indicators."""
    if summary is None:
        if month >= YEAR_END:
            summary = budget_summary(department_year=department_year)
        else:
            summary = budget_summary_at_month(department_year=department_year, month=month)
    return LedgerFigures(month=month, summary=summary, common=common_indicators(summary=summary))


def formula_problem(key: str) -> str:
    """Why the formula `key` cannot give a value here ("" when it can): it is unknown, or not
    active in this province (settings.LEDGER_FORMULAS)."""
    formula = BY_KEY.get(key)
    if formula is None:
        return gettext("取数公式“%(key)s”不存在") % {"key": key}
    if formula not in active_formulas():
        return gettext("取数公式“%(name)s”未在本省启用") % {"name": formula.label}
    return ""


def formula_value(key: str, figures: LedgerFigures) -> FormulaValue:
    """The value of the formula `key` from the figures, a percentage rounded half up to the
    hundredth; no value, and the problem, for a key that is unknown or inactive."""
    problem = formula_problem(key)
    if problem:
        return FormulaValue(None, "", problem)
    value = percent(BY_KEY[key].compute(figures))
    return FormulaValue(value, "" if value is None else f"{plain_number(value)}{BY_KEY[key].unit}")


def formula_values(keys, figures: LedgerFigures) -> dict[str, FormulaValue]:
    """formula_value of each key, from one set of ledger figures."""
    return {key: formula_value(key, figures) for key in keys}
