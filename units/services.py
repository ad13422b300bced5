"""Writes on department-years: month closing (issue 4).

Closing and reopening a month lock the department-year exclusively, first, as units/locks.py
orders it: a posting holds it shared from before its "is the month open?" check to its commit,
so no posting can land in a month while it is being closed, nor leave pending spending in it.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from fundmgr.logs import month_logged
from projects.models import Expenditure
from units.locks import department_year_lock_exclusive
from units.models import BudgetUnit, Department, DepartmentYear, Membership, MonthClose

REASON_MAX = 100  # simple_history's history_change_reason column


def month_close(*, department_year: DepartmentYear, month: int, closed_by) -> MonthClose:
    """Close a month: afterwards nothing dated in it can be created, edited or deleted
    (projects.services checks MonthClose; the importer refuses years with closed months).

    Refused while spending of that month still waits for its 三重一大 decision, since a closed
    month's figures must not change afterwards.
    """
    if not 1 <= month <= 12:
        raise ValidationError({"month": _("月份须在1到12之间")})
    with transaction.atomic():
        department_year_lock_exclusive(department_year.pk)
        if MonthClose.objects.filter(department_year=department_year, month=month).exists():
            raise ValidationError({"month": _("%(month)s月已结账") % {"month": month}})
        pending = Expenditure.objects.filter(
            item__department_year=department_year,
            date__month=month,
            status=Expenditure.Status.PENDING,
        ).count()
        if pending:
            raise ValidationError(
                {"month": _("%(month)s月尚有 %(count)s 笔待审批支出，请先审批或驳回后再结账") % {"month": month, "count": pending}}
            )
        month_close = MonthClose.objects.create(department_year=department_year, month=month, closed_by=closed_by)
    month_logged("month_closed", department_year=department_year, month=month, user=closed_by)
    return month_close


def month_reopen(*, month_close: MonthClose, reason: str, reopened_by) -> None:
    """Reopen a closed month. The reason and the user are kept in the month close's history
    (simple_history's change reason), so the reopening stays on record."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("请填写重新开账的理由")})
    if len(reason) > REASON_MAX:
        raise ValidationError({"reason": _("理由不能超过%(max)s个字") % {"max": REASON_MAX}})
    with transaction.atomic():
        department_year_lock_exclusive(month_close.department_year_id)
        month_close = MonthClose.objects.select_for_update().get(pk=month_close.pk)
        month_close._change_reason = reason
        month_close._history_user = reopened_by
        month_close.delete()
    month_logged("month_reopened", department_year=month_close.department_year, month=month_close.month,
                 user=reopened_by, reason=reason)


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
