"""DOMAIN.md section 3 on plain values: each rule with a hand-worked example, no database."""

from decimal import Decimal

import pytest

from indicators.scoring import (
    Flag,
    IndicatorInput,
    Rating,
    ScoringError,
    assign_points,
    completion_ratio,
    deviation_flags,
    evaluate,
    execution_points,
    rating_for,
    split_points,
    tier_ratio,
)


def ge(code="G", level1="output", target="100", actual="100", **kwargs):
    return IndicatorInput(code=code, level1=level1, direction="ge", target=Decimal(target), actual=Decimal(actual), **kwargs)


# --- 3.1 execution points, and rounding half up at 2 decimals -------------------------------------


def test_execution_points_round_half_up_at_two_decimals():
    # 10 × 0.9025 = 9.025, an exact half: half up gives 9.03 (banker's rounding would give 9.02).
    assert execution_points(Decimal("0.9025")) == Decimal("9.03")
    # 10 × 0.90249 = 9.0249 → 9.02.
    assert execution_points(Decimal("0.90249")) == Decimal("9.02")


def test_execution_points_of_the_seed_rate_are_9_59():
    # 89,779,300.00 ÷ 93,648,900.00 = 0.958679… → 10 × 0.958679… = 9.58679… → 9.59.
    rate = Decimal("89779300.00") / Decimal("93648900.00")
    assert execution_points(rate) == Decimal("9.59")


def test_execution_points_are_capped_at_10_when_spending_exceeds_the_budget():
    assert execution_points(Decimal("1.2")) == Decimal("10.00")


def test_execution_points_are_zero_when_the_rate_is_undefined():
    assert execution_points(None) == Decimal("0.00")


def test_earned_points_round_half_up_per_indicator():
    # 30 points, a = 1 of t = 8: r = 0.125, earned = 3.75 exactly; 10 points × 0.125 = 1.25;
    # 5 points, a = 1 of t = 8: 0.625 → 0.63 (half up; half even would give 0.62).
    indicators = [
        ge("A", "output", target="8", actual="1", points=Decimal("5")),
        ge("B", "output", target="1", actual="1", points=Decimal("45")),
        ge("C", "benefit", target="1", actual="1", points=Decimal("30")),
        ge("D", "satisfaction", target="1", actual="1", points=Decimal("10")),
    ]
    evaluation = evaluate(execution_rate=Decimal("1"), indicators=indicators)
    assert evaluation.indicators[0].earned == Decimal("0.63")


# --- 3.2 points: explicit, default split, mixed -------------------------------------------------


def test_default_split_of_50_points_over_3_indicators_is_16_67_16_67_16_66():
    assert split_points(Decimal("50"), 3) == [Decimal("16.67"), Decimal("16.67"), Decimal("16.66")]


def test_default_points_are_50_30_10_split_within_each_level_in_workbook_order():
    indicators = [
        ge("O1", "output"),
        ge("B1", "benefit"),
        ge("O2", "output"),
        ge("S1", "satisfaction"),
        ge("O3", "output"),
        ge("B2", "benefit"),
    ]
    # output 50 over O1, O2, O3 = 16.67, 16.67, 16.66 (O3 last); benefit 30 over 2 = 15 + 15; satisfaction 10.
    assert assign_points(indicators) == [
        Decimal("16.67"),
        Decimal("15.00"),
        Decimal("16.67"),
        Decimal("10"),
        Decimal("16.66"),
        Decimal("15.00"),
    ]


def test_explicit_points_are_used_as_given_when_they_total_90():
    indicators = [ge("A", points=Decimal("60")), ge("B", "benefit", points=Decimal("30"))]
    assert assign_points(indicators) == [Decimal("60"), Decimal("30")]


def test_explicit_points_not_totalling_90_are_an_error():
    with pytest.raises(ScoringError, match="90"):
        assign_points([ge("A", points=Decimal("60")), ge("B", "benefit", points=Decimal("20"))])


def test_a_mix_of_given_and_missing_points_is_an_error_naming_the_indicator():
    with pytest.raises(ScoringError, match="B"):
        assign_points([ge("A", points=Decimal("90")), ge("B", "benefit")])


# --- 3.3 completion ratio by direction ------------------------------------------------------------


def test_at_least_met_or_exceeded_is_one_and_missed_is_a_over_t():
    assert completion_ratio(ge(target="5000", actual="5000")) == 1
    assert completion_ratio(ge(target="5000", actual="6000")) == 1
    # 4000 of 5000 = 0.8
    assert completion_ratio(ge(target="5000", actual="4000")) == Decimal("0.8")


def test_at_least_with_a_zero_target_is_one():
    assert completion_ratio(ge(target="0", actual="0")) == 1


def test_at_most_under_target_is_one_and_over_target_is_t_over_a():
    le = IndicatorInput(code="L", level1="output", direction="le", target=Decimal("80"), actual=Decimal("80"))
    assert completion_ratio(le) == 1
    # cost ≤ 80 but 100 was spent: r = 80 ÷ 100 = 0.8; on 20 points that earns 16.00.
    over = IndicatorInput(code="L", level1="output", direction="le", target=Decimal("80"), actual=Decimal("100"))
    assert completion_ratio(over) == Decimal("0.8")


def test_at_most_zero_target_with_a_positive_value_is_zero():
    le = IndicatorInput(code="L", level1="output", direction="le", target=Decimal("0"), actual=Decimal("3"))
    assert completion_ratio(le) == 0


def test_equal_is_one_on_target_and_min_over_max_otherwise():
    eq = IndicatorInput(code="E", level1="output", direction="eq", target=Decimal("12"), actual=Decimal("12"))
    assert completion_ratio(eq) == 1
    # = 12 months, took 15: 12 ÷ 15 = 0.8; delivered 9: 9 ÷ 12 = 0.75.
    late = IndicatorInput(code="E", level1="output", direction="eq", target=Decimal("12"), actual=Decimal("15"))
    short = IndicatorInput(code="E", level1="output", direction="eq", target=Decimal("12"), actual=Decimal("9"))
    assert completion_ratio(late) == Decimal("0.8")
    assert completion_ratio(short) == Decimal("0.75")


def test_a_quantitative_indicator_without_a_year_end_value_has_no_ratio_yet():
    assert completion_ratio(IndicatorInput(code="G", level1="output", direction="ge", target=Decimal("1"))) is None


# --- 3.3 qualitative tiers ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("tier", "default"),
    [("achieved", Decimal("1.00")), ("partly", Decimal("0.60")), ("not_achieved", Decimal("0.00"))],
)
def test_each_tier_without_a_rate_takes_its_default(tier, default):
    assert tier_ratio(tier, None) == default


@pytest.mark.parametrize(
    ("tier", "rate", "ratio"),
    [
        ("achieved", Decimal("80"), Decimal("0.8")),
        ("achieved", Decimal("100"), Decimal("1")),
        ("achieved", Decimal("92.5"), Decimal("0.925")),
        ("partly", Decimal("60"), Decimal("0.6")),
        ("partly", Decimal("79.99"), Decimal("0.7999")),
        ("not_achieved", Decimal("0"), Decimal("0")),
        ("not_achieved", Decimal("59.99"), Decimal("0.5999")),
    ],
)
def test_each_tier_with_a_rate_inside_its_range_uses_it(tier, rate, ratio):
    assert tier_ratio(tier, rate) == ratio


@pytest.mark.parametrize(
    ("tier", "rate"),
    [
        ("achieved", Decimal("79.99")),
        ("achieved", Decimal("100.01")),
        ("partly", Decimal("80")),  # 80 belongs to 达成
        ("partly", Decimal("59.99")),
        ("not_achieved", Decimal("60")),  # 60 belongs to 部分达成
    ],
)
def test_each_tier_with_a_rate_outside_its_range_is_an_error(tier, rate):
    with pytest.raises(ScoringError, match="得分率"):
        tier_ratio(tier, rate)


def test_a_qualitative_indicator_scores_through_its_tier():
    # 部分达成 at 70 % on 10 points earns 7.00.
    qualitative = IndicatorInput(code="Q", level1="satisfaction", direction="qualitative", tier="partly", rate=Decimal("70"))
    evaluation = evaluate(execution_rate=Decimal("1"), indicators=[ge("O"), ge("B", "benefit"), qualitative])
    assert evaluation.indicators[2].points == Decimal("10")
    assert evaluation.indicators[2].earned == Decimal("7.00")


# --- 3.5 normalisation ------------------------------------------------------------------------------


def test_a_missing_level_1_group_is_normalised_to_100():
    # No satisfaction indicator: max = 10 + 50 + 30 = 90. Execution 10 × 0.9 = 9.00, output met 50.00,
    # benefit 15 of 30 (r = 0.5) = 15.00: raw 74.00, score = 74 × 100 ÷ 90 = 82.222… → 82.22, 良.
    indicators = [ge("O", "output"), ge("B", "benefit", target="10", actual="5")]
    evaluation = evaluate(execution_rate=Decimal("0.9"), indicators=indicators)
    assert evaluation.max == Decimal("90.00")
    assert evaluation.raw == Decimal("74.00")
    assert evaluation.score == Decimal("82.22")
    assert evaluation.rating == "good"


def test_a_complete_scope_has_max_100_and_score_equal_to_raw():
    indicators = [ge("O", "output"), ge("B", "benefit"), ge("S", "satisfaction")]
    evaluation = evaluate(execution_rate=Decimal("0.958679"), indicators=indicators)
    assert evaluation.max == Decimal("100.00")
    assert evaluation.score == Decimal("99.59")


# --- 3.6 ratings ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("score", "rating"),
    [
        (Decimal("90.00"), "excellent"),
        (Decimal("89.99"), "good"),
        (Decimal("80.00"), "good"),
        (Decimal("79.99"), "fair"),
        (Decimal("60.00"), "fair"),
        (Decimal("59.99"), "poor"),
        (Decimal("100.00"), "excellent"),
        (Decimal("0.00"), "poor"),
    ],
)
def test_rating_boundaries(score, rating):
    assert rating_for(score) == rating


def test_ratings_and_flags_carry_the_words_the_pages_show():
    assert [str(rating.label) for rating in Rating] == ["优", "良", "中", "差"]
    assert str(rating_for(Decimal("99.59")).label) == "优"
    assert str(Flag.MIDYEAR_BEHIND.label) == "半年完成值低于目标的50%"


# --- 3.7 flags ----------------------------------------------------------------------------------------


def test_a_missed_target_is_flagged():
    indicator = ge(target="100", actual="99")
    assert deviation_flags(indicator, completion_ratio(indicator)) == (Flag.TARGET_MISSED,)


def test_a_met_target_has_no_flag():
    indicator = ge(target="100", actual="129.99")
    assert deviation_flags(indicator, completion_ratio(indicator)) == ()


def test_at_least_130_percent_of_an_at_least_target_is_flagged_far_over():
    # 130 of 100 is exactly 130 %: flagged; the score is unchanged (r = 1).
    indicator = ge(target="100", actual="130")
    assert deviation_flags(indicator, completion_ratio(indicator)) == (Flag.FAR_OVER_TARGET,)


def test_far_over_does_not_apply_to_at_most():
    le = IndicatorInput(code="L", level1="output", direction="le", target=Decimal("100"), actual=Decimal("10"))
    assert deviation_flags(le, completion_ratio(le)) == ()


def test_a_mid_year_count_below_half_its_target_is_flagged():
    # ≥ 5000 households, 800 at mid-year: 800 < 2500.
    indicator = ge(target="5000", actual="5000", midyear=Decimal("800"))
    assert deviation_flags(indicator, completion_ratio(indicator)) == (Flag.MIDYEAR_BEHIND,)
    on_track = ge(target="5000", actual="5000", midyear=Decimal("2500"))
    assert deviation_flags(on_track, completion_ratio(on_track)) == ()


def test_the_mid_year_flag_skips_rates_and_at_most_targets():
    rate = ge(target="90", actual="95", midyear=Decimal("40"), annual_count=False)
    cost = IndicatorInput(
        code="L", level1="output", direction="le", target=Decimal("100"), actual=Decimal("90"), midyear=Decimal("10")
    )
    assert deviation_flags(rate, completion_ratio(rate)) == ()
    assert deviation_flags(cost, completion_ratio(cost)) == ()


def test_flags_never_change_the_score():
    flagged = [ge("O", target="100", actual="200", midyear=Decimal("1")), ge("B", "benefit"), ge("S", "satisfaction")]
    plain = [ge("O"), ge("B", "benefit"), ge("S", "satisfaction")]
    assert evaluate(execution_rate=Decimal("1"), indicators=flagged).score == Decimal("100.00")
    assert evaluate(execution_rate=Decimal("1"), indicators=plain).score == Decimal("100.00")


def test_a_rate_without_a_tier_is_an_error():
    with pytest.raises(ScoringError):
        tier_ratio("", Decimal("90"))
