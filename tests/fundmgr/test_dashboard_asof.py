"""As-of views never show year-end indicator values (issue 13, item 11; DOMAIN.md sections 1 and 3).

The mid-year value (半年完成值) is known from the end of June, the year-end value (全年完成值, and a
qualitative indicator's tier) at the end of December. A dashboard as of a month shows the value
known then, or —; its score, read from year-end values, shows from December only.
"""

import io
import re
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from indicators.models import Indicator
from tests.builders import IndicatorFactory
from tests.fundmgr.dashboard_support import plain_static_files  # noqa: F401
from tests.personas import finance_bureau

DEPARTMENT = "/d/PD/2024/"
ITEM_A1 = "/d/PD/2024/items/A1/"
ITEM_A2 = "/d/PD/2024/items/A2/"
UNIT_A = "/d/PD/2024/units/A/"
PROVINCE = "/province/2024/"


@pytest.fixture
def indicators(world):
    """Department-level: households ≥ 5000 (mid-year 800, year-end 5000: behind at mid-year, met),
    satisfaction ≥ 90 % (mid-year 93, year-end 95), a qualitative one (achieved at year end).
    Item A1's I-A1 (≥ 10, mid-year 5, year-end 10) becomes a miss: year-end 7."""
    department_year = world.department_year
    IndicatorFactory(
        department_year=department_year,
        code="D-HH",
        level1="output",
        name="帮扶家庭",
        target=Decimal("5000"),
        unit="户",
        midyear=Decimal("800"),
        actual=Decimal("5000"),
        position=1,
    )
    IndicatorFactory(
        department_year=department_year,
        code="D-SAT",
        level1="satisfaction",
        level2="服务对象满意度",
        name="满意度",
        target=Decimal("90"),
        unit="%",
        midyear=Decimal("93"),
        actual=Decimal("95"),
        position=2,
    )
    IndicatorFactory(
        department_year=department_year,
        code="D-Q",
        level1="benefit",
        level2="社会效益",
        name="社会影响",
        direction=Indicator.Direction.QUALITATIVE,
        target=None,
        tier=Indicator.Tier.ACHIEVED,
        position=3,
    )
    Indicator.objects.filter(code="I-A1").update(actual=Decimal("7"))
    return world


def html_of(client, user, url):
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def indicator_row(html: str, code: str) -> str:
    """The <tr> of the dashboard's indicator table whose first cell is `code`."""
    match = re.search(rf"<tr[^>]*>\s*<td[^>]*>{re.escape(code)}</td>.*?</tr>", html, re.S)
    assert match, f"no row for {code}"
    return match.group(0)


def cells(row: str) -> list[str]:
    return [re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]


def value_and_status(html: str, code: str) -> tuple[str, str, str]:
    """The 完成值, 得分 and 状态 cells of an indicator's row."""
    row = cells(indicator_row(html, code))
    return row[4], row[6], row[7]


def value_heading(html: str) -> str:
    headings = [re.sub(r"\s+", "", heading) for heading in re.findall(r"<th[^>]*>(.*?)</th>", html, re.S)]
    return next(heading for heading in headings if heading.endswith("完成值"))


def score_card(html: str) -> str:
    return re.search(r'data-card="score">(.*?)</div>\s*<div class="unit">(.*?)</div>', html, re.S).group(0)


@pytest.mark.parametrize("month", ["01", "03", "05"])
def test_before_june_the_dashboard_shows_no_indicator_value_and_no_score(client, indicators, month):
    html = html_of(client, indicators.finance, f"{DEPARTMENT}?asof=2024-{month}")
    assert value_heading(html) == "完成值"
    for code in ("D-HH", "D-SAT", "D-Q"):
        assert value_and_status(html, code) == ("—", "—", "待年终评价")
    assert ">5000户<" not in html and ">达成<" not in html
    card = score_card(html)
    assert 'data-card="score">—<' in card and "年终自评后评分" in card


@pytest.mark.parametrize("month", ["06", "09", "11"])
def test_from_june_to_november_the_dashboard_shows_the_midyear_value_and_its_flag_only(client, indicators, month):
    html = html_of(client, indicators.leader, f"{DEPARTMENT}?asof=2024-{month}")
    assert value_heading(html) == "半年完成值"
    assert value_and_status(html, "D-HH") == ("800户", "—", "需说明")  # 800 < 50 % of 5000: behind at mid-year
    assert value_and_status(html, "D-SAT") == ("93%", "—", "待年终评价")  # a rate: no mid-year flag
    assert value_and_status(html, "D-Q") == ("—", "—", "待年终评价")  # the tier is a year-end judgement
    assert ">5000户<" not in html and ">95%<" not in html
    # item A1 misses its target at year end (7 of 10), but that is not known yet: not listed as behind
    assert ">I-A1<" not in html and "未达标" not in html
    assert 'data-card="score">—<' in score_card(html)


def test_in_december_the_dashboard_shows_year_end_values_misses_and_the_score(client, indicators):
    html = html_of(client, indicators.finance, f"{DEPARTMENT}?asof=2024-12")
    assert value_heading(html) == "全年完成值"
    value, earned, status = value_and_status(html, "D-HH")
    assert (value, earned) == ("5000户", "50.00")
    assert value_and_status(html, "D-Q")[0] == "达成"
    assert value_and_status(html, "I-A1") == ("7", "35.00", "未达标")  # the output level's 50 points × 7/10
    assert re.search(r'data-card="score">\d+\.\d <span class="rating">', html)


def test_the_item_and_unit_pages_show_the_value_known_at_the_month(client, indicators):
    june = html_of(client, indicators.accountant_a, f"{ITEM_A1}?asof=2024-06")
    assert value_and_status(june, "I-A1") == ("5", "—", "待年终评价")
    assert 'data-card="score">—<' in score_card(june) and "年终自评后评分" in score_card(june)
    assert value_and_status(html_of(client, indicators.accountant_a, f"{UNIT_A}?asof=2024-06"), "I-A1")[0] == "5"
    march = html_of(client, indicators.accountant_a, f"{ITEM_A1}?asof=2024-03")
    assert value_and_status(march, "I-A1") == ("—", "—", "待年终评价")
    december = html_of(client, indicators.accountant_a, f"{ITEM_A1}?asof=2024-12")
    assert value_and_status(december, "I-A1") == ("7", "35.00", "未达标")
    assert re.search(r'data-card="score">\d+\.\d <span class="rating">', december)


def test_the_indicator_export_as_of_june_holds_midyear_values(client, indicators):
    client.force_login(indicators.finance)
    response = client.get(f"{DEPARTMENT}?asof=2024-06&_export=xlsx&table=indicators")
    assert response.status_code == 200
    content = b"".join(response.streaming_content) if response.streaming else response.content
    rows = [list(row) for row in load_workbook(io.BytesIO(content)).active.iter_rows(values_only=True)]
    header = next(row for row in rows if "半年完成值" in row)
    households = next(row for row in rows if "D-HH" in row)
    assert households[header.index("半年完成值")] == "800户"
    assert households[header.index("得分")] in (None, "—")
    assert not any("5000户" == value for row in rows for value in row)


def province_row(html: str, code: str) -> list[str]:
    match = re.search(rf"<tr[^>]*>\s*<td[^>]*>{code}</td>.*?</tr>", html, re.S)
    return cells(match.group(0))


def test_the_province_view_scores_departments_from_december_only(client, indicators):
    bureau = finance_bureau()
    june = html_of(client, bureau, f"{PROVINCE}?asof=2024-06")
    assert province_row(june, "PD")[-2:] == ["—", "—"]
    assert "自评得分以全年完成值计算" in june
    december = html_of(client, bureau, f"{PROVINCE}?asof=2024-12")
    score, rating = province_row(december, "PD")[-2:]
    assert re.fullmatch(r"\d+\.\d\d", score) and rating in ("优", "良", "中", "差")
    assert "自评得分以全年完成值计算" not in december
