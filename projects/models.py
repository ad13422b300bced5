from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from fundmgr.lib.validators import validate_code
from projects import arithmetic
from units.models import BudgetUnit, DepartmentYear

MONEY = {"max_digits": 16, "decimal_places": 2}


class EconomicClass(models.Model):
    """部门预算支出经济分类: reference data (DOMAIN.md sections 6 and 9), the full list of the edition
    named in projects.economic_classes.EDITION, loaded by data migrations."""

    code = models.CharField(_("经济分类编码"), max_length=5, primary_key=True)
    name = models.CharField(_("经济分类名称"), max_length=100)
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children", verbose_name=_("类")
    )

    class Meta:
        verbose_name = _("经济分类")
        verbose_name_plural = _("经济分类")
        ordering = ["code"]

    def __str__(self):
        return f"{self.code} {self.name}"

    @property
    def class_code(self) -> str:
        """The 3-digit class (类) this code belongs to."""
        return self.code[:3]


class BudgetItem(models.Model):
    """预算项目: what money is appropriated to, within one unit and one department-year."""

    class Category(models.TextChoices):
        PERSONNEL = "personnel", _("人员类")
        OPERATING = "operating", _("运转类")
        PROJECT = "project", _("特定目标类")

    department_year = models.ForeignKey(
        DepartmentYear, on_delete=models.CASCADE, related_name="items", verbose_name=_("部门年度")
    )
    unit = models.ForeignKey(BudgetUnit, on_delete=models.PROTECT, related_name="items", verbose_name=_("预算单位"))
    code = models.CharField(_("项目编码"), max_length=64, validators=[validate_code])
    name = models.CharField(_("项目名称"), max_length=200)
    category = models.CharField(_("项目类别"), max_length=16, choices=Category.choices)
    procurement_required = models.BooleanField(_("须政府采购"), default=False)
    position = models.PositiveIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("预算项目")
        verbose_name_plural = _("预算项目")
        ordering = ["department_year", "position", "code"]
        constraints = [
            models.UniqueConstraint(fields=["department_year", "code"], name="item_code_unique_in_year"),
        ]

    def __str__(self):
        return f"{self.code} {self.name}"


class BudgetLine(models.Model):
    """预算指标: one dated amount given to (or withdrawn from) a budget item."""

    class Source(models.TextChoices):
        SUPERIOR = "superior", _("上级安排")
        LOCAL = "local", _("本级财政")
        OTHER = "other", _("其他资金")

    class Kind(models.TextChoices):
        INITIAL = "initial", _("年初预算")
        ADDITION = "addition", _("年中追加")
        REDUCTION = "reduction", _("年中调减")
        CARRYOVER = "carryover", _("上年结转")
        # The two sides of a BudgetTransfer (预算调剂, DOMAIN.md section 8): written by its services only.
        TRANSFER_OUT = "transfer_out", _("调出")
        TRANSFER_IN = "transfer_in", _("调入")

    # The kinds only a BudgetTransfer writes: never entered as lines (forms, admin, workbook lines sheet).
    TRANSFER_KINDS = (Kind.TRANSFER_OUT, Kind.TRANSFER_IN)

    item = models.ForeignKey(BudgetItem, on_delete=models.CASCADE, related_name="lines", verbose_name=_("预算项目"))
    source = models.CharField(_("资金来源"), max_length=16, choices=Source.choices)
    kind = models.CharField(_("调整类型"), max_length=16, choices=Kind.choices)
    amount = models.DecimalField(_("金额（元）"), **MONEY)
    date = models.DateField(_("日期"))
    document = models.CharField(_("文号"), max_length=100, blank=True)
    created_at = models.DateTimeField(_("录入时间"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("录入人")
    )
    # The transfer a transfer_out / transfer_in line is one side of; it goes with its transfer.
    transfer = models.ForeignKey(
        "BudgetTransfer", on_delete=models.CASCADE, null=True, blank=True, related_name="lines", verbose_name=_("预算调剂")
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("预算指标")
        verbose_name_plural = _("预算指标")
        ordering = ["item", "date", "id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gt=Decimal("0")), name="budget_line_amount_positive"),
            models.CheckConstraint(
                condition=(
                    models.Q(kind__in=["transfer_out", "transfer_in"], transfer__isnull=False)
                    | (~models.Q(kind__in=["transfer_out", "transfer_in"]) & models.Q(transfer__isnull=True))
                ),
                name="budget_line_transfer_iff_transfer_kind",
            ),
        ]
        indexes = [models.Index(fields=["item", "date"])]

    def __str__(self):
        return f"{self.get_kind_display()} {self.amount}"

    @property
    def signed_amount(self) -> Decimal:
        """What this line adds to the item's budget: a reduction subtracts (projects.arithmetic.signed_amount)."""
        return arithmetic.signed_amount(kind=self.kind, amount=self.amount)


class BudgetTransfer(models.Model):
    """预算调剂 (DOMAIN.md section 8): money moved from one item to another of the same department-year.

    Its ledger effect is two budget lines, `transfer_out` on the source item and `transfer_in`
    on the target, same source, amount, date and document, created when the transfer takes
    effect (at once, or on its 三重一大 approval when the amount is at or above
    settings.APPROVAL_THRESHOLD) and deleted with it. A pending or rejected transfer has no lines,
    so it counts nowhere. Written by projects.services only.
    """

    class Status(models.TextChoices):
        APPROVED = "approved", _("已生效")
        PENDING = "pending", _("待审批")
        REJECTED = "rejected", _("已驳回")

    department_year = models.ForeignKey(
        DepartmentYear, on_delete=models.CASCADE, related_name="transfers", verbose_name=_("部门年度")
    )
    # RESTRICT: an item with a transfer cannot be deleted alone (its counterpart would lose its
    # money), but goes with its whole department-year.
    from_item = models.ForeignKey(
        BudgetItem, on_delete=models.RESTRICT, related_name="transfers_out", verbose_name=_("调出项目")
    )
    to_item = models.ForeignKey(BudgetItem, on_delete=models.RESTRICT, related_name="transfers_in", verbose_name=_("调入项目"))
    source = models.CharField(_("资金来源"), max_length=16, choices=BudgetLine.Source.choices)
    amount = models.DecimalField(_("金额（元）"), **MONEY)
    date = models.DateField(_("日期"))
    document = models.CharField(_("文号"), max_length=100, blank=True)
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.APPROVED)
    created_at = models.DateTimeField(_("录入时间"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("录入人")
    )
    # 三重一大 decision, recorded on approval or rejection, as on an expenditure.
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("审批人")
    )
    decided_at = models.DateTimeField(_("审批时间"), null=True, blank=True)
    meeting_date = models.DateField(_("党组会日期"), null=True, blank=True)
    minutes_number = models.CharField(_("会议纪要号"), max_length=64, blank=True)
    rejection_reason = models.TextField(_("驳回理由"), blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("预算调剂")
        verbose_name_plural = _("预算调剂")
        ordering = ["department_year", "date", "id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gt=Decimal("0.00")), name="budget_transfer_amount_positive"),
            models.CheckConstraint(condition=~models.Q(from_item=models.F("to_item")), name="budget_transfer_distinct_items"),
        ]

    def __str__(self):
        return f"{self.date} {self.from_item_id}→{self.to_item_id} {self.amount}"


class SpendingPlan(models.Model):
    """用款计划 (DOMAIN.md section 8): what an item plans to spend in one month of its year."""

    item = models.ForeignKey(BudgetItem, on_delete=models.CASCADE, related_name="plan", verbose_name=_("预算项目"))
    month = models.PositiveSmallIntegerField(_("月份"), validators=[MinValueValidator(1), MaxValueValidator(12)])
    amount = models.DecimalField(_("金额（元）"), validators=[MinValueValidator(Decimal("0.00"))], **MONEY)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("用款计划")
        verbose_name_plural = _("用款计划")
        ordering = ["item", "month"]
        constraints = [
            models.UniqueConstraint(fields=["item", "month"], name="spending_plan_one_row_per_month"),
            models.CheckConstraint(condition=models.Q(month__gte=1, month__lte=12), name="spending_plan_month_valid"),
            models.CheckConstraint(condition=models.Q(amount__gte=Decimal("0.00")), name="spending_plan_amount_not_negative"),
        ]

    def __str__(self):
        return f"{self.month} {self.amount}"


class Expenditure(models.Model):
    """支出: spending against a budget item. Only approved spending counts as spent."""

    class Status(models.TextChoices):
        APPROVED = "approved", _("已生效")
        PENDING = "pending", _("待审批")
        REJECTED = "rejected", _("已驳回")

    class Procurement(models.TextChoices):
        NONE = "", _("非政府采购")
        OPEN_TENDER = "open_tender", _("公开招标")
        INVITED_TENDER = "invited_tender", _("邀请招标")
        NEGOTIATION = "negotiation", _("竞争性谈判")
        INQUIRY = "inquiry", _("询价")
        SINGLE_SOURCE = "single_source", _("单一来源")

    item = models.ForeignKey(BudgetItem, on_delete=models.CASCADE, related_name="expenditures", verbose_name=_("预算项目"))
    date = models.DateField(_("支出日期"))
    amount = models.DecimalField(_("金额（元）"), **MONEY)
    economic_class = models.ForeignKey(
        EconomicClass, on_delete=models.PROTECT, related_name="expenditures", verbose_name=_("经济分类")
    )
    memo = models.CharField(_("摘要"), max_length=500, blank=True)
    voucher = models.CharField(_("凭证号"), max_length=64, blank=True)
    procurement_method = models.CharField(
        _("采购方式"), max_length=16, choices=Procurement.choices, blank=True, default=Procurement.NONE
    )
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.APPROVED)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("录入人")
    )
    entered_at = models.DateTimeField(_("录入时间"), auto_now_add=True)
    # 三重一大 decision, recorded on approval or rejection.
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("审批人")
    )
    decided_at = models.DateTimeField(_("审批时间"), null=True, blank=True)
    meeting_date = models.DateField(_("党组会日期"), null=True, blank=True)
    minutes_number = models.CharField(_("会议纪要号"), max_length=64, blank=True)
    rejection_reason = models.TextField(_("驳回理由"), blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("支出明细")
        verbose_name_plural = _("支出明细")
        ordering = ["item", "date", "id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gt=Decimal("0")), name="expenditure_amount_positive"),
        ]
        indexes = [
            models.Index(fields=["item", "date"]),
            models.Index(fields=["item", "status", "date"]),
        ]

    def __str__(self):
        return f"{self.date} {self.amount}"


class MonthlySpending(models.Model):
    """Monthly rollup of expenditures per (item, month, 3-digit economic class, status) .

    A derived cache for the dashboards and the province view, never written by Python: database
    triggers on projects_expenditure (projects.rollups, installed by the initial migration) update it in the
    same transaction as every insert, update and delete, whoever writes — the ledger services,
    the workbook importer, the admin, bulk inserts. `manage.py verify_rollups` compares it with
    the raw sums and can rebuild it.
    """

    # No database foreign key: rows follow their expenditures through the triggers, and must
    # not stand in the way when an item and its expenditures are deleted together.
    item = models.ForeignKey(BudgetItem, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+")
    period = models.DateField(_("月份"), help_text="first day of the month")
    class_code = models.CharField(_("经济分类"), max_length=3)
    status = models.CharField(_("状态"), max_length=16)
    amount = models.DecimalField(_("金额（元）"), max_digits=18, decimal_places=2)
    entries = models.IntegerField(_("笔数"))

    class Meta:
        verbose_name = _("月度支出汇总")
        verbose_name_plural = _("月度支出汇总")
        constraints = [
            models.UniqueConstraint(fields=["item", "period", "class_code", "status"], name="monthly_spending_key"),
        ]


class MonthClose(models.Model):
    """A closed month of a department-year: nothing dated in it may be created, edited or deleted."""

    department_year = models.ForeignKey(DepartmentYear, on_delete=models.CASCADE, related_name="closed_months")
    month = models.PositiveSmallIntegerField(_("月份"), validators=[MinValueValidator(1), MaxValueValidator(12)])
    closed_at = models.DateTimeField(_("结账时间"), auto_now_add=True)
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("结账人"))
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("月结")
        verbose_name_plural = _("月结")
        ordering = ["department_year", "month"]
        constraints = [
            models.UniqueConstraint(fields=["department_year", "month"], name="month_close_unique"),
            models.CheckConstraint(condition=models.Q(month__gte=1, month__lte=12), name="month_close_month_valid"),
        ]


class YearClose(models.Model):
    """年终结转 (DOMAIN.md section 8): the record that a department-year was closed, written by
    projects.yearend.close_year. A year is closed once: its presence refuses a second run."""

    department_year = models.OneToOneField(
        DepartmentYear, on_delete=models.CASCADE, related_name="year_close", verbose_name=_("部门年度")
    )
    next_year = models.ForeignKey(
        DepartmentYear, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("结转至年度")
    )
    carried_total = models.DecimalField(_("结转合计（元）"), **MONEY)
    lapsed_total = models.DecimalField(_("结余合计（元）"), **MONEY)
    closed_at = models.DateTimeField(_("结转时间"), auto_now_add=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("操作人")
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("年终结转")
        verbose_name_plural = _("年终结转")
        ordering = ["department_year"]

    def __str__(self):
        return str(self.department_year)
