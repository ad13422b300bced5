"""Table columns and pagination shared by every table: money shown in 万元 but exported as raw
Decimal yuan, rates shown as percentages, and forgiving page numbers."""

import django_tables2 as tables
from django.core.paginator import EmptyPage, PageNotAnInteger

from fundmgr.lib.money import percent, wan

NUM = {"td": {"class": "num"}, "tf": {"class": "num"}, "th": {"class": "num"}}


def format_wan(value) -> str:
    return f"{wan(value):,.2f}"


def format_rate(rate) -> str:
    shown = percent(rate)
    return "—" if shown is None else f"{shown:.2f}%"


class MoneyColumn(tables.Column):
    """An amount in yuan, shown in 万元 and exported as the raw Decimal yuan."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("attrs", NUM)
        super().__init__(*args, **kwargs)

    def render(self, value):
        return format_wan(value)

    def value(self, value):
        return value


class RateColumn(tables.Column):
    """An unrounded ratio, shown as a percentage; exported as the percentage rounded to 2 decimals."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("attrs", NUM)
        kwargs.setdefault("default", "—")
        super().__init__(*args, **kwargs)

    def render(self, value):
        return format_rate(value)

    def value(self, value):
        return percent(value)


def paginate(table: tables.Table, *, page: str | int | None, per_page: int) -> None:
    """Paginate as django-tables2's RequestConfig does for list views: a page number that is not
    one (`abc`, `²`) shows the first page, one past either end the nearest page, never an error."""
    try:
        table.paginate(page=page or 1, per_page=per_page)
    except PageNotAnInteger:
        table.paginate(page=1, per_page=per_page)
    except EmptyPage:  # validate_number() read it as an integer, below 1 or past the last page
        table.paginate(page=1 if int(page) < 1 else table.paginator.num_pages, per_page=per_page)
