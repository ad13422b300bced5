"""The monthly spending rollup (projects.models.MonthlySpending): its triggers, its check and its rebuild.

Why a rollup: at 1,000,000 expenditures the province view summed every row of the year
(~400 ms of SQL alone on the benchmark machine) and each dashboard re-aggregated its
department's rows by month. The rollup holds a few rows per item and month instead.
Why triggers: they keep it exact in the same transaction as any write to the expenditure
table, without a hook in each writer (ledger services, importer, admin, bulk inserts).
"""

from collections import defaultdict
from decimal import Decimal

from django.db import connection, transaction
from django.db.models import Case, F, OuterRef, Q, Subquery, Sum, Value, When
from django.db.models.functions import Cast

from fundmgr.lib.money import ZERO
from projects.arithmetic import month_end, signed_amount
from projects.models import BudgetItem, BudgetLine, EconomicClass, Expenditure, MonthlySpending, SpendingPlan
from projects.selectors import MONEY_FIELD, Figures, MonthClassRow, plan_and_forecast

TABLE = "projects_monthlyspending"
KEY = "item_id, period, class_code, status"

POSTGRES_FUNCTION = f"""
CREATE OR REPLACE FUNCTION projects_spending_rollup() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP IN ('DELETE', 'UPDATE') THEN
    INSERT INTO {TABLE} ({KEY}, amount, entries)
    SELECT item_id, date_trunc('month', date)::date, substr(economic_class_id, 1, 3), status, -SUM(amount), -COUNT(*)
      FROM old_rows GROUP BY 1, 2, 3, 4
    ON CONFLICT ({KEY}) DO UPDATE
      SET amount = {TABLE}.amount + EXCLUDED.amount, entries = {TABLE}.entries + EXCLUDED.entries;
  END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') THEN
    INSERT INTO {TABLE} ({KEY}, amount, entries)
    SELECT item_id, date_trunc('month', date)::date, substr(economic_class_id, 1, 3), status, SUM(amount), COUNT(*)
      FROM new_rows GROUP BY 1, 2, 3, 4
    ON CONFLICT ({KEY}) DO UPDATE
      SET amount = {TABLE}.amount + EXCLUDED.amount, entries = {TABLE}.entries + EXCLUDED.entries;
  END IF;
  IF TG_OP IN ('DELETE', 'UPDATE') THEN
    DELETE FROM {TABLE} AS r USING (SELECT DISTINCT item_id FROM old_rows) AS o
     WHERE r.item_id = o.item_id AND r.entries = 0;
  END IF;
  RETURN NULL;
END $$;
"""
POSTGRES_TRIGGERS = [
    "CREATE TRIGGER projects_spending_rollup_insert AFTER INSERT ON projects_expenditure "
    "REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION projects_spending_rollup()",
    "CREATE TRIGGER projects_spending_rollup_update AFTER UPDATE ON projects_expenditure "
    "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION projects_spending_rollup()",
    "CREATE TRIGGER projects_spending_rollup_delete AFTER DELETE ON projects_expenditure "
    "REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION projects_spending_rollup()",
]
POSTGRES_DROP = [
    "DROP TRIGGER IF EXISTS projects_spending_rollup_insert ON projects_expenditure",
    "DROP TRIGGER IF EXISTS projects_spending_rollup_update ON projects_expenditure",
    "DROP TRIGGER IF EXISTS projects_spending_rollup_delete ON projects_expenditure",
    "DROP FUNCTION IF EXISTS projects_spending_rollup()",
]


def _sqlite_add() -> str:
    return (
        f"INSERT INTO {TABLE} ({KEY}, amount, entries) VALUES (NEW.item_id, date(NEW.date, 'start of month'), "
        f"substr(NEW.economic_class_id, 1, 3), NEW.status, NEW.amount, 1) "
        f"ON CONFLICT ({KEY}) DO UPDATE SET amount = amount + excluded.amount, entries = entries + excluded.entries;"
    )


# Taking a row away only updates the rollup row it was counted in. (Django's test flush deletes
# SQLite tables one by one in no set order; an upsert here would leave negative rows behind
# when the rollup table had been emptied first.)
SQLITE_SUBTRACT = (
    f"UPDATE {TABLE} SET amount = amount - OLD.amount, entries = entries - 1 "
    f"WHERE item_id = OLD.item_id AND period = date(OLD.date, 'start of month') "
    f"AND class_code = substr(OLD.economic_class_id, 1, 3) AND status = OLD.status;"
)
SQLITE_CLEANUP = f"DELETE FROM {TABLE} WHERE item_id = OLD.item_id AND entries = 0;"
SQLITE_TRIGGERS = [
    f"CREATE TRIGGER projects_spending_rollup_insert AFTER INSERT ON projects_expenditure BEGIN {_sqlite_add()} END",
    f"CREATE TRIGGER projects_spending_rollup_update AFTER UPDATE ON projects_expenditure BEGIN "
    f"{SQLITE_SUBTRACT} {_sqlite_add()} {SQLITE_CLEANUP} END",
    f"CREATE TRIGGER projects_spending_rollup_delete AFTER DELETE ON projects_expenditure BEGIN {SQLITE_SUBTRACT} {SQLITE_CLEANUP} END",
]
SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS projects_spending_rollup_insert",
    "DROP TRIGGER IF EXISTS projects_spending_rollup_update",
    "DROP TRIGGER IF EXISTS projects_spending_rollup_delete",
]


def _period(vendor: str) -> str:
    return "date_trunc('month', date)::date" if vendor == "postgresql" else "date(date, 'start of month')"


def raw_sums_sql(vendor: str) -> str:
    """The rollup computed from scratch: what it must equal at all times."""
    return (
        f"SELECT item_id, {_period(vendor)} AS period, substr(economic_class_id, 1, 3) AS class_code, status, "
        f"SUM(amount) AS amount, COUNT(*) AS entries FROM projects_expenditure GROUP BY 1, 2, 3, 4"
    )


def install(schema_editor) -> None:
    """Create the triggers on the connection's engine (PostgreSQL or SQLite)."""
    vendor = schema_editor.connection.vendor
    statements = ([POSTGRES_FUNCTION] + POSTGRES_TRIGGERS) if vendor == "postgresql" else SQLITE_TRIGGERS
    for statement in statements:
        schema_editor.execute(statement)


def uninstall(schema_editor) -> None:
    for statement in POSTGRES_DROP if schema_editor.connection.vendor == "postgresql" else SQLITE_DROP:
        schema_editor.execute(statement)


@transaction.atomic
def rollup_rebuild() -> int:
    """Recompute the whole rollup from the expenditures (after a TRUNCATE, a restore, or a failed check)."""
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {TABLE}")
        cursor.execute(f"INSERT INTO {TABLE} ({KEY}, amount, entries) {raw_sums_sql(connection.vendor)}")
        return cursor.rowcount


def rollup_differences(limit: int = 50) -> list[tuple]:
    """Keys where the rollup and the raw sums disagree: (item, period, class, status, rollup amount,
    raw amount, rollup entries, raw entries). Empty when the rollup is exact."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            SELECT COALESCE(r.item_id, x.item_id), COALESCE(r.period, x.period), COALESCE(r.class_code, x.class_code),
                   COALESCE(r.status, x.status), r.amount, x.amount, r.entries, x.entries
              FROM {TABLE} r
              FULL OUTER JOIN ({raw_sums_sql(connection.vendor)}) x
                ON r.item_id = x.item_id AND r.period = x.period AND r.class_code = x.class_code AND r.status = x.status
             WHERE r.item_id IS NULL OR x.item_id IS NULL OR ABS(r.amount - x.amount) >= 0.005 OR r.entries <> x.entries
             LIMIT {int(limit)}
            """
        )
        return cursor.fetchall()


# --- reads ---


def monthly_spending_by_class(*, department_year, unit_id: int | None = None, item_id: int | None = None):
    """Approved spending by month and 3-digit class of a department-year, unit or item, from the
    rollup: the same rows as projects.selectors.spending_by_month_and_class, one query."""
    rollup = MonthlySpending.objects.filter(item__department_year=department_year, status=Expenditure.Status.APPROVED)
    if item_id is not None:
        rollup = rollup.filter(item_id=item_id)
    elif unit_id is not None:
        rollup = rollup.filter(item__unit_id=unit_id)
    # Grouped by the period itself, not by ExtractMonth("period"): SQLite computes that in a Python
    # function called once a rollup row (~1,200 at 10,000 expenditures). A department-year's
    # periods are its months, so the rows are the same; any of another year fold into their month.
    class_name = EconomicClass.objects.filter(code=OuterRef("class_code")).values("name")[:1]
    grouped = rollup.order_by().values_list("period", "class_code").annotate(spent=Sum("amount"), class_name=Subquery(class_name))
    rows: dict[tuple[int, str], MonthClassRow] = {}
    for period, class_code, spent, name in grouped:
        row = rows.get((period.month, class_code))
        if row is None:
            rows[period.month, class_code] = MonthClassRow(
                month=period.month, class_code=class_code, class_name=name or "", spent=spent
            )
        else:
            row.spent += spent
    return [rows[key] for key in sorted(rows)]


def spending_by_item(*, year: int, through, department_ids=None) -> dict[int, tuple[Decimal, Decimal]]:
    """{item id: (approved, pending)} of every item of `year` with spending up to the month of
    `through` (a month's last day), from the rollup. One grouped query, a row an item with its two
    statuses summed apart, the items picked by a subquery of the year's items: no join on each of
    the rollup's rows (a million expenditures make some 150,000 of them a year)."""
    items = BudgetItem.objects.filter(department_year__year=year)
    if department_ids is not None:
        items = items.filter(department_year__department_id__in=department_ids)
    approved, pending = Expenditure.Status.APPROVED, Expenditure.Status.PENDING
    rows = (
        MonthlySpending.objects.filter(
            item__in=items.values("id"), status__in=[approved, pending], period__lte=through.replace(day=1)
        )
        .order_by()
        .values_list("item")
        .annotate(approved=Sum("amount", filter=Q(status=approved)), pending=Sum("amount", filter=Q(status=pending)))
    )
    return {item_id: (spent or ZERO, waiting or ZERO) for item_id, spent, waiting in rows}


_PLAN = "plan"  # plans_by_department_year's rows of the spending plan (not a line kind)
_ITEM = "item"  # and its rows naming each item's department-year


def plans_by_department_year(*, year: int, month: int, spending, department_ids=None) -> dict[int, Figures]:
    """Each department-year's spending (approved and pending, spending_by_item's, to that month),
    plan to date and forecast at the end of `month` (DOMAIN.md section 8), as Figures holding those
    four: each item's plan and forecast by projects.selectors.plan_and_forecast, as budget_summary
    computes them, from its full-year budget (its lines to that day), its approved spending and its
    plan; summed per department-year. One query, read as plain rows: the year's items with their
    department-year, its lines grouped by item and kind and its plan grouped by item, as one UNION
    ALL (a correlated subquery a figure for each of the year's thousands of items cost the province
    view most of its time), and no object an item."""
    through = month_end(year, month)
    narrowing = {"item__department_year__year": year}
    items = BudgetItem.objects.filter(department_year__year=year)
    if department_ids is not None:
        narrowing["item__department_year__department_id__in"] = department_ids
        items = items.filter(department_year__department_id__in=department_ids)
    none = Cast(Value(None), MONEY_FIELD)  # typed: PostgreSQL matches a UNION's columns by type
    rows = (
        items.order_by()
        .annotate(what=Value(_ITEM), total=none, whole=none)
        .values_list("id", "department_year_id", "what", "total", "whole")
        .union(
            BudgetLine.objects.filter(date__lte=through, **narrowing)
            .order_by()
            .values_list("item_id", "item__department_year_id", "kind")
            .annotate(total=Sum("amount"), whole=none),
            SpendingPlan.objects.filter(month__in=range(1, 13), **narrowing)
            .order_by()
            .annotate(what=Value(_PLAN))
            .values_list("item_id", "item__department_year_id", "what")
            .annotate(
                total=Sum(Case(When(month__lte=month, then=F("amount")), output_field=MONEY_FIELD)), whole=Sum("amount")
            ),
            all=True,
        )
    )
    owner: dict[int, int] = {}  # item id -> its department-year id
    full_years: dict[int, Decimal] = {}
    plans: dict[int, tuple[Decimal | None, Decimal]] = {}
    for item_id, department_year_id, what, total, whole in rows:
        if what == _ITEM:
            owner[item_id] = department_year_id
        elif what == _PLAN:
            plans[item_id] = (total, whole)
        else:
            full_years[item_id] = full_years.get(item_id, ZERO) + signed_amount(kind=what, amount=total)
    totals: dict[int, Figures] = defaultdict(Figures)
    for item_id, department_year_id in owner.items():
        spent, pending = spending.get(item_id, (ZERO, ZERO))
        planned_to, planned_total = plans.get(item_id, (None, None))
        plan, forecast = plan_and_forecast(
            month=month, full_year=full_years.get(item_id, ZERO), spent=spent, planned_to=planned_to, planned_total=planned_total
        )
        total = totals[department_year_id]
        total.spent += spent
        total.pending += pending
        total.plan_to_date += plan
        total.forecast += forecast
    return dict(totals)