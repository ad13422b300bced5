"""The seed department's files match the published 2024 report (DOMAIN.md section 7)."""

import io
import shutil
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import call_command
from docx import Document

from fundmgr.lib.money import wan
from indicators.models import Indicator
from indicators.wording import plain_number
from projects.selectors import budget_summary
from tests.exports.known_ledger import find_row, generated, number, open_workbook
from tests.exports.rendering import PDFTOPPM, SOFFICE, first_page_png, to_pdf
from units.models import DepartmentYear

ROOT = Path(__file__).resolve().parents[2]

SEED_VALUES = [  # target, mid-year, year-end, DOMAIN.md section 7
    ("5000", "800", "5000"),
    ("10000", "10000", "10000"),
    ("90", "95", "95"),
    ("50", "50", "50"),
    ("90", "90", "90"),
    ("95", "95", "95"),
]


@pytest.fixture
def seed(db):
    call_command("load_demo", verbosity=0)
    return DepartmentYear.objects.select_related("department").get(department__code="XJWF", year=2024)


def test_seed_self_evaluation_total_is_99_59_and_rated_excellent(seed):
    ws = open_workbook("self-evaluation", seed).active
    budget = find_row(ws, "年度资金总额", column=2)
    # DOMAIN.md says "about" 9364.89: 人员 2930.60 + 公用 287.84 + 项目 6146.44 = 9364.88 from the line items.
    full_year = budget_summary(department_year=seed).totals.full_year
    assert number(ws.cell(budget, 5)) == wan(full_year) == Decimal("9364.88")
    assert number(ws.cell(budget, 6)) == Decimal("8977.93")
    assert number(ws.cell(budget, 8)) == Decimal("0.9587")
    assert number(ws.cell(budget, 9)) == Decimal("9.59")
    total = find_row(ws, "总分")
    assert number(ws.cell(total, 8)) == Decimal("99.59")
    assert ws.cell(find_row(ws, "评价等级"), 7).value == "优"
    first = find_row(ws, "一级指标") + 1
    assert sum(number(ws.cell(row, 8)) for row in range(first, first + 6)) == Decimal("90.00")


def test_seed_execution_tables_match_the_report(seed):
    wb = open_workbook("execution", seed)
    ws = wb["按经济分类"]
    rows = {ws.cell(row, 1).value: row for row in range(4, ws.max_row + 1)}
    for code, amount in [("301", "2599.61"), ("302", "4468.27"), ("303", "328.16"), ("310", "1581.89")]:
        assert number(ws.cell(rows[code], 3)) == Decimal(amount)
    assert number(ws.cell(rows["合计"], 3)) == Decimal("8977.93")

    ws = wb["按单位和类别"]
    subtotals = [row for row in range(4, ws.max_row + 1) if ws.cell(row, 2).value == "小计"]
    assert len(subtotals) == 6
    for subtotal in subtotals:
        for column in range(3, 9):
            assert number(ws.cell(subtotal, column)) == sum(number(ws.cell(row, column)) for row in range(subtotal - 3, subtotal))
    total = find_row(ws, "合计")
    assert number(ws.cell(total, 8)) == Decimal("8977.93") == sum(number(ws.cell(row, 8)) for row in subtotals)
    categories = {ws.cell(row, 1).value: row for row in range(total + 1, total + 4)}
    assert number(ws.cell(categories["其中：人员类"], 8)) == Decimal("2885.83")
    assert number(ws.cell(categories["其中：运转类"], 8)) == Decimal("250.94")
    assert number(ws.cell(categories["其中：特定目标类"], 8)) == Decimal("5841.16")
    assert number(ws.cell(categories["其中：特定目标类"], 7)) == Decimal("6146.44")

    ws = wb["按项目"]
    total = find_row(ws, "合计")
    items = [row for row in range(4, total) if ws.cell(row, 3).value != "小计"]
    assert number(ws.cell(total, 10)) == sum(number(ws.cell(row, 10)) for row in items)


def test_seed_report_states_the_published_figures(seed):
    document = Document(io.BytesIO(generated("report", seed)))
    text = "\n".join(p.text for p in document.paragraphs)
    text += "\n".join(" | ".join(c.text for c in row.cells) for table in document.tables for row in table.rows)
    assert "实际支出8977.93万元" in text
    assert "预算执行率（95.87%）" in text
    assert "综合得分99.6分，评价结果为“优”" in text
    indicators = list(Indicator.objects.filter(department_year=seed, item__isnull=True).order_by("position", "id"))
    assert len(indicators) == 6
    for indicator, (target, midyear, actual) in zip(indicators, SEED_VALUES):
        unit = indicator.unit
        assert (plain_number(indicator.target), plain_number(indicator.midyear), plain_number(indicator.actual)) == (
            target, midyear, actual,
        )
        assert (
            f"{indicator.name}：年初预期指标值完成≥{target}{unit}，年中绩效运行监控时完成{midyear}{unit}，"
            f"年末实际完成{actual}{unit}。该指标无偏差。"
        ) in text


@pytest.mark.skipif(SOFFICE is None or PDFTOPPM is None, reason="needs LibreOffice and poppler-utils (pdftoppm)")
def test_seed_self_evaluation_prints_and_its_first_page_is_the_readme_screenshot(seed, tmp_path):
    xlsx = tmp_path / "self-evaluation.xlsx"
    xlsx.write_bytes(generated("self-evaluation", seed))
    docx = tmp_path / "report.docx"
    docx.write_bytes(generated("report", seed))
    result = to_pdf([xlsx, docx], tmp_path)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "report.pdf").read_bytes().startswith(b"%PDF")
    png = tmp_path / "self-evaluation-xlsx.png"
    first_page_png(tmp_path / "self-evaluation.pdf", png)
    assert png.read_bytes().startswith(b"\x89PNG")
    target = ROOT / "docs/screenshots/self-evaluation-xlsx.png"
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(png, target)


def test_seed_import_workbook_round_trips_to_the_identical_summary(seed):
    from tests.exports.test_workbook import round_trip

    before, after = round_trip(seed)
    assert after == before
    assert after["evaluation"]["score"] == "99.59"
