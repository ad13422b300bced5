"""The self-evaluation scoring rules of 财预〔2020〕10号, as DOMAIN.md section 3 states them.

Pure functions over plain values: Decimal in, Decimal out. indicators.selectors feeds them
from the database; nothing else scores. The rating and the deviation flags the rules produce
are TextChoices, so their words live beside the rules that give them (django.db.models only
for the choices: nothing here touches the database).
"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fundmgr.lib.money import HUNDRED, ZERO, round_half_up

ONE = Decimal("1")
EXECUTION_POINTS = Decimal("10")
INDICATOR_POINTS_TOTAL = Decimal("90")
DEFAULT_LEVEL_POINTS = {"output": Decimal("50"), "benefit": Decimal("30"), "satisfaction": Decimal("10")}
LEVELS = tuple(DEFAULT_LEVEL_POINTS)

# 定性 tiers: (lowest r, highest r, r when no 得分率 is given, whether the top is included).
TIER_RANGES = {
    "achieved": (Decimal("0.80"), Decimal("1.00"), Decimal("1.00"), True),
    "partly": (Decimal("0.60"), Decimal("0.80"), Decimal("0.60"), False),
    "not_achieved": (Decimal("0.00"), Decimal("0.60"), Decimal("0.00"), False),
}

FAR_OVER = Decimal("1.30")
MIDYEAR_SHARE = Decimal("0.50")


class Rating(models.TextChoices):
    """评价等级 of a score (section 3.6)."""

    EXCELLENT = "excellent", gettext_lazy("优")
    GOOD = "good", gettext_lazy("良")
    FAIR = "fair", gettext_lazy("中")
    POOR = "poor", gettext_lazy("差")


class Flag(models.TextChoices):
    """Deviation flags of an indicator (section 3.7), worded as the evaluation pages show them."""

    TARGET_MISSED = "target_missed", gettext_lazy("未完成目标值")
    FAR_OVER_TARGET = "far_over_target", gettext_lazy("大幅超目标（≥130%），请说明目标是否偏低")
    MIDYEAR_BEHIND = "midyear_behind", gettext_lazy("半年完成值低于目标的50%")


class ScoringError(ValueError):
    """Indicator data that cannot be scored; the message is the user's."""


@dataclass(frozen=True)
class IndicatorInput:
    code: str
    level1: str  # output | benefit | satisfaction
    direction: str  # ge | le | eq | qualitative
    target: Decimal | None = None
    actual: Decimal | None = None
    midyear: Decimal | None = None
    points: Decimal | None = None
    tier: str = ""
    rate: Decimal | None = None  # 得分率 in percent, qualitative only
    # The mid-year flag applies to counts accumulated over the year (households, persons), not to
    # rates such as 受理率 ≥ 90 %, which are already comparable at mid-year. The selector sets it
    # from the unit of measure (indicators.selectors.is_annual_count).
    annual_count: bool = True


@dataclass(frozen=True)
class IndicatorScore:
    code: str
    level1: str
    points: Decimal
    ratio: Decimal | None
    earned: Decimal
    flags: tuple[Flag, ...]


@dataclass(frozen=True)
class Evaluation:
    execution_rate: Decimal | None
    execution_score: Decimal
    indicators: tuple[IndicatorScore, ...]
    raw: Decimal
    max: Decimal
    score: Decimal
    rating: Rating
    indicator_points: Decimal = field(default=ZERO)
    indicator_earned: Decimal = field(default=ZERO)


def execution_points(rate: Decimal | None) -> Decimal:
    """Execution points = 10 x min(execution rate, 1), rounded to 2 decimals (section 3.1).

    An undefined rate (no budget) earns nothing.
    """
    if rate is None:
        return ZERO
    return round_half_up(EXECUTION_POINTS * min(max(rate, ZERO), ONE))


def split_points(total: Decimal, count: int) -> list[Decimal]:
    """Split a level-1 total equally in cents, the last share taking the remainder (section 3.2).

    50 over 3 is 16.67 + 16.67 + 16.66.
    """
    if count <= 0:
        return []
    share = round_half_up(total / count)
    return [share] * (count - 1) + [total - share * (count - 1)]


def assign_points(indicators: Sequence[IndicatorInput]) -> list[Decimal]:
    """Points per indicator, in input order (section 3.2).

    Either every indicator carries points, totalling 90, or none does and the defaults
    (output 50, benefit 30, satisfaction 10) are split equally within each level.
    """
    given = [indicator.points is not None for indicator in indicators]
    if any(given) and not all(given):
        missing = [indicator.code for indicator in indicators if indicator.points is None]
        raise ScoringError(_("分值须全部填写或全部不填，以下指标缺少分值：%(codes)s") % {"codes": _("、").join(missing)})
    if all(given) and indicators:
        total = sum((indicator.points for indicator in indicators), ZERO)
        if total != INDICATOR_POINTS_TOTAL:
            raise ScoringError(_("各指标分值合计须为90，实为%(total)s") % {"total": total})
        return [indicator.points for indicator in indicators]
    points: list[Decimal] = [ZERO] * len(indicators)
    for level, level_total in DEFAULT_LEVEL_POINTS.items():
        positions = [index for index, indicator in enumerate(indicators) if indicator.level1 == level]
        for index, share in zip(positions, split_points(level_total, len(positions))):
            points[index] = share
    return points


def tier_ratio(tier: str, rate: Decimal | None) -> Decimal:
    """r of a qualitative indicator from its tier and optional 得分率 in percent (section 3.3)."""
    if tier not in TIER_RANGES:
        raise ScoringError(_("定性指标须填写定性等级（达成、部分达成、未达成）"))
    low, high, default, top_included = TIER_RANGES[tier]
    if rate is None:
        return default
    r = rate / HUNDRED
    if r < low or r > high or (r == high and not top_included):
        top = "]" if top_included else ")"
        raise ScoringError(
            _("得分率%(rate)s%%超出该定性等级的范围[%(low)s%%, %(high)s%%%(top)s")
            % {"rate": rate, "low": f"{low * HUNDRED:.0f}", "high": f"{high * HUNDRED:.0f}", "top": top}
        )
    return r


def completion_ratio(indicator: IndicatorInput) -> Decimal | None:
    """Completion ratio r from target t and year-end value a (section 3.3).

    None when the year-end value is not yet known.
    """
    if indicator.direction == "qualitative":
        if not indicator.tier:
            return None
        return tier_ratio(indicator.tier, indicator.rate)
    t, a = indicator.target, indicator.actual
    if t is None:
        raise ScoringError(_("定量指标须填写目标值"))
    if a is None:
        return None
    if indicator.direction == "ge":
        if t == ZERO or a >= t:
            return ONE
        return max(a, ZERO) / t
    if indicator.direction == "le":
        if a <= t:
            return ONE
        return ZERO if t == ZERO else t / a
    if indicator.direction == "eq":
        if a == t:
            return ONE
        high = max(a, t)
        return ZERO if high <= ZERO else max(min(a, t), ZERO) / high
    raise ScoringError(_("未知的指标方向：%(direction)s") % {"direction": indicator.direction})


def deviation_flags(indicator: IndicatorInput, ratio: Decimal | None) -> tuple[Flag, ...]:
    """Deviation flags (section 3.7). They are shown, never applied to the score.

    - target_missed: r < 1; the evaluator owes a reason and corrective measures.
    - far_over_target: a `≥` indicator whose year-end value is at least 130 % of its target.
    - midyear_behind: an annual count whose mid-year value is below 50 % of its target. Only
      `≥` and `=` targets accumulate towards the target over the year: for `≤` (a cost, a
      duration) a low mid-year value is good news, and a qualitative indicator has no value.
    """
    flags = []
    if ratio is not None and ratio < ONE:
        flags.append(Flag.TARGET_MISSED)
    t = indicator.target
    if indicator.direction == "ge" and t and indicator.actual is not None and indicator.actual >= t * FAR_OVER:
        flags.append(Flag.FAR_OVER_TARGET)
    if (
        indicator.direction in ("ge", "eq")
        and indicator.annual_count
        and t
        and t > ZERO
        and indicator.midyear is not None
        and indicator.midyear < t * MIDYEAR_SHARE
    ):
        flags.append(Flag.MIDYEAR_BEHIND)
    return tuple(flags)


def rating_for(score: Decimal) -> Rating:
    """≥ 90 优 excellent, ≥ 80 良 good, ≥ 60 中 fair, otherwise 差 poor (section 3.6)."""
    if score >= 90:
        return Rating.EXCELLENT
    if score >= 80:
        return Rating.GOOD
    if score >= 60:
        return Rating.FAIR
    return Rating.POOR


def evaluate(*, execution_rate: Decimal | None, indicators: Sequence[IndicatorInput]) -> Evaluation:
    """Score one scope: execution points plus earned indicator points, normalised to 100 (section 3.5)."""
    execution_score = execution_points(execution_rate)
    scores = []
    for indicator, points in zip(indicators, assign_points(indicators)):
        ratio = completion_ratio(indicator)
        earned = round_half_up(points * ratio) if ratio is not None else ZERO
        scores.append(
            IndicatorScore(
                code=indicator.code,
                level1=indicator.level1,
                points=points,
                ratio=ratio,
                earned=earned,
                flags=deviation_flags(indicator, ratio),
            )
        )
    indicator_points = sum((score.points for score in scores), ZERO)
    indicator_earned = sum((score.earned for score in scores), ZERO)
    raw = execution_score + indicator_earned
    maximum = EXECUTION_POINTS + indicator_points
    score = round_half_up(raw * HUNDRED / maximum)
    return Evaluation(
        execution_rate=execution_rate,
        execution_score=execution_score,
        indicators=tuple(scores),
        raw=raw,
        max=round_half_up(maximum),
        score=score,
        rating=rating_for(score),
        indicator_points=indicator_points,
        indicator_earned=indicator_earned,
    )
