"""Geometry of the dashboard charts, as pure functions returning plain data.

fundmgr.templatetags.fundmgr_charts draws these as inline SVG: no JS library, a
<title> on every mark (the browser shows it as a tooltip, a screen reader reads it), and
text labels on the marks so a printed page still reads without colour or hover.

Coordinates are Decimals rounded to 0.1 px; money and rates arrive already computed by the
selectors and are only scaled here.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext as _

from fundmgr.lib.money import ZERO, percent, round_half_up, wan

WIDTH = Decimal(640)
LABEL_WIDTH = Decimal(210)
VALUE_WIDTH = Decimal(90)
ROW_HEIGHT = Decimal(26)
BAR_HEIGHT = Decimal(16)
TOP = Decimal(24)
ONE = Decimal(1)


# How many full-width (CJK) characters a bar's label may take: what LABEL_WIDTH holds at the
# larger type a phone gets (app.css); a half-width character counts half.
LABEL_CHARS = Decimal(11)
# A beginning that long shared with another name is worth leaving out of a label.
SHARED_BEGINNING = 6
ELLIPSIS = "…"


def label_width(text: str) -> Decimal:
    """Width of `text` in full-width characters: ASCII (codes, digits, Latin) counts half."""
    return sum((Decimal("0.5") if ord(character) < 128 else ONE for character in text), ZERO)


def ellipsized(text: str, *, limit: Decimal = LABEL_CHARS) -> str:
    """`text`, or as much of its beginning as fits `limit` with "…" after it."""
    if label_width(text) <= limit:
        return text
    kept = ""
    for character in text:
        if label_width(kept + character) + ONE > limit:
            break
        kept += character
    return kept + ELLIPSIS


def _around_ellipsis(text: str, *, limit: Decimal) -> str:
    """Beginning and end of `text` around "…", for names that differ only in the middle."""
    head, tail = "", ""
    characters = list(text)
    while characters:
        take_tail = len(tail) < len(head)
        candidate = characters[-1] if take_tail else characters[0]
        if label_width(head + tail + candidate) + ONE > limit:
            break
        if take_tail:
            tail = characters.pop() + tail
        else:
            head += characters.pop(0)
    return head + ELLIPSIS + tail if characters else text


def _shared_beginning(name: str, others: list[str]) -> int:
    """Length of the longest beginning `name` shares with one of `others`."""
    longest = 0
    for other in others:
        length = 0
        for mine, theirs in zip(name, other):
            if mine != theirs:
                break
            length += 1
        longest = max(longest, length)
    return longest


def short_labels(names: list[str], *, limit: Decimal = LABEL_CHARS) -> list[str]:
    """Labels that tell `names` apart within `limit` (a chart's label column).

    The units of one department often begin alike ("新疆维吾尔自治区妇女联合会（本级）",
    "新疆维吾尔自治区妇女联合会机关服务中心"), so cutting their ends would leave them all the same.
    A name that shares a beginning of SHARED_BEGINNING characters or more with another name
    leaves it out, marked by a leading "…" ("…（本级）", "…机关服务中心"), as long as two
    characters of its own remain; what is still too long loses its end. Names whose labels
    would still read the same show their beginning and end around "…" instead. The chart keeps
    each full name in its marks' <title>.
    """
    labels = []
    for index, name in enumerate(names):
        others = [other for position, other in enumerate(names) if position != index and other != name]
        shared = _shared_beginning(name, others)
        if shared >= SHARED_BEGINNING and len(name) - shared >= 2:
            labels.append(ellipsized(ELLIPSIS + name[shared:], limit=limit))
        else:
            labels.append(ellipsized(name, limit=limit))
    alike = [
        any(label == labels[index] and names[position] != name for position, label in enumerate(labels))
        for index, name in enumerate(names)
    ]
    return [_around_ellipsis(name, limit=limit) if same else label for name, label, same in zip(names, labels, alike)]


def px(value: Decimal) -> Decimal:
    return round_half_up(value, 1)


def rate_text(rate: Decimal | None) -> str:
    shown = percent(rate)
    return "—" if shown is None else f"{shown:.2f}%"


def wan_text(amount: Decimal) -> str:
    return f"{wan(amount):,.2f}"


@dataclass
class Bar:
    label: str  # the full name, in the bar's <title>
    x: Decimal
    y: Decimal
    width: Decimal
    height: Decimal
    value_text: str
    title: str
    url: str = ""
    status: str = ""  # "", "yellow" or "red": lag colour of the bar
    label_y: Decimal = ZERO
    short_label: str = ""  # what the label column shows (short_labels, ellipsized)

    @property
    def value_x(self) -> Decimal:
        return self.x + self.width + Decimal(4)


@dataclass
class Tick:
    x: Decimal
    text: str


@dataclass
class BarChart:
    width: Decimal
    height: Decimal
    plot_x: Decimal
    plot_width: Decimal
    bars: list[Bar]
    ticks: list[Tick] = field(default_factory=list)
    marker_x: Decimal | None = None
    marker_title: str = ""
    marker_text: str = ""

    @property
    def label_x(self) -> Decimal:
        return self.plot_x - Decimal(6)

    @property
    def axis_bottom(self) -> Decimal:
        return self.height - Decimal(4)


def _plot_width() -> Decimal:
    return WIDTH - LABEL_WIDTH - VALUE_WIDTH


def rate_bars(rows, *, progress: Decimal, lag_of) -> BarChart:
    """Horizontal bars of execution rate, one per row (label, rate, url) or (label, rate, url,
    lag colour), with a marker at 序时进度.

    The scale runs from 0 to the larger of 100 % and the highest rate, so an overspent scope
    still fits. A row's own lag colour (the dashboards': from the plan execution rate, DOMAIN.md
    section 8) is its bar's; without one, `lag_of(rate)` gives it.
    """
    rows = [tuple(row) if len(row) == 4 else (*row, None) for row in rows]
    top_rate = max([ONE, progress] + [row[1] for row in rows if row[1] is not None])
    plot_width = _plot_width()
    shown = short_labels([row[0] for row in rows])
    bars = []
    title = _("%(label)s：%(rate)s")  # translated once a chart, not once a mark
    for index, (label, rate, url, status) in enumerate(rows):
        y = TOP + ROW_HEIGHT * index
        width = px(plot_width * (rate or ZERO) / top_rate)
        bars.append(
            Bar(
                label=label,
                x=LABEL_WIDTH,
                y=y,
                width=width,
                height=BAR_HEIGHT,
                value_text=rate_text(rate),
                title=title % {"label": label, "rate": rate_text(rate)},
                url=url,
                status=(lag_of(rate) if status is None else status) or "",
                label_y=y + BAR_HEIGHT - Decimal(3),
                short_label=shown[index],
            )
        )
    height = TOP + ROW_HEIGHT * max(len(rows), 1) + Decimal(8)
    ticks = [
        Tick(x=px(LABEL_WIDTH + plot_width * share / top_rate), text=f"{percent(share):.0f}%")
        for share in (ZERO, Decimal("0.25"), Decimal("0.5"), Decimal("0.75"), ONE)
    ]
    return BarChart(
        width=WIDTH,
        height=height,
        plot_x=LABEL_WIDTH,
        plot_width=plot_width,
        bars=bars,
        ticks=ticks,
        marker_x=px(LABEL_WIDTH + plot_width * progress / top_rate),
        marker_text=rate_text(progress),
    )


def amount_bars(rows) -> BarChart:
    """Horizontal bars of amounts in 万元, one per row (label, amount); the longest bar is the largest."""
    rows = list(rows)
    top_amount = max([amount for _, amount in rows if amount > ZERO], default=ONE)
    total = sum((amount for _, amount in rows), ZERO)
    plot_width = _plot_width()
    bars = []
    title = _("%(label)s：%(amount)s 万元（%(share)s）")
    for index, (label, amount) in enumerate(rows):
        y = TOP + ROW_HEIGHT * index
        share = f"{percent(amount / total):.2f}%" if total else "—"
        bars.append(
            Bar(
                label=label,
                x=LABEL_WIDTH,
                y=y,
                width=px(plot_width * max(amount, ZERO) / top_amount),
                height=BAR_HEIGHT,
                value_text=wan_text(amount),
                title=title % {"label": label, "amount": wan_text(amount), "share": share},
                label_y=y + BAR_HEIGHT - Decimal(3),
                short_label=ellipsized(label),
            )
        )
    return BarChart(
        width=WIDTH,
        height=TOP + ROW_HEIGHT * max(len(rows), 1) + Decimal(8),
        plot_x=LABEL_WIDTH,
        plot_width=plot_width,
        bars=bars,
    )


@dataclass
class Point:
    x: Decimal
    y: Decimal
    title: str


def polyline(points: list[Point]) -> str:
    """The `points` attribute of an SVG polyline through `points`."""
    return " ".join(f"{point.x},{point.y}" for point in points)


@dataclass
class LineChart:
    width: Decimal
    height: Decimal
    plot_left: Decimal
    plot_bottom: Decimal
    plot_top: Decimal
    plot_right: Decimal
    execution: list[Point]
    progress: list[Point]
    execution_path: str
    progress_path: str
    month_ticks: list[Tick]
    rate_ticks: list[Point]


def cumulative_execution(
    monthly: dict[int, Decimal], *, full_year: Decimal, through_month: int
) -> list[tuple[int, Decimal, Decimal | None]]:
    """(month, cumulative approved spending, cumulative execution rate) for months 1..through_month.

    The rate's denominator is the full-year budget as of the chosen month, the same as the cards.
    """
    series = []
    running = ZERO
    for month in range(1, through_month + 1):
        running += monthly.get(month, ZERO)
        series.append((month, running, (running / full_year) if full_year else None))
    return series


def execution_line(series, *, progress_label: str, execution_label: str) -> LineChart:
    """Monthly cumulative execution rate against the 序时进度 line (m/12), on a 0–100 % scale
    (or higher when spending passed the budget)."""
    left, right, top, bottom = Decimal(48), WIDTH - Decimal(16), Decimal(16), Decimal(196)
    top_rate = max([ONE] + [rate for _, _, rate in series if rate is not None])
    step = (right - left) / Decimal(11)

    def x_of(month: int) -> Decimal:
        return px(left + step * (month - 1))

    def y_of(rate: Decimal) -> Decimal:
        return px(bottom - (bottom - top) * rate / top_rate)

    execution_title = _("%(month)s月 %(series)s：%(rate)s（%(amount)s 万元）")  # translated once a chart
    progress_title = _("%(month)s月 %(series)s：%(rate)s")
    execution = [
        Point(
            x=x_of(month),
            y=y_of(rate or ZERO),
            title=execution_title
            % {"month": month, "series": execution_label, "rate": rate_text(rate), "amount": wan_text(spent)},
        )
        for month, spent, rate in series
    ]
    progress = [
        Point(
            x=x_of(month),
            y=y_of(Decimal(month) / Decimal(12)),
            title=progress_title
            % {"month": month, "series": progress_label, "rate": rate_text(Decimal(month) / Decimal(12))},
        )
        for month in range(1, 13)
    ]
    return LineChart(
        width=WIDTH,
        height=Decimal(224),
        plot_left=left,
        plot_bottom=bottom,
        plot_top=top,
        plot_right=right,
        execution=execution,
        progress=progress,
        execution_path=polyline(execution),
        progress_path=polyline(progress),
        month_ticks=[Tick(x=x_of(month), text=f"{month}") for month in range(1, 13)],
        rate_ticks=[
            Point(x=left, y=y_of(share), title=f"{percent(share):.0f}%")
            for share in (ZERO, Decimal("0.25"), Decimal("0.5"), Decimal("0.75"), ONE)
        ],
    )


@dataclass
class Segment:
    label: str
    x: Decimal
    width: Decimal
    share_text: str
    title: str
    css: str

    @property
    def text_x(self) -> Decimal:
        return px(self.x + self.width / 2)

    @property
    def shows_text(self) -> bool:
        """Only a segment wide enough for its share's text carries it; the title has it anyway."""
        return self.width >= Decimal(44)


@dataclass
class StackedBar:
    label: str
    y: Decimal
    segments: list[Segment]
    total_text: str

    @property
    def text_y(self) -> Decimal:
        return self.y + Decimal(19)

    @property
    def height(self) -> Decimal:
        return Decimal(28)


@dataclass
class Composition:
    width: Decimal
    height: Decimal
    plot_x: Decimal
    plot_width: Decimal
    bars: list[StackedBar]


def composition(groups) -> Composition:
    """100 % stacked bars, one per group (label, [(segment label, css class, amount)]).

    Used for the budget by funding source and by category. A negative net (more reduced than
    given) cannot be drawn as a share and is left out of the bar, but kept in its title.
    """
    plot_x, plot_width = Decimal(90), WIDTH - Decimal(100)
    bars = []
    title = _("%(label)s · %(part)s：%(amount)s 万元（%(share)s）")  # translated once a chart
    for index, (label, parts) in enumerate(groups):
        total = sum((max(amount, ZERO) for _, _, amount in parts), ZERO)
        x = plot_x
        segments = []
        for part_label, css, amount in parts:
            share = (max(amount, ZERO) / total) if total else ZERO
            width = px(plot_width * share)
            share_text = f"{percent(share):.1f}%"
            segments.append(
                Segment(
                    label=part_label,
                    x=x,
                    width=width,
                    share_text=share_text,
                    title=title
                    % {"label": label, "part": part_label, "amount": wan_text(amount), "share": share_text},
                    css=css,
                )
            )
            x += width
        bars.append(StackedBar(label=label, y=Decimal(10) + Decimal(46) * index, segments=segments, total_text=wan_text(total)))
    return Composition(
        width=WIDTH, height=Decimal(10) + Decimal(46) * len(bars) + Decimal(6), plot_x=plot_x, plot_width=plot_width, bars=bars
    )


@dataclass
class PlanChart:
    """Cumulative plan, cumulative spending and the linear 序时进度 line over the months, in 万元."""

    width: Decimal
    height: Decimal
    plot_left: Decimal
    plot_bottom: Decimal
    plot_top: Decimal
    plot_right: Decimal
    plan: list[Point]
    spent: list[Point]
    progress: list[Point]
    plan_path: str
    spent_path: str
    progress_path: str
    month_ticks: list[Tick]
    amount_ticks: list[Point]
    labels: dict[str, str]


def plan_chart(
    *, plan: list[Decimal], spent: list[Decimal], full_year: Decimal, through_month: int, labels: dict[str, str]
) -> PlanChart:
    """Per month 1..12, the cumulative plan (`plan`, twelve plans to date, DOMAIN.md section 8),
    the cumulative spending to the as-of month (`spent`, one figure a month through it) and the
    linear 序时进度 line, full-year × m ÷ 12, all in 万元 on one scale from 0 to the largest.
    `labels` name the three series ("plan", "spent", "progress") in titles and the legend."""
    left, right, top, bottom = Decimal(64), WIDTH - Decimal(16), Decimal(16), Decimal(196)
    linear = [full_year * Decimal(month) / Decimal(12) for month in range(1, 13)]
    top_amount = max([amount for amount in [*plan, *spent[:through_month], *linear] if amount > ZERO], default=ONE)
    step = (right - left) / Decimal(11)

    def x_of(month: int) -> Decimal:
        return px(left + step * (month - 1))

    def y_of(amount: Decimal) -> Decimal:
        return px(bottom - (bottom - top) * max(amount, ZERO) / top_amount)

    title = _("%(month)s月 %(series)s：%(amount)s 万元")  # translated once a chart

    def points(series: str, amounts) -> list[Point]:
        return [
            Point(
                x=x_of(month),
                y=y_of(amount),
                title=title
                % {"month": month, "series": labels[series], "amount": wan_text(amount)},
            )
            for month, amount in amounts
        ]

    plan_points = points("plan", enumerate(plan, start=1))
    spent_points = points("spent", list(enumerate(spent, start=1))[:through_month])
    progress_points = points("progress", enumerate(linear, start=1))
    return PlanChart(
        width=WIDTH,
        height=Decimal(224),
        plot_left=left,
        plot_bottom=bottom,
        plot_top=top,
        plot_right=right,
        plan=plan_points,
        spent=spent_points,
        progress=progress_points,
        plan_path=polyline(plan_points),
        spent_path=polyline(spent_points),
        progress_path=polyline(progress_points),
        month_ticks=[Tick(x=x_of(month), text=f"{month}") for month in range(1, 13)],
        amount_ticks=[
            Point(x=left, y=y_of(top_amount * share), title=wan_text(top_amount * share))
            for share in (ZERO, Decimal("0.25"), Decimal("0.5"), Decimal("0.75"), ONE)
        ],
        labels=labels,
    )
