"""Checking a filled 自评表 against its own figures (DOMAIN.md section 10).

`table_check` recomputes a table read by fundmgr.review.reader and lists, as findings of a fixed
list of kinds, every figure that does not agree:
- execution points = the table's own execution 分值 (10 when it has none) x min(spent ÷ full-year, 1);
- each indicator's earned points = 分值 x r, r the completion ratio of section 3 read from the
  target and actual texts (indicators.targets: a bare number is ≥, a missed date gives 0);
- both rounded half up to the precision of the table's own 得分 cells: the most decimals among
  their values as written, at most 2 (2 when the table gives none);
- score = execution points + Σ earned, with no rescaling; null as soon as one indicator cannot
  be read. Rating by indicators.scoring.rating_for.

Two readings the section leaves open, chosen as a finance officer reads a table:
- A 万元 table shows amounts rounded to 0.01 万元 (100 yuan), so its figures fix a rate only
  within that rounding: 执行率, execution 得分 and the 其中 sum are reported when they differ by
  more than the rounding of the shown amounts can explain ("尾数差异系四舍五入所致"); a 元 table
  is exact to the cent and gets no such slack.
- A qualitative indicator may earn any 得分率 inside its tier's range (section 3.3): a declared
  得分 inside the range of the actual value's tier is the evaluator's 得分率, not an override;
  outside it, the computed 得分 is the tier's default.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fundmgr.lib.money import HUNDRED, ZERO, round_half_up
from fundmgr.review import vocabulary as words
from fundmgr.review.reader import MONEY_PARTS, Entry, IndicatorRow, MoneyRow, SelfEvaluationTable, normal
from indicators import targets
from indicators.scoring import EXECUTION_POINTS, ONE, TIER_RANGES, Rating, rating_for

MAX_PLACES = 2
RATE_TOLERANCE = Decimal("0.01")  # percentage points
ROUNDING_SLACK = {words.WAN: Decimal("0.005")}  # half the last shown place of an amount, per money unit
POINTS_TOTAL = Decimal(100)


class Kind(models.TextChoices):
    """The fixed list of finding kinds (section 10), in the order a table's findings are listed."""

    MISSING = "missing", gettext_lazy("缺少数据")
    UNPARSED = "unparsed", gettext_lazy("无法识别")
    BUDGET_SUM = "budget_sum", gettext_lazy("资金合计不符")
    EXECUTION_RATE = "execution_rate", gettext_lazy("执行率不符")
    EXECUTION_POINTS = "execution_points", gettext_lazy("执行率得分不符")
    SCORE_OVERRIDE = "score_override", gettext_lazy("指标得分与公式不符")
    POINTS_TOTAL = "points_total", gettext_lazy("分值合计不为100")
    SCORE_SUM = "score_sum", gettext_lazy("总分与各项得分之和不符")
    RATING = "rating", gettext_lazy("自评等级与总分不符")


KIND_ORDER = {kind: index for index, kind in enumerate(Kind.values)}


@dataclass(frozen=True)
class Finding:
    row: int
    kind: str
    message: str


@dataclass(frozen=True)
class IndicatorCheck:
    source: IndicatorRow
    ratio: Decimal | None  # r, unrounded
    computed: Decimal | None  # earned, in the table's precision


@dataclass(frozen=True)
class TableCheck:
    table: SelfEvaluationTable
    places: int
    execution_rate: Decimal | None  # spent ÷ full-year, unrounded
    execution_points: Decimal | None
    indicator_points: Decimal | None  # Σ 分值 of the indicators
    score: Decimal | None
    rating: Rating | None
    indicators: tuple[IndicatorCheck, ...]
    findings: tuple[Finding, ...]


def places_of(table: SelfEvaluationTable) -> int:
    """The precision of the table's own 得分 cells: the most decimals written, at most 2."""
    entries = [indicator.earned for indicator in table.indicators]
    if table.total is not None:
        entries.append(table.total.earned)
    written = [entry.decimals for entry in entries if entry.value is not None]
    return min(max(written), MAX_PLACES) if written else MAX_PLACES


def shown(value: Decimal | None) -> str:
    """A figure in a message and in the JSON: 2 decimals, half up."""
    return "—" if value is None else f"{round_half_up(value):.2f}"


def _parsed_target(text: str, year: int | None) -> targets.Parsed:
    if normal(text) == words.QUALITATIVE_TARGET:
        # The table states the direction, not a target: the actual value's tier decides.
        return targets.Parsed(
            text=text, kind=targets.QUALITATIVE, direction=targets.QUALITATIVE, value=None, unit="", due=None, tier=None
        )
    return targets.parse(text, year=year)


def _within_tier(points: Decimal, declared: Decimal, tier: str, places: int) -> bool:
    low, high, _default, top_included = TIER_RANGES[tier]
    lowest, highest = round_half_up(points * low, places), round_half_up(points * high, places)
    return lowest <= declared <= highest and (top_included or declared < highest)


class _Findings:
    def __init__(self):
        self.found: list[Finding] = []

    def add(self, row: int, kind: Kind, message: str) -> None:
        self.found.append(Finding(row=row, kind=kind.value, message=message))

    def missing(self, row: int, what: str, name: str = "") -> None:
        where = _("“%(name)s”的") % {"name": name} if name else ""
        self.add(row, Kind.MISSING, _("第%(row)s行 %(where)s%(what)s未填写") % {"row": row, "where": where, "what": what})

    def unreadable(self, row: int, what: str, text: str, name: str = "") -> None:
        where = _("“%(name)s”的") % {"name": name} if name else ""
        self.add(
            row,
            Kind.UNPARSED,
            _("第%(row)s行 %(where)s%(what)s“%(text)s”无法识别") % {"row": row, "where": where, "what": what, "text": text},
        )

    def sorted(self) -> tuple[Finding, ...]:
        return tuple(sorted(self.found, key=lambda finding: (finding.row, KIND_ORDER[finding.kind])))


def _figure(entry: Entry, findings: _Findings, row: int, what: str, name: str = "", *, needed: bool = True) -> Decimal | None:
    """The value of a figure cell; a blank (when needed) or unreadable cell is a finding."""
    if entry.unreadable:
        findings.unreadable(row, what, entry.text, name)
    elif entry.blank and needed:
        findings.missing(row, what, name)
    return entry.value


def _indicator(indicator: IndicatorRow, table: SelfEvaluationTable, places: int, findings: _Findings) -> IndicatorCheck:
    row, name = indicator.row, indicator.name or indicator.target
    points = _figure(indicator.points, findings, row, _("分值"), name)
    declared = _figure(indicator.earned, findings, row, _("得分"), name)
    target = _parsed_target(indicator.target, table.year)
    actual = targets.parse(indicator.actual, year=table.year)
    ratio = None
    for parsed, what in ((target, _("年度指标值")), (actual, _("实际完成值"))):
        if parsed.kind == targets.BLANK:
            findings.missing(row, what, name)
        elif parsed.kind == targets.UNPARSED:
            findings.unreadable(row, what, parsed.text, name)
    if targets.UNPARSED not in (target.kind, actual.kind) and targets.BLANK not in (target.kind, actual.kind):
        ratio = targets.completion_ratio(target, actual)
        if ratio is None:
            findings.add(
                row,
                Kind.UNPARSED,
                _("第%(row)s行 “%(name)s”的年度指标值“%(target)s”与实际完成值“%(actual)s”无法比较")
                % {"row": row, "name": name, "target": target.text, "actual": actual.text},
            )
    if ratio is None or points is None:
        return IndicatorCheck(source=indicator, ratio=ratio, computed=None)
    computed = round_half_up(points * ratio, places)
    if (
        actual.kind == targets.QUALITATIVE
        and target.kind == targets.QUALITATIVE
        and declared is not None
        and points
        and _within_tier(points, declared, actual.tier, places)
    ):
        computed, ratio = declared, declared / points  # the evaluator's 得分率 inside the tier's range
    if declared is not None and declared != computed:
        findings.add(
            row,
            Kind.SCORE_OVERRIDE,
            _("第%(row)s行 “%(name)s”填报得分 %(declared)s，按公式应为 %(computed)s（分值 %(points)s × 完成率 %(ratio)s%%）")
            % {
                "row": row,
                "name": name,
                "declared": shown(declared),
                "computed": shown(computed),
                "points": shown(points),
                "ratio": shown(ratio * HUNDRED),
            },
        )
    return IndicatorCheck(source=indicator, ratio=ratio, computed=computed)


def _budget_sum(table: SelfEvaluationTable, slack: Decimal, findings: _Findings) -> None:
    total = table.total
    parts = [table.money[key] for key in MONEY_PARTS if key in table.money]
    if total is None or not parts:
        return
    for column, what in (("initial", _("年初预算数")), ("full_year", _("全年预算数")), ("spent", _("全年执行数"))):
        stated = getattr(total, column).value
        values = [getattr(part, column).value for part in parts if getattr(part, column).value is not None]
        if stated is None or not values:
            continue
        added = sum(values, ZERO)
        difference = abs(stated - added)
        # Each shown figure may be off by up to `slack` from the amount it rounds.
        if difference and difference >= slack * (len(values) + 1):
            findings.add(
                total.row,
                Kind.BUDGET_SUM,
                _("第%(row)s行 年度资金总额的%(column)s %(stated)s，不等于其中各项之和 %(added)s")
                % {"row": total.row, "column": what, "stated": shown(stated), "added": shown(added)},
            )


def _rate_bounds(spent: Decimal, full_year: Decimal, slack: Decimal) -> tuple[Decimal, Decimal | None]:
    """The lowest and highest spent ÷ full-year of the amounts that round to the shown ones."""
    low = max(spent - slack, ZERO) / (full_year + slack)
    high = (spent + slack) / (full_year - slack) if full_year - slack > 0 else None
    return low, high


def _execution(table: SelfEvaluationTable, places: int, slack: Decimal, findings: _Findings) -> tuple[Decimal | None, Decimal | None]:
    """(rate, execution points) computed, with the findings of the money row."""
    total = table.total
    if total is None:
        findings.missing(table.money_header_row, _("年度资金总额行"))
        return None, None
    row = total.row
    full_year = _figure(total.full_year, findings, row, _("全年预算数"))
    spent = _figure(total.spent, findings, row, _("全年执行数"))
    maximum = _figure(total.points, findings, row, _("分值"), needed=False)
    maximum = EXECUTION_POINTS if maximum is None else maximum
    declared_rate = _figure(total.rate, findings, row, _("执行率"), needed="rate" in table.money_columns)
    declared = _figure(total.earned, findings, row, _("预算执行得分"), needed="earned" in table.money_columns and maximum != 0)
    if full_year is None or spent is None:
        return None, None
    if not full_year:
        return None, ZERO  # no budget: an undefined rate earns nothing (section 3.1)
    rate = spent / full_year
    low, high = _rate_bounds(spent, full_year, slack)
    if declared_rate is not None and (
        declared_rate < low * HUNDRED - RATE_TOLERANCE or (high is not None and declared_rate > high * HUNDRED + RATE_TOLERANCE)
    ):
        findings.add(
            row,
            Kind.EXECUTION_RATE,
            _("第%(row)s行 执行率填报 %(declared)s%%，全年执行数 %(spent)s ÷ 全年预算数 %(full_year)s 为 %(computed)s%%")
            % {
                "row": row,
                "declared": shown(declared_rate),
                "spent": shown(spent),
                "full_year": shown(full_year),
                "computed": shown(rate * HUNDRED),
            },
        )
    points = round_half_up(maximum * min(rate, ONE), places)
    lowest = round_half_up(maximum * min(low, ONE), places)
    highest = round_half_up(maximum * min(high if high is not None else ONE, ONE), places)
    if declared is not None and not lowest <= declared <= highest:
        findings.add(
            row,
            Kind.EXECUTION_POINTS,
            _("第%(row)s行 预算执行得分填报 %(declared)s，按公式应为 %(computed)s（分值 %(maximum)s × 执行率 %(rate)s%%）")
            % {
                "row": row,
                "declared": shown(declared),
                "computed": shown(points),
                "maximum": shown(maximum),
                "rate": shown(min(rate, ONE) * HUNDRED),
            },
        )
    return rate, points


def _declared_totals(table: SelfEvaluationTable, findings: _Findings) -> None:
    """points_total, score_sum and rating: the declared figures against each other."""
    row = table.total_row or (table.indicators[-1].row if table.indicators else table.indicator_header_row)
    total = table.total
    maximum = total.points.value if total is not None and total.points.value is not None else EXECUTION_POINTS
    points = [indicator.points.value for indicator in table.indicators]
    if all(value is not None for value in points):
        indicator_points = sum(points, ZERO)
        if maximum + indicator_points != POINTS_TOTAL:
            findings.add(
                row,
                Kind.POINTS_TOTAL,
                _("第%(row)s行 分值合计 %(total)s（预算执行 %(execution)s + 绩效指标 %(indicators)s），应为 100.00")
                % {
                    "row": row,
                    "total": shown(maximum + indicator_points),
                    "execution": shown(maximum),
                    "indicators": shown(indicator_points),
                },
            )
    score = _figure(table.score, findings, row, _("总分"))
    execution = total.earned.value if total is not None else None
    if execution is None and maximum == 0:
        execution = ZERO
    earned = [indicator.earned.value for indicator in table.indicators]
    if score is not None and execution is not None and all(value is not None for value in earned):
        added = execution + sum(earned, ZERO)
        if score != added:
            findings.add(
                row,
                Kind.SCORE_SUM,
                _("第%(row)s行 总分填报 %(declared)s，预算执行得分与各指标得分之和为 %(added)s")
                % {"row": row, "declared": shown(score), "added": shown(added)},
            )
    if table.rating is not None and score is not None:
        expected = words.RATING_TEXT[rating_for(score)]
        if table.rating != expected:
            rating_row = table.rating_row or row
            findings.add(
                rating_row,
                Kind.RATING,
                _("第%(row)s行 自评等级填报“%(declared)s”，总分 %(score)s 对应的等级为“%(expected)s”")
                % {"row": rating_row, "declared": table.rating, "score": shown(score), "expected": expected},
            )


def table_check(table: SelfEvaluationTable) -> TableCheck:
    """The table recomputed by the rules of sections 3 and 10, with its findings."""
    findings = _Findings()
    places = places_of(table)
    slack = ROUNDING_SLACK.get(table.money_unit or "", ZERO)
    _budget_sum(table, slack, findings)
    rate, execution_points = _execution(table, places, slack, findings)
    checks = [_indicator(indicator, table, places, findings) for indicator in table.indicators]
    _declared_totals(table, findings)
    points = [indicator.points.value for indicator in table.indicators]
    indicator_points = sum(points, ZERO) if all(value is not None for value in points) else None
    computed = [check.computed for check in checks]
    score = None
    if execution_points is not None and all(value is not None for value in computed):
        score = execution_points + sum(computed, ZERO)
    return TableCheck(
        table=table,
        places=places,
        execution_rate=rate,
        execution_points=execution_points,
        indicator_points=indicator_points,
        score=score,
        rating=rating_for(score) if score is not None else None,
        indicators=tuple(checks),
        findings=findings.sorted(),
    )


# ---- the JSON of section 10 ----------------------------------------------------------------


_EMPTY_ROW = MoneyRow(row=0, label="")


def _amount(value: Decimal | None) -> str | None:
    return None if value is None else f"{round_half_up(value):.2f}"


def check_json(check: TableCheck, *, file: str) -> dict:
    """One table as `check_self_evaluation` prints it (section 10), keys in the section's order."""
    table = check.table
    total = table.total
    money = total or _EMPTY_ROW
    return {
        "file": file,
        "sheet": table.sheet,
        "kind": table.kind,
        "title": table.heading,
        "money_unit": table.money_unit,
        "budget": {
            "initial": _amount(money.initial.value),
            "full_year": _amount(money.full_year.value),
            "spent": _amount(money.spent.value),
            "execution_rate": _amount(money.rate.value),
        },
        "declared": {
            "execution_max": _amount(money.points.value),
            "execution_points": _amount(money.earned.value),
            "score": _amount(table.score.value),
            "rating": table.rating,
        },
        "computed": {
            "execution_rate": _amount(None if check.execution_rate is None else check.execution_rate * HUNDRED),
            "execution_points": _amount(check.execution_points),
            "indicator_points": _amount(check.indicator_points),
            "score": _amount(check.score),
            "rating": words.RATING_TEXT[check.rating] if check.rating is not None else None,
        },
        "indicators": [
            {
                "row": item.source.row,
                "level1": item.source.level1,
                "level2": item.source.level2,
                "name": item.source.name,
                "target": item.source.target or None,
                "actual": item.source.actual or None,
                "points": _amount(item.source.points.value),
                "declared": _amount(item.source.earned.value),
                "computed": _amount(item.computed),
                "ratio": _amount(None if item.ratio is None else item.ratio * HUNDRED),
            }
            for item in check.indicators
        ],
        "findings": [{"row": finding.row, "kind": finding.kind, "message": finding.message} for finding in check.findings],
    }

