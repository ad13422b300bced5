"""No dead links (issue 13, item 4): every internal link on every page a persona can reach answers
that persona with a page, never 403, 404, 405 or 500 (nor an exception), nor a login page.

Each persona starts from `/` and the pages it may not be linked to directly (the department's
dashboard as of June, the admin, the province view; starts_of) and follows every `<a href>` to the
same site, breadth first, with Django's test client, following redirects. Only HTML is parsed; a
download is streamed to its end and checked for its status. To bound the run (the admin has one
filter link per value, lists one per page and sort order), an address is visited once, at most
VISITS_PER_KIND addresses per URL name and set of query keys, and at most VISITS_PER_VIEW (the
admin: VISITS_PER_ADMIN_VIEW) per URL name.

The data has every kind of link: an item without indicators (A2), department-level indicators, a
closed month, pending, approved and rejected expenditures, two units.
"""

from collections import Counter, deque
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from html.parser import HTMLParser
from urllib.parse import parse_qsl, urldefrag, urljoin, urlsplit

import pytest
from django.urls import Resolver404, resolve

from projects.models import Expenditure
from tests import personas
from tests.builders import ExpenditureFactory, IndicatorFactory, MonthCloseFactory
from tests.fundmgr.dashboard_support import plain_static_files  # noqa: F401

VISITS_PER_KIND = 3
VISITS_PER_VIEW = 12
VISITS_PER_ADMIN_VIEW = 4  # the admin's filter links combine: one view, many sets of query keys
BROKEN = {403, 404, 405, 500}
LOGIN_PATHS = ("/accounts/login/", "/admin/login/")


class LinkParser(HTMLParser):
    def __init__(self):
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            href = dict(attrs).get("href")
            if href is not None:
                self.hrefs.append(href)


def links_of(html: str, base: str) -> list[str]:
    """The same-site addresses `html` links to, made absolute against `base`, without fragments."""
    parser = LinkParser()
    parser.feed(html)
    found = []
    for href in parser.hrefs:
        href = href.strip()
        if not href or href.startswith(("#", "mailto:", "tel:", "javascript:")):
            continue
        parts = urlsplit(urljoin(base, urldefrag(href)[0]))
        if parts.scheme not in ("", "http") or parts.netloc not in ("", "testserver"):
            continue  # another site
        if parts.path.startswith("/static/"):
            continue
        found.append(parts.path + (f"?{parts.query}" if parts.query else ""))
    return found


def kind_of(url: str) -> tuple[str, frozenset]:
    """What makes two addresses the same kind of page: the URL name and the query's keys (and
    which table an export is of)."""
    parts = urlsplit(url)
    try:
        name = resolve(parts.path).view_name
    except Resolver404:
        name = parts.path  # an address that resolves to nothing is visited, to report its 404
    query = parse_qsl(parts.query, keep_blank_values=True)
    return name, frozenset(f"{key}={value}" if key == "table" else key for key, value in query)


@dataclass
class Crawl:
    visited: list[str] = field(default_factory=list)
    broken: list[str] = field(default_factory=list)


def crawl(client, starts: list[str]) -> Crawl:
    result = Crawl()
    seen = set(starts)
    per_kind: Counter = Counter()
    per_view: Counter = Counter()
    queue = deque((url, "(start)") for url in starts)
    while queue:
        url, referrer = queue.popleft()
        kind = kind_of(url)
        view_cap = VISITS_PER_ADMIN_VIEW if kind[0].startswith("admin:") else VISITS_PER_VIEW
        if per_kind[kind] >= VISITS_PER_KIND or per_view[kind[0]] >= view_cap:
            continue
        per_kind[kind] += 1
        per_view[kind[0]] += 1
        result.visited.append(url)
        try:
            response = client.get(url, follow=True)
        except Exception as error:  # the test client raises what would be a 500
            result.broken.append(f"{url} → {type(error).__name__}: {error} (linked from {referrer})")
            continue
        final = response.redirect_chain[-1][0] if response.redirect_chain else url
        if response.status_code in BROKEN:
            result.broken.append(f"{url} → {response.status_code} (linked from {referrer})")
            continue
        if urlsplit(final).path in LOGIN_PATHS and urlsplit(url).path not in LOGIN_PATHS:
            result.broken.append(f"{url} → login page {final} (linked from {referrer})")
            continue
        if response.streaming:
            content = b"".join(response.streaming_content)  # a file streamed to its end, without an error
        else:
            content = response.content
        if not response.get("Content-Type", "").startswith("text/html"):
            continue  # a download: its status and its bytes are all there is to check
        for link in links_of(content.decode(), final):
            if link not in seen:
                seen.add(link)
                queue.append((link, url))
    return result


@pytest.fixture
def crawl_world(world):
    """The personas' world (tests/personas.py) with what makes every kind of link appear: A2 has no
    indicators; add department-level indicators, a rejected expenditure and a closed March."""
    for position, level1 in enumerate(("output", "benefit", "satisfaction")):
        IndicatorFactory(
            department_year=world.department_year,
            item=None,
            code=f"D-{level1}",
            level1=level1,
            name=f"部门{level1}指标",
            target=Decimal("90"),
            unit="%",
            midyear=Decimal("45"),
            actual=Decimal("95"),
            position=position,
        )
    ExpenditureFactory(
        item=world.item_b, date=date(2024, 5, 3), amount=Decimal("70000.00"), memo="乙被退回", status=Expenditure.Status.REJECTED
    )
    MonthCloseFactory(department_year=world.department_year, month=3, closed_by=world.finance)
    return world


def starts_of(world, name: str) -> list[str]:
    """Where a persona begins: the home page, and what the home page may not link to directly
    (the department's dashboard in June, before the year-end values; the admin; the province)."""
    department = f"/d/{world.code}/{world.year}/"
    province = f"/province/{world.year}/"
    return {
        "finance": ["/", department, f"{department}?asof={world.year}-06", "/admin/"],
        "accountant_a": ["/", department],
        "accountant_b": ["/", department],
        "leader": ["/", department, f"{department}?asof={world.year}-06"],
        "outsider": ["/"],
        "bureau": ["/", province],
        "superuser": ["/", department, province, "/admin/"],
    }[name]


def persona_user(world, name: str):
    if name == "bureau":
        return personas.finance_bureau()
    if name == "superuser":
        return personas.superuser()
    return world.persona(name)


# Pages each crawl must reach (it went where the persona's links go) or must not (a link hidden
# because its page would refuse the persona).
REACHED = {
    "finance": ({"/admin/", "/d/PD/2024/items/A2/?asof=2024-12", "/d/PD/2024/evaluation/"}, {"/province/2024/"}),
    "accountant_a": ({"/d/PD/2024/units/A/?asof=2024-12", "/d/PD/2024/items/A1/evaluation/"}, {"/d/PD/2024/evaluation/"}),
    "accountant_b": ({"/d/PD/2024/items/B1/evaluation/"}, {"/d/PD/2024/units/A/?asof=2024-12"}),
    "leader": ({"/d/PD/2024/monitoring/", "/d/PD/2024/items/A1/evaluation/"}, {"/d/PD/2024/items/A2/evaluation/"}),
    "outsider": ({"/"}, set()),
    "bureau": ({"/province/2024/"}, {"/d/PD/2024/?asof=2024-12"}),
    "superuser": ({"/admin/", "/province/2024/", "/d/PD/2024/?asof=2024-12"}, set()),
}


@pytest.mark.parametrize("name", list(REACHED))
def test_no_link_a_persona_sees_leads_to_an_error_page(client, crawl_world, name):
    client.force_login(persona_user(crawl_world, name))
    result = crawl(client, starts_of(crawl_world, name))
    reached, hidden = REACHED[name]
    assert reached <= set(result.visited), sorted(result.visited)
    assert not hidden & set(result.visited)
    assert result.broken == [], "\n".join(result.broken)


# --- the links the crawl found dead, one by one ---


def test_the_province_link_shows_exactly_to_those_the_province_view_answers(client, world, other):
    province = f"/province/{world.year}/"
    client.force_login(world.finance)  # finance office of one department: no province view
    assert f'href="{province}"' not in client.get(f"/d/{world.code}/{world.year}/").content.decode()
    assert client.get(province).status_code == 404
    personas.member(world.finance, other.department_year, "finance")  # now of two departments
    assert f'href="{province}"' in client.get(f"/d/{world.code}/{world.year}/").content.decode()
    assert client.get(province).status_code == 200


def test_the_finance_bureau_lands_on_the_province_view_and_is_not_linked_to_departments_it_cannot_open(client, world):
    client.force_login(personas.finance_bureau())
    response = client.get("/")
    assert response.status_code == 302 and response["Location"] == f"/province/{world.year}/"
    html = client.get(response["Location"]).content.decode()
    assert "测试部门" in html and f'href="/d/{world.code}/' not in html
    client.force_login(personas.superuser())
    assert f'href="/d/{world.code}/{world.year}/?asof=' in client.get(f"/province/{world.year}/").content.decode()


def test_an_item_without_indicators_has_no_self_evaluation_link(client, world):
    client.force_login(world.finance)
    without = client.get(f"/d/{world.code}/{world.year}/items/{world.item_a2.code}/").content.decode()
    assert f"/items/{world.item_a2.code}/evaluation/" not in without and "本项目尚无绩效指标" in without
    with_indicators = client.get(f"/d/{world.code}/{world.year}/items/{world.item_a.code}/").content.decode()
    assert f'href="/d/{world.code}/{world.year}/items/{world.item_a.code}/evaluation/"' in with_indicators


def test_the_admin_shows_users_as_plain_text_to_the_finance_office(client, crawl_world):
    client.force_login(crawl_world.finance)
    membership = crawl_world.leader.memberships.get()
    for url in (
        f"/admin/units/membership/{membership.pk}/change/",
        f"/admin/projects/expenditure/{crawl_world.spent_a.pk}/change/",
        f"/admin/projects/monthclose/{crawl_world.department_year.closed_months.get().pk}/change/",
    ):
        response = client.get(url)
        assert response.status_code == 200
        html = response.content.decode()
        assert "/admin/auth/user/" not in html, url
        assert ">leader<" in html or ">finance<" in html, url  # who, as plain text
