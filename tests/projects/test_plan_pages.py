"""The 用款计划 page of an item (DOMAIN.md section 8): twelve months in one grid, saved through
projects.services.plan_set. The finance office writes any item's plan, the item's unit accountant
their own unit's; leaders read. Every refusal names the month or the total, and writes nothing."""

from decimal import Decimal

import pytest
from django.urls import reverse

from projects import services
from projects.models import SpendingPlan, YearClose
from tests import personas
from tests.browser import launched_chromium, needs_chromium
from tests.builders import BudgetItemFactory, BudgetLineFactory

pytestmark = pytest.mark.django_db


def plan_url(world, item=None) -> str:
    item = item or world.item_a
    return reverse("plans:edit", kwargs={**world.kwargs, "item_code": item.code})


def grid(**months) -> dict:
    """The posted grid: every month's field, blank unless given (month_3="1000")."""
    return {f"month_{month}": months.get(f"month_{month}", "") for month in range(1, 13)}


def saved(item) -> dict[int, Decimal]:
    return dict(SpendingPlan.objects.filter(item=item).values_list("month", "amount"))


def cell(html: str, row_id: str) -> str:
    """The text of the amount cell of a footer row of the grid (plan-total, plan-budget, plan-unplanned)."""
    row = html.split(f'id="{row_id}"', 1)[1].split("</tr>", 1)[0]
    text = row.split('<td class="num">', 1)[1].split("</td>", 1)[0]
    for tag in ("<output data-plan-total>", "<output data-plan-left>", "</output>"):
        text = text.replace(tag, "")
    return text.split("<span", 1)[0].strip()


# --- who may read and write ---


def test_the_finance_office_saves_a_plan_and_the_page_shows_its_totals(world, as_persona):
    client = as_persona("finance")
    response = client.post(plan_url(world), grid(month_1="1,000.50", month_6="2000", month_12="0"))
    assert response.status_code == 302
    assert response["Location"] == plan_url(world)
    assert saved(world.item_a) == {1: Decimal("1000.50"), 6: Decimal("2000.00"), 12: Decimal("0.00")}
    html = client.get(plan_url(world)).content.decode()
    assert "项目A1的用款计划已保存，合计 3,000.50 元" in html
    assert cell(html, "plan-total") == "3,000.50"
    assert cell(html, "plan-budget") == "100,000.00"
    assert cell(html, "plan-unplanned") == "96,999.50"
    assert 'value="1000.50"' in html  # the grid shows the saved plan


def test_only_the_finance_office_is_offered_the_whole_years_plan_template(world, as_persona):
    template = reverse("upload:plan_template", kwargs=world.kwargs)
    assert f'href="{template}"' in as_persona("finance").get(plan_url(world)).content.decode()
    for persona in ("accountant_a", "leader"):
        html = as_persona(persona).get(plan_url(world)).content.decode()
        assert "plan-template" not in html and "plan-import" not in html


def test_the_units_accountant_writes_their_own_units_plan(world, as_persona):
    response = as_persona("accountant_a").post(plan_url(world), grid(month_2="300.00"))
    assert response.status_code == 302
    assert saved(world.item_a) == {2: Decimal("300.00")}


def test_another_units_accountant_gets_404_and_writes_nothing(world, as_persona):
    client = as_persona("accountant_b")
    assert client.get(plan_url(world)).status_code == 404
    assert client.post(plan_url(world), grid(month_2="300.00")).status_code == 404
    assert not SpendingPlan.objects.exists()


def test_the_leader_reads_the_plan_but_cannot_save_it(world, as_persona):
    services.plan_set(item=world.item_a, amounts={3: Decimal("500.00")}, user=world.finance)
    client = as_persona("leader")
    html = client.get(plan_url(world)).content.decode()
    assert "500.00" in html and "保存用款计划" not in html
    assert client.post(plan_url(world), grid(month_3="1.00")).status_code == 403
    assert saved(world.item_a) == {3: Decimal("500.00")}


def test_a_member_of_another_department_gets_404(world, client):
    other = personas.build(code="OTHER", prefix="other_")
    client.force_login(other.finance)
    assert client.get(plan_url(world)).status_code == 404
    foreign = reverse("plans:edit", kwargs={**other.kwargs, "item_code": "NOPE"})
    assert client.get(foreign).status_code == 404
    assert client.post(plan_url(world), grid(month_1="1.00")).status_code == 404
    assert not SpendingPlan.objects.exists()


def test_anonymous_visitors_are_sent_to_the_login_page(world, client):
    response = client.post(plan_url(world), grid(month_1="1.00"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    assert not SpendingPlan.objects.exists()


# --- refusals: each names the month or the total, and nothing is written ---


@pytest.mark.parametrize(
    ("months", "message"),
    [
        ({"month_3": "abc"}, "3月：金额须为普通数字，例如 1234.56（不接受科学计数法、NaN 或无穷大）"),
        ({"month_4": "-5"}, "4月：计划金额不能为负数"),
        ({"month_5": "１００"}, "5月：金额请使用半角数字，例如 1234.56"),
        ({"month_7": "1.005"}, "7月：金额最多保留两位小数（分）"),
        ({"month_8": "1e5"}, "8月：金额须为普通数字，例如 1234.56（不接受科学计数法、NaN 或无穷大）"),
        ({"month_1": "60000", "month_2": "40000.01"}, "项目A1的用款计划合计 100,000.01 元，超过全年预算 100,000.00 元"),
    ],
)
def test_a_refused_plan_names_the_month_or_the_total_and_keeps_the_saved_plan(world, as_persona, months, message):
    services.plan_set(item=world.item_a, amounts={1: Decimal("10.00")}, user=world.finance)
    response = as_persona("finance").post(plan_url(world), grid(**months))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert saved(world.item_a) == {1: Decimal("10.00")}


def test_a_plan_up_to_the_full_year_budget_to_the_cent_is_accepted(world, as_persona):
    response = as_persona("finance").post(plan_url(world), grid(month_1="60000", month_2="40000.00"))
    assert response.status_code == 302
    assert sum(saved(world.item_a).values()) == Decimal("100000.00")


def test_clearing_every_month_deletes_the_plan(world, as_persona):
    services.plan_set(item=world.item_a, amounts={1: Decimal("10.00"), 2: Decimal("20.00")}, user=world.finance)
    client = as_persona("finance")
    response = client.post(plan_url(world), grid(), follow=True)
    assert "项目A1的用款计划已清空，按序时进度计算" in response.content.decode()
    assert saved(world.item_a) == {}


def test_a_closed_year_shows_the_plan_read_only_and_refuses_a_save(world, as_persona):
    services.plan_set(item=world.item_a, amounts={1: Decimal("10.00")}, user=world.finance)
    YearClose.objects.create(department_year=world.department_year, carried_total=Decimal("0.00"), lapsed_total=Decimal("0.00"))
    client = as_persona("finance")
    html = client.get(plan_url(world)).content.decode()
    assert "2024年度已年终结转，用款计划不能再修改。" in html
    assert "保存用款计划" not in html
    response = client.post(plan_url(world), grid(month_1="20.00"))
    assert response.status_code == 200
    assert "2024年度已年终结转，不能再修改用款计划" in response.content.decode()
    assert saved(world.item_a) == {1: Decimal("10.00")}


# --- the audit trail ---


def test_the_plans_changes_show_on_its_page_and_in_the_change_log(world, as_persona):
    client = as_persona("accountant_a")
    client.post(plan_url(world), grid(month_1="100.00"))
    client.post(plan_url(world), grid(month_1="150.00"))
    history = client.get(plan_url(world)).content.decode().split('id="plan-history"', 1)[1]
    assert history.count("accountant_a") == 2
    assert "150.00" in history and "100.00" in history
    changes = client.get(reverse("audit:changes", kwargs=world.kwargs)).content.decode()
    assert "A1 1月 150.00" in changes
    assert f'href="{plan_url(world)}"' in changes
    assert "A1 1月" not in as_persona("accountant_b").get(reverse("audit:changes", kwargs=world.kwargs)).content.decode()


def test_the_item_page_links_to_its_plan(world, as_persona):
    html = as_persona("leader").get(reverse("projects:detail", kwargs={**world.kwargs, "item_code": "A1"})).content.decode()
    assert f'href="{plan_url(world)}"' in html


# --- queries ---


def test_the_plan_page_runs_nine_queries_whatever_the_plan_and_its_history_hold(world, as_persona, django_assert_num_queries):
    item = BudgetItemFactory(department_year=world.department_year, unit=world.unit_a, code="A9", name="甲计划")
    BudgetLineFactory(item=item, amount=Decimal("12000.00"))
    client = as_persona("finance")
    client.get(plan_url(world, item))  # warm the session and content-type caches
    for months in (3, 12):
        for round_ in range(months):  # a history that grows with the plan
            services.plan_set(item=item, amounts={m: Decimal(100 + round_) for m in range(1, months + 1)}, user=world.finance)
        # session, user, department-year, membership, the item, the saved plan, the full-year
        # budget, whether the year is closed, the plan's history (with who changed it)
        with django_assert_num_queries(9):
            assert client.get(plan_url(world, item)).status_code == 200


# --- the running total in the browser (static/js/app.js) ---


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@needs_chromium
def test_the_running_total_follows_the_typed_months_in_the_browser(live_server):
    world = personas.build()
    with launched_chromium() as browser:
        page = browser.new_context(locale="zh-CN").new_page()
        page.set_default_timeout(15000)
        page.goto(f"{live_server.url}/accounts/login/")
        page.fill("#id_username", "finance")
        page.fill("#id_password", personas.PASSWORD)
        page.click("button[type=submit].primary")
        page.wait_for_load_state()
        page.goto(live_server.url + plan_url(world))
        page.fill("#id_month_1", "1,000.50")
        page.fill("#id_month_2", "98999.49")
        assert page.text_content("[data-plan-total]") == "99,999.99"
        assert page.text_content("[data-plan-left]") == "0.01"
        assert page.is_hidden("[data-plan-over]")
        page.fill("#id_month_3", "0.02")
        assert page.text_content("[data-plan-total]") == "100,000.01"
        assert page.text_content("[data-plan-left]") == "-0.01"
        assert page.is_visible("[data-plan-over]")
        page.click("#plan-form button[type=submit]")
        page.wait_for_load_state()
        assert "项目A1的用款计划合计 100,000.01 元，超过全年预算 100,000.00 元" in page.text_content("#plan-errors")
    assert not SpendingPlan.objects.exists()
