"""The Content-Security-Policy in a real browser: Debian's chromium through Playwright.

The pages are served with the production policy (no inline script or style). The browser
reports every blocked script, style or handler as a `securitypolicyviolation` event; the test
collects them on each page and expects none, and checks that what used inline handlers before
(the as-of month and language switches, htmx's available amount) still works.
"""

import pytest

from tests import personas
from tests.browser import launched_chromium, needs_chromium

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    needs_chromium,
]

# Registered before any page script runs: every CSP violation of the page is kept on window.
RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(event.violatedDirective + " " + (event.blockedURI || "inline") + " " + (event.sample || ""));
});
"""


@pytest.fixture
def browser():
    with launched_chromium() as browser:
        yield browser


def violations(page) -> list[str]:
    return page.evaluate("window.__cspViolations")


def test_the_pages_run_under_the_strict_policy_without_a_single_violation(browser, live_server):
    world = personas.build()
    base = f"{live_server.url}/d/{world.code}/{world.year}"
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    context.add_init_script(RECORD_VIOLATIONS)
    console_errors = []
    page = context.new_page()
    page.on("console", lambda message: message.type == "error" and console_errors.append(message.text))
    page.set_default_timeout(15000)

    response = page.goto(f"{live_server.url}/accounts/login/")
    assert "script-src 'self'" in response.headers["content-security-policy"]
    assert violations(page) == []
    page.fill("#id_username", "finance")
    page.fill("#id_password", personas.PASSWORD)
    page.click("button[type=submit].primary")
    page.wait_for_load_state()

    seen = {}
    for path in ["/?asof=2024-12", "/units/A/", "/items/A1/", "/approvals/", "/months/", "/exports/", "/expenditures/"]:
        page.goto(base + path)
        page.wait_for_load_state("networkidle")
        seen[path] = violations(page)
    page.goto(f"{live_server.url}/admin/")
    seen["/admin/"] = violations(page)
    page.goto(f"{live_server.url}/no-such-page/")
    seen["404"] = violations(page)
    assert seen == {path: [] for path in seen}
    assert not [text for text in console_errors if "Content Security Policy" in text]

    # The as-of switch had onchange="this.form.submit()"; static/js/app.js does it now.
    page.goto(base + "/?asof=2024-12")
    with page.expect_navigation():
        page.select_option("#asof", "2024-06")
    assert "asof=2024-06" in page.url

    # htmx (from its own static file) still fetches the available amount.
    page.goto(base + "/expenditures/new/")
    page.fill("#id_date", "2024-07-01")
    page.select_option("#id_item", str(world.item_a.pk))
    page.wait_for_selector("#available-amount")
    assert violations(page) == []

    # The language switch, too.
    with page.expect_navigation():
        page.select_option("select[name=language]", "en")
    assert page.locator("html").get_attribute("lang") == "en"
    assert violations(page) == []
    context.close()
