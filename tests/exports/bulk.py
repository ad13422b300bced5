"""Many expenditures, fast: bulk_create in batches so that building them stays small in memory too."""

from datetime import date, timedelta
from decimal import Decimal

from django.db import connection

from projects.models import BudgetItem, BudgetLine, Expenditure

CLASSES = ["30201", "30211", "30215", "30216", "30227", "31002"]


def add_expenditures(item: BudgetItem, count: int, *, batch: int = 10_000) -> Decimal:
    """Give `item` `count` approved expenditures of ¥100.00–¥999.99 over its year, with a budget line
    that covers them. Returns their total."""
    year = item.department_year.year
    start = date(year, 1, 1)
    total = Decimal("0.00")
    made = 0
    while made < count:
        rows = []
        for index in range(made, min(count, made + batch)):
            amount = Decimal(100 + index % 900) + Decimal(index % 100) / 100
            total += amount
            rows.append(
                Expenditure(
                    item=item, date=start + timedelta(days=index % 365), amount=amount,
                    economic_class_id=CLASSES[index % len(CLASSES)], memo=f"明细支出第{index + 1}笔",
                    voucher=f"V{index + 1:07d}",
                )
            )
        Expenditure.objects.bulk_create(rows, batch_size=2000 if connection.vendor == "sqlite" else 5000)
        made += len(rows)
    BudgetLine.objects.create(item=item, source="local", kind="initial", amount=total, date=start)
    return total
