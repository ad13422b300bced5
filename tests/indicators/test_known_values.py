"""What an indicator is known to be at the end of a month (DOMAIN.md section 1: the mid-year value
from the 绩效运行监控 at the end of June, the year-end value from the self-evaluation in December),
and what the scoring rules make of it."""

from decimal import Decimal

import pytest

from indicators.models import Indicator
from indicators.scoring import Flag, evaluate
from indicators.selectors import indicator_input, is_scored, known_value, scope_evaluation


def households(**values) -> Indicator:
    """≥ 5000 户, mid-year 800 (below half the target), year-end 4000 (a miss): every flag in play."""
    defaults = {"midyear": Decimal("800"), "actual": Decimal("4000")}
    return Indicator(
        code="HH",
        level1="output",
        level2="数量",
        name="帮扶家庭",
        direction="ge",
        target=Decimal("5000"),
        unit="户",
        **{**defaults, **values},
    )


@pytest.mark.parametrize(
    ("month", "value"), [(1, None), (5, None), (6, Decimal("800")), (11, Decimal("800")), (12, Decimal("4000"))]
)
def test_the_value_known_is_none_before_june_then_midyear_then_year_end(month, value):
    assert known_value(households(), month) == value


def test_only_december_is_scored():
    assert [month for month in range(1, 13) if is_scored(month)] == [12]


def test_before_june_the_scoring_input_knows_neither_value_nor_the_tier():
    qualitative = Indicator(code="Q", level1="benefit", direction="qualitative", tier="achieved", rate=Decimal("90"))
    assert (indicator_input(households(), month=5).midyear, indicator_input(households(), month=5).actual) == (None, None)
    assert (indicator_input(qualitative, month=11).tier, indicator_input(qualitative, month=11).rate) == ("", None)
    assert (indicator_input(qualitative, month=12).tier, indicator_input(qualitative, month=12).rate) == (
        "achieved",
        Decimal("90"),
    )


@pytest.mark.parametrize(
    ("month", "flags", "ratio"),
    [
        (3, (), None),
        (6, (Flag.MIDYEAR_BEHIND,), None),  # the year-end miss is not known yet
        (12, (Flag.TARGET_MISSED, Flag.MIDYEAR_BEHIND), Decimal("0.8")),
    ],
)
def test_an_as_of_evaluation_raises_only_the_flags_of_values_known_then(month, flags, ratio):
    evaluation = scope_evaluation(indicators=[households()], execution_rate=Decimal("0.5"), month=month)
    assert evaluation.indicators[0].flags == flags
    assert evaluation.indicators[0].ratio == ratio


def test_the_whole_year_is_the_default():
    assert scope_evaluation(indicators=[households()], execution_rate=Decimal("1")) == evaluate(
        execution_rate=Decimal("1"), indicators=[indicator_input(households(), month=12)]
    )
