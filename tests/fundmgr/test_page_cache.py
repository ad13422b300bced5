"""The page cache (fundmgr.lib.pagecache): the department, unit, item and 自评表 pages come from the
cache until a write, never show a figure older than the ledger, never hand one viewer's content to
another, and are kept apart by language. Each test runs on local memory and on the real Redis
(TEST_REDIS_URL, default redis://127.0.0.1:6379/15), which is skipped only when Redis does not
answer (CI has it)."""

import os
import re
import uuid
from datetime import date
from decimal import Decimal

import pytest
import redis
from django.conf import settings as django_settings
from django.db import connection
from django.urls import reverse

from projects.models import EconomicClass, SpendingPlan
from projects.services import expenditure_create
from tests.fundmgr.dashboard_support import grow_ledger, ledger, personas  # noqa: F401 (fixtures)
from tests.personas import build, finance_bureau, member, user
from units.models import Membership

pytestmark = pytest.mark.django_db

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def redis_answers() -> bool:
    try:
        return bool(redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping())
    except redis.RedisError:
        return False


REDIS_ANSWERS = redis_answers()
ON_REDIS = pytest.mark.skipif(not REDIS_ANSWERS, reason=f"Redis does not answer at {REDIS_URL}")


def fresh_cache(settings, backend: str) -> None:
    """An empty cache of `backend`: local memory under a new name, or the real Redis under a key
    prefix of its own (nothing else in that Redis database is read or cleared)."""
    name = f"test-{uuid.uuid4().hex}"
    if backend == "redis":
        config = {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL, "KEY_PREFIX": name}
    else:
        config = {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": name}
    settings.CACHES = {"default": {**config, "TIMEOUT": 300}}


@pytest.fixture(params=["locmem", pytest.param("redis", marks=ON_REDIS)])
def backend(request, settings):
    fresh_cache(settings, request.param)
    return request.param


def main(response) -> str:
    """The page's <main>: the part the cache holds (the header carries a fresh CSRF token each time)."""
    assert response.status_code == 200, response.status_code
    page = re.search(r"<main>.*</main>", response.content.decode(), re.DOTALL).group(0)
    # a form outside the cached content (the 佐证材料's) carries a fresh CSRF token each time
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', 'name="csrfmiddlewaretoken"', page)


PAGES = ["department", "unit", "item", "evaluation", "item_evaluation", "alerts"]


def url_of(world, page: str) -> str:
    kwargs = world.kwargs
    return {
        "department": reverse("department", kwargs=kwargs) + "?asof=2024-12",
        "unit": reverse("units:detail", kwargs={**kwargs, "unit_code": "A"}) + "?asof=2024-12",
        "item": reverse("projects:detail", kwargs={**kwargs, "item_code": "A1"}) + "?asof=2024-12",
        "evaluation": reverse("indicators:evaluation", kwargs=kwargs),
        "item_evaluation": reverse("indicators:item_evaluation", kwargs={**kwargs, "item_code": "A1"}),
        "alerts": reverse("alerts:index", kwargs=kwargs) + "?asof=2024-12",
    }[page]


def spend(world, amount: str) -> None:
    expenditure_create(
        item=world.item_a, date=date(2024, 9, 10), amount=Decimal(amount),
        economic_class=EconomicClass.objects.get(code="30201"), memo="缓存测试", entered_by=world.finance,
    )  # fmt: skip


@pytest.mark.parametrize("page", PAGES)
def test_a_write_shows_at_once_on_every_cached_page(backend, settings, world, client, page):
    client.force_login(world.finance)
    url = url_of(world, page)
    before = main(client.get(url))
    assert main(client.get(url)) == before
    spend(world, "12345.67")
    after = main(client.get(url))
    assert after != before
    # what the page shows after the write is what it shows built from nothing
    fresh_cache(settings, backend)
    assert main(client.get(url)) == after


@pytest.mark.parametrize("page", PAGES)
def test_a_write_around_the_services_shows_at_once_too(backend, settings, world, client, page):
    """A data fix in psql, the importer's bulk inserts, the admin: the triggers see every door."""
    client.force_login(world.finance)
    url = url_of(world, page)
    before = main(client.get(url))
    with connection.cursor() as cursor:
        cursor.execute("UPDATE projects_expenditure SET amount = %s WHERE id = %s", [Decimal("3456.78"), world.spent_a.pk])
    after = main(client.get(url))
    assert after != before
    fresh_cache(settings, backend)
    assert main(client.get(url)) == after


@pytest.mark.parametrize("page", ["department", "unit", "item"])
def test_the_dashboards_show_the_new_figure_after_a_write(backend, world, client, page):
    """A1 spent 1,000.00 in June and unit A nothing else approved: 12,345.67 more in September
    makes 13,345.67, 1.33 万元 on the department and unit pages; the item page lists the entry."""
    client.force_login(world.finance)
    url = url_of(world, page)
    before = main(client.get(url))
    spend(world, "12345.67")
    after = main(client.get(url))
    if page == "item":
        assert "12,345.67" not in before and "12,345.67" in after
    else:
        assert ">1.33<" not in before and ">1.33<" in after


def test_a_page_answers_from_the_cache_until_a_write(backend, world, client, django_assert_num_queries):
    client.force_login(world.finance)
    url = url_of(world, "department")
    client.get(url)
    # session, user, the department-year with its ledger version, the membership (units.access),
    # and the 省级总览 link's two checks of the user's roles: nothing of the ledger
    with django_assert_num_queries(6):
        assert client.get(url).status_code == 200
    spend(world, "10.00")
    with django_assert_num_queries(14):  # the version moved: the next answer builds again (test_dashboard_pages)
        client.get(url)
    with django_assert_num_queries(6):
        assert client.get(url).status_code == 200


def test_an_accountant_never_gets_the_finance_offices_content(backend, world, client):
    """Rendered for the finance office first; the accountant of the same unit then gets a page of
    their own, without the department-wide 自评表 link the finance office sees."""
    url = url_of(world, "unit")
    evaluation = f'href="{reverse("indicators:evaluation", kwargs=world.kwargs)}"'
    client.force_login(world.finance)
    assert evaluation in main(client.get(url))
    client.force_login(world.accountant_a)
    assert evaluation not in main(client.get(url))
    client.force_login(world.leader)
    assert evaluation in main(client.get(url))


def test_an_accountant_never_gets_the_finance_offices_self_evaluation(backend, world, client):
    """The item's 自评表, rendered for the finance office with its upload link and 填报 column,
    then for the item's unit accountant: none of either."""
    url = url_of(world, "item_evaluation")
    client.force_login(world.finance)
    finance_page = main(client.get(url))
    assert 'id="upload-self-evaluation"' in finance_page and "填报" in finance_page
    client.force_login(world.accountant_a)
    accountant_page = main(client.get(url))
    assert 'id="upload-self-evaluation"' not in accountant_page and "填报</a>" not in accountant_page
    assert "甲培训经费" in accountant_page


def test_an_accountant_never_gets_the_alerts_of_the_whole_department(backend, world, client):
    """序时进度预警 rendered for the finance office first (every unit's lagging items), then for unit A's
    accountant: A's items only, and the note that only their unit's items are listed."""
    url = url_of(world, "alerts")
    client.force_login(world.finance)
    finance_page = main(client.get(url))
    assert "乙宣传经费" in finance_page and "甲培训经费" in finance_page and "只列出本单位的项目" not in finance_page
    client.force_login(world.accountant_a)
    accountant_page = main(client.get(url))
    assert accountant_page != finance_page and "只列出本单位的项目" in accountant_page
    assert "甲培训经费" in accountant_page and "乙宣传经费" not in accountant_page
    client.force_login(world.finance)
    assert main(client.get(url)) == finance_page


def test_an_accountant_never_gets_another_units_content(backend, world, client):
    item_b = reverse("projects:detail", kwargs={**world.kwargs, "item_code": "B1"}) + "?asof=2024-12"
    client.force_login(world.finance)
    assert "乙办公用品" in main(client.get(item_b))
    client.force_login(world.accountant_a)
    assert client.get(item_b).status_code == 404
    client.force_login(world.accountant_b)
    assert "乙办公用品" in main(client.get(item_b))
    unit_a = url_of(world, "unit")
    client.force_login(world.accountant_a)
    page_a = main(client.get(unit_a))
    client.force_login(world.accountant_b)
    assert client.get(unit_a).status_code == 404
    assert "乙宣传经费" not in page_a


@pytest.mark.parametrize("page", PAGES)
def test_language_is_part_of_the_key(backend, world, client, page):
    client.force_login(world.finance)
    url = url_of(world, page)
    chinese = main(client.get(url))
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "en"
    english = main(client.get(url))
    assert english != chinese
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    assert main(client.get(url)) == chinese


def test_the_as_of_month_and_the_query_are_part_of_the_key(backend, world, client):
    client.force_login(world.finance)
    unit = reverse("units:detail", kwargs={**world.kwargs, "unit_code": "A"})
    may, december = main(client.get(unit + "?asof=2024-05")), main(client.get(unit + "?asof=2024-12"))
    assert may != december
    assert main(client.get(unit + "?asof=2024-05")) == may
    sorted_page = main(client.get(unit + "?asof=2024-12&i-sort=-name"))
    assert sorted_page != december


CACHED_QUERIES = [
    ("department", 6),
    ("units:detail", 6),
    ("projects:detail", 6),
    ("indicators:evaluation", 6),
    ("alerts:index", 4),
]


@pytest.mark.parametrize(("page", "queries"), CACHED_QUERIES)
def test_a_cached_page_runs_the_same_queries_at_two_sizes(
    client,
    ledger,  # noqa: F811 (the fixture of dashboard_support)
    personas,  # noqa: F811
    django_assert_num_queries,
    page,
    queries,
):
    """From the cache: session, user, the department-year with its ledger version, the membership
    (units.access), and the page's own look-ups (the 省级总览 link's two role checks; the unit or the
    item, and its own ledger version; for the 自评表 its 佐证材料 and the indicators of their upload form, which are never cached:
    the form carries the viewer's CSRF token; the 序时进度预警 has none).
    Pinned at two data sizes, like the uncached counts in test_dashboard_pages."""
    kwargs = {"department_code": ledger.department.code, "year": ledger.year}
    kwargs |= {"units:detail": {"unit_code": "A"}, "projects:detail": {"item_code": "A1"}}.get(page, {})
    url = reverse(page, kwargs=kwargs) + "?asof=2024-06"
    client.force_login(personas["finance"])
    client.get(url)
    with django_assert_num_queries(queries):
        assert client.get(url).status_code == 200
    grow_ledger(ledger)
    client.get(url)
    with django_assert_num_queries(queries):
        assert client.get(url).status_code == 200


def test_the_links_of_a_cached_page_keep_the_query_it_was_asked_with(backend, world, client):
    """The same month asked with and without ?asof: each gets sort links that keep its own query
    (django-tables2 builds them from the request), not the links of whichever was cached first."""
    client.force_login(world.finance)
    department = reverse("department", kwargs=world.kwargs)
    client.get(department)  # the default month, cached first
    december = client.get(department + "?asof=2024-12").content.decode()
    assert "?asof=2024-12&amp;u-sort=code" in december


def test_concurrent_misses_build_a_value_once(backend):
    """Right after a write every reader misses at once: one builds, the others wait for its entry."""
    import threading
    import time

    from fundmgr.lib.pagecache import cached

    builds, results = [], []
    start = threading.Barrier(4)

    def build():
        builds.append(1)
        time.sleep(0.2)
        return {"total": Decimal("1.00")}

    def read():
        start.wait()
        results.append(cached("single-flight", build))

    threads = [threading.Thread(target=read) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(builds) == 1
    assert results == [{"total": Decimal("1.00")}] * 4


def test_a_failed_build_frees_its_key_for_the_next_request(backend):
    from fundmgr.lib.pagecache import cached

    def failing():
        raise RuntimeError("build failed")

    with pytest.raises(RuntimeError):
        cached("single-flight-fail", failing)
    assert cached("single-flight-fail", lambda: 7) == 7  # built at once, no wait for a claim


def test_a_waiter_builds_itself_when_the_claim_is_abandoned(backend, monkeypatch):
    """A builder that died holds its claim until it lapses; a waiter stops waiting after
    WAIT_SECONDS and builds the value itself."""
    from fundmgr.lib import pagecache

    monkeypatch.setattr(pagecache, "WAIT_SECONDS", 0.05)
    assert pagecache.claim("single-flight-dead")  # a builder that never stores nor releases
    assert pagecache.cached("single-flight-dead", lambda: "built") == "built"


def test_content_claimed_by_one_request_is_served_to_the_waiting_one(backend):
    import threading

    from fundmgr.lib.pagecache import CachedContent

    first = CachedContent.look_up("page-single-flight")
    assert first.html is None and first.claimed
    seen = []
    waiter = threading.Thread(target=lambda: seen.append(CachedContent.look_up("page-single-flight")))
    waiter.start()
    first.store("<p>1,00</p>")
    waiter.join()
    assert seen[0].html == "<p>1,00</p>" and not seen[0].claimed


PROVINCE = "/province/2024/?asof=2024-12"


def test_the_province_view_answers_from_the_cache_until_a_write_in_any_department(
    backend, settings, world, other, client, django_assert_num_queries
):
    client.force_login(finance_bureau())
    before = main(client.get(PROVINCE))
    # session, user, the group check, the viewer's roles, the year's version: nothing of a ledger
    with django_assert_num_queries(5):
        assert main(client.get(PROVINCE)) == before
    spend(world, "12345.67")
    after = main(client.get(PROVINCE))
    assert after != before
    fresh_cache(settings, backend)
    assert main(client.get(PROVINCE)) == after


def test_a_new_department_year_shows_at_once_on_the_province_view(backend, world, client):
    client.force_login(finance_bureau())
    assert ">RD<" not in main(client.get(PROVINCE))
    build(code="RD", prefix="r_")
    assert ">RD<" in main(client.get(PROVINCE))


def test_a_viewer_of_some_departments_never_gets_the_bureaus_province_content(backend, world, other, client):
    """Rendered for the finance bureau (every department) first; a finance officer of PD and QD
    then gets only those two, and no review link; the bureau gets its own content again."""
    build(code="RD", prefix="r_")
    both = member(user("pq_finance"), world.department_year, Membership.Role.FINANCE)
    member(both, other.department_year, Membership.Role.FINANCE)
    bureau = finance_bureau()
    client.force_login(bureau)
    everything = main(client.get(PROVINCE))
    assert ">RD<" in everything and "review-link" in everything
    client.force_login(both)
    own = main(client.get(PROVINCE))
    assert ">PD<" in own and ">QD<" in own and ">RD<" not in own and "review-link" not in own
    client.force_login(bureau)
    assert main(client.get(PROVINCE)) == everything


# A unit's and an item's pages are keyed by the versions of their own items only (fundmgr.dashboards.
# versions). Every write below, through every kind of row, to one unit's item or to the department
# as a whole, must leave each page exactly as the page built from nothing after it.
SCOPED_PAGES = {
    "department": "/d/PD/2024/?asof=2024-12",
    "unit A": "/d/PD/2024/units/A/?asof=2024-12",
    "unit B": "/d/PD/2024/units/B/?asof=2024-12",
    "item A1": "/d/PD/2024/items/A1/?asof=2024-12",
    "item B1": "/d/PD/2024/items/B1/?asof=2024-12",
}


def _sql(statement: str, params: list) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


SCOPED_WRITES = {
    "expenditure on A1": lambda world: spend(world, "4321.09"),
    "expenditure on B1": lambda world: _sql(
        "UPDATE projects_expenditure SET amount = amount + 111.11 WHERE item_id = %s", [world.item_b.pk]
    ),
    "budget line on B1": lambda world: _sql(
        "UPDATE projects_budgetline SET amount = amount + 5000 WHERE item_id = %s", [world.item_b.pk]
    ),
    "spending plan of B1": lambda world: SpendingPlan.objects.bulk_create(
        [SpendingPlan(item=world.item_b, month=month, amount=Decimal("9000.00")) for month in range(1, 13)]
    ),
    "B1's indicator (the department's row)": lambda world: _sql(
        "UPDATE indicators_indicator SET actual = 3 WHERE item_id = %s", [world.item_b.pk]
    ),
    "B1's name (the department's row)": lambda world: _sql(
        "UPDATE projects_budgetitem SET name = %s WHERE id = %s", ["乙宣传经费（调整）", world.item_b.pk]
    ),
}


@pytest.mark.parametrize("write", SCOPED_WRITES)
@pytest.mark.parametrize("page", SCOPED_PAGES)
def test_no_page_is_stale_after_a_write_to_any_scope(backend, settings, world, client, page, write):
    client.force_login(world.finance)
    url = SCOPED_PAGES[page]
    main(client.get(url))
    SCOPED_WRITES[write](world)
    served = main(client.get(url))
    fresh_cache(settings, backend)
    assert served == main(client.get(url))


def test_a_write_to_one_units_item_leaves_the_other_units_pages_cached(backend, world, client, django_assert_num_queries):
    client.force_login(world.finance)
    unit_b, item_b = SCOPED_PAGES["unit B"], SCOPED_PAGES["item B1"]
    client.get(unit_b), client.get(item_b)
    spend(world, "10.00")  # item A1, unit A
    # session, user, the department-year with its version, the membership (units.access), the unit
    # or item, its own version: nothing of the ledger
    with django_assert_num_queries(6):
        assert client.get(unit_b).status_code == 200
    with django_assert_num_queries(6):
        assert client.get(item_b).status_code == 200
    with django_assert_num_queries(16):  # A1's own page builds again (test_dashboard_pages)
        client.get(SCOPED_PAGES["item A1"])
