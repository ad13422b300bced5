"""The results form takes 半年完成值 and 全年完成值 as the tables write them (DOMAIN.md section 9):
read with indicators.targets.parse, the department's phrases and the year; the text kept beside
the value; a phrase or a date gives the 定性等级 of a qualitative indicator left blank."""

from decimal import Decimal

import pytest
from django.urls import reverse

from indicators.models import Indicator
from indicators.targets import derived_tier, parse
from tests import personas
from tests.builders import DepartmentYearFactory, IndicatorFactory
from tests.indicators.six_indicators import six_met_indicators

pytestmark = pytest.mark.django_db


@pytest.fixture
def dy():
    """The seed's six indicators (D1 ≥5000户, D3 ≥90%), with a qualitative one and a date target."""
    dy = DepartmentYearFactory(department__code="T01")
    six_met_indicators(dy)
    IndicatorFactory(
        department_year=dy,
        code="Q1",
        position=7,
        level1="benefit",
        level2="社会效益指标",
        direction="qualitative",
        target=None,
        unit="",
        target_text="达到预期",
    )
    IndicatorFactory(
        department_year=dy,
        code="T1",
        position=8,
        level1="output",
        level2="时效指标",
        direction="qualitative",
        target=None,
        unit="",
        target_text="12月底前",
    )
    return dy


@pytest.fixture
def finance(dy, client):
    user = personas.member(personas.user("finance"), dy, "finance")
    client.force_login(user)
    return user


def url(dy, code):
    return reverse("indicators:results", kwargs={"department_code": "T01", "year": dy.year, "indicator_code": code})


def post(client, dy, code, **fields):
    return client.post(url(dy, code), {"midyear": "", "actual": "", **fields})


def stored(dy, code) -> Indicator:
    return dy.indicators.get(code=code)


def test_a_count_with_its_unit_stores_the_number_and_keeps_the_text(client, dy, finance):
    response = post(client, dy, "D1", midyear="800户", actual="5,000户")
    assert response.status_code == 302
    indicator = stored(dy, "D1")
    assert (indicator.midyear, indicator.midyear_text) == (Decimal("800"), "800户")
    assert (indicator.actual, indicator.actual_text) == (Decimal("5000"), "5,000户")
    # the form starts from the text as written
    page = client.get(url(dy, "D1")).content.decode()
    assert 'name="actual" value="5,000户"' in page
    assert 'name="midyear" value="800户"' in page


def test_a_plain_number_keeps_no_text(client, dy, finance):
    post(client, dy, "D1", actual="5,000户")
    assert post(client, dy, "D1", actual="4,800").status_code == 302
    indicator = stored(dy, "D1")
    assert (indicator.actual, indicator.actual_text) == (Decimal("4800"), "")
    assert 'name="actual" value="4800"' in client.get(url(dy, "D1")).content.decode()


def test_a_percentage_with_a_direction_word(client, dy, finance):
    assert post(client, dy, "D3", actual="98%以上").status_code == 302
    indicator = stored(dy, "D3")
    assert (indicator.actual, indicator.actual_text) == (Decimal("98"), "98%以上")


@pytest.mark.parametrize(
    ("code", "typed", "message"),
    [
        (
            "D1",
            "约5000户",
            "全年完成值“约5000户”无法识别：请填写数字（可带单位和≥、≤、以上、以下）、日期（如12月底前），或定性表述（如达到预期）",
        ),
        ("D1", "3000人", "全年完成值“3000人”的单位与计量单位“户”不一致"),
        ("D1", "11月20日", "全年完成值“11月20日”是日期，只用于日期目标值（如12月底前）"),
        ("D1", "达到预期", "全年完成值“达到预期”是定性表述，定量指标须填写数字"),
        ("D1", "5000.12345户", "全年完成值最多4位小数"),
        (
            "Q1",
            "圆满完成",
            "全年完成值“圆满完成”无法识别：请填写数字（可带单位和≥、≤、以上、以下）、日期（如12月底前），或定性表述（如达到预期）",
        ),
        ("Q1", "5000", "定性指标的全年完成值不能是数字，请填写定性表述（如达到预期）或选择定性等级"),
    ],
)
def test_a_text_that_cannot_be_stored_is_refused_naming_the_field(client, dy, finance, code, typed, message):
    before = stored(dy, code)
    response = post(client, dy, code, actual=typed)
    assert response.status_code == 200
    assert response.context["form"].errors["actual"] == [message]
    after = stored(dy, code)
    assert (after.actual, after.actual_text, after.tier) == (before.actual, before.actual_text, before.tier)


def test_a_phrase_gives_the_tier_of_a_qualitative_indicator_left_blank(client, dy, finance):
    assert post(client, dy, "Q1", actual="基本达成", tier="").status_code == 302
    indicator = stored(dy, "Q1")
    assert (indicator.actual, indicator.actual_text, indicator.tier) == (None, "基本达成", "partly")


def test_a_tier_chosen_wins_over_the_phrase(client, dy, finance):
    assert post(client, dy, "Q1", actual="基本达成", tier="achieved").status_code == 302
    assert stored(dy, "Q1").tier == "achieved"


def test_a_phrase_added_on_the_phrase_page_is_read_by_the_form(client, dy, finance):
    phrases = reverse("indicators:phrases", kwargs={"department_code": "T01", "year": dy.year})
    assert client.post(phrases, {"action": "set", "phrase": "圆满完成", "tier": "achieved"}).status_code == 302
    assert post(client, dy, "Q1", actual="圆满完成").status_code == 302
    indicator = stored(dy, "Q1")
    assert (indicator.actual_text, indicator.tier) == ("圆满完成", "achieved")


def test_a_date_target_is_met_by_a_date_on_or_before_it(client, dy, finance):
    assert post(client, dy, "T1", actual="11月20日").status_code == 302
    indicator = stored(dy, "T1")
    assert (indicator.actual, indicator.actual_text, indicator.tier) == (None, "11月20日", "achieved")
    # the derived tier shows blank, so a later date gives its own tier rather than the old one winning
    assert client.get(url(dy, "T1")).context["form"].initial["tier"] == ""
    assert (
        post(client, dy, "T1", actual="2025年1月5日", deviation_reason="验收推迟", corrective_measures="加强督办").status_code
        == 302
    )
    assert stored(dy, "T1").tier == "not_achieved"
    assert post(client, dy, "T1", actual="按时完成").status_code == 302
    assert stored(dy, "T1").tier == "achieved"


def test_a_date_target_missed_scores_nothing_on_the_sheet(client, dy, finance):
    post(client, dy, "T1", actual="2025年1月5日")
    page = client.get(reverse("indicators:evaluation", kwargs={"department_code": "T01", "year": dy.year}))
    rows = {row.indicator.code: row.score for row in page.context["sheet"].rows}
    # output 50 points over D1, D2, D3 and T1: 12.50 each; T1 missed (r = 0), Q1 still a draft
    assert (rows["T1"].points, rows["T1"].ratio, rows["T1"].earned) == (Decimal("12.50"), Decimal("0"), Decimal("0.00"))
    assert (rows["D1"].points, rows["D1"].earned) == (Decimal("12.50"), Decimal("12.50"))


@pytest.mark.parametrize(
    ("target", "actual", "tier"),
    [
        ("12月底前", "12月31日", "achieved"),  # on the day is on time
        ("12月底前", "2025-01-01", "not_achieved"),
        ("2024年10月31日后", "10月30日", "not_achieved"),
        ("12月底前", "基本完成", "not_achieved"),  # a date is met or missed: only an achieved phrase meets it
        ("达到预期", "基本达成", "partly"),
        ("", "未达成", "not_achieved"),
        ("12月底前", "", None),
        ("达到预期", "95%", None),
    ],
)
def test_the_tier_a_year_end_text_gives(target, actual, tier):
    assert derived_tier(parse(target, year=2024), parse(actual, year=2024)) == tier
