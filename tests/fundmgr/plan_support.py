"""The dashboard ledger of tests/fundmgr/dashboard_support.py with a spending plan and a transfer
(DOMAIN.md section 8), for the plan-based dashboards, the alerts and the execution workbook.

On top of that ledger (DSH 2024):
- item A1 has a plan: 10,000.00 in January, 10,000.00 in February, 30,000.00 in March and
  5,000.00 in each month April to December (95,000.00 in all);
- 2,000.00 moves from B1 to A2 on 1 February (预算调剂, below the major-matter threshold, so it
  takes effect at once);
- A2 and B1 have no plan: theirs is linear, full-year × m ÷ 12.

At the end of March: A1 plans 50,000.00 and has spent 30,000.00 (60.00 %: yellow, exactly at the
red line is not under it); A2 has 52,000.00 (the June addition is not in yet), plans 13,000.00 and
has spent 30,000.00 (on plan); B1 has 43,000.00, plans 10,750.00 and has spent 4,000.00 (37.21 %:
red). The department plans 73,750.00 and has spent 64,000.00 (86.78 %: on plan).
"""

from datetime import date
from decimal import Decimal
from itertools import pairwise

from projects.models import BudgetItem
from projects.services import plan_set, transfer_create
from tests.fundmgr.dashboard_support import line, spend

A1_PLAN = {1: "10000.00", 2: "10000.00", 3: "30000.00", **{month: "5000.00" for month in range(4, 13)}}


def add_plan_and_transfer(department_year, user=None):
    items = {item.code: item for item in BudgetItem.objects.filter(department_year=department_year)}
    plan_set(item=items["A1"], amounts={month: Decimal(amount) for month, amount in A1_PLAN.items()}, user=user)
    transfer_create(
        department_year=department_year,
        from_item=items["B1"],
        to_item=items["A2"],
        source="local",
        amount=Decimal("2000.00"),
        date=date(department_year.year, 2, 1),
        document="调剂〔2024〕1号",
    )


def grow_plans_and_transfers(department_year, *, count=30):
    """`count` more items, each with a plan of its own and a transfer out to the next one: the
    second size of the query-count tests."""
    unit = BudgetItem.objects.filter(department_year=department_year).first().unit
    year = department_year.year
    made = []
    for index in range(count):
        item = BudgetItem.objects.create(
            department_year=department_year, unit=unit, code=f"P{index:02d}", name=f"计划项目{index}", category="project"
        )
        line(item, "initial", "12000.00", date(year, 1, 1))
        spend(item, "500.00", date(year, 1 + index % 6, 2))
        plan_set(item=item, amounts={month: Decimal("900.00") for month in range(1, 13)}, user=None)
        made.append(item)
    for source, target in pairwise(made):
        transfer_create(
            department_year=department_year,
            from_item=source,
            to_item=target,
            source="local",
            amount=Decimal("100.00"),
            date=date(year, 3, 1),
        )
