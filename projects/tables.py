import django_tables2 as tables
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from fundmgr.money import execution_rate, full_year_budget
from projects.models import BudgetItem, BudgetLine, Expenditure
from units.tables import format_rate, format_wan

NUM = {"td": {"class": "num"}, "tf": {"class": "num"}, "th": {"class": "num"}}


class ItemTable(tables.Table):
    """Budget items annotated by projects.selectors.items_with_figures."""

    code = tables.Column(verbose_name=_("项目编码"), orderable=False)
    name = tables.Column(verbose_name=_("项目名称"), footer=_("合计"), orderable=False)
    category = tables.Column(verbose_name=_("项目类别"), orderable=False)
    full_year = tables.Column(verbose_name=_("全年预算数（万元）"), accessor="pk", footer=lambda table: format_wan(table.totals.full_year), orderable=False, attrs=NUM)
    spent = tables.Column(verbose_name=_("执行数（万元）"), orderable=False, attrs=NUM, footer=lambda table: format_wan(table.totals.spent))
    pending = tables.Column(verbose_name=_("待审批（万元）"), orderable=False, attrs=NUM, footer=lambda table: format_wan(table.totals.pending))
    execution_rate = tables.Column(verbose_name=_("执行率"), accessor="pk", footer=lambda table: format_rate(table.totals.execution_rate), orderable=False, attrs=NUM)

    class Meta:
        attrs = {"class": "table"}

    def __init__(self, *args, totals, department_year, **kwargs):
        self.totals = totals
        self.department_year = department_year
        super().__init__(*args, **kwargs)

    @staticmethod
    def _full_year(record):
        return full_year_budget(
            initial=record.initial, addition=record.addition, reduction=record.reduction, carryover=record.carryover
        )

    def render_name(self, record):
        url = reverse(
            "projects:detail",
            kwargs={
                "department_code": self.department_year.department.code,
                "year": self.department_year.year,
                "item_code": record.code,
            },
        )
        return format_html('<a href="{}">{}</a>', url, record.name)

    def render_category(self, record):
        return record.get_category_display()

    def render_full_year(self, record):
        return format_wan(self._full_year(record))

    def render_spent(self, value):
        return format_wan(value)

    def render_pending(self, value):
        return format_wan(value)

    def render_execution_rate(self, record):
        return format_rate(execution_rate(record.spent, self._full_year(record)))


class BudgetLineTable(tables.Table):
    date = tables.Column(verbose_name=_("日期"))
    kind = tables.Column(verbose_name=_("调整类型"))
    source = tables.Column(verbose_name=_("资金来源"))
    amount = tables.Column(verbose_name=_("金额（元）"), attrs=NUM)
    document = tables.Column(verbose_name=_("文号"))

    class Meta:
        model = BudgetLine
        fields = ("date", "kind", "source", "amount", "document")
        attrs = {"class": "table"}
        orderable = False

    def render_amount(self, value):
        return f"{value:,.2f}"


class ExpenditureTable(tables.Table):
    date = tables.Column(verbose_name=_("支出日期"))
    amount = tables.Column(verbose_name=_("金额（元）"), attrs=NUM)
    economic_class = tables.Column(verbose_name=_("经济分类"))
    memo = tables.Column(verbose_name=_("摘要"))
    voucher = tables.Column(verbose_name=_("凭证号"))
    status = tables.Column(verbose_name=_("状态"))

    class Meta:
        model = Expenditure
        fields = ("date", "amount", "economic_class", "memo", "voucher", "status")
        attrs = {"class": "table"}
        orderable = False

    def render_amount(self, value):
        return f"{value:,.2f}"

    def value_amount(self, value):
        return value
