"""Availability control (可用指标), DOMAIN.md section 2, as pure functions over plain values.

The rule: take an item's budget lines and expenditures in date order, lines before
expenditures of the same date; at every point, cumulative spending must not exceed the
cumulative available budget. Pending spending reserves money, so it counts as spending here.

Every writer (forms, import, admin) reaches this module through projects.services or the
workbook importer; nothing else decides whether money is available.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

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
