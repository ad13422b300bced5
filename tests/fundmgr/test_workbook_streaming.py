"""Large workbooks stream (DOMAIN.md section 4): openpyxl's read-only mode, rows validated and
written in batches, so the memory an import holds does not grow with its expenditures."""

import io
import tracemalloc
from datetime import date
from decimal import Decimal

import openpyxl
import pytest
from django.db import transaction

from fundmgr import settings as project_settings
from fundmgr.workbook import workbook_bytes, workbook_import
from tests.fundmgr.workbooks import valid_sheets, xlsx

pytestmark = pytest.mark.django_db


def year_of(expenditures: int) -> bytes:
    rows = {
        "department": [{"code": "BIG", "name": "大部门", "year": 2024}],
        "units": [{"code": "U1", "name": "单位", "kind": "administrative"}],
        "items": [{"code": f"P{n}", "name": f"项目{n}", "unit": "U1", "category": "project"} for n in range(10)],
        "lines": [
            {"project": f"P{n}", "source": "local", "kind": "initial", "amount": Decimal("100000000.00"), "date": date(2024, 1, 1)}
            for n in range(10)
        ],
        "expenditures": [
            {
                "project": f"P{n % 10}",
                "date": date(2024, 1 + n % 12, 1 + n % 28),
                "amount": Decimal("1234.56"),
                "economic_class": "30201",
                "memo": f"支出摘要{n}",
                "voucher": f"V{n:06d}",
            }
            for n in range(expenditures)
        ],
        "indicators": [],
    }
    return workbook_bytes(rows, instructions=False)


def peak_traced_bytes(content: bytes) -> int:
    with transaction.atomic():
        tracemalloc.start()
        try:
            result = workbook_import(source=io.BytesIO(content))
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
        assert result.errors == []
        transaction.set_rollback(True)
    return peak


def test_the_reader_opens_the_workbook_in_read_only_mode(monkeypatch):
    calls = []
    load = openpyxl.load_workbook

    def recording(*args, **kwargs):
        calls.append(kwargs)
        return load(*args, **kwargs)

    monkeypatch.setattr(openpyxl, "load_workbook", recording)
    assert workbook_import(source=xlsx(valid_sheets()), dry_run=True).errors == []
    assert calls and all(call.get("read_only") is True for call in calls)


def test_the_memory_an_import_holds_does_not_grow_with_its_expenditures():
    small, large = year_of(1_000), year_of(10_000)
    small_peak, large_peak = peak_traced_bytes(small), peak_traced_bytes(large)
    # Ten times the rows: reading them all into memory first made the peak grow about tenfold
    # (some 2 KB a row). What still grows is a few hundred bytes a row for availability control
    # (the movements it replays at the end). Measured per row, not as a ratio of the two peaks: the
    # ratio rose when the batch being written got cheaper (lists of values, not model instances).
    assert (large_peak - small_peak) / 9_000 < 600, (small_peak, large_peak)


def test_the_default_row_limit_admits_a_year_of_two_hundred_thousand_expenditures():
    # 200,000 expenditures and the rows of the other sheets of such a year (fundmgr.settings'
    # default; the test settings do not override it).
    assert project_settings.IMPORT_MAX_ROWS >= 200_000 + 10_000
