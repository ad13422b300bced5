"""The ledger version's triggers (units.models.LedgerVersion): one list of the tables whose rows a
department-year's pages show, and how a row reaches its department-year.

Why triggers: every door writes these tables (the services, the workbook importer's bulk_create,
the admin, the commands, a data fix in psql), and a cached page must never outlive a write
through any of them. A trigger raises the version in the same transaction as the write, like
projects.rollups keeps the monthly rollup. A table added later is one line in READS; its
migration calls reinstall().

The list lives here, in the highest app with migrations, because it names the tables of all three.
"""

from dataclasses import dataclass

VERSION_TABLE = "units_ledgerversion"


@dataclass(frozen=True)
class Reach:
    """How a row of `table` reaches the department-years whose pages show it.

    kind: "department_year" (the row's `column` is a department-year id), "item" (a budget item
    id), "department" (a department id: every year of it) or "every" (reference data: all).
    A department-year's next year is always raised too: its pages show this year's figures as
    the year before."""

    table: str
    kind: str
    column: str = ""


READS = [
    Reach("units_department", "department", "id"),
    Reach("units_budgetunit", "department", "department_id"),
    Reach("units_departmentyear", "department_year", "id"),  # the 自评表's narrative sections, imports
    Reach("projects_economicclass", "every"),  # class names on every chart and export
    Reach("projects_budgetitem", "department_year", "department_year_id"),
    Reach("projects_budgetline", "item", "item_id"),
    Reach("projects_budgettransfer", "department_year", "department_year_id"),
    Reach("projects_spendingplan", "item", "item_id"),
    Reach("projects_expenditure", "item", "item_id"),
    Reach("projects_monthclose", "department_year", "department_year_id"),
    Reach("projects_yearclose", "department_year", "department_year_id"),
    Reach("indicators_indicator", "department_year", "department_year_id"),
    Reach("indicators_scoringprofile", "department_year", "department_year_id"),
    Reach("indicators_annualgoal", "department_year", "department_year_id"),
    Reach("indicators_qualitativephrase", "department", "department_id"),
    Reach("indicators_evaluationupload", "department_year", "department_year_id"),
    Reach("indicators_targetdeclaration", "department_year", "department_year_id"),  # the 自评表's 目标版本
    Reach("indicators_itemmonitoring", "item", "item_id"),  # the 绩效运行监控表
    Reach("indicators_evidence", "department_year", "department_year_id"),  # the 佐证材料 of the 自评表
]

# Tables of projects and indicators that need no trigger of their own, and why (the test that
# walks the app registry accepts exactly these, and simple_history's audit copies).
DERIVED = {
    "projects_monthlyspending": "written only by the expenditure triggers, whose own trigger raises the version",
}


def _targets(reach: Reach, ids: str) -> str:
    """SQL selecting the (department-year, shard) rows of units_ledgerversion to raise; `ids` is a
    parenthesised SELECT of the written rows' `column` values. A write through an item raises that
    item's row (in its year and the next), anything else the department-year's own row, shard 0."""
    if reach.kind == "every":
        return f"SELECT id AS department_year_id, 0 AS shard FROM units_departmentyear WHERE EXISTS {ids}"
    if reach.kind == "department":
        return f"SELECT id AS department_year_id, 0 AS shard FROM units_departmentyear WHERE department_id IN {ids}"
    next_years = (
        "JOIN units_departmentyear d ON d.department_id = s.department_id AND d.year >= s.year AND d.year <= s.year + 1"
    )
    if reach.kind == "item":
        return (
            "SELECT d.id AS department_year_id, i.id AS shard FROM projects_budgetitem i "
            f"JOIN units_departmentyear s ON s.id = i.department_year_id {next_years} WHERE i.id IN {ids}"
        )
    if reach.kind == "department_year":
        return f"SELECT d.id AS department_year_id, 0 AS shard FROM units_departmentyear s {next_years} WHERE s.id IN {ids}"
    raise ValueError(f"unknown reach {reach.kind!r} of {reach.table}")


# changed_at is the time of the write in microseconds, or one more than the last should the clock
# stand still or step back (units.models.LedgerVersion says why).
NOW_MICROSECONDS = {
    "postgresql": "(extract(epoch FROM clock_timestamp()) * 1000000)::bigint",
    "sqlite": "CAST((julianday('now') - 2440587.5) * 86400000000 AS INTEGER)",
}
LARGER = {"postgresql": "GREATEST", "sqlite": "max"}


def bump_sql(reach: Reach, ids: str, vendor: str) -> str:
    now = NOW_MICROSECONDS[vendor]
    # "WHERE true": SQLite's parser needs a WHERE before ON CONFLICT after INSERT ... SELECT
    return (
        f"INSERT INTO {VERSION_TABLE} (department_year_id, shard, changes, changed_at) "
        f"SELECT t.department_year_id, t.shard, 1, {now} FROM ({_targets(reach, ids)}) AS t WHERE true "
        f"ON CONFLICT (department_year_id, shard) DO UPDATE SET changes = {VERSION_TABLE}.changes + 1, "
        f"changed_at = {LARGER[vendor]}({VERSION_TABLE}.changed_at + 1, {now})"
    )


def _name(reach: Reach, op: str = "") -> str:
    return f"ledger_version_{reach.table}{'_' + op if op else ''}"


# --- SQLite: a row trigger per table and operation ---


def _sqlite_ids(reach: Reach, *rows: str) -> str:
    if reach.kind == "every":
        return "(SELECT 1)"
    return "(" + " UNION ".join(f"SELECT {row}.{reach.column}" for row in rows) + ")"


def sqlite_triggers(reach: Reach) -> list[str]:
    new, old = bump_sql(reach, _sqlite_ids(reach, "NEW"), "sqlite"), bump_sql(reach, _sqlite_ids(reach, "OLD"), "sqlite")
    # an update raises the years of the row before and after (an item moved), each once
    changed = bump_sql(reach, _sqlite_ids(reach, "OLD", "NEW"), "sqlite")
    return [
        f"CREATE TRIGGER {_name(reach, 'insert')} AFTER INSERT ON {reach.table} BEGIN {new}; END",
        f"CREATE TRIGGER {_name(reach, 'update')} AFTER UPDATE ON {reach.table} BEGIN {changed}; END",
        f"CREATE TRIGGER {_name(reach, 'delete')} AFTER DELETE ON {reach.table} BEGIN {old}; END",
    ]


def sqlite_drop(reach: Reach) -> list[str]:
    return [f"DROP TRIGGER IF EXISTS {_name(reach, op)}" for op in ("insert", "update", "delete")]


# --- PostgreSQL: one statement trigger per table and operation, over the transition tables ---


def _postgres_ids(reach: Reach, rows: str) -> str:
    return f"(SELECT {'1' if reach.kind == 'every' else reach.column} FROM {rows})"


def postgres_function(reach: Reach) -> str:
    changed = "(SELECT * FROM new_rows UNION ALL SELECT * FROM old_rows) AS changed_rows"
    return f"""
CREATE OR REPLACE FUNCTION {_name(reach)}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    {bump_sql(reach, _postgres_ids(reach, "new_rows"), "postgresql")};
  ELSIF TG_OP = 'DELETE' THEN
    {bump_sql(reach, _postgres_ids(reach, "old_rows"), "postgresql")};
  ELSE
    {bump_sql(reach, _postgres_ids(reach, changed), "postgresql")};
  END IF;
  RETURN NULL;
END $$;
"""


def postgres_triggers(reach: Reach) -> list[str]:
    transition = {
        "insert": "REFERENCING NEW TABLE AS new_rows",
        "update": "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows",
        "delete": "REFERENCING OLD TABLE AS old_rows",
    }
    return [postgres_function(reach)] + [
        f"CREATE TRIGGER {_name(reach, op)} AFTER {op.upper()} ON {reach.table} {clause} "
        f"FOR EACH STATEMENT EXECUTE FUNCTION {_name(reach)}()"
        for op, clause in transition.items()
    ]


def postgres_drop(reach: Reach) -> list[str]:
    return [f"DROP TRIGGER IF EXISTS {_name(reach, op)} ON {reach.table}" for op in ("insert", "update", "delete")] + [
        f"DROP FUNCTION IF EXISTS {_name(reach)}()"
    ]


# --- install ---


def _statements(schema_editor, *, create: bool) -> list[str]:
    postgres = schema_editor.connection.vendor == "postgresql"
    existing = set(schema_editor.connection.introspection.table_names())
    statements = []
    for reach in READS:
        if reach.table not in existing:  # a table a later migration creates; its migration reinstalls
            continue
        statements += postgres_drop(reach) if postgres else sqlite_drop(reach)
        if create:
            statements += postgres_triggers(reach) if postgres else sqlite_triggers(reach)
    return statements


def reinstall(schema_editor) -> None:
    """(Re)create the triggers of every table of READS that exists, on PostgreSQL or SQLite."""
    for statement in _statements(schema_editor, create=True):
        schema_editor.execute(statement)


def uninstall(schema_editor) -> None:
    for statement in _statements(schema_editor, create=False):
        schema_editor.execute(statement)
