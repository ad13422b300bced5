import django_tables2 as tables
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from fundmgr.money import percent, wan


def format_wan(value) -> str:
    return f"{wan(value):,.2f}"


def format_rate(rate) -> str:
    shown = percent(rate)
    return "—" if shown is None else f"{shown:.2f}%"


class UnitTable(tables.Table):
    """Units of a department-year with their budget figures; the footer is the department total."""

    name = tables.Column(verbose_name=_("预算单位"), footer=_("合计"), orderable=False)
    full_year = tables.Column(verbose_name=_("全年预算数（万元）"), accessor="figures__full_year", footer=lambda table: format_wan(table.totals.full_year), orderable=False, default="—", attrs={"td": {"class": "num"}, "tf": {"class": "num"}})
    spent = tables.Column(verbose_name=_("执行数（万元）"), accessor="figures__spent", footer=lambda table: format_wan(table.totals.spent), orderable=False, default="—", attrs={"td": {"class": "num"}, "tf": {"class": "num"}})
    pending = tables.Column(verbose_name=_("待审批（万元）"), accessor="figures__pending", footer=lambda table: format_wan(table.totals.pending), orderable=False, default="—", attrs={"td": {"class": "num"}, "tf": {"class": "num"}})
    execution_rate = tables.Column(verbose_name=_("执行率"), accessor="figures__execution_rate", footer=lambda table: format_rate(table.totals.execution_rate), orderable=False, default="—", attrs={"td": {"class": "num"}, "tf": {"class": "num"}})

    class Meta:
        attrs = {"class": "table"}
        template_name = "django_tables2/table.html"

    def __init__(self, *args, totals, department_year, **kwargs):
        self.totals = totals
        self.department_year = department_year
        super().__init__(*args, **kwargs)

    def render_name(self, record):
        url = reverse(
            "units:detail",
            kwargs={
                "department_code": self.department_year.department.code,
                "year": self.department_year.year,
                "unit_code": record.code,
            },
        )
        return format_html('<a href="{}">{}</a>', url, record.name)

    def render_full_year(self, value):
        return format_wan(value)

    def render_spent(self, value):
        return format_wan(value)

    def render_pending(self, value):
        return format_wan(value)

    def render_execution_rate(self, value):
        return format_rate(value)

    def value_full_year(self, value):
        return value

    def value_spent(self, value):
        return value

    def value_pending(self, value):
        return value
