import io
import os
import tempfile
import threading
import time
from datetime import date, datetime
from decimal import Decimal

from django.urls import reverse
from openpyxl import load_workbook

from fundmgr.exports.expenditures import ExpenditureScope, write_expenditures
from fundmgr.lib.table_xlsx import Stamp
from projects.models import BudgetItem, Expenditure
from tests.exports.bulk import add_expenditures
from tests.exports.known_ledger import number, open_workbook

HEADER_ROW = 3
AMOUNT = 10


def data_rows(ws):
    rows = list(ws.iter_rows(min_row=HEADER_ROW + 1))
    return rows[:-1], rows[-1]


def test_detail_lists_every_approved_expenditure_with_a_total(ledger):
    ws = open_workbook("expenditures", ledger.department_year).active
    assert ws.cell(HEADER_ROW, AMOUNT).value == "金额（元）"
    rows, total = data_rows(ws)
    assert len(rows) == 8
    assert rows[0][0].value == datetime(2024, 3, 10) and rows[0][0].number_format == "yyyy-mm-dd"
    assert rows[0][3].value == "A-P01" and rows[0][5].value == "30101" and rows[0][6].value == "基本工资"
    assert number(rows[0][AMOUNT - 1]) == Decimal("600000.00")
    assert total[0].value == "合计"
    assert number(total[AMOUNT - 1]) == Decimal("3790000.00") == sum(number(row[AMOUNT - 1]) for row in rows)


def test_detail_leaves_out_pending_and_rejected_spending(ledger):
    item = BudgetItem.objects.get(code="A-X01")
    for status in (Expenditure.Status.PENDING, Expenditure.Status.REJECTED):
        Expenditure.objects.create(item=item, amount=Decimal("60000.00"), economic_class_id="30227", date=date(2024, 12, 1), status=status)
    rows, total = data_rows(open_workbook("expenditures", ledger.department_year).active)
    assert len(rows) == 8
    assert number(total[AMOUNT - 1]) == Decimal("3790000.00")


def test_detail_of_one_unit_and_date_range(ledger):
    ws = open_workbook(
        "expenditures", ledger.department_year, unit=ledger.unit_a, date_from=date(2024, 4, 1), date_to=date(2024, 8, 31)
    ).active
    rows, total = data_rows(ws)
    assert [row[3].value for row in rows] == ["A-O01", "A-X01", "A-P01", "A-O01"]
    assert number(total[AMOUNT - 1]) == Decimal("1750000.00")
    assert "测试部门（本级）" in ws["A2"].value and "2024-04-01 至 2024-08-31" in ws["A2"].value


def test_detail_is_laid_out_for_printing(ledger):
    ws = open_workbook("expenditures", ledger.department_year).active
    assert ws["A1"].value == "2024年度支出明细表"
    assert "A1:J1" in {str(rng) for rng in ws.merged_cells.ranges}
    assert ws.freeze_panes == "A4"
    assert ws.page_setup.orientation == "landscape"
    assert ws.print_title_rows == "$1:$3"


def _rss_bytes() -> int:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def test_exporting_200000_expenditures_keeps_memory_flat(ledger):
    """A streamed export holds a chunk of rows, not the ledger: its resident memory grows by far
    less than the 200,000 rows would take (a plain openpyxl workbook of them needs over 500 MB)."""
    item = BudgetItem.objects.get(code="B-X01")
    add_expenditures(item, 200_000)
    peak = baseline = _rss_bytes()
    done = threading.Event()

    def sample():
        nonlocal peak
        while not done.is_set():
            peak = max(peak, _rss_bytes())
            time.sleep(0.02)

    sampler = threading.Thread(target=sample)
    sampler.start()
    try:
        with tempfile.TemporaryFile() as out:
            count = write_expenditures(
                scope=ExpenditureScope(department_year=ledger.department_year),
                out=out,
                stamp=Stamp(creator="测试用户", created=datetime(2025, 3, 12)),
            )
            size = out.tell()
    finally:
        done.set()
        sampler.join()
    assert count == 200_008
    assert size > 1_000_000
    assert peak - baseline < 150 * 1024 * 1024, f"export grew resident memory by {(peak - baseline) / 2**20:.0f} MB"


def test_the_generated_detail_opens_again(ledger):
    out = io.BytesIO()
    write_expenditures(scope=ExpenditureScope(department_year=ledger.department_year), out=out,
                       stamp=Stamp(creator="张会计", created=datetime(2025, 3, 12, 9, 30)))
    wb = load_workbook(io.BytesIO(out.getvalue()))
    assert wb.properties.creator == "张会计"
    assert wb.properties.created == datetime(2025, 3, 12, 9, 30)


def sheet_values(content: bytes) -> list[tuple]:
    return list(load_workbook(io.BytesIO(content)).active.iter_rows(values_only=True))


def test_the_unit_page_download_is_the_exports_detail_of_that_unit(client, ledger):
    """One expenditure sheet: the unit page's download and the exports page's detail of the unit
    are the same sheet, cell for cell; pending spending is in neither."""
    item = BudgetItem.objects.get(code="A-X01")
    Expenditure.objects.create(item=item, amount=Decimal("60000.00"), economic_class_id="30227", date=date(2024, 12, 1),
                               status=Expenditure.Status.PENDING)
    client.force_login(ledger.finance)
    kwargs = {"department_code": "TST", "year": 2024}
    page = client.get(reverse("units:expenditures_export", kwargs={**kwargs, "unit_code": ledger.unit_a.code}))
    detail = client.get(reverse("exports:download", kwargs={**kwargs, "what": "expenditures"}) + f"?unit={ledger.unit_a.code}")
    assert page.status_code == detail.status_code == 200
    rows = sheet_values(b"".join(page.streaming_content))
    assert rows == sheet_values(b"".join(detail.streaming_content))
    assert rows[HEADER_ROW - 1][AMOUNT - 1] == "金额（元）"
    assert Decimal("60000.00") not in {row[AMOUNT - 1] for row in rows[HEADER_ROW:-1]}


def test_an_item_page_download_with_no_approved_spending_is_an_empty_detail(client, ledger):
    client.force_login(ledger.finance)
    url = reverse("projects:detail", kwargs={"department_code": "TST", "year": 2024, "item_code": "A-X01"})
    response = client.get(url + "?status=pending&_export=xlsx&table=expenditures")
    assert response.status_code == 200
    rows = sheet_values(b"".join(response.streaming_content))
    assert rows[0][0].endswith("支出明细表") and "共0笔" in rows[1][0]
    assert rows[-1][0] == "合计" and rows[-1][AMOUNT - 1] == 0


def test_the_streamed_detail_keeps_markup_and_formula_like_text_as_text(ledger):
    Expenditure.objects.filter(item__code="A-P01").update(memo='=HYPERLINK("x")<&>', voucher="#N/A")
    out = io.BytesIO()
    write_expenditures(scope=ExpenditureScope(department_year=ledger.department_year, unit=ledger.unit_a), out=out,
                       stamp=Stamp(creator="<张&会计>", created=datetime(2025, 3, 12)))
    book = load_workbook(io.BytesIO(out.getvalue()))
    first = next(book.active.iter_rows(min_row=HEADER_ROW + 1))
    assert (first[7].value, first[7].data_type) == ('=HYPERLINK("x")<&>', "s")
    assert (first[1].value, first[1].data_type) == ("#N/A", "s")
    assert book.properties.creator == "<张&会计>"
