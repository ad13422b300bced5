"""Every URL of the app × every persona → the expected status.

The URL list is walked from the resolver, so a URL added without a row here fails
test_every_url_has_a_row_in_the_matrix. Admin URLs are covered by the admin tests below.

Department pages derive their statuses from the one rule of fundmgr.access, by what the address
names (the department, or a record of unit A) and what the page needs of the role:
- 302 to the login page for anonymous visitors;
- 404 when the user has no membership for what the address names: the outsider everywhere, and the
  accountant of unit B on anything of unit A (same department, another unit);
- 403 when they belong there but their role lacks the right (a leader entering spending, an
  accountant approving or reading department-wide figures);
- otherwise the page's own answer (200, or 405 for a GET of a POST-only action).
"""

import pytest
from django.contrib import admin
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from fundmgr.access import DEPARTMENT_WIDE, FINANCE, READ, SPEND
from tests.personas import PERSONAS, World

pytestmark = pytest.mark.django_db

F, A, B, L, O, N = PERSONAS  # finance, accountant_a, accountant_b, leader, outsider, anonymous

DEPARTMENT, UNIT_A = "department", "unit A"  # what the address names
ROLE_HAS = {  # need -> the personas whose role has it in the department
    READ: {F, A, B, L},
    SPEND: {F, A, B},
    FINANCE: {F},
    DEPARTMENT_WIDE: {F, L},
}


def statuses(finance, accountant_a, accountant_b, leader, outsider, anonymous=302):
    return {F: finance, A: accountant_a, B: accountant_b, L: leader, O: outsider, N: anonymous}


def by_rule(owner: str, need: str, ok: int = 200) -> dict:
    """Each persona's status on a department page, from fundmgr.access's rule."""

    def status(persona):
        if persona == N:
            return 302
        if persona == O or (owner == UNIT_A and persona == B):
            return 404
        return ok if persona in ROLE_HAS[need] else 403

    return {persona: status(persona) for persona in PERSONAS}


SIGNED_IN = statuses(200, 200, 200, 200, 200)


def dept(world: World, **extra):
    return {**world.kwargs, **extra}


# route name -> (kwargs from the world, query string, expected statuses)
MATRIX = {
    "home": (lambda w: {}, "", statuses(302, 302, 302, 302, 200)),
    "login": (lambda w: {}, "", statuses(200, 200, 200, 200, 200, 200)),
    "logout": (lambda w: {}, "", statuses(405, 405, 405, 405, 405, 405)),
    "set_language": (lambda w: {}, "", statuses(302, 302, 302, 302, 302, 302)),
    # an accountant's department dashboard is their unit's: they are redirected there
    "department": (dept, "", statuses(200, 302, 302, 200, 404)),
    "units:expenditures_export": (lambda w: dept(w, unit_code=w.unit_a.code), "", by_rule(UNIT_A, READ)),
    # the province view is for superusers and the 财政厅 group (tests/fundmgr/test_dashboard_pages.py)
    "province": (lambda w: {"year": w.department_year.year}, "", statuses(404, 404, 404, 404, 404)),
    "units:detail": (lambda w: dept(w, unit_code=w.unit_a.code), "", by_rule(UNIT_A, READ)),
    "projects:detail": (lambda w: dept(w, item_code=w.item_a.code), "", by_rule(UNIT_A, READ)),
    "expenditures:list": (dept, "", by_rule(DEPARTMENT, READ)),
    "expenditures:new": (dept, "", by_rule(DEPARTMENT, SPEND)),
    "expenditures:edit": (lambda w: dept(w, pk=w.spent_a.pk), "", by_rule(UNIT_A, SPEND)),
    "expenditures:delete": (lambda w: dept(w, pk=w.spent_a.pk), "", by_rule(UNIT_A, SPEND)),
    "expenditures:history": (lambda w: dept(w, pk=w.spent_a.pk), "", by_rule(UNIT_A, READ)),
    "expenditures:available": (dept, "?item={item_a}&date=2024-07-01", by_rule(UNIT_A, READ)),
    "expenditures:approvals": (dept, "", by_rule(DEPARTMENT, FINANCE)),
    "expenditures:approve": (lambda w: dept(w, pk=w.pending_a.pk), "", by_rule(UNIT_A, FINANCE, ok=405)),
    "expenditures:reject": (lambda w: dept(w, pk=w.pending_a.pk), "", by_rule(UNIT_A, FINANCE, ok=405)),
    "budget_lines:list": (dept, "", by_rule(DEPARTMENT, READ)),
    "budget_lines:new": (dept, "", by_rule(DEPARTMENT, FINANCE)),
    "budget_lines:history": (lambda w: dept(w, pk=w.line_a.pk), "", by_rule(UNIT_A, READ)),
    "closing:months": (dept, "", by_rule(DEPARTMENT, READ)),
    "closing:close": (lambda w: dept(w, month=3), "", by_rule(DEPARTMENT, FINANCE, ok=405)),
    "closing:reopen": (lambda w: dept(w, month=3), "", by_rule(DEPARTMENT, FINANCE, ok=405)),
    "audit:changes": (dept, "", by_rule(DEPARTMENT, READ)),
    "audit:indicator_history": (lambda w: dept(w, pk=w.indicator_a.pk), "", by_rule(UNIT_A, READ)),
    "indicators:evaluation": (dept, "", by_rule(DEPARTMENT, DEPARTMENT_WIDE)),
    "indicators:monitoring": (dept, "", by_rule(DEPARTMENT, DEPARTMENT_WIDE)),
    "indicators:item_evaluation": (lambda w: dept(w, item_code=w.item_a.code), "", by_rule(UNIT_A, READ)),
    "indicators:results": (lambda w: dept(w, indicator_code=w.indicator_a.code), "", by_rule(UNIT_A, FINANCE)),
    # not a department's address: the finance office of some department uploads (fundmgr.upload)
    "upload:workbook": (lambda w: {}, "", statuses(200, 403, 403, 403, 403)),
    "accounts:password": (lambda w: {}, "", SIGNED_IN),
    "accounts:password_done": (lambda w: {}, "", SIGNED_IN),
    # accountants see the exports page but download only their own unit's expenditure detail
    "exports:index": (dept, "", by_rule(DEPARTMENT, READ)),
    "exports:download": (lambda w: dept(w, what="self-evaluation"), "", by_rule(DEPARTMENT, DEPARTMENT_WIDE)),
    "exports:narrative": (dept, "", by_rule(DEPARTMENT, FINANCE)),
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
