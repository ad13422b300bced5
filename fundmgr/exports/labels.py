"""Words shared by the workbooks and the report: ratings, flags, indicator values (issue 6)."""

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.utils.translation import gettext as _

from indicators.models import Indicator
from indicators.templatetags.indicators_tags import RATING_LABELS
from indicators.scoring import FLAG_FAR_OVER, FLAG_MIDYEAR_BEHIND, FLAG_MISSED


@dataclass(frozen=True)
class Stamp:
    """Who generated a file and when; written into its document properties."""

    creator: str
    created: datetime


def rating_label(rating: str) -> str:
    """优/良/中/差, the words the self-evaluation pages use."""
    return str(RATING_LABELS[rating])


def flag_label(flag: str) -> str:
    return {
        FLAG_MISSED: _("未达到目标值"),
        FLAG_FAR_OVER: _("超目标值30%以上"),
        FLAG_MIDYEAR_BEHIND: _("半年完成值不足目标值一半"),
    }.get(flag, flag)


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
YEAR_END_FLAGS = (FLAG_MISSED, FLAG_FAR_OVER)


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
