"""The workbook import service (DOMAIN.md section 4): one department-year, all or nothing.

The workbook is read and validated in full first (fundmgr.workbook.reader); then, inside one
transaction, units are upserted by code and the year's items, budget lines, expenditures and
indicators are bulk-inserted. The query count does not grow with the number of rows, apart
from one INSERT per batch of IMPORT_BATCH_SIZE rows.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from simple_history.utils import bulk_create_with_history, get_history_manager_for_model

from fundmgr.money import ZERO
from fundmgr.workbook import schema
from fundmgr.workbook.reader import BudgetWorkbook, WorkbookError, read_workbook, validate_workbook
from indicators.models import Indicator
from projects.models import BudgetItem, BudgetLine, EconomicClass, Expenditure
from units.models import BudgetUnit, Department, DepartmentYear, MonthClose

IMPORT_BATCH_SIZE = 1000
# Stored in the history as the Chinese msgid; the change log translates it when shown (fundmgr.audit).
CHANGE_REASON = gettext_noop("工作簿导入")


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

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def total_full_year(self) -> Decimal:
        return sum((unit.full_year for unit in self.unit_totals), ZERO)

    @property
    def total_spent(self) -> Decimal:
        return sum((unit.spent for unit in self.unit_totals), ZERO)


def _unit_totals(workbook: BudgetWorkbook) -> list[UnitTotal]:
    totals = {row["code"]: UnitTotal(code=row["code"], name=row["name"]) for row in workbook.rows[schema.UNITS.key]}
    unit_of_item = {row["code"]: row["unit"] for row in workbook.rows[schema.ITEMS.key]}
    for row in workbook.rows[schema.LINES.key]:
        signed = -row["amount"] if row["kind"] == BudgetLine.Kind.REDUCTION else row["amount"]
        totals[unit_of_item[row["project"]]].full_year += signed
    for row in workbook.rows[schema.EXPENDITURES.key]:
        totals[unit_of_item[row["project"]]].spent += row["amount"]
    return list(totals.values())


def workbook_import(*, source, replace: bool = False, dry_run: bool = False, user=None) -> ImportResult:
    """Import one department-year from an .xlsx workbook (DOMAIN.md section 4).

    All or nothing: every error is collected and a rejected workbook changes nothing. A
    department-year that exists is refused unless `replace`; replacing deletes the year's
    items, lines, expenditures and indicators and re-creates them, in the same transaction.
    Units are upserted by code, never deleted, since memberships point at them. A year with a
    closed month (units.MonthClose) is refused on every path. `dry_run` validates and reports
    counts and per-unit totals without writing.
    """
    result = ImportResult(dry_run=dry_run)
    user = user if getattr(user, "pk", None) else None  # an anonymous user records as nobody
    workbook, errors = read_workbook(source)
    if workbook is None:
        result.errors = errors
        return result
    economic_classes = set(EconomicClass.objects.values_list("code", flat=True))
    errors += validate_workbook(workbook, economic_classes=economic_classes)
    errors.sort(key=lambda error: (_sheet_order(error.sheet), error.row or 0))
    if errors:
        result.errors = errors
        return result

    result.counts = {sheet.name: len(workbook.rows[sheet.key]) for sheet in schema.SHEETS}
    result.unit_totals = _unit_totals(workbook)
    with transaction.atomic():
        department_year, refusal = _department_year(workbook, replace=replace, dry_run=dry_run)
        if refusal:
            transaction.set_rollback(True)  # nothing of a refused import stays, not even its department
            result.errors = [refusal]
            return result
        result.department_year = department_year
        if dry_run:
            return result
        result.replaced = _write(workbook, department_year, user=user)
    return result


def _sheet_order(name: str) -> int:
    for index, sheet in enumerate(schema.SHEETS):
        if sheet.name == name:
            return index
    return -1


def _year_error(message: str) -> WorkbookError:
    return WorkbookError(schema.DEPARTMENT.name, 2, schema.DEPARTMENT.column("year").header, message)


def _department_year(workbook: BudgetWorkbook, *, replace: bool, dry_run: bool):
    """Find (locked) or create the department-year; refuse an existing year without `replace`
    or with closed months."""
    row = workbook.department
    code, name, year = row["code"], row["name"], row["year"]
    department = Department.objects.filter(code=code).first()
    existing = None
    if department is not None:
        existing = DepartmentYear.objects.select_for_update().filter(department=department, year=year).first()
    if existing is not None:
        closed = list(MonthClose.objects.filter(department_year=existing).values_list("month", flat=True))
        if closed:
            months = _("、").join(_("%(month)s月") % {"month": month} for month in closed)
            return None, _year_error(
                _("%(code)s %(year)s年度已有结账月份（%(months)s），不能导入或替换") % {"code": code, "year": year, "months": months}
            )
        if not replace:
            return None, _year_error(
                _("%(code)s %(year)s年度已存在；如需用本工作簿替换该年度的数据，请选择“替换”（命令行：--replace）")
                % {"code": code, "year": year}
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


def _delete_with_history(queryset, user) -> None:
    """Delete rows in bulk and record each deletion in its history table, in two queries plus
    one INSERT per batch. A plain queryset.delete() would send a post_delete signal per row,
    and simple_history would write one history row per query."""
    model = queryset.model
    history = get_history_manager_for_model(model)
    now = timezone.now()
    tracked = history.model.tracked_fields
    records = [
        history.model(
            history_date=now,
            history_user=user,
            history_change_reason=CHANGE_REASON,
            history_type="-",
            **{f.attname: getattr(obj, f.attname) for f in tracked},
        )
        for obj in queryset
    ]
    history.model.objects.bulk_create(records, batch_size=IMPORT_BATCH_SIZE)
    # _raw_delete skips the per-row signals whose only listener is the history we just wrote.
    queryset._raw_delete(queryset.db)


def _write(workbook: BudgetWorkbook, department_year: DepartmentYear, *, user) -> bool:
    rows = workbook.rows
    replaced = False
    items_of_year = BudgetItem.objects.filter(department_year=department_year)
    if items_of_year.exists() or Indicator.objects.filter(department_year=department_year).exists():
        replaced = True
        _delete_with_history(Indicator.objects.filter(department_year=department_year), user)
        _delete_with_history(Expenditure.objects.filter(item__department_year=department_year), user)
        _delete_with_history(BudgetLine.objects.filter(item__department_year=department_year), user)
        items_of_year._raw_delete(items_of_year.db)  # their children are gone; items have no history

    department = department_year.department
    units = {unit.code: unit for unit in BudgetUnit.objects.filter(department=department)}
    new_units, changed_units = [], []
    unit_fields = ["name", "kind", "authorized_staff", "actual_staff", "retired_staff", "lixiu_staff", "position"]
    for position, row in enumerate(rows[schema.UNITS.key], start=1):
        values = {key: row[key] for key in unit_fields if key != "position"}
        values["position"] = position
        unit = units.get(row["code"])
        if unit is None:
            unit = BudgetUnit(department=department, code=row["code"], **values)
            new_units.append(unit)
            units[row["code"]] = unit
        elif any(getattr(unit, key) != value for key, value in values.items()):
            for key, value in values.items():
                setattr(unit, key, value)
            changed_units.append(unit)
    BudgetUnit.objects.bulk_create(new_units, batch_size=IMPORT_BATCH_SIZE)
    if changed_units:
        BudgetUnit.objects.bulk_update(changed_units, unit_fields, batch_size=IMPORT_BATCH_SIZE)
    if any(unit.pk is None for unit in new_units):  # backends that cannot return ids from a bulk insert
        units = {unit.code: unit for unit in BudgetUnit.objects.filter(department=department)}

    items = [
        BudgetItem(
            department_year=department_year,
            unit=units[row["unit"]],
            code=row["code"],
            name=row["name"],
            category=row["category"],
            procurement_required=bool(row["procurement_required"]),
            position=position,
        )
        for position, row in enumerate(rows[schema.ITEMS.key], start=1)
    ]
    BudgetItem.objects.bulk_create(items, batch_size=IMPORT_BATCH_SIZE)
    items_by_code = {item.code: item for item in items}
    if any(item.pk is None for item in items):
        items_by_code = {item.code: item for item in BudgetItem.objects.filter(department_year=department_year)}

    history = {"batch_size": IMPORT_BATCH_SIZE, "default_user": user, "default_change_reason": CHANGE_REASON}
    bulk_create_with_history(
        [
            BudgetLine(
                item=items_by_code[row["project"]],
                source=row["source"],
                kind=row["kind"],
                amount=row["amount"],
                date=row["date"],
                document=row["document"],
                created_by=user,
            )
            for row in rows[schema.LINES.key]
        ],
        BudgetLine,
        **history,
    )
    # Imported spending is the booked ledger: it is approved as it stands (the 三重一大
    # decisions, if any, were taken before it was booked).
    bulk_create_with_history(
        [
            Expenditure(
                item=items_by_code[row["project"]],
                date=row["date"],
                amount=row["amount"],
                economic_class_id=row["economic_class"],
                memo=row["memo"],
                voucher=row["voucher"],
                status=Expenditure.Status.APPROVED,
                entered_by=user,
            )
            for row in rows[schema.EXPENDITURES.key]
        ],
        Expenditure,
        **history,
    )
    bulk_create_with_history(
        [
            Indicator(
                department_year=department_year,
                item=items_by_code[row["project"]] if row["project"] else None,
                code=row["code"],
                level1=row["level1"],
                level2=row["level2"],
                name=row["name"],
                direction=row["direction"],
                target=row["target"],
                unit=row["unit"],
                points=row["points"],
                midyear=row["midyear"],
                actual=row["actual"],
                tier=row["tier"] or "",
                rate=row["rate"],
                position=position,
            )
            for position, row in enumerate(rows[schema.INDICATORS.key], start=1)
        ],
        Indicator,
        **history,
    )
    department_year.imported_at = timezone.now()
    department_year.imported_by = user
    department_year.save(update_fields=["imported_at", "imported_by"])
    return replaced

