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

# The default split of the indicator points over the levels when no 分值 is given: 50/30/10 of the
# default 90, that is 5:3:1 of whatever the profile leaves to the indicators (default_level_points).
LEVEL_SHARES = {"output": 5, "benefit": 3, "satisfaction": 1}

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
class ScoringProfile:
    """The scoring settings of a scope (DOMAIN.md section 9); the defaults are section 3 exactly.

    - execution_points: what the execution rate is worth, 10 (default), 20 or 0 (not scored);
      the indicators share the rest, 100 − execution_points;
    - places: the decimals earned points and execution points are rounded to, half up: 2
      (default), 1 or 0 (whole points). The score itself stays at 2 decimals (section 3.5).
    """

    execution_points: Decimal = EXECUTION_POINTS
    places: int = 2

    @property
    def indicator_points_total(self) -> Decimal:
        return HUNDRED - self.execution_points


DEFAULT_PROFILE = ScoringProfile()


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
    # The evaluator's 得分 when it differs from the formula's (section 9); None: the formula's.
    override: Decimal | None = None


@dataclass(frozen=True)
class IndicatorScore:
    code: str
    level1: str
    points: Decimal
    ratio: Decimal | None
    earned: Decimal  # what the score uses: the override when there is one, else computed_earned
    flags: tuple[Flag, ...]
    computed_earned: Decimal | None = None  # the formula's points × r; None: same as earned

    @property
    def overridden(self) -> bool:
        """Whether the evaluator's 得分 replaced the formula's."""
        return self.computed_earned is not None

    @property
    def formula_earned(self) -> Decimal:
        """The formula's earned points, whether or not an override replaces them."""
        return self.earned if self.computed_earned is None else self.computed_earned


@dataclass(frozen=True)
class Evaluation:
    execution_rate: Decimal | None
    execution_score: Decimal
    indicators: tuple[IndicatorScore, ...]
    raw: Decimal
    max: Decimal
    score: Decimal | None  # None for a draft
    rating: Rating | None  # None for a draft
    indicator_points: Decimal = field(default=ZERO)
    indicator_earned: Decimal = field(default=ZERO)
    execution_max: Decimal = field(default=EXECUTION_POINTS)  # the profile's execution points
    # Codes of the indicators still without a year-end value (全年完成值, 定性等级) or an
    # evaluator's 得分, in input order (section 9).
    missing: tuple[str, ...] = ()

    @property
    def draft(self) -> bool:
        """A draft: some year-end value is still blank, so there is no score (section 9). raw and
        the earned points are then what the filled-in indicators earn so far."""
        return bool(self.missing)


def execution_points(rate: Decimal | None, profile: ScoringProfile = DEFAULT_PROFILE) -> Decimal:
    """Execution points = points x min(execution rate, 1), rounded to the profile's decimals
    (sections 3.1 and 9; 10 points and 2 decimals by default). 20 points at 76 % is 15.20.

    An undefined rate (no budget) earns nothing, as does a profile that does not score execution.
    """
    if rate is None:
        return ZERO
    return round_half_up(profile.execution_points * min(max(rate, ZERO), ONE), profile.places)


def default_level_points(total: Decimal = INDICATOR_POINTS_TOTAL, places: int = 2) -> dict[str, Decimal]:
    """The level totals when no 分值 is given: `total` split 5:3:1 over output, benefit and
    satisfaction, rounded half up to the profile's decimals (cents by default), satisfaction
    taking the remainder so the three sum exactly.

    90 (the default) gives 50/30/10 exactly, whatever the decimals; 80 (execution worth 20)
    gives 44.44/26.67/8.89; 100 (execution not scored) gives 55.56/33.33/11.11, or 56/33/11 in
    whole points. Points in the profile's decimals let a met indicator earn its points exactly.
    """
    shares = sum(LEVEL_SHARES.values())
    output = round_half_up(total * LEVEL_SHARES["output"] / shares, places)
    benefit = round_half_up(total * LEVEL_SHARES["benefit"] / shares, places)
    return {"output": output, "benefit": benefit, "satisfaction": total - output - benefit}


def split_points(total: Decimal, count: int, places: int = 2) -> list[Decimal]:
    """Split a level-1 total equally in cents (or the profile's decimals), the last share taking
    the remainder (section 3.2).

    50 over 3 is 16.67 + 16.67 + 16.66; in whole points 17 + 17 + 16.
    """
    if count <= 0:
        return []
    share = round_half_up(total / count, places)
    return [share] * (count - 1) + [total - share * (count - 1)]


def assign_points(indicators: Sequence[IndicatorInput], profile: ScoringProfile = DEFAULT_PROFILE) -> list[Decimal]:
    """Points per indicator, in input order (sections 3.2 and 9).

    Either every indicator carries points, totalling the profile's indicator total (90 by
    default, 80 when execution is worth 20, 100 when it is not scored), or none does and the
    level totals of default_level_points (output 50, benefit 30, satisfaction 10 by default) are
    split equally within each level, in the profile's decimals.
    """
    expected = profile.indicator_points_total
    given = [indicator.points is not None for indicator in indicators]
    if any(given) and not all(given):
        missing = [indicator.code for indicator in indicators if indicator.points is None]
        raise ScoringError(_("分值须全部填写或全部不填，以下指标缺少分值：%(codes)s") % {"codes": _("、").join(missing)})
    if all(given) and indicators:
        total = sum((indicator.points for indicator in indicators), ZERO)
        if total != expected:
            if expected == INDICATOR_POINTS_TOTAL:
                raise ScoringError(_("各指标分值合计须为90，实为%(total)s") % {"total": total})
            raise ScoringError(
                _("各指标分值合计须为%(expected)s（100减预算执行率分值%(execution)s），实为%(total)s")
                % {"expected": expected, "execution": profile.execution_points, "total": total}
            )
        return [indicator.points for indicator in indicators]
    points: list[Decimal] = [ZERO] * len(indicators)
    for level, level_total in default_level_points(expected, profile.places).items():
        positions = [index for index, indicator in enumerate(indicators) if indicator.level1 == level]
        for index, share in zip(positions, split_points(level_total, len(positions), profile.places)):
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


def check_override(override: Decimal, points: Decimal) -> None:
    """An evaluator's 得分 lies within 0..the indicator's points (section 9)."""
    if override < ZERO or override > points:
        raise ScoringError(_("评价人得分%(override)s须在0至分值%(points)s之间") % {"override": override, "points": points})


def evaluate(
    *,
    execution_rate: Decimal | None,
    indicators: Sequence[IndicatorInput],
    profile: ScoringProfile = DEFAULT_PROFILE,
    year_end: bool = True,
) -> Evaluation:
    """Score one scope: execution points plus earned indicator points, normalised to 100
    (sections 3.5 and 9).

    Drafts (section 9): an indicator with no year-end value (全年完成值, or a qualitative one's
    定性等级) and no override is listed in `missing`, and the evaluation is then unscored: score
    and rating None. `year_end=False` is a view before December (indicators.selectors.is_scored),
    when no year-end value is due yet: nothing is missing, and the score, from the values known
    then, is not one to show.

    The profile sets what execution is worth and the decimals of earned and execution points.
    An indicator's override (the evaluator's 得分) replaces its formula's earned points in the
    score; both are kept on its IndicatorScore (earned, computed_earned).
    Max = the profile's execution points + Σ points; score = raw × 100 ÷ max, 2 decimals.
    """
    execution_score = execution_points(execution_rate, profile)
    scores = []
    for indicator, points in zip(indicators, assign_points(indicators, profile)):
        ratio = completion_ratio(indicator)
        # Rounded to the profile's decimals, never above the points: given 分值 in cents under
        # whole points, a met indicator worth 16.66 earns 16.66, not 17.
        earned = min(round_half_up(points * ratio, profile.places), points) if ratio is not None else ZERO
        computed = None
        if indicator.override is not None:
            check_override(indicator.override, points)
            computed, earned = earned, indicator.override
        scores.append(
            IndicatorScore(
                code=indicator.code,
                level1=indicator.level1,
                points=points,
                ratio=ratio,
                earned=earned,
                flags=deviation_flags(indicator, ratio),
                computed_earned=computed,
            )
        )
    indicator_points = sum((score.points for score in scores), ZERO)
    indicator_earned = sum((score.earned for score in scores), ZERO)
    raw = execution_score + indicator_earned
    maximum = profile.execution_points + indicator_points
    missing = tuple(
        indicator.code
        for indicator, score in zip(indicators, scores)
        if year_end and score.ratio is None and indicator.override is None
    )
    score = None if missing else round_half_up(raw * HUNDRED / maximum)
    return Evaluation(
        execution_rate=execution_rate,
        execution_score=execution_score,
        indicators=tuple(scores),
        raw=raw,
        max=round_half_up(maximum),
        score=score,
        rating=None if score is None else rating_for(score),
        indicator_points=indicator_points,
        indicator_earned=indicator_earned,
        execution_max=profile.execution_points,
        missing=missing,
    )
