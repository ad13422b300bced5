"""The labels of the dashboard's bar charts: units whose names begin alike still read apart in the
label column, and the full name stays in each bar's tooltip (issue 13)."""

import re
from decimal import Decimal

from fundmgr import charts
from fundmgr.templatetags.fundmgr_charts import amount_bars_svg, rate_bars_svg

SEED_UNITS = [
    "新疆维吾尔自治区妇女联合会（本级）",
    "新疆维吾尔自治区儿童发展中心",
    "新疆妇女干部学校",
    "新疆妇女杂志社",
    "新疆维吾尔自治区妇女儿童公益项目管理中心",
    "新疆维吾尔自治区妇女联合会机关服务中心",
]


def test_seed_units_lose_the_beginning_they_share_and_keep_what_tells_them_apart():
    assert charts.short_labels(SEED_UNITS) == [
        "…（本级）",
        "…儿童发展中心",
        "新疆妇女干部学校",  # shares only 新疆妇女 (4 characters): not worth leaving out
        "新疆妇女杂志社",
        "…儿童公益项目管理中心",
        "…机关服务中心",
    ]


def test_two_units_of_one_federation_read_apart_where_cutting_ends_made_them_the_same():
    names = ["新疆维吾尔自治区妇女联合会（本级）", "新疆维吾尔自治区妇女联合会机关服务中心"]
    assert len({charts.ellipsized(name) for name in names}) == 1  # what a cut end would show
    assert charts.short_labels(names) == ["…（本级）", "…机关服务中心"]


def test_every_label_fits_the_label_column():
    names = SEED_UNITS + ["文化润疆进家庭农村妇女素质提升项目—“小手拉大手·全家一起学国语”项目", "A" * 40]
    for label in charts.short_labels(names):
        assert charts.label_width(label) <= charts.LABEL_CHARS, label


def test_a_name_that_begins_another_keeps_its_own_beginning():
    names = ["“石榴花”农村妇女国家通用语言文字培训项目", "“石榴花”农村妇女国家通用语言文字培训项目（上年结转）"]
    assert charts.short_labels(names) == ["“石榴花”农村妇女国…", "…（上年结转）"]


def test_names_differing_only_at_the_end_show_beginning_and_end():
    names = ["某某单位甲分部第一中心A", "某某单位甲分部第一中心B"]
    assert charts.short_labels(names) == ["某某单位甲…第一中心A", "某某单位甲…第一中心B"]


def test_short_names_stay_whole_and_a_lone_long_name_loses_its_end():
    assert charts.short_labels(["人员经费", "公用经费"]) == ["人员经费", "公用经费"]
    assert charts.short_labels(["新疆维吾尔自治区妇女联合会（本级）"]) == ["新疆维吾尔自治区妇女…"]
    assert charts.short_labels([]) == []


def test_half_width_characters_count_half():
    assert charts.label_width("30201 办公费") == Decimal("6")
    assert charts.ellipsized("30299 其他商品和服务支出") == "30299 其他商品和服务…"  # 3 + 7 + 1


def test_the_rate_chart_shows_short_labels_and_keeps_each_full_name_in_its_tooltip():
    rows = [(name, Decimal("0.5"), f"/u/{index}/") for index, name in enumerate(SEED_UNITS)]
    chart = charts.rate_bars(rows, progress=Decimal("0.5"), lag_of=lambda rate: "")
    svg = rate_bars_svg(chart, "各单位")
    shown = re.findall(r'<text class="label"[^>]*>([^<]*)<title>([^<]*)</title>', svg)
    assert [label for label, _ in shown] == charts.short_labels(SEED_UNITS)
    assert len({label for label, _ in shown}) == len(SEED_UNITS)
    assert [title for _, title in shown] == [f"{name}：50.00%" for name in SEED_UNITS]


def test_every_text_of_a_chart_is_escaped_and_its_numbers_are_plain():
    """Names come from users: a unit or class named with markup shows as text, in the label and the
    tooltip; coordinates are written as the template engine writes numbers (no exponent, no separator)."""
    name = '<b onclick="x()">A&B</b>单位'
    chart = charts.rate_bars([(name, Decimal("0.25"), "/u/1/?a=1&b=2")], progress=Decimal("0.5"), lag_of=lambda rate: "")
    svg = rate_bars_svg(chart, "<各单位>")
    assert "<b " not in svg and 'onclick="' not in svg
    assert "&lt;b onclick=&quot;x()&quot;&gt;A&amp;B&lt;/b&gt;单位：25.00%" in svg
    assert 'aria-label="&lt;各单位&gt;"' in svg and 'href="/u/1/?a=1&amp;b=2"' in svg
    assert 'width="85.0"' in svg and 'viewBox="0 0 640 58"' in svg  # 340 px × 0.25, to 0.1 px
    bars = charts.amount_bars([(name, Decimal("1000000.00"))])
    svg = amount_bars_svg(bars, "类")
    assert ">100.00<title>&lt;b onclick=&quot;x()&quot;&gt;A&amp;B&lt;/b&gt;单位：100.00 万元（100.00%）</title>" in svg


def test_a_chart_without_spending_says_so():
    svg = amount_bars_svg(charts.amount_bars([]), "支出经济分类")
    assert svg.count("尚无支出") == 2 and "<rect" not in svg
