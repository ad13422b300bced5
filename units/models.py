from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from fundmgr.lib.validators import validate_code


class Department(models.Model):
    """部门: the supervising body that owns budget units (DOMAIN.md section 1)."""

    code = models.CharField(_("部门编码"), max_length=32, unique=True, validators=[validate_code])
    name = models.CharField(_("部门名称"), max_length=200)

    class Meta:
        verbose_name = _("部门")
        verbose_name_plural = _("部门")
        ordering = ["code"]

    def __str__(self):
        return self.name


class BudgetUnit(models.Model):
    """预算单位. Units outlive a fiscal year; their staff figures are the latest imported."""

    class Kind(models.TextChoices):
        ADMINISTRATIVE = "administrative", _("行政单位")
        INSTITUTION = "institution", _("事业单位")
        CIVIL_SERVICE_INSTITUTION = "civil_service_institution", _("参公管理事业单位")

    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="units", verbose_name=_("部门"))
    code = models.CharField(_("单位编码"), max_length=32, validators=[validate_code])
    name = models.CharField(_("单位名称"), max_length=200)
    kind = models.CharField(_("单位性质"), max_length=32, choices=Kind.choices)
    authorized_staff = models.PositiveIntegerField(_("编制数"), null=True, blank=True)
    actual_staff = models.PositiveIntegerField(_("实有人数"), null=True, blank=True)
    retired_staff = models.PositiveIntegerField(_("退休人数"), null=True, blank=True)
    lixiu_staff = models.PositiveIntegerField(_("离休人数"), null=True, blank=True)
    position = models.PositiveIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("预算单位")
        verbose_name_plural = _("预算单位")
        ordering = ["department", "position", "code"]
        constraints = [
            models.UniqueConstraint(fields=["department", "code"], name="unit_code_unique_in_department"),
        ]

    def __str__(self):
        return self.name


class DepartmentYear(models.Model):
    """One department's fiscal year: the scope of an import, a summary and a self-evaluation."""

    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="years", verbose_name=_("部门"))
    year = models.PositiveIntegerField(_("年度"), validators=[MinValueValidator(2000), MaxValueValidator(2100)])
    # Narrative sections of the self-evaluation report, written by the finance office.
    duties = models.TextField(_("主要职能职责"), blank=True)
    key_work = models.TextField(_("年度重点工作"), blank=True)
    problems = models.TextField(_("存在的主要问题及原因分析"), blank=True)
    measures = models.TextField(_("改进措施和建议"), blank=True)
    imported_at = models.DateTimeField(_("导入时间"), null=True, blank=True)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("导入人")
    )
    # 绩效运行监控 is taken at the end of this month (issue 16): the finance office sets it, the end
    # of June by default. Read it through indicators.selectors.monitoring_month.
    monitoring_month = models.PositiveSmallIntegerField(
        _("监控月份"), default=6, validators=[MinValueValidator(1), MaxValueValidator(12)]
    )

    class Meta:
        verbose_name = _("部门年度")
        verbose_name_plural = _("部门年度")
        ordering = ["department", "-year"]
        constraints = [
            models.UniqueConstraint(fields=["department", "year"], name="department_year_unique"),
            models.CheckConstraint(condition=models.Q(year__gte=2000, year__lte=2100), name="department_year_in_range"),
            models.CheckConstraint(
                condition=models.Q(monitoring_month__gte=1, monitoring_month__lte=12), name="department_year_monitoring_month"
            ),
        ]

    def __str__(self):
        return f"{self.department.name} {self.year}"


class Membership(models.Model):
    """A user's role in a department; an accountant is tied to one unit."""

    class Role(models.TextChoices):
        FINANCE = "finance", _("财务处")
        ACCOUNTANT = "accountant", _("单位会计")
        LEADER = "leader", _("领导")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("用户"))
    department = models.ForeignKey(Department, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("部门"))
    role = models.CharField(_("角色"), max_length=16, choices=Role.choices)
    unit = models.ForeignKey(
        BudgetUnit, on_delete=models.CASCADE, null=True, blank=True, related_name="memberships", verbose_name=_("预算单位")
    )

    class Meta:
        verbose_name = _("角色分配")
        verbose_name_plural = _("角色分配")
        constraints = [
            models.UniqueConstraint(fields=["user", "department"], name="membership_one_role_per_department"),
            models.CheckConstraint(
                condition=models.Q(role="accountant", unit__isnull=False) | (~models.Q(role="accountant") & models.Q(unit__isnull=True)),
                name="membership_unit_iff_accountant",
            ),
        ]

    def __str__(self):
        return f"{self.user} · {self.get_role_display()}"


class LedgerVersion(models.Model):
    """What a department-year's pages show changes with every write to a table they read; these
    rows count those writes. Database triggers (indicators.ledger_versions, installed by migration)
    raise them in the same transaction as the write, whoever writes. The department-year's version
    (units.access.ledger_version_of) is the sum of its rows' `changes` with their latest
    `changed_at`, and cached pages are keyed by it, so a write makes every older entry unreachable.

    One row per budget item (`shard` = the item's id) and one for the department-year's own rows
    (`shard` 0): clerks posting to different items never wait for each other on this table. A
    year's pages also show the year before (the dashboards' previous-year figures), so a write
    raises its year and the next. `changed_at` is the write's time in microseconds (or one more
    than the last, should the clock stand still): a version is never one a cache has seen, even
    after the database is restored from a backup or created afresh beside a shared Redis.

    Never written by Python. No database foreign key: the triggers may raise the rows of a
    department-year while Django deletes it with its rows, in whatever order."""

    department_year = models.ForeignKey(
        DepartmentYear,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,  # the unique (department_year, shard) serves
        related_name="+",
        verbose_name=_("部门年度"),
    )
    shard = models.BigIntegerField(_("预算项目"))  # the budget item's id, 0 for the department-year's own rows
    changes = models.BigIntegerField(_("变更次数"))
    changed_at = models.BigIntegerField(_("变更时间"))  # microseconds since 1970

    class Meta:
        verbose_name = _("账套版本")
        verbose_name_plural = _("账套版本")
        constraints = [models.UniqueConstraint(fields=["department_year", "shard"], name="ledger_version_key")]
