"""The one vocabulary of indicators, for the evaluation pages, the 自评表 xlsx and the Word report:
the direction symbol before a target (≥ ≤ =), the values as written, and the deviation wording
(无偏差, or the year-end flags with the evaluator's reason and measures; DOMAIN.md section 3.7)."""

from decimal import Decimal

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from indicators.models import Indicator
from indicators.scoring import Flag
from indicators.targets import SYMBOLS, number_text, plain_number

NO_DEVIATION = gettext_lazy("无偏差")

# How a year-end document states a deviation: the page's badge, except that a signed document
# states the fact where the badge of far_over_target asks the evaluator a question.
DEVIATION_STATEMENTS = {
    Flag.TARGET_MISSED: Flag.TARGET_MISSED.label,
    Flag.FAR_OVER_TARGET: gettext_lazy("大幅超目标（≥130%）"),
}

# A year-end document reports deviation from the year's target: a missed target, or one
# exceeded by 30 % or more (DOMAIN.md section 3.7). The mid-year flag belongs to the in-year
# monitoring (双监控): the seed report finds no deviation in indicator ① (800 of 5000 at
# mid-year, 5000 at year end), so the exports do not count it as a deviation.
YEAR_END_FLAGS = (Flag.TARGET_MISSED, Flag.FAR_OVER_TARGET)


def direction_symbol(direction: str) -> str:
    """The operator before a target: ≥, ≤ or = (indicators.targets.SYMBOLS, the Direction's labels); none for 定性."""
    return SYMBOLS.get(direction, "")


def value_text(value: Decimal | None, indicator: Indicator) -> str:
    """A value with the indicator's unit (5000个), or — when blank."""
    return "—" if value is None else f"{plain_number(value)}{indicator.unit}"


def target_text(indicator: Indicator) -> str:
    """年度指标值 as written when the indicator keeps its text (≥200平方米, 12月底前, 达到预期); else
    ≥5000个, ≤100万元, =100%; 定性 for a qualitative indicator."""
    if indicator.target_text:
        return indicator.target_text
    if indicator.direction == Indicator.Direction.QUALITATIVE:
        return str(Indicator.Direction.QUALITATIVE.label)
    return number_text(indicator.direction, indicator.target, indicator.unit)


def actual_text(indicator: Indicator) -> str:
    """全年完成值 as written when kept (12月20日, 达到预期); else 5000个, the tier's words when
    qualitative, — when not yet filled in."""
    if indicator.actual_text:
        return indicator.actual_text
    if indicator.direction == Indicator.Direction.QUALITATIVE:
        return indicator.get_tier_display() if indicator.tier else "—"
    return value_text(indicator.actual, indicator)


def actual_value(indicator: Indicator):
    """全年完成值 for a cell: the text as written when kept, else a number for a quantitative
    indicator, the tier's words for a qualitative one."""
    if indicator.actual_text:
        return indicator.actual_text
    if indicator.direction == Indicator.Direction.QUALITATIVE:
        return indicator.get_tier_display() if indicator.tier else None
    return indicator.actual


def year_end_flags(flags: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(flag for flag in flags if flag in YEAR_END_FLAGS)


def deviation_summary(flags: tuple[str, ...]) -> str:
    """The year-end deviation in a word: 无偏差, or the year-end flags' statements."""
    flags = year_end_flags(flags)
    if not flags:
        return str(NO_DEVIATION)
    return _("；").join(str(DEVIATION_STATEMENTS[flag]) for flag in flags)


def deviation_text(indicator: Indicator, flags: tuple[str, ...]) -> str:
    """偏差原因分析及改进措施: 无偏差, or the year-end flags with the evaluator's reason and measures."""
    if not year_end_flags(flags):
        return str(NO_DEVIATION)
    parts = [deviation_summary(flags)]
    if indicator.deviation_reason:
        parts.append(_("原因：%(reason)s") % {"reason": indicator.deviation_reason})
    if indicator.corrective_measures:
        parts.append(_("措施：%(measures)s") % {"measures": indicator.corrective_measures})
    return _("。").join(parts)
