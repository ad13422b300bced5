"""The site on a phone (390 × 844) and on a laptop (1366 wide), in a real browser, on the seed
department (load_demo): no page is wider than the screen, 退出 stays in sight, and the nav folds
behind 菜单 on the phone only (issue 13).

Saves docs/screenshots/dashboard-desktop.png and dashboard-phone.png for the README.
"""

from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from tests.browser import launched_chromium, needs_chromium

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
PHONE = {"width": 390, "height": 844}
LAPTOP = {"width": 1366, "height": 768}
ASOF = "?asof=2024-12"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    needs_chromium,
]

# What each page's layout must survive: the dashboard's charts and tables, the unit page's item
# table, the entry form, and the 自评表's wide indicator table.
FINANCE_PAGES = {
    "dashboard": reverse("department", kwargs={"department_code": "XJWF", "year": 2024}) + ASOF,
    "unit": reverse("units:detail", kwargs={"department_code": "XJWF", "year": 2024, "unit_code": "XJWF001"}) + ASOF,
    "entry form": reverse("expenditures:new", kwargs={"department_code": "XJWF", "year": 2024}),
    "自评表": reverse("indicators:evaluation", kwargs={"department_code": "XJWF", "year": 2024}),
}

OVERFLOW = "() => ({scroll: document.documentElement.scrollWidth, inner: window.innerWidth})"
# Table cells of four characters or more that are squeezed narrower than three characters.
SQUEEZED_CELLS = """() => [...document.querySelectorAll("main td")].filter(cell => {
    const text = cell.textContent.trim();
    const em = parseFloat(getComputedStyle(cell).fontSize);
    return text.length >= 4 && cell.getBoundingClientRect().width < 3 * em;
}).map(cell => cell.textContent.trim())"""


@pytest.fixture
def sessions(live_server):
    """Session cookies of the seed's finance officer (caiwu) and leader (lingdao)."""
    call_command("load_demo")
    cookies = {}
    for username in ("caiwu", "lingdao"):
        client = Client()
        client.force_login(User.objects.get(username=username))
        cookies[username] = client.cookies["sessionid"].value
    return cookies


@pytest.fixture
def browser():
    with launched_chromium() as chromium:
        yield chromium


def page_as(browser, live_server, session, viewport):
    context = browser.new_context(viewport=viewport, locale="zh-CN")
    context.add_cookies([{"name": "sessionid", "value": session, "url": live_server.url}])
    return context.new_page()


def inside_viewport(box, viewport) -> bool:
    return box is not None and box["x"] >= 0 and box["y"] >= 0 and box["x"] + box["width"] <= viewport["width"]


def test_on_a_phone_no_page_is_wider_than_the_screen_no_cell_is_squeezed_and_logout_stays_in_sight(browser, live_server, sessions):
    visits = [("caiwu", name, path) for name, path in FINANCE_PAGES.items()]
    visits.append(("lingdao", "dashboard", FINANCE_PAGES["dashboard"]))
    too_wide, logout_out_of_sight, squeezed = {}, {}, {}
    for username, name, path in visits:
        page = page_as(browser, live_server, sessions[username], PHONE)
        assert page.goto(live_server.url + path).status == 200, (username, name)
        width = page.evaluate(OVERFLOW)
        assert width["inner"] == PHONE["width"]
        if width["scroll"] > width["inner"]:
            too_wide[username, name] = width["scroll"]
        if cells := page.evaluate(SQUEEZED_CELLS):
            squeezed[username, name] = cells
        logout = page.get_by_role("button", name="退出")
        if not (logout.is_visible() and inside_viewport(logout.bounding_box(), PHONE)):
            logout_out_of_sight[username, name] = logout.bounding_box()
        if username == "lingdao":
            SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(SCREENSHOTS / "dashboard-phone.png"), full_page=True)
        page.context.close()
    assert too_wide == {}
    assert logout_out_of_sight == {}
    assert squeezed == {}


def test_on_a_phone_the_nav_is_folded_until_its_button_is_tapped(browser, live_server, sessions):
    page = page_as(browser, live_server, sessions["caiwu"], PHONE)
    page.goto(live_server.url + FINANCE_PAGES["dashboard"])
    nav = page.locator("nav.topnav")
    entries = nav.get_by_role("link", name="支出明细")
    assert nav.is_hidden()
    assert entries.is_hidden()

    page.get_by_text("菜单").click()
    assert nav.is_visible()
    assert inside_viewport(entries.bounding_box(), PHONE)
    assert page.evaluate(OVERFLOW)["scroll"] <= PHONE["width"]
    entries.click()
    page.wait_for_url("**/expenditures/")
    assert nav.is_hidden()  # a new page starts folded again

    page.get_by_text("菜单").click()
    page.get_by_text("菜单").click()
    assert nav.is_hidden()


def test_on_a_laptop_the_nav_is_open_and_nothing_overflows(browser, live_server, sessions):
    page = page_as(browser, live_server, sessions["caiwu"], LAPTOP)
    for name, path in FINANCE_PAGES.items():
        page.goto(live_server.url + path)
        assert page.evaluate(OVERFLOW)["scroll"] <= LAPTOP["width"], name
        assert page.locator("nav.topnav").get_by_role("link", name="支出明细").is_visible(), name
        assert page.get_by_text("菜单").is_hidden(), name
        assert inside_viewport(page.get_by_role("button", name="退出").bounding_box(), LAPTOP), name
    page.goto(live_server.url + FINANCE_PAGES["dashboard"])
    # The two-column chart grid holds at this width: the first two charts sit side by side.
    first, second = (page.locator("figure.chart-panel").nth(index).bounding_box() for index in (0, 1))
    assert first["y"] == second["y"] and first["x"] < second["x"]
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "dashboard-desktop.png"))
