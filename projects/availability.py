"""Availability control (可用指标), DOMAIN.md section 2, as pure functions over plain values.

The rule: take an item's budget lines and expenditures in date order, lines before
expenditures of the same date; at every point, cumulative spending must not exceed the
cumulative available budget. Pending spending reserves money, so it counts as spending here.

Every writer (forms, import, admin) reaches this module through projects.services or the
workbook importer; nothing else decides whether money is available. The pure rule (headroom,
replay) works on plain movements; item_movements() reads an item's movements from the ledger
in SQL and availability_check() refuses a write beyond them.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Sum
from django.utils.translation import gettext as _

from fundmgr.lib.money import yuan
from projects.arithmetic import signed_amount_sql
from projects.models import BudgetItem, BudgetLine, Expenditure

ZERO = Decimal("0.00")


@dataclass(frozen=True)
class Movement:
    """One event of an item's ledger.

    `budget` is what the event adds to the available budget (negative for a reduction);
    `spending` is what it commits. Exactly one of them is non-zero for a real event.
    """

    date: date
    budget: Decimal = ZERO
    spending: Decimal = ZERO
    ref: Any = None

    @property
    def is_spending(self) -> bool:
        return self.spending != ZERO


@dataclass(frozen=True)
class Refusal:
    movement: Movement
    available: Decimal
    shortfall: Decimal


def _in_order(movements: Iterable[Movement]) -> list[Movement]:
    # Lines come before expenditures of the same date; otherwise the caller's order stands.
    indexed = list(enumerate(movements))
    indexed.sort(key=lambda pair: (pair[1].date, pair[1].is_spending, pair[0]))
    return [movement for _, movement in indexed]


def headroom(movements: Iterable[Movement], on: date) -> Decimal:
    """How much may still be spent (or reduced) on date `on` without overspending then or later.

    It is the least, over every point from the end of `on` onward, of available minus spent.
    A new expenditure dated `on` fits when its amount is at most this; a reduction dated `on`
    is allowed on the same terms, since both lower the balance of every later point.
    """
    balance = ZERO
    least: Decimal | None = None
    ordered = _in_order(movements)
    index = 0
    while index < len(ordered) and ordered[index].date <= on:
        balance += ordered[index].budget - ordered[index].spending
        index += 1
    least = balance
    while index < len(ordered):
        day = ordered[index].date
        while index < len(ordered) and ordered[index].date == day:
            balance += ordered[index].budget - ordered[index].spending
            index += 1
        least = min(least, balance)
    return least


def replay(movements: Iterable[Movement]) -> list[Refusal]:
    """Enter every movement in date order, as clerks would, and list those the rule refuses.

    A refused movement is left out of the balance, as if it had never been entered, so each
    refusal names what was really available at its point. Additions are never refused.
    """
    refusals: list[Refusal] = []
    balance = ZERO
    for movement in _in_order(movements):
        taken = movement.spending - movement.budget
        if taken > ZERO and taken > balance:
            refusals.append(Refusal(movement, available=max(balance, ZERO), shortfall=taken - max(balance, ZERO)))
            continue
        balance -= taken
    return refusals


# --- the ledger's movements and the check every write applies ---


COMMITTED = (Expenditure.Status.APPROVED, Expenditure.Status.PENDING)


def format_yuan(amount: Decimal) -> str:
    """An amount as refusal messages write it: 1,234.50 (yuan)."""
    return f"{amount:,.2f}"


def name_for_quoting(name: str) -> str:
    """An item's name ready to go inside “…”: quotes of its own become the inner ‘…’, as Chinese
    typesetting nests them. The seed's names carry quotes (“石榴花”…项目); quoted again as they
    are, the message read ““石榴花”…项目”."""
    return name.replace("\u201c", "\u2018").replace("\u201d", "\u2019")


class AvailabilityError(ValidationError):
    """Raised when a write would overspend an item; the message is the user's."""


def item_movements(
    item: BudgetItem, *, without_line: int | None = None, without_expenditure: int | None = None
) -> list[Movement]:
    """The item's ledger as daily movements, summed in SQL (two queries, whatever its size)."""
    lines = BudgetLine.objects.filter(item=item)
    if without_line is not None:
        lines = lines.exclude(pk=without_line)
    line_days = lines.values("date").annotate(net=Sum(signed_amount_sql()))
    spending = Expenditure.objects.filter(item=item, status__in=COMMITTED)
    if without_expenditure is not None:
        spending = spending.exclude(pk=without_expenditure)
    spending_days = spending.values("date").annotate(total=Sum("amount"))
    # SQLite sums decimals in floating point (37765.44000000000, or 0.30000000000000004): the
    # cents are exact again once rounded, and the rule must compare exact cents.
    return [Movement(date=row["date"], budget=yuan(row["net"])) for row in line_days] + [
        Movement(date=row["date"], spending=yuan(row["total"])) for row in spending_days
    ]


def available_amount(*, item: BudgetItem, on: date, without_expenditure: int | None = None) -> Decimal:
    """What may still be spent on `item` on date `on` (DOMAIN.md section 2), never below zero."""
    return max(headroom(item_movements(item, without_expenditure=without_expenditure), on), ZERO)


def availability_check(*, item: BudgetItem, on: date, amount: Decimal, movements: list[Movement], what: str) -> None:
    """Refuse `amount` on `item` on date `on` beyond what `movements` leave available (DOMAIN.md section 2):
    the message names the item, the available amount and the shortfall."""
    available = max(headroom(movements, on), ZERO)
    if amount > available:
        raise AvailabilityError(
            {
                "amount": _("项目“%(item)s”可用指标 %(available)s 元，本次%(what)s %(amount)s 元，超出 %(shortfall)s 元")
                % {
                    "item": name_for_quoting(item.name),
                    "available": format_yuan(available),
                    "what": what,
                    "amount": format_yuan(amount),
                    "shortfall": format_yuan(amount - available),
                }
            }
        )
