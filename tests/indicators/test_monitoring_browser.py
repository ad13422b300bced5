"""The 绩效运行监控表 of the seed department in a real browser: the finance office enters an
indicator's forecast, sees it flagged, and moves the monitoring month; a screenshot for the README."""

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from fundmgr.demo.monitoring import demo_monitoring
from tests import personas
from tests.browser import launched_chromium, needs_chromium
from units.models import DepartmentYear

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    needs_chromium,
]


def test_the_finance_office_enters_a_forecast_sees_the_flag_and_moves_the_month(live_server):
    pytest.importorskip("fundmgr.management.commands.load_demo")
    call_command("load_demo", stdout=StringIO(), stderr=StringIO())
    seed = DepartmentYear.objects.select_related("department").get(department__code="XJWF", year=2024)
    demo_monitoring(department_year=seed)
    personas.member(personas.user("monitor-finance"), seed, "finance")
    base = f"{live_server.url}/d/XJWF/2024"
    with launched_chromium() as browser:
        page = browser.new_page(viewport={"width": 1400, "height": 1000}, locale="zh-CN")
        page.goto(f"{base}/monitoring/")
        page.fill("#id_username", "monitor-finance")
        page.fill("#id_password", personas.PASSWORD)
        page.click("button.primary")
        page.wait_for_url(f"{base}/monitoring/")
        assert "预计执行不足" in page.inner_text('tr[data-item="XJWF001-XM06"]')
        assert "665.65" in page.inner_text('tr[data-item="XJWF001-XM06"]')
        assert "预计不能完成目标" in page.inner_text('tr[data-indicator="XJWF-ZT05"]')
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / "monitoring-table.png"), full_page=True)

        page.click('tr[data-indicator="XJWF-ZT03"] a')
        page.fill("#id_forecast", "85")
        page.select_option("#id_likelihood", "possible")
        page.select_option("#id_monitoring_cause", "staffing")
        page.fill("#id_monitoring_cause_text", "接访人员不足")
        page.click("button.primary")
        page.wait_for_url(f"{base}/monitoring/")
        row = page.inner_text('tr[data-indicator="XJWF-ZT03"]')
        assert "预计不能完成目标" in row and "人员保障：接访人员不足" in row

        page.select_option("#id_monitoring_month", "9")
        page.click("#monitoring-month button")
        page.wait_for_url(f"{base}/monitoring/")
        assert "截至9月末" in page.inner_text("h1")
