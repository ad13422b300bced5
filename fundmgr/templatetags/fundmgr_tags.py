from django import template
from django.utils.translation import gettext_noop

from fundmgr.money import percent, wan as to_wan

register = template.Library()


@register.filter
def wan(value):
    """Yuan shown in 万元 with 2 decimals and thousands separators."""
    return f"{to_wan(value):,.2f}"


@register.filter
def rate(value):
    """An unrounded ratio shown as a percentage with 2 decimals, or — when undefined."""
    shown = percent(value)
    return "—" if shown is None else f"{shown:.2f}%"


@register.filter
def yuan(value):
    return "" if value is None else f"{value:,.2f}"


RATINGS = {"excellent": gettext_noop("优"), "good": gettext_noop("良"), "fair": gettext_noop("中"), "poor": gettext_noop("差")}


@register.filter
def score1(value):
    """A score as the seed report states it, to one decimal: 99.59 -> 99.6."""
    from fundmgr.money import round_half_up

    return "—" if value is None else f"{round_half_up(value, 1):.1f}"


@register.filter
def rating(value):
    """The rating code shown as 优/良/中/差."""
    from django.utils.translation import gettext

    return gettext(RATINGS[value]) if value in RATINGS else "—"
