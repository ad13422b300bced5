"""Words shared by the workbooks and the report: ratings, flags, indicator values."""

from decimal import Decimal

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from indicators.models import Indicator
from indicators.scoring import Flag

# How the year-end 自评表 states a deviation in its 偏差原因分析及改进措施 column, before the
# evaluator's reason and measures. Not the flag's label (Flag.label, the page's badge, which for
# far_over_target asks the evaluator a question): a signed document states the fact.
DEVIATION_STATEMENTS = {
    Flag.TARGET_MISSED: gettext_lazy("未达到目标值"),
    Flag.FAR_OVER_TARGET: gettext_lazy("超目标值30%以上"),
}


def flag_label(flag: str) -> str:
    return str(DEVIATION_STATEMENTS[flag])


def plain_number(value: Decimal | None) -> str:
    """An indicator value without trailing zeros: 5000.0000 -> "5000", 95.5000 -> "95.5"."""
    if value is None:
        return ""
    text = f"{value.normalize():f}"
    return text


def direction_symbol(direction: str) -> str:
    """The operator the seed report writes before a target: >=, <=, =."""
    return {"ge": ">=", "le": "<=", "eq": "="}.get(direction, "")


def target_text(indicator: Indicator) -> str:
    """年度指标值 as the standard form writes it: ">=5000个", or the tier wording when qualitative."""
    if indicator.direction == Indicator.Direction.QUALITATIVE:
        return _("定性：达成")
    return f"{direction_symbol(indicator.direction)}{plain_number(indicator.target)}{indicator.unit}"


def actual_value(indicator: Indicator):
    """全年完成值: a number for a quantitative indicator, the tier's words for a qualitative one."""
    if indicator.direction == Indicator.Direction.QUALITATIVE:
        return indicator.get_tier_display() if indicator.tier else None
    return indicator.actual


# A year-end document reports deviation from the year's target: a missed target, or one
# exceeded by 30 % or more (DOMAIN.md section 3.7). The mid-year flag belongs to the in-year
# monitoring (双监控): the seed report calls indicator ① (800 of 5000 at mid-year, 5000 at
# year end) "未偏离预期指标", so the exports do not count it as a deviation.
YEAR_END_FLAGS = (Flag.TARGET_MISSED, Flag.FAR_OVER_TARGET)


def year_end_flags(flags: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(flag for flag in flags if flag in YEAR_END_FLAGS)


def deviation_text(indicator: Indicator, flags: tuple[str, ...]) -> str:
    """偏差原因分析及改进措施: "未偏离" or the year-end flags with the evaluator's reason and measures."""
    flags = year_end_flags(flags)
    if not flags:
        return _("未偏离")
    parts = [_("；").join(flag_label(flag) for flag in flags)]
    if indicator.deviation_reason:
        parts.append(_("原因：%(reason)s") % {"reason": indicator.deviation_reason})
    if indicator.corrective_measures:
        parts.append(_("措施：%(measures)s") % {"measures": indicator.corrective_measures})
    return _("。").join(parts)
