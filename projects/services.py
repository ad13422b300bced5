"""Writes to the ledger. Each one applies availability control (DOMAIN.md section 2) under a
row lock on the budget item, so concurrent clerks can never overspend it.

Lock order (units/locks.py states it once for the whole ledger): the department-year first,
shared here and exclusive for an import, a replace or a month close; then the budget item
(`_lock_item`, the item row only); then the expenditure or line being changed. A posting whose
item was deleted meanwhile (a replace) fails with a message, not a server error.
"""

from collections.abc import Iterable, Mapping
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
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
from projects.models import (
    BudgetItem,
    BudgetLine,
    BudgetTransfer,
    EconomicClass,
    Expenditure,
    MonthClose,
    SpendingPlan,
    YearClose,
)
from projects.selectors import approved_movements, figures_of, items_with_figures
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


def _lock_items(items: Iterable[BudgetItem]) -> dict[int, BudgetItem]:
    """Lock several items of one department-year in the ledger's order (units/locks.py): the
    department-year shared, then the items by ascending pk, so two writers that both need the
    same two items (two transfers in opposite directions) queue instead of deadlocking."""
    items = list(items)
    ids = sorted({item.pk for item in items})
    for year_id in sorted({item.department_year_id for item in items}):
        if not department_year_lock_shared(year_id):
            raise ItemGoneError()
    locked = {
        item.pk: item
        for item in BudgetItem.objects.select_for_update(of=("self",))
        .select_related("department_year")
        .filter(pk__in=ids)
        .order_by("pk")
    }
    if len(locked) != len(ids):
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


def _check_not_transfer_kind(kind: str) -> None:
    if kind in BudgetLine.TRANSFER_KINDS:
        raise ValidationError({"kind": _("调入、调出指标随预算调剂生成，请通过预算调剂录入")})


def _check_not_transfer_line(line: BudgetLine) -> None:
    """A transfer's two lines are created, changed and deleted together, by the transfer's services only."""
    if line.transfer_id is not None or line.kind in BudgetLine.TRANSFER_KINDS:
        raise ValidationError(_("该指标是预算调剂的一方，请修改或删除该预算调剂"))


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
    _check_not_transfer_kind(kind)
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
    _check_not_transfer_kind(kind)
    with transaction.atomic():
        item = _lock_item(line.item)
        line = _relock(BudgetLine, line.pk, _("该预算指标已不存在（可能已被他人删除或年度数据刚被重新导入），请刷新页面"))
        _check_not_transfer_line(line)
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
        _check_not_transfer_line(line)
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
    _check_not_transfer_kind(kind)
    if line is not None and line.pk:
        _check_not_transfer_line(line)
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
        if BudgetTransfer.objects.filter(Q(from_item=item) | Q(to_item=item)).exists():
            raise ValidationError(_("项目“%(item)s”有预算调剂，不能删除") % {"item": name_for_quoting(item.name)})
        closed = _closed_months_touched(item)
        if closed:
            year = item.department_year.year
            raise ValidationError(_("%(year)s年%(month)s月已结账，不能再录入或修改") % {"year": year, "month": closed[0]})
        item.delete()


# --- 用款计划: spending plans (DOMAIN.md section 8) ---


def _plan_rows(amounts: Mapping[int, Decimal] | Iterable[tuple[int, Decimal]]) -> dict[int, Decimal]:
    """The plan as {month: amount}, refused row by row: a month outside 1..12, a negative amount,
    a month given twice (rows can repeat one; a dict cannot)."""
    pairs = list(amounts.items()) if isinstance(amounts, Mapping) else list(amounts)
    rows: dict[int, Decimal] = {}
    errors = []
    for month, amount in pairs:
        if not isinstance(month, int) or isinstance(month, bool) or not 1 <= month <= 12:
            errors.append(_("月份须为1至12：%(month)s") % {"month": month})
            continue
        if amount is None or amount < ZERO:
            errors.append(_("%(month)s月的计划金额不能为负数") % {"month": month})
        if month in rows:
            errors.append(_("%(month)s月的计划重复填写") % {"month": month})
        rows[month] = amount
    if errors:
        raise ValidationError(errors)
    return rows


def plan_set(*, item: BudgetItem, amounts: Mapping[int, Decimal] | Iterable[tuple[int, Decimal]], user) -> list[SpendingPlan]:
    """Replace an item's spending plan (用款计划, DOMAIN.md section 8) with `amounts`, all or nothing.

    `amounts` maps months to amounts, or is (month, amount) rows as a sheet gives them; months
    left out have no plan row (an empty plan leaves the item on the linear 序时进度). Refused: a
    month outside 1..12, a negative amount, a month given twice, a plan totalling more than the
    item's full-year budget at year end (the message names the item code, the plan total and the
    budget), and a year already closed (年终结转). Under the item's row lock, as spending.
    """
    rows = _plan_rows(amounts)
    with transaction.atomic():
        item = _lock_item(item)
        if YearClose.objects.filter(department_year_id=item.department_year_id).exists():
            raise ValidationError(
                _("%(year)s年度已年终结转，不能再修改用款计划") % {"year": item.department_year.year}
            )
        total = sum(rows.values(), ZERO)
        budget = figures_of(items_with_figures(BudgetItem.objects.filter(pk=item.pk)).get()).full_year
        if total > budget:
            raise ValidationError(
                {
                    "amount": _("项目%(code)s的用款计划合计 %(total)s 元，超过全年预算 %(budget)s 元")
                    % {"code": item.code, "total": format_yuan(total), "budget": format_yuan(budget)}
                }
            )
        existing = {plan.month: plan for plan in SpendingPlan.objects.select_for_update(of=("self",)).filter(item=item)}
        saved = []
        for month, plan in existing.items():
            if month not in rows:
                plan._history_user = user
                plan.delete()
        for month in sorted(rows):
            plan = existing.get(month) or SpendingPlan(item=item, month=month)
            if plan.pk and plan.amount == rows[month]:
                saved.append(plan)
                continue
            plan.amount = rows[month]
            plan.full_clean()
            plan._history_user = user
            plan.save()
            saved.append(plan)
        return saved


# --- 预算调剂: transfers between items (DOMAIN.md section 8) ---


def _check_transfer_items(*, department_year, from_item: BudgetItem, to_item: BudgetItem) -> None:
    if from_item.pk == to_item.pk:
        raise ValidationError({"to_item": _("调出项目与调入项目不能相同")})
    if from_item.department_year_id != department_year.pk:
        raise ValidationError({"from_item": _("调出项目%(code)s不属于该部门年度") % {"code": from_item.code}})
    if to_item.department_year_id != department_year.pk:
        raise ValidationError({"to_item": _("调入项目%(code)s不属于该部门年度") % {"code": to_item.code}})


def _check_transfer_out(*, from_item: BudgetItem, on: date, amount: Decimal) -> None:
    """Availability control on the source item, exactly as for a reduction of `amount` on `on`
    (DOMAIN.md sections 2 and 8): its committed spending, then and later, must stay covered."""
    availability_check(item=from_item, on=on, amount=amount, movements=item_movements(from_item), what=_("调出"))


def _write_transfer_lines(transfer: BudgetTransfer, *, from_item: BudgetItem, to_item: BudgetItem) -> None:
    common = {
        "source": transfer.source,
        "amount": transfer.amount,
        "date": transfer.date,
        "document": transfer.document,
        "created_by": transfer.created_by,
        "transfer": transfer,
    }
    for item, kind in ((from_item, BudgetLine.Kind.TRANSFER_OUT), (to_item, BudgetLine.Kind.TRANSFER_IN)):
        line = BudgetLine(item=item, kind=kind, **common)
        line.full_clean()
        line.save()


def transfer_create(
    *,
    department_year,
    from_item: BudgetItem,
    to_item: BudgetItem,
    source: str,
    amount: Decimal,
    date: date,
    document: str = "",
    created_by=None,
) -> BudgetTransfer:
    """Record a 预算调剂 (DOMAIN.md section 8): `amount` leaves `from_item` and reaches `to_item` on `date`.

    Refused: the same item on both sides, an item of another department-year, an amount not
    above 0, a date outside the year or in a closed month, and an amount the source item cannot
    spare on that date or later (availability control, as for a reduction). Both items are
    locked in the ledger's order, by pk (units/locks.py), as spending locks one.

    Below settings.APPROVAL_THRESHOLD the transfer takes effect at once: its transfer_out and
    transfer_in lines are written with it, and what it brings is available to the target from its
    date. At or above it (三重一大) it waits as pending, with no lines, counting nowhere until
    transfer_approve writes them (re-checking the source then).
    """
    if amount is None or amount <= ZERO:
        raise ValidationError({"amount": _("金额须大于0")})
    _check_transfer_items(department_year=department_year, from_item=from_item, to_item=to_item)
    with transaction.atomic():
        locked = _lock_items([from_item, to_item])
        from_item, to_item = locked[from_item.pk], locked[to_item.pk]
        _check_year_and_month(item=from_item, on=date, field="date")
        _check_transfer_out(from_item=from_item, on=date, amount=amount)
        status = (
            BudgetTransfer.Status.PENDING if amount >= settings.APPROVAL_THRESHOLD else BudgetTransfer.Status.APPROVED
        )
        transfer = BudgetTransfer(
            department_year_id=from_item.department_year_id,
            from_item=from_item,
            to_item=to_item,
            source=source,
            amount=amount,
            date=date,
            document=document,
            status=status,
            created_by=created_by,
        )
        transfer.full_clean()
        transfer.save()
        if status == BudgetTransfer.Status.APPROVED:
            _write_transfer_lines(transfer, from_item=from_item, to_item=to_item)
        return transfer


def _lock_transfer(transfer: BudgetTransfer) -> tuple[BudgetTransfer, BudgetItem, BudgetItem]:
    """Lock in the ledger's order: the department-year shared, both items by pk, then the transfer."""
    gone = _("该预算调剂已不存在（可能已被他人删除或年度数据刚被重新导入），请刷新页面")
    heads = BudgetTransfer.objects.filter(pk=transfer.pk).values_list("from_item_id", "to_item_id").first()
    if heads is None:
        raise ValidationError(gone)
    items = _lock_items(BudgetItem.objects.filter(pk__in=heads))
    transfer = _relock(BudgetTransfer, transfer.pk, gone)
    return transfer, items[transfer.from_item_id], items[transfer.to_item_id]


def transfer_approve(*, transfer: BudgetTransfer, decided_by, meeting_date: date, minutes_number: str) -> BudgetTransfer:
    """三重一大: the finance office approves a pending transfer (党组会日期, 纪要号 required, as for
    spending); its two lines are written then, after the source item's availability is checked
    again at the transfer's date under both items' locks."""
    errors = {}
    if meeting_date is None:
        errors["meeting_date"] = _("请填写党组会日期")
    if not (minutes_number or "").strip():
        errors["minutes_number"] = _("请填写会议纪要号")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        transfer, from_item, to_item = _lock_transfer(transfer)
        if transfer.status != BudgetTransfer.Status.PENDING:
            raise ValidationError(_("只有待审批的预算调剂可以审批"))
        _check_year_and_month(item=from_item, on=transfer.date, field="date")
        _check_transfer_out(from_item=from_item, on=transfer.date, amount=transfer.amount)
        transfer.status = BudgetTransfer.Status.APPROVED
        transfer.decided_by = decided_by
        transfer.decided_at = timezone.now()
        transfer.meeting_date = meeting_date
        transfer.minutes_number = minutes_number.strip()
        transfer.save()
        _write_transfer_lines(transfer, from_item=from_item, to_item=to_item)
        return transfer


def transfer_reject(*, transfer: BudgetTransfer, decided_by, reason: str) -> BudgetTransfer:
    """三重一大: the finance office rejects a pending transfer; it never takes effect."""
    if not (reason or "").strip():
        raise ValidationError({"rejection_reason": _("请填写驳回理由")})
    with transaction.atomic():
        transfer, from_item, _to_item = _lock_transfer(transfer)
        if transfer.status != BudgetTransfer.Status.PENDING:
            raise ValidationError(_("只有待审批的预算调剂可以驳回"))
        _check_year_and_month(item=from_item, on=transfer.date, field="date")
        transfer.status = BudgetTransfer.Status.REJECTED
        transfer.decided_by = decided_by
        transfer.decided_at = timezone.now()
        transfer.rejection_reason = reason.strip()
        transfer.save()
        return transfer


def transfer_delete(*, transfer: BudgetTransfer) -> None:
    """Delete a transfer and its two lines together, in an open month. Refused when the money it
    brought is already committed on the receiving item (that item would be overspent then or later)."""
    with transaction.atomic():
        transfer, from_item, to_item = _lock_transfer(transfer)
        _check_year_and_month(item=from_item, on=transfer.date, field="date")
        if transfer.status == BudgetTransfer.Status.APPROVED:
            incoming = transfer.lines.filter(kind=BudgetLine.Kind.TRANSFER_IN).values_list("pk", flat=True).first()
            shortfall = -headroom(item_movements(to_item, without_line=incoming), transfer.date)
            if shortfall > ZERO:
                raise AvailabilityError(
                    {
                        "amount": _("项目“%(item)s”删除该调剂后将超支 %(shortfall)s 元")
                        % {"item": name_for_quoting(to_item.name), "shortfall": format_yuan(shortfall)}
                    }
                )
        transfer.delete()
