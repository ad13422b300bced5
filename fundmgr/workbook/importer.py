"""The workbook import service (DOMAIN.md section 4): one department-year, all or nothing.

The workbook is read as a stream (fundmgr.workbook.reader) and checked by fundmgr.workbook.rules.
Inside one transaction, units are upserted by code and the year's items, budget lines,
expenditures, indicators and month closes are bulk-inserted; the expenditures are written in
batches (fundmgr.workbook.ledger) as they are read, so memory does not grow with their number, and
the transaction is rolled back when any error turns up. The query count does not grow with the
number of rows, apart from one INSERT per batch, and the optional sheets of DOMAIN.md section 8:
each 预算调剂 row and each item's 用款计划 is written through projects.services (transfer_create,
plan_set), with the checks and history every other path gets, a few queries each.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from fundmgr.lib.money import ZERO
from fundmgr.workbook import schema as S
from fundmgr.workbook.export import month_history
from fundmgr.workbook.ledger import LedgerWriter, UserIds
from fundmgr.workbook.reader import FileRefused, Row, WorkbookError, WorkbookFile, open_workbook
from fundmgr.workbook.rules import MonthEvent, WorkbookRules
from indicators.selectors import department_phrases_by_code
from projects.arithmetic import signed_amount
from projects.models import EconomicClass, Expenditure, MonthClose
from units.locks import department_year_lock_exclusive
from units.models import Department, DepartmentYear

# The refusal of a department-year that exists when no replace was asked for: the upload page
# points to its 替换 option, and import_budget to its --replace flag (ImportResult.year_exists).
YEAR_EXISTS = "year_exists"
# A background import (fundmgr.tasks) hears how many expenditure rows are done every this many rows.
PROGRESS_EVERY = 500


@dataclass
class UnitTotal:
    code: str
    name: str
    full_year: Decimal = ZERO
    spent: Decimal = ZERO


@dataclass
class ImportResult:
    """What an import did, or would do (dry run), or why it was refused."""

    errors: list[WorkbookError] = field(default_factory=list)
    department_year: DepartmentYear | None = None
    counts: dict[str, int] = field(default_factory=dict)  # rows per sheet, keyed by the Chinese sheet name
    unit_totals: list[UnitTotal] = field(default_factory=list)  # full-year budget and spending per unit
    dry_run: bool = False
    replaced: bool = False
    year_exists: bool = False  # refused because the department-year exists and `replace` was not asked for

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def total_full_year(self) -> Decimal:
        return sum((unit.full_year for unit in self.unit_totals), ZERO)

    @property
    def total_spent(self) -> Decimal:
        return sum((unit.spent for unit in self.unit_totals), ZERO)


def workbook_import(
    *, source, replace: bool = False, dry_run: bool = False, user=None, progress: Callable[[int], None] | None = None
) -> ImportResult:
    """Import one department-year from an .xlsx workbook (DOMAIN.md section 4).

    All or nothing: every error is collected and a rejected workbook changes nothing. A
    department-year that exists is refused unless `replace`; replacing deletes the year's
    items, lines, expenditures and indicators and re-creates them, in the same transaction.
    Units are upserted by code, never deleted, since memberships point at them. An existing
    year with a closed month (projects.MonthClose) is refused on every path; the workbook's own
    月结 sheet closes months as part of the import. `dry_run` validates and reports counts and
    per-unit totals without writing.

    The small sheets are read whole; the expenditures are validated and written in batches as
    they are read (openpyxl read-only mode), inside the one transaction, which is rolled back
    when any error turns up. The department-year is locked first and exclusively (units/locks.py).
    `progress`, when given, is called with the number of expenditure rows read so far, every
    PROGRESS_EVERY rows and once at the end.
    """
    result = ImportResult(dry_run=dry_run)
    user = user if getattr(user, "pk", None) else None  # an anonymous user records as nobody
    book, errors = open_workbook(source)
    if book is None:
        result.errors = errors
        return result
    with book:
        try:
            _import(book, result, replace=replace, dry_run=dry_run, user=user, progress=progress)
        except FileRefused as refusal:
            result.errors = [refusal.error]
            result.department_year = None
    if result.errors:
        result.counts, result.unit_totals, result.department_year, result.replaced = {}, [], None, False
    return result


def _import(book: WorkbookFile, result: ImportResult, *, replace: bool, dry_run: bool, user, progress=None) -> None:
    collector = book.collector
    rules = WorkbookRules(economic_classes=set(EconomicClass.objects.values_list("code", flat=True)), collector=collector)
    small = {
        sheet.key: list(book.rows(sheet))
        for sheet in (
            S.DEPARTMENT,
            S.UNITS,
            S.ITEMS,
            S.LINES,
            S.TRANSFERS,
            S.PLANS,
            S.INDICATORS,
            S.SCORING,
            S.GOALS,
            S.MONTH_CLOSES,
        )
    }
    department = rules.department(small[S.DEPARTMENT.key], present=S.DEPARTMENT.key in book.present)
    rules.units_sheet(small[S.UNITS.key])
    rules.items_sheet(small[S.ITEMS.key])
    rules.lines_sheet(small[S.LINES.key])
    rules.transfers_sheet(small[S.TRANSFERS.key], threshold=settings.APPROVAL_THRESHOLD)
    plans = rules.plans_sheet(small[S.PLANS.key])  # after the lines and transfers: their budgets bound the plans
    rules.scoring_sheet(small[S.SCORING.key])  # before the indicators: their points follow the profile
    # The department's own 定性表述 list reads the indicators' texts (DOMAIN.md section 9): one query.
    phrases = department_phrases_by_code(department["code"]) if department is not None and department["code"] else None
    rules.indicators_sheet(small[S.INDICATORS.key], phrases=phrases)
    rules.goals_sheet(small[S.GOALS.key])
    totals = _UnitTotals(small)

    with transaction.atomic():
        department_year, history = None, []
        if not collector.errors:
            department_year, refusal = _department_year(department, replace=replace, dry_run=dry_run)
            if refusal:
                transaction.set_rollback(True)  # nothing of a refused import stays, not even its department
                result.errors = [refusal]
                result.year_exists = refusal.code == YEAR_EXISTS
                return
            if department_year is not None and department_year.pk:
                history = month_history(department_year)
        writer = None
        if not collector.errors and not dry_run:
            writer = LedgerWriter(department_year, user=user)
            writer.replace_and_write_heads(small)
            writer.transfers(small[S.TRANSFERS.key], collector=collector)
            writer.plans(plans, collector=collector)
        expenditures = 0
        for row in book.rows(S.EXPENDITURES):
            expenditures += 1
            if progress is not None and expenditures % PROGRESS_EVERY == 0:
                progress(expenditures)
            if rules.expenditure(row):
                totals.spend(row)
                if writer is not None and not collector.errors:
                    writer.expenditure(row)
        if progress is not None:
            progress(expenditures)
        events = rules.month_closes(
            small[S.MONTH_CLOSES.key], present=S.MONTH_CLOSES.key in book.present, history=history
        )
        rules.finish()
        _check_closing_users(events, user, collector)
        if collector.errors:
            transaction.set_rollback(True)
            result.errors = sorted(collector.errors, key=lambda error: (_sheet_order(error.sheet), error.row or 0))
            return
        if writer is not None:
            writer.finish(small, events)
            result.replaced = writer.replaced
        result.department_year = department_year

    result.counts = {
        sheet.name: expenditures if sheet is S.EXPENDITURES else len(small[sheet.key])
        for sheet in S.SHEETS
        if sheet.required or sheet.key in book.present
    }
    result.unit_totals = totals.units


def _check_closing_users(events: list[MonthEvent], user, collector) -> None:
    """A month close needs its user (MonthClose.closed_by): the 操作人 named, else the importer."""
    if user is not None:
        return
    user_id = UserIds()
    for event in events:
        if event.action == S.CLOSE and user_id(event.user) is None:
            collector.add(
                S.MONTH_CLOSES,
                event.row,
                S.MONTH_CLOSES.column("user"),
                _("结账须有结账人：请在“操作人”中填写本系统已有的用户名，或以某个用户的身份导入（命令行：--user）"),
            )


class _UnitTotals:
    """Full-year budget and spending per unit, as the rows are read (what a dry run reports)."""

    def __init__(self, small: dict[str, list[Row]]):
        self.by_code = {row["code"]: UnitTotal(code=row["code"], name=row["name"]) for row in small[S.UNITS.key]}
        self.unit_of_item = {row["code"]: row["unit"] for row in small[S.ITEMS.key]}
        for row in small[S.LINES.key]:
            unit = self.by_code.get(self.unit_of_item.get(row["project"]))
            if unit is not None and row["amount"] is not None:
                unit.full_year += signed_amount(kind=row["kind"], amount=row["amount"])
        # An approved transfer moves budget between items, so between units when they differ (section 8).
        for row in small[S.TRANSFERS.key]:
            if (row["status"] or "approved") != "approved" or row["amount"] is None:
                continue
            for key, sign in (("from_project", -1), ("to_project", 1)):
                unit = self.by_code.get(self.unit_of_item.get(row[key]))
                if unit is not None:
                    unit.full_year += sign * row["amount"]

    def spend(self, row: Row) -> None:
        unit = self.by_code.get(self.unit_of_item.get(row["project"]))
        if unit is not None and (row["status"] or Expenditure.Status.APPROVED) == Expenditure.Status.APPROVED:
            unit.spent += row["amount"]

    @property
    def units(self) -> list[UnitTotal]:
        return list(self.by_code.values())


def _sheet_order(name: str) -> int:
    for index, sheet in enumerate(S.SHEETS):
        if sheet.name == name:
            return index
    return -1


def _year_error(message: str, *, code: str = "") -> WorkbookError:
    return WorkbookError(S.DEPARTMENT.name, 2, S.DEPARTMENT.column("year").header, message, code=code)


def _department_year(row: Row, *, replace: bool, dry_run: bool):
    """Find (locked exclusively, units/locks.py) or create the department-year; refuse an existing
    year without `replace` or with closed months."""
    code, name, year = row["code"], row["name"], row["year"]
    department = Department.objects.filter(code=code).first()
    existing = None
    if department is not None:
        existing = DepartmentYear.objects.filter(department=department, year=year).first()
        if existing is not None:
            department_year_lock_exclusive(existing.pk)
    if existing is not None:
        closed = list(MonthClose.objects.filter(department_year=existing).values_list("month", flat=True))
        if closed:
            months = _("、").join(_("%(month)s月") % {"month": month} for month in closed)
            return None, _year_error(
                _("%(code)s %(year)s年度已有结账月份（%(months)s），不能导入或替换") % {"code": code, "year": year, "months": months}
            )
        if not replace:
            return None, _year_error(
                _("%(code)s %(year)s年度已存在；如需用本工作簿替换该年度的数据，请选择“替换”") % {"code": code, "year": year},
                code=YEAR_EXISTS,
            )
        existing.department = department
        if dry_run:
            return existing, None
    if dry_run:
        return None, None
    if department is None:
        department = Department.objects.create(code=code, name=name)
    elif department.name != name:
        department.name = name
        department.save(update_fields=["name"])
    if existing is None:
        try:
            with transaction.atomic():
                existing = DepartmentYear.objects.create(department=department, year=year)
        except IntegrityError:  # another import created the same year since we looked
            return None, _year_error(_("%(code)s %(year)s年度正由另一导入写入，请稍后重试") % {"code": code, "year": year})
    return existing, None
