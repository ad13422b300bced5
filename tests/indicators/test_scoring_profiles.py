"""Scoring profiles and evaluator overrides (DOMAIN.md section 9), hand-worked to the cent.

The defaults are section 3 exactly (tests/indicators/test_scoring.py and test_seed.py keep the
seed at 9.59 → 99.59 → 99.6 优); these are the departures real departments make.
"""

from decimal import Decimal

import pytest

from indicators.scoring import (
    DEFAULT_PROFILE,
    IndicatorInput,
    ScoringError,
    ScoringProfile,
    assign_points,
    default_level_points,
    evaluate,
    execution_points,
)

D = Decimal
TWENTY = ScoringProfile(execution_points=D("20"))
WHOLE = ScoringProfile(places=0)
ONE_DECIMAL = ScoringProfile(places=1)
NOT_SCORED = ScoringProfile(execution_points=D("0"))


def counted(code, points=None, target="10000", actual="10000", level1="output", override=None):
    return IndicatorInput(
        code=code,
        level1=level1,
        direction="ge",
        target=D(target),
        actual=D(actual) if actual is not None else None,
        points=D(points) if points is not None else None,
        override=D(override) if override is not None else None,
    )


def test_the_default_profile_is_section_3():
    assert DEFAULT_PROFILE.execution_points == D("10")
    assert DEFAULT_PROFILE.places == 2
    assert DEFAULT_PROFILE.indicator_points_total == D("90")
    assert default_level_points() == {"output": D("50"), "benefit": D("30"), "satisfaction": D("10")}
    # 95.87 % → 9.59 (the seed), whatever the default is passed or not
    assert execution_points(D("0.9587")) == execution_points(D("0.9587"), DEFAULT_PROFILE) == D("9.59")


def test_twenty_point_execution_at_76_percent_is_15_20():
    assert execution_points(D("0.76"), TWENTY) == D("15.20")
    # 80 points left for the indicators: two carrying 50 and 30, both met
    evaluation = evaluate(
        execution_rate=D("0.76"), indicators=[counted("A", "50"), counted("B", "30", level1="benefit")], profile=TWENTY
    )
    assert evaluation.execution_score == D("15.20")
    assert evaluation.execution_max == D("20")
    assert evaluation.raw == D("95.20")
    assert evaluation.max == D("100.00")
    assert evaluation.score == D("95.20")


def test_with_twenty_point_execution_given_points_must_total_80():
    with pytest.raises(ScoringError, match="各指标分值合计须为80（100减预算执行率分值20），实为90"):
        assign_points([counted("A", "60"), counted("B", "30")], TWENTY)


def test_without_points_the_indicator_total_is_split_5_3_1():
    # 80 × 5/9 = 44.444… → 44.44; 80 × 3/9 = 26.666… → 26.67; satisfaction the remainder 8.89
    assert default_level_points(D("80")) == {"output": D("44.44"), "benefit": D("26.67"), "satisfaction": D("8.89")}
    # 100: 55.56 + 33.33 + 11.11
    assert default_level_points(D("100")) == {"output": D("55.56"), "benefit": D("33.33"), "satisfaction": D("11.11")}
    inputs = [counted("A"), counted("B"), counted("C", level1="benefit"), counted("S", level1="satisfaction")]
    # output 44.44 over two: 22.22 + 22.22
    assert assign_points(inputs, TWENTY) == [D("22.22"), D("22.22"), D("26.67"), D("8.89")]
    assert sum(assign_points(inputs, TWENTY)) == D("80")


def test_whole_point_rounding_makes_8_62_execution_points_9():
    assert execution_points(D("0.862"), DEFAULT_PROFILE) == D("8.62")
    assert execution_points(D("0.862"), WHOLE) == D("9")
    # 90 × 9581/10000 = 86.229 → 86; raw 9 + 86 = 95 over 100
    evaluation = evaluate(
        execution_rate=D("0.862"), indicators=[counted("A", "90", target="10000", actual="9581")], profile=WHOLE
    )
    assert evaluation.indicators[0].earned == D("86")
    assert evaluation.raw == D("95")
    assert evaluation.score == D("95.00")


def test_whole_point_rounding_is_half_up():
    assert execution_points(D("0.85"), WHOLE) == D("9")  # 8.5 → 9, not banker's 8
    assert execution_points(D("0.849"), WHOLE) == D("8")


def test_one_decimal_rounding():
    # 10 × 0.865 = 8.65 → 8.7 (half up); 90 × 0.9581 = 86.229 → 86.2; raw 94.9
    assert execution_points(D("0.865"), ONE_DECIMAL) == D("8.7")
    evaluation = evaluate(
        execution_rate=D("0.865"), indicators=[counted("A", "90", target="10000", actual="9581")], profile=ONE_DECIMAL
    )
    assert evaluation.indicators[0].earned == D("86.2")
    assert evaluation.raw == D("94.9")
    assert evaluation.score == D("94.90")
    # the same table under the defaults: 8.65 + 86.23 = 94.88
    assert evaluate(execution_rate=D("0.865"), indicators=[counted("A", "90", target="10000", actual="9581")]).score == D("94.88")


def test_execution_not_scored_with_indicators_totalling_100():
    # 60 met + 40 at half (5000 of 10000) = 60 + 20 = 80; the execution rate earns nothing
    evaluation = evaluate(
        execution_rate=D("0.5"),
        indicators=[counted("A", "60"), counted("B", "40", level1="benefit", actual="5000")],
        profile=NOT_SCORED,
    )
    assert evaluation.execution_score == D("0")
    assert evaluation.execution_max == D("0")
    assert evaluation.raw == D("80.00")
    assert evaluation.max == D("100.00")
    assert evaluation.score == D("80.00")
    assert evaluation.rating == "good"
    with pytest.raises(ScoringError, match="须为100"):
        assign_points([counted("A", "60"), counted("B", "30")], NOT_SCORED)


def test_a_missing_level_is_redistributed_with_the_profile_execution_points():
    # execution 20 (76 % → 15.20), only output indicators: 44.44 points; max 64.44;
    # raw 15.20 + 44.44 = 59.64; score 59.64 × 100 ÷ 64.44 = 92.551… → 92.55
    evaluation = evaluate(execution_rate=D("0.76"), indicators=[counted("A"), counted("B")], profile=TWENTY)
    assert evaluation.max == D("64.44")
    assert evaluation.raw == D("59.64")
    assert evaluation.score == D("92.55")


def test_an_override_replaces_the_formula_in_the_score_and_both_are_kept():
    # B: 40 points at half = 20 by the formula; the evaluator gives 35. Raw 9.59 + 50 + 35 = 94.59.
    evaluation = evaluate(
        execution_rate=D("0.9587"),
        indicators=[counted("A", "50"), counted("B", "40", level1="benefit", actual="5000", override="35")],
    )
    overridden = evaluation.indicators[1]
    assert overridden.overridden
    assert overridden.earned == D("35")
    assert overridden.computed_earned == D("20.00")
    assert overridden.formula_earned == D("20.00")
    assert not evaluation.indicators[0].overridden
    assert evaluation.indicators[0].formula_earned == D("50.00")
    assert evaluation.indicator_earned == D("85.00")
    assert evaluation.raw == D("94.59")
    assert evaluation.score == D("94.59")


@pytest.mark.parametrize("override", ["40.01", "-1"])
def test_an_override_outside_0_to_points_is_refused(override):
    with pytest.raises(ScoringError, match="须在0至分值40之间"):
        evaluate(execution_rate=D("1"), indicators=[counted("A", "50"), counted("B", "40", override=override)])


def test_whole_point_rounding_splits_default_points_in_whole_points():
    # output 50 over three in whole points: 17 + 17 + 16; all met, each earns its points
    evaluation = evaluate(execution_rate=D("1"), indicators=[counted("A"), counted("B"), counted("C")], profile=WHOLE)
    assert [score.points for score in evaluation.indicators] == [D("17"), D("17"), D("16")]
    assert [score.earned for score in evaluation.indicators] == [D("17"), D("17"), D("16")]
    # execution not scored, whole points: 100 split 5:3:1 is 56/33/11
    assert default_level_points(D("100"), 0) == {"output": D("56"), "benefit": D("33"), "satisfaction": D("11")}


def test_whole_point_rounding_never_rounds_earned_above_given_points():
    # 分值 given in cents (16.66) under whole points: met, it earns 16.66, not 17
    inputs = [counted("A", "16.66"), counted("B", "73.34", actual="9581")]
    evaluation = evaluate(execution_rate=D("1"), indicators=inputs, profile=WHOLE)
    # B: 73.34 × 0.9581 = 70.267… → 70
    assert [score.earned for score in evaluation.indicators] == [D("16.66"), D("70")]
