"""Targets and values written as text (DOMAIN.md section 9, indicators.targets): the forms real
自评表 write them in, the canonical text they render to, and the completion ratio of section 3."""

from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from indicators import scoring
from indicators.models import Indicator
from indicators.targets import (
    DEFAULT_PHRASES,
    KINDS,
    SYMBOLS,
    TIER_PHRASES,
    Parsed,
    completion_ratio,
    parse,
    render,
)
from indicators.wording import target_text

D = Decimal

# (text as written, kind, direction, value, unit, due, tier); dates without a year are read in 2024.
READ = [
    # numbers: a symbol before, a word after, or neither (≥, section 10)
    ("≥200平方米", "number", "ge", D("200"), "平方米", None, None),
    ("98%以上", "number", "ge", D("98"), "%", None, None),
    ("≤10天", "number", "le", D("10"), "天", None, None),
    ("100%", "number", "ge", D("100"), "%", None, None),
    ("5000户", "number", "ge", D("5000"), "户", None, None),
    ("1.2万人次", "number", "ge", D("12000"), "人次", None, None),
    ("≧90%", "number", "ge", D("90"), "%", None, None),
    (">=95%", "number", "ge", D("95"), "%", None, None),
    ("大于等于50间", "number", "ge", D("50"), "间", None, None),
    ("不低于95%", "number", "ge", D("95"), "%", None, None),
    ("不少于3次", "number", "ge", D("3"), "次", None, None),
    ("至少2场", "number", "ge", D("2"), "场", None, None),
    ("5000户以上", "number", "ge", D("5000"), "户", None, None),
    ("90%及以上", "number", "ge", D("90"), "%", None, None),
    ("≥95%以上", "number", "ge", D("95"), "%", None, None),  # said twice, the same way
    ("≦30天", "number", "le", D("30"), "天", None, None),
    ("<=5%", "number", "le", D("5"), "%", None, None),
    ("小于等于2%", "number", "le", D("2"), "%", None, None),
    ("不高于100万元", "number", "le", D("100"), "万元", None, None),
    ("不超过5%", "number", "le", D("5"), "%", None, None),
    ("10天以内", "number", "le", D("10"), "天", None, None),
    ("3个工作日内", "number", "le", D("3"), "个工作日", None, None),
    ("1%以下", "number", "le", D("1"), "%", None, None),
    ("低于3%", "number", "le", D("3"), "%", None, None),
    ("少于5起", "number", "le", D("5"), "起", None, None),  # strict in words, ≤ in the scoring
    ("控制在5%以内", "number", "le", D("5"), "%", None, None),
    ("≤0起", "number", "le", D("0"), "起", None, None),
    ("=100%", "number", "eq", D("100"), "%", None, None),
    ("═1项", "number", "eq", D("1"), "项", None, None),
    ("﹦12期", "number", "eq", D("12"), "期", None, None),
    ("等于6个", "number", "eq", D("6"), "个", None, None),
    ("≤12.5万元", "number", "le", D("12.5"), "万元", None, None),  # 万元 is a unit, not 万 × 元
    ("0.5万元/人", "number", "ge", D("0.5"), "万元/人", None, None),
    ("3万人", "number", "ge", D("30000"), "人", None, None),
    ("1.5亿人次", "number", "ge", D("150000000"), "人次", None, None),
    ("5,000户", "number", "ge", D("5000"), "户", None, None),
    ("12,345.67元", "number", "ge", D("12345.67"), "元", None, None),
    ("95.5", "number", "ge", D("95.5"), "", None, None),
    ("≥ 200 平方米", "number", "ge", D("200"), "平方米", None, None),
    ("完成5000户", "number", "ge", D("5000"), "户", None, None),
    ("累计1.2万人次", "number", "ge", D("12000"), "人次", None, None),
    ("≥200m²", "number", "ge", D("200"), "m²", None, None),
    ("4‰以下", "number", "le", D("4"), "‰", None, None),
    # full-width digits, percent, dots, commas and operators, as Chinese input methods type them
    ("９８％以上", "number", "ge", D("98"), "%", None, None),
    ("≥２００平方米", "number", "ge", D("200"), "平方米", None, None),
    ("５，０００户", "number", "ge", D("5000"), "户", None, None),
    ("１．２万人次", "number", "ge", D("12000"), "人次", None, None),
    ("＞＝９０％", "number", "ge", D("90"), "%", None, None),
    ("＜＝１０天", "number", "le", D("10"), "天", None, None),
    ("＝１００％", "number", "eq", D("100"), "%", None, None),
    # dates: on or before (前, or no word), on or after (后)
    ("12月底前", "date", "le", None, "", date(2024, 12, 31), None),
    ("2024年10月31日前", "date", "le", None, "", date(2024, 10, 31), None),
    ("2月底前", "date", "le", None, "", date(2024, 2, 29), None),  # 2024 is a leap year
    ("2023年2月底", "date", "le", None, "", date(2023, 2, 28), None),
    ("6月30日之前", "date", "le", None, "", date(2024, 6, 30), None),
    ("9月15号以前", "date", "le", None, "", date(2024, 9, 15), None),
    ("12月底前完成", "date", "le", None, "", date(2024, 12, 31), None),
    ("年底前", "date", "le", None, "", date(2024, 12, 31), None),
    ("2025年年底前", "date", "le", None, "", date(2025, 12, 31), None),
    ("年内完成", "date", "le", None, "", date(2024, 12, 31), None),
    ("上半年", "date", "le", None, "", date(2024, 6, 30), None),
    ("2024-10-31", "date", "le", None, "", date(2024, 10, 31), None),
    ("2024/3/5前", "date", "le", None, "", date(2024, 3, 5), None),
    ("于2024年10月20日完成", "date", "le", None, "", date(2024, 10, 20), None),
    ("不晚于11月30日", "date", "le", None, "", date(2024, 11, 30), None),
    ("2024年10月1日以后", "date", "ge", None, "", date(2024, 10, 1), None),
    ("=2024年10月31日", "date", "eq", None, "", date(2024, 10, 31), None),
    ("２０２４年１０月３１日前", "date", "le", None, "", date(2024, 10, 31), None),
    # qualitative phrases, through DEFAULT_PHRASES
    ("达到预期", "qualitative", "qualitative", None, "", None, "achieved"),
    ("效果明显", "qualitative", "qualitative", None, "", None, "achieved"),
    ("较好", "qualitative", "qualitative", None, "", None, "achieved"),
    ("有所提升", "qualitative", "qualitative", None, "", None, "achieved"),
    ("已完成", "qualitative", "qualitative", None, "", None, "achieved"),
    ("按时完成", "qualitative", "qualitative", None, "", None, "achieved"),
    ("优", "qualitative", "qualitative", None, "", None, "achieved"),
    ("较满意", "qualitative", "qualitative", None, "", None, "achieved"),
    ("基本达成", "qualitative", "qualitative", None, "", None, "partly"),
    ("部分完成", "qualitative", "qualitative", None, "", None, "partly"),
    ("基本满意", "qualitative", "qualitative", None, "", None, "partly"),
    ("中", "qualitative", "qualitative", None, "", None, "partly"),
    ("未达成", "qualitative", "qualitative", None, "", None, "not_achieved"),
    ("未完成", "qualitative", "qualitative", None, "", None, "not_achieved"),
    ("不满意", "qualitative", "qualitative", None, "", None, "not_achieved"),
    ("达到 预期。", "qualitative", "qualitative", None, "", None, "achieved"),
    # blank cells
    ("", "blank", None, None, "", None, None),
    ("   ", "blank", None, None, "", None, None),
    ("—", "blank", None, None, "", None, None),
    ("/", "blank", None, None, "", None, None),
]

UNREAD = [
    "详见附件",  # words, not a value
    "≥abc",  # a symbol and no number
    "≥",
    "以上",
    "约5000户",  # about: not a target
    "90%-95%",  # a range
    "95%～100%",
    "≥95%以下",  # two directions
    "5000+户",
    "1,5户",  # not thousands
    "10月前",  # before October, or by its end?
    "10月",  # a month, or ten months?
    "2月30日前",  # no such day
    "13月底前",
    "5000户，效果良好",  # a sentence
    "满意度≥95%",  # a label before the value
    "百分之九十",  # numerals in words
    "1.2万万人",
    "12.31前",
]


@pytest.mark.parametrize(("text", "kind", "direction", "value", "unit", "due", "tier"), READ)
def test_a_text_target_reads_as_written(text, kind, direction, value, unit, due, tier):
    parsed = parse(text, year=2024)
    assert (parsed.kind, parsed.direction, parsed.value, parsed.unit, parsed.due, parsed.tier) == (
        kind,
        direction,
        value,
        unit,
        due,
        tier,
    )
    assert parsed.text == text.strip()


@pytest.mark.parametrize("text", UNREAD)
def test_a_text_that_cannot_be_read_is_unparsed_and_kept_as_written(text):
    parsed = parse(text, year=2024)
    assert parsed == Parsed(text=text, kind="unparsed", direction=None, value=None, unit="", due=None, tier=None)
    assert render(parsed) == text


def test_none_is_blank():
    assert parse(None).kind == "blank" and parse(None).text == ""


def test_a_date_without_a_year_takes_the_year_given_and_is_unparsed_without_one():
    assert parse("12月底前", year=2023).due == date(2023, 12, 31)
    assert parse("12月底前").kind == "unparsed"
    assert parse("2024年10月31日前", year=2030).due == date(2024, 10, 31)  # the year written wins
    assert parse("2024年10月31日前").due == date(2024, 10, 31)


def test_the_finance_offices_phrase_list_replaces_the_default():
    phrases = {"圆满完成": "achieved", "有待提高": "partly", "达 到 预 期": "partly"}
    assert parse("圆满完成", phrases=phrases).tier == "achieved"
    assert parse("有待提高", phrases=phrases).tier == "partly"
    assert parse("达到预期", phrases=phrases).tier == "partly"  # the office's words, spaces ignored
    assert parse("效果明显", phrases=phrases).kind == "unparsed"  # not on the office's list
    assert parse("圆满完成").kind == "unparsed"  # not on the default list
    with pytest.raises(ValueError):
        parse("好", phrases={"好": "great"})


def test_the_default_phrases_name_only_the_three_tiers_and_hold_each_tiers_own_words():
    assert set(DEFAULT_PHRASES.values()) == {"achieved", "partly", "not_achieved"}
    assert set(DEFAULT_PHRASES.values()) == {tier.value for tier in Indicator.Tier}
    for tier, phrase in TIER_PHRASES.items():
        assert DEFAULT_PHRASES[phrase] == tier
        assert str(Indicator.Tier(tier).label) == phrase


@pytest.mark.parametrize(
    ("text", "canonical"),
    [
        ("200平方米以上", "≥200平方米"),
        ("10天以内", "≤10天"),
        ("＝１００％", "=100%"),
        ("1.2万人次", "≥12000人次"),
        ("5,000户", "≥5000户"),
        ("≤12.50万元", "≤12.5万元"),
        ("2024年10月31日前", "2024年10月31日前"),
        ("2024年10月1日以后", "2024年10月1日后"),
        ("效果明显", "效果明显"),
        ("—", ""),
    ],
)
def test_render_writes_the_canonical_text(text, canonical):
    assert render(parse(text, year=2024)) == canonical


def test_render_leaves_out_the_evaluations_own_year():
    parsed = parse("12月底前", year=2024)
    assert render(parsed) == "2024年12月31日前"
    assert render(parsed, year=2024) == "12月31日前"
    assert render(parsed, year=2025) == "2024年12月31日前"


def test_a_phrase_the_default_list_reads_otherwise_renders_as_its_tiers_words():
    parsed = parse("有待提高", phrases={"有待提高": "partly"})
    assert render(parsed) == "部分达成"


def test_the_symbols_are_the_pages_and_the_exports():
    assert SYMBOLS == {choice.value: str(choice.label) for choice in Indicator.Direction if choice.value in SYMBOLS}
    for direction in ("ge", "le", "eq"):
        indicator = Indicator(direction=direction, target=D("5000.0000"), unit="个")
        assert target_text(indicator) == render(parse(target_text(indicator)))
    assert target_text(Indicator(direction="ge", target=D("5000.0000"), unit="个")) == "≥5000个"


@pytest.mark.parametrize(("text", "kind", "direction", "value", "unit", "due", "tier"), READ)
def test_every_read_example_renders_to_a_text_that_reads_back_the_same(text, kind, direction, value, unit, due, tier):
    parsed = parse(text, year=2024)
    assert replace(parse(render(parsed)), text=parsed.text) == parsed
    assert replace(parse(render(parsed, year=2024), year=2024), text=parsed.text) == parsed


# completion ratio r (section 3), hand-worked


def ratio(target, actual, year=2024):
    return completion_ratio(parse(target, year=year), parse(actual, year=year))


@pytest.mark.parametrize(
    ("target", "actual", "expected"),
    [
        ("≥5000户", "4000户", D("0.8")),  # 4000 ÷ 5000
        ("≥5000户", "4000", D("0.8")),  # a bare number matches the target's unit
        ("5000户", "5200户", D("1")),
        ("98%以上", "98.5%", D("1")),
        ("≥90%", "72%", D("0.8")),
        ("≥0户", "0户", D("1")),
        ("≤10天", "8天", D("1")),
        ("≤10天", "12.5天", D("0.8")),  # missed: 10 ÷ 12.5
        ("10天以内", "10天", D("1")),
        ("≤0起", "1起", D("0")),
        ("=100%", "100%", D("1")),
        ("=100%", "98%", D("0.98")),  # min ÷ max
        ("=10项", "12项", D("10") / D("12")),
        ("≤100万元", "1250000元", D("0.8")),  # 100万元 ÷ 125万元
        ("≥1.2万人次", "9600人次", D("0.8")),
        # dates: met on or before the due date, else 0
        ("12月底前", "2024年11月30日", D("1")),
        ("12月底前", "12月31日", D("1")),
        ("2024年10月31日前", "2024-11-01", D("0")),
        ("2024年10月1日以后", "2024-09-30", D("0")),
        ("=2024年10月31日", "2024年10月31日", D("1")),
        ("12月底前", "已完成", D("1")),
        ("12月底前", "按时完成", D("1")),
        ("12月底前", "完成", D("1")),
        ("12月底前", "未完成", D("0")),
        ("12月底前", "基本完成", D("0")),
        # qualitative: the actual's tier at its default ratio
        ("达到预期", "效果明显", D("1")),
        ("达到预期", "基本达成", D("0.6")),
        ("有所提升", "未达成", D("0")),
    ],
)
def test_completion_ratio_of_text_targets(target, actual, expected):
    assert ratio(target, actual) == expected


@pytest.mark.parametrize(
    ("target", "actual"),
    [
        ("≥95%", "10天"),  # % against 天
        ("≥5000户", "5000人"),
        ("≥100万元", "100%"),
        ("≥95%", ""),
        ("≥95%", "—"),
        ("≥95%", "详见附件"),
        ("详见附件", "95%"),
        ("", "95%"),
        ("≥95%", "已完成"),  # a number against a phrase
        ("达到预期", "95%"),
        ("12月底前", "95%"),
        ("≥95%", "2024-10-31"),
    ],
)
def test_completion_ratio_is_none_when_the_two_cannot_be_compared(target, actual):
    assert ratio(target, actual) is None


def test_completion_ratio_of_numbers_is_the_scoring_rules():
    for direction, target, actual in [("ge", "5000", "4000"), ("le", "10", "12"), ("eq", "100", "98")]:
        expected = scoring.completion_ratio(
            scoring.IndicatorInput(code="", level1="", direction=direction, target=D(target), actual=D(actual))
        )
        assert ratio(f"{SYMBOLS[direction]}{target}", actual) == expected


# parse(render(x)) == x (issue 14)

UNITS = st.one_of(
    st.sampled_from(
        ["", "%", "‰", "平方米", "天", "户", "人次", "个", "万元", "元", "亿元", "次", "人", "个工作日", "小时", "m²", "元/人"]
    ),
    st.text(alphabet="户人次个场所家项台套件本册篇条期间起", min_size=1, max_size=4),
)
NUMBERS = st.builds(
    Parsed,
    text=st.just(""),
    kind=st.just("number"),
    direction=st.sampled_from(["ge", "le", "eq"]),
    value=st.decimals(min_value=D("-1e9"), max_value=D("1e9"), allow_nan=False, allow_infinity=False),
    unit=UNITS,
    due=st.none(),
    tier=st.none(),
)
DATES = st.builds(
    Parsed,
    text=st.just(""),
    kind=st.just("date"),
    direction=st.sampled_from(["ge", "le", "eq"]),
    value=st.none(),
    unit=st.just(""),
    due=st.dates(min_value=date(1900, 1, 1), max_value=date(2100, 12, 31)),
    tier=st.none(),
)
PHRASES = st.sampled_from(sorted(DEFAULT_PHRASES.items())).map(
    lambda item: Parsed(text=item[0], kind="qualitative", direction="qualitative", value=None, unit="", due=None, tier=item[1])
)
TIERS = st.builds(
    Parsed,
    text=st.text(max_size=6),
    kind=st.just("qualitative"),
    direction=st.just("qualitative"),
    value=st.none(),
    unit=st.just(""),
    due=st.none(),
    tier=st.sampled_from(["achieved", "partly", "not_achieved"]),
)
BLANKS = st.just(Parsed(text="", kind="blank", direction=None, value=None, unit="", due=None, tier=None))


@given(st.one_of(NUMBERS, DATES, PHRASES, TIERS, BLANKS))
def test_parse_of_render_is_the_value_rendered(parsed):
    assert replace(parse(render(parsed)), text=parsed.text) == parsed


@given(DATES)
def test_parse_of_render_in_the_evaluations_year_is_the_date_rendered(parsed):
    year = parsed.due.year
    assert replace(parse(render(parsed, year=year), year=year), text=parsed.text) == parsed


@given(st.text(max_size=20), st.one_of(st.none(), st.integers(min_value=1900, max_value=2100)))
def test_any_text_reads_as_one_of_the_kinds_without_an_error(text, year):
    parsed = parse(text, year=year)
    assert parsed.kind in KINDS
    assert parsed.text == text.strip()
    if parsed.kind == "unparsed":
        assert render(parsed) == parsed.text
