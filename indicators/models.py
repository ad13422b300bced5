from django.conf import settings
from django.db import models
from django.utils.translation import gettext, gettext_noop
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from fundmgr.lib.validators import validate_code
from projects.models import BudgetItem
from units.models import Department, DepartmentYear

VALUE = {"max_digits": 20, "decimal_places": 4, "null": True, "blank": True}

# The standard 二级指标 (DOMAIN.md section 1). Indicator.level2 keeps the name the workbook gave, in
# Chinese (the import format); a standard name is shown in the reader's language.
LEVEL2_NAMES = (
    gettext_noop("数量"),
    gettext_noop("质量"),
    gettext_noop("时效"),
    gettext_noop("成本"),
    gettext_noop("经济效益"),
    gettext_noop("社会效益"),
    gettext_noop("生态效益"),
    gettext_noop("可持续影响"),
    gettext_noop("服务对象满意度"),
)


# The 二级指标 allowed under each 一级指标 (DOMAIN.md section 1), as target declarations check them.
LEVEL2_BY_LEVEL1 = {
    "output": LEVEL2_NAMES[0:4],
    "benefit": LEVEL2_NAMES[4:8],
    "satisfaction": LEVEL2_NAMES[8:9],
}


# A target or value as written in a 自评表 cell (DOMAIN.md section 9).
TEXT_VALUE_MAX = 100


class MonitoringCause(models.TextChoices):
    """偏差原因 of the 绩效运行监控表 (issue 16): the standard table's five categories."""

    FUNDING = "funding", _("经费保障")
    SYSTEM = "system", _("制度保障")
    STAFFING = "staffing", _("人员保障")
    HARDWARE = "hardware", _("硬件条件保障")
    OTHER = "other", _("其他")


class Indicator(models.Model):
    """绩效指标: a measurable target with a points weight (DOMAIN.md sections 1 and 3).

    An indicator without an item is a department-level indicator.
    """

    class Level1(models.TextChoices):
        OUTPUT = "output", _("产出指标")
        BENEFIT = "benefit", _("效益指标")
        SATISFACTION = "satisfaction", _("满意度指标")

    class Direction(models.TextChoices):
        AT_LEAST = "ge", "≥"
        AT_MOST = "le", "≤"
        EQUAL = "eq", "="
        QUALITATIVE = "qualitative", _("定性")

    class Tier(models.TextChoices):
        ACHIEVED = "achieved", _("达成")
        PARTLY = "partly", _("部分达成")
        NOT_ACHIEVED = "not_achieved", _("未达成")

    class Likelihood(models.TextChoices):
        """完成目标可能性 of the 绩效运行监控表."""

        CERTAIN = "certain", _("确定能")
        POSSIBLE = "possible", _("有可能")
        IMPOSSIBLE = "impossible", _("完全不可能")

    department_year = models.ForeignKey(
        DepartmentYear, on_delete=models.CASCADE, related_name="indicators", verbose_name=_("部门年度")
    )
    item = models.ForeignKey(
        BudgetItem, on_delete=models.CASCADE, null=True, blank=True, related_name="indicators", verbose_name=_("预算项目")
    )
    code = models.CharField(_("指标编码"), max_length=64, validators=[validate_code])
    level1 = models.CharField(_("一级指标"), max_length=16, choices=Level1.choices)
    level2 = models.CharField(_("二级指标"), max_length=32)
    name = models.CharField(_("指标名称"), max_length=300)
    direction = models.CharField(_("指标方向"), max_length=16, choices=Direction.choices)
    target = models.DecimalField(_("目标值"), **VALUE)
    unit = models.CharField(_("计量单位"), max_length=32, blank=True)
    points = models.DecimalField(_("分值"), max_digits=6, decimal_places=2, null=True, blank=True)
    midyear = models.DecimalField(_("半年完成值"), **VALUE)
    actual = models.DecimalField(_("全年完成值"), **VALUE)
    tier = models.CharField(_("定性等级"), max_length=16, choices=Tier.choices, blank=True)
    # The target and values as written (`≥200平方米`, `12月底前`, `达到预期`; DOMAIN.md section 9),
    # beside the parsed figures above, which stay the scoring inputs. Blank when entered as numbers.
    target_text = models.CharField(_("目标值（原文）"), max_length=TEXT_VALUE_MAX, blank=True)
    midyear_text = models.CharField(_("半年完成值（原文）"), max_length=TEXT_VALUE_MAX, blank=True)
    actual_text = models.CharField(_("全年完成值（原文）"), max_length=TEXT_VALUE_MAX, blank=True)
    rate = models.DecimalField(_("得分率（%）"), max_digits=6, decimal_places=2, null=True, blank=True)
    deviation_reason = models.TextField(_("偏差原因分析"), blank=True)
    corrective_measures = models.TextField(_("改进措施"), blank=True)
    # Set when the finance office saves the year-end results as final: a missed target
    # cannot be final without a deviation reason and corrective measures (DOMAIN.md section 3.7).
    results_final = models.BooleanField(_("自评结果已定稿"), default=False)
    position = models.PositiveIntegerField(_("排序"), default=0)
    # The key of a ledger formula (indicators.formulas.FORMULAS) when the indicator takes its
    # values from the ledger instead of typed ones; blank for a typed indicator. The list of
    # formulas is data, not choices: a province's list differs.
    formula = models.CharField(_("取数公式"), max_length=32, blank=True)
    # 绩效运行监控 (issue 16), at the department-year's monitoring month: `midyear` above is the
    # value at that month (监控期完成值); these are the 全年预计完成值 (parsed with
    # indicators.targets like the other values, the text kept beside it), the 偏差原因 and its
    # text, the 完成目标可能性 and the 纠偏措施. Written by indicators.services.indicator_set_monitoring.
    forecast = models.DecimalField(_("全年预计完成值"), **VALUE)
    forecast_text = models.CharField(_("全年预计完成值（原文）"), max_length=TEXT_VALUE_MAX, blank=True)
    monitoring_cause = models.CharField(_("偏差原因"), max_length=16, choices=MonitoringCause.choices, blank=True)
    monitoring_cause_text = models.TextField(_("偏差原因说明"), blank=True)
    likelihood = models.CharField(_("完成目标可能性"), max_length=16, choices=Likelihood.choices, blank=True)
    monitoring_measures = models.TextField(_("纠偏措施"), blank=True)
    # The evaluator's 得分 when it differs from the formula's (DOMAIN.md section 9): the score uses
    # it, the 自评表 shows both, with the reason and who wrote it when. Set through
    # indicators.services.indicator_set_override; the formula's figure is always recomputed.
    override_earned = models.DecimalField(_("评价人得分"), max_digits=6, decimal_places=2, null=True, blank=True)
    override_reason = models.TextField(_("调整理由"), blank=True)
    override_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("调整人"),
    )
    override_at = models.DateTimeField(_("调整时间"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("绩效指标")
        verbose_name_plural = _("绩效指标")
        ordering = ["department_year", "position", "code"]
        constraints = [
            models.UniqueConstraint(fields=["department_year", "code"], name="indicator_code_unique_in_year"),
            models.CheckConstraint(
                condition=models.Q(points__isnull=True) | models.Q(points__gt=0), name="indicator_points_positive"
            ),
            models.CheckConstraint(
                condition=models.Q(rate__isnull=True) | models.Q(rate__gte=0, rate__lte=100), name="indicator_rate_percent"
            ),
            # An override is never negative and always has its reason (the upper bound, the
            # indicator's points, may be a default split: indicators.services checks it).
            models.CheckConstraint(
                condition=models.Q(override_earned__isnull=True)
                | (models.Q(override_earned__gte=0) & ~models.Q(override_reason="")),
                name="indicator_override_with_reason",
            ),
            models.CheckConstraint(
                condition=models.Q(monitoring_cause__in=["", *MonitoringCause.values]), name="indicator_monitoring_cause"
            ),
            models.CheckConstraint(
                condition=models.Q(likelihood__in=["", "certain", "possible", "impossible"]), name="indicator_likelihood"
            ),
        ]

    def __str__(self):
        return f"{self.code} {self.name}"

    @property
    def level2_label(self) -> str:
        """二级指标 in the active language when it is a standard name, else as stored."""
        return gettext(self.level2) if self.level2 in LEVEL2_NAMES else self.level2


class ScoringProfile(models.Model):
    """评分设置 of a department-year, or of one of its items that differs from it (DOMAIN.md
    section 9). A scope without its own profile uses its department-year's, and a department-year
    without one the defaults, which are section 3 exactly (indicators.scoring.DEFAULT_PROFILE)."""

    class ExecutionPoints(models.IntegerChoices):
        TEN = 10, _("10分（默认）")
        TWENTY = 20, _("20分")
        NONE = 0, _("0分（不评预算执行率）")

    class Rounding(models.TextChoices):
        CENTS = "2", _("保留2位小数（默认）")
        ONE = "1", _("保留1位小数")
        WHOLE = "0", _("取整数")

    department_year = models.ForeignKey(
        DepartmentYear, on_delete=models.CASCADE, related_name="scoring_profiles", verbose_name=_("部门年度")
    )
    item = models.ForeignKey(
        BudgetItem,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="scoring_profiles",
        verbose_name=_("预算项目"),
    )
    execution_points = models.PositiveSmallIntegerField(
        _("预算执行率分值"), choices=ExecutionPoints.choices, default=ExecutionPoints.TEN
    )
    rounding = models.CharField(_("得分保留小数位"), max_length=1, choices=Rounding.choices, default=Rounding.CENTS)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("评分设置")
        verbose_name_plural = _("评分设置")
        constraints = [
            models.UniqueConstraint(
                fields=["department_year", "item"],
                condition=models.Q(item__isnull=False),
                name="scoring_profile_unique_per_item",
            ),
            models.UniqueConstraint(
                fields=["department_year"], condition=models.Q(item__isnull=True), name="scoring_profile_unique_default"
            ),
            models.CheckConstraint(condition=models.Q(execution_points__in=[10, 20, 0]), name="scoring_profile_execution_points"),
            models.CheckConstraint(condition=models.Q(rounding__in=["2", "1", "0"]), name="scoring_profile_rounding"),
        ]

    def __str__(self):
        return f"{self.department_year} {self.item.code if self.item_id else ''} {self.execution_points}/{self.rounding}"


# 年度总体目标 texts are bounded (DOMAIN.md section 9): one paragraph each in the 自评表.
GOAL_TEXT_MAX = 2000


class AnnualGoal(models.Model):
    """年度总体目标 of a department-year (item null) or of one of its items: 预期目标 and
    实际完成情况, the block that heads the 自评表 (DOMAIN.md sections 9 and 10)."""

    department_year = models.ForeignKey(
        DepartmentYear, on_delete=models.CASCADE, related_name="annual_goals", verbose_name=_("部门年度")
    )
    item = models.ForeignKey(
        BudgetItem,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="annual_goals",
        verbose_name=_("预算项目"),
    )
    expected = models.TextField(_("预期目标"), blank=True)
    achieved = models.TextField(_("实际完成情况"), blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("年度总体目标")
        verbose_name_plural = _("年度总体目标")
        constraints = [
            models.UniqueConstraint(
                fields=["department_year", "item"],
                condition=models.Q(item__isnull=False),
                name="annual_goal_unique_per_item",
            ),
            models.UniqueConstraint(
                fields=["department_year"], condition=models.Q(item__isnull=True), name="annual_goal_unique_department"
            ),
        ]

    def __str__(self):
        return f"{self.department_year} {self.item.code if self.item_id else ''}"


class QualitativePhrase(models.Model):
    """A department's own list of qualitative phrases (达到预期 → 达成; DOMAIN.md section 9). A
    department without rows reads with indicators.targets.DEFAULT_PHRASES; once the finance office
    edits the list, its rows are the list."""

    department = models.ForeignKey(
        Department, on_delete=models.CASCADE, related_name="qualitative_phrases", verbose_name=_("部门")
    )
    phrase = models.CharField(_("定性表述"), max_length=TEXT_VALUE_MAX)
    tier = models.CharField(_("定性等级"), max_length=16, choices=Indicator.Tier.choices)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("定性表述")
        verbose_name_plural = _("定性表述")
        ordering = ["department", "tier", "phrase"]
        constraints = [
            models.UniqueConstraint(fields=["department", "phrase"], name="qualitative_phrase_unique_in_department"),
            models.CheckConstraint(
                condition=models.Q(tier__in=["achieved", "partly", "not_achieved"]), name="qualitative_phrase_tier"
            ),
        ]

    def __str__(self):
        return f"{self.phrase} → {self.get_tier_display()}"


class EvaluationUpload(models.Model):
    """A filled 自评表 the finance office loaded into the evaluation of an item (or of the
    department, item null; DOMAIN.md section 10): who loaded which file when, the table's declared
    and recomputed 总分, and the check's findings, kept so that they stay visible beside the
    overrides the upload set. An audit record: written once, never edited."""

    department_year = models.ForeignKey(
        DepartmentYear, on_delete=models.CASCADE, related_name="evaluation_uploads", verbose_name=_("部门年度")
    )
    item = models.ForeignKey(
        BudgetItem,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="evaluation_uploads",
        verbose_name=_("预算项目"),
    )
    file_name = models.CharField(_("文件名"), max_length=255)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("上传人"),
    )
    uploaded_at = models.DateTimeField(_("上传时间"))
    # In the table's own precision (2 decimals at most); null when the table leaves it blank, or
    # when a figure the recomputation needs cannot be read.
    declared_score = models.DecimalField(_("填报总分"), max_digits=8, decimal_places=2, null=True, blank=True)
    computed_score = models.DecimalField(_("复核总分"), max_digits=8, decimal_places=2, null=True, blank=True)
    # [{"row": 15, "kind": "score_override", "message": "第15行 …"}]: the checker's findings (fundmgr.review.checker).
    findings = models.JSONField(_("复核发现"), default=list, blank=True)
    # [{"row": 18 or null, "message": "…"}]: table rows matched to no indicator, and indicators to no row.
    unmatched = models.JSONField(_("未匹配的指标"), default=list, blank=True)

    class Meta:
        verbose_name = _("自评表上传")
        verbose_name_plural = _("自评表上传")
        ordering = ["-uploaded_at", "-id"]

    def __str__(self):
        return f"{self.department_year} {self.item.code if self.item_id else ''} {self.file_name}"


class ItemMonitoring(models.Model):
    """The 项目支出绩效运行监控表's own entries for one budget item (issue 16): the 偏差原因 of its
    execution (category and text), 是否需要纠偏 and the 纠偏措施. The figures beside them (年初预算,
    全年预算, executed, 执行率, 全年预计执行数) come from the ledger (projects.selectors), never
    from here. Written by indicators.services.item_monitoring_set."""

    department_year = models.ForeignKey(
        DepartmentYear, on_delete=models.CASCADE, related_name="item_monitorings", verbose_name=_("部门年度")
    )
    item = models.OneToOneField(BudgetItem, on_delete=models.CASCADE, related_name="monitoring", verbose_name=_("预算项目"))
    cause = models.CharField(_("偏差原因"), max_length=16, choices=MonitoringCause.choices, blank=True)
    cause_text = models.TextField(_("偏差原因说明"), blank=True)
    needs_correction = models.BooleanField(_("是否需要纠偏"), default=False)
    measures = models.TextField(_("纠偏措施"), blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("项目运行监控")
        verbose_name_plural = _("项目运行监控")
        constraints = [
            models.CheckConstraint(condition=models.Q(cause__in=["", *MonitoringCause.values]), name="item_monitoring_cause"),
        ]

    def __str__(self):
        return f"{self.department_year} {self.item.code}"


# The fields of an indicator that a 绩效目标申报表 declares (issue 16): what a version of the targets
# holds, what approving it writes onto the scope's Indicator rows, what the diff compares and what
# the indicator admin never edits. The typed results (半年/全年完成值, 定性等级 …) are not declared.
DECLARED_FIELDS = ("code", "level1", "level2", "name", "direction", "target", "target_text", "unit", "points", "formula")


class TargetDeclaration(models.Model):
    """One version of the performance targets of a scope: the department-year (item null) or one
    of its items (绩效目标申报表, 目标调整). The scope's Indicator rows are the version in force:
    approving a version writes its snapshot onto them (indicators.declarations), so only approved
    targets are ever scored. Earlier versions stay readable; a version is never deleted."""

    class Kind(models.TextChoices):
        DECLARATION = "declaration", _("申报")
        ADJUSTMENT = "adjustment", _("调整")
        IMPORT = "import", _("导入")

    class State(models.TextChoices):
        DRAFT = "draft", _("草稿")
        SUBMITTED = "submitted", _("已提交")
        APPROVED = "approved", _("已批准")
        REJECTED = "rejected", _("已退回")
        SUPERSEDED = "superseded", _("已被取代")

    OPEN_STATES = (State.DRAFT, State.SUBMITTED)

    department_year = models.ForeignKey(
        DepartmentYear, on_delete=models.CASCADE, related_name="target_declarations", verbose_name=_("部门年度")
    )
    item = models.ForeignKey(
        BudgetItem,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="target_declarations",
        verbose_name=_("预算项目"),
    )
    version = models.PositiveIntegerField(_("版本"))
    kind = models.CharField(_("类型"), max_length=16, choices=Kind.choices)
    state = models.CharField(_("状态"), max_length=16, choices=State.choices, default=State.DRAFT)
    reason = models.TextField(_("调整理由"), blank=True)
    goal = models.TextField(_("年度总体目标"), blank=True)
    # [{field: value for field in DECLARED_FIELDS}], in the declared order; target and points as
    # decimal strings (or None), so that the snapshot reads back exactly.
    indicators = models.JSONField(_("绩效指标"), default=list, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("创建人")
    )
    created_at = models.DateTimeField(_("创建时间"))
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("提交人")
    )
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("审批人")
    )
    decided_at = models.DateTimeField(_("审批时间"), null=True, blank=True)
    decision_note = models.TextField(_("审批意见"), blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("绩效目标申报")
        verbose_name_plural = _("绩效目标申报")
        ordering = ["department_year_id", "item_id", "version"]  # the columns: no join (FOR UPDATE on PostgreSQL)
        constraints = [
            models.UniqueConstraint(
                fields=["department_year", "item", "version"],
                condition=models.Q(item__isnull=False),
                name="declaration_version_unique_per_item",
            ),
            models.UniqueConstraint(
                fields=["department_year", "version"],
                condition=models.Q(item__isnull=True),
                name="declaration_version_unique_department",
            ),
            # at most one open (draft or submitted) version, and one in force, per scope
            models.UniqueConstraint(
                fields=["department_year", "item"],
                condition=models.Q(item__isnull=False, state__in=["draft", "submitted"]),
                name="declaration_one_open_per_item",
            ),
            models.UniqueConstraint(
                fields=["department_year"],
                condition=models.Q(item__isnull=True, state__in=["draft", "submitted"]),
                name="declaration_one_open_department",
            ),
            models.UniqueConstraint(
                fields=["department_year", "item"],
                condition=models.Q(item__isnull=False, state="approved"),
                name="declaration_one_approved_per_item",
            ),
            models.UniqueConstraint(
                fields=["department_year"],
                condition=models.Q(item__isnull=True, state="approved"),
                name="declaration_one_approved_department",
            ),
            models.CheckConstraint(condition=models.Q(version__gte=1), name="declaration_version_positive"),
            models.CheckConstraint(
                condition=~models.Q(kind="adjustment") | ~models.Q(reason=""), name="declaration_adjustment_reason"
            ),
            models.CheckConstraint(condition=models.Q(kind__in=["declaration", "adjustment", "import"]), name="declaration_kind"),
            models.CheckConstraint(
                condition=models.Q(state__in=["draft", "submitted", "approved", "rejected", "superseded"]),
                name="declaration_state",
            ),
        ]

    def __str__(self):
        return f"{self.department_year} {self.item.code if self.item_id else ''} v{self.version}"

    @property
    def is_open(self) -> bool:
        return self.state in self.OPEN_STATES


class Evidence(models.Model):
    """佐证材料: a file proving a year-end value, attached to one indicator or to an evaluation (an
    item's, or the department's when item is null). Written and deleted only through
    indicators.evidence, which checks the file by its content; the stored name is random, under
    evidence/<department>/<year>/, and the file is downloaded only through the download view."""

    class Kind(models.TextChoices):
        PDF = "pdf", "PDF"
        JPEG = "jpeg", "JPEG"
        PNG = "png", "PNG"
        DOCX = "docx", "Word (DOCX)"
        XLSX = "xlsx", "Excel (XLSX)"

    department_year = models.ForeignKey(
        DepartmentYear, on_delete=models.CASCADE, related_name="evidence", verbose_name=_("部门年度")
    )
    item = models.ForeignKey(
        BudgetItem, on_delete=models.CASCADE, null=True, blank=True, related_name="evidence", verbose_name=_("预算项目")
    )
    indicator = models.ForeignKey(
        Indicator, on_delete=models.CASCADE, null=True, blank=True, related_name="evidence", verbose_name=_("绩效指标")
    )
    file = models.FileField(_("存储文件"), max_length=255)
    original_name = models.CharField(_("文件名"), max_length=255)
    kind = models.CharField(_("文件类型"), max_length=8, choices=Kind.choices)
    size = models.PositiveBigIntegerField(_("文件大小（字节）"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("上传人"),
    )
    uploaded_at = models.DateTimeField(_("上传时间"))
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("佐证材料")
        verbose_name_plural = _("佐证材料")
        ordering = ["uploaded_at", "id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(size__gt=0), name="evidence_size_positive"),
            models.CheckConstraint(condition=models.Q(kind__in=["pdf", "jpeg", "png", "docx", "xlsx"]), name="evidence_kind"),
        ]

    def __str__(self):
        return self.original_name
