"""Availability control on plain values (DOMAIN.md section 2), without the database."""

from datetime import date
from decimal import Decimal

from projects.availability import Movement, headroom, replay


def line(day, amount):
    return Movement(date=day, budget=Decimal(amount))


def spend(day, amount, ref=None):
    return Movement(date=day, spending=Decimal(amount), ref=ref)


def test_lines_are_applied_before_spending_of_the_same_date():
    movements = [spend(date(2024, 3, 1), "100.00", ref="e1"), line(date(2024, 3, 1), "100.00")]
    assert replay(movements) == []


def test_spending_before_its_budget_arrives_is_refused_with_what_was_available():
    movements = [line(date(2024, 1, 1), "50.00"), spend(date(2024, 2, 1), "80.00", ref="e1"), line(date(2024, 3, 1), "100.00")]
    [refusal] = replay(movements)
    assert refusal.movement.ref == "e1"
    assert refusal.available == Decimal("50.00")
    assert refusal.shortfall == Decimal("30.00")


def test_overspend_by_one_cent_is_refused():
    movements = [line(date(2024, 1, 1), "100.00"), spend(date(2024, 5, 1), "100.01", ref="e1")]
    [refusal] = replay(movements)
    assert refusal.shortfall == Decimal("0.01")


def test_spending_exactly_the_budget_is_accepted():
    assert replay([line(date(2024, 1, 1), "100.00"), spend(date(2024, 5, 1), "100.00")]) == []


def test_reduction_below_what_is_spent_is_refused():
    movements = [
        line(date(2024, 1, 1), "100.00"),
        spend(date(2024, 2, 1), "70.00"),
        Movement(date=date(2024, 6, 1), budget=Decimal("-40.00"), ref="cut"),
    ]
    [refusal] = replay(movements)
    assert refusal.movement.ref == "cut"
    assert refusal.available == Decimal("30.00")
    assert refusal.shortfall == Decimal("10.00")


def test_headroom_looks_at_every_later_point():
    # 100 arrives in January, 60 is spent in March and a 30 reduction comes in June:
    # a February entry may only take 10, although 100 is on hand in February.
    movements = [
        line(date(2024, 1, 1), "100.00"),
        spend(date(2024, 3, 1), "60.00"),
        line(date(2024, 6, 1), "-30.00"),
    ]
    assert headroom(movements, date(2024, 2, 1)) == Decimal("10.00")
    assert headroom(movements, date(2024, 7, 1)) == Decimal("10.00")


def test_headroom_counts_budget_arriving_later_only_after_it_arrives():
    movements = [line(date(2024, 1, 1), "100.00"), line(date(2024, 7, 1), "50.00")]
    assert headroom(movements, date(2024, 2, 1)) == Decimal("100.00")
    assert headroom(movements, date(2024, 7, 1)) == Decimal("150.00")
