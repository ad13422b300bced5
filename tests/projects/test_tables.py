"""The ledger's lists at 1366 px (issue 13): short dates, and codes, dates, statuses and actions
that never break mid-word (the `nowrap` class); amounts shown and exported in yuan."""

import re
from datetime import date
from decimal import Decimal

from django.urls import reverse

from projects.tables import BudgetLineTable, ExpenditureListTable
from tests.builders import ExpenditureFactory, economic_class


def cells_of(html: str, table_id: str) -> list[str]:
    table = html[html.index(f'id="{table_id}"'):]
    body = table[table.index("<tbody"):table.index("</tbody>")]
    first_row = body[body.index("<tr"):body.index("</tr>")]
    return re.findall(r"<td([^>]*)>(.*?)</td>", first_row, re.S)


def test_the_expenditure_list_shows_short_dates_and_keeps_codes_statuses_and_actions_whole(world, as_persona):
    ExpenditureFactory(item=world.item_a, amount=Decimal("1234.50"), date=date(2024, 12, 25),
                       economic_class=economic_class("30201"), voucher="记-2024-12-0001")
    html = as_persona("accountant_a").get(reverse("expenditures:list", kwargs=world.kwargs)).content.decode()
    cells = cells_of(html, "expenditures")
    by_text = {re.sub(r"<[^>]+>", " ", text).strip(): attrs for attrs, text in cells}
    assert "2024-12-25" in by_text and "2024年12月25日" not in html
    assert 'class="nowrap"' in by_text["2024-12-25"]
    assert 'class="nowrap"' in by_text[world.item_a.code]
    assert 'class="nowrap"' in by_text["记-2024-12-0001"]
    assert 'class="num"' in by_text["1,234.50"]  # yuan, as the header says
    status = next(attrs for attrs, text in cells if "已生效" in text)
    actions = next(attrs for attrs, text in cells if "历史" in text)
    assert 'class="nowrap"' in status and 'class="nowrap"' in actions
    assert "金额（元）" in html


def test_the_list_tables_header_cells_do_not_wrap_either():
    for name in ("date", "item", "voucher", "status", "actions"):
        attrs = ExpenditureListTable.base_columns[name].attrs
        assert attrs["td"]["class"] == "nowrap" and attrs["th"]["class"] == "nowrap", name
    for name in ("date", "kind", "source", "document"):
        assert BudgetLineTable.base_columns[name].attrs["td"]["class"] == "nowrap", name
