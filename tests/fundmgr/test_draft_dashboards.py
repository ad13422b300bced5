"""Drafts on the dashboards and the province view (DOMAIN.md section 9): a December view with a blank
year-end value says 草稿（未评分） where the score goes; an earlier month is not a draft (its score
waits for December whatever the values), and the province view sorts a draft like no score."""

from decimal import Decimal

from fundmgr.dashboards.province import province_rows
from indicators.models import Indicator
from tests.fundmgr.dashboard_support import plain_static_files  # noqa: F401
from tests.fundmgr.test_dashboard_asof import DEPARTMENT, PROVINCE, html_of, indicators, province_row, score_card  # noqa: F401
from tests.personas import finance_bureau


def test_the_december_dashboard_of_a_draft_says_so_and_links_the_sheet(client, indicators):  # noqa: F811
    Indicator.objects.filter(code="D-SAT").update(actual=None)
    card = score_card(html_of(client, indicators.finance, f"{DEPARTMENT}?asof=2024-12"))
    assert 'data-card="score">草稿（未评分）<' in card
    assert 'href="/d/PD/2024/evaluation/"' in card


def test_a_june_dashboard_with_a_blank_year_end_value_waits_for_december_as_before(client, indicators):  # noqa: F811
    Indicator.objects.filter(code="D-SAT").update(actual=None)
    card = score_card(html_of(client, indicators.finance, f"{DEPARTMENT}?asof=2024-06"))
    assert 'data-card="score">—<' in card and "年终自评后评分" in card and "草稿" not in card


def test_the_province_view_shows_a_draft_without_score_and_sorts_it_like_no_score(client, indicators):  # noqa: F811
    Indicator.objects.filter(code="D-SAT").update(actual=None)
    assert province_row(html_of(client, finance_bureau(), f"{PROVINCE}?asof=2024-12"), "PD")[-2:] == ["—", "草稿（未评分）"]
    (row,) = province_rows(year=2024, month=12)
    assert row.evaluation.draft and (row.score, row.rating, row.score_key) == (None, None, Decimal(-1))
