"""Writes to the ledger. Each one applies availability control (DOMAIN.md section 2) under a
row lock on the budget item, so concurrent clerks can never overspend it.

Lock order (units/locks.py states it once for the whole ledger): the department-year first,
shared here and exclusive for an import, a replace or a month close; then the budget item
(`_lock_item`, the item row only); then the expenditure or line being changed. A posting whose
item was deleted meanwhile (a replace) fails with a message, not a server error.
"""

from collections.abc import Iterable
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fundmgr.lib.logs import expenditure_decision_logged
from fundmgr.lib.money import ZERO
from projects.arithmetic import signed_amount
from projects.availability import (
    AvailabilityError,
    Movement,
    availability_check,
    format_yuan,
    headroom,
    item_movements,
    name_for_quoting,
)
from projects.models import BudgetItem, BudgetLine, EconomicClass, Expenditure, MonthClose
from projects.selectors import approved_movements
from units.locks import department_year_lock_shared


class ItemGoneError(ValidationError):
    """The item was deleted, e.g. by a workbook replacing its year, since the page was loaded."""

    def __init__(self):
        super().__init__(_("该预算项目已不存在（年度数据可能刚被重新导入），请刷新页面后重新录入"))


# --- locks, in the ledger's order (units/locks.py) ---


def _lock_item(item: BudgetItem) -> BudgetItem:
    """Lock in the ledger's order (units/locks.py): the department-year shared, then the item.

    select_for_update(of=("self",)) locks the item row alone: without `of`, PostgreSQL would
    also lock the joined department-year row exclusively, against the order, and serialise every
    posting of the department. On SQLite both are no-ops: IMMEDIATE transactions serialise writers.
    """
    if not department_year_lock_shared(item.department_year_id):
        raise ItemGoneError()
    locked = BudgetItem.objects.select_for_update(of=("self",)).select_related("department_year").filter(pk=item.pk).first()
    if locked is None:
        raise ItemGoneError()
    return locked


def _relock(model, pk: int, gone_message: str):
    """Re-read a row under its lock (step 3 of the lock order): the caller's copy may be stale, and
    another user, or a replace of the year, may have deleted it since the page was loaded."""
    row = model.objects.select_for_update(of=("self",)).filter(pk=pk).first()
    if row is None:
        raise ValidationError(gone_message)
    return row


def _current_item(item: BudgetItem) -> BudgetItem:
    """The item as stored, unlocked (the advisory checks); refused cleanly when it is gone."""
    current = BudgetItem.objects.select_related("department_year").filter(pk=item.pk).first()
    if current is None:
        raise ItemGoneError()
    return current


def _lock_expenditure_for_decision(expenditure: Expenditure) -> Expenditure:
    """A 三重一大 decision locks in the ledger's order too: the department-year shared (so that a
    month cannot be closed under it), then the expenditure row alone."""
    year_id = Expenditure.objects.filter(pk=expenditure.pk).values_list("item__department_year_id", flat=True).first()
    if year_id is None or not department_year_lock_shared(year_id):
        raise ValidationError(_("该支出已不存在（年度数据可能刚被重新导入），请刷新页面"))
    locked = (
        Expenditure.objects.select_for_update(of=("self",))
        .select_related("item__department_year__department", "item__unit")
        .filter(pk=expenditure.pk)
        .first()
    )
    if locked is None:
        raise ValidationError(_("该支出已不存在（年度数据可能刚被重新导入），请刷新页面"))
    return locked


# --- the checks every write applies ---


def _check_year_and_month(*, item: BudgetItem, on: date, field: str) -> None:
    year = item.department_year.year
    if on.year != year:
        raise ValidationError({field: _("日期须在%(year)s年度内") % {"year": year}})
    if MonthClose.objects.filter(department_year_id=item.department_year_id, month=on.month).exists():
        raise ValidationError({field: _("%(year)s年%(month)s月已结账，不能再录入或修改") % {"year": year, "month": on.month}})


def _check_procurement(*, item: BudgetItem, procurement_method: str) -> None:
    if item.procurement_required and not procurement_method:
        raise ValidationError({"procurement_method": _("该项目须政府采购，请选择采购方式")})


# --- expenditures ---


def expenditure_create(
    *,
    item: BudgetItem,
    date: date,
    amount: Decimal,
    economic_class: EconomicClass,
    memo: str = "",
    voucher: str = "",
    procurement_method: str = "",
    entered_by=None,
) -> Expenditure:
    """Record spending. Refused when it would overspend the item at its date or any later point.

    Spending at or above settings.APPROVAL_THRESHOLD (三重一大) is saved as pending: it reserves
    its amount but is not spent until the finance office approves it.
    """
    if amount <= ZERO:
        raise ValidationError({"amount": _("金额须大于0")})
    with transaction.atomic():
        item = _lock_item(item)
        _check_year_and_month(item=item, on=date, field="date")
        _check_procurement(item=item, procurement_method=procurement_method)
        availability_check(item=item, on=date, amount=amount, movements=item_movements(item), what=_("支出"))
        status = Expenditure.Status.PENDING if amount >= settings.APPROVAL_THRESHOLD else Expenditure.Status.APPROVED
        return Expenditure.objects.create(
            item=item,
            date=date,
            amount=amount,
            economic_class=economic_class,
            memo=memo,
            voucher=voucher,
            procurement_method=procurement_method,
            status=status,
            entered_by=entered_by,
        )


def expenditure_update(
    *,
    expenditure: Expenditure,
    date: date,
    amount: Decimal,
    economic_class: EconomicClass,
    memo: str = "",
    voucher: str = "",
    procurement_method: str = "",
) -> Expenditure:
    """Change spending in an open month; the new amount is checked as if the old one were not there."""
    if amount <= ZERO:
        raise ValidationError({"amount": _("金额须大于0")})
    with transaction.atomic():
        item = _lock_item(expenditure.item)
        expenditure = _relock(Expenditure, expenditure.pk, _("该支出已不存在（年度数据可能刚被重新导入），请刷新页面"))
        _check_year_and_month(item=item, on=expenditure.date, field="date")
        _check_year_and_month(item=item, on=date, field="date")
        _check_procurement(item=item, procurement_method=procurement_method)
        if expenditure.status != Expenditure.Status.REJECTED:
            availability_check(
                item=item,
                on=date,
                amount=amount,
                movements=item_movements(item, without_expenditure=expenditure.pk),
                what=_("支出"),
            )
        expenditure.date = date
        expenditure.economic_class = economic_class
        expenditure.memo = memo
        expenditure.voucher = voucher
        expenditure.procurement_method = procurement_method
        # A changed amount at or above the threshold needs a new decision; fixing a memo or a
        # voucher of an approved large entry does not (it was approved for that amount).
        if (
            expenditure.status == Expenditure.Status.APPROVED
            and amount >= settings.APPROVAL_THRESHOLD
            and amount != expenditure.amount
        ):
            expenditure.status = Expenditure.Status.PENDING
            expenditure.decided_by = None
            expenditure.decided_at = None
            expenditure.meeting_date = None
            expenditure.minutes_number = ""
        expenditure.amount = amount
        expenditure.full_clean()
        expenditure.save()
        return expenditure


def expenditure_delete(*, expenditure: Expenditure) -> None:
    """Delete spending dated in an open month. Deleting never overspends."""
    with transaction.atomic():
        item = _lock_item(expenditure.item)
        # Re-read under the lock: the caller's copy may carry a stale date.
        expenditure = _relock(Expenditure, expenditure.pk, _("该支出已不存在（年度数据可能刚被重新导入），请刷新页面"))
        _check_year_and_month(item=item, on=expenditure.date, field="date")
        expenditure.delete()


def expenditure_validate(
    *, item: BudgetItem, date: date, amount: Decimal, expenditure: Expenditure | None = None
) -> None:
    """Check an expenditure against the rules without writing, for forms to show errors early.

    The write itself re-checks under the item's lock, so this is advisory only.
    """
    if amount <= ZERO:
        raise ValidationError({"amount": _("金额须大于0")})
    item = _current_item(item)
    if expenditure is not None and expenditure.pk:
        _check_year_and_month(item=item, on=expenditure.date, field="date")
    _check_year_and_month(item=item, on=date, field="date")
    if expenditure is not None and expenditure.status == Expenditure.Status.REJECTED:
        return
    movements = item_movements(item, without_expenditure=expenditure.pk if expenditure is not None else None)
    availability_check(item=item, on=date, amount=amount, movements=movements, what=_("支出"))


# --- 三重一大 decisions on pending expenditures ---


def expenditure_approve(*, expenditure: Expenditure, decided_by, meeting_date: date, minutes_number: str) -> Expenditure:
    """三重一大: the finance office approves pending spending; it then counts as spent.
    One row of expenditures_approve, under the same locks and checks."""
    (approved,) = expenditures_approve(
        expenditures=[expenditure], decided_by=decided_by, meeting_date=meeting_date, minutes_number=minutes_number
    )
    return approved


def _describe(expenditure: Expenditure) -> str:
    """A row as a refusal names it: its date, item, memo and amount."""
    return _("%(date)s %(item)s“%(memo)s”%(amount)s 元") % {
        "date": expenditure.date.isoformat(),
        "item": expenditure.item.name,
        "memo": expenditure.memo,
        "amount": format_yuan(expenditure.amount),
    }


def expenditures_approve(
    *, expenditures: Iterable[Expenditure], decided_by, meeting_date: date, minutes_number: str
) -> list[Expenditure]:
    """三重一大: approve several pending expenditures under one meeting record (党组会日期, 纪要号),
    all or none.

    Lock order (units/locks.py): the department-year shared, then the items by pk, then the
    expenditures by pk. Each row is re-read under its lock: one decided meanwhile (another
    officer's batch), deleted, or dated in a closed month refuses the batch. Availability
    (DOMAIN.md section 2) is re-checked per item, cumulatively: the batch's rows in date order
    must fit in the budget lines less the approved spending, so two approvals on one item never
    together overspend it. A refusal lists every refused row, each with its reason.
    """
    errors = {}
    if meeting_date is None:
        errors["meeting_date"] = _("请填写党组会日期")
    if not (minutes_number or "").strip():
        errors["minutes_number"] = _("请填写会议纪要号")
    if errors:
        raise ValidationError(errors)
    minutes_number = minutes_number.strip()
    ids = sorted({expenditure.pk for expenditure in expenditures})
    if not ids:
        raise ValidationError(_("请至少勾选一笔待审批的支出"))
    gone = _("所选支出中有已不存在的（年度数据可能刚被重新导入），请刷新页面")
    with transaction.atomic():
        heads = list(Expenditure.objects.filter(pk__in=ids).values_list("item_id", "item__department_year_id"))
        if len(heads) != len(ids):
            raise ValidationError(gone)
        for year_id in sorted({year_id for _item, year_id in heads}):
            if not department_year_lock_shared(year_id):
                raise ValidationError(gone)
        items = {
            item.pk: item
            for item in BudgetItem.objects.select_for_update(of=("self",))
            .select_related("department_year__department", "unit")
            .filter(pk__in={item_id for item_id, _year in heads})
            .order_by("pk")
        }
        rows = list(
            Expenditure.objects.select_for_update(of=("self",)).select_related("decided_by").filter(pk__in=ids).order_by("pk")
        )
        if len(rows) != len(ids) or any(row.item_id not in items for row in rows):
            raise ValidationError(gone)
        refusals = []
        for row in rows:
            row.item = items[row.item_id]
            if row.status != Expenditure.Status.PENDING:
                who = row.decided_by.username if row.decided_by else _("他人")
                if row.status == Expenditure.Status.REJECTED:
                    decided = _("已被%(user)s驳回") % {"user": who}
                else:
                    decided = _("已被%(user)s审批通过") % {"user": who}
                refusals.append(_("%(row)s：%(reason)s，不能再审批") % {"row": _describe(row), "reason": decided})
                continue
            try:
                _check_year_and_month(item=row.item, on=row.date, field="date")
            except ValidationError as error:
                refusals.append(_("%(row)s：%(reason)s") % {"row": _describe(row), "reason": _("；").join(error.messages)})
        movements = approved_movements(items)
        for row in sorted(rows, key=lambda row: (row.date, row.pk)):
            if row.status != Expenditure.Status.PENDING:
                continue
            available = max(headroom(movements[row.item_id], row.date), ZERO)
            if row.amount > available:
                refusals.append(
                    _("%(row)s：项目可用指标 %(available)s 元（已扣除已生效支出及同批先审批的支出），超出 %(shortfall)s 元")
                    % {"row": _describe(row), "available": format_yuan(available), "shortfall": format_yuan(row.amount - available)}
                )
                continue
            movements[row.item_id].append(Movement(date=row.date, spending=row.amount))
        if refusals:
            raise ValidationError(refusals)
        decided_at = timezone.now()
        for row in rows:
            row.status = Expenditure.Status.APPROVED
            row.decided_by = decided_by
            row.decided_at = decided_at
            row.meeting_date = meeting_date
            row.minutes_number = minutes_number
            row.save()
    for row in rows:
        expenditure_decision_logged("expenditure_approved", expenditure=row, user=decided_by, minutes_number=minutes_number)
    return rows


def expenditure_reject(*, expenditure: Expenditure, decided_by, reason: str) -> Expenditure:
    """三重一大: the finance office rejects pending spending, which frees its reservation."""
    if not reason.strip():
        raise ValidationError({"rejection_reason": _("请填写驳回理由")})
    with transaction.atomic():
        expenditure = _lock_expenditure_for_decision(expenditure)
        if expenditure.status != Expenditure.Status.PENDING:
            raise ValidationError(_("只有待审批的支出可以驳回"))
        _check_year_and_month(item=expenditure.item, on=expenditure.date, field="date")
        expenditure.status = Expenditure.Status.REJECTED
        expenditure.decided_by = decided_by
        expenditure.decided_at = timezone.now()
        expenditure.rejection_reason = reason
        expenditure.save()
    expenditure_decision_logged("expenditure_rejected", expenditure=expenditure, user=decided_by, reason=reason)
    return expenditure


# --- budget lines ---


def budget_line_create(
    *,
    item: BudgetItem,
    source: str,
    kind: str,
    amount: Decimal,
    date: date,
    document: str = "",
    created_by=None,
) -> BudgetLine:
    """Add a budget line. A reduction that would leave less available than is already spent
    or reserved, at its date or any later point, is refused (DOMAIN.md section 2)."""
    if amount <= ZERO:
        raise ValidationError({"amount": _("金额须大于0")})
    with transaction.atomic():
        item = _lock_item(item)
        _check_year_and_month(item=item, on=date, field="date")
        if kind == BudgetLine.Kind.REDUCTION:
            availability_check(item=item, on=date, amount=amount, movements=item_movements(item), what=_("调减"))
        line = BudgetLine(
            item=item, source=source, kind=kind, amount=amount, date=date, document=document, created_by=created_by
        )
        line.full_clean()
        line.save()
        return line


def budget_line_update(
    *, line: BudgetLine, source: str, kind: str, amount: Decimal, date: date, document: str = ""
) -> BudgetLine:
    """Change a budget line; the item must stay covered at every point without the old line."""
    if amount <= ZERO:
        raise ValidationError({"amount": _("金额须大于0")})
    with transaction.atomic():
        item = _lock_item(line.item)
        line = _relock(BudgetLine, line.pk, _("该预算指标已不存在（可能已被他人删除或年度数据刚被重新导入），请刷新页面"))
        _check_year_and_month(item=item, on=line.date, field="date")
        _check_year_and_month(item=item, on=date, field="date")
        movements = item_movements(item, without_line=line.pk)
        movements.append(Movement(date=date, budget=signed_amount(kind=kind, amount=amount)))
        # With the new line in place, nothing may be left overspent from the earliest affected day.
        shortfall = -headroom(movements, min(date, line.date))
        if shortfall > ZERO:
            raise AvailabilityError(
                {
                    "amount": _("项目“%(item)s”修改后可用指标不足，超支 %(shortfall)s 元")
                    % {"item": name_for_quoting(item.name), "shortfall": format_yuan(shortfall)}
                }
            )
        line.source, line.kind, line.amount, line.date, line.document = source, kind, amount, date, document
        line.full_clean()
        line.save()
        return line


def budget_line_delete(*, line: BudgetLine) -> None:
    """Delete a budget line; refused when the item would then be overspent at some point."""
    with transaction.atomic():
        item = _lock_item(line.item)
        line = _relock(BudgetLine, line.pk, _("该预算指标已不存在（可能已被他人删除或年度数据刚被重新导入），请刷新页面"))
        _check_year_and_month(item=item, on=line.date, field="date")
        shortfall = -headroom(item_movements(item, without_line=line.pk), line.date)
        if shortfall > ZERO:
            raise AvailabilityError(
                {
                    "amount": _("项目“%(item)s”删除该指标后将超支 %(shortfall)s 元")
                    % {"item": name_for_quoting(item.name), "shortfall": format_yuan(shortfall)}
                }
            )
        line.delete()


def budget_line_validate(*, item: BudgetItem, kind: str, amount: Decimal, date: date, line: BudgetLine | None = None) -> None:
    """Check a new or changed budget line without writing (advisory; the write re-checks under lock)."""
    if amount <= ZERO:
        raise ValidationError({"amount": _("金额须大于0")})
    item = _current_item(item)
    if line is not None and line.pk:
        _check_year_and_month(item=item, on=line.date, field="date")
    _check_year_and_month(item=item, on=date, field="date")
    movements = item_movements(item, without_line=line.pk if line is not None and line.pk else None)
    movements.append(Movement(date=date, budget=signed_amount(kind=kind, amount=amount)))
    earliest = min(date, line.date) if line is not None and line.pk else date
    shortfall = -headroom(movements, earliest)
    if shortfall > ZERO:
        raise AvailabilityError(
            {
                "amount": _("项目“%(item)s”可用指标不足，该指标将使项目超支 %(shortfall)s 元")
                % {"item": name_for_quoting(item.name), "shortfall": format_yuan(shortfall)}
            }
        )


# --- budget items ---


def _closed_months_touched(item: BudgetItem) -> list[int]:
    """Closed months of the item's year in which the item has a budget line or an expenditure."""
    closed = set(MonthClose.objects.filter(department_year_id=item.department_year_id).values_list("month", flat=True))
    if not closed:
        return []
    dates = set(BudgetLine.objects.filter(item=item).values_list("date", flat=True))
    dates |= set(Expenditure.objects.filter(item=item).values_list("date", flat=True))
    return sorted({on.month for on in dates} & closed)


def budget_item_create(
    *,
    department_year,
    unit,
    code: str,
    name: str,
    category: str,
    procurement_required: bool = False,
    position: int = 0,
) -> BudgetItem:
    """Add a budget item to a department-year; its unit must belong to the same department.
    Holds the department-year shared (units/locks.py), like a posting, so a replace of the year
    cannot run under it."""
    if unit.department_id != department_year.department_id:
        raise ValidationError({"unit": _("预算单位不属于该部门")})
    with transaction.atomic():
        department_year_lock_shared(department_year.pk)
        item = BudgetItem(
            department_year=department_year,
            unit=unit,
            code=code,
            name=name,
            category=category,
            procurement_required=procurement_required,
            position=position,
        )
        item.full_clean()
        item.save()
        return item


def budget_item_update(
    *, item: BudgetItem, code: str, name: str, category: str, procurement_required: bool, position: int
) -> BudgetItem:
    """Change an item's description. Its year and unit never change (that would move its money);
    its code and category stay put once a closed month holds its lines or spending, since the
    closed month's reports group and name the item by them."""
    with transaction.atomic():
        item = _lock_item(item)
        if (code, category) != (item.code, item.category) and _closed_months_touched(item):
            raise ValidationError({"code": _("项目已有已结账月份的预算指标或支出，不能修改编码或类别")})
        item.code, item.name, item.category = code, name, category
        item.procurement_required, item.position = procurement_required, position
        item.full_clean()
        item.save()
        return item


def budget_item_delete(*, item: BudgetItem) -> None:
    """Delete an item with nothing recorded against it: refused when it has spending (of any
    status) or indicators, or when one of its budget lines is dated in a closed month."""
    with transaction.atomic():
        item = _lock_item(item)
        if Expenditure.objects.filter(item=item).exists():
            raise ValidationError(_("项目“%(item)s”已有支出记录，不能删除") % {"item": name_for_quoting(item.name)})
        if item.indicators.exists():
            raise ValidationError(_("项目“%(item)s”有绩效指标，不能删除") % {"item": name_for_quoting(item.name)})
        closed = _closed_months_touched(item)
        if closed:
            year = item.department_year.year
            raise ValidationError(_("%(year)s年%(month)s月已结账，不能再录入或修改") % {"year": year, "month": closed[0]})
        item.delete()
