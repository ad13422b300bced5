"""The month-closing pages. The overview shows each member the figures of their own scope: a unit
accountant sees their unit's spending and pending entries, never the whole department's. Closing
asks the finance office to confirm on a GET page showing the month's figures; it closes on POST only."""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from projects import services
from projects.models import EconomicClass, MonthClose

pytestmark = pytest.mark.django_db


def month_row(html: str, month: int) -> tuple[str, str]:
    """(spent, pending) as the overview shows them for `month`."""
    row = html.split(f'<tr id="month-{month}">', 1)[1].split("</tr>", 1)[0]
    cells = [cell.split(">", 1)[1].split("</td", 1)[0] for cell in row.split('<td class="num"')[1:3]]
    return cells[0].strip(), cells[1].strip()


def overview(as_persona, world, persona) -> str:
    response = as_persona(persona).get(reverse("closing:months", kwargs=world.kwargs))
    assert response.status_code == 200
    return response.content.decode()


def test_the_finance_office_sees_the_whole_departments_june(world, as_persona):
    # June: A1 spent 1000.00 and B1 2000.00 (approved), A1 has one pending 60000.00 entry
    assert month_row(overview(as_persona, world, "finance"), 6) == ("3,000.00", "1")


def test_an_accountant_sees_only_their_units_spending_and_pending_entries(world, as_persona):
    assert month_row(overview(as_persona, world, "accountant_a"), 6) == ("1,000.00", "1")
    assert month_row(overview(as_persona, world, "accountant_b"), 6) == ("2,000.00", "0")


def test_an_accountant_is_told_the_figures_are_their_units(world, as_persona):
    assert "仅含本单位（甲单位）" in overview(as_persona, world, "accountant_a")
    assert "仅含本单位" not in overview(as_persona, world, "leader")


def test_an_accountant_sees_no_closing_actions(world, as_persona):
    html = overview(as_persona, world, "accountant_a")
    assert reverse("closing:close", kwargs={**world.kwargs, "month": 6}) not in html
    response = as_persona("accountant_a").post(reverse("closing:close", kwargs={**world.kwargs, "month": 6}))
    assert response.status_code == 403
    assert Decimal("0") == Decimal(world.department_year.closed_months.count())



# Closing asks for confirmation: a GET page with the month's figures, the close only on POST


def close_url(world, month, name="closing:close"):
    return reverse(name, kwargs={**world.kwargs, "month": month})


def confirm_row(html: str, month: int) -> tuple[str, str]:
    """(spent, pending) as the confirmation page shows them for `month`."""
    row = html.split(f'id="close-month-{month}"', 1)[1].split("</tr>", 1)[0]
    cells = [cell.split(">", 1)[1].split("</td", 1)[0] for cell in row.split('<td class="num"')[1:3]]
    return cells[0].strip(), cells[1].strip()


def reject_pending(world):
    services.expenditure_reject(expenditure=world.pending_a, decided_by=world.finance, reason="未经党组会研究")


def test_the_months_page_says_its_amounts_are_in_yuan_and_links_to_the_confirmation(world, as_persona):
    html = overview(as_persona, world, "finance")
    assert "金额单位：元" in html
    assert f'href="{close_url(world, 7)}"' in html
    assert f'action="{close_url(world, 7)}"' not in html  # no one-click close
    assert f'href="{close_url(world, 7, "closing:close_through")}"' in html
    assert f'href="{close_url(world, 1, "closing:close_through")}"' not in html  # January is the first open month


def test_the_confirmation_shows_the_departments_total_and_get_closes_nothing(world, as_persona):
    reject_pending(world)
    services.expenditure_create(
        item=world.item_b, date=date(2024, 6, 30), amount=Decimal("0.05"), economic_class=EconomicClass.objects.get(code="30201")
    )
    client = as_persona("finance")
    response = client.get(close_url(world, 6))
    assert response.status_code == 200
    html = response.content.decode()
    assert confirm_row(html, 6) == ("3,000.05", "0")  # A1 1,000.00 + B1 2,000.05: the whole department, to the cent
    assert "确认结账" in html and "金额单位：元" in html
    assert not MonthClose.objects.exists()
    done = client.post(close_url(world, 6), follow=True)
    assert "6月已结账" in done.content.decode()
    assert list(MonthClose.objects.values_list("month", flat=True)) == [6]


def test_the_confirmation_warns_with_the_pending_count_and_offers_no_close(world, as_persona):
    html = as_persona("finance").get(close_url(world, 6)).content.decode()
    assert confirm_row(html, 6) == ("3,000.00", "1")
    assert "尚有 1 笔待审批支出，不能结账" in html
    assert "确认结账" not in html
    assert reverse("expenditures:approvals", kwargs=world.kwargs) in html
    refused = as_persona("finance").post(close_url(world, 6), follow=True)  # a forged post is refused by the service
    assert "尚有 1 笔待审批支出" in refused.content.decode()
    assert not MonthClose.objects.exists()


def test_the_confirmation_of_a_closed_month_says_so(world, as_persona):
    MonthClose.objects.create(department_year=world.department_year, month=7, closed_by=world.finance)
    html = as_persona("finance").get(close_url(world, 7)).content.decode()
    assert "7月已结账" in html and "确认结账" not in html


@pytest.mark.parametrize("name", ["closing:close", "closing:close_through"])
@pytest.mark.parametrize("month", [0, 13])
def test_a_month_outside_the_year_is_not_found(world, as_persona, name, month):
    assert as_persona("finance").get(close_url(world, month, name)).status_code == 404
    assert as_persona("finance").post(close_url(world, month, name)).status_code == 404


def test_closing_through_a_month_confirms_each_open_month_and_closes_them_in_one_step(world, as_persona):
    reject_pending(world)
    MonthClose.objects.create(department_year=world.department_year, month=2, closed_by=world.finance)
    client = as_persona("finance")
    html = client.get(close_url(world, 6, "closing:close_through")).content.decode()
    assert "将结账：1月、3月、4月、5月、6月" in html
    assert 'id="close-month-2"' not in html
    assert confirm_row(html, 6) == ("3,000.00", "0")
    assert '<th class="num" id="close-total">3,000.00</th>' in html
    assert MonthClose.objects.count() == 1
    done = client.post(close_url(world, 6, "closing:close_through"), follow=True).content.decode()
    assert "已结账：1月、3月、4月、5月、6月" in done
    assert sorted(MonthClose.objects.values_list("month", flat=True)) == [1, 2, 3, 4, 5, 6]


def test_closing_through_with_pending_spending_closes_nothing_and_says_why(world, as_persona):
    client = as_persona("finance")
    html = client.get(close_url(world, 8, "closing:close_through")).content.decode()
    assert confirm_row(html, 6) == ("3,000.00", "1")
    assert "尚有 1 笔待审批支出，不能结账" in html and "确认结账" not in html
    refused = client.post(close_url(world, 8, "closing:close_through"), follow=True).content.decode()
    assert "尚有待审批支出（6月 1 笔），请先审批或驳回后再结账；本次未关闭任何月份" in refused
    assert not MonthClose.objects.exists()


@pytest.mark.parametrize("persona, status", [("accountant_a", 403), ("leader", 403), ("outsider", 404)])
def test_only_the_finance_office_may_close_through(world, as_persona, persona, status):
    reject_pending(world)
    client = as_persona(persona)
    assert client.get(close_url(world, 6, "closing:close_through")).status_code == status
    assert client.post(close_url(world, 6, "closing:close_through")).status_code == status
    assert not MonthClose.objects.exists()
