"""Tables of the ledger: an item's budget lines and expenditures, and the entry pages' lists.

Amounts are shown and exported in yuan (fundmgr.lib.columns.MoneyColumn); dates are short
(2024-12-25); codes, dates, statuses and actions never wrap (the `nowrap` class)."""

import django_tables2 as tables
from django.core.paginator import Paginator
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from fundmgr.lib.columns import NOWRAP, YUAN, MoneyColumn, ShortDateColumn
from projects.models import BudgetLine, Expenditure

STATUS_BADGE = {
    Expenditure.Status.APPROVED: "ok",
    Expenditure.Status.PENDING: "warn",
    Expenditure.Status.REJECTED: "bad",
}


MAX_PER_PAGE = 500


class TypedPaginationTable(tables.Table):
    """django-tables2's RequestConfig takes ?per_page= as typed: 0 divides by zero in the paginator
    and -5 makes every page empty. It is kept between 1 and MAX_PER_PAGE."""

    def paginate(self, paginator_class=Paginator, per_page=None, page=1, *args, **kwargs):
        if per_page is not None:
            per_page = min(max(per_page, 1), MAX_PER_PAGE)
        return super().paginate(paginator_class, per_page, page, *args, **kwargs)


def department_year_prefix(department_year) -> str:
    """The start of an export's file name: XJWF-2024."""
    return f"{department_year.department.code}-{department_year.year}"


class ExpenditureListTable(TypedPaginationTable):
    date = ShortDateColumn(verbose_name=_("支出日期"))
    item = tables.Column(verbose_name=_("预算项目"), accessor="item__code", order_by=("item__code", "date"), attrs=NOWRAP)
    item_name = tables.Column(verbose_name=_("项目名称"), accessor="item__name", orderable=False)
    amount = MoneyColumn(_("金额"), shown_in=YUAN)
    economic_class = tables.Column(verbose_name=_("经济分类"), accessor="economic_class__code")
    memo = tables.Column(verbose_name=_("摘要"), orderable=False)
    voucher = tables.Column(verbose_name=_("凭证号"), attrs=NOWRAP)
    procurement_method = tables.Column(verbose_name=_("采购方式"), orderable=False)
    status = tables.Column(verbose_name=_("状态"), attrs=NOWRAP)
    entered_by = tables.Column(verbose_name=_("录入人"), accessor="entered_by__username", orderable=False)
    actions = tables.Column(verbose_name=_("操作"), accessor="pk", orderable=False, exclude_from_export=True, attrs=NOWRAP)

    export_title = _("支出明细")
    # As the page's 筛选结果合计: a rejected entry is listed but holds no money.
    export_totals_label = _("合计（不含已驳回）")

    class Meta:
        attrs = {"class": "table", "id": "expenditures"}
        order_by = ("-date",)

    def __init__(self, *args, department_year, closed_months, can_write, **kwargs):
        self.department_year = department_year
        self.closed_months = closed_months
        self.can_write = can_write
        self.export_prefix = department_year_prefix(department_year)
        super().__init__(*args, **kwargs)

    def counts_in_total(self, record) -> bool:
        return record.status != Expenditure.Status.REJECTED

    def _url(self, name, pk):
        return reverse(
            name,
            kwargs={"department_code": self.department_year.department.code, "year": self.department_year.year, "pk": pk},
        )

    def render_economic_class(self, record):
        return f"{record.economic_class.code} {record.economic_class.name}"

    def render_procurement_method(self, record):
        return record.get_procurement_method_display() if record.procurement_method else "—"

    def render_status(self, record):
        return format_html('<span class="badge {}">{}</span>', STATUS_BADGE[record.status], record.get_status_display())

    def value_status(self, record):
        return record.get_status_display()

    def render_actions(self, record):
        links = [(self._url("expenditures:history", record.pk), _("历史"))]
        if self.can_write and record.date.month not in self.closed_months:
            links.insert(0, (self._url("expenditures:edit", record.pk), _("修改")))
            links.insert(1, (self._url("expenditures:delete", record.pk), _("删除")))
        return format_html_join(" ", '<a href="{}">{}</a>', links)


class BudgetLineListTable(TypedPaginationTable):
    date = ShortDateColumn(verbose_name=_("日期"))
    item = tables.Column(verbose_name=_("预算项目"), accessor="item__code", attrs=NOWRAP)
    item_name = tables.Column(verbose_name=_("项目名称"), accessor="item__name", orderable=False)
    kind = tables.Column(verbose_name=_("调整类型"), attrs=NOWRAP)
    source = tables.Column(verbose_name=_("资金来源"), attrs=NOWRAP)
    amount = MoneyColumn(_("金额"), shown_in=YUAN)
    document = tables.Column(verbose_name=_("文号"), attrs=NOWRAP)
    history = tables.Column(verbose_name=_("操作"), accessor="pk", orderable=False, exclude_from_export=True, attrs=NOWRAP)

    export_title = pgettext_lazy("list", "预算指标")

    class Meta:
        attrs = {"class": "table", "id": "budget-lines"}
        order_by = ("-date",)

    def __init__(self, *args, department_year, **kwargs):
        self.department_year = department_year
        self.export_prefix = department_year_prefix(department_year)
        super().__init__(*args, **kwargs)

    def render_history(self, record):
        url = reverse(
            "budget_lines:history",
            kwargs={
                "department_code": self.department_year.department.code,
                "year": self.department_year.year,
                "pk": record.pk,
            },
        )
        return format_html('<a href="{}">{}</a>', url, _("历史"))


class BudgetLineTable(tables.Table):
    date = ShortDateColumn(verbose_name=_("日期"))
    kind = tables.Column(verbose_name=_("调整类型"), attrs=NOWRAP)
    source = tables.Column(verbose_name=_("资金来源"), attrs=NOWRAP)
    amount = MoneyColumn(_("金额"), shown_in=YUAN)
    document = tables.Column(verbose_name=_("文号"), attrs=NOWRAP)

    export_title = pgettext_lazy("list", "预算指标")

    class Meta:
        model = BudgetLine
        fields = ("date", "kind", "source", "amount", "document")
        attrs = {"class": "table"}
        orderable = False


class ExpenditureTable(tables.Table):
    date = ShortDateColumn(verbose_name=_("支出日期"))
    amount = MoneyColumn(_("金额"), shown_in=YUAN)
    economic_class = tables.Column(verbose_name=_("经济分类"), accessor="economic_class_id", attrs=NOWRAP)
    memo = tables.Column(verbose_name=_("摘要"))
    voucher = tables.Column(verbose_name=_("凭证号"), attrs=NOWRAP)
    status = tables.Column(verbose_name=_("状态"), attrs=NOWRAP)

    class Meta:
        model = Expenditure
        fields = ("date", "amount", "economic_class", "memo", "voucher", "status")
        attrs = {"class": "table"}
        orderable = False
