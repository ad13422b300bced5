"""The load test's own department-year and users (Django): LOAD001 2024, a synthetic ledger of five
units plus a few shared items with small budgets in unit U01, readers and accountants with a known
password. Everything here is replaced on each run and deleted afterwards."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.db import connection, transaction
from django.db.models import Sum

from fundmgr.demo.synthetic import synthetic_ledger_create
from indicators.models import Indicator
from projects.availability import COMMITTED
from projects.models import BudgetItem, BudgetLine, Expenditure, MonthClose
from projects.services import budget_line_create
from units.models import BudgetUnit, DepartmentYear, Membership

DEPARTMENT_PREFIX = "LOAD"
DEPARTMENT_CODE = "LOAD001"  # the first department synthetic_ledger_create makes for the prefix
UNITS, ITEMS_PER_UNIT = 5, 10
SHARED_UNIT = "U01"
USER_PREFIX = "load-"
PASSWORD = "load-test-password-7"
ECONOMIC_CLASS = "30201"  # 办公费


@dataclass(frozen=True)
class Dataset:
    department_code: str
    year: int
    items_by_unit: dict[str, list[str]]  # item codes per unit code, for the readers
    shared_items: dict[int, str]  # pk -> code of the items the accountants drain
    item_budget: Decimal
    open_months: list[int]
    readers: list[str]
    accountants: list[str]
    password: str
    committed_before: Decimal  # the department's approved + pending spending before the run

    @property
    def base_path(self) -> str:
        return f"/d/{self.department_code}/{self.year}/"


def dataset_delete() -> None:
    """Remove the load department (every year of it), its history rows and the load users, with
    set-based SQL: a cascade through the ORM would load every expenditure and write history for each."""
    departments = "SELECT id FROM units_department WHERE code = %s"
    years = f"SELECT id FROM units_departmentyear WHERE department_id IN ({departments})"
    items = f"SELECT id FROM projects_budgetitem WHERE department_year_id IN ({years})"
    history = {model: model.history.model._meta.db_table for model in (Expenditure, BudgetLine, Indicator, MonthClose)}
    code = [DEPARTMENT_CODE]
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM projects_expenditure WHERE item_id IN ({items})", code)
        cursor.execute(f"DELETE FROM {history[Expenditure]} WHERE item_id IN ({items})", code)
        cursor.execute(f"DELETE FROM projects_budgetline WHERE item_id IN ({items})", code)
        cursor.execute(f"DELETE FROM {history[BudgetLine]} WHERE item_id IN ({items})", code)
        cursor.execute(f"DELETE FROM indicators_indicator WHERE department_year_id IN ({years})", code)
        cursor.execute(f"DELETE FROM {history[Indicator]} WHERE department_year_id IN ({years})", code)
        cursor.execute(f"DELETE FROM projects_budgetitem WHERE department_year_id IN ({years})", code)
        cursor.execute(f"DELETE FROM projects_monthclose WHERE department_year_id IN ({years})", code)
        cursor.execute(f"DELETE FROM {history[MonthClose]} WHERE department_year_id IN ({years})", code)
        cursor.execute(f"DELETE FROM units_departmentyear WHERE department_id IN ({departments})", code)
        cursor.execute(f"DELETE FROM units_membership WHERE department_id IN ({departments})", code)
        cursor.execute(f"DELETE FROM units_budgetunit WHERE department_id IN ({departments})", code)
        cursor.execute("DELETE FROM units_department WHERE code = %s", code)
        get_user_model().objects.filter(username__startswith=USER_PREFIX).delete()
        for model in (AccessAttempt, AccessFailureLog, AccessLog):
            model.objects.filter(username__startswith=USER_PREFIX).delete()


def dataset_prepare(
    *,
    readers: int,
    accountants: int,
    shared_items: int,
    item_budget: Decimal,
    background: int,
    year: int = 2024,
    seed: int = 7,
) -> Dataset:
    """(Re)create the load department-year, its shared items and its users.

    The background ledger comes from the synthetic generator (valid by construction); each shared
    item gets one initial budget line through the ledger service and no spending, so whatever it
    holds after the run was accepted during the run.
    """
    dataset_delete()
    with transaction.atomic():
        synthetic_ledger_create(
            departments=1,
            units_per_department=UNITS,
            items_per_unit=ITEMS_PER_UNIT,
            expenditures=background,
            year=year,
            seed=seed,
            prefix=DEPARTMENT_PREFIX,
        )
        department_year = DepartmentYear.objects.select_related("department").get(department__code=DEPARTMENT_CODE, year=year)
        department = department_year.department
        unit = BudgetUnit.objects.get(department=department, code=SHARED_UNIT)
        shared = {}
        for number in range(1, shared_items + 1):
            item = BudgetItem.objects.create(
                department_year=department_year,
                unit=unit,
                code=f"S{number:02d}",
                name=f"压力测试共享项目{number:02d}",
                category=BudgetItem.Category.PROJECT,
                position=100 + number,
            )
            budget_line_create(
                item=item,
                source=BudgetLine.Source.LOCAL,
                kind=BudgetLine.Kind.INITIAL,
                amount=item_budget,
                date=date(year, 1, 1),
                document="load test",
            )
            shared[item.pk] = item.code

        # The server checks passwords with its own hasher (PBKDF2); the test suite swaps the
        # in-process hasher for a fast one the server would not know. One hash serves every user.
        hasher = PBKDF2PasswordHasher()
        encoded = hasher.encode(PASSWORD, hasher.salt())
        reader_names = [f"{USER_PREFIX}reader-{number:03d}" for number in range(1, readers + 1)]
        accountant_names = [f"{USER_PREFIX}accountant-{number:03d}" for number in range(1, accountants + 1)]
        users = get_user_model().objects.bulk_create(
            [get_user_model()(username=name, password=encoded) for name in reader_names + accountant_names]
        )
        Membership.objects.bulk_create(
            [
                Membership(
                    user=user,
                    department=department,
                    role=Membership.Role.ACCOUNTANT if user.username in accountant_names else Membership.Role.LEADER,
                    unit=unit if user.username in accountant_names else None,
                )
                for user in users
            ]
        )
    if connection.vendor == "postgresql" and not connection.in_atomic_block:  # VACUUM cannot run in a transaction
        # What autovacuum does soon after a bulk load: planner statistics, and the visibility map that
        # lets the summaries' index-only scans skip the table (at 20,000 expenditures, the SQL of one
        # dashboard drops from about 45 ms to 12 ms).
        with connection.cursor() as cursor:
            cursor.execute(
                "VACUUM ANALYZE projects_expenditure, projects_budgetline, projects_budgetitem, projects_monthlyspending"
            )
    items_by_unit = defaultdict(list)
    for unit_code, item_code in (
        BudgetItem.objects.filter(department_year=department_year).order_by("unit__code", "position").values_list("unit__code", "code")
    ):
        items_by_unit[unit_code].append(item_code)
    closed = set(MonthClose.objects.filter(department_year=department_year).values_list("month", flat=True))
    committed = Expenditure.objects.filter(item__department_year=department_year, status__in=COMMITTED).aggregate(
        total=Sum("amount", default=Decimal("0.00"))
    )["total"]
    return Dataset(
        department_code=DEPARTMENT_CODE,
        year=year,
        items_by_unit=dict(items_by_unit),
        shared_items=shared,
        item_budget=item_budget,
        open_months=[month for month in range(1, 13) if month not in closed],
        readers=reader_names,
        accountants=accountant_names,
        password=PASSWORD,
        committed_before=committed,
    )
