import django_tables2 as tables
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from projects.models import BudgetItem, BudgetLine, Expenditure
from units.tables import LAG_LABELS, NUM, FiguresTable, MoneyColumn, RateColumn, lag_badge

CATEGORY_LABELS = dict(BudgetItem.Category.choices)
# The dashboards show the 20 items with the most money left unspent; the export has them all.
LAGGING_PER_PAGE = 20


class ItemTable(FiguresTable):
    """Budget items (projects.selectors.ItemRow) with their figures as of the dashboard's month."""

    code = tables.Column(verbose_name=_("项目编码"))
    name = tables.Column(verbose_name=_("项目名称"), footer=_("合计"))
    category = tables.Column(verbose_name=_("项目类别"))

    class Meta(FiguresTable.Meta):
        sequence = ("code", "name", "category", "...")

    def render_name(self, record):
        return format_html('<a href="{}">{}</a>', self.address("projects:detail", item_code=record.code), record.name)

    def value_name(self, record):
        return record.name

    def render_category(self, value):
        return CATEGORY_LABELS.get(value, value)

    def value_category(self, value):
        return str(CATEGORY_LABELS.get(value, value))


class LaggingTable(tables.Table):
    """Items behind 序时进度 (fundmgr.dashboard.LagRow), most money left unspent first."""

    code = tables.Column(verbose_name=_("项目编码"), accessor="item__code", orderable=False)
    name = tables.Column(verbose_name=_("项目名称"), accessor="item__name", orderable=False)
    unit = tables.Column(verbose_name=_("预算单位"), accessor="item__unit_name", orderable=False)
    full_year = MoneyColumn(verbose_name=_("全年预算数（万元）"), accessor="item__figures__full_year", orderable=False)
    spent = MoneyColumn(verbose_name=_("执行数（万元）"), accessor="item__figures__spent", orderable=False)
    remaining = MoneyColumn(verbose_name=_("未执行（万元）"), accessor="remaining", orderable=False)
    execution_rate = RateColumn(verbose_name=_("执行率"), accessor="item__figures__execution_rate", orderable=False)
    ratio = RateColumn(verbose_name=_("执行率 ÷ 序时进度"), accessor="ratio", orderable=False)
    status = tables.Column(verbose_name=_("进度"), orderable=False)

    class Meta:
        attrs = {"class": "table"}

    def render_name(self, record):
        return format_html('<a href="{}">{}</a>', record.url, record.item.name)

    def value_name(self, record):
        return record.item.name

    def render_status(self, value):
        return lag_badge(value)

    def value_status(self, value):
        return str(LAG_LABELS[value])


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

    def value_amount(self, value):
        return value


class ExpenditureTable(tables.Table):
    date = tables.Column(verbose_name=_("支出日期"))
    amount = tables.Column(verbose_name=_("金额（元）"), attrs=NUM)
    economic_class = tables.Column(verbose_name=_("经济分类"), accessor="economic_class_id")
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


class IndicatorStatusTable(tables.Table):
    """Indicators with their status (fundmgr.dashboard.IndicatorRow)."""

    code = tables.Column(verbose_name=_("指标编码"), accessor="indicator__code", orderable=False)
    item = tables.Column(verbose_name=_("预算项目"), accessor="item_name", orderable=False, default=_("部门整体"))
    name = tables.Column(verbose_name=_("指标名称"), accessor="indicator__name", orderable=False)
    target = tables.Column(verbose_name=_("目标值"), accessor="indicator__target", orderable=False, attrs=NUM, default="—")
    actual = tables.Column(verbose_name=_("全年完成值"), accessor="indicator__actual", orderable=False, attrs=NUM, default="—")
    points = tables.Column(verbose_name=_("分值"), accessor="score__points", orderable=False, attrs=NUM)
    earned = tables.Column(verbose_name=_("得分"), accessor="score__earned", orderable=False, attrs=NUM)
    status = tables.Column(verbose_name=_("状态"), orderable=False)

    STATUS = {
        "met": ("ok", _("达成")),
        "behind": ("bad", _("未达标")),
        "flagged": ("warn", _("需说明")),
        "open": ("", _("未填报")),
    }

    class Meta:
        attrs = {"class": "table"}

    def render_target(self, record):
        indicator = record.indicator
        if indicator.direction == "qualitative":
            return indicator.get_direction_display()
        return f"{indicator.get_direction_display()} {indicator.target.normalize():f}{indicator.unit}"

    def render_actual(self, record):
        indicator = record.indicator
        if indicator.direction == "qualitative":
            return indicator.get_tier_display() or "—"
        return "—" if indicator.actual is None else f"{indicator.actual.normalize():f}{indicator.unit}"

    def render_status(self, value):
        css, label = self.STATUS[value]
        return format_html('<span class="badge {}">{}</span>', css, label)

    def value_status(self, value):
        return str(self.STATUS[value][1])

