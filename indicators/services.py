"""Writes of the performance self-evaluation."""

import unicodedata
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from indicators.declarations import declaration_record_change
from indicators.formulas import BY_KEY, formula_problem
from indicators.models import (
    GOAL_TEXT_MAX,
    TEXT_VALUE_MAX,
    AnnualGoal,
    EvaluationUpload,
    Indicator,
    ItemMonitoring,
    MonitoringCause,
    QualitativePhrase,
)
from indicators.models import ScoringProfile as ProfileRow
from indicators.scoring import ScoringError, ScoringProfile, assign_points, check_override, completion_ratio
from indicators.selectors import indicator_input, scope_profile, scoring_profile, with_ledger_values
from indicators.targets import DEFAULT_PHRASES, NUMBER, TIER_PHRASES, parse, plain_number
from projects.models import BudgetItem
from units.locks import department_year_lock_shared
from units.models import Department, DepartmentYear


def _indicator_locked(indicator: Indicator) -> Indicator:
    """The indicator's row, locked in the ledger's lock order (units/locks.py): the department-year
    shared, then the row. A replace of the year may have deleted it since the form was loaded: then
    a plain refusal, which the form shows on top."""
    gone = ValidationError(_("该绩效指标已不存在（年度数据可能刚被重新导入），请刷新页面"))
    if not department_year_lock_shared(indicator.department_year_id):
        raise gone
    locked = Indicator.objects.select_for_update().filter(pk=indicator.pk).first()
    if locked is None:
        raise gone
    return locked


def indicator_update_results(
    *,
    indicator: Indicator,
    midyear: Decimal | None,
    actual: Decimal | None,
    tier: str = "",
    rate: Decimal | None = None,
    deviation_reason: str = "",
    corrective_measures: str = "",
    final: bool = False,
    user=None,
    actual_text: str | None = None,
    midyear_text: str | None = None,
) -> Indicator:
    """Record an indicator's mid-year and year-end results and its 偏差原因分析及改进措施.

    `actual_text` and `midyear_text`, when given, are the 全年完成值 and 半年完成值 as written
    (DOMAIN.md section 9: 5000户以上, 达到预期, 11月20日; "" when entered as a number), which the
    caller has read (IndicatorResultsForm, with indicators.targets.parse); None leaves the stored
    text as it is.

    Rules (DOMAIN.md section 3):
    - a quantitative indicator (`≥`, `≤`, `=`) takes values, never a tier or 得分率;
    - a qualitative one takes a tier and an optional 得分率, which must lie in the tier's range (3.3),
      and its values only as text (a phrase, or a date for a date target), never as numbers;
    - saved as final, the year-end result is required, and a missed target (r < 1) needs both a
      deviation reason and corrective measures (3.7). A draft may be incomplete.

    An indicator that takes its values from a ledger formula (issue 16) refuses typed values: its
    values are the formula's, computed on read, and only its reason and measures are saved.

    Locks the indicator's row, so two officers saving at once cannot interleave; simple_history
    records who saved. Raises ValidationError keyed by form field, with Chinese messages.
    """
    with transaction.atomic():
        locked = _indicator_locked(indicator)
        qualitative = locked.direction == Indicator.Direction.QUALITATIVE
        errors: dict[str, str] = {}
        if locked.formula:
            typed = {"midyear": (midyear, midyear_text), "actual": (actual, actual_text)}
            for field, (value, text) in typed.items():
                if value is not None or (text or "").strip():
                    errors[field] = _("该指标的完成值由账表取数公式计算，不能手工填写")
            midyear = actual = None
            midyear_text = actual_text = ""
        if qualitative:
            if midyear is not None:
                errors["midyear"] = _("定性指标的半年完成值不能是数字，请填写定性表述（如基本完成）或留空")
            if actual is not None:
                errors["actual"] = _("定性指标的全年完成值不能是数字，请填写定性表述（如达到预期）或选择定性等级")
            if rate is not None and not tier:
                errors["rate"] = _("填写得分率须先选择定性等级")
        else:
            if tier:
                errors["tier"] = _("定量指标不填定性等级")
            if rate is not None:
                errors["rate"] = _("定量指标不填得分率，得分由完成值计算")
        if errors:
            raise ValidationError(errors)

        locked.midyear = midyear
        locked.actual = actual
        locked.tier = tier
        locked.rate = rate
        if actual_text is not None:
            locked.actual_text = actual_text.strip()
        if midyear_text is not None:
            locked.midyear_text = midyear_text.strip()
        locked.deviation_reason = deviation_reason.strip()
        locked.corrective_measures = corrective_measures.strip()
        if locked.formula:  # checked on the formula's values, which are never stored
            with_ledger_values([locked], department_year=locked.department_year)
        try:
            ratio = completion_ratio(indicator_input(locked))
        except ScoringError as error:
            raise ValidationError({"rate" if qualitative else "actual": str(error)}) from error

        if final:
            if ratio is None:
                field = "tier" if qualitative else "actual"
                message = _("定稿须选择定性等级") if qualitative else _("定稿须填写全年完成值")
                raise ValidationError({field: message})
            if ratio < 1:
                missing = {}
                if not locked.deviation_reason:
                    missing["deviation_reason"] = _("未完成目标值，定稿须填写偏差原因分析")
                if not locked.corrective_measures:
                    missing["corrective_measures"] = _("未完成目标值，定稿须填写改进措施")
                if missing:
                    raise ValidationError(missing)
        locked.results_final = final
        if locked.formula:
            locked.midyear = locked.actual = None
            locked.midyear_text = locked.actual_text = ""
        locked._history_user = user
        locked.full_clean(exclude=["department_year", "item"])
        locked.save()
    return locked


# --- Scoring profiles and overrides (DOMAIN.md section 9) --------------------------------------


def _scope_points(indicators: list[Indicator], profile: ScoringProfile) -> dict[int, object]:
    """Each indicator's points in its scope under `profile`, keyed by pk; ScoringError when the
    scope's 分值 do not total the profile's indicator points, or an override exceeds its points."""
    inputs = [indicator_input(indicator) for indicator in indicators]
    points = assign_points(inputs, profile)
    for indicator, share in zip(indicators, points):
        if indicator.override_earned is not None:
            check_override(indicator.override_earned, share)
    return {indicator.pk: share for indicator, share in zip(indicators, points)}


def _check_scopes(department_year: DepartmentYear, profiles: dict[int | None, ProfileRow | None]) -> None:
    """Every scope of the department-year still scores under the profiles it would have after a
    change (`profiles`: item id, None for the department → its stored profile, or None)."""
    scopes: dict[int | None, list[Indicator]] = {}
    for indicator in Indicator.objects.filter(department_year=department_year).order_by("position", "id"):
        scopes.setdefault(indicator.item_id, []).append(indicator)
    default = profiles.get(None)
    for item_id, indicators in scopes.items():
        row = profiles.get(item_id) if item_id is not None else None
        try:
            _scope_points(indicators, scoring_profile(row or default))
        except ScoringError as error:
            where = _("部门整体") if item_id is None else indicators[0].item.code
            raise ValidationError({"execution_points": _("%(scope)s：%(error)s") % {"scope": where, "error": error}}) from error


def _stored_profiles(department_year: DepartmentYear) -> dict[int | None, ProfileRow | None]:
    return {row.item_id: row for row in ProfileRow.objects.filter(department_year=department_year)}


def scoring_profile_set(
    *,
    department_year: DepartmentYear,
    item: BudgetItem | None = None,
    execution_points: int,
    rounding: str,
    user=None,
) -> ProfileRow:
    """Set the 评分设置 of the department-year (item None) or of one of its items (section 9).

    Refused, with a Chinese message keyed by field, when a setting is not one of the choices,
    the item is another department-year's, or a scope it governs would no longer score: 分值
    that do not total 100 − the new execution points, or an override above its new points.
    """
    errors = {}
    if execution_points not in ProfileRow.ExecutionPoints.values:
        errors["execution_points"] = _("预算执行率分值须为10、20或0")
    if rounding not in ProfileRow.Rounding.values:
        errors["rounding"] = _("得分保留小数位须为2、1或0")
    if item is not None and item.department_year_id != department_year.pk:
        errors["item"] = _("该预算项目不属于本部门年度")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        if not department_year_lock_shared(department_year.pk):
            raise ValidationError(_("该部门年度已不存在，请刷新页面"))
        item_id = item.pk if item is not None else None
        row = ProfileRow.objects.select_for_update().filter(department_year=department_year, item_id=item_id).first()
        if row is None:
            row = ProfileRow(department_year=department_year, item=item)
        row.execution_points = execution_points
        row.rounding = rounding
        profiles = _stored_profiles(department_year)
        profiles[item_id] = row
        _check_scopes(department_year, profiles)
        row._history_user = user
        row.full_clean(validate_constraints=False)
        row.save()
    return row


def scoring_profile_clear(*, department_year: DepartmentYear, item: BudgetItem | None = None, user=None) -> bool:
    """Remove the 评分设置 of the department-year or of an item: the scope falls back to the
    department-year's, or to the defaults. Refused when a scope would no longer score under
    them. False when there was none."""
    with transaction.atomic():
        if not department_year_lock_shared(department_year.pk):
            raise ValidationError(_("该部门年度已不存在，请刷新页面"))
        item_id = item.pk if item is not None else None
        row = ProfileRow.objects.select_for_update().filter(department_year=department_year, item_id=item_id).first()
        if row is None:
            return False
        profiles = _stored_profiles(department_year)
        profiles.pop(item_id, None)
        _check_scopes(department_year, profiles)
        row._history_user = user
        row.delete()
    return True


def indicator_set_override(*, indicator: Indicator, earned: Decimal, reason: str, user) -> Indicator:
    """Record the evaluator's 得分 of an indicator in place of the formula's (section 9).

    The reason is required, and the 得分 lies within 0..the indicator's points in its scope
    (under the scope's scoring profile). Who wrote it and when are kept; the formula's figure is
    recomputed on every page, so both are shown. Chinese messages keyed by form field.
    """
    reason = (reason or "").strip()
    errors = {}
    if not reason:
        errors["override_reason"] = _("调整得分须填写调整理由")
    if earned is None:
        errors["override_earned"] = _("请填写评价人得分")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        locked = _indicator_locked(indicator)
        scope = list(
            Indicator.objects.filter(department_year_id=locked.department_year_id, item_id=locked.item_id).order_by(
                "position", "id"
            )
        )
        profile = scope_profile(department_year_id=locked.department_year_id, item_id=locked.item_id)
        try:
            points = dict(zip([row.pk for row in scope], assign_points([indicator_input(row) for row in scope], profile)))
            check_override(earned, points[locked.pk])
        except ScoringError as error:
            raise ValidationError({"override_earned": str(error)}) from error
        locked.override_earned = earned
        locked.override_reason = reason
        locked.override_by = user if user is not None and user.is_authenticated else None
        locked.override_at = timezone.now()
        locked._history_user = user
        locked.full_clean(exclude=["department_year", "item"])
        locked.save()
    return locked


def indicator_clear_override(*, indicator: Indicator, user=None) -> Indicator:
    """Remove the evaluator's 得分: the indicator scores by the formula again (history keeps the old one)."""
    with transaction.atomic():
        locked = _indicator_locked(indicator)
        locked.override_earned = None
        locked.override_reason = ""
        locked.override_by = None
        locked.override_at = None
        locked._history_user = user
        locked.save()
    return locked


def annual_goal_set(
    *,
    department_year: DepartmentYear,
    item: BudgetItem | None = None,
    expected: str,
    achieved: str,
    user=None,
) -> AnnualGoal | None:
    """Set the 年度总体目标 (预期目标, 实际完成情况) of the department-year (item None) or of one
    of its items (DOMAIN.md section 9). Both texts blank removes it (None). Each text is at most
    GOAL_TEXT_MAX characters; refused with a Chinese message keyed by field otherwise."""
    expected, achieved = (expected or "").strip(), (achieved or "").strip()
    errors = {}
    for field, text, label in (("expected", expected, _("预期目标")), ("achieved", achieved, _("实际完成情况"))):
        if len(text) > GOAL_TEXT_MAX:
            errors[field] = _("%(field)s不能超过%(max)s个字（现为%(length)s个字）") % {
                "field": label,
                "max": GOAL_TEXT_MAX,
                "length": len(text),
            }
    if item is not None and item.department_year_id != department_year.pk:
        errors["item"] = _("该预算项目不属于本部门年度")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        if not department_year_lock_shared(department_year.pk):
            raise ValidationError(_("该部门年度已不存在，请刷新页面"))
        item_id = item.pk if item is not None else None
        row = AnnualGoal.objects.select_for_update().filter(department_year=department_year, item_id=item_id).first()
        if not expected and not achieved:
            if row is not None:
                row._history_user = user
                row.delete()
            return None
        if row is None:
            row = AnnualGoal(department_year=department_year, item=item)
        row.expected, row.achieved = expected, achieved
        row._history_user = user
        row.save()
    return row


def _phrase_rows(department: Department) -> None:
    """Seed the department's own list from DEFAULT_PHRASES the first time the finance office edits it."""
    if not QualitativePhrase.objects.filter(department=department).exists():
        bulk_create_with_history(
            [QualitativePhrase(department=department, phrase=phrase, tier=tier) for phrase, tier in DEFAULT_PHRASES.items()],
            QualitativePhrase,
        )


def _clean_phrase(phrase: str) -> str:
    phrase = (phrase or "").strip()
    if not phrase:
        raise ValidationError({"phrase": _("请填写定性表述")})
    if len(phrase) > TEXT_VALUE_MAX:
        raise ValidationError({"phrase": _("定性表述不能超过%(max)s个字") % {"max": TEXT_VALUE_MAX}})
    return phrase


def _clean_tier(tier: str) -> str:
    if tier not in TIER_PHRASES:
        raise ValidationError({"tier": _("定性等级须为：达成、部分达成、未达成")})
    return tier


@transaction.atomic
def phrase_set(*, department: Department, phrase: str, tier: str, user=None) -> QualitativePhrase:
    """Add a qualitative phrase to the department's list, or change the tier it reads as."""
    phrase, tier = _clean_phrase(phrase), _clean_tier(tier)
    Department.objects.select_for_update().get(pk=department.pk)
    _phrase_rows(department)
    row = QualitativePhrase.objects.filter(department=department, phrase=phrase).first()
    if row is None:
        row = QualitativePhrase(department=department, phrase=phrase)
    row.tier = tier
    row._history_user = user
    row.save()
    return row


@transaction.atomic
def phrase_delete(*, department: Department, phrase: str, user=None) -> None:
    """Remove a phrase from the department's list: a text with it then reads as unparsed."""
    Department.objects.select_for_update().get(pk=department.pk)
    _phrase_rows(department)
    row = QualitativePhrase.objects.filter(department=department, phrase=(phrase or "").strip()).first()
    if row is None:
        raise ValidationError({"phrase": _("定性表述“%(phrase)s”不在列表中") % {"phrase": phrase}})
    row._history_user = user
    row.delete()


def evaluation_upload_record(
    *,
    department_year: DepartmentYear,
    item: BudgetItem | None = None,
    file_name: str,
    declared_score: Decimal | None,
    computed_score: Decimal | None,
    findings: list[dict],
    unmatched: list[dict],
    user=None,
) -> EvaluationUpload:
    """Keep the record of a filled 自评表 loaded into an evaluation (DOMAIN.md section 10): the
    file, who loaded it, the table's declared and recomputed 总分 and its check's findings
    ([{row, kind, message}]) and unmatched rows ([{row, message}]), shown on the evaluation page
    beside the overrides the upload set. The caller writes it in the upload's own transaction."""
    if item is not None and item.department_year_id != department_year.pk:
        raise ValidationError({"item": _("该预算项目不属于本部门年度")})
    return EvaluationUpload.objects.create(
        department_year=department_year,
        item=item,
        file_name=file_name[: EvaluationUpload._meta.get_field("file_name").max_length],
        uploaded_by=user if user is not None and user.is_authenticated else None,
        uploaded_at=timezone.now(),
        declared_score=declared_score,
        computed_score=computed_score,
        findings=[{"row": f["row"], "kind": f["kind"], "message": f["message"]} for f in findings],
        unmatched=[{"row": u.get("row"), "message": u["message"]} for u in unmatched],
    )


# --- 绩效运行监控 (issue 16) ---------------------------------------------------------------------

MONITORING_TEXT_MAX = 2000  # a cause or measures text fits one cell of the monitoring table


def _monitoring_texts(errors: dict, *, cause: str, cause_text: str, measures: str, fields: tuple[str, str, str]) -> None:
    """The rules every monitoring entry shares: a cause among the five categories (or none), its
    text required for 其他, and texts within MONITORING_TEXT_MAX. `fields`: the form's names of
    the cause, its text and the measures, which the messages are keyed by."""
    cause_field, text_field, measures_field = fields
    if cause not in ("", *MonitoringCause.values):
        errors[cause_field] = _("偏差原因须为：经费保障、制度保障、人员保障、硬件条件保障、其他")
    if cause == MonitoringCause.OTHER and not cause_text:
        errors[text_field] = _("偏差原因选择“其他”时须填写偏差原因说明")
    for name, text, label in ((text_field, cause_text, _("偏差原因说明")), (measures_field, measures, _("纠偏措施"))):
        if len(text) > MONITORING_TEXT_MAX:
            errors[name] = _("%(field)s不能超过%(max)s个字") % {"field": label, "max": MONITORING_TEXT_MAX}


def indicator_set_monitoring(
    *,
    indicator: Indicator,
    midyear: Decimal | None,
    midyear_text: str = "",
    forecast: Decimal | None,
    forecast_text: str = "",
    cause: str = "",
    cause_text: str = "",
    likelihood: str = "",
    measures: str = "",
    user=None,
) -> Indicator:
    """Record an indicator's 绩效运行监控 (issue 16): its value at the monitoring month (`midyear`,
    监控期完成值), its 全年预计完成值, the 偏差原因 (one of the five categories, with its text),
    the 完成目标可能性 and the 纠偏措施. The texts are the values as written, read by the caller
    (IndicatorMonitoringForm, indicators.targets.parse) as for the year-end results.

    Rules: a qualitative indicator takes its values as text only, never as numbers (section 3);
    a cause of 其他 needs its text; likelihood is one of 确定能 / 有可能 / 完全不可能 or blank.
    Locks the indicator's row; simple_history records who saved. Raises ValidationError keyed by
    form field, with Chinese messages.
    """
    cause_text, measures = (cause_text or "").strip(), (measures or "").strip()
    errors: dict[str, str] = {}
    if indicator.direction == Indicator.Direction.QUALITATIVE:
        if midyear is not None:
            errors["midyear"] = _("定性指标的监控期完成值不能是数字，请填写定性表述（如基本完成）或留空")
        if forecast is not None:
            errors["forecast"] = _("定性指标的全年预计完成值不能是数字，请填写定性表述（如达到预期）或留空")
    if indicator.formula and (midyear is not None or (midyear_text or "").strip()):
        # its value at the monitoring month is the ledger formula's (indicators.selectors.with_ledger_values)
        errors["midyear"] = _("监控期完成值由账表取数公式自动计算，不能手工填写")
    if likelihood not in ("", *Indicator.Likelihood.values):
        errors["likelihood"] = _("完成目标可能性须为：确定能、有可能、完全不可能")
    _monitoring_texts(
        errors,
        cause=cause,
        cause_text=cause_text,
        measures=measures,
        fields=("monitoring_cause", "monitoring_cause_text", "monitoring_measures"),
    )
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        locked = _indicator_locked(indicator)
        locked.midyear, locked.midyear_text = midyear, (midyear_text or "").strip()
        locked.forecast, locked.forecast_text = forecast, (forecast_text or "").strip()
        locked.monitoring_cause, locked.monitoring_cause_text = cause, cause_text
        locked.likelihood = likelihood
        locked.monitoring_measures = measures
        locked._history_user = user
        locked.full_clean(exclude=["department_year", "item"])
        locked.save()
    return locked


def item_monitoring_set(
    *,
    item: BudgetItem,
    cause: str = "",
    cause_text: str = "",
    needs_correction: bool = False,
    measures: str = "",
    user=None,
) -> ItemMonitoring:
    """Record the 项目支出绩效运行监控表's entries of one item (issue 16): the 偏差原因 of its
    execution (one of the five categories, with its text), 是否需要纠偏 and the 纠偏措施, which
    are required when it needs correction. Locks the item's entry; history records who saved.
    Raises ValidationError keyed by form field, with Chinese messages."""
    cause_text, measures = (cause_text or "").strip(), (measures or "").strip()
    errors: dict[str, str] = {}
    _monitoring_texts(errors, cause=cause, cause_text=cause_text, measures=measures, fields=("cause", "cause_text", "measures"))
    if needs_correction and not measures:
        errors["measures"] = _("需要纠偏时须填写纠偏措施")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        if not department_year_lock_shared(item.department_year_id):
            raise ValidationError(_("该部门年度已不存在，请刷新页面"))
        row = ItemMonitoring.objects.select_for_update().filter(item_id=item.pk).first()
        if row is None:
            row = ItemMonitoring(department_year_id=item.department_year_id, item=item)
        row.cause, row.cause_text = cause, cause_text
        row.needs_correction = needs_correction
        row.measures = measures
        row._history_user = user
        row.full_clean(exclude=["department_year", "item"])
        row.save()
    return row


# --- Ledger-computed indicators (共性指标取数公式, issue 16) ------------------------------------

FORMULA_POINTS_MAX = Decimal("90")  # never more than all the indicators' points of a scope (section 3.2)
FORMULA_UNITS = ("%", "")


def _formula_target(text: str, *, year: int, direction: str | None) -> tuple[Decimal, str, str]:
    """The target of a formula indicator: a percentage as written (≥95%, ≤5%, 5%), read with
    indicators.targets.parse. Its direction is `direction` when given, else the text's when it
    writes one, else None (the formula's). Returns (value, direction or "", text)."""
    text = (text or "").strip()
    parsed = parse(text, year=year)
    if parsed.kind != NUMBER or parsed.unit not in FORMULA_UNITS:
        raise ValidationError({"target_text": _("目标值“%(text)s”无法识别，请填写百分比，如≥95%%或≤5%%") % {"text": text}})
    written = unicodedata.normalize("NFKC", parsed.text).replace(" ", "")  # ９５％ is 95%
    explicit = written not in (plain_number(parsed.value), f"{plain_number(parsed.value)}%")
    if explicit and direction and parsed.direction != direction:
        raise ValidationError(
            {
                "target_text": _("目标值“%(value)s”与指标方向“%(direction)s”不一致")
                % {"value": text, "direction": Indicator.Direction(direction).label}
            }
        )
    return parsed.value, direction or (parsed.direction if explicit else ""), text


def formula_indicator_add(
    *,
    department_year: DepartmentYear,
    formula: str,
    target_text: str,
    points: Decimal | None,
    level1: str | None = None,
    level2: str | None = None,
    direction: str | None = None,
    user=None,
) -> Indicator:
    """Pick a ledger formula into the department's evaluation (issue 16 item 5): a department-level
    indicator, coded GX- and the formula's key, whose values the formula fills
    (indicators.selectors.with_ledger_values), with the finance office's target and points
    (None: the default split by level, when the department's other indicators have none either).

    `level1`, `level2` and `direction` default to the formula's. Refused, with a Chinese message
    keyed by field: an unknown formula or one not active in this province
    (settings.LEDGER_FORMULAS), a formula already in the evaluation, points that are not a
    number above 0 and at most 90 or that leave the department's 分值 not totalling 90 (section
    3.2, under its scoring profile), a target that is not a percentage (indicators.targets.parse),
    a qualitative direction. (The one place a formula indicator is created: declaring targets
    routes through here.)
    """
    chosen = BY_KEY.get((formula or "").strip())
    errors: dict[str, str] = {}
    problem = formula_problem((formula or "").strip()) if formula else _("请选择取数公式")
    if problem:
        raise ValidationError({"formula": problem})
    level1 = level1 or chosen.level1
    level2 = (level2 or chosen.level2).strip()
    if level1 not in Indicator.Level1.values:
        errors["level1"] = _("一级指标须为产出指标、效益指标或满意度指标")
    if not level2 or len(level2) > Indicator._meta.get_field("level2").max_length:
        errors["level2"] = _("请填写二级指标（不超过32个字）")
    if direction and direction not in (Indicator.Direction.AT_LEAST, Indicator.Direction.AT_MOST, Indicator.Direction.EQUAL):
        errors["direction"] = _("账表取数指标的方向须为≥、≤或=")
    if points is not None and (not points.is_finite() or points <= 0 or points > FORMULA_POINTS_MAX):
        errors["points"] = _("分值须大于0且不超过90")
    elif points is not None and points != points.quantize(Decimal("0.01")):
        errors["points"] = _("分值最多保留2位小数")
    try:
        target, direction, target_text = _formula_target(target_text, year=department_year.year, direction=direction)
    except ValidationError as error:
        errors.update({field: messages[0] for field, messages in error.message_dict.items()})
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        if not department_year_lock_shared(department_year.pk):
            raise ValidationError(_("该部门年度已不存在，请刷新页面"))
        _lock_department_points(department_year)
        rows = list(Indicator.objects.filter(department_year=department_year).values_list("code", "formula", "position"))
        if any(row_formula == chosen.key for _code, row_formula, _position in rows):
            raise ValidationError({"formula": _("“%(name)s”已在本部门的绩效自评中") % {"name": chosen.label}})
        if any(code == chosen.code for code, _formula, _position in rows):
            raise ValidationError({"formula": _("指标编码%(code)s已被占用") % {"code": chosen.code}})
        indicator = Indicator(
            department_year=department_year,
            code=chosen.code,
            level1=level1,
            level2=level2,
            name=chosen.name,
            direction=direction or chosen.direction,
            target=target,
            target_text=target_text,
            unit=chosen.unit,
            points=points,
            formula=chosen.key,
            position=max((position for _code, _formula, position in rows), default=0) + 1,
        )
        indicator.full_clean(exclude=["department_year"])
        _check_department_scope([*_department_indicators(department_year.pk), indicator], department_year.pk, _("加入后"))
        indicator._history_user = user
        indicator.save()
        # the targets in force change: a version of them records it (indicators.declarations)
        declaration_record_change(
            department_year=department_year,
            item=None,
            reason=_("加入共性指标（账表取数）：%(name)s") % {"name": chosen.label},
            user=user,
        )
    return indicator


def _lock_department_points(department_year: DepartmentYear) -> None:
    """Serialise the changes of the department's own indicators (a pick and a removal check the
    分值 of them all, which a concurrent pick would change unseen): the department's row, after
    the department-year's shared lock, as phrase_set takes it."""
    Department.objects.select_for_update().filter(pk=department_year.department_id).first()


def _department_indicators(department_year_id: int) -> list[Indicator]:
    return list(Indicator.objects.filter(department_year_id=department_year_id, item__isnull=True).order_by("position", "id"))


def _check_department_scope(indicators: list[Indicator], department_year_id: int, when: str) -> None:
    """The department's indicators still score as they would be after the change (section 3.2: 分值
    all given and totalling the profile's indicator points, or all blank), as every writer of
    indicators keeps them; refused on 分值 otherwise."""
    try:
        _scope_points(indicators, scope_profile(department_year_id=department_year_id))
    except ScoringError as error:
        raise ValidationError({"points": _("%(when)s部门整体指标：%(error)s") % {"when": when, "error": error}}) from error


def formula_indicator_remove(*, indicator: Indicator, user=None) -> None:
    """Take a ledger-formula indicator out of the department's evaluation (issue 16 item 5); its
    history stays. Refused for a typed indicator (those leave with the workbook's replace), and
    when the remaining department indicators' 分值 would no longer total 90 (section 3.2)."""
    if not indicator.formula:
        raise ValidationError(_("指标%(code)s不是账表取数指标，不能在此移除") % {"code": indicator.code})
    with transaction.atomic():
        gone = _("该绩效指标已不存在（年度数据可能刚被重新导入），请刷新页面")
        if not department_year_lock_shared(indicator.department_year_id):
            raise ValidationError(gone)
        _lock_department_points(indicator.department_year)
        locked = Indicator.objects.select_for_update().filter(pk=indicator.pk).first()
        if locked is None:
            raise ValidationError(gone)
        remaining = [row for row in _department_indicators(locked.department_year_id) if row.pk != locked.pk]
        if remaining:
            _check_department_scope(remaining, locked.department_year_id, _("移出后"))
        locked._history_user = user
        locked.delete()
        declaration_record_change(
            department_year=locked.department_year,
            item=None,
            reason=_("移出共性指标（账表取数）：%(name)s") % {"name": locked.name},
            user=user,
        )
