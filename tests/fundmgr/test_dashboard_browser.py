"""The dashboard in a real browser: its charts render, a unit bar opens the unit page.

Uses the seed department (load_demo) when that command exists, and the small test
ledger otherwise. Saves docs/screenshots/dashboard.png for the README.
"""

from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command

from tests.browser import launched_chromium, needs_chromium
from tests.fundmgr.dashboard_support import build_ledger

# Playwright's sync API runs an event loop in this thread; Django's ORM must still be allowed here.

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOT = ROOT / "docs" / "screenshots" / "dashboard.png"
HAS_SEED = (ROOT / "fundmgr" / "management" / "commands" / "load_demo.py").exists()

pytestmark = [
    pytest.mark.browser,
    needs_chromium,
]


@pytest.fixture
def dashboard_address(transactional_db, client, live_server):
    if HAS_SEED:
        call_command("load_demo")
        department, unit_name = "XJWF", None
    else:
        build_ledger(code="DSH")
        department, unit_name = "DSH", "甲单位"
    user = User.objects.create_superuser("browser", "browser@example.cn", "x")
    client.force_login(user)
    return f"{live_server.url}/d/{department}/2024/?asof=2024-12", client.cookies["sessionid"].value, unit_name


@pytest.mark.django_db(transaction=True)
def test_dashboard_charts_render_and_a_unit_bar_opens_the_unit_page(dashboard_address, live_server):
    address, session, unit_name = dashboard_address
    with launched_chromium() as browser:
        context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
        context.add_cookies([{"name": "sessionid", "value": session, "url": live_server.url}])
        page = context.new_page()
        page.goto(address)
        for chart in ("rate-bars", "execution-line", "amount-bars", "composition"):
            assert page.locator(f'svg[data-chart="{chart}"]').is_visible()
        bars = page.locator("svg[data-chart=rate-bars] a.bar-link")
        assert bars.count() >= 2
        assert page.locator("svg[data-chart=rate-bars] rect.bar title").first.text_content()
        assert page.locator('[data-card="progress"]').text_content() == "100.00%"
        if HAS_SEED:
            assert page.locator('[data-card="execution-rate"]').text_content() == "95.87%"
        SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOT), full_page=True)

        first_unit = bars.first.locator("rect title").text_content().split("：")[0]
        bars.first.locator("rect").click()
        page.wait_for_url("**/units/**")
        assert "asof=2024-12" in page.url
        heading = page.locator("h1").text_content()
        assert first_unit in heading
        if unit_name:
            assert unit_name in heading
        assert page.locator('svg[data-chart="execution-line"]').is_visible()
