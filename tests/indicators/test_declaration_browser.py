"""绩效目标申报 in a real browser: declare, submit, approve, adjust, and the 自评表 names the new version."""

import pytest

from indicators.models import Indicator
from tests import personas
from tests.browser import launched_chromium, needs_chromium

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True), needs_chromium]


@pytest.fixture
def browser():
    with launched_chromium() as chromium:
        yield chromium


def signed_in(browser, live_server, username: str, url: str):
    page = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="zh-CN").new_page()
    page.goto(url)
    page.fill("#id_username", username)
    page.fill("#id_password", personas.PASSWORD)
    page.click("button.primary")
    page.wait_for_url(url)
    return page


def test_declare_submit_approve_adjust_and_the_sheet_scores_the_new_version(live_server, browser):
    world = personas.build()
    base = f"{live_server.url}/d/{world.code}/{world.year}"
    declaration = f"{base}/items/{world.item_a2.code}/declaration/"

    accountant = signed_in(browser, live_server, "accountant_a", declaration)
    accountant.click("#declaration-start button")
    accountant.fill("#id_goal", "完成设备采购并投入使用")
    accountant.fill("#id_rows-0-code", "A2-1")
    accountant.select_option("#id_rows-0-level1", "output")
    accountant.fill("#id_rows-0-level2", "数量")
    accountant.fill("#id_rows-0-name", "购置设备台数")
    accountant.select_option("#id_rows-0-direction", "ge")
    accountant.fill("#id_rows-0-target", "≥5台")
    accountant.click("#declaration-save")
    assert "已保存草稿" in accountant.inner_text(".messages")
    accountant.click("#declaration-submit button")
    assert "等待财务处审批" in accountant.inner_text(".messages")
    assert accountant.locator("#declaration-approve").count() == 0  # the accountant does not approve

    finance = signed_in(browser, live_server, "finance", declaration)
    finance.fill("#decision-note", "同意")
    finance.click("#declaration-approve")
    assert "自评表按此版本计分" in finance.inner_text(".messages")
    finance.goto(f"{base}/items/{world.item_a2.code}/evaluation/")
    assert "第1版（申报，" in finance.inner_text("#target-version")

    finance.goto(declaration)
    finance.fill("#adjust-reason", "年中追加采购任务")
    finance.click("#declaration-start button")
    finance.fill("#id_rows-0-target", "≥6台")
    finance.click("#declaration-save")
    finance.click("#declaration-submit button")
    finance.click("#declaration-approve")
    assert Indicator.objects.get(code="A2-1").target_text == "≥6台"
    finance.goto(f"{base}/items/{world.item_a2.code}/evaluation/")
    assert "第2版（调整，" in finance.inner_text("#target-version")
    finance.click("#target-version a")
    finance.click("#declaration-version-2 a")
    assert "目标值（原文）：≥5台 → ≥6台" in finance.inner_text("#declaration-diff")
