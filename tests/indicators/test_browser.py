"""The 自评表 and the monitoring page in a real browser; screenshots for the README."""

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model

from projects.models import BudgetItem, BudgetLine
from tests import personas
from tests.browser import launched_chromium, needs_chromium
from tests.builders import BudgetItemFactory, BudgetLineFactory, DepartmentYearFactory, ExpenditureFactory
from tests.indicators.six_indicators import six_met_indicators

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    needs_chromium,
]


@pytest.fixture
def page():
    with launched_chromium() as browser:
        yield browser.new_page(viewport={"width": 1400, "height": 1000}, locale="zh-CN")


def test_the_finance_office_records_a_result_and_sees_the_new_score(live_server, page):
    # Seed-like totals: 89,779,300.00 of 93,648,900.00 (9.59) and six met indicators: 99.59.
    dy = DepartmentYearFactory(department__code="XJWF", department__name="新疆维吾尔自治区妇女联合会")
    basic = BudgetItemFactory(department_year=dy, unit__code="U1", code="JB", category=BudgetItem.Category.PERSONNEL)
    BudgetLineFactory(item=basic, amount=Decimal("80000000.00"))
    BudgetLineFactory(item=basic, amount=Decimal("13648900.00"), kind=BudgetLine.Kind.CARRYOVER)
    ExpenditureFactory(item=basic, amount=Decimal("40000000.00"), date=date(2024, 5, 1))
    ExpenditureFactory(item=basic, amount=Decimal("49779300.00"), date=date(2024, 11, 1))
    six_met_indicators(dy)
    personas.member(personas.user("finance"), dy, "finance")
    get_user_model().objects.filter(username="finance").update(first_name="财务处")

    base = f"{live_server.url}/d/XJWF/2024"
    page.goto(f"{base}/evaluation/")
    page.fill("#id_username", "finance")
    page.fill("#id_password", personas.PASSWORD)
    page.click("button.primary")
    page.wait_for_url(f"{base}/evaluation/")
    assert page.inner_text("#score") == "99.6"
    assert page.inner_text("#rating") == "优"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "department-evaluation.png"), full_page=True)

    page.click('tr[data-indicator="D2"] a')
    page.fill("#id_actual", "8000")
    page.click("button[name=final]")
    assert "偏差原因分析" in page.inner_text(".errorlist")
    page.screenshot(path=str(SCREENSHOTS / "indicator-results-form.png"), full_page=True)
    page.fill("#id_deviation_reason", "部分地州培训延期")
    page.fill("#id_corrective_measures", "下年度提前部署")
    page.click("button[name=final]")
    page.wait_for_url(f"{base}/evaluation/")
    # D2 has 16.67 points; 8000 of 10000 earns 13.34: 99.59 − 16.67 + 13.34 = 96.26 → 96.3
    assert page.inner_text("#total-score") == "96.26"
    assert page.inner_text("#score") == "96.3"

    page.goto(f"{base}/monitoring/")
    assert "半年完成值低于目标的50%" in page.content()
    assert "10000" in page.inner_text('tr[data-indicator="D2"]')  # the form kept the mid-year value
    page.screenshot(path=str(SCREENSHOTS / "monitoring.png"), full_page=True)
