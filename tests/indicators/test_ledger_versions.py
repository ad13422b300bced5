"""The ledger version (units.models.LedgerVersion, indicators.ledger_versions): every write to a
table a department-year's pages show raises it, whoever writes, in the same transaction."""

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from django.apps import apps
from django.db import connection, transaction
from django.db.models import F, OuterRef

from indicators import ledger_versions
from indicators.models import (
    AnnualGoal,
    EvaluationUpload,
    Evidence,
    ItemMonitoring,
    QualitativePhrase,
    ScoringProfile,
    TargetDeclaration,
)
from projects.models import BudgetTransfer, MonthClose, SpendingPlan, YearClose
from tests.builders import DepartmentYearFactory, ExpenditureFactory
from units.access import ledger_version_of
from units.models import BudgetUnit, Department, DepartmentYear, LedgerVersion

pytestmark = pytest.mark.django_db


def version(department_year) -> str:
    """As the pages read it, with the department-year (units.access.department_scope)."""
    return (
        DepartmentYear.objects.annotate(ledger_version=ledger_version_of(OuterRef("pk")))
        .values_list("ledger_version", flat=True)
        .get(pk=department_year.pk)
    )


def one_of_each(world):
    """A row of every ledger model in PD 2024 (the world has items, lines, expenditures, indicators)."""
    dy, finance = world.department_year, world.finance
    BudgetTransfer.objects.create(
        department_year=dy,
        from_item=world.item_a,
        to_item=world.item_b,
        source="local",
        amount=Decimal("10.00"),
        date=date(2024, 7, 1),
        created_by=finance,
    )
    SpendingPlan.objects.create(item=world.item_a, month=6, amount=Decimal("100.00"))
    MonthClose.objects.create(department_year=dy, month=1, closed_by=finance)
    YearClose.objects.create(department_year=dy, carried_total=Decimal("0.00"), lapsed_total=Decimal("0.00"), closed_by=finance)
    ScoringProfile.objects.create(department_year=dy, execution_points=10)
    AnnualGoal.objects.create(department_year=dy, expected="目标")
    QualitativePhrase.objects.create(department=dy.department, phrase="好", tier="achieved")
    EvaluationUpload.objects.create(
        department_year=dy, file_name="自评表.xlsx", uploaded_by=finance, uploaded_at=datetime(2024, 12, 1, tzinfo=UTC)
    )
    # issue 16: a version of the targets, an item's 运行监控 entry, a 佐证材料
    TargetDeclaration.objects.create(
        department_year=dy, version=1, kind="declaration", created_by=finance, created_at=datetime(2024, 1, 1, tzinfo=UTC)
    )
    ItemMonitoring.objects.create(department_year=dy, item=world.item_a, cause="other", cause_text="原因")
    Evidence.objects.create(
        department_year=dy,
        file="evidence/PD/2024/0.pdf",
        original_name="签到表.pdf",
        kind="pdf",
        size=5,
        sha256="0" * 64,
        uploaded_by=finance,
        uploaded_at=datetime(2024, 12, 1, tzinfo=UTC),
    )


def ledger_models():
    """Every concrete model of projects and indicators, but simple_history's audit copies (written
    beside their ledger row, in its transaction)."""
    for app in ("projects", "indicators"):
        for model in apps.get_app_config(app).get_models():
            if not model._meta.model_name.startswith("historical"):
                yield model


def a_plain_field(model) -> str:
    return next(f.attname for f in model._meta.concrete_fields if not f.primary_key)


def test_every_ledger_model_has_its_trigger_or_a_reason():
    tables = {reach.table for reach in ledger_versions.READS} | set(ledger_versions.DERIVED)
    missing = [model._meta.label for model in ledger_models() if model._meta.db_table not in tables]
    assert missing == [], f"add these tables to indicators.ledger_versions.READS: {missing}"


@pytest.mark.parametrize("operation", ["update", "delete", "insert"])
def test_a_write_to_every_ledger_model_raises_its_department_years_version(world, operation):
    """Through the database itself (a queryset update, a raw delete, a bulk insert), as the
    importer, the admin and a data fix write; a model added without its line in READS fails here."""
    one_of_each(world)
    dy = world.department_year
    checked = []
    for model in ledger_models():
        if model._meta.db_table in ledger_versions.DERIVED:
            continue
        rows = model.objects.all()
        if model._meta.model_name == "economicclass":
            rows = rows.filter(code="30201")
        row = rows.first()
        assert row is not None, f"give one_of_each() a row of {model._meta.label}"
        with transaction.atomic():
            before = version(dy)
            if operation == "update":
                field = a_plain_field(model)
                model.objects.filter(pk=row.pk).update(**{field: F(field)})
            elif operation == "delete":
                model.objects.filter(pk=row.pk)._raw_delete(connection.alias)
            else:
                model.objects.filter(pk=row.pk)._raw_delete(connection.alias)
                before = version(dy)
                model.objects.bulk_create([row])
            assert version(dy) != before, f"{operation} of a {model._meta.label} left the version at {before}"
            transaction.set_rollback(True)
        checked.append(model._meta.label)
    assert "projects.Expenditure" in checked and "indicators.Indicator" in checked


def test_a_write_raises_the_next_year_too_but_not_another_department(world, other):
    """The next year's dashboards show this year as the year before."""
    next_year = DepartmentYearFactory(department=world.department_year.department, year=2025)
    later = DepartmentYearFactory(department=world.department_year.department, year=2026)
    earlier = DepartmentYearFactory(department=world.department_year.department, year=2023)
    stranger = other.department_year
    before = {dy.pk: version(dy) for dy in (world.department_year, next_year, later, earlier, stranger)}
    ExpenditureFactory(item=world.item_a, date=date(2024, 8, 1), amount=Decimal("1.00"))
    after = {dy.pk: version(dy) for dy in (world.department_year, next_year, later, earlier, stranger)}
    assert after[world.department_year.pk] != before[world.department_year.pk]
    assert after[next_year.pk] != before[next_year.pk]
    assert after[later.pk] == before[later.pk]
    assert after[earlier.pk] == before[earlier.pk]
    assert after[stranger.pk] == before[stranger.pk]


def test_a_phrase_raises_every_year_of_its_department(world):
    earlier = DepartmentYearFactory(department=world.department_year.department, year=2022)
    before = version(earlier), version(world.department_year)
    QualitativePhrase.objects.create(department=world.department_year.department, phrase="较好", tier="partly")
    assert version(earlier) != before[0] and version(world.department_year) != before[1]


def test_the_units_tables_raise_it_too(world):
    dy = world.department_year
    versions = [version(dy)]
    Department.objects.filter(pk=dy.department_id).update(name="改名后的部门")
    versions.append(version(dy))
    BudgetUnit.objects.filter(pk=world.unit_a.pk).update(actual_staff=12)
    versions.append(version(dy))
    DepartmentYear.objects.filter(pk=dy.pk).update(duties="新的职能")
    versions.append(version(dy))
    assert len(set(versions)) == 4, versions


def test_a_version_is_never_reused_when_the_clock_stands_still(world):
    """Versions are the write's time in microseconds, or one more than the last."""
    dy = world.department_year
    future = 10**17  # far beyond any clock
    LedgerVersion.objects.filter(department_year=dy).update(changed_at=future)
    before = version(dy)
    ExpenditureFactory(item=world.item_a, date=date(2024, 8, 1), amount=Decimal("1.00"))
    assert version(dy) != before and version(dy).endswith(f"-{future + 1}")


def test_postings_to_two_items_raise_rows_of_their_own(world):
    """So that clerks posting to different items never wait for each other on the version
    (tests/units/test_locks.py proves it on PostgreSQL), while the version still moves with each."""
    dy = world.department_year
    versions = [version(dy)]
    for item in (world.item_a, world.item_b):
        ExpenditureFactory(item=item, date=date(2024, 8, 1), amount=Decimal("1.00"))
        versions.append(version(dy))
    assert len(set(versions)) == 3
    shards = set(LedgerVersion.objects.filter(department_year=dy).values_list("shard", flat=True))
    assert {world.item_a.pk, world.item_b.pk} <= shards


def test_a_write_rolled_back_leaves_the_version(world):
    before = version(world.department_year)
    with transaction.atomic():
        ExpenditureFactory(item=world.item_a, date=date(2024, 8, 1), amount=Decimal("1.00"))
        transaction.set_rollback(True)
    assert version(world.department_year) == before
