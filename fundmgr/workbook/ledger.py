"""Writing an accepted workbook's rows into the ledger, for the importer (fundmgr.workbook.importer).

Bulk inserts in batches of IMPORT_BATCH_SIZE, each with its history rows (simple_history), inside
the importer's transaction: the heads first (units, items, lines), then the 预算调剂 and 用款计划
through projects.services, then the expenditures as they are read, then indicators and the month
closes of the 月结 sheet. The expenditures, up to 200,000 of them, go in as rows of values with
their history rows (RowInserter), not as model instances: the statements bulk_create_with_history
would send, at a fraction of the Python time (benchmarks/import_workbook.py).
"""

from decimal import Decimal

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import connections as db_connections
from django.db import models, router
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from simple_history.utils import bulk_create_with_history, get_history_manager_for_model

from fundmgr.workbook import schema as S
from fundmgr.workbook.reader import Collector, Row
from fundmgr.workbook.rules import MonthEvent
from indicators.declarations import declaration_record_import
from indicators.evidence import evidence_delete_year
from indicators.models import AnnualGoal, Indicator, ItemMonitoring, ScoringProfile, TargetDeclaration
from projects.models import BudgetItem, BudgetLine, BudgetTransfer, Expenditure, MonthClose, SpendingPlan
from projects.services import plan_set, transfer_approve, transfer_create, transfer_reject
from units.models import BudgetUnit, DepartmentYear

IMPORT_BATCH_SIZE = 1000
# An expenditure's columns as the import writes them (RowInserter), entered_at last, and the
# history row's own columns after the tracked ones.
EXPENDITURE_COLUMNS = [
    "item_id",
    "date",
    "amount",
    "economic_class_id",
    "memo",
    "voucher",
    "procurement_method",
    "status",
    "entered_by_id",
    "decided_by_id",
    "decided_at",
    "meeting_date",
    "minutes_number",
    "rejection_reason",
    "entered_at",
]
HISTORY_COLUMNS = ["history_date", "history_change_reason", "history_type", "history_user_id"]
# Stored in the history as the Chinese msgid; the change log translates it when shown (fundmgr.history).
CHANGE_REASON = gettext_noop("工作簿导入")


def split_deviation(reason: str | None, measures: str | None) -> tuple[str, str]:
    """偏差原因分析 and 改进措施 of a row. A single 偏差原因分析及改进措施 text (measures blank) that
    labels its measures “改进措施：” is split there, the labels dropped; any other text is kept whole
    as the reason."""
    reason, measures = reason or "", measures or ""
    if measures.strip():
        return reason, measures
    for label in S.DEVIATION_MEASURES_LABELS:
        before, found, after = reason.partition(label)
        if found and after.strip():
            before = before.strip().rstrip(S.DEVIATION_TRIM).strip()
            for reason_label in S.DEVIATION_REASON_LABELS:
                if before.startswith(reason_label):
                    before = before[len(reason_label) :].strip()
                    break
            return before, after.strip()
    return reason, measures


def _delete_with_history(queryset, user) -> None:
    """Delete rows in bulk and record each deletion in its history table, in two queries plus
    one INSERT per batch. A plain queryset.delete() would send a post_delete signal per row,
    and simple_history would write one history row per query."""
    model = queryset.model
    history = get_history_manager_for_model(model)
    now = timezone.now()
    tracked = history.model.tracked_fields
    batch = []
    for obj in queryset.iterator(chunk_size=IMPORT_BATCH_SIZE):
        batch.append(
            history.model(
                history_date=now,
                history_user=user,
                history_change_reason=CHANGE_REASON,
                history_type="-",
                **{f.attname: getattr(obj, f.attname) for f in tracked},
            )
        )
        if len(batch) == IMPORT_BATCH_SIZE:
            history.model.objects.bulk_create(batch)
            batch = []
    history.model.objects.bulk_create(batch)
    # _raw_delete skips the per-row signals whose only listener is the history we just wrote.
    queryset._raw_delete(queryset.db)


# The field types whose values the database drivers take as they are (text, whole numbers, ids):
# the values of any other field (a Decimal or a date on SQLite, a datetime anywhere) go through the
# field's get_db_prep_save, as bulk_create sends them.
UNPREPARED_FIELDS = (models.CharField, models.TextField, models.IntegerField, models.BooleanField, models.ForeignKey)


class RowInserter:
    """INSERTs rows of one model as bulk_create would (the same statements: its batch size, its
    prepared values, the new ids read back with RETURNING), from tuples of values instead of model
    instances, which cost more to build and to compile than the rows themselves at 200,000 rows.
    Like bulk_create it sends no signals and calls no save(): the history is written apart."""

    def __init__(self, model, attnames: list[str]):
        self.model = model
        self.connection = db_connections[router.db_for_write(model)]
        by_attname = {field.attname: field for field in model._meta.concrete_fields}
        self.fields = [by_attname[name] for name in attnames]
        self.prepared = [index for index, field in enumerate(self.fields) if not isinstance(field, UNPREPARED_FIELDS)]
        quote = self.connection.ops.quote_name
        columns = ", ".join(quote(field.column) for field in self.fields)
        self.head = f"INSERT INTO {quote(model._meta.db_table)} ({columns}) VALUES "
        self.placeholder = "(" + ", ".join(["%s"] * len(self.fields)) + ")"
        # On PostgreSQL, as Django's bulk_create there: one array a column (UNNEST), so the statement
        # stays short; psycopg re-parses a long one (1,000 rows × 15 placeholders) every time.
        self.unnest = self.connection.vendor == "postgresql"
        if self.unnest:
            arrays = ", ".join(f"(%s)::{field.db_type(self.connection).split('(')[0]}[]" for field in self.fields)
            self.head = f"INSERT INTO {quote(model._meta.db_table)} ({columns}) SELECT * FROM UNNEST({arrays})"
        self.returning = f" RETURNING {quote(model._meta.pk.column)}"

    @classmethod
    def usable(cls) -> bool:
        from django.db import connection

        return connection.features.can_return_rows_from_bulk_insert

    def insert(self, rows: list[list], *, returning: bool = False) -> list[int]:
        """Insert `rows` (lists of values in `attnames` order, prepared in place); the new ids if `returning`."""
        connection = self.connection
        for index in self.prepared:
            prepare = self.fields[index].get_db_prep_save
            last, prepared = None, None  # a batch's times are one object: prepared once
            for row in rows:
                value = row[index]
                if value is None:  # stays None (NULL) for every field type here
                    continue
                if value is not last:
                    last, prepared = value, prepare(value, connection)
                row[index] = prepared
        size = max(1, min(IMPORT_BATCH_SIZE, connection.ops.bulk_batch_size(self.fields, rows)))
        ids: list[int] = []
        with connection.cursor() as cursor:
            for start in range(0, len(rows), size):
                chunk = rows[start : start + size]
                if self.unnest:
                    sql, params = self.head, [list(column) for column in zip(*chunk, strict=True)]
                else:
                    sql = self.head + ", ".join([self.placeholder] * len(chunk))
                    params = [value for row in chunk for value in row]
                if returning:
                    cursor.execute(sql + self.returning, params)
                    ids.extend(returned[0] for returned in cursor.fetchall())
                else:
                    cursor.execute(sql, params)
        return ids


class UserIds(dict):
    """username -> user id or None, one query per distinct name: a backup may come from another
    database, where a decision's user is then left blank."""

    def __call__(self, username: str) -> int | None:
        if not username:
            return None
        if username not in self:
            self[username] = get_user_model().objects.filter(username=username).values_list("pk", flat=True).first()
        return self[username]


class LedgerWriter:
    """Writes one department-year's rows: the heads (units, items, lines) first, then the
    expenditures in batches as they are read, then indicators and month closes."""

    def __init__(self, department_year: DepartmentYear, *, user):
        self.department_year = department_year
        self.user = user
        self.replaced = False
        self.items_by_code: dict[str, BudgetItem] = {}
        self.batch: list[list] = []
        self.history = {"batch_size": IMPORT_BATCH_SIZE, "default_user": user, "default_change_reason": CHANGE_REASON}
        self.user_id = UserIds()
        self.fast = RowInserter.usable()
        if self.fast:
            self.expenditures = RowInserter(Expenditure, EXPENDITURE_COLUMNS)
            history = get_history_manager_for_model(Expenditure).model
            self.tracked = [field.attname for field in history.tracked_fields]
            self.expenditure_histories = RowInserter(history, [*self.tracked, *HISTORY_COLUMNS])
            # Where each tracked value of the history row is in the expenditure's row (the id is read back).
            self.tracked_at = [EXPENDITURE_COLUMNS.index(name) if name != "id" else None for name in self.tracked]
            self.id_at = self.tracked.index("id")

    def replace_and_write_heads(self, small: dict[str, list[Row]]) -> None:
        department_year, user = self.department_year, self.user
        items_of_year = BudgetItem.objects.filter(department_year=department_year)
        profiles_of_year = ScoringProfile.objects.filter(department_year=department_year)
        goals_of_year = AnnualGoal.objects.filter(department_year=department_year)
        if (
            items_of_year.exists()
            or Indicator.objects.filter(department_year=department_year).exists()
            or profiles_of_year.exists()
            or goals_of_year.exists()
        ):
            self.replaced = True
            # The 评分设置 and 年度总体目标 go with the year: a workbook without their sheet brings
            # back the defaults and no goals.
            _delete_with_history(profiles_of_year, user)
            _delete_with_history(goals_of_year, user)
            # the year's versions of its targets go with its indicators; the import records its own
            _delete_with_history(TargetDeclaration.objects.filter(department_year=department_year), user)

            # the 佐证材料 point at the items and indicators deleted below: they go with the year too
            evidence_delete_year(department_year=department_year, user=user)
            # the items' 运行监控 entries point at the items deleted below
            _delete_with_history(ItemMonitoring.objects.filter(department_year=department_year), user)
            _delete_with_history(Indicator.objects.filter(department_year=department_year), user)
            _delete_with_history(Expenditure.objects.filter(item__department_year=department_year), user)
            _delete_with_history(SpendingPlan.objects.filter(item__department_year=department_year), user)
            _delete_with_history(BudgetLine.objects.filter(item__department_year=department_year), user)
            # after their lines (which point at them), before their items (which they restrict)
            _delete_with_history(BudgetTransfer.objects.filter(department_year=department_year), user)
            items_of_year._raw_delete(items_of_year.db)  # their children are gone; items have no history

        department = department_year.department
        units = {unit.code: unit for unit in BudgetUnit.objects.filter(department=department)}
        new_units, changed_units = [], []
        unit_fields = ["name", "kind", "authorized_staff", "actual_staff", "retired_staff", "lixiu_staff", "position"]
        for position, row in enumerate(small[S.UNITS.key], start=1):
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
            for position, row in enumerate(small[S.ITEMS.key], start=1)
        ]
        BudgetItem.objects.bulk_create(items, batch_size=IMPORT_BATCH_SIZE)
        self.items_by_code = {item.code: item for item in items}
        if any(item.pk is None for item in items):
            self.items_by_code = {item.code: item for item in BudgetItem.objects.filter(department_year=department_year)}

        bulk_create_with_history(
            [
                BudgetLine(
                    item=self.items_by_code[row["project"]],
                    source=row["source"],
                    kind=row["kind"],
                    amount=row["amount"],
                    date=row["date"],
                    document=row["document"],
                    created_by=user,
                )
                for row in small[S.LINES.key]
            ],
            BudgetLine,
            **self.history,
        )

    def transfers(self, rows: list[Row], *, collector: Collector) -> None:
        """The 预算调剂 rows, in date order, through projects.services as a clerk enters them: after the
        lines, before any spending, so that the service checks the source's budget as the workbook
        rules do (those replay every row, spending included). An imported transfer gets the state of
        its row, as an imported expenditure does (blank: approved, the booked ledger). transfer_create
        makes one at or above the 三重一大 threshold pending; its row's decision then approves or
        rejects it (transfer_approve, transfer_reject), recorded as the named user's."""
        User = get_user_model()
        for row in sorted(rows, key=lambda row: row["date"]):
            try:
                transfer = transfer_create(
                    department_year=self.department_year,
                    from_item=self.items_by_code[row["from_project"]],
                    to_item=self.items_by_code[row["to_project"]],
                    source=row["source"],
                    amount=row["amount"],
                    date=row["date"],
                    document=row["document"] or "",
                    created_by=self.user,
                )
                status = row["status"] or BudgetTransfer.Status.APPROVED
                if transfer.status == status:
                    continue
                decided_by_id = self.user_id(row["decided_by"])
                decided_by = User(pk=decided_by_id) if decided_by_id else None
                if status == BudgetTransfer.Status.APPROVED:
                    transfer_approve(
                        transfer=transfer,
                        decided_by=decided_by,
                        meeting_date=row["meeting_date"],
                        minutes_number=row["minutes_number"],
                    )
                elif status == BudgetTransfer.Status.REJECTED:
                    transfer_reject(transfer=transfer, decided_by=decided_by, reason=row["rejection_reason"])
            except ValidationError as error:
                for message in error.messages:
                    collector.add(S.TRANSFERS, row.number, "", message)

    def plans(self, plans: dict[str, dict[int, Decimal]], *, collector: Collector) -> None:
        """Each item's 用款计划 through projects.services.plan_set (its checks, its history). A new or
        replaced year has no plan yet, so an item whose months are all blank is left without one."""
        for code, months in plans.items():
            if not months:
                continue
            try:
                plan_set(item=self.items_by_code[code], amounts=months, user=self.user)
            except ValidationError as error:
                for message in error.messages:
                    collector.add(S.PLANS, None, "", _("项目%(code)s：%(message)s") % {"code": code, "message": message})

    def expenditure(self, row: Row) -> None:
        # A blank status is approved: imported spending is the booked ledger (the 三重一大
        # decisions, if any, were taken before it was booked), as before the status column.
        values = {
            "item_id": self.items_by_code[row["project"]].pk,
            "date": row["date"],
            "amount": row["amount"],
            "economic_class_id": row["economic_class"],
            "memo": row["memo"],
            "voucher": row["voucher"],
            "procurement_method": row["procurement_method"] or "",
            "status": row["status"] or Expenditure.Status.APPROVED.value,  # a plain str, as the read values are
            "decided_by_id": self.user_id(row["decided_by"]),
            "meeting_date": row["meeting_date"],
            "minutes_number": row["minutes_number"],
            "rejection_reason": row["rejection_reason"],
        }
        if self.fast:
            values["entered_by_id"] = self.user.pk if self.user is not None else None
            values["decided_at"] = None
            self.batch.append([values[name] for name in EXPENDITURE_COLUMNS[:-1]])
        else:
            self.batch.append(Expenditure(entered_by=self.user, **values))
        if len(self.batch) >= IMPORT_BATCH_SIZE:
            self._flush()

    def _flush(self) -> None:
        if not self.batch:
            return
        if not self.fast:
            bulk_create_with_history(self.batch, Expenditure, **self.history)
            self.batch = []
            return
        # As bulk_create_with_history writes them: the rows, their ids read back, then one history
        # row each ("+", the importer as its user, the import as its reason, one time per batch).
        now = timezone.now()
        for row in self.batch:
            row.append(now)  # entered_at (auto_now_add)
        rows = self.batch
        # The history copies the values before they are prepared for the database (in place).
        copies = [[row[index] if index is not None else None for index in self.tracked_at] for row in rows]
        ids = self.expenditures.insert(rows, returning=True)
        history = [CHANGE_REASON, "+", self.user.pk if self.user is not None else None]
        for copy, pk in zip(copies, ids, strict=True):
            copy[self.id_at] = pk
            copy.append(now)
            copy.extend(history)
        self.expenditure_histories.insert(copies)
        self.batch = []

    def finish(self, small: dict[str, list[Row]], events: list[MonthEvent]) -> None:
        self._flush()
        department_year = self.department_year
        now = timezone.now()
        bulk_create_with_history(
            [
                ScoringProfile(
                    department_year=department_year,
                    item=self.items_by_code[row["project"]] if row["project"] else None,
                    execution_points=row["execution_points"],
                    rounding=str(row["rounding"]),
                )
                for row in small[S.SCORING.key]
            ],
            ScoringProfile,
            **self.history,
        )
        bulk_create_with_history(
            [
                AnnualGoal(
                    department_year=department_year,
                    item=self.items_by_code[row["project"]] if row["project"] else None,
                    expected=(row["expected"] or "").strip(),
                    achieved=(row["achieved"] or "").strip(),
                )
                for row in small[S.GOALS.key]
                if (row["expected"] or "").strip() or (row["achieved"] or "").strip()
            ],
            AnnualGoal,
            **self.history,
        )
        bulk_create_with_history(
            [
                Indicator(
                    department_year=department_year,
                    item=self.items_by_code[row["project"]] if row["project"] else None,
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
                    target_text=row["target_text"] or "",
                    midyear_text=row["midyear_text"] or "",
                    actual_text=row["actual_text"] or "",
                    tier=row["tier"] or "",
                    rate=row["rate"],
                    deviation_reason=split_deviation(row["deviation_reason"], row["corrective_measures"])[0],
                    corrective_measures=split_deviation(row["deviation_reason"], row["corrective_measures"])[1],
                    results_final=bool(row["results_final"]),
                    position=position,
                    # an evaluator's 得分 from the workbook is recorded as the importing user's
                    override_earned=row["override_earned"],
                    override_reason=(row["override_reason"] or "").strip() if row["override_earned"] is not None else "",
                    override_by=self.user if row["override_earned"] is not None else None,
                    override_at=now if row["override_earned"] is not None else None,
                    formula=row["formula"] or "",
                )
                for position, row in enumerate(small[S.INDICATORS.key], start=1)
            ],
            Indicator,
            **self.history,
        )
        # the indicators written are the scopes' targets in force: an approved version 导入 each
        declaration_record_import(department_year=department_year, user=self.user)
        self._replay_month_events(events)
        department_year.imported_at = timezone.now()
        department_year.imported_by = self.user
        department_year.save(update_fields=["imported_at", "imported_by"])

    def _replay_month_events(self, events: list[MonthEvent]) -> None:
        """Close and reopen months as the 月结 sheet lists them, each recorded in the month
        close's history with its user and, for a reopening, its reason (as units.services does)."""
        User = get_user_model()
        for event in events:
            actor_id = self.user_id(event.user) or (self.user.pk if self.user else None)
            actor = User(pk=actor_id) if actor_id else None
            if event.action == S.CLOSE:
                close = MonthClose(department_year=self.department_year, month=event.month, closed_by_id=actor_id)
                close._history_user = actor
                close.save()
            else:
                close = MonthClose.objects.get(department_year=self.department_year, month=event.month)
                close._change_reason = event.reason
                close._history_user = actor
                close.delete()
