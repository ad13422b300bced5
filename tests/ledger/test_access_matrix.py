"""Every URL of the app × every persona → the expected status (issue 4, "an access matrix").

The URL list is walked from the resolver, so a URL added without a row here fails
test_every_url_has_a_row_in_the_matrix. Admin URLs are covered by the admin tests below.
"""

import pytest
from django.contrib import admin
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.personas import PERSONAS, World

pytestmark = pytest.mark.django_db

F, A, B, L, O, N = PERSONAS  # finance, accountant_a, accountant_b, leader, outsider, anonymous


def statuses(finance, accountant_a, accountant_b, leader, outsider, anonymous=302):
    return {F: finance, A: accountant_a, B: accountant_b, L: leader, O: outsider, N: anonymous}


READ_ALL = statuses(200, 200, 200, 200, 404)
READ_UNIT_A = statuses(200, 200, 404, 200, 404)  # a record of unit A
SPEND = statuses(200, 200, 200, 403, 404)
SPEND_UNIT_A = statuses(200, 200, 404, 403, 404)
FINANCE_PAGE = statuses(200, 403, 403, 403, 404)
FINANCE_POST_ONLY = statuses(405, 403, 403, 403, 404)  # GET of a POST-only action
SIGNED_IN = statuses(200, 200, 200, 200, 200)


def dept(world: World, **extra):
    return {**world.kwargs, **extra}


# route name -> (kwargs from the world, query string, expected statuses)
MATRIX = {
    "home": (lambda w: {}, "", statuses(302, 302, 302, 302, 200)),
    "login": (lambda w: {}, "", statuses(200, 200, 200, 200, 200, 200)),
    "logout": (lambda w: {}, "", statuses(405, 405, 405, 405, 405, 405)),
    "set_language": (lambda w: {}, "", statuses(302, 302, 302, 302, 302, 302)),
    # issue 5: an accountant's department dashboard is their unit's: they are redirected there
    "department": (dept, "", statuses(200, 302, 302, 200, 404)),
    "units:expenditures_export": (lambda w: dept(w, unit_code=w.unit_a.code), "", READ_UNIT_A),
    # the province view is for superusers and the 财政厅 group (tests/fundmgr/test_dashboard_pages.py)
    "province": (lambda w: {"year": w.department_year.year}, "", statuses(404, 404, 404, 404, 404)),
    "units:detail": (lambda w: dept(w, unit_code=w.unit_a.code), "", READ_UNIT_A),
    "projects:detail": (lambda w: dept(w, item_code=w.item_a.code), "", READ_UNIT_A),
    "expenditures:list": (dept, "", READ_ALL),
    "expenditures:new": (dept, "", SPEND),
    "expenditures:edit": (lambda w: dept(w, pk=w.spent_a.pk), "", SPEND_UNIT_A),
    "expenditures:delete": (lambda w: dept(w, pk=w.spent_a.pk), "", SPEND_UNIT_A),
    "expenditures:history": (lambda w: dept(w, pk=w.spent_a.pk), "", READ_UNIT_A),
    "expenditures:available": (dept, "?item={item_a}&date=2024-07-01", READ_UNIT_A),
    "expenditures:approvals": (dept, "", FINANCE_PAGE),
    "expenditures:approve": (lambda w: dept(w, pk=w.pending_a.pk), "", FINANCE_POST_ONLY),
    "expenditures:reject": (lambda w: dept(w, pk=w.pending_a.pk), "", FINANCE_POST_ONLY),
    "budget_lines:list": (dept, "", READ_ALL),
    "budget_lines:new": (dept, "", FINANCE_PAGE),
    "budget_lines:history": (lambda w: dept(w, pk=w.line_a.pk), "", READ_UNIT_A),
    "closing:months": (dept, "", READ_ALL),
    "closing:close": (lambda w: dept(w, month=3), "", FINANCE_POST_ONLY),
    "closing:reopen": (lambda w: dept(w, month=3), "", FINANCE_POST_ONLY),
    "audit:changes": (dept, "", READ_ALL),
    "audit:indicator_history": (lambda w: dept(w, pk=w.indicator_a.pk), "", READ_UNIT_A),
    # issue 3's pages: department-wide ones are 404 for accountants, the results form is the finance office's
    "indicators:evaluation": (dept, "", statuses(200, 404, 404, 200, 404)),
    "indicators:monitoring": (dept, "", statuses(200, 404, 404, 200, 404)),
    "indicators:item_evaluation": (lambda w: dept(w, item_code=w.item_a.code), "", READ_UNIT_A),
    "indicators:results": (lambda w: dept(w, indicator_code=w.indicator_a.code), "", statuses(200, 404, 404, 404, 404)),
    "upload:workbook": (lambda w: {}, "", statuses(200, 403, 403, 403, 403)),
    "accounts:password": (lambda w: {}, "", SIGNED_IN),
    "accounts:password_done": (lambda w: {}, "", SIGNED_IN),
    # issue 6: accountants see the exports page but download only their own unit's expenditure detail
    "exports:index": (dept, "", READ_ALL),
    "exports:download": (lambda w: dept(w, what="self-evaluation"), "", statuses(200, 404, 404, 200, 404)),
    "exports:narrative": (dept, "", statuses(200, 404, 404, 404, 404)),
}


def route_names(resolver=None, namespace=""):
    """Every named route of the URLconf as 'namespace:name'; admin routes are left to the admin tests."""
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            inner = namespace
            if entry.namespace:
                inner = f"{namespace}{entry.namespace}:"
            if inner.startswith("admin:"):
                continue
            yield from route_names(entry, inner)
        elif isinstance(entry, URLPattern):
            yield f"{namespace}{entry.name}" if entry.name else f"{namespace}<unnamed {entry.pattern}>"


def test_every_url_has_a_row_in_the_matrix():
    missing = sorted(set(route_names()) - set(MATRIX))
    assert missing == [], f"URLs without an access-matrix row: {missing}"
    stale = sorted(set(MATRIX) - set(route_names()))
    assert stale == [], f"matrix rows for URLs that no longer exist: {stale}"


@pytest.mark.parametrize("route", sorted(MATRIX))
def test_each_persona_gets_the_expected_status(route, world, as_persona):
    kwargs_of, query, expected = MATRIX[route]
    url = reverse(route, kwargs=kwargs_of(world)) + query.format(item_a=world.item_a.pk)
    got = {}
    for persona in PERSONAS:
        got[persona] = as_persona(persona).get(url).status_code
    assert got == expected


def test_anonymous_users_are_sent_to_the_login_page(world, client):
    response = client.get(reverse("expenditures:list", kwargs=world.kwargs))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def admin_urls():
    urls = [reverse("admin:index")]
    for model in admin.site._registry:
        urls.append(reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist"))
    return urls


def test_the_admin_admits_only_the_finance_office(world, as_persona):
    """Non-staff personas are sent to the admin login; the finance office (staff + 财务处 group)
    reaches the index and the changelists of the ledger apps it holds permissions on."""
    for url in admin_urls():
        for persona in (A, B, L, O, N):
            response = as_persona(persona).get(url)
            assert response.status_code == 302, (persona, url)
            assert "/admin/login/" in response["Location"]
    finance = as_persona(F)
    assert finance.get(reverse("admin:index")).status_code == 200
    for model in admin.site._registry:
        url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        expected = 200 if model._meta.app_label in ("projects", "units", "indicators") else 403
        assert finance.get(url).status_code == expected, url


def matrix_size():
    return len(MATRIX), len(PERSONAS)
