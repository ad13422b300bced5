"""Targets and values written as text, read as the tables write them (DOMAIN.md section 9).

One parser for every place a 年度指标值 or a 实际完成值 arrives as text: the entry forms, the
workbook import and the finance bureau's check of filled 自评表 (section 10). Pure functions over
strings: nothing here touches the database.

What it reads (after full-width forms are folded: ９８％ is 98%, ５，０００ is 5,000):
- a number with a unit and a direction: `≥200平方米`, `98%以上`, `≤10天`, `不超过5%`, `5,000户`,
  `1.2万人次` (万 and 亿 multiply, except in the money units 万元 and 亿元, which are units of their
  own). The direction is a symbol or word before the number or a word after it; a number with
  neither reads as ≥ (section 10). Strict words (大于, 少于, 低于 …) read as ≥ / ≤: a table that
  writes 少于5% means "5 % at most", and the scoring of section 3 has no strict comparison;
- a date: `12月底前`, `2024年10月31日前`, `2024-10-31`, `年底前`, `上半年`. 前 (or no word) reads as
  "on or before" (le), 后 as "on or after" (ge). The year comes from the text, else from the
  `year` argument; a date with neither cannot be placed and is unparsed;
- a qualitative phrase (`达到预期`, `效果明显`, `基本达成` …), mapped to a tier of section 3 by a
  list the finance office can edit (`phrases`; DEFAULT_PHRASES otherwise);
- a blank cell, or one holding only a dash or a slash, is blank.

Anything else is "unparsed", never guessed: `详见附件`, `≥abc`, `约5000户`, `90%-95%`, `10月前`
(before October, or by the end of it?), `10月` (a month, or ten months?).
"""

import calendar
import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from fundmgr.lib.money import ZERO
from indicators import scoring

NUMBER, DATE, QUALITATIVE, BLANK, UNPARSED = "number", "date", "qualitative", "blank", "unparsed"
KINDS = (NUMBER, DATE, QUALITATIVE, BLANK, UNPARSED)
AT_LEAST, AT_MOST, EQUAL = "ge", "le", "eq"  # Indicator.Direction values
ACHIEVED, PARTLY, NOT_ACHIEVED = "achieved", "partly", "not_achieved"  # Indicator.Tier values

# The one set of symbols before a target: the labels of Indicator.Direction, which the pages, the
# xlsx and the Word report print (indicators.wording).
SYMBOLS = {AT_LEAST: "≥", AT_MOST: "≤", EQUAL: "="}

# The canonical phrase of each tier: Indicator.Tier's words.
TIER_PHRASES = {ACHIEVED: "达成", PARTLY: "部分达成", NOT_ACHIEVED: "未达成"}

# Phrase -> tier (section 3's 达成 / 部分达成 / 未达成). The finance office edits its own copy; this
# is the list a department starts with. The words of a target (达到预期, 有所提升) are the words of
# an actual value that met it, so they read as achieved. Ratings and satisfaction scales follow
# the rating bands of section 3.6: 优 and 良 (≥ 80) achieved, 中 (≥ 60) partly, 差 not achieved.
DEFAULT_PHRASES: dict[str, str] = {
    # achieved
    "达成": ACHIEVED,
    "已达成": ACHIEVED,
    "达到": ACHIEVED,
    "已达到": ACHIEVED,
    "达到预期": ACHIEVED,
    "已达到预期": ACHIEVED,
    "达到预期目标": ACHIEVED,
    "达到预期效果": ACHIEVED,
    "实现": ACHIEVED,
    "已实现": ACHIEVED,
    "完成": ACHIEVED,
    "已完成": ACHIEVED,
    "全部完成": ACHIEVED,
    "按时完成": ACHIEVED,
    "按期完成": ACHIEVED,
    "效果明显": ACHIEVED,
    "效果显著": ACHIEVED,
    "成效明显": ACHIEVED,
    "成效显著": ACHIEVED,
    "明显": ACHIEVED,
    "显著": ACHIEVED,
    "有所提升": ACHIEVED,
    "有所提高": ACHIEVED,
    "明显提升": ACHIEVED,
    "明显提高": ACHIEVED,
    "显著提升": ACHIEVED,
    "好": ACHIEVED,
    "较好": ACHIEVED,
    "良好": ACHIEVED,
    "很好": ACHIEVED,
    "优": ACHIEVED,
    "优秀": ACHIEVED,
    "良": ACHIEVED,
    "满意": ACHIEVED,
    "非常满意": ACHIEVED,
    "较满意": ACHIEVED,
    "比较满意": ACHIEVED,
    "符合": ACHIEVED,
    "合格": ACHIEVED,
    "有效": ACHIEVED,
    "是": ACHIEVED,
    # partly
    "部分达成": PARTLY,
    "基本达成": PARTLY,
    "基本达到": PARTLY,
    "基本达到预期": PARTLY,
    "部分达到": PARTLY,
    "基本实现": PARTLY,
    "部分实现": PARTLY,
    "基本完成": PARTLY,
    "部分完成": PARTLY,
    "一般": PARTLY,
    "中": PARTLY,
    "基本满意": PARTLY,
    "基本符合": PARTLY,
    "基本合格": PARTLY,
    # not achieved
    "未达成": NOT_ACHIEVED,
    "未达到": NOT_ACHIEVED,
    "未达到预期": NOT_ACHIEVED,
    "未实现": NOT_ACHIEVED,
    "未完成": NOT_ACHIEVED,
    "差": NOT_ACHIEVED,
    "较差": NOT_ACHIEVED,
    "不满意": NOT_ACHIEVED,
    "不符合": NOT_ACHIEVED,
    "不合格": NOT_ACHIEVED,
    "无效": NOT_ACHIEVED,
    "否": NOT_ACHIEVED,
}

# Before the number. Longest first, so that 不超过 is not read as 超过, nor >= as >.
PREFIX_WORDS = {
    "大于等于": AT_LEAST,
    "不低于": AT_LEAST,
    "不少于": AT_LEAST,
    "不小于": AT_LEAST,
    "至少": AT_LEAST,
    "≥": AT_LEAST,
    "≧": AT_LEAST,
    "⩾": AT_LEAST,
    ">=": AT_LEAST,
    "大于": AT_LEAST,
    "高于": AT_LEAST,
    "多于": AT_LEAST,
    "超过": AT_LEAST,
    "达到": AT_LEAST,
    ">": AT_LEAST,
    "小于等于": AT_MOST,
    "不高于": AT_MOST,
    "不超过": AT_MOST,
    "不多于": AT_MOST,
    "不大于": AT_MOST,
    "不晚于": AT_MOST,
    "控制在": AT_MOST,
    "至多": AT_MOST,
    "≤": AT_MOST,
    "≦": AT_MOST,
    "⩽": AT_MOST,
    "<=": AT_MOST,
    "小于": AT_MOST,
    "低于": AT_MOST,
    "少于": AT_MOST,
    "不足": AT_MOST,
    "<": AT_MOST,
    "等于": EQUAL,
    "=": EQUAL,
    "═": EQUAL,
}
# Words before a count that state no direction: 完成5000户, 累计1.2万人次.
NEUTRAL_PREFIXES = ("累计完成", "实际完成", "已完成", "完成", "累计", "共计", "共")
SUFFIX_WORDS = {
    "(含)以上": AT_LEAST,
    "及以上": AT_LEAST,
    "或以上": AT_LEAST,
    "以上": AT_LEAST,
    "(含)以下": AT_MOST,
    "及以下": AT_MOST,
    "或以下": AT_MOST,
    "以下": AT_MOST,
    "以内": AT_MOST,
    "之内": AT_MOST,
    "内": AT_MOST,
}
DATE_SUFFIXES = {"以前": AT_MOST, "之前": AT_MOST, "前": AT_MOST, "以后": AT_LEAST, "之后": AT_LEAST, "后": AT_LEAST}
DATE_PREFIXES = {**PREFIX_WORDS, "不早于": AT_LEAST, "已于": None, "于": None}
BLANK_MARKS = {"", "-", "--", "—", "——", "–", "/", "\\"}

# 万 and 亿 multiply a count; before 元 they are part of the money unit, as the reports write it.
MULTIPLIERS = {"万": Decimal("10000"), "亿": Decimal("100000000")}
MONEY_UNITS = {"元": Decimal("1"), "万元": Decimal("10000"), "亿元": Decimal("100000000")}

_NUMBER = re.compile(r"([+-]?)([0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(\.[0-9]+)?(.*)")
# A unit is a percent sign, or a few letters (平方米, 人次, 万元/人, m²) that are not a direction,
# a date or a function word of a sentence (不, 以, 于 …).
_WORD = r"[A-Za-z㎡\u4e00-\u9fff][A-Za-z²³㎡\u4e00-\u9fff]*"
_UNIT = re.compile(rf"[%‰]|{_WORD}(?:[/·]{_WORD})?")
_UNIT_MAX = 10
_NOT_IN_UNIT = re.compile(
    r"前|后|底|末|内|[不于以已未约近万亿]|" + "|".join(re.escape(word) for word in (*PREFIX_WORDS, *SUFFIX_WORDS))
)
_YEAR = r"(?:([0-9]{4})年)?"
_DATES = (
    # (pattern, fixed month, fixed day). A pattern's groups are the year (None: not written), then
    # the month and the day unless they are fixed; no day group means the month's last (12月底).
    (re.compile(r"([0-9]{4})[-/.]([0-9]{1,2})[-/.]([0-9]{1,2})[日号]?"), None, None),
    (re.compile(_YEAR + r"([0-9]{1,2})月([0-9]{1,2})[日号]"), None, None),
    (re.compile(_YEAR + r"([0-9]{1,2})月份?(?:底|末)"), None, None),
    (re.compile(r"(?:([0-9]{4})年?)?年(?:底|末|内)"), 12, 31),
    (re.compile(_YEAR + r"上半年(?:底|末|内)?"), 6, 30),
    (re.compile(_YEAR + r"下半年(?:底|末|内)?"), 12, 31),
)

# Full-width ASCII forms and the ideographic space, as Chinese input methods type them.
_FOLD = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)}
_FOLD.update({0x3000: " ", 0xFE66: "=", 0xFE6A: "%", 0xFE50: ",", 0xFE52: "."})
_TRAILING = "。.！!；;，,"


@dataclass(frozen=True)
class Parsed:
    text: str  # the text as written (stripped)
    kind: str  # number | date | qualitative | blank | unparsed
    direction: str | None  # ge | le | eq for numbers and dates, "qualitative" for phrases, None otherwise
    value: Decimal | None  # the number in its unit: 1.2万人次 is 12000 人次
    unit: str  # %, 平方米, 天, 户, 人次, 万元, "" …
    due: date | None  # a date target or value
    tier: str | None  # achieved | partly | not_achieved, for a phrase


def _folded(text: str) -> str:
    """Full-width forms folded, every space removed, trailing punctuation dropped."""
    return re.sub(r"\s+", "", text.translate(_FOLD)).rstrip(_TRAILING)


def _blank(text: str) -> Parsed:
    return Parsed(text=text, kind=BLANK, direction=None, value=None, unit="", due=None, tier=None)


def _unparsed(text: str) -> Parsed:
    return Parsed(text=text, kind=UNPARSED, direction=None, value=None, unit="", due=None, tier=None)


def _strip_prefix(body: str, words: dict[str, str | None]) -> tuple[str, str | None]:
    """(rest, direction) for the longest word of `words` that `body` begins with."""
    for word in sorted(words, key=len, reverse=True):  # 不超过 before 超过, >= before >
        if body.startswith(word):
            return body[len(word) :], words[word]
    return body, None


def _strip_suffix(body: str, words: dict[str, str | None]) -> tuple[str, str | None]:
    """(rest, direction) for the longest word of `words` that `body` ends with, leaving something."""
    for word in sorted(words, key=len, reverse=True):  # 及以上 before 以上, 以内 before 内
        if body.endswith(word) and len(body) > len(word):
            return body[: -len(word)], words[word]
    return body, None


def _one_direction(*directions: str | None) -> tuple[str | None, bool]:
    """The direction stated, and whether the statements agree (≥95%以上 agrees; ≥95%以内 does not)."""
    stated = {direction for direction in directions if direction is not None}
    if len(stated) > 1:
        return None, False
    return (stated.pop() if stated else None), True


def _date(body: str, year: int | None) -> tuple[date | None, str | None] | None:
    """(due, direction) of a date, None when `body` is not one; a due of None when it is a date
    that cannot be placed (no year anywhere, or 2月30日)."""
    # 12月底前完成, 于2024年10月20日完成: 完成 after the date or after its 前.
    body = body.removesuffix("完成")
    body, before = _strip_prefix(body, DATE_PREFIXES)
    body, after = _strip_suffix(body, DATE_SUFFIXES)
    body = body.removesuffix("完成")
    for pattern, fixed_month, fixed_day in _DATES:
        match = pattern.fullmatch(body)
        if not match:
            continue
        groups = match.groups()
        written_year = int(groups[0]) if groups[0] else year
        direction, agree = _one_direction(before, after)
        if written_year is None or not agree:
            return None, None
        month = fixed_month or int(groups[1])
        if not 1 <= month <= 12:
            return None, None
        last = calendar.monthrange(written_year, month)[1]
        day = fixed_day or (int(groups[2]) if len(groups) > 2 and groups[2] else last)
        if not 1 <= day <= last:
            return None, None
        return date(written_year, month, day), direction or AT_MOST
    return None


def _multiplied(unit: str) -> bool:
    """Whether a unit begins with 万 or 亿 as a multiplier (万人次), not as part of 万元."""
    return unit[:1] in MULTIPLIERS and unit[1:2] != "元"


def _number(body: str) -> tuple[Decimal, str, str | None] | None:
    """(value, unit, direction) of a number with its unit and direction words, None when unread."""
    body, before = _strip_prefix(body, PREFIX_WORDS)
    if before is None:
        body, _ = _strip_prefix(body, dict.fromkeys(NEUTRAL_PREFIXES))
    body, after = _strip_suffix(body, SUFFIX_WORDS)
    direction, agree = _one_direction(before, after)
    match = _NUMBER.fullmatch(body)
    if not agree or not match:
        return None
    sign, whole, fraction, unit = match.groups()
    value = Decimal(f"{sign}{whole.replace(',', '')}{fraction or ''}")
    if _multiplied(unit):
        value *= MULTIPLIERS[unit[0]]
        unit = unit[1:]
    # 万 and 亿 are no part of a unit but 万元 and 亿元; 10月 is a month or ten months: not guessed.
    words = unit[1:] if unit[:2] in MONEY_UNITS else unit
    if unit and (len(unit) > _UNIT_MAX or not _UNIT.fullmatch(unit) or _NOT_IN_UNIT.search(words) or unit == "月"):
        return None
    return value, unit, direction or AT_LEAST


def parse(text: str | None, *, year: int | None = None, phrases: dict[str, str] | None = None) -> Parsed:
    """Read a 年度指标值 or 实际完成值 as written (DOMAIN.md section 9).

    `year` places a date written without one (12月底前); `phrases` is the finance office's list of
    qualitative phrases, DEFAULT_PHRASES when not given. A text that cannot be read is "unparsed".
    """
    written = (text or "").strip()
    body = _folded(written)
    if body in BLANK_MARKS:
        return _blank(written)
    tiers = DEFAULT_PHRASES if phrases is None else {_folded(phrase): tier for phrase, tier in phrases.items()}
    if body in tiers:
        if tiers[body] not in TIER_PHRASES:
            raise ValueError(f"unknown tier {tiers[body]!r} for the phrase {body!r}")
        return Parsed(text=written, kind=QUALITATIVE, direction=QUALITATIVE, value=None, unit="", due=None, tier=tiers[body])
    placed = _date(body, year)
    if placed is not None:
        due, direction = placed
        if due is None:
            return _unparsed(written)
        return Parsed(text=written, kind=DATE, direction=direction, value=None, unit="", due=due, tier=None)
    read = _number(body)
    if read is None:
        return _unparsed(written)
    value, unit, direction = read
    return Parsed(text=written, kind=NUMBER, direction=direction, value=value, unit=unit, due=None, tier=None)


def plain_number(value: Decimal | None) -> str:
    """A value without trailing zeros or an exponent: 5000.0000 -> "5000", 95.5000 -> "95.5"."""
    if value is None:
        return ""
    # Not value.normalize(): it rounds to the context's 28 digits, and a value must read back exactly.
    text = f"{value:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def number_text(direction: str, value: Decimal | None, unit: str) -> str:
    """A number target as every page and export writes it: ≥5000户, ≤12.5万元, =100%."""
    return f"{SYMBOLS.get(direction, '')}{plain_number(value)}{unit}"


def date_text(direction: str, due: date, *, year: int | None = None) -> str:
    """A date target: 2024年10月31日前 (on or before), …后 (on or after), =2024年10月31日; the year
    is left out when it is `year`, the evaluation's own (12月31日前)."""
    written = f"{due.month}月{due.day}日" if due.year == year else f"{due.year}年{due.month}月{due.day}日"
    if direction == EQUAL:
        return f"{SYMBOLS[EQUAL]}{written}"
    return f"{written}{'后' if direction == AT_LEAST else '前'}"


def render(parsed: Parsed, *, year: int | None = None) -> str:
    """The canonical text of a parsed value; parse(render(p)) equals p but for `text`.

    Numbers as number_text writes them, dates as date_text (pass the same `year` to both functions
    to leave the year out), a phrase as written when DEFAULT_PHRASES gives it the same tier, else its
    tier's words (达成, 部分达成, 未达成). A blank renders as "", an unparsed text as written.
    """
    if parsed.kind == NUMBER:
        return number_text(parsed.direction, parsed.value, parsed.unit)
    if parsed.kind == DATE:
        return date_text(parsed.direction, parsed.due, year=year)
    if parsed.kind == QUALITATIVE:
        phrase = _folded(parsed.text)
        return phrase if DEFAULT_PHRASES.get(phrase) == parsed.tier else TIER_PHRASES[parsed.tier]
    if parsed.kind == BLANK:
        return ""
    return parsed.text


def _in_unit(actual: Parsed, unit: str) -> Decimal | None:
    """The actual value in the target's unit: the same unit, a bare number, or 元 / 万元 / 亿元."""
    if not actual.unit or not unit or actual.unit == unit:
        return actual.value
    if actual.unit in MONEY_UNITS and unit in MONEY_UNITS:
        return actual.value * MONEY_UNITS[actual.unit] / MONEY_UNITS[unit]
    return None


def completion_ratio(target: Parsed, actual: Parsed) -> Decimal | None:
    """Section 3's completion ratio r, unrounded, of a target and an actual value read from text.

    - a number: the ≥ / ≤ / = rules of indicators.scoring, the actual in the target's unit (units
      must match when both are written; 元, 万元 and 亿元 convert);
    - a date: 1 when the actual date is on or before the due date (after it for 后, on it for =),
      else 0 (section 10: a missed date gives 0). An actual phrase of the achieved tier (已完成,
      按时完成) meets it; any other phrase (未完成, 基本完成) misses it;
    - a phrase: the actual phrase's tier at its default ratio (1, 0.6, 0; scoring.tier_ratio).

    None when either side is blank or unparsed, or the two cannot be compared (% against 天, a
    number against a phrase).
    """
    if target.kind == NUMBER and actual.kind == NUMBER:
        value = _in_unit(actual, target.unit)
        if value is None:
            return None
        return scoring.completion_ratio(
            scoring.IndicatorInput(code="", level1="", direction=target.direction, target=target.value, actual=value)
        )
    if target.kind == DATE and actual.kind == DATE:
        met = {
            AT_MOST: actual.due <= target.due,
            AT_LEAST: actual.due >= target.due,
            EQUAL: actual.due == target.due,
        }[target.direction]
        return scoring.ONE if met else ZERO
    if target.kind == DATE and actual.kind == QUALITATIVE:
        return scoring.ONE if actual.tier == ACHIEVED else ZERO
    if target.kind == QUALITATIVE and actual.kind == QUALITATIVE:
        return scoring.tier_ratio(actual.tier, None)
    return None


def derived_tier(target: Parsed, actual: Parsed) -> str | None:
    """The 定性等级 a year-end text gives when the evaluator chose none (DOMAIN.md section 9).

    - a date target (12月底前): achieved when the actual date (or an achieved phrase: 按时完成)
      meets it, else not achieved: completion_ratio's 1 or 0;
    - any other target: the actual phrase's tier (基本达成 is partly achieved).

    None when the actual says nothing of a tier (a number, a blank) or cannot meet a date target.
    """
    if target.kind == DATE:
        ratio = completion_ratio(target, actual)
        if ratio is None:
            return None
        return ACHIEVED if ratio == scoring.ONE else NOT_ACHIEVED
    if actual.kind == QUALITATIVE:
        return actual.tier
    return None
