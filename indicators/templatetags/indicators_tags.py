from django import template

from indicators.models import Indicator

register = template.Library()


@register.filter
def indicator_value(value) -> str:
    """An indicator's value without trailing zeros: 5000.0000 → 5000, 95.5000 → 95.5; — when blank."""
    if value is None:
        return "—"
    return f"{value.normalize():f}"


@register.filter
def target_text(indicator: Indicator) -> str:
    """The target with its direction and unit: ≥5000户, ≥90%; 定性 for a qualitative indicator."""
    if indicator.direction == Indicator.Direction.QUALITATIVE:
        return str(Indicator.Direction.QUALITATIVE.label)
    return f"{indicator.get_direction_display()}{indicator_value(indicator.target)}{indicator.unit}"
