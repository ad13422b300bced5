"""The one lock order of the ledger, and the department-year lock every ledger write starts with.

Every transaction that writes a department-year's ledger takes its row locks in this order:

1. the department-year row (units.DepartmentYear), through this module:
   - **shared** by postings (expenditures, budget lines, items, 三重一大 decisions), so that
     clerks posting at the same time never wait for each other on it;
   - **exclusive** by whatever changes the year as a whole: the workbook import and replace,
     closing and reopening a month, closing the year (which then takes the next year's row
     exclusively too, always the earlier year first);
2. the budget items (projects.BudgetItem): one by pk, or several in ascending pk order (the two
   items of a transfer, whichever way the money goes; a batch of 三重一大 approvals), or all of
   them by deleting them while the department-year is held exclusively;
3. the rows under an item: its expenditures, budget lines, spending plan and indicators, and a
   transfer (after both its items).

A lock is never taken against this order, so two ledger writers can wait for each other but
never deadlock. Taking the department-year first is also what makes month closing and the
import safe against a posting in flight: a month cannot be closed, nor a year replaced, between
a posting's checks ("is the month open?", "does the item exist?") and its commit.

PostgreSQL only. SQLite has no row locks: its IMMEDIATE transactions serialise writers anyway,
so both functions are no-ops there. Each must run inside transaction.atomic().
"""

from django.db import connection

from units.models import DepartmentYear


def _lock(department_year_id: int, mode: str) -> bool:
    """Lock the row in `mode` ("SHARE" or "UPDATE"); False when the department-year is gone."""
    if connection.vendor != "postgresql":
        return DepartmentYear.objects.filter(pk=department_year_id).exists()
    table = connection.ops.quote_name(DepartmentYear._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT 1 FROM {table} WHERE id = %s FOR {mode}", [department_year_id])
        return cursor.fetchone() is not None


def department_year_lock_shared(department_year_id: int) -> bool:
    """Step 1 of the lock order for a posting: many postings hold it at once; closing a month,
    reopening one and replacing the year wait for them, and they for it."""
    return _lock(department_year_id, "SHARE")


def department_year_lock_exclusive(department_year_id: int) -> bool:
    """Step 1 of the lock order for a write on the whole year (import, replace, month close)."""
    return _lock(department_year_id, "UPDATE")
