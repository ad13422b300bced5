"""Tables of the dashboards (department, unit, item and province pages): rows are the plain
records of fundmgr.dashboards.builder. Their columns carry their export (fundmgr.lib.columns):
money as exact yuan, rates as percent cells; `export_title` names the sheet and the file."""

import django_tables2 as tables
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from fundmgr.alerts import plan_status
from fundmgr.lib.columns import NOWRAP, NUM, MoneyColumn, RateColumn, ScoreColumn, format_rate, format_wan
from indicators.wording import target_text
from projects.models import BudgetItem

# An item or unit on pace is 正常: an empty 进度 cell read as a missing figure.
LAG_LABELS = {"red": _("严重滞后"), "yellow": _("滞后"), "": _("正常")}
CATEGORY_LABELS = dict(BudgetItem.Category.choices)
# The dashboards show the 20 items with the most money left unspent; the export has them all.
LAGGING_PER_PAGE = 20


def lag_badge(status: str) -> str:
    css = {"red": "bad", "yellow": "warn", "": "ok"}[status]
    return format_html('<span class="badge {}">{}</span>', css, LAG_LABELS[status])


class FiguresTable(tables.Table):
    """Columns shared by the unit and item tables: a scope's Figures, with footers from `totals`.
    The 进度 colour is the plan execution rate's (DOMAIN.md section 8, fundmgr.alerts.plan_status)."""

    full_year = MoneyColumn(_("全年预算数"), accessor="figures__full_year")
    spent = MoneyColumn(_("执行数"), accessor="figures__spent")
    pending = MoneyColumn(_("待审批"), accessor="figures__pending")
    remaining = MoneyColumn(_("未执行"), accessor="figures__remaining")
    execution_rate = RateColumn(verbose_name=_("执行率"), accessor="figures__execution_rate", ratio_of=("spent", "full_year"))
    plan_to_date = MoneyColumn(_("计划进度数"), accessor="figures__plan_to_date")
    plan_execution_rate = RateColumn(
        verbose_name=_("计划执行率"), accessor="figures__plan_execution_rate", ratio_of=("spent", "plan_to_date")
    )
    forecast = MoneyColumn(_("预计全年执行数"), accessor="figures__forecast")
    forecast_rate = RateColumn(
        verbose_name=_("预计执行率"), accessor="figures__forecast_rate", ratio_of=("forecast", "full_year")
    )
    lag = tables.Column(verbose_name=_("进度"), empty_values=(), orderable=False, attrs=NOWRAP)

    class Meta:
        attrs = {"class": "table"}

    def __init__(self, *args, totals, progress, month, department_year, **kwargs):
        self.progress = progress
        self.month = month
        self.department_year = department_year
        super().__init__(*args, **kwargs)
        for name in ("full_year", "spent", "pending", "remaining", "plan_to_date", "forecast"):
            self.columns[name].column._footer = format_wan(getattr(totals, name))
        for name in ("execution_rate", "plan_execution_rate", "forecast_rate"):
            self.columns[name].column._footer = format_rate(getattr(totals, name))

    def _status(self, record) -> str:
        return plan_status(record.figures)

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

    code = tables.Column(verbose_name=_("单位编码"), attrs=NOWRAP)
    name = tables.Column(verbose_name=_("预算单位"), footer=_("合计"))

    export_title = _("各预算单位执行情况")

    class Meta(FiguresTable.Meta):
        sequence = ("code", "name", "...")

    def render_name(self, record):
        return format_html('<a href="{}">{}</a>', self.address("units:detail", unit_code=record.code), record.name)

    def value_name(self, record):
        return record.name


class ItemTable(FiguresTable):
    """Budget items (projects.selectors.ItemRow) with their figures as of the dashboard's month."""

    code = tables.Column(verbose_name=_("项目编码"), attrs=NOWRAP)
    name = tables.Column(verbose_name=_("项目名称"), footer=_("合计"))
    category = tables.Column(verbose_name=_("项目类别"), attrs=NOWRAP)

    export_title = _("预算项目")

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
    """Items behind their plan (fundmgr.dashboards.builder.LagRow: the plan execution rate of
    DOMAIN.md section 8, the linear 序时进度 for an item without a plan), most money left unspent first."""

    code = tables.Column(verbose_name=_("项目编码"), accessor="item__code", orderable=False, attrs=NOWRAP)
    name = tables.Column(verbose_name=_("项目名称"), accessor="item__name", orderable=False)
    unit = tables.Column(verbose_name=_("预算单位"), accessor="item__unit_name", orderable=False)
    full_year = MoneyColumn(_("全年预算数"), accessor="item__figures__full_year", orderable=False)
    spent = MoneyColumn(_("执行数"), accessor="item__figures__spent", orderable=False)
    remaining = MoneyColumn(_("未执行"), accessor="remaining", orderable=False)
    execution_rate = RateColumn(
        verbose_name=_("执行率"), accessor="item__figures__execution_rate", orderable=False, ratio_of=("spent", "full_year")
    )
    plan_to_date = MoneyColumn(_("计划进度数"), accessor="item__figures__plan_to_date", orderable=False)
    ratio = RateColumn(verbose_name=_("计划执行率"), accessor="ratio", orderable=False, ratio_of=("spent", "plan_to_date"))
    status = tables.Column(verbose_name=_("进度"), orderable=False, attrs=NOWRAP)

    export_title = _("执行滞后的项目")

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


class IndicatorStatusTable(tables.Table):
    """Indicators with their status (fundmgr.dashboards.builder.IndicatorRow)."""

    code = tables.Column(verbose_name=_("指标编码"), accessor="indicator__code", orderable=False, attrs=NOWRAP)
    item = tables.Column(verbose_name=_("预算项目"), accessor="item_name", orderable=False, empty_values=())
    name = tables.Column(verbose_name=_("指标名称"), accessor="indicator__name", orderable=False)
    # Rendered whatever the value (定性 has no target number): the words of indicators.wording.
    target = tables.Column(verbose_name=_("目标值"), accessor="indicator__target", orderable=False, attrs=NUM, empty_values=())
    # The value known at the dashboard's month (IndicatorRow.value_text); headed by `value_label`.
    actual = tables.Column(verbose_name=_("全年完成值"), accessor="value_text", orderable=False, attrs=NUM, empty_values=())
    points = ScoreColumn(verbose_name=_("分值"), accessor="score__points", orderable=False)
    earned = ScoreColumn(verbose_name=_("得分"), accessor="earned", orderable=False)  # — before December
    status = tables.Column(verbose_name=_("状态"), orderable=False, attrs=NOWRAP)

    export_title = _("绩效指标完成情况")

    STATUS = {
        "met": ("ok", _("达成")),
        "behind": ("bad", _("未达标")),
        "flagged": ("warn", _("需说明")),
        "open": ("", _("未填报")),
        "awaiting": ("", _("待年终评价")),
    }

    class Meta:
        attrs = {"class": "table"}

    def __init__(self, *args, value_label=None, **kwargs):
        super().__init__(*args, **kwargs)
        if value_label is not None:
            self.columns["actual"].column.verbose_name = value_label

    def render_item(self, value):
        return value or _("部门整体")

    def value_item(self, value):
        return str(value or _("部门整体"))

    def render_target(self, record):
        return target_text(record.indicator)

    def value_target(self, record):
        return target_text(record.indicator)

    def render_actual(self, record):
        return record.value_text

    def value_actual(self, record):
        return record.value_text

    def render_status(self, value):
        css, label = self.STATUS[value]
        return format_html('<span class="badge {}">{}</span>', css, label)

    def value_status(self, value):
        return str(self.STATUS[value][1])


class ProvinceTable(tables.Table):
    """Every department of a year (fundmgr.dashboards.province.ProvinceRow), sortable by any column."""

    code = tables.Column(verbose_name=_("部门编码"), attrs=NOWRAP)
    name = tables.Column(verbose_name=_("部门"))
    full_year = MoneyColumn(_("全年预算数"), accessor="figures__full_year")
    spent = MoneyColumn(_("执行数"), accessor="figures__spent")
    pending = MoneyColumn(_("待审批"), accessor="figures__pending")
    execution_rate = RateColumn(
        verbose_name=_("执行率"), accessor="execution_rate", order_by=("rate_key",), ratio_of=("spent", "full_year")
    )
    plan_to_date = MoneyColumn(_("计划进度数"), accessor="figures__plan_to_date")
    plan_execution_rate = RateColumn(
        verbose_name=_("计划执行率"), accessor="figures__plan_execution_rate", ratio_of=("spent", "plan_to_date")
    )
    forecast = MoneyColumn(_("预计全年执行数"), accessor="figures__forecast")
    forecast_rate = RateColumn(
        verbose_name=_("预计执行率"), accessor="figures__forecast_rate", ratio_of=("forecast", "full_year")
    )
    # the department's colour against its plan (DOMAIN.md section 8), as on its own dashboard
    lag = tables.Column(verbose_name=_("进度"), empty_values=(), orderable=False, attrs=NOWRAP)
    score = ScoreColumn(
        verbose_name=_("自评得分"), accessor="score", default="—", order_by=("score_key",), attrs={"td": {"class": "num"}}
    )
    rating = tables.Column(verbose_name=_("评价等级"), accessor="rating", empty_values=(), order_by=("score_key",), attrs=NOWRAP)

    export_title = _("各部门预算执行情况")

    class Meta:
        attrs = {"class": "table"}

    def render_name(self, record):
        if not record.url:  # a department the viewer may not open (the finance bureau's view)
            return record.name
        return format_html('<a href="{}">{}</a>', record.url, record.name)

    def value_name(self, record):
        return record.name

    def render_lag(self, record):
        return lag_badge(plan_status(record.figures))

    def value_lag(self, record):
        return str(LAG_LABELS[plan_status(record.figures)])

    def render_rating(self, value, record):
        """The Rating's label; 草稿（未评分） for a draft (DOMAIN.md section 9); — for a department
        without indicators, as an empty score shows."""
        if record.evaluation is not None and record.evaluation.draft:
            return _("草稿（未评分）")
        return "—" if value is None else value.label

    def value_rating(self, value, record):
        return str(self.render_rating(value, record))


class AlertTable(tables.Table):
    """序时进度预警: items behind their plan (fundmgr.alerts.AlertRow), with the unit responsible."""

    unit = tables.Column(verbose_name=_("责任单位"), accessor="item__unit_name", orderable=False)
    code = tables.Column(verbose_name=_("项目编码"), accessor="item__code", orderable=False, attrs=NOWRAP)
    name = tables.Column(verbose_name=_("项目名称"), accessor="item__name", orderable=False)
    full_year = MoneyColumn(_("全年预算数"), accessor="figures__full_year", orderable=False)
    plan_to_date = MoneyColumn(_("计划进度数"), accessor="figures__plan_to_date", orderable=False)
    spent = MoneyColumn(_("执行数"), accessor="figures__spent", orderable=False)
    plan_execution_rate = RateColumn(
        verbose_name=_("计划执行率"), accessor="figures__plan_execution_rate", orderable=False, ratio_of=("spent", "plan_to_date")
    )
    status = tables.Column(verbose_name=_("预警"), orderable=False, attrs=NOWRAP)

    export_title = _("序时进度预警")

    class Meta:
        attrs = {"class": "table"}

    def __init__(self, *args, month, department_year, **kwargs):
        self.month = month
        self.department_year = department_year
        super().__init__(*args, **kwargs)

    def render_name(self, record):
        path = reverse(
            "projects:detail",
            kwargs={
                "department_code": self.department_year.department.code,
                "year": self.department_year.year,
                "item_code": record.item.code,
            },
        )
        return format_html('<a href="{}?asof={}">{}</a>', path, f"{self.department_year.year}-{self.month:02d}", record.item.name)

    def value_name(self, record):
        return record.item.name

    def render_status(self, value):
        return lag_badge(value)

    def value_status(self, value):
        return str(LAG_LABELS[value])
