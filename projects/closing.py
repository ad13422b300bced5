"""Month closing of a department-year (DOMAIN.md section 5): the finance office closes and reopens months.

Closing and reopening a month lock the department-year exclusively, first, as units/locks.py
orders it: a posting holds it shared from before its "is the month open?" check to its commit,
so no posting can land in a month while it is being closed, nor leave pending spending in it.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from fundmgr.lib.logs import month_logged
from projects.models import Expenditure, MonthClose
from units.locks import department_year_lock_exclusive
from units.models import DepartmentYear

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
