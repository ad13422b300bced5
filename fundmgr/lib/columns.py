"""Table columns and pagination shared by every table.

A column carries its export semantics along with its page rendering, and
fundmgr.lib.table_xlsx reads them:

- `export_header`: the header the exported sheet gives the column, stating the unit its cells are in;
- `number_format`: the Excel format of its cells;
- `totalled`: money, summed in the sheet's 合计 row; `ratio_of`: a rate, recomputed in that row
  from the totals of two money columns (a rate is never summed).

Money is shown in 万元 (or yuan) on the page and exported as exact Decimal yuan to the cent,
under a header that says （元）; a rate is shown as a percentage and exported as the ratio the
page shows (rounded to 0.01 %), formatted '0.00%'.
"""

import copy
import types
import weakref

import django_tables2 as tables
import django_tables2.utils
from django.core.paginator import EmptyPage, PageNotAnInteger
from django.utils.functional import lazy
from django.utils.translation import gettext

from fundmgr.lib.money import HUNDRED, percent, wan, yuan

NUM = {"td": {"class": "num"}, "tf": {"class": "num"}, "th": {"class": "num"}}
# Cells that must not break mid-word at 1366 px: codes, dates, statuses, actions (static/css/app.css).
NOWRAP = {"td": {"class": "nowrap"}, "th": {"class": "nowrap"}}

MONEY_FORMAT = "#,##0.00"
PERCENT_FORMAT = "0.00%"
DATE_FORMAT = "yyyy-mm-dd"
SCORE_FORMAT = "0.00"

WAN = "wan"
YUAN = "yuan"


def _with_unit(label, unit: str) -> str:
    if unit == WAN:
        return gettext("%(label)s（万元）") % {"label": label}
    return gettext("%(label)s（元）") % {"label": label}


with_unit = lazy(_with_unit, str)


def format_wan(value) -> str:
    return f"{wan(value):,.2f}"


def format_yuan(value) -> str:
    return f"{yuan(value):,.2f}"


def format_rate(rate) -> str:
    shown = percent(rate)
    return "—" if shown is None else f"{shown:.2f}%"


def shown_ratio(rate):
    """The ratio as the page shows it: 0.406250 → 0.4063 (40.63 %), None when undefined."""
    shown = percent(rate)
    return None if shown is None else shown / HUNDRED


class MoneyColumn(tables.Column):
    """An amount in yuan. `verbose_name` is the bare label (全年预算数); the page header adds the
    unit it is shown in (`shown_in`: WAN, the default, or YUAN), the export header （元）: the
    export holds the exact yuan, to the cent."""

    number_format = MONEY_FORMAT
    totalled = True

    def __init__(self, verbose_name, *args, shown_in: str = WAN, **kwargs):
        kwargs.setdefault("attrs", NUM)
        self.shown_in = shown_in
        self.export_header = with_unit(verbose_name, YUAN)
        super().__init__(*args, verbose_name=with_unit(verbose_name, shown_in), **kwargs)

    def render(self, value):
        return format_wan(value) if self.shown_in == WAN else format_yuan(value)

    def value(self, value):
        return None if value is None else yuan(value)


class RateColumn(tables.Column):
    """An unrounded ratio, shown as a percentage and exported as the ratio the page shows, in a
    percent cell. `ratio_of` names the (numerator, denominator) money columns it is the ratio
    of, so the 合计 row recomputes it from their totals; without it that cell stays blank."""

    number_format = PERCENT_FORMAT

    def __init__(self, *args, ratio_of: tuple[str, str] | None = None, **kwargs):
        kwargs.setdefault("attrs", NUM)
        kwargs.setdefault("default", "—")
        self.ratio_of = ratio_of
        super().__init__(*args, **kwargs)

    def render(self, value):
        return format_rate(value)

    def value(self, value):
        return shown_ratio(value) if value not in (None, "—") else None


class ScoreColumn(tables.Column):
    """Points or a score, to 2 decimals (50.00), exported as the number in a '0.00' cell."""

    number_format = SCORE_FORMAT

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("attrs", NUM)
        super().__init__(*args, **kwargs)

    def render(self, value):
        return f"{value:.2f}"

    def value(self, value):
        return value


class ShortDateColumn(tables.Column):
    """A date shown 2024-12-25 (never wrapped) and exported as a date cell."""

    number_format = DATE_FORMAT

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("attrs", NOWRAP)
        super().__init__(*args, **kwargs)

    def render(self, value):
        return value.isoformat()

    def value(self, value):
        return value


def paginate(table: tables.Table, *, page: str | int | None, per_page: int) -> None:
    """Paginate as django-tables2's RequestConfig does for list views: a page number that is not
    one (`abc`, `²`) shows the first page, one past either end the nearest page, never an error."""
    try:
        table.paginate(page=page or 1, per_page=per_page)
    except PageNotAnInteger:
        table.paginate(page=1, per_page=per_page)
    except EmptyPage:  # validate_number() read it as an integer, below 1 or past the last page
        table.paginate(page=1 if int(page) < 1 else table.paginator.num_pages, per_page=per_page)


# function -> django_tables2.utils.signature of it, called plain or bound (without self)
_plain_signatures = weakref.WeakKeyDictionary()
_bound_signatures = weakref.WeakKeyDictionary()
_library_signature = django_tables2.utils.signature


def _signature(fn):
    """django_tables2.utils.signature, remembered per function: django-tables2 asks it for every
    cell it renders (call_with_appropriate inspects render_<name> to pick its arguments), and
    inspect.signature was a tenth of a dashboard page. A method's signature (without self) is its
    function's whatever it is bound to; other callables (partials, objects) are inspected each time."""
    if isinstance(fn, types.MethodType) and isinstance(fn.__func__, types.FunctionType):
        known, function = _bound_signatures, fn.__func__
    elif isinstance(fn, types.FunctionType):
        known, function = _plain_signatures, fn
    else:
        return _library_signature(fn)
    try:
        return known[function]
    except KeyError:
        known[function] = found = _library_signature(fn)
        return found


def memoise_signatures() -> None:
    """Install _signature in django-tables2 (fundmgr.apps.FundmgrConfig.ready)."""
    django_tables2.utils.signature = _signature


def _column_copy(column, memo):
    """A column as a new table takes it (Table.__init__ deep-copies its class's columns): a copy of
    the column object, sharing what the column holds. A table sets its own copy's attributes (a
    footer, a heading: fundmgr.dashboards.tables) and never changes what they hold (the attrs
    dicts, the accessor, the verbose name), so the copies need not be deep; a deep copy of every
    column's attrs and lazy names was a twentieth of a dashboard page."""
    clone = copy.copy(column)
    memo[id(column)] = clone
    return clone


def copy_columns_shallow() -> None:
    """Install _column_copy as django-tables2's Column.__deepcopy__ (fundmgr.apps.FundmgrConfig.ready)."""
    django_tables2.Column.__deepcopy__ = _column_copy
