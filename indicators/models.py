from django.db import models
from django.utils.translation import gettext, gettext_noop
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from fundmgr.lib.validators import validate_code
from projects.models import BudgetItem
from units.models import DepartmentYear

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
    rate = models.DecimalField(_("得分率（%）"), max_digits=6, decimal_places=2, null=True, blank=True)
    deviation_reason = models.TextField(_("偏差原因分析"), blank=True)
    corrective_measures = models.TextField(_("改进措施"), blank=True)
    # Set when the finance office saves the year-end results as final: a missed target
    # cannot be final without a deviation reason and corrective measures (DOMAIN.md section 3.7).
    results_final = models.BooleanField(_("自评结果已定稿"), default=False)
    position = models.PositiveIntegerField(_("排序"), default=0)
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
        ]

    def __str__(self):
        return f"{self.code} {self.name}"

    @property
    def level2_label(self) -> str:
        """二级指标 in the active language when it is a standard name, else as stored."""
        return gettext(self.level2) if self.level2 in LEVEL2_NAMES else self.level2
