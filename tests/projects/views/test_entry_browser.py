"""The accountant's day in the browser: Playwright driving Debian's chromium, headless.

An accountant logs in and enters spending, sees the available amount follow the chosen item,
is refused an overspend, enters a large item that waits for approval; the finance office
approves it and the accountant sees it approved. Screenshots go to docs/screenshots/.
"""

from pathlib import Path

import pytest

from tests import personas
from tests.browser import launched_chromium, needs_chromium

SCREENSHOTS = Path(__file__).resolve().parents[3] / "docs" / "screenshots"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    needs_chromium,
]


@pytest.fixture
def browser():
    with launched_chromium() as browser:
        yield browser


def log_in(browser, live_server, username):
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15000)
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", personas.PASSWORD)
    page.click("button[type=submit].primary")
    page.wait_for_load_state()
    assert "/accounts/login/" not in page.url
    return page


def test_accountant_enters_spending_and_the_finance_office_approves_the_large_one(browser, live_server):
    world = personas.build()
    base = f"{live_server.url}/d/{world.code}/{world.year}"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    clerk = log_in(browser, live_server, "accountant_a")
    clerk.goto(f"{base}/expenditures/new/")
    clerk.fill("#id_date", "2024-07-01")
    # choosing the item fetches its available amount through htmx, without a reload
    clerk.select_option("#id_item", str(world.item_a.pk))
    clerk.wait_for_selector("#available-amount[data-available='39000.00']")
    assert "39,000.00" in clerk.inner_text("#available")
    clerk.select_option("#id_item", str(world.item_a2.pk))
    clerk.wait_for_selector("#available-amount[data-available='100000.00']")
    assert "须政府采购" in clerk.inner_text("#available")
    clerk.select_option("#id_item", str(world.item_a.pk))
    clerk.wait_for_selector("#available-amount[data-available='39000.00']")
    clerk.fill("#id_amount", "1234.56")
    # choosing the class (类) narrows the subclass (款) select to its subclasses, through htmx
    clerk.select_option("#id_economic_class_parent", "301")
    clerk.wait_for_selector("#id_economic_class option[value='30201']", state="detached")
    assert clerk.locator("#id_economic_class optgroup").count() == 0
    assert clerk.locator("#id_economic_class option[value='30101']").count() == 1
    clerk.select_option("#id_economic_class_parent", "302")
    clerk.wait_for_selector("#id_economic_class option[value='30201']", state="attached")
    clerk.select_option("#id_economic_class", "30201")
    clerk.fill("#id_memo", "浏览器录入办公用品")
    clerk.fill("#id_voucher", "记-07-018")
    clerk.screenshot(path=str(SCREENSHOTS / "entry-form.png"), full_page=True)
    clerk.click("#expenditure-form button[type=submit].primary")
    clerk.wait_for_selector("table#expenditures")
    assert "/expenditures/" in clerk.url and "/new/" not in clerk.url
    row = clerk.locator("table#expenditures tr", has_text="浏览器录入办公用品")
    assert "1,234.56" in row.inner_text()

    # an overspend is refused with the available amount and the shortfall
    clerk.goto(f"{base}/expenditures/new/")
    clerk.fill("#id_date", "2024-07-02")
    clerk.select_option("#id_item", str(world.item_a.pk))
    clerk.wait_for_selector("#available-amount[data-available='37765.44']")
    clerk.fill("#id_amount", "40000.00")
    clerk.select_option("#id_economic_class", "30201")
    clerk.fill("#id_memo", "超支尝试")
    clerk.click("#expenditure-form button[type=submit].primary")
    message = clerk.inner_text("#errors-amount")
    assert "可用指标 37,765.44 元" in message and "超出 2,234.56 元" in message

    # a large entry waits for the 三重一大 decision
    clerk.goto(f"{base}/expenditures/new/")
    clerk.fill("#id_date", "2024-07-03")
    clerk.select_option("#id_item", str(world.item_a2.pk))
    clerk.wait_for_selector("#available-amount[data-available='100000.00']")
    clerk.fill("#id_amount", "55000.00")
    clerk.select_option("#id_economic_class", "31002")
    clerk.fill("#id_memo", "采购办公设备")
    clerk.select_option("#id_procurement_method", "inquiry")
    clerk.click("#expenditure-form button[type=submit].primary")
    clerk.wait_for_selector("table#expenditures")
    assert "待财务处审批" in clerk.inner_text(".messages")
    assert "待审批" in clerk.locator("table#expenditures tr", has_text="采购办公设备").inner_text()

    # the next entry starts from the last item and date; "保存并继续录入" brings a fresh form back
    clerk.goto(f"{base}/expenditures/new/")
    assert clerk.input_value("#id_date") == "2024-07-03"
    assert clerk.input_value("#id_item") == str(world.item_a2.pk)
    clerk.fill("#id_amount", "800.00")
    clerk.select_option("#id_economic_class", "31002")
    clerk.select_option("#id_procurement_method", "inquiry")
    clerk.fill("#id_memo", "连续录入第一笔")
    clerk.click("#expenditure-form button[name=save_and_continue]")
    clerk.wait_for_selector(".messages")
    assert "已保存：A2 甲设备购置，2024-07-03，31002 办公设备购置，800.00 元" in clerk.inner_text(".messages")
    assert clerk.url.endswith("/expenditures/new/")
    assert clerk.input_value("#id_amount") == "" and clerk.input_value("#id_memo") == ""
    assert clerk.input_value("#id_item") == str(world.item_a2.pk) and clerk.input_value("#id_date") == "2024-07-03"

    office = log_in(browser, live_server, "finance")
    office.goto(f"{base}/approvals/")
    pending_row = office.locator("table#pending tr", has_text="采购办公设备")
    assert "55,000.00" in pending_row.inner_text()
    office.screenshot(path=str(SCREENSHOTS / "approval-queue.png"), full_page=True)
    pending_row.locator("input[type=checkbox]").check()
    office.locator("#batch-approve input[type=date]").fill("2024-07-05")
    office.locator("#batch-approve input[name$=minutes_number]").fill("党组会纪要〔2024〕15号")
    office.locator("#batch-approve button.primary").click()
    office.wait_for_selector(".messages")
    assert "审批通过 1 笔" in office.inner_text(".messages")
    assert office.locator("table#pending tr", has_text="采购办公设备").count() == 0

    # the accountant sees the decision on their own page
    clerk.goto(f"{base}/expenditures/mine/")
    assert "党组会纪要〔2024〕15号" in clerk.locator("tr", has_text="采购办公设备").inner_text()

    clerk.goto(f"{base}/expenditures/?status=approved")
    assert "已生效" in clerk.locator("table#expenditures tr", has_text="采购办公设备").inner_text()

