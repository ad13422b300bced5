from decimal import Decimal

from django import template
from django.utils.translation import gettext_lazy as _

from fundmgr.money import round_half_up
from indicators.models import Indicator
from indicators.scoring import FLAG_FAR_OVER, FLAG_MIDYEAR_BEHIND, FLAG_MISSED

register = template.Library()

RATING_LABELS = {"excellent": _("优"), "good": _("良"), "fair": _("中"), "poor": _("差")}
FLAG_LABELS = {
    FLAG_MISSED: _("未完成目标值"),
    FLAG_FAR_OVER: _("大幅超目标（≥130%），请说明目标是否偏低"),
    FLAG_MIDYEAR_BEHIND: _("半年完成值低于目标的50%"),
}


@register.filter
def rating_label(rating: str) -> str:
    """评价等级 in Chinese: excellent → 优 (DOMAIN.md section 3.6)."""
    return RATING_LABELS.get(rating, rating)


@register.filter
def flag_label(flag: str) -> str:
    return FLAG_LABELS.get(flag, flag)


@register.filter
def indicator_value(value) -> str:
    """An indicator's value without trailing zeros: 5000.0000 → 5000, 95.5000 → 95.5; — when blank."""
    if value is None:
        return "—"
    return f"{value.normalize():f}"


@register.filter
def one_decimal(score: Decimal) -> str:
    """A score rounded half up to one decimal, as the report states it: 99.59 → 99.6."""
    return f"{round_half_up(score, 1):.1f}"


@register.filter
def target_text(indicator: Indicator) -> str:
    """The target with its direction and unit: ≥5000户, ≥90%; 定性 for a qualitative indicator."""
    if indicator.direction == Indicator.Direction.QUALITATIVE:
        return str(Indicator.Direction.QUALITATIVE.label)
    return f"{indicator.get_direction_display()}{indicator_value(indicator.target)}{indicator.unit}"
