"""The dashboard charts (fundmgr.charts' geometry) drawn as inline SVG: {% rate_bars_svg chart caption %},
{% execution_line_svg chart caption %}, {% plan_line_svg chart caption %}, {% amount_bars_svg chart caption %}
and {% composition_svg chart caption %}.

Each chart is a few hundred marks of the same shape, which a template loop costs far more to
draw than the marks are worth (a variable lookup, a localization and an escape for each of some
thousand coordinates). Here the marks are formatted in Python: coordinates are the geometry's
Decimals written as `{:f}` (what the template engine's localize writes for them, in every
language: no thousands separator), and every text (names, titles, captions) is escaped. Each
mark keeps its <title> (the browser shows it as a tooltip, a screen reader reads it) and its
text label, so a printed page still reads without colour or hover.
"""

from decimal import Decimal

from django import template
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext, pgettext

register = template.Library()


def _n(value) -> str:
    """A coordinate or size as the template engine localizes a number."""
    return f"{value:f}" if isinstance(value, Decimal) else str(value)


def _e(text) -> str:
    return conditional_escape(text)


def _svg_open(chart, label_attributes: str, kind: str) -> str:
    width, height = _n(chart.width), _n(chart.height)
    return (
        f'<svg class="chart" viewBox="0 0 {width} {height}" width="{width}" height="{height}" role="img" '
        f'{label_attributes} data-chart="{kind}">\n'
    )


def _month_ticks(chart) -> list[str]:
    height = _n(chart.height)
    return [
        f'<text class="tick" x="{_n(tick.x)}" y="{height}" dy="-6" text-anchor="middle">'
        f"{pgettext('chart axis', '%(month)s月') % {'month': _e(tick.text)}}</text>\n"
        for tick in chart.month_ticks
    ]


def _grid(chart, ticks) -> list[str]:
    left, right = _n(chart.plot_left), _n(chart.plot_right)
    html = []
    for tick in ticks:
        y, title = _n(tick.y), _e(tick.title)
        html.append(
            f'<line class="grid" x1="{left}" x2="{right}" y1="{y}" y2="{y}"><title>{title}</title></line>'
            f'<text class="tick" x="{_n(tick.x)}" y="{y}" dx="-4" dy="4" text-anchor="end">{title}</text>\n'
        )
    return html


def _points(points, mark: str) -> str:
    """One mark (`mark` holds {x}, {y} and {title}) a point."""
    return "".join(mark.format(x=_n(point.x), y=_n(point.y), title=_e(point.title)) for point in points)


def _bar_marks(bar, label_x: str, css: str) -> str:
    """A bar's three marks, each titled: its label, its rectangle (class `css`) and its value."""
    title, label_y = _e(bar.title), _n(bar.label_y)
    return (
        f'<text class="label" x="{label_x}" y="{label_y}" text-anchor="end">{_e(bar.short_label)}<title>{title}</title></text>\n'
        f'<rect class="{css}" x="{_n(bar.x)}" y="{_n(bar.y)}" width="{_n(bar.width)}" '
        f'height="{_n(bar.height)}"><title>{title}</title></rect>\n'
        f'<text class="value" x="{_n(bar.value_x)}" y="{label_y}">{_e(bar.value_text)}<title>{title}</title></text>\n'
    )


@register.simple_tag
def rate_bars_svg(chart, caption):
    """Execution rate bars, each a link to its scope, with the 序时进度 marker."""
    caption = _e(caption)
    bottom = _n(chart.axis_bottom)
    html = [_svg_open(chart, f'aria-label="{caption}"', "rate-bars"), f"<title>{caption}</title>\n"]
    for tick in chart.ticks:
        x, text = _n(tick.x), _e(tick.text)
        html.append(
            f'<line class="grid" x1="{x}" x2="{x}" y1="14" y2="{bottom}"><title>{text}</title></line>'
            f'<text class="tick" x="{x}" y="11" text-anchor="middle">{text}</text>\n'
        )
    html.append("\n")
    label_x = _n(chart.label_x)
    for bar in chart.bars:
        html.append(f'<a href="{_e(bar.url)}" class="bar-link">\n{_bar_marks(bar, label_x, f"bar {_e(bar.status)}")}</a>\n')
    marker = _n(chart.marker_x)
    html.append(
        f'\n<line class="progress-marker" x1="{marker}" x2="{marker}" y1="14" y2="{bottom}"><title>'
        f"{gettext('序时进度：%(progress)s') % {'progress': _e(chart.marker_text)}}</title></line>\n</svg>\n"
    )
    return mark_safe("".join(html))


@register.simple_tag
def amount_bars_svg(chart, caption):
    """Amount bars in 万元 (spending by economic class)."""
    caption = _e(caption)
    html = [
        _svg_open(chart, f'aria-label="{caption}"', "amount-bars"),
        f"<title>{caption}</title>\n",
        f'<text class="tick" x="{_n(chart.plot_x)}" y="11">{_e(gettext("万元"))}</text>\n',
    ]
    label_x = _n(chart.label_x)
    for bar in chart.bars:
        html.append(f"<g>\n{_bar_marks(bar, label_x, 'bar amount')}</g>\n")
    if not chart.bars:
        none = _e(gettext("尚无支出"))
        html.append(f'<text class="tick" x="{_n(chart.plot_x)}" y="40">{none}<title>{none}</title></text>\n')
    html.append("\n</svg>\n")
    return mark_safe("".join(html))


@register.simple_tag
def execution_line_svg(chart, caption):
    """The cumulative execution rate by month against the 序时进度 line."""
    caption = _e(caption)
    progress_label, execution_label = _e(gettext("序时进度")), _e(gettext("累计执行率"))
    html = [_svg_open(chart, f'aria-label="{caption}"', "execution-line"), f"<title>{caption}</title>\n"]
    html += _grid(chart, chart.rate_ticks)
    html.append("\n")
    html += _month_ticks(chart)
    html.append(f'\n<polyline class="progress-line" points="{chart.progress_path}"><title>{progress_label}</title></polyline>\n')
    html.append(_points(chart.progress, '<circle class="progress-point" cx="{x}" cy="{y}" r="2.5"><title>{title}</title></circle>'))
    html.append("\n")
    if chart.execution:
        html.append(
            f'<polyline class="execution-line" points="{chart.execution_path}"><title>{execution_label}</title></polyline>'
        )
    html.append("\n")
    html.append(_points(chart.execution, '<circle class="execution-point" cx="{x}" cy="{y}" r="4"><title>{title}</title></circle>'))
    html.append(
        f'\n</svg>\n<p class="legend"><span class="key execution"></span>{execution_label} '
        f'<span class="key progress"></span>{progress_label}</p>\n'
    )
    return mark_safe("".join(html))


@register.simple_tag
def plan_line_svg(chart, caption):
    """The cumulative spending plan, spending and 序时进度 by month, in 万元."""
    labels = {name: _e(text) for name, text in chart.labels.items()}
    description = gettext(
        "各月末的%(plan)s、%(spent)s和按序时进度的预算数（全年预算数×月份÷12），单位：万元"
    ) % {"plan": labels["plan"], "spent": labels["spent"], "progress": labels["progress"]}
    html = [
        _svg_open(chart, 'aria-labelledby="plan-line-title plan-line-desc"', "plan-line"),
        f'<title id="plan-line-title">{_e(caption)}</title>\n<desc id="plan-line-desc">{description}</desc>\n',
    ]
    html += _grid(chart, chart.amount_ticks)
    html.append(f'\n<text class="tick" x="4" y="{_n(chart.plot_top)}" dy="-4">{_e(gettext("万元"))}</text>\n')
    html += _month_ticks(chart)
    html.append(f'\n<polyline class="progress-line" points="{chart.progress_path}"><title>{labels["progress"]}</title></polyline>\n')
    html.append(_points(chart.progress, '<circle class="progress-point" cx="{x}" cy="{y}" r="2.5"><title>{title}</title></circle>'))
    html.append(
        f'\n<polyline class="plan-line" fill="none" stroke="#2b6cb0" stroke-width="2.5" points="{chart.plan_path}">'
        f"<title>{labels['plan']}</title></polyline>\n"
    )
    html.append(
        _points(
            chart.plan,
            '<rect class="plan-point" fill="#2b6cb0" x="{x}" y="{y}" width="6" height="6" transform="translate(-3 -3)">'
            "<title>{title}</title></rect>",
        )
    )
    html.append("\n")
    if chart.spent:
        html.append(f'<polyline class="execution-line" points="{chart.spent_path}"><title>{labels["spent"]}</title></polyline>')
    html.append("\n")
    html.append(_points(chart.spent, '<circle class="execution-point" cx="{x}" cy="{y}" r="4"><title>{title}</title></circle>'))
    html.append(
        f'\n</svg>\n<p class="legend"><span class="key plan"></span>{labels["plan"]} <span class="key execution"></span>'
        f'{labels["spent"]} <span class="key progress"></span>{labels["progress"]}</p>\n'
    )
    return mark_safe("".join(html))


@register.simple_tag
def composition_svg(chart, caption):
    """100 % stacked bars of the budget by funding source and by category, with their legend."""
    caption = _e(caption)
    html = [_svg_open(chart, f'aria-label="{caption}"', "composition"), f"<title>{caption}</title>\n"]
    legend = []
    for bar in chart.bars:
        label, y, height, text_y = _e(bar.label), _n(bar.y), _n(bar.height), _n(bar.text_y)
        total = gettext("%(label)s：%(total)s 万元") % {"label": label, "total": _e(bar.total_text)}
        html.append(f'<g>\n<text class="label" x="0" y="{text_y}">{label}<title>{total}</title></text>\n')
        for segment in bar.segments:
            part, share, css = _e(segment.label), _e(segment.share_text), _e(segment.css)
            legend.append(f'<span class="key {css}"></span>{part} {share} ')
            if not segment.width:
                continue
            title = _e(segment.title)
            html.append(
                f'<rect class="segment {css}" x="{_n(segment.x)}" y="{y}" width="{_n(segment.width)}" height="{height}">'
                f"<title>{title}</title></rect>"
            )
            if segment.shows_text:
                html.append(
                    f'<text class="segment-text" x="{_n(segment.text_x)}" y="{text_y}" text-anchor="middle">{part} {share}'
                    f"<title>{title}</title></text>"
                )
        html.append("\n</g>\n")
        legend.append("<br>")
    html.append(f'\n</svg>\n<p class="legend">{"".join(legend)}</p>\n')
    return mark_safe("".join(html))
