"""Every table export reads back as the page shows it (issue 13): money in exact yuan under a
header that says （元）, rates as percent cells holding the ratio the page shows, a Chinese
sheet and file name, and a 合计 row that is the sum of the rows, its rate recomputed from the
totals. Each export is compared, cell by cell, with the same table on its page."""

import io
from datetime import date, datetime
from decimal import Decimal
from html.parser import HTMLParser
from urllib.parse import unquote

import pytest
from openpyxl import load_workbook

from fundmgr.lib.money import percent, ratio, wan
from tests.fundmgr import dashboard_support
from tests.personas import finance_bureau

# The dashboards' known ledger (department DSH) and its personas.
ledger = dashboard_support.ledger
personas = dashboard_support.personas
plain_static_files = dashboard_support.plain_static_files

DEPARTMENT = "/d/DSH/2024/"
UNIT_A = "/d/DSH/2024/units/A/"
ITEM_A1 = "/d/DSH/2024/items/A1/"
PROVINCE = "/province/2024/"
ASOF = "?asof=2024-06"

# (page, export query, file name, sheet name, has money)
EXPORTS = [
    (DEPARTMENT + ASOF, "&_export=xlsx&table=units", "DSH-2024-06-各预算单位执行情况.xlsx", "各预算单位执行情况", True),
    (DEPARTMENT + ASOF, "&_export=xlsx&table=lagging", "DSH-2024-06-执行滞后的项目.xlsx", "执行滞后的项目", True),
    (DEPARTMENT + ASOF, "&_export=xlsx&table=indicators", "DSH-2024-06-绩效指标完成情况.xlsx", "绩效指标完成情况", False),
    (UNIT_A + ASOF, "&_export=xlsx&table=items", "DSH-2024-A-预算项目.xlsx", "预算项目", True),
    (UNIT_A + ASOF, "&_export=xlsx&table=lagging", "DSH-2024-A-执行滞后的项目.xlsx", "执行滞后的项目", True),
    (ITEM_A1 + ASOF, "&_export=xlsx&table=lines", "DSH-2024-A1-预算指标.xlsx", "预算指标", True),
    ("/d/DSH/2024/expenditures/", "?_export=xlsx", "DSH-2024-支出明细.xlsx", "支出明细", True),
    ("/d/DSH/2024/lines/", "?_export=xlsx", "DSH-2024-预算指标.xlsx", "预算指标", True),
    (PROVINCE + ASOF, "&_export=xlsx&table=departments", "2024-06-各部门预算执行情况.xlsx", "各部门预算执行情况", True),
]


class Tables(HTMLParser):
    """The page's tables as lists of rows of cell texts: header, body and footer rows alike."""

    def __init__(self):
        super().__init__()
        self.tables, self.row, self.cell = [], None, None

    def handle_starttag(self, tag, attrs):
        if tag == "table":
            self.tables.append([])
        elif tag == "tr" and self.tables:
            self.row = []
        elif tag in ("td", "th") and self.row is not None:
            self.cell = []

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self.cell is not None:
            self.row.append(" ".join("".join(self.cell).split()))
            self.cell = None
        elif tag == "tr" and self.row is not None:
            self.tables[-1].append(self.row)
            self.row = None

    def handle_data(self, data):
        if self.cell is not None:
            self.cell.append(data)


def page_table(html: str, export_header: list[str]) -> list[list[str]]:
    """The page's table with the export's columns: its header names them in 万元 where the export says 元."""
    parser = Tables()
    parser.feed(html)
    wanted = [header.replace("（元）", "") for header in export_header]
    for table in parser.tables:
        if table and [cell.replace("（万元）", "").replace("（元）", "") for cell in table[0][: len(wanted)]] == wanted:
            return table
    raise AssertionError(f"no table on the page has the columns {export_header}")


def workbook_of(response):
    return load_workbook(io.BytesIO(b"".join(response.streaming_content)))


def as_decimal(value) -> Decimal:
    return Decimal(str(value))


def shown_on_page(value, cell, header: str) -> str:
    """The text the page shows for an exported cell."""
    if value is None:
        return "—"
    if cell.number_format == "0.00%":
        return f"{as_decimal(value) * 100:.2f}%"
    if cell.number_format == "#,##0.00":
        return f"{wan(as_decimal(value)):,.2f}" if header.endswith("（万元）") else f"{as_decimal(value):,.2f}"
    if cell.number_format == "0.00":
        return f"{as_decimal(value):.2f}"
    if isinstance(value, (date, datetime)):
        return value.date().isoformat() if isinstance(value, datetime) else value.isoformat()
    return str(value)


@pytest.fixture
def bureau(personas):
    return finance_bureau("bureau")


@pytest.mark.parametrize(("url", "query", "filename", "sheet_name", "has_money"), EXPORTS)
def test_every_table_export_reads_back_as_its_page_shows_it(client, personas, bureau, url, query, filename, sheet_name, has_money):
    client.force_login(bureau if url.startswith(PROVINCE) else personas["finance"])
    html = client.get(url).content.decode()
    response = client.get(url + query)
    assert response.status_code == 200
    assert unquote(response["Content-Disposition"].split("''", 1)[1]) == filename
    workbook = workbook_of(response)
    sheet = workbook.active
    assert sheet.title == sheet_name
    rows = list(sheet.iter_rows())
    assert rows[0][0].value == sheet_name
    assert rows[1][0].value == ("单位：元" if has_money else None)
    header = [cell.value for cell in rows[2]]
    body = rows[3:-1] if has_money else rows[3:]
    page = page_table(html, header)
    page_header = page[0]
    page_body = [row for row in page[1:] if len(row) >= len(header)][: len(body)]
    assert len(page_body) == len(body) > 0
    for export_row, page_row in zip(body, page_body):
        for index, cell in enumerate(export_row):
            assert shown_on_page(cell.value, cell, page_header[index]) == page_row[index], (header[index], cell.value)
    money = [index for index, cell in enumerate(rows[3]) if cell.number_format == "#,##0.00"]
    rates = [index for index, cell in enumerate(rows[3]) if cell.number_format == "0.00%"]
    assert bool(money) == has_money
    for index in money:
        assert header[index].endswith("（元）")  # the header states the unit the cells are in
        assert all(isinstance(row[index].value, (int, float)) for row in body)
        assert as_decimal(rows[3][index].value) == as_decimal(rows[3][index].value).quantize(Decimal("0.01"))
    for index in rates:
        assert "%" in rows[3][index].number_format
    for index, text in enumerate(header, start=1):
        letter = sheet.cell(3, index).column_letter
        wide = sum(1 for char in text if "\u4e00" <= char <= "\u9fff" or "\uff00" <= char <= "\uffef")
        assert sheet.column_dimensions[letter].width >= len(text) + wide  # a CJK character counts double


@pytest.mark.parametrize(("url", "query"), [(url, query) for url, query, *_rest, has_money in EXPORTS if has_money])
def test_the_totals_row_is_the_sum_of_the_rows_and_its_rate_comes_from_the_totals(client, personas, bureau, url, query):
    client.force_login(bureau if url.startswith(PROVINCE) else personas["finance"])
    rows = list(workbook_of(client.get(url + query)).active.iter_rows())
    header, body, totals = [cell.value for cell in rows[2]], rows[3:-1], rows[-1]
    assert str(totals[0].value).startswith("合计")
    counted = body
    if "状态" in header:  # the expenditure list: as its page's total, rejected entries hold no money
        counted = [row for row in body if row[header.index("状态")].value != "已驳回"]
        assert totals[0].value == "合计（不含已驳回）"
    for index, cell in enumerate(totals):
        if cell.number_format == "#,##0.00":
            assert as_decimal(cell.value) == sum((as_decimal(row[index].value) for row in counted), Decimal("0"))
    if "执行率" in header:
        rate = totals[header.index("执行率")].value
        spent = as_decimal(totals[header.index("执行数（元）")].value)
        full_year = as_decimal(totals[header.index("全年预算数（元）")].value)
        assert as_decimal(rate) == percent(ratio(spent, full_year)) / 100


def test_the_unit_table_totals_are_the_pages_footer_to_the_cent(client, personas):
    client.force_login(personas["finance"])
    response = client.get(DEPARTMENT + "?asof=2024-12&_export=xlsx&table=units")
    rows = list(workbook_of(response).active.iter_rows(values_only=True))
    header, totals = rows[2], rows[-1]
    # A: 160,000.00 budget, 65,000.00 spent; B: 45,000.00 and 5,000.00 (dashboard_support)
    assert totals[0] == "合计"
    assert as_decimal(totals[header.index("全年预算数（元）")]) == Decimal("205000.00")
    assert as_decimal(totals[header.index("执行数（元）")]) == Decimal("70000.00")
    assert as_decimal(totals[header.index("待审批（元）")]) == Decimal("60000.00")
    assert as_decimal(totals[header.index("执行率")]) == Decimal("0.3415")  # 70,000 / 205,000 = 34.15 %
    assert Decimal("0.3415") != sum(as_decimal(row[header.index("执行率")]) for row in rows[3:-1])  # not 40.63 % + 11.11 %
    assert totals[header.index("进度")] is None


def test_the_progress_column_says_on_pace_or_lagging_never_blank(client, personas):
    client.force_login(personas["finance"])
    march = list(workbook_of(client.get(DEPARTMENT + "?asof=2024-03&_export=xlsx&table=units")).active.iter_rows(values_only=True))
    header = march[2]
    progress = {row[0]: row[header.index("进度")] for row in march[3:-1]}
    # March: A spent 60,000.00 of 160,000.00 (37.50 % against 25 %), B 4,000.00 of 45,000.00 (8.89 %)
    assert progress == {"A": "正常", "B": "严重滞后"}


def test_a_lagging_totals_plan_execution_rate_is_the_ratio_of_its_totals_not_summed(client, personas):
    client.force_login(personas["finance"])
    rows = list(workbook_of(client.get(DEPARTMENT + "?asof=2024-12&_export=xlsx&table=lagging")).active.iter_rows(values_only=True))
    header, totals = rows[2], rows[-1]
    # December, no plans: each item's plan to date is its budget; A1, A2 and B1 all lag (DOMAIN.md section 8)
    assert as_decimal(totals[header.index("计划进度数（元）")]) == Decimal("205000.00")
    assert as_decimal(totals[header.index("计划执行率")]) == Decimal("0.3415")  # 70,000 / 205,000
