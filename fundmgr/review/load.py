"""Loading a filled 自评表 into an evaluation (DOMAIN.md sections 9 and 10).

The finance office uploads the 项目支出绩效自评表 of one of its items; the reader finds the table,
the checker lists its findings, and this module writes what the table declares through the
indicators' services, all or nothing:

- the table: the workbook's only 项目支出绩效自评表, or, among several, the one whose 项目名称 is
  the item's (its name, or its code and name as our export writes it); otherwise refused;
- rows and indicators are paired by 指标名称 (reader.normal: blanks and full-width forms
  folded). A row without an indicator of that name, an indicator without a row, and names
  that occur twice are reported, never guessed;
- each paired row's 全年完成值 is read with indicators.targets.parse and stored with its text: a
  number (in the indicator's unit) for a quantitative indicator, a qualitative phrase (its tier),
  or a date against a date target, for a 定性 one; a blank cell blanks the value (a draft,
  section 9);
- its 偏差原因分析及改进措施 is split at “改进措施：” as the workbook import does (or at our own
  export's “措施：”); a blank cell, or 无偏差, leaves the stored texts as they are;
- its declared 得分 becomes the evaluator's override when it differs from the formula's earned
  points under the new values, with the reason “自评表上传：<file>”; equal to the formula's, an
  earlier override is cleared; a blank 得分 leaves any override as it is. An override already
  holding the declared figure is kept as it is, so re-uploading an unchanged export writes none;
- the 年度总体目标: its 实际完成情况, and its 预期目标 when the item has none yet.

Any row that cannot be applied (an unreadable value, a unit that differs, an override above its
points, a missed target of a final evaluation without its reasons …) refuses the whole upload:
nothing is written, and every problem is listed by row. An applied upload is recorded with the
checker's findings (indicators.models.EvaluationUpload), which the evaluation page then shows.

The department's 部门整体支出绩效自评表 goes the same way into the department-level indicators
(item None), when the caller offers it.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from fundmgr.lib.money import round_half_up
from fundmgr.review.checker import TableCheck, table_check
from fundmgr.review.reader import DEPARTMENT, PROJECT, IndicatorRow, NotASelfEvaluation, SelfEvaluationTable, normal, read_tables
from fundmgr.review.vocabulary import DEVIATION_SEPARATORS, FULL_STOP, MEASURES_LABEL, NONE_WORDS, REASON_LABEL
from fundmgr.workbook.ledger import split_deviation
from indicators import targets
from indicators.forms import TEXT_MAX_LENGTH, VALUE_DIGITS
from indicators.models import GOAL_TEXT_MAX, TEXT_VALUE_MAX, AnnualGoal, EvaluationUpload, Indicator
from indicators.scoring import ScoringError
from indicators.selectors import department_phrases, scope_evaluation, scope_profile, with_ledger_values
from indicators.services import (
    annual_goal_set,
    evaluation_upload_record,
    indicator_clear_override,
    indicator_set_override,
    indicator_update_results,
)
from indicators.wording import DEVIATION_STATEMENTS, NO_DEVIATION
from projects.models import BudgetItem
from units.models import DepartmentYear

SCORE_PLACES = 2  # Indicator.override_earned
SCORE_LIMIT = Decimal(10) ** 6  # EvaluationUpload's 总分 fields; a larger figure is no 总分
VALUE_LIMIT = Decimal(10) ** (VALUE_DIGITS["max_digits"] - VALUE_DIGITS["decimal_places"])


@dataclass(frozen=True)
class Problem:
    """Why the upload was refused: the message names the row when there is one."""

    row: int | None
    message: str


@dataclass
class LoadResult:
    """What an upload did, or why it did nothing (`problems`)."""

    file_name: str
    table: SelfEvaluationTable | None = None
    check: TableCheck | None = None
    problems: list[Problem] = field(default_factory=list)
    unmatched: list[dict] = field(default_factory=list)  # [{row, message}]
    changed: list[str] = field(default_factory=list)  # names of the indicators whose results changed
    overridden: list[str] = field(default_factory=list)
    cleared: list[str] = field(default_factory=list)
    goal_changed: bool = False
    upload: EvaluationUpload | None = None

    @property
    def applied(self) -> bool:
        return self.upload is not None

    @property
    def findings(self) -> list[dict]:
        if self.check is None:
            return []
        return [{"row": f.row, "kind": f.kind, "message": f.message} for f in self.check.findings]


class _Refused(Exception):
    """Rolls the upload's transaction back once every problem is listed."""


def override_reason(file_name: str) -> str:
    return _("自评表上传：%(file)s") % {"file": file_name}


# ---- the table -----------------------------------------------------------------------------


def _names_of(department_year: DepartmentYear, item: BudgetItem | None) -> set[str]:
    if item is None:
        return {normal(department_year.department.name)}
    return {normal(item.name), normal(f"{item.code}{item.name}")}


def chosen_table(
    tables: list[SelfEvaluationTable], *, department_year: DepartmentYear, item: BudgetItem | None
) -> SelfEvaluationTable:
    """The workbook's table for the scope: the only one of its kind, or the one named as the
    scope is (the item's name, or its code and name; the department's name). NotASelfEvaluation
    with the user's message otherwise."""
    kind = PROJECT if item is not None else DEPARTMENT
    form = _("项目支出绩效自评表") if item is not None else _("部门整体支出绩效自评表")
    scope_name = item.name if item is not None else department_year.department.name
    candidates = [table for table in tables if table.kind == kind]
    if not candidates:
        raise NotASelfEvaluation(_("工作簿中没有%(form)s") % {"form": form})
    names = _names_of(department_year, item)
    named = [table for table in candidates if normal(table.name) in names]
    if not named and item is not None:
        # 项目名称 written with more words around it (“妇女培训项目（2024年）”): the name inside it.
        named = [table for table in candidates if normal(item.name) in normal(table.name)]
    if len(named) == 1:
        return named[0]
    if len(candidates) == 1 and not candidates[0].name:
        return candidates[0]  # a table that names nothing: its indicators' names decide
    found = _("、").join(
        _("“%(heading)s”（%(sheet)s）") % {"heading": table.heading, "sheet": table.sheet} for table in candidates
    )
    if named:
        message = _("工作簿中有%(count)s张%(form)s都名为“%(name)s”：%(found)s，请只保留一张后重新上传")
        raise NotASelfEvaluation(message % {"count": len(named), "form": form, "name": scope_name, "found": found})
    raise NotASelfEvaluation(
        _("工作簿中没有名为“%(name)s”的%(form)s，找到的是：%(found)s") % {"name": scope_name, "form": form, "found": found}
    )


# ---- pairing rows with indicators ------------------------------------------------------------


def paired_rows(
    table: SelfEvaluationTable, indicators: list[Indicator]
) -> tuple[list[tuple[IndicatorRow, Indicator]], list[dict]]:
    """(row, indicator) pairs by 指标名称, and the rows and indicators left unpaired ([{row, message}])."""
    by_name: dict[str, list[Indicator]] = {}
    for indicator in indicators:
        by_name.setdefault(normal(indicator.name), []).append(indicator)
    rows_by_name: dict[str, list[IndicatorRow]] = {}
    for row in table.indicators:
        rows_by_name.setdefault(normal(row.name), []).append(row)
    pairs, unmatched = [], []
    for row in table.indicators:
        name = normal(row.name)
        found = by_name.get(name, [])
        if not name:
            unmatched.append({"row": row.row, "message": _("第%(row)s行 未填写三级指标名称，未导入") % {"row": row.row}})
        elif len(rows_by_name[name]) > 1:
            message = _("第%(row)s行 “%(name)s”在表中出现了不止一次，无法确定对应哪个指标，未导入")
            unmatched.append({"row": row.row, "message": message % {"row": row.row, "name": row.name}})
        elif len(found) > 1:
            message = _("第%(row)s行 “%(name)s”与本项目的%(count)s个指标同名（%(codes)s），无法确定对应哪个，未导入")
            codes = _("、").join(indicator.code for indicator in found)
            unmatched.append(
                {"row": row.row, "message": message % {"row": row.row, "name": row.name, "count": len(found), "codes": codes}}
            )
        elif not found:
            message = _("第%(row)s行 “%(name)s”不是本项目的绩效指标（按指标名称对应），未导入")
            unmatched.append({"row": row.row, "message": message % {"row": row.row, "name": row.name}})
        else:
            pairs.append((row, found[0]))
    paired = {indicator.pk for _row, indicator in pairs}
    for indicator in indicators:
        if indicator.pk not in paired and len(by_name[normal(indicator.name)]) == 1:
            message = _("指标“%(name)s”（%(code)s）在表中没有同名的行，未更新")
            unmatched.append({"row": None, "message": message % {"name": indicator.name, "code": indicator.code}})
    return pairs, unmatched


# ---- what a row writes ---------------------------------------------------------------------


def deviation_parts(text: str) -> tuple[str, str] | None:
    """(偏差原因分析, 改进措施) of a 偏差原因分析及改进措施 cell, or None when it states none (blank,
    无偏差, or only our export's deviation statement): the stored texts then stay."""
    written = (text or "").strip()
    statements = {normal(str(NO_DEVIATION)), normal(str(NO_DEVIATION)).rstrip(FULL_STOP)}
    if normal(written) in statements or normal(written) in {"", *NONE_WORDS, *targets.BLANK_MARKS}:
        return None
    # The flags our export writes before the reasons (未完成目标值；大幅超目标（≥130%）).
    stripped = True
    while stripped:
        stripped = False
        for statement in DEVIATION_STATEMENTS.values():
            if written.startswith(str(statement)):
                written, stripped = written[len(str(statement)) :].lstrip(DEVIATION_SEPARATORS), True
    reason, measures = split_deviation(written, "")
    if not measures:
        parts = MEASURES_LABEL.split(written, maxsplit=1)
        if len(parts) == 2 and parts[1].strip():
            reason, measures = parts[0], parts[1]
    reason = REASON_LABEL.sub("", reason.strip()).strip().rstrip(DEVIATION_SEPARATORS)
    measures = measures.strip()
    if not reason and not measures:
        return None
    return reason, measures


@dataclass(frozen=True)
class Results:
    """The arguments of indicators.services.indicator_update_results for one row."""

    actual: Decimal | None
    actual_text: str
    tier: str
    rate: Decimal | None
    deviation_reason: str
    corrective_measures: str

    def same_as(self, indicator: Indicator) -> bool:
        return (self.actual, self.actual_text, self.tier, self.rate, self.deviation_reason, self.corrective_measures) == (
            indicator.actual,
            indicator.actual_text,
            indicator.tier,
            indicator.rate,
            indicator.deviation_reason,
            indicator.corrective_measures,
        )


def _where(row: IndicatorRow) -> dict:
    return {"row": row.row, "name": row.name}


def row_results(
    row: IndicatorRow, indicator: Indicator, *, year: int, phrases: dict | None
) -> tuple[Results | None, list[Problem]]:
    """What the row writes into its indicator, or the problems that stop it."""
    problems = []
    text = row.actual.strip()
    actual, actual_text, tier, rate = None, "", "", None
    if len(text) > TEXT_VALUE_MAX:
        message = _("第%(row)s行 “%(name)s”的全年完成值超过%(max)s个字")
        problems.append(Problem(row.row, message % {**_where(row), "max": TEXT_VALUE_MAX}))
    parsed = targets.parse(text, year=year, phrases=phrases)
    if indicator.direction == Indicator.Direction.QUALITATIVE:
        # A phrase gives its tier; against a date target (12月底前) a date gives achieved or not,
        # as the results form reads it (indicators.targets.derived_tier).
        target = targets.parse(indicator.target_text, year=year, phrases=phrases)
        derived = targets.derived_tier(target, parsed) if parsed.kind in (targets.QUALITATIVE, targets.DATE) else None
        if derived is not None:
            tier = derived
            canonical = parsed.kind == targets.QUALITATIVE and targets.TIER_PHRASES[tier] == normal(text)
            actual_text = "" if canonical else text
            rate = indicator.rate if tier == indicator.tier else None  # a 得分率 belongs to its tier
        elif parsed.kind != targets.BLANK:
            message = _(
                "第%(row)s行 “%(name)s”是定性指标，全年完成值“%(value)s”无法识别：请填写定性表述（如达到预期、基本达成、未达成），日期目标可填完成日期"
            )
            problems.append(Problem(row.row, message % {**_where(row), "value": text}))
    elif parsed.kind == targets.NUMBER:
        actual = parsed.value
        if parsed.unit and indicator.unit and parsed.unit != indicator.unit:
            message = _("第%(row)s行 “%(name)s”的全年完成值“%(value)s”的单位与计量单位“%(unit)s”不一致")
            problems.append(Problem(row.row, message % {**_where(row), "value": text, "unit": indicator.unit}))
        elif -actual.as_tuple().exponent > VALUE_DIGITS["decimal_places"] or abs(actual) >= VALUE_LIMIT:
            message = _("第%(row)s行 “%(name)s”的全年完成值“%(value)s”超出允许的范围（最多%(places)s位小数）")
            problems.append(Problem(row.row, message % {**_where(row), "value": text, "places": VALUE_DIGITS["decimal_places"]}))
        # A bare number is a figure, as the entry form stores it; anything else keeps its words.
        actual_text = "" if text == targets.plain_number(actual) else text
    elif parsed.kind != targets.BLANK:
        message = _("第%(row)s行 “%(name)s”的全年完成值“%(value)s”无法识别：请填写数字（可带单位和≥、≤、以上、以下）")
        problems.append(Problem(row.row, message % {**_where(row), "value": text}))
    reason, measures = indicator.deviation_reason, indicator.corrective_measures
    parts = deviation_parts(row.deviation)
    if parts is not None:
        reason, measures = parts
        if len(reason) > TEXT_MAX_LENGTH or len(measures) > TEXT_MAX_LENGTH:
            message = _("第%(row)s行 “%(name)s”的偏差原因分析或改进措施超过%(max)s个字")
            problems.append(Problem(row.row, message % {**_where(row), "max": TEXT_MAX_LENGTH}))
    if problems:
        return None, problems
    return Results(actual, actual_text, tier, rate, reason, measures), []


def declared_score(row: IndicatorRow) -> tuple[Decimal | None, list[Problem]]:
    """The row's declared 得分, None when blank; a problem when it is not a figure of cents."""
    earned = row.earned
    if earned.unreadable:
        message = _("第%(row)s行 “%(name)s”的得分“%(value)s”无法识别")
        return None, [Problem(row.row, message % {**_where(row), "value": earned.text})]
    if earned.value is not None and (earned.value < 0 or round_half_up(earned.value, SCORE_PLACES) != earned.value):
        message = _("第%(row)s行 “%(name)s”的得分“%(value)s”须为不小于0、最多两位小数的数")
        return None, [Problem(row.row, message % {**_where(row), "value": earned.text})]
    return earned.value, []


def _error_text(error: ValidationError) -> str:
    messages = error.message_dict.values() if hasattr(error, "error_dict") else [error.messages]
    return _("；").join(message for field_messages in messages for message in field_messages)


def _row_problem(row: IndicatorRow, error: ValidationError) -> Problem:
    return Problem(row.row, _("第%(row)s行 “%(name)s”：%(error)s") % {**_where(row), "error": _error_text(error)})


def _score(value: Decimal | None) -> Decimal | None:
    if value is None or abs(value) >= SCORE_LIMIT:
        return None
    return round_half_up(value)


# ---- the upload ----------------------------------------------------------------------------


def _scope_indicators(department_year: DepartmentYear, item: BudgetItem | None) -> list[Indicator]:
    indicators = Indicator.objects.filter(department_year=department_year)
    indicators = indicators.filter(item=item) if item is not None else indicators.filter(item__isnull=True)
    indicators = list(indicators.order_by("position", "id"))
    # a ledger-computed indicator's values are the formula's (issue 16): a table that states them
    # changes nothing, one that states others is refused by indicator_update_results
    with_ledger_values(indicators, department_year=department_year)
    return indicators


def _goal_texts(table: SelfEvaluationTable, goal: AnnualGoal | None) -> tuple[str, str]:
    """The 年度总体目标 after the upload: the table's 实际完成情况 (the stored one when the table
    leaves it blank), and the stored 预期目标 unless there is none yet."""
    expected = goal.expected if goal is not None and goal.expected.strip() else table.goal_expected
    achieved = table.goal_actual or (goal.achieved if goal is not None else "")
    return expected.strip(), achieved.strip()


def _apply(
    result: LoadResult,
    *,
    department_year: DepartmentYear,
    item: BudgetItem | None,
    pairs: list[tuple[IndicatorRow, Indicator]],
    user,
) -> None:
    """The writes of the upload, into `result`; its problems when a row cannot be applied."""
    table = result.table
    phrases = department_phrases(department_year.department_id)
    declared: dict[int, Decimal | None] = {}
    for row, indicator in pairs:
        results, problems = row_results(row, indicator, year=department_year.year, phrases=phrases)
        score, score_problems = declared_score(row)
        result.problems.extend(problems + score_problems)
        # A row whose values are refused is not compared with the formula as well.
        declared[indicator.pk] = score if results is not None else None
        if results is None or results.same_as(indicator):
            continue
        try:
            indicator_update_results(
                indicator=indicator,
                midyear=indicator.midyear,
                actual=results.actual,
                actual_text=results.actual_text,
                tier=results.tier,
                rate=results.rate,
                deviation_reason=results.deviation_reason,
                corrective_measures=results.corrective_measures,
                final=indicator.results_final,
                user=user,
            )
        except ValidationError as error:
            result.problems.append(_row_problem(row, error))
            declared[indicator.pk] = None
        else:
            result.changed.append(indicator.name)

    goal = AnnualGoal.objects.filter(department_year=department_year, item=item).first()
    expected, achieved = _goal_texts(table, goal)
    current = (goal.expected.strip(), goal.achieved.strip()) if goal is not None else ("", "")
    if (expected, achieved) != current:
        if len(expected) > GOAL_TEXT_MAX or len(achieved) > GOAL_TEXT_MAX:
            result.problems.append(Problem(None, _("年度总体目标的文字超过%(max)s个字") % {"max": GOAL_TEXT_MAX}))
        else:
            try:
                annual_goal_set(department_year=department_year, item=item, expected=expected, achieved=achieved, user=user)
            except ValidationError as error:
                result.problems.append(Problem(None, _("年度总体目标：%(error)s") % {"error": _error_text(error)}))
            else:
                result.goal_changed = True

    # The formula's earned points under the values just written: an override is the evaluator's
    # 得分 where it differs (section 9). The execution rate does not enter an indicator's points.
    indicators = _scope_indicators(department_year, item)
    try:
        evaluation = scope_evaluation(
            indicators=indicators,
            execution_rate=None,
            profile=scope_profile(department_year_id=department_year.pk, item_id=item.pk if item else None),
        )
    except ScoringError as error:
        result.problems.append(Problem(None, _("绩效指标数据有误，无法计算得分：%(error)s") % {"error": error}))
        return
    scores = dict(zip([indicator.pk for indicator in indicators], evaluation.indicators))
    current_indicators = {indicator.pk: indicator for indicator in indicators}
    reason = override_reason(result.file_name)
    for row, paired in pairs:
        indicator = current_indicators[paired.pk]
        score, wanted = scores[indicator.pk], declared[indicator.pk]
        if wanted is None:
            continue
        if score.ratio is not None and wanted == score.formula_earned:
            if indicator.override_earned is not None:
                indicator_clear_override(indicator=indicator, user=user)
                result.cleared.append(indicator.name)
            continue
        if indicator.override_earned == wanted:
            continue
        try:
            indicator_set_override(indicator=indicator, earned=wanted, reason=reason, user=user)
        except ValidationError as error:
            result.problems.append(_row_problem(row, error))
        else:
            result.overridden.append(indicator.name)


def load_evaluation(
    *,
    department_year: DepartmentYear,
    item: BudgetItem | None,
    content: bytes,
    file_name: str,
    user,
) -> LoadResult:
    """Load a filled 自评表 (the workbook's bytes) into the evaluation of `item`, or of the
    department when `item` is None, by the rules of this module's docstring: all or nothing.
    The result says what changed, or lists the problems when nothing was written."""
    result = LoadResult(file_name=file_name)
    try:
        tables = read_tables(content)
        result.table = chosen_table(tables, department_year=department_year, item=item)
    except NotASelfEvaluation as error:
        result.problems.append(Problem(None, str(error)))
        return result
    result.check = table_check(result.table)
    pairs, result.unmatched = paired_rows(result.table, _scope_indicators(department_year, item))
    if not pairs:
        what = _("本项目") if item is not None else _("本部门整体")
        result.problems.append(
            Problem(None, _("表中没有一个指标与%(scope)s的绩效指标同名（按三级指标名称对应），未导入") % {"scope": what})
        )
        return result
    try:
        with transaction.atomic():
            _apply(result, department_year=department_year, item=item, pairs=pairs, user=user)
            if result.problems:
                raise _Refused
            result.upload = evaluation_upload_record(
                department_year=department_year,
                item=item,
                file_name=file_name,
                declared_score=_score(result.table.score.value),
                computed_score=_score(result.check.score),
                findings=result.findings,
                unmatched=result.unmatched,
                user=user,
            )
    except _Refused:
        result.changed, result.overridden, result.cleared, result.goal_changed = [], [], [], False
        result.problems.sort(key=lambda problem: (problem.row is None, problem.row or 0))
    return result
