"""Month closing of a department-year (DOMAIN.md section 5): the finance office closes and reopens months.

Closing and reopening a month lock the department-year exclusively, first, as units/locks.py
orders it: a posting holds it shared from before its "is the month open?" check to its commit,
so no posting can land in a month while it is being closed, nor leave pending spending in it.

Two finance officers closing at once queue on that lock: the second one finds the month closed
and is refused with a message (month_close) or skips it (month_close_through), never a 500.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Q, Sum
from django.utils.translation import gettext as _

from fundmgr.lib.logs import month_logged
from fundmgr.lib.money import ZERO, yuan
from projects.models import Expenditure, MonthClose
from units.locks import department_year_lock_exclusive
from units.models import DepartmentYear

REASON_MAX = 100  # simple_history's history_change_reason column


@dataclass(frozen=True)
class MonthFigures:
    """What a finance officer checks before closing a month: the department's approved spending
    dated in it, in yuan to the cent, and how many of its entries still wait for 三重一大 approval."""

    month: int
    spent: Decimal
    pending: int


def month_figures(*, department_year: DepartmentYear, months: list[int]) -> list[MonthFigures]:
    """The whole department's figures of each of `months`, in one query."""
    rows = {
        row["date__month"]: row
        for row in Expenditure.objects.filter(item__department_year=department_year, date__month__in=months)
        .order_by()
        .values("date__month")
        .annotate(
            spent=Sum("amount", filter=Q(status=Expenditure.Status.APPROVED), default=ZERO),
            pending=Count("id", filter=Q(status=Expenditure.Status.PENDING)),
        )
    }
    # SQLite sums decimals in floating point: yuan() makes the cents exact again.
    return [
        MonthFigures(month=month, spent=yuan(rows.get(month, {}).get("spent")), pending=rows.get(month, {}).get("pending", 0))
        for month in months
    ]


def open_months_through(*, department_year: DepartmentYear, month: int) -> list[int]:
    """The months from January through `month` not yet closed: what month_close_through would close."""
    closed = set(MonthClose.objects.filter(department_year=department_year).values_list("month", flat=True))
    return [each for each in range(1, month + 1) if each not in closed]


def _check_month(month: int) -> None:
    if not 1 <= month <= 12:
        raise ValidationError({"month": _("月份须在1到12之间")})


def month_close(*, department_year: DepartmentYear, month: int, closed_by) -> MonthClose:
    """Close a month: afterwards nothing dated in it can be created, edited or deleted
    (projects.services checks MonthClose; the importer refuses years with closed months).

    Refused while spending of that month still waits for its 三重一大 decision, since a closed
    month's figures must not change afterwards (and a decision in a closed month is refused).
    """
    _check_month(month)
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


def month_close_through(*, department_year: DepartmentYear, month: int, closed_by) -> list[int]:
    """Close every still-open month from January through `month` in one step ("关闭至 X 月") and
    return the months closed; months already closed are skipped.

    All or nothing, under the same exclusive department-year lock as month_close: refused, closing
    none, when any of those months still holds pending spending, with each such month and its count.
    """
    _check_month(month)
    with transaction.atomic():
        department_year_lock_exclusive(department_year.pk)
        months = open_months_through(department_year=department_year, month=month)
        if not months:
            raise ValidationError({"month": _("%(month)s月及之前的月份均已结账") % {"month": month}})
        blocked = [figures for figures in month_figures(department_year=department_year, months=months) if figures.pending]
        if blocked:
            listed = _("、").join(
                _("%(month)s月 %(count)s 笔") % {"month": figures.month, "count": figures.pending} for figures in blocked
            )
            raise ValidationError(
                {"month": _("尚有待审批支出（%(months)s），请先审批或驳回后再结账；本次未关闭任何月份") % {"months": listed}}
            )
        for each in months:  # one by one, so that the history records each close
            MonthClose.objects.create(department_year=department_year, month=each, closed_by=closed_by)
    for each in months:
        month_logged("month_closed", department_year=department_year, month=each, user=closed_by)
    return months


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
