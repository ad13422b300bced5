"""Tables of the dashboards (issue 5): rows are the plain records of projects.selectors;
`value_<column>` returns raw Decimals so an xlsx export keeps numbers as numbers."""

import django_tables2 as tables
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from fundmgr.money import percent, wan

NUM = {"td": {"class": "num"}, "tf": {"class": "num"}, "th": {"class": "num"}}
LAG_LABELS = {"red": _("严重滞后"), "yellow": _("滞后"), "": ""}


def format_wan(value) -> str:
    return f"{wan(value):,.2f}"


def format_rate(rate) -> str:
    shown = percent(rate)
    return "—" if shown is None else f"{shown:.2f}%"


def lag_badge(status: str) -> str:
    if not status:
        return ""
    return format_html('<span class="badge {}">{}</span>', "bad" if status == "red" else "warn", LAG_LABELS[status])


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


class FiguresTable(tables.Table):
    """Columns shared by the unit and item tables: a scope's Figures, with footers from `totals`."""

    full_year = MoneyColumn(verbose_name=_("全年预算数（万元）"), accessor="figures__full_year")
    spent = MoneyColumn(verbose_name=_("执行数（万元）"), accessor="figures__spent")
    pending = MoneyColumn(verbose_name=_("待审批（万元）"), accessor="figures__pending")
    remaining = MoneyColumn(verbose_name=_("未执行（万元）"), accessor="figures__remaining")
    execution_rate = RateColumn(verbose_name=_("执行率"), accessor="figures__execution_rate")
    lag = tables.Column(verbose_name=_("进度"), empty_values=(), orderable=False)

    class Meta:
        attrs = {"class": "table"}

    def __init__(self, *args, totals, progress, month, department_year, **kwargs):
        self.progress = progress
        self.month = month
        self.department_year = department_year
        super().__init__(*args, **kwargs)
        for name in ("full_year", "spent", "pending", "remaining"):
            self.columns[name].column._footer = format_wan(getattr(totals, name))
        self.columns["execution_rate"].column._footer = format_rate(totals.execution_rate)

    def _status(self, record) -> str:
        from fundmgr.dashboard import lag_status

        return lag_status(record.figures.execution_rate, self.progress)

    def render_lag(self, record):
        return lag_badge(self._status(record))

    def value_lag(self, record):
        return str(LAG_LABELS[self._status(record)])

    def address(self, name, **kwargs) -> str:
        path = reverse(
            name, kwargs={"department_code": self.department_year.department.code, "year": self.department_year.year, **kwargs}
        )
        return f"{path}?asof={self.department_year.year}-{self.month:02d}"


class UnitTable(FiguresTable):
    """Units of a department-year (projects.selectors.UnitRow); the footer is the department total."""

    code = tables.Column(verbose_name=_("单位编码"))
    name = tables.Column(verbose_name=_("预算单位"), footer=_("合计"))

    class Meta(FiguresTable.Meta):
        sequence = ("code", "name", "...")

    def render_name(self, record):
        return format_html('<a href="{}">{}</a>', self.address("units:detail", unit_code=record.code), record.name)

    def value_name(self, record):
        return record.name
