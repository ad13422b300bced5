"""The month-closing overview shows each member the figures of their own scope: a unit accountant
sees their unit's spending and pending entries, never the whole department's."""

from decimal import Decimal

import pytest
from django.urls import reverse

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
