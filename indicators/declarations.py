"""绩效目标申报 and 目标调整 (issue 16): the versions of a scope's targets, and their writes.

A scope is the department-year (item None) or one of its items. Its Indicator rows are the version
in force; a TargetDeclaration is one version of the declared targets (年度总体目标 and the
indicators' DECLARED_FIELDS). The life of a version:

    draft ──submit──▶ submitted ──approve──▶ approved ──(a later version approved)──▶ superseded
                                 └─reject──▶ rejected

- Version 1 of a scope is its declaration (申报); every later one an adjustment (调整), which
  starts as a copy of the latest version and needs a reason. A scope has at most one open (draft
  or submitted) version, and at most one approved.
- The draft is edited by whoever may submit it: the finance office, or for an item the item's
  unit accountant (the views check the role; units.access). Only the finance office approves or
  rejects.
- Approving writes the snapshot onto the scope's Indicator rows in one transaction: declared fields
  of existing codes are updated (their typed results kept), new codes created, codes no longer
  declared deleted, and the 年度总体目标's 预期目标 set. Only approved targets are ever scored, so a
  draft or a submitted adjustment never changes a score.
- The workbook import writes indicators directly: it records an approved version of kind 导入 per
  scope it writes (declaration_record_import).
"""

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from simple_history.utils import bulk_create_with_history

from fundmgr.lib.validators import CODE, has_control_characters
from indicators import targets
from indicators.declaration_sheet import declaration_workbook_read
from indicators.formulas import formula_problem
from indicators.models import DECLARED_FIELDS, GOAL_TEXT_MAX, LEVEL2_BY_LEVEL1, AnnualGoal, Indicator, TargetDeclaration
from indicators.scoring import IndicatorInput, ScoringError, assign_points
from indicators.selectors import department_phrases, scope_profile
from projects.models import BudgetItem
from units.locks import department_year_lock_shared
from units.models import DepartmentYear

State, Kind = TargetDeclaration.State, TargetDeclaration.Kind

LEVEL2 = LEVEL2_BY_LEVEL1
_PLAIN_NUMBER = re.compile(r"[+-]?[0-9]+(\.[0-9]+)?")
_TEXT_LIMITS = {"level2": 32, "name": 300, "unit": 32, "formula": 32}

GONE = gettext_noop("该部门年度已不存在，请刷新页面")


# --- reading ---------------------------------------------------------------------------------


def scope_name(item: BudgetItem | None) -> str:
    return _("部门整体") if item is None else f"{item.code} {item.name}"


def scope_versions(*, department_year: DepartmentYear, item: BudgetItem | None):
    """Every version of a scope, newest first (one query)."""
    return (
        TargetDeclaration.objects.filter(department_year=department_year, item=item)
        .select_related("created_by", "submitted_by", "decided_by")
        .order_by("-version")
    )


def versions_in_force(*, department_year_id: int) -> dict[int | None, TargetDeclaration]:
    """The approved version of every scope of a department-year, by item id (None: the
    department's), in one query: what each 自评表 scores against."""
    rows = TargetDeclaration.objects.filter(department_year_id=department_year_id, state=State.APPROVED)
    return {row.item_id: row for row in rows}


def version_in_force(*, department_year_id: int, item_id: int | None) -> TargetDeclaration | None:
    """The approved version of one scope, what its 自评表 scores against. One query."""
    return TargetDeclaration.objects.filter(department_year_id=department_year_id, item_id=item_id, state=State.APPROVED).first()


def version_label(declaration: TargetDeclaration | None) -> str:
    """目标版本 as the 自评表 states it: 第2版（调整，2024-07-20 批准）; 未申报 without one."""
    if declaration is None:
        return _("未经批准的目标版本")
    decided = timezone.localdate(declaration.decided_at).isoformat() if declaration.decided_at else ""
    return _("第%(version)s版（%(kind)s，%(date)s 批准）") % {
        "version": declaration.version,
        "kind": declaration.get_kind_display(),
        "date": decided,
    }


def indicator_snapshot(indicator: Indicator) -> dict:
    """An Indicator row's declared fields, as a version stores them."""
    row = {field: getattr(indicator, field) for field in DECLARED_FIELDS}
    for field in ("target", "points"):
        row[field] = _decimal_text(row[field])
    return row


def _decimal_text(value) -> str | None:
    """A decimal as stored in a snapshot: its plain digits (5000, 95.5, 30.00 → 30), or None."""
    if value is None:
        return None
    return targets.plain_number(Decimal(value))


@dataclass(frozen=True)
class FieldChange:
    field: str
    label: str
    old: object
    new: object


@dataclass(frozen=True)
class RowChange:
    code: str
    name: str
    kind: str  # added | removed | changed
    changes: tuple[FieldChange, ...] = ()


def field_labels() -> dict[str, str]:
    return {field: str(Indicator._meta.get_field(field).verbose_name) for field in DECLARED_FIELDS}


def declaration_diff(before: TargetDeclaration | None, after: TargetDeclaration) -> tuple[bool, list[RowChange]]:
    """(goal changed, the indicators added, removed and changed) from `before` to `after`, by
    indicator code, in `after`'s order then the removed ones. Pure: no query."""
    labels = field_labels()
    old_rows = {row["code"]: row for row in (before.indicators if before else [])}
    new_codes = set()
    result = []
    for row in after.indicators:
        new_codes.add(row["code"])
        old = old_rows.get(row["code"])
        if old is None:
            result.append(RowChange(code=row["code"], name=row["name"], kind="added"))
            continue
        changes = tuple(
            FieldChange(field=field, label=labels[field], old=old.get(field), new=row.get(field))
            for field in DECLARED_FIELDS
            if (old.get(field) or "") != (row.get(field) or "")
        )
        if changes:
            result.append(RowChange(code=row["code"], name=row["name"], kind="changed", changes=changes))
    for code, old in old_rows.items():
        if code not in new_codes:
            result.append(RowChange(code=code, name=old["name"], kind="removed"))
    goal_changed = (before.goal if before else "") != after.goal
    return goal_changed, result


# --- checking a draft's rows -------------------------------------------------------------------


def _row_error(number: int, label: str, message: str) -> str:
    return _("第%(row)s行 %(column)s：%(message)s") % {"row": number, "column": label, "message": message}


def _points(value, number: int, errors: list[str], label: str) -> Decimal | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        points = Decimal(str(value).strip().replace(",", ""))
    except InvalidOperation:
        errors.append(_row_error(number, label, _("分值须为数字")))
        return None
    if not points.is_finite() or points <= 0:
        errors.append(_row_error(number, label, _("分值须大于0")))
        return None
    if points != points.quantize(Decimal("0.01")) or points >= Decimal(10000):
        errors.append(_row_error(number, label, _("分值最多保留2位小数，且须小于10000")))
        return None
    return points.quantize(Decimal("0.01"))


def _target(row: dict, number: int, errors: list[str], labels: dict, *, year: int, phrases) -> tuple:
    """(target, target_text, unit) of a row whose 目标值 is written as text (DOMAIN.md section 9)."""
    text = str(row.get("target") or "").strip()
    unit = str(row.get("unit") or "").strip()
    direction = row.get("direction")
    parsed = targets.parse(text, year=year, phrases=phrases)
    label = labels["target"]
    if direction == Indicator.Direction.QUALITATIVE:
        if parsed.kind == targets.NUMBER:
            errors.append(_row_error(number, label, _("定性指标的目标值须为定性表述或日期，不能是数字")))
        elif parsed.kind == targets.UNPARSED:
            errors.append(_row_error(number, label, _("目标值“%(value)s”无法识别") % {"value": text}))
        return None, text, unit
    if parsed.kind == targets.BLANK:
        errors.append(_row_error(number, label, _("定量指标须填写目标值")))
        return None, "", unit
    if parsed.kind != targets.NUMBER:
        errors.append(_row_error(number, label, _("定量指标的目标值须为数字（如≥5000户），日期或定性表述请选择定性方向")))
        return None, text, unit
    if parsed.unit and unit and parsed.unit != unit:
        errors.append(
            _row_error(number, label, _("目标值“%(value)s”的单位与计量单位“%(unit)s”不一致") % {"value": text, "unit": unit})
        )
    written = any(word in text for word in (*targets.PREFIX_WORDS, *targets.SUFFIX_WORDS))
    if written and parsed.direction != direction:
        errors.append(
            _row_error(
                number,
                label,
                _("目标值“%(value)s”与指标方向“%(direction)s”不一致")
                % {"value": text, "direction": Indicator.Direction(direction).label},
            )
        )
    plain = bool(_PLAIN_NUMBER.fullmatch(text))
    return parsed.value, "" if plain else text, unit or parsed.unit


def declaration_rows_clean(
    rows: list[dict],
    *,
    department_year: DepartmentYear,
    item: BudgetItem | None,
    phrases=None,
    row_numbers: list[int] | None = None,
) -> list[dict]:
    """The rows of a draft as a snapshot ([{DECLARED_FIELDS}]), or ValidationError with one Chinese
    message per problem naming the row (第3行 指标名称：…). `rows` hold the fields as typed: the
    目标值 as written (≥5000户, 95%, 12月底前, 达到预期) and the 分值 as text or a number.

    Rules: a valid and unique code, not used by another scope of the year (Indicator codes are
    unique per department-year); 一级 and 二级 of DOMAIN.md section 1; a name; a direction; a
    target the parser reads (section 9: a number for ≥ ≤ =, a phrase or a date for 定性); 分值 > 0,
    on every indicator of the scope or none, totalling the scope's profile (sections 3.2 and 9).
    `row_numbers` names the rows in the messages (an uploaded sheet's Excel rows), 1, 2 … else."""
    labels = field_labels()
    labels["target"] = str(Indicator._meta.get_field("target").verbose_name)
    errors: list[str] = []
    cleaned: list[dict] = []
    seen: dict[str, int] = {}
    taken = dict(Indicator.objects.filter(department_year=department_year).exclude(item=item).values_list("code", "item__code"))
    levels = dict(Indicator.Level1.choices)
    directions = dict(Indicator.Direction.choices)
    for index, row in enumerate(rows):
        number = row_numbers[index] if row_numbers else index + 1
        values = {
            key: (str(row.get(key) or "").strip()) for key in ("code", "level1", "level2", "name", "direction", "unit", "formula")
        }
        for key, value in values.items():
            if has_control_characters(value):
                errors.append(_row_error(number, labels[key], _("含有不可见的控制字符，请删除后重新输入")))
            if key in _TEXT_LIMITS and len(value) > _TEXT_LIMITS[key]:
                errors.append(_row_error(number, labels[key], _("不能超过%(max)s个字") % {"max": _TEXT_LIMITS[key]}))
        code = values["code"]
        if not code:
            errors.append(_row_error(number, labels["code"], _("请填写指标编码")))
        elif not CODE.fullmatch(code) or len(code) > 64:
            errors.append(
                _row_error(
                    number,
                    labels["code"],
                    _("编码“%(value)s”无效：只能使用英文字母、数字和 - _ . ，并以字母或数字开头") % {"value": code[:40]},
                )
            )
        elif code in seen:
            errors.append(
                _row_error(number, labels["code"], _("指标编码%(code)s与第%(other)s行重复") % {"code": code, "other": seen[code]})
            )
        elif code in taken:
            where = taken[code] or _("部门整体")
            errors.append(
                _row_error(number, labels["code"], _("指标编码%(code)s已被%(scope)s的指标使用") % {"code": code, "scope": where})
            )
        seen.setdefault(code, number)
        if values["level1"] not in levels:
            errors.append(_row_error(number, labels["level1"], _("一级指标须为：产出指标、效益指标、满意度指标")))
        elif values["level2"] not in LEVEL2[values["level1"]]:
            errors.append(
                _row_error(
                    number,
                    labels["level2"],
                    _("%(level1)s下的二级指标须为：%(allowed)s")
                    % {"level1": levels[values["level1"]], "allowed": _("、").join(LEVEL2[values["level1"]])},
                )
            )
        if not values["name"]:
            errors.append(_row_error(number, labels["name"], _("请填写指标名称（三级指标）")))
        if values["direction"] not in directions:
            errors.append(_row_error(number, labels["direction"], _("指标方向须为：≥、≤、=、定性")))
            target, target_text, unit = None, str(row.get("target") or "").strip(), values["unit"]
        else:
            target, target_text, unit = _target(row, number, errors, labels, year=department_year.year, phrases=phrases)
        if len(target_text) > 100:
            errors.append(_row_error(number, labels["target"], _("不能超过%(max)s个字") % {"max": 100}))
        points = _points(row.get("points"), number, errors, labels["points"])
        if values["formula"]:
            # a ledger formula (indicators.formulas) fills the department's own indicators only
            problem = formula_problem(values["formula"])
            if problem:
                errors.append(_row_error(number, labels["formula"], problem))
            elif item is not None:
                errors.append(_row_error(number, labels["formula"], _("账表取数公式只用于部门整体指标")))
            elif values["direction"] == Indicator.Direction.QUALITATIVE:
                errors.append(_row_error(number, labels["formula"], _("账表取数指标的方向须为≥、≤或=")))
        cleaned.append(
            {
                "code": code,
                "level1": values["level1"],
                "level2": values["level2"],
                "name": values["name"],
                "direction": values["direction"],
                "target": _decimal_text(target),
                "target_text": target_text,
                "unit": unit,
                "points": _decimal_text(points),
                "formula": values["formula"],
            }
        )
    if not errors and cleaned:
        profile = scope_profile(department_year_id=department_year.pk, item_id=item.pk if item else None)
        inputs = [
            IndicatorInput(code=row["code"], level1=row["level1"], direction="ge", points=_decimal(row["points"]))
            for row in cleaned
        ]
        try:
            assign_points(inputs, profile)
        except ScoringError as error:
            errors.append(_("分值：%(error)s") % {"error": error})
    if errors:
        raise ValidationError(errors)
    return cleaned


def _decimal(text: str | None) -> Decimal | None:
    return None if text is None else Decimal(text)


def _goal(goal: str) -> str:
    goal = (goal or "").strip()
    if len(goal) > GOAL_TEXT_MAX:
        raise ValidationError(
            {"goal": _("年度总体目标不能超过%(max)s个字（现为%(length)s个字）") % {"max": GOAL_TEXT_MAX, "length": len(goal)}}
        )
    if has_control_characters(goal):
        raise ValidationError({"goal": _("含有不可见的控制字符，请删除后重新输入")})
    return goal


# --- writes ------------------------------------------------------------------------------------


def _lock_scope(department_year: DepartmentYear, item: BudgetItem | None) -> None:
    """The ledger's lock order (units/locks.py): the department-year shared, then the item."""
    if not department_year_lock_shared(department_year.pk):
        raise ValidationError(_(GONE))
    if item is not None and not list(BudgetItem.objects.select_for_update().filter(pk=item.pk).order_by().values_list("pk")):
        raise ValidationError(_("该预算项目已不存在，请刷新页面"))


def _locked(declaration: TargetDeclaration) -> TargetDeclaration:
    _lock_scope(declaration.department_year, declaration.item)
    locked = TargetDeclaration.objects.select_for_update().filter(pk=declaration.pk).first()
    if locked is None:
        raise ValidationError(_("该版本已不存在（年度数据可能刚被重新导入），请刷新页面"))
    return locked


def _state_error(declaration: TargetDeclaration, action: str) -> ValidationError:
    return ValidationError(
        _("第%(version)s版的状态为%(state)s，不能%(action)s")
        % {"version": declaration.version, "state": declaration.get_state_display(), "action": action}
    )


def _user(user):
    return user if user is not None and getattr(user, "is_authenticated", False) else None


def declaration_start(
    *,
    department_year: DepartmentYear,
    item: BudgetItem | None = None,
    reason: str = "",
    user=None,
    copy_from: dict | None = None,
) -> TargetDeclaration:
    """Open a new draft version of a scope's targets.

    Version 1 is the declaration (申报). A later version is an adjustment (调整): it needs a
    reason and starts as a copy of the scope's latest version (the rejected draft's rows when
    the last attempt was sent back, else the version in force). `copy_from` ({"goal", "indicators"})
    seeds a version 1 instead (declaration_copy_previous_year). Refused while the scope has an
    open (draft or submitted) version."""
    reason = (reason or "").strip()
    if item is not None and item.department_year_id != department_year.pk:
        raise ValidationError({"item": _("该预算项目不属于本部门年度")})
    with transaction.atomic():
        _lock_scope(department_year, item)
        versions = TargetDeclaration.objects.select_for_update().filter(department_year=department_year, item=item)
        latest = versions.order_by("-version").first()
        if latest is not None and latest.is_open:
            raise ValidationError(
                _("%(scope)s已有未完成的第%(version)s版（%(state)s），请先完成或退回它")
                % {"scope": scope_name(item), "version": latest.version, "state": latest.get_state_display()}
            )
        adjustment = versions.filter(state__in=[State.APPROVED, State.SUPERSEDED]).exists()
        if adjustment and not reason:
            raise ValidationError({"reason": _("目标调整须填写调整理由")})
        if len(reason) > GOAL_TEXT_MAX:
            raise ValidationError({"reason": _("调整理由不能超过%(max)s个字") % {"max": GOAL_TEXT_MAX}})
        if copy_from is not None:
            goal, rows = copy_from["goal"], copy_from["indicators"]
        elif latest is not None:
            goal, rows = latest.goal, latest.indicators
        else:
            goal, rows = "", []
        declaration = TargetDeclaration(
            department_year=department_year,
            item=item,
            version=(latest.version + 1) if latest else 1,
            kind=Kind.ADJUSTMENT if adjustment else Kind.DECLARATION,
            state=State.DRAFT,
            reason=reason if adjustment else "",
            goal=goal,
            indicators=[dict(row) for row in rows],
            created_by=_user(user),
            created_at=timezone.now(),
        )
        declaration._history_user = _user(user)
        try:
            with transaction.atomic():
                declaration.save()
        except IntegrityError as error:  # another start of the same scope won the race
            raise ValidationError(_("%(scope)s已有未完成的版本，请刷新页面") % {"scope": scope_name(item)}) from error
    return declaration


def declaration_update(
    *,
    declaration: TargetDeclaration,
    goal: str,
    rows: list[dict],
    user=None,
    phrases=None,
    row_numbers: list[int] | None = None,
) -> TargetDeclaration:
    """Replace a draft's 年度总体目标 and indicators (declaration_rows_clean's rules). Only a draft
    is edited: a submitted version waits for its decision."""
    goal = _goal(goal)
    with transaction.atomic():
        locked = _locked(declaration)
        if locked.state != State.DRAFT:
            raise _state_error(locked, _("修改"))
        locked.indicators = declaration_rows_clean(
            rows, department_year=locked.department_year, item=locked.item, phrases=phrases, row_numbers=row_numbers
        )
        locked.goal = goal
        locked._history_user = _user(user)
        locked.save()
    return locked


def declaration_submit(*, declaration: TargetDeclaration, user=None) -> TargetDeclaration:
    """Send a draft for the finance office's approval, with who and when. A draft without an
    indicator is refused: there would be nothing to score."""
    with transaction.atomic():
        locked = _locked(declaration)
        if locked.state != State.DRAFT:
            raise _state_error(locked, _("提交"))
        if not locked.indicators:
            raise ValidationError(_("第%(version)s版没有绩效指标，不能提交") % {"version": locked.version})
        locked.state = State.SUBMITTED
        locked.submitted_by = _user(user)
        locked.submitted_at = timezone.now()
        locked._history_user = _user(user)
        locked.save()
    return locked


def declaration_reject(*, declaration: TargetDeclaration, note: str, user=None) -> TargetDeclaration:
    """Send a submitted version back (已退回), with the finance office's note (required). The
    targets in force do not change; a new version may then be started from its rows."""
    note = (note or "").strip()
    if not note:
        raise ValidationError({"note": _("退回须填写审批意见")})
    with transaction.atomic():
        locked = _locked(declaration)
        if locked.state != State.SUBMITTED:
            raise _state_error(locked, _("退回"))
        locked.state = State.REJECTED
        locked.decided_by = _user(user)
        locked.decided_at = timezone.now()
        locked.decision_note = note
        locked._history_user = _user(user)
        locked.save()
    return locked


def declaration_approve(*, declaration: TargetDeclaration, note: str = "", user=None) -> TargetDeclaration:
    """Approve a submitted version: it comes into force (see the module's docstring) and the
    previous approved version is superseded. The rows are checked again against the year as it is
    now (codes taken since, a scoring profile changed since)."""
    with transaction.atomic():
        locked = _locked(declaration)
        if locked.state != State.SUBMITTED:
            raise _state_error(locked, _("批准"))
        # the snapshot is stored clean: its texts are re-read as typed
        rows = [{**row, "target": row["target_text"] or row["target"] or ""} for row in locked.indicators]
        snapshot = declaration_rows_clean(
            rows,
            department_year=locked.department_year,
            item=locked.item,
            phrases=department_phrases(locked.department_year.department_id),
        )
        _apply(locked, snapshot, user=user)
        previous = TargetDeclaration.objects.select_for_update().filter(
            department_year=locked.department_year, item=locked.item, state=State.APPROVED
        )
        for old in previous:
            old.state = State.SUPERSEDED
            old._history_user = _user(user)
            old.save()
        locked.state = State.APPROVED
        locked.decided_by = _user(user)
        locked.decided_at = timezone.now()
        locked.decision_note = (note or "").strip()
        locked._history_user = _user(user)
        locked.save()
    return locked


def _apply(declaration: TargetDeclaration, snapshot: list[dict], *, user) -> None:
    """Write a version's snapshot onto its scope's Indicator rows (the caller holds the locks)."""
    department_year, item = declaration.department_year, declaration.item
    existing = {
        row.code: row
        for row in Indicator.objects.select_for_update().filter(department_year=department_year, item=item).order_by("pk")
    }
    positions = [row.position for row in existing.values()]
    base = (
        min(positions)
        if positions
        else ((Indicator.objects.filter(department_year=department_year).aggregate(top=Max("position"))["top"] or 0) + 1)
    )
    history_user = _user(user)
    declared = set()
    new_rows = []
    for offset, row in enumerate(snapshot):
        declared.add(row["code"])
        values = {**row, "target": _decimal(row["target"]), "points": _decimal(row["points"]), "position": base + offset}
        indicator = existing.get(row["code"])
        if indicator is None:
            new_rows.append(Indicator(department_year=department_year, item=item, **values))
            continue
        qualitative = Indicator.Direction.QUALITATIVE
        dirty = any(getattr(indicator, key) != value for key, value in values.items())
        if (indicator.direction == qualitative) != (row["direction"] == qualitative):
            # typed results of a quantitative indicator mean nothing to a qualitative one, and back
            indicator.midyear = indicator.actual = indicator.rate = None
            indicator.midyear_text = indicator.actual_text = indicator.tier = ""
            indicator.results_final = False
        if indicator.override_earned is not None and values["points"] != indicator.points:
            # an evaluator's 得分 was given against the old 分值
            indicator.override_earned, indicator.override_reason = None, ""
            indicator.override_by = indicator.override_at = None
        if dirty:
            for key, value in values.items():
                setattr(indicator, key, value)
            indicator._history_user = history_user
            indicator._change_reason = _("第%(version)s版目标") % {"version": declaration.version}
            indicator.save()
    for code, indicator in existing.items():
        if code not in declared:
            indicator._history_user = history_user
            indicator._change_reason = _("第%(version)s版目标") % {"version": declaration.version}
            indicator.delete()
    if new_rows:
        bulk_create_with_history(new_rows, Indicator, default_user=history_user)
    goal = AnnualGoal.objects.select_for_update().filter(department_year=department_year, item=item).first()
    if goal is None and declaration.goal:
        goal = AnnualGoal(department_year=department_year, item=item)
    if goal is not None and goal.expected != declaration.goal:
        goal.expected = declaration.goal
        goal._history_user = history_user
        if goal.expected or goal.achieved:
            goal.save()
        elif goal.pk:
            goal.delete()


def declaration_record_import(*, department_year: DepartmentYear, user=None) -> list[TargetDeclaration]:
    """After the workbook import wrote a department-year's indicators (fundmgr.workbook.importer):
    an approved version of kind 导入 for every scope with indicators, holding what was written, by
    the importing user. The caller runs it in the import's transaction, after deleting the year's
    earlier versions when replacing it."""
    scopes: dict[int | None, list[Indicator]] = {}
    for indicator in Indicator.objects.filter(department_year=department_year).order_by("position", "id"):
        scopes.setdefault(indicator.item_id, []).append(indicator)
    goals = {goal.item_id: goal.expected for goal in AnnualGoal.objects.filter(department_year=department_year)}
    latest = dict(
        TargetDeclaration.objects.filter(department_year=department_year)
        .values("item_id")
        .annotate(top=Max("version"))
        .values_list("item_id", "top")
    )
    now, who = timezone.now(), _user(user)
    rows = [
        TargetDeclaration(
            department_year=department_year,
            item_id=item_id,
            version=(latest.get(item_id) or 0) + 1,
            kind=Kind.IMPORT,
            state=State.APPROVED,
            goal=goals.get(item_id, ""),
            indicators=[indicator_snapshot(indicator) for indicator in indicators],
            created_by=who,
            created_at=now,
            submitted_by=who,
            submitted_at=now,
            decided_by=who,
            decided_at=now,
        )
        for item_id, indicators in scopes.items()
    ]
    TargetDeclaration.objects.filter(department_year=department_year, state=State.APPROVED).update(state=State.SUPERSEDED)
    return bulk_create_with_history(rows, TargetDeclaration, default_user=who)


def declaration_copy_previous_year(*, department_year: DepartmentYear, user=None) -> list[TargetDeclaration]:
    """Year over year (issue 16 item 6): last year's targets in force, copied as version-1 drafts
    of this year: the department's, and each item's onto the item of the same code. A scope that
    already has a version this year, an item with no counterpart, and a scope with nothing in force
    last year are skipped; an indicator whose code another scope of this year already uses is
    left out. Returns the drafts created (empty when there was nothing to copy)."""
    previous = DepartmentYear.objects.filter(department_id=department_year.department_id, year=department_year.year - 1).first()
    if previous is None:
        return []
    in_force = versions_in_force(department_year_id=previous.pk)
    items_then = dict(BudgetItem.objects.filter(department_year=previous).values_list("pk", "code"))
    items_now = {item.code: item for item in BudgetItem.objects.filter(department_year=department_year)}
    started = set(TargetDeclaration.objects.filter(department_year=department_year).values_list("item_id", flat=True).distinct())
    used = set(Indicator.objects.filter(department_year=department_year).values_list("code", flat=True))
    created = []
    with transaction.atomic():
        for item_id, version in sorted(in_force.items(), key=lambda pair: (pair[0] is not None, items_then.get(pair[0], ""))):
            item = None if item_id is None else items_now.get(items_then[item_id])
            if (item_id is not None and item is None) or (item.pk if item else None) in started:
                continue
            rows = [row for row in version.indicators if row["code"] not in used]
            used.update(row["code"] for row in rows)
            created.append(
                declaration_start(
                    department_year=department_year, item=item, user=user, copy_from={"goal": version.goal, "indicators": rows}
                )
            )
    return created


def declaration_import(
    *, department_year: DepartmentYear, item: BudgetItem | None = None, source, reason: str = "", user=None
) -> TargetDeclaration:
    """Load a filled 申报表 (indicators.declaration_sheet's layout) into the scope's open draft,
    starting one (an adjustment needs `reason`) when there is none. All or nothing: a sheet with
    any error changes nothing, and the messages name its Excel rows."""
    goal, rows, numbers = declaration_workbook_read(source)
    with transaction.atomic():
        draft = (
            TargetDeclaration.objects.filter(department_year=department_year, item=item, state__in=TargetDeclaration.OPEN_STATES)
            .order_by("-version")
            .first()
        )
        if draft is None:
            draft = declaration_start(department_year=department_year, item=item, reason=reason, user=user)
        return declaration_update(
            declaration=draft,
            goal=goal,
            rows=rows,
            user=user,
            phrases=department_phrases(department_year.department_id),
            row_numbers=numbers,
        )


def declaration_record_change(
    *, department_year: DepartmentYear, item: BudgetItem | None, reason: str, user=None
) -> TargetDeclaration:
    """After a service changed a scope's targets directly on the finance office's authority (a
    ledger formula picked into or taken out of the department's evaluation, indicators.services):
    an approved adjustment holding the scope's indicators as they now are, with `reason`, so that
    the version in force is always what is scored and the change is in the versions' diff. Run in
    the caller's transaction, under its locks; refused while the scope has an open version, whose
    approval would otherwise undo the change."""
    scope = TargetDeclaration.objects.filter(department_year=department_year, item=item)
    open_version = scope.filter(state__in=TargetDeclaration.OPEN_STATES).first()
    if open_version is not None:
        raise ValidationError(
            _("%(scope)s有未完成的第%(version)s版目标（%(state)s），请在绩效目标申报页处理后再改")
            % {"scope": scope_name(item), "version": open_version.version, "state": open_version.get_state_display()}
        )
    indicators = Indicator.objects.filter(department_year=department_year, item=item).order_by("position", "id")
    goal = AnnualGoal.objects.filter(department_year=department_year, item=item).values_list("expected", flat=True).first()
    now, who = timezone.now(), _user(user)
    scope.filter(state=State.APPROVED).update(state=State.SUPERSEDED)
    declaration = TargetDeclaration(
        department_year=department_year,
        item=item,
        version=(scope.aggregate(top=Max("version"))["top"] or 0) + 1,
        kind=Kind.ADJUSTMENT,
        state=State.APPROVED,
        reason=reason,
        goal=goal or "",
        indicators=[indicator_snapshot(indicator) for indicator in indicators],
        created_by=who,
        created_at=now,
        submitted_by=who,
        submitted_at=now,
        decided_by=who,
        decided_at=now,
    )
    declaration._history_user = who
    declaration.save()
    return declaration
