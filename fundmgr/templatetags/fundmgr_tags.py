from django import template

from fundmgr.lib.money import percent, round_half_up
from fundmgr.lib.money import wan as to_wan

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


@register.filter
def score1(value):
    """A score as the seed report states it, to one decimal: 99.59 -> 99.6."""
    return "—" if value is None else f"{round_half_up(value, 1):.1f}"


class CachedContentNode(template.Node):
    def __init__(self, nodelist):
        self.nodelist = nodelist

    def render(self, context):
        content = context.get("cached_content")
        if content is None:
            return self.nodelist.render(context)
        if content.html is None:
            html = self.nodelist.render(context)
            content.store(html)
            return html
        return content.html


@register.tag
def cached_content(parser, token):
    """{% cached_content %}…{% endcached_content %}: the page's main content from the view's
    `cached_content` (fundmgr.lib.pagecache.CachedContent) when the cache had it; otherwise
    rendered, and stored under its key. Without `cached_content` it only renders."""
    nodelist = parser.parse(("endcached_content",))
    parser.delete_first_token()
    return CachedContentNode(nodelist)
