"""The entry pages run a fixed number of queries whatever the ledger's size (STYLE.md, Queries)."""

from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from projects.models import EconomicClass, Expenditure

pytestmark = pytest.mark.django_db


def grow(world, count):
    office = EconomicClass.objects.get(code="30201")
    Expenditure.objects.bulk_create(
        Expenditure(item=world.item_b, date=date(2024, 1 + n % 12, 5), amount=Decimal("1.00"), economic_class=office, memo=f"批量{n}")
        for n in range(count)
    )


@pytest.mark.parametrize(
    "route",
    ["expenditures:list", "expenditures:approvals", "closing:months", "budget_lines:list", "audit:changes"],
)
def test_a_page_runs_the_same_queries_at_two_ledger_sizes(world, as_persona, route):
    client = as_persona("finance")
    url = reverse(route, kwargs=world.kwargs)
    client.get(url)  # warm the session and content-type caches
    counts = []
    for extra in (0, 120):
        grow(world, extra)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1], counts


def test_the_expenditure_list_runs_nine_queries(world, as_persona, django_assert_num_queries):
    client = as_persona("accountant_a")
    url = reverse("expenditures:list", kwargs=world.kwargs)
    client.get(url)
    grow(world, 60)
    # session, user, department-year, membership, closed months, row count (pagination),
    # filtered total, the item filter's choices, the page of expenditures
    with django_assert_num_queries(9):
        client.get(url)
