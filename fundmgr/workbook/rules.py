"""The rules of a budget workbook that need more than one cell (DOMAIN.md sections 2-4).

`WorkbookRules` is fed the rows as the importer reads them: the small sheets whole, the
expenditures one row at a time, so that a sheet of 200,000 rows is never held in memory; of an
expenditure it keeps only what availability control and month closing need (item, date,
amount, row number). `finish` then applies the rules that need every row. Every error is kept,
none stops the others, and each names its sheet, Excel row and column.
"""

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.utils.translation import gettext as _

from fundmgr.workbook import schema
from fundmgr.workbook.reader import Collector, Row
from indicators.formulas import formula_named, formula_problem
from indicators.scoring import (
    DEFAULT_PROFILE,
    IndicatorInput,
    ScoringError,
    ScoringProfile,
    assign_points,
    check_override,
    tier_ratio,
)
from indicators.targets import DATE, NUMBER, PREFIX_WORDS, QUALITATIVE, SUFFIX_WORDS, SYMBOLS, derived_tier, parse
from projects.arithmetic import signed_amount
from projects.availability import Movement, format_yuan, name_for_quoting, replay

S = schema
ZERO = Decimal("0.00")


@dataclass(frozen=True)
class MonthEvent:
    """One line of the 月结 sheet, or of a year's month-close history."""

    month: int
    action: str  # schema.CLOSE or schema.REOPEN
    reason: str = ""
    user: str = ""  # a username, or ""
    row: int | None = None

    @property
    def key(self) -> tuple:
        return (self.month, self.action, self.reason if self.action == S.REOPEN else "")


class WorkbookRules:
    def __init__(self, *, economic_classes: set[str], collector: Collector):
        self.economic_classes = economic_classes
        self.collector = collector
        self.year: int | None = None
        self.units: dict[str, Row] = {}
        self.items: dict[str, Row] = {}
        # Per item code: (date, budget, spending, sheet, row number); tuples, not Movements, to stay small.
        self._movements: dict[str, list[tuple]] = defaultdict(list)
        self._dates: dict[date, date] = {}  # one date object per day, however many rows share it
        self._pending_by_month: Counter = Counter()
        self.closed_months: dict[int, MonthEvent] = {}  # month -> the event that closed it, after month_closes()
        # 评分设置: project code ("" for the department) -> its scoring profile, after scoring_sheet()
        self.profiles: dict[str, ScoringProfile] = {}

    # ---- helpers ---------------------------------------------------------------------------

    def _unique(self, sheet: schema.Sheet, rows: list[Row], key: str = "code") -> dict[str, Row]:
        first: dict[str, Row] = {}
        column = sheet.column(key)
        for row in rows:
            code = row[key]
            if not code or not row.ok(key):
                continue
            if code in first:
                self.collector.add(
                    sheet,
                    row.number,
                    column,
                    _("%(column)s“%(code)s”重复（第%(first)s行已使用）")
                    % {"column": column.header, "code": code, "first": first[code].number},
                )
            else:
                first[code] = row
        return first

    def _in_year(self, sheet: schema.Sheet, row: Row, key: str = "date") -> None:
        day = row[key]
        if self.year is not None and day is not None and day.year != self.year:
            self.collector.add(sheet, row.number, sheet.column(key), _("日期须在%(year)s年度内") % {"year": self.year})
            row.bad.add(key)

    def _resolve(self, sheet: schema.Sheet, row: Row, key: str, known: dict[str, Row], target: schema.Sheet, what: str):
        code = row[key]
        if not code or not row.ok(key):
            return None
        found = known.get(code)
        if found is None:
            self.collector.add(
                sheet,
                row.number,
                sheet.column(key),
                _("%(what)s“%(code)s”不存在于“%(target)s”表") % {"what": what, "code": code, "target": target.name},
            )
            row.bad.add(key)
        return found

    # ---- the sheets, in the order the importer reads them ------------------------------------

    def department(self, rows: list[Row], *, present: bool) -> Row | None:
        if present and len(rows) != 1:
            number = rows[1].number if len(rows) > 1 else 2
            self.collector.add(S.DEPARTMENT, number, None, _("“部门”表须恰好填写一行"))
        row = rows[0] if rows else None
        self.year = row["year"] if row is not None and row.ok("year") else None
        return row

    def units_sheet(self, rows: list[Row]) -> None:
        self.units = self._unique(S.UNITS, rows)

    def items_sheet(self, rows: list[Row]) -> None:
        self.items = self._unique(S.ITEMS, rows)
        for row in rows:
            self._resolve(S.ITEMS, row, "unit", self.units, S.UNITS, _("单位编码"))

    def lines_sheet(self, rows: list[Row]) -> None:
        for row in rows:
            self._resolve(S.LINES, row, "project", self.items, S.ITEMS, _("项目编码"))
            self._in_year(S.LINES, row)
            if row.ok("project", "amount", "date", "kind") and row["project"] in self.items:
                signed = signed_amount(kind=row["kind"], amount=row["amount"])
                self._movements[row["project"]].append((row["date"], signed, ZERO, S.LINES, row.number))

    def expenditure(self, row: Row) -> bool:
        """One row of 支出明细; True when it may be written (no error found in it)."""
        errors_before = len(self.collector.errors)
        self._resolve(S.EXPENDITURES, row, "project", self.items, S.ITEMS, _("项目编码"))
        self._in_year(S.EXPENDITURES, row)
        code = row["economic_class"]
        if code and row.ok("economic_class") and code not in self.economic_classes:
            self.collector.add(
                S.EXPENDITURES,
                row.number,
                S.EXPENDITURES.column("economic_class"),
                _("经济分类“%(code)s”不存在，须为部门预算支出经济分类的3位或5位编码") % {"code": code},
            )
        status = row["status"] or "approved"
        # A rejected expenditure reserves nothing (projects.availability.COMMITTED); pending spending does.
        if status != "rejected" and row.ok("project", "amount", "date", "status") and row["project"] in self.items:
            day = self._dates.setdefault(row["date"], row["date"])
            self._movements[row["project"]].append((day, ZERO, row["amount"], S.EXPENDITURES, row.number))
        if status == "pending" and row.ok("date") and row["date"] is not None:
            self._pending_by_month[row["date"].month] += 1
        return len(self.collector.errors) == errors_before and not row.bad

    def goals_sheet(self, rows: list[Row]) -> None:
        """年度总体目标 (DOMAIN.md section 9): at most one row per scope (项目编码 blank: the
        department), each project one of the 预算项目 sheet's."""
        sheet, column = S.GOALS, S.GOALS.column
        seen: dict[str, int] = {}
        for row in rows:
            code = row["project"] or ""
            if not row.ok("project"):
                continue
            if code in seen:
                scope = code or _("部门整体")
                self.collector.add(
                    sheet,
                    row.number,
                    column("project"),
                    _("%(scope)s的年度总体目标重复（第%(first)s行已填写）") % {"scope": scope, "first": seen[code]},
                )
                continue
            seen[code] = row.number
            if code:
                self._resolve(sheet, row, "project", self.items, S.ITEMS, _("项目编码"))

    def scoring_sheet(self, rows: list[Row]) -> None:
        """评分设置 (DOMAIN.md section 9): at most one row per scope (项目编码 blank: the department),
        each project one of the 预算项目 sheet's, the settings among the allowed values."""
        sheet, column = S.SCORING, S.SCORING.column
        seen: dict[str, int] = {}
        for row in rows:
            code = row["project"] or ""
            if not row.ok("project"):
                continue
            if code in seen:
                scope = code or _("部门整体")
                self.collector.add(
                    sheet,
                    row.number,
                    column("project"),
                    _("%(scope)s的评分设置重复（第%(first)s行已设置）") % {"scope": scope, "first": seen[code]},
                )
                continue
            seen[code] = row.number
            if code:
                self._resolve(sheet, row, "project", self.items, S.ITEMS, _("项目编码"))
            points, places = row["execution_points"], row["rounding"]
            valid = True
            if row.ok("execution_points") and points not in S.EXECUTION_POINTS_ALLOWED:
                self.collector.add(sheet, row.number, column("execution_points"), _("预算执行率分值须为10、20或0"))
                valid = False
            if row.ok("rounding") and places not in S.ROUNDING_ALLOWED:
                self.collector.add(sheet, row.number, column("rounding"), _("得分保留小数位须为2、1或0"))
                valid = False
            if valid and row.ok("execution_points", "rounding", "project") and points is not None and places is not None:
                self.profiles[code] = ScoringProfile(execution_points=Decimal(points), places=places)

    def profile_for(self, project: str | None) -> ScoringProfile:
        """The scope's profile: the project's own row, else the department's, else the defaults."""
        return self.profiles.get(project or "") or self.profiles.get("") or DEFAULT_PROFILE

    def indicators_sheet(self, rows: list[Row], *, phrases: dict[str, str] | None = None) -> None:
        """`phrases`: the department's own list of qualitative phrases (indicators.selectors), None
        for indicators.targets.DEFAULT_PHRASES."""
        self._unique(S.INDICATORS, rows)
        _validate_indicators(rows, self.items, self.collector, self._resolve, self.profile_for, year=self.year, phrases=phrases)

    def transfers_sheet(self, rows: list[Row], *, threshold: Decimal) -> None:
        """预算调剂 (DOMAIN.md section 8): both items of the 预算项目 sheet and not the same, the date in
        the year, and the 三重一大 state of an imported expenditure's (blank: approved, the booked
        ledger). A status other than approved is for a transfer at or above `threshold` only, as
        projects.services.transfer_create gives it, and an approved one that large carries its
        decision (党组会日期, 会议纪要号), which transfer_approve records. An approved transfer moves
        budget on its date: out of the source, exactly as a reduction (availability control, checked
        in finish), and into the target."""
        sheet, column = S.TRANSFERS, S.TRANSFERS.column
        for row in rows:
            source = self._resolve(sheet, row, "from_project", self.items, S.ITEMS, _("调出项目"))
            target = self._resolve(sheet, row, "to_project", self.items, S.ITEMS, _("调入项目"))
            self._in_year(sheet, row)
            if source is not None and target is not None and source is target:
                self.collector.add(sheet, row.number, column("to_project"), _("调出项目与调入项目不能相同"))
                row.bad.add("to_project")
            status = row["status"] or "approved"
            amount = row["amount"]
            if row.ok("status", "amount") and amount is not None:
                large = amount >= threshold
                if status != "approved" and not large:
                    self.collector.add(
                        sheet,
                        row.number,
                        column("status"),
                        _("金额低于三重一大标准 %(threshold)s 元的调剂即时生效，状态须为已生效")
                        % {"threshold": format_yuan(threshold)},
                    )
                elif status == "approved" and large:
                    for key in ("meeting_date", "minutes_number"):
                        if row.ok(key) and not row[key]:
                            self.collector.add(
                                sheet,
                                row.number,
                                column(key),
                                _("金额达到三重一大标准 %(threshold)s 元的已生效调剂须填写%(column)s")
                                % {"threshold": format_yuan(threshold), "column": column(key).header},
                            )
                elif status == "rejected" and row.ok("rejection_reason") and not (row["rejection_reason"] or "").strip():
                    self.collector.add(sheet, row.number, column("rejection_reason"), _("已驳回的调剂须填写驳回理由"))
            if status == "approved" and row.ok("from_project", "to_project", "amount", "date", "status") and source and target:
                self._movements[row["from_project"]].append((row["date"], -amount, ZERO, sheet, row.number))
                self._movements[row["to_project"]].append((row["date"], amount, ZERO, sheet, row.number))

    def plans_sheet(self, rows: list[Row]) -> dict[str, dict[int, Decimal]]:
        """用款计划 (DOMAIN.md section 8), checked by plan_rows_check against the items of the 预算项目
        sheet and their full-year budgets at year end from the 预算指标 and 预算调剂 sheets: call it
        after both."""
        budgets = {code: sum((movement[1] for movement in self._movements.get(code, ())), ZERO) for code in self.items}
        names = {code: row["name"] for code, row in self.items.items()}
        return plan_rows_check(rows, item_names=names, budgets=budgets, collector=self.collector)

    def month_closes(self, rows: list[Row], *, present: bool, history: list[MonthEvent]) -> list[MonthEvent]:
        """The 月结 events to replay: the sheet's events after those the year's history already holds.

        The history of an existing year is its audit trail: the sheet must start with it (a
        re-imported export does) and may only add to it. Without the sheet, nothing is replayed.
        """
        if not present:
            return []
        sheet, column = S.MONTH_CLOSES, S.MONTH_CLOSES.column
        events, closed = [], {}
        for event in history:
            if event.action == S.CLOSE:
                closed[event.month] = event
            else:
                closed.pop(event.month, None)
        for row in rows:
            if not row.ok("month", "action") or row["month"] is None or row["action"] is None:
                continue
            month = row["month"]
            if not 1 <= month <= 12:
                self.collector.add(sheet, row.number, column("month"), _("月份须在1到12之间"))
                continue
            event = MonthEvent(month, row["action"], row["reason"] or "", row["user"] or "", row.number)
            events.append(event)
        if history and [event.key for event in events[: len(history)]] != [event.key for event in history]:
            mismatch = next(
                (index for index, (event, past) in enumerate(zip(events, history)) if event.key != past.key), len(events)
            )
            number = events[mismatch].row if mismatch < len(events) else (events[-1].row if events else 1)
            self.collector.add(
                sheet,
                number,
                "",
                _("月结记录须以该年度已有的%(count)s条结账、重新开账记录开头，已有的记录不能改写") % {"count": len(history)},
            )
            return []
        new_events = events[len(history):]
        for event in new_events:
            if event.action == S.CLOSE:
                if event.month in closed:
                    self.collector.add(sheet, event.row, column("month"), _("%(month)s月已结账") % {"month": event.month})
                closed[event.month] = event
            else:
                if event.month not in closed:
                    self.collector.add(
                        sheet, event.row, column("action"), _("%(month)s月未结账，不能重新开账") % {"month": event.month}
                    )
                if not event.reason.strip():
                    self.collector.add(sheet, event.row, column("reason"), _("请填写重新开账的理由"))
                closed.pop(event.month, None)
        self.closed_months = closed
        return new_events

    def finish(self) -> None:
        """The rules that need every row: availability control, and no pending spending in a closed month."""
        for code, movements in self._movements.items():
            item_name = self.items[code]["name"]
            ordered = [
                Movement(date=day, budget=budget, spending=spending, ref=(sheet, number))
                for day, budget, spending, sheet, number in movements
            ]
            # Availability control: the very rule the forms and the admin apply (projects.availability).
            for refusal in replay(ordered):
                sheet, number = refusal.movement.ref
                what = _("支出") if sheet is S.EXPENDITURES else _("调出") if sheet is S.TRANSFERS else _("调减")
                amount = refusal.movement.spending or -refusal.movement.budget
                self.collector.add(
                    sheet,
                    number,
                    sheet.column("amount"),
                    _("项目“%(item)s”可用指标 %(available)s 元，本次%(what)s %(amount)s 元，超出 %(shortfall)s 元")
                    % {
                        "item": item_name,
                        "available": format_yuan(refusal.available),
                        "what": what,
                        "amount": format_yuan(amount),
                        "shortfall": format_yuan(refusal.shortfall),
                    },
                )
        for month, event in sorted(self.closed_months.items()):
            count = self._pending_by_month.get(month, 0)
            if count and event.row is not None:
                self.collector.add(
                    S.MONTH_CLOSES,
                    event.row,
                    S.MONTH_CLOSES.column("month"),
                    _("%(month)s月尚有 %(count)s 笔待审批支出，请先审批或驳回后再结账") % {"month": month, "count": count},
                )


def _read_value_texts(row: Row, collector: Collector, year: int | None, phrases: dict[str, str] | None = None) -> None:
    """目标值, 半年完成值 and 全年完成值 written as text (≥200平方米, 98%以上, 达到预期, 12月底前;
    DOMAIN.md section 9), read with the department's phrases (`phrases`, None for the defaults) and
    the workbook's year: the text is kept as written (`<key>_text`) and its parsed figure replaces
    it. A number reads as today; a phrase gives a qualitative value. A date target (12月底前) makes
    a qualitative indicator (指标方向 定性, or ≤ / ≥ / = agreeing with 前 / 后 / =) whose values
    may be dates (11月20日) or phrases (按时完成). A blank 定性等级 is derived from the 全年完成值
    (indicators.targets.derived_tier: a phrase's tier; for a date target, met or not); one written
    wins. A text the parser cannot read, or a date where the target is none, is refused where it is:
    the import is strict, and a value that cannot be scored is never stored as if it were one."""
    sheet = schema.INDICATORS
    col = sheet.column
    target = parse(None)
    for key in ("target", "midyear", "actual"):
        row.values[f"{key}_text"] = ""
        text = row[key]
        if not isinstance(text, str):
            continue
        parsed = parse(text, year=year, phrases=phrases)
        if key == "target":
            target = parsed
        row.values[key] = None
        if parsed.kind == NUMBER:
            row.values[key] = parsed.value
            row.values[f"{key}_text"] = text
            unit = (row["unit"] or "").strip()
            if parsed.unit and not unit and row.ok("unit"):
                row.values["unit"] = parsed.unit
            elif parsed.unit and unit and parsed.unit != unit:
                collector.add(
                    sheet,
                    row.number,
                    col(key),
                    _("%(column)s“%(value)s”的单位与计量单位“%(unit)s”不一致")
                    % {"column": col(key).header, "value": text, "unit": unit},
                )
                row.bad.add(key)
            # a number without a direction word reads as ≥ (section 10): the 指标方向 column then decides
            written = any(word in text for word in (*PREFIX_WORDS, *SUFFIX_WORDS))
            if key == "target" and written and row.ok("direction") and row["direction"] not in (None, "", parsed.direction):
                collector.add(
                    sheet,
                    row.number,
                    col(key),
                    _("目标值“%(value)s”与指标方向“%(direction)s”不一致")
                    % {"value": text, "direction": col("direction").label_for(row["direction"])},
                )
                row.bad.add(key)
        elif parsed.kind == QUALITATIVE:
            row.values[f"{key}_text"] = text
            if key == "target" and row.ok("direction") and row["direction"] and row["direction"] != "qualitative":
                collector.add(
                    sheet, row.number, col(key), _("目标值“%(value)s”是定性表述，指标方向须为“定性”") % {"value": text}
                )
                row.bad.add(key)
        elif parsed.kind == DATE and (key == "target" or target.kind == DATE):
            row.values[f"{key}_text"] = text
            if key == "target" and row.ok("direction"):
                if row["direction"] not in (None, "", "qualitative", parsed.direction):
                    collector.add(
                        sheet,
                        row.number,
                        col(key),
                        _("目标值“%(value)s”是日期，指标方向须为“%(direction)s”或“定性”")
                        % {"value": text, "direction": SYMBOLS[parsed.direction]},
                    )
                    row.bad.add(key)
                row.values["direction"] = "qualitative"  # scored by its tier: met or not (section 9)
        elif parsed.kind == DATE:
            collector.add(
                sheet,
                row.number,
                col(key),
                _("%(column)s“%(value)s”是日期，只用于日期目标值（如12月底前）") % {"column": col(key).header, "value": text},
            )
            row.bad.add(key)
        else:
            collector.add(
                sheet,
                row.number,
                col(key),
                _(
                    "%(column)s“%(value)s”无法识别：请填写数字（可带单位和≥、≤、以上、以下）、日期（如12月底前），或定性表述（如达到预期）"
                )
                % {"column": col(key).header, "value": text},
            )
            row.bad.add(key)
        if key == "actual" and not row["tier"] and key not in row.bad:
            tier = derived_tier(target, parsed)
            if tier:
                row.values["tier"] = tier


def _validate_indicators(
    rows: list[Row],
    items: dict[str, Row],
    collector: Collector,
    resolve,
    profile_for,
    *,
    year: int | None = None,
    phrases: dict[str, str] | None = None,
) -> None:
    sheet = schema.INDICATORS
    col = sheet.column
    scopes: dict[str | None, list[Row]] = defaultdict(list)
    seen_formulas: dict[str, int] = {}
    for row in rows:
        _read_value_texts(row, collector, year, phrases)
        if row["project"]:
            resolve(sheet, row, "project", items, schema.ITEMS, _("项目编码"))
        if row.ok("level1", "level2") and row["level1"] and row["level2"]:
            if row["level2"] not in schema.LEVEL2[row["level1"]]:
                collector.add(
                    sheet,
                    row.number,
                    col("level2"),
                    _("%(level1)s下的二级指标须为：%(allowed)s")
                    % {"level1": col("level1").label_for(row["level1"]), "allowed": _("、").join(schema.LEVEL2[row["level1"]])},
                )
        if row["points"] is not None and row["points"] <= 0:
            collector.add(sheet, row.number, col("points"), _("分值须大于0"))
            row.bad.add("points")
        if row.ok("direction") and row["direction"]:
            # A blank year-end value (全年完成值, 定性等级) is a draft, never refused (DOMAIN.md section 9):
            # the evaluation then has no score until it is filled in. A 得分率 needs its tier, though.
            if row["direction"] == "qualitative":
                if not row["tier"] and row.ok("tier") and row["rate"] is not None:
                    collector.add(sheet, row.number, col("tier"), _("定性指标须填写定性等级（达成、部分达成、未达成）"))
                elif row["tier"] and row["rate"] is not None and row.ok("rate"):
                    try:
                        tier_ratio(row["tier"], row["rate"])
                    except ScoringError as error:
                        collector.add(sheet, row.number, col("rate"), str(error))
            else:
                if row["target"] is None and row.ok("target"):
                    collector.add(sheet, row.number, col("target"), _("定量指标须填写目标值"))
                if row["tier"]:
                    collector.add(sheet, row.number, col("tier"), _("定性等级只用于定性指标"))
                if row["rate"] is not None:
                    collector.add(sheet, row.number, col("rate"), _("得分率只用于定性指标"))
        if row["override_earned"] is not None and row.ok("override_earned", "override_reason"):
            if not (row["override_reason"] or "").strip():
                collector.add(sheet, row.number, col("override_reason"), _("填写了评价人得分，须填写调整理由"))
        elif row["override_reason"] and row.ok("override_earned"):
            collector.add(sheet, row.number, col("override_earned"), _("填写了调整理由，请同时填写评价人得分"))
        _check_formula(row, collector, seen_formulas)
        scopes[row["project"] or None].append(row)

    # Points: all or none within a scope, totalling 100 − the scope's execution points (90 by
    # default; indicators.scoring is the one place of the rule); an override within 0..its points.
    for project, scope_rows in scopes.items():
        if not all(row.ok("points", "level1") and row["level1"] for row in scope_rows):
            continue
        inputs = [
            IndicatorInput(code=row["code"] or str(row.number), level1=row["level1"], direction="ge", points=row["points"])
            for row in scope_rows
        ]
        try:
            points = assign_points(inputs, profile_for(project))
        except ScoringError as error:
            at = next((row for row in scope_rows if row["points"] is None), scope_rows[0])
            collector.add(sheet, at.number, col("points"), str(error))
            continue
        for row, share in zip(scope_rows, points):
            if row["override_earned"] is not None and row.ok("override_earned"):
                try:
                    check_override(row["override_earned"], share)
                except ScoringError as error:
                    collector.add(sheet, row.number, col("override_earned"), str(error))


def _check_formula(row: Row, collector: Collector, seen: dict[str, int]) -> None:
    """取数公式 (issue 16): a formula of indicators.formulas, by key or Chinese name, active in
    this province (settings.LEDGER_FORMULAS), on a department-level quantitative indicator
    without typed 半年/全年完成值, at most once in the department's evaluation. The cell is
    replaced by the formula's key."""
    sheet, col = schema.INDICATORS, schema.INDICATORS.column
    written = (row["formula"] or "").strip()
    row.values["formula"] = ""
    if not written or not row.ok("formula"):
        return
    formula = formula_named(written)
    problem = formula_problem(formula.key) if formula else _("取数公式“%(key)s”不存在") % {"key": written}
    if problem:
        collector.add(sheet, row.number, col("formula"), problem)
        row.bad.add("formula")
        return
    if row["project"]:
        collector.add(sheet, row.number, col("formula"), _("取数公式只用于部门整体指标（不填项目编码）"))
        row.bad.add("formula")
    if row.ok("direction") and row["direction"] == "qualitative":
        collector.add(sheet, row.number, col("direction"), _("账表取数指标的方向须为≥、≤或="))
    for key in ("midyear", "actual"):
        if row[key] is not None or row[f"{key}_text"]:
            collector.add(
                sheet, row.number, col(key), _("%(column)s由账表取数公式自动计算，不能手工填写") % {"column": col(key).header}
            )
    if formula.key in seen:
        collector.add(
            sheet,
            row.number,
            col("formula"),
            _("取数公式“%(name)s”已在第%(row)s行使用") % {"name": formula.label, "row": seen[formula.key]},
        )
    seen.setdefault(formula.key, row.number)
    row.values["formula"] = formula.key


def plan_rows_check(
    rows: list[Row], *, item_names: dict[str, str], budgets: dict[str, Decimal], collector: Collector
) -> dict[str, dict[int, Decimal]]:
    """The rules of a 用款计划 sheet (DOMAIN.md section 8), for the year's workbook and for the plan
    template alike: each project one of `item_names` (code -> name), the month 1–12, at most one row
    per item and month (the error names both rows), and an item's plan totalling no more than its
    full-year budget at year end, `budgets` (the error names the item, the plan total and the
    budget). A blank amount is a month without a plan. Returns the plan of every item the sheet
    names, {month: amount} (an item whose amounts are all blank has an empty plan)."""
    sheet, column = S.PLANS, S.PLANS.column
    plans: dict[str, dict[int, Decimal]] = {}
    first_row: dict[tuple[str, int], int] = {}
    last_row: dict[str, Row] = {}
    for row in rows:
        code, month = row["project"], row["month"]
        if code and row.ok("project") and code not in item_names:
            collector.add(
                sheet,
                row.number,
                column("project"),
                _("%(what)s“%(code)s”不存在于“%(target)s”表") % {"what": _("项目编码"), "code": code, "target": S.ITEMS.name},
            )
            row.bad.add("project")
        if month is not None and row.ok("month") and not 1 <= month <= 12:
            collector.add(sheet, row.number, column("month"), _("月份须在1到12之间"))
            row.bad.add("month")
        if not code or month is None or not row.ok("project", "month", "amount"):
            continue
        plans.setdefault(code, {})
        key = (code, month)
        if key in first_row:
            collector.add(
                sheet,
                row.number,
                column("month"),
                _("项目%(code)s %(month)s月的用款计划重复：第%(first)s行和第%(row)s行")
                % {"code": code, "month": month, "first": first_row[key], "row": row.number},
            )
            continue
        first_row[key] = row.number
        if row["amount"] is not None:
            plans[code][month] = row["amount"]
            last_row[code] = row
    for code, months in plans.items():
        total = sum(months.values(), ZERO)
        budget = budgets.get(code, ZERO)
        if total > budget:
            collector.add(
                sheet,
                last_row[code].number,
                column("amount"),
                _("项目“%(item)s”（%(code)s）的用款计划合计 %(total)s 元，超过年末全年预算 %(budget)s 元")
                % {
                    "item": name_for_quoting(item_names[code]),
                    "code": code,
                    "total": format_yuan(total),
                    "budget": format_yuan(budget),
                },
            )
    return plans
