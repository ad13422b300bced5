"""Closing the year (年终结转), DOMAIN.md section 8.

`close_year` closes every month of the year still open (projects.closing), makes sure the next
department-year exists with the same items, and gives each item with an unspent balance
(full-year − spent > 0, projects.arithmetic.unspent) its fate:

- **carried over** (结转): one 上年结转 line on the item of the same code in the next year, dated
  1 January, document `结转自YYYY`, for exactly the unspent balance;
- **lapsed** (结余): no line; it is only reported.

The source split: the whole balance carries on one line whose source (资金来源) is the item's
largest source by net full-year budget (lines summed with their signs, transfers included); a
tie goes to the first in BudgetLine.Source's order (上级安排, 本级财政, 其他资金). Spending is
not recorded against a source, so no split of the unspent balance by source would be better
founded; one line per item keeps the carried amounts exact to the cent.

By default 特定目标类 (project) items carry over and 人员类 / 运转类 lapse; `carry` and `lapse`
override that by item code. It is all or nothing (one transaction under the department-year's
exclusive lock, units/locks.py), is recorded as a YearClose, and a second run for the same year
is refused. The closed year's own figures do not change: nothing dated in it is written.
`preview` computes the same result without writing.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils.translation import gettext as _

from fundmgr.lib.money import ZERO, yuan
from projects import closing
from projects.arithmetic import signed_amount_sql, unspent
from projects.models import BudgetItem, BudgetLine, BudgetTransfer, MonthClose, YearClose
from projects.selectors import budget_summary
from units.locks import department_year_lock_exclusive
from units.models import DepartmentYear

CARRIED_BY_DEFAULT = (BudgetItem.Category.PROJECT,)


@dataclass(frozen=True)
class YearEndRow:
    code: str
    amount: Decimal


@dataclass
class YearEndResult:
    """What closing a year did (or, from `preview`, would do): the carried and lapsed balances per item code."""

    year: int
    next_year: int
    carried: list[YearEndRow] = field(default_factory=list)
    lapsed: list[YearEndRow] = field(default_factory=list)

    @property
    def carried_total(self) -> Decimal:
        return sum((row.amount for row in self.carried), ZERO)

    @property
    def lapsed_total(self) -> Decimal:
        return sum((row.amount for row in self.lapsed), ZERO)


def carryover_document(year: int) -> str:
    """The 文号 of a carried-over line, as section 8 fixes it: 结转自YYYY (a record, not a phrase to translate)."""
    return f"结转自{year}"


def check_codes(*, department_year: DepartmentYear, carry: set[str], lapse: set[str]) -> None:
    """Refuse `carry` / `lapse` codes that are not item codes of the year, or that are in both."""
    known = set(BudgetItem.objects.filter(department_year=department_year).values_list("code", flat=True))
    unknown = sorted((carry | lapse) - known)
    if unknown:
        raise ValidationError(
            _("%(year)s年度没有以下项目编码：%(codes)s") % {"year": department_year.year, "codes": _("、").join(unknown)}
        )
    both = sorted(carry & lapse)
    if both:
        raise ValidationError(_("项目编码不能既结转又结余：%(codes)s") % {"codes": _("、").join(both)})


def _decide(*, department_year: DepartmentYear, carry: set[str], lapse: set[str]) -> YearEndResult:
    """Each item's unspent balance at year end, carried or lapsed (two queries of budget_summary's)."""
    result = YearEndResult(year=department_year.year, next_year=department_year.year + 1)
    for row in budget_summary(department_year=department_year).by_item:
        balance = yuan(unspent(full_year=row.figures.full_year, spent=row.figures.spent))
        if balance <= ZERO:
            continue
        carried = row.code in carry or (row.code not in lapse and row.category in CARRIED_BY_DEFAULT)
        (result.carried if carried else result.lapsed).append(YearEndRow(code=row.code, amount=balance))
    return result


def preview(*, department_year: DepartmentYear, carry: Iterable[str] = (), lapse: Iterable[str] = ()) -> YearEndResult:
    """What close_year would carry over and let lapse, without writing anything (DOMAIN.md section 8)."""
    carry, lapse = set(carry), set(lapse)
    check_codes(department_year=department_year, carry=carry, lapse=lapse)
    return _decide(department_year=department_year, carry=carry, lapse=lapse)


def _largest_sources(department_year: DepartmentYear, codes: list[str]) -> dict[str, str]:
    """Each item's largest source by net full-year budget (ties: BudgetLine.Source's order); one query."""
    order = {source: index for index, source in enumerate(BudgetLine.Source.values)}
    best: dict[str, tuple[Decimal, int, str]] = {}
    rows = (
        BudgetLine.objects.filter(item__department_year=department_year, item__code__in=codes)
        .order_by()
        .values("item__code", "source")
        .annotate(net=Sum(signed_amount_sql()))
    )
    for row in rows:
        key = (yuan(row["net"]), -order[row["source"]], row["source"])
        if row["item__code"] not in best or key > best[row["item__code"]]:
            best[row["item__code"]] = key
    return {code: best[code][2] if code in best else BudgetLine.Source.LOCAL for code in codes}


def _next_year_with_items(department_year: DepartmentYear) -> tuple[DepartmentYear, dict[str, BudgetItem]]:
    """YYYY+1, created when missing, holding every item code of YYYY (codes, names, categories, units)."""
    next_year, _created = DepartmentYear.objects.get_or_create(
        department_id=department_year.department_id, year=department_year.year + 1
    )
    department_year_lock_exclusive(next_year.pk)
    items = {item.code: item for item in BudgetItem.objects.filter(department_year=next_year)}
    missing = [
        BudgetItem(
            department_year=next_year,
            unit_id=item.unit_id,
            code=item.code,
            name=item.name,
            category=item.category,
            procurement_required=item.procurement_required,
            position=item.position,
        )
        for item in BudgetItem.objects.filter(department_year=department_year).order_by("position", "code")
        if item.code not in items
    ]
    for item in missing:
        item.full_clean()
        item.save()
        items[item.code] = item
    return next_year, items


def close_year(
    *, department_year: DepartmentYear, carry: Iterable[str] = (), lapse: Iterable[str] = (), user=None
) -> YearEndResult:
    """Close department-year YYYY (DOMAIN.md section 8, 年终结转), all or nothing.

    Refused, changing nothing: a year already closed; an item code in `carry` or `lapse` that is
    not one of the year's, or in both; a month still open with no `user` to close it as
    (MonthClose records who closed it); an open month holding pending spending
    (projects.closing.month_close_through's refusal); a transfer still pending; a January of
    YYYY+1 already closed when there is something to carry.
    """
    carry, lapse = set(carry), set(lapse)
    year = department_year.year
    with transaction.atomic():
        department_year_lock_exclusive(department_year.pk)
        done = YearClose.objects.filter(department_year=department_year).first()
        if done is not None:
            raise ValidationError(
                _("%(year)s年度已于%(when)s年终结转，不能重复结转") % {"year": year, "when": done.closed_at.date().isoformat()}
            )
        check_codes(department_year=department_year, carry=carry, lapse=lapse)
        pending = BudgetTransfer.objects.filter(department_year=department_year, status=BudgetTransfer.Status.PENDING).count()
        if pending:
            raise ValidationError(
                _("%(year)s年度尚有 %(count)s 笔待审批的预算调剂，请先审批或驳回后再结转") % {"year": year, "count": pending}
            )
        result = _decide(department_year=department_year, carry=carry, lapse=lapse)
        # Every refusal comes before the first write (closing the months writes and logs them).
        if (
            result.carried
            and MonthClose.objects.filter(
                department_year__department_id=department_year.department_id, department_year__year=year + 1, month=1
            ).exists()
        ):
            raise ValidationError(_("%(year)s年1月已结账，不能再录入上年结转") % {"year": year + 1})
        if closing.open_months_through(department_year=department_year, month=12):
            if user is None:
                raise ValidationError(
                    _("%(year)s年度尚有未结账的月份，结账须有结账人：请指定用户（命令行：--user）") % {"year": year}
                )
            closing.month_close_through(department_year=department_year, month=12, closed_by=user)
        next_year, items = _next_year_with_items(department_year)
        sources = _largest_sources(department_year, [row.code for row in result.carried])
        for row in result.carried:
            line = BudgetLine(
                item=items[row.code],
                source=sources[row.code],
                kind=BudgetLine.Kind.CARRYOVER,
                amount=row.amount,
                date=date(next_year.year, 1, 1),
                document=carryover_document(year),
                created_by=user,
            )
            line.full_clean()
            line._history_user = user
            line.save()
        YearClose.objects.create(
            department_year=department_year,
            next_year=next_year,
            carried_total=result.carried_total,
            lapsed_total=result.lapsed_total,
            closed_by=user,
        )
    return result
