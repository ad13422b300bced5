"""The ledger version of one unit's or one item's pages, narrower than the department-year's.

units.models.LedgerVersion keeps one row per budget item (its `shard`) and one for the
department-year's own rows (shard 0); a write through an item raises that item's row in its year
and the next. The department page shows every item, so its key holds the department-year's version
(units.access.ledger_version_of). A unit's or an item's page shows only its own items and, as "the
year before", the same unit's or item code's items of the previous year: its key holds the rows of
those items and shard 0 only, so a clerk posting to one unit's item leaves every other unit's and
item's cached pages standing. The province view shows every department-year of a year: its key
holds them all (province_version). The tests of tests/fundmgr/test_page_cache.py write through each
kind of row of every scope and compare each cached page with the page built from nothing.
"""

from django.db import connection

from projects.models import BudgetItem
from units.models import BudgetUnit, DepartmentYear, LedgerVersion


def _version(department_year: DepartmentYear, items_sql: str, params: list) -> str:
    """ "<writes>-<latest write's microsecond>" over the department-year's shard 0 and the shards of
    the items `items_sql` selects (a SELECT of item ids over projects_budgetitem i joined to its
    department-year d, limited to the department's year and the one before). One query."""
    versions, items, years = LedgerVersion._meta.db_table, BudgetItem._meta.db_table, DepartmentYear._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT COALESCE(SUM(v.changes), 0), COALESCE(MAX(v.changed_at), 0) FROM {versions} v "
            f"WHERE v.department_year_id = %s AND (v.shard = 0 OR v.shard IN ("
            f"SELECT i.id FROM {items} i JOIN {years} d ON d.id = i.department_year_id "
            f"WHERE d.department_id = %s AND d.year IN (%s, %s) AND {items_sql}))",
            [department_year.pk, department_year.department_id, department_year.year, department_year.year - 1, *params],
        )
        changes, latest = cursor.fetchone()
    return f"{changes}-{latest}"


def unit_version(department_year: DepartmentYear, unit: BudgetUnit) -> str:
    """The version of a unit's pages: its items this year and last (a unit belongs to the department)."""
    return _version(department_year, "i.unit_id = %s", [unit.pk])


def item_version(department_year: DepartmentYear, item: BudgetItem) -> str:
    """The version of an item's pages: the item, and last year's item of the same code."""
    return _version(
        department_year, "(i.id = %s OR (d.year = %s AND i.code = %s))", [item.pk, department_year.year - 1, item.code]
    )


def province_version(year: int) -> str:
    """The version of every department-year of `year` at once, for the province view's cache key
    (fundmgr.lib.pagecache): the number of department-years and the highest id, with their ledger
    versions' rows counted and summed, and the latest write's time (units.models.LedgerVersion).
    A write to any of them raises the latest time, which never comes back; a department-year
    created or deleted changes the count. One query."""
    years, versions = DepartmentYear._meta.db_table, LedgerVersion._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT COUNT(DISTINCT y.id), MAX(y.id), COUNT(v.id), SUM(v.changes), MAX(v.changed_at) "
            f"FROM {years} y LEFT JOIN {versions} v ON v.department_year_id = y.id WHERE y.year = %s",
            [year],
        )
        return "-".join(str(value or 0) for value in cursor.fetchone())
