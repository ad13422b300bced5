"""Writes on departments, units and roles."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from units.models import BudgetUnit, Department, DepartmentYear, Membership

UNIT_FIELDS = ("code", "name", "kind", "authorized_staff", "actual_staff", "retired_staff", "lixiu_staff", "position")


def budget_unit_create(
    *,
    department: Department,
    code: str,
    name: str,
    kind: str,
    authorized_staff: int | None = None,
    actual_staff: int | None = None,
    retired_staff: int | None = None,
    lixiu_staff: int | None = None,
    position: int = 0,
) -> BudgetUnit:
    """Add a budget unit to a department (its code unique in the department)."""
    unit = BudgetUnit(
        department=department, code=code, name=name, kind=kind, authorized_staff=authorized_staff,
        actual_staff=actual_staff, retired_staff=retired_staff, lixiu_staff=lixiu_staff, position=position,
    )
    unit.full_clean()
    unit.save()
    return unit


def budget_unit_update(
    *,
    unit: BudgetUnit,
    code: str,
    name: str,
    kind: str,
    authorized_staff: int | None = None,
    actual_staff: int | None = None,
    retired_staff: int | None = None,
    lixiu_staff: int | None = None,
    position: int = 0,
) -> BudgetUnit:
    """Change a unit's description; it never moves to another department (its items would not follow)."""
    unit = BudgetUnit.objects.get(pk=unit.pk)
    unit.code, unit.name, unit.kind, unit.position = code, name, kind, position
    unit.authorized_staff, unit.actual_staff = authorized_staff, actual_staff
    unit.retired_staff, unit.lixiu_staff = retired_staff, lixiu_staff
    unit.full_clean()
    unit.save()
    return unit


def _check_role(*, department: Department, role: str, unit: BudgetUnit | None) -> None:
    if role == Membership.Role.ACCOUNTANT and unit is None:
        raise ValidationError({"unit": _("单位会计须指定预算单位")})
    if role != Membership.Role.ACCOUNTANT and unit is not None:
        raise ValidationError({"unit": _("仅单位会计可指定预算单位")})
    if unit is not None and unit.department_id != department.pk:
        raise ValidationError({"unit": _("预算单位不属于该部门")})


def membership_create(*, user, department: Department, role: str, unit: BudgetUnit | None = None) -> Membership:
    """Give a user a role in a department (one role per department); an accountant gets one of its units."""
    _check_role(department=department, role=role, unit=unit)
    membership = Membership(user=user, department=department, role=role, unit=unit)
    membership.full_clean()
    membership.save()
    return membership


def membership_update(*, membership: Membership, role: str, unit: BudgetUnit | None = None) -> Membership:
    """Change a user's role in a department; the user and the department stay."""
    membership = Membership.objects.select_related("department").get(pk=membership.pk)
    _check_role(department=membership.department, role=role, unit=unit)
    membership.role, membership.unit = role, unit
    membership.full_clean()
    membership.save()
    return membership


def membership_delete(*, membership: Membership) -> None:
    """Take a user's role in a department away."""
    Membership.objects.filter(pk=membership.pk).delete()


def monitoring_month_set(*, department_year: DepartmentYear, month: int) -> DepartmentYear:
    """Set the month whose end the department-year's 绩效运行监控 is taken at (issue 16): 1 to 12,
    refused otherwise with a message naming the field. The finance office's choice (the view checks)."""
    if isinstance(month, bool) or not isinstance(month, int) or not 1 <= month <= 12:
        raise ValidationError({"monitoring_month": _("监控月份须为1到12之间的整数")})
    with transaction.atomic():
        locked = DepartmentYear.objects.select_for_update().filter(pk=department_year.pk).first()
        if locked is None:
            raise ValidationError(_("该部门年度已不存在，请刷新页面"))
        locked.monitoring_month = month
        locked.save(update_fields=["monitoring_month"])
    return locked
