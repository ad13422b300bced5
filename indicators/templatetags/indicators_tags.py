from django import template

from indicators import wording
from indicators.models import Indicator

register = template.Library()


@register.filter
def indicator_value(value) -> str:
    """An indicator's value without trailing zeros: 5000.0000 → 5000, 95.5000 → 95.5; — when blank."""
    if value is None:
        return "—"
    return wording.plain_number(value)


@register.filter
def target_text(indicator: Indicator) -> str:
    """The target with its direction and unit: ≥5000户, ≥90%; 定性 for a qualitative indicator (indicators.wording)."""
    return wording.target_text(indicator)


@register.simple_tag
def no_deviation() -> str:
    """无偏差, as the 自评表 and the report word it (indicators.wording)."""
    return str(wording.NO_DEVIATION)
