"""One vocabulary for indicators (issue 13, indicators.wording): the evaluation page, the 自评表
xlsx and the Word report write the same target (≥100人) and the same deviation wording (无偏差)."""

import re
from decimal import Decimal

from django.urls import reverse

from indicators.models import Indicator
from indicators.wording import NO_DEVIATION, deviation_text, direction_symbol, target_text
from tests.exports.known_ledger import find_row, open_workbook
from tests.exports.test_report import report_text


def test_the_direction_symbols_are_the_pages(db):
    assert [direction_symbol(d) for d in ("ge", "le", "eq", "qualitative")] == ["≥", "≤", "=", ""]
    indicator = Indicator(direction="le", target=Decimal("12.50"), unit="万元")
    assert target_text(indicator) == "≤12.5万元"
    assert deviation_text(indicator, ("midyear_behind",)) == str(NO_DEVIATION) == "无偏差"


def test_the_page_the_xlsx_and_the_report_write_the_same_targets_and_deviation_words(client, ledger):
    department_year = ledger.department_year
    indicators = list(Indicator.objects.filter(department_year=department_year, item__isnull=True))
    targets = {target_text(indicator) for indicator in indicators}
    assert "≥100人" in targets and not any(">=" in target for target in targets)

    client.force_login(ledger.finance)
    page = client.get(
        reverse("indicators:evaluation", kwargs={"department_code": "TST", "year": 2024})
    ).content.decode()
    page_targets = set(re.findall(r'<td class="num">([≥≤=][^<]*)</td>', page))
    assert page_targets == targets

    ws = open_workbook("self-evaluation", department_year).active
    first = find_row(ws, "一级指标") + 1
    xlsx_targets = {ws.cell(row, 4).value for row in range(first, first + len(indicators))}
    xlsx_deviation = {ws.cell(row, 9).value for row in range(first, first + len(indicators))}
    assert xlsx_targets == targets

    report = report_text(department_year)
    assert all(f"年初预期指标值完成{target}，" in report for target in targets)
    # 无偏差 in all three; the old words in none
    assert "无偏差" in page and "无偏差" in xlsx_deviation and "该指标无偏差。" in report
    for text in (page, report, " ".join(str(value) for value in xlsx_deviation)):
        assert "未偏离" not in text and "&gt;=" not in text and ">=" not in text
