"""The checks of the database after a run (Django): no item overspent at any point, no lost or extra
write, the department's sum and the monthly rollup in step with the ledger."""

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Sum

from benchmarks.loadtest.browser import shown
from benchmarks.loadtest.dataset import Dataset
from benchmarks.loadtest.users import Outcome
from projects.availability import COMMITTED, item_movements, replay
from projects.models import BudgetItem, Expenditure
from projects.rollups import rollup_differences


@dataclass(frozen=True)
class Check:
    name: str
    passed: bool
    detail: str


@dataclass(frozen=True)
class ItemState:
    code: str
    budget: Decimal
    committed: Decimal

    @property
    def left(self) -> Decimal:
        return self.budget - self.committed


def item_states(dataset: Dataset) -> dict[int, ItemState]:
    """Full-year budget and committed spending (approved + pending) of each shared item."""
    states = {}
    for item in BudgetItem.objects.filter(pk__in=dataset.shared_items):
        movements = item_movements(item)
        states[item.pk] = ItemState(
            code=item.code,
            budget=sum((movement.budget for movement in movements), Decimal("0.00")),
            committed=sum((movement.spending for movement in movements), Decimal("0.00")),
        )
    return states


def ledger_checks(dataset: Dataset, outcome: Outcome) -> list[Check]:
    """No overspent item at any point; the ledger holds exactly what the server accepted."""
    items = list(BudgetItem.objects.filter(department_year__department__code=dataset.department_code, department_year__year=dataset.year))
    # replay() enters the item's ledger in date order and lists every point where spending would
    # exceed the budget available then: none, for an item that was never overspent.
    overspent = [item.code for item in items if replay(item_movements(item))]
    checks = [
        Check(
            "no item is overspent at any point",
            not overspent,
            f"{len(items)} items checked" + (f"; overspent: {', '.join(overspent)}" if overspent else ""),
        )
    ]

    held = defaultdict(list)
    for item_id, amount in Expenditure.objects.filter(item_id__in=dataset.shared_items).values_list("item_id", "amount"):
        held[item_id].append(amount)
    differing = [
        dataset.shared_items[item] for item in dataset.shared_items if sorted(held[item]) != sorted(outcome.accepted.get(item, []))
    ]
    held_total = sum((sum(amounts, Decimal("0.00")) for amounts in held.values()), Decimal("0.00"))
    checks.append(
        Check(
            "the ledger holds exactly the accepted amounts (no lost or extra write)",
            not differing,
            f"{sum(map(len, held.values()))} expenditures, {shown(held_total)} in the ledger; "
            f"{outcome.accepted_count} accepted, {shown(outcome.accepted_total)}"
            + (f"; differing items: {', '.join(differing)}" if differing else ""),
        )
    )

    committed_after = Expenditure.objects.filter(
        item__department_year__department__code=dataset.department_code, item__department_year__year=dataset.year, status__in=COMMITTED
    ).aggregate(total=Sum("amount", default=Decimal("0.00")))["total"]
    checks.append(
        Check(
            "department ledger sum = sum before + accepted",
            committed_after == dataset.committed_before + outcome.accepted_total,
            f"{shown(committed_after)} = {shown(dataset.committed_before)} + {shown(outcome.accepted_total)}",
        )
    )
    differences = rollup_differences(limit=5)
    checks.append(Check("the monthly rollup equals the raw sums", not differences, f"{len(differences)} differing keys shown"))
    return checks
