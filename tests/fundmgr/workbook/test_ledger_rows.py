"""The importer writes its expenditures as rows of values (fundmgr.workbook.ledger.RowInserter),
not as model instances through bulk_create_with_history: the ledger and its history must be what
that path wrote, and a refusal or a failure after some batches were written still leaves nothing."""

import io

import pytest

import fundmgr.workbook.ledger
from fundmgr.workbook import workbook_import
from fundmgr.workbook.ledger import RowInserter
from projects.models import Expenditure
from tests.fundmgr.test_jobs import big_workbook
from tests.fundmgr.workbooks import database_state

pytestmark = pytest.mark.django_db

SKIPPED = {"id", "entered_at", "item_id", "history_id", "history_date"}


def ledger(year: int) -> tuple[list[dict], list[dict]]:
    """The year's expenditures and their history rows, without the ids and times that differ between two imports."""
    expenditures = Expenditure.objects.filter(item__department_year__year=year).order_by("voucher")
    rows = [
        {**{k: v for k, v in row.items() if k not in SKIPPED}, "item": code}
        for row, code in zip(expenditures.values(), expenditures.values_list("item__code", flat=True), strict=True)
    ]
    ids = list(expenditures.values_list("pk", flat=True))
    history = [
        {k: v for k, v in row.items() if k not in SKIPPED}
        for row in Expenditure.history.filter(id__in=ids).order_by("voucher").values()
    ]
    return rows, history


def test_the_rows_and_their_history_are_those_bulk_create_with_history_wrote(world, monkeypatch):
    assert RowInserter.usable()  # SQLite 3.35+ and PostgreSQL read the new ids back (RETURNING)
    monkeypatch.setattr(fundmgr.workbook.ledger, "IMPORT_BATCH_SIZE", 3)  # several batches, one short
    assert workbook_import(source=io.BytesIO(big_workbook(year=2025, rows=8)), user=world.finance).ok
    monkeypatch.setattr(RowInserter, "usable", classmethod(lambda cls: False))
    assert workbook_import(source=io.BytesIO(big_workbook(year=2026, rows=8)), user=world.finance).ok
    fast, slow = ledger(2025), ledger(2026)
    for rows in (fast[0], slow[0]):
        for row in rows:
            row["date"] = row["date"].replace(year=2000)
    for rows in (fast[1], slow[1]):
        for row in rows:
            row["date"] = row["date"].replace(year=2000)
    assert len(fast[0]) == 8 and fast[0] == slow[0]
    assert len(fast[1]) == 8 and fast[1] == slow[1]
    assert {(row["history_type"], row["history_user_id"], row["history_change_reason"]) for row in fast[1]} == {
        ("+", world.finance.pk, "工作簿导入")
    }
    # each history row copies its expenditure, the id and the time it was entered included
    for expenditure in Expenditure.objects.filter(item__department_year__year=2025):
        record = Expenditure.history.get(id=expenditure.pk)
        assert (record.amount, record.date, record.entered_at, record.item_id) == (
            expenditure.amount,
            expenditure.date,
            expenditure.entered_at,
            expenditure.item_id,
        )


def test_a_bad_row_after_written_batches_leaves_nothing(world, monkeypatch):
    monkeypatch.setattr(fundmgr.workbook.ledger, "IMPORT_BATCH_SIZE", 2)
    before = database_state()
    result = workbook_import(source=io.BytesIO(big_workbook(year=2025, rows=8, bad_row=8)), user=world.finance)
    assert [(error.sheet, error.row) for error in result.errors] == [("支出明细", 8)]
    assert database_state() == before


def test_a_failing_insert_after_written_batches_leaves_nothing(world, monkeypatch):
    monkeypatch.setattr(fundmgr.workbook.ledger, "IMPORT_BATCH_SIZE", 2)
    before = database_state()
    calls = []
    insert = RowInserter.insert

    def failing(self, rows, **kwargs):
        calls.append(len(rows))
        if len(calls) == 5:  # the third batch's expenditures, after two batches and their history
            raise RuntimeError("disk full")
        return insert(self, rows, **kwargs)

    monkeypatch.setattr(RowInserter, "insert", failing)
    with pytest.raises(RuntimeError):
        workbook_import(source=io.BytesIO(big_workbook(year=2025, rows=8)), user=world.finance)
    assert len(calls) == 5
    assert database_state() == before
