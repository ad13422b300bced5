import django_tables2 as tables
from django.core.paginator import EmptyPage, PageNotAnInteger
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from units.tables import MoneyColumn, RateColumn

def paginate(table: tables.Table, *, page: str | int | None, per_page: int) -> None:
    """Paginate as django-tables2's RequestConfig does for list views: a page number that is not
    one (`abc`, `²`) shows the first page, one past either end the nearest page, never an error."""
    try:
        table.paginate(page=page or 1, per_page=per_page)
    except PageNotAnInteger:
        table.paginate(page=1, per_page=per_page)
    except EmptyPage:  # validate_number() read it as an integer, below 1 or past the last page
        table.paginate(page=1 if int(page) < 1 else table.paginator.num_pages, per_page=per_page)


RATINGS = {"excellent": _("优"), "good": _("良"), "fair": _("中"), "poor": _("差"), "": "—"}


class ProvinceTable(tables.Table):
    """Every department of a year (fundmgr.dashboard.ProvinceRow), sortable by any column."""

    code = tables.Column(verbose_name=_("部门编码"))
    name = tables.Column(verbose_name=_("部门"))
    full_year = MoneyColumn(verbose_name=_("全年预算数（万元）"), accessor="figures__full_year")
    spent = MoneyColumn(verbose_name=_("执行数（万元）"), accessor="figures__spent")
    pending = MoneyColumn(verbose_name=_("待审批（万元）"), accessor="figures__pending")
    execution_rate = RateColumn(verbose_name=_("执行率"), accessor="execution_rate", order_by=("rate_key",))
    score = tables.Column(verbose_name=_("自评得分"), accessor="score", default="—", order_by=("score_key",), attrs={"td": {"class": "num"}})
    rating = tables.Column(verbose_name=_("评价等级"), accessor="rating", empty_values=(), order_by=("score_key",))

    class Meta:
        attrs = {"class": "table"}

    def render_name(self, record):
        return format_html('<a href="{}">{}</a>', record.url, record.name)

    def value_name(self, record):
        return record.name

    def render_score(self, value):
        return f"{value:.2f}"

    def value_score(self, value):
        return value

    def render_rating(self, value):
        return RATINGS[value]

    def value_rating(self, value):
        return str(RATINGS[value])
