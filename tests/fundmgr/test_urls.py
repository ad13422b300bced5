"""Whatever a user types into the query string, a page answers with a clean page, a 404 or a 400,
never a 500.

The pages are every named route of the access matrix (tests/units/test_access.py), whose
completeness test fails when a route has no row: a page added later is swept here as well.
"""

import sys

import pytest
from django.contrib.auth.models import Group
from django.core.signals import got_request_exception
from django.test import Client
from django.urls import reverse

from projects.filters import ExpenditureFilter, ItemExpenditureFilter, ItemFilter
from tests.units.test_access import MATRIX
from units.access import FINANCE_BUREAU_GROUP
from units.filters import UnitFilter

pytestmark = pytest.mark.django_db

# Every query parameter a page reads, plus every filter field of the filter forms on the pages.
FILTER_FIELDS = {
    name
    for filterset in (UnitFilter, ItemFilter, ItemExpenditureFilter, ExpenditureFilter)
    for name in filterset.base_filters
}
PARAMETERS = sorted(
    FILTER_FIELDS
    | {"date_after", "date_before", "date_0", "date_1"}  # DateFromToRangeFilter's two inputs
    | {"page", "lag-page", "sort", "u-sort", "i-sort", "lag-sort", "per_page", "asof", "as_of", "month"}
    | {"_export", "table", "item", "date", "next", "what"}
)

HOSTILE_VALUES = [
    "abc",
    "0",
    "-1",
    "99999",
    "1e309",
    "13",
    "²",  # str.isdigit() says yes, int() says no
    "١٢",  # Arabic-Indic digits
    "2024-13-45",
    "2024-²",
    "9999999999999999999999999999",
    "NaN",
    "x" * 5000,
    "a\x00b",  # PostgreSQL refuses NUL in a query
    "' OR 1=1 --",
    "<script>",
    "//evil.example.com",
]

# Also tried one parameter at a time, whatever all at once gave (the sweep's cost is routes x parameters x values).
EACH_ALONE = ["abc"]


@pytest.fixture
def finance_client(world):
    """The finance persona, also in the finance bureau group so the province view answers too."""
    world.finance.groups.add(Group.objects.get_or_create(name=FINANCE_BUREAU_GROUP)[0])
    client = Client(raise_request_exception=False)
    client.force_login(world.finance)
    return client


def page_urls(world):
    for route, (kwargs_of, query, _expected) in sorted(MATRIX.items()):
        if route in ("logout", "set_language"):  # POST-only actions, swept by their own tests
            continue
        yield route, reverse(route, kwargs=kwargs_of(world)), query.format(item_a=world.item_a.pk).lstrip("?")


class ServerErrors:
    """GETs each request and keeps the ones answered with a 5xx, with the exception that caused it."""

    def __init__(self, client):
        self.client = client
        self.failures = {}  # (route, exception) -> the first query that raised it
        self.exception = None

    def __enter__(self):
        got_request_exception.connect(self.remember)
        return self

    def __exit__(self, *exc_info):
        got_request_exception.disconnect(self.remember)

    def remember(self, sender, request, **kwargs):
        self.exception = sys.exc_info()[1]

    def get(self, route, url, params) -> int:
        self.exception = None
        status = self.client.get(url, params).status_code
        if status >= 500:
            shown = {name: value[:20] for name, value in params.items()}
            self.failures.setdefault((route, repr(self.exception)[:120]), shown if len(shown) < 4 else f"all={shown['page']}")
        return status


def test_no_page_answers_a_hostile_value_of_any_parameter_with_a_server_error(world, finance_client):
    """Every hostile value in all parameters at once; where that answers otherwise than the plain
    page (a 404 for one parameter could hide another's 500), each parameter alone."""
    with ServerErrors(finance_client) as sweep:
        for route, url, base_query in page_urls(world):
            base = dict(pair.split("=", 1) for pair in base_query.split("&") if pair)
            plain = sweep.get(route, url, base)
            for value in HOSTILE_VALUES:
                if sweep.get(route, url, {**base, **{name: value for name in PARAMETERS}}) != plain or value in EACH_ALONE:
                    for name in PARAMETERS:
                        sweep.get(route, url, {**base, name: value})
    assert sweep.failures == {}


@pytest.mark.parametrize("table", ["units", "lagging", "indicators", "items", "lines", "expenditures", "departments", "xyz", ""])
def test_an_export_of_any_table_name_never_fails_with_a_server_error(world, finance_client, table):
    with ServerErrors(finance_client) as sweep:
        for route, url, _query in page_urls(world):
            sweep.get(route, url, {"_export": "xlsx", "table": table, "page": "abc", "sort": "nonexistent"})
    assert sweep.failures == {}


def test_a_page_number_that_is_no_page_shows_the_nearest_page(world, finance_client):
    for page in ("abc", "0", "-3", "99999", "²"):
        listing = finance_client.get(reverse("expenditures:list", kwargs=world.kwargs), {"page": page, "per_page": "0"})
        assert listing.status_code == 200, page
        shown = [memo for memo in ("甲大额培训", "甲办公用品", "乙办公用品") if memo in listing.content.decode()]
        assert len(shown) == 1, page  # per_page=0 is read as 1; the first or the last page is shown
        lagging = finance_client.get(reverse("department", kwargs=world.kwargs), {"lag-page": page})
        assert lagging.status_code == 200, page


def test_an_item_s_expenditures_filter_by_economic_class_code(world, finance_client):
    url = reverse("projects:detail", kwargs={**world.kwargs, "item_code": world.item_a.code})
    assert "甲办公用品" in finance_client.get(url, {"economic_class": "302"}).content.decode()
    assert "甲办公用品" not in finance_client.get(url, {"economic_class": "301"}).content.decode()


@pytest.mark.parametrize("target", ["//evil.example.com/", "https://evil.example.com/", "/\\evil.example.com", "javascript:alert(1)"])
def test_the_language_switch_and_the_login_never_redirect_off_the_site(world, client, target):
    switched = client.post(reverse("set_language"), {"language": "en", "next": target})
    assert "evil" not in switched["Location"] and "javascript" not in switched["Location"]
    logged_in = client.post(
        f"{reverse('login')}?next={target}", {"username": "leader", "password": "persona-password-1", "next": target}
    )
    assert logged_in.status_code == 302
    assert "evil" not in logged_in["Location"] and "javascript" not in logged_in["Location"]
