"""A department-year read back into workbook rows (DOMAIN.md section 4), for workbook_write.

The export is a restorable backup: re-importing it (into an empty database, or with replace)
gives the same ledger, and exporting that gives the same workbook. Every state the ledger holds
is written: approved, pending and rejected spending with their 三重一大 decisions, blank memos,
procurement methods, indicator results and their 定稿 state, and the month closings and
reopenings with their reasons (the 月结 sheet), the scoring profiles (评分设置) and the evaluators'
overrides, and the 预算调剂 and 用款计划 of DOMAIN.md section 8. Ten queries, whatever the size of the year.
"""

from django.db.models import F

from fundmgr.workbook import schema
from fundmgr.workbook.rules import MonthEvent
from indicators.models import AnnualGoal, Indicator, ScoringProfile
from projects.models import BudgetItem, BudgetLine, BudgetTransfer, Expenditure, MonthClose, SpendingPlan
from units.models import BudgetUnit, DepartmentYear

# A standard 二级指标 written as "数量指标" is the import format's "数量" (schema.INDICATORS).
_LEVEL2 = schema.INDICATORS.column("level2").choices


def month_history(department_year: DepartmentYear) -> list[MonthEvent]:
    """The year's month closings and reopenings in the order they happened, from the month
    closes' history (units.services keeps a reopening's reason as the change reason)."""
    records = (
        MonthClose.history.filter(department_year_id=department_year.pk, history_type__in=("+", "-"))
        .select_related("closed_by", "history_user")
        .order_by("history_date", "history_id")
    )
    return [
        MonthEvent(
            month=record.month,
            action=schema.CLOSE if record.history_type == "+" else schema.REOPEN,
            reason="" if record.history_type == "+" else (record.history_change_reason or ""),
            user=_username(record.closed_by if record.history_type == "+" else record.history_user),
        )
        for record in records
    ]


def _username(user) -> str:
    return user.get_username() if user is not None else ""


def workbook_rows(*, department_year: DepartmentYear) -> dict[str, list[dict]]:
    """Row dicts per sheet key, holding model values, in the order the ledger shows them."""
    department = department_year.department
    items = BudgetItem.objects.filter(department_year=department_year).select_related("unit").order_by("position", "code")
    unit_columns = [column.key for column in schema.UNITS.columns]
    return {
        schema.DEPARTMENT.key: [{"code": department.code, "name": department.name, "year": department_year.year}],
        schema.UNITS.key: list(
            BudgetUnit.objects.filter(department=department).order_by("position", "code").values(*unit_columns)
        ),
        schema.ITEMS.key: [
            {
                "code": item.code,
                "name": item.name,
                "unit": item.unit.code,
                "category": item.category,
                "procurement_required": item.procurement_required,
            }
            for item in items
        ],
        schema.LINES.key: [
            {
                "project": line.item.code,
                "source": line.source,
                "kind": line.kind,
                "amount": line.amount,
                "date": line.date,
                "document": line.document,
            }
            # a transfer's two lines are its 预算调剂 row
            for line in BudgetLine.objects.filter(item__department_year=department_year, transfer__isnull=True)
            .select_related("item")
            .order_by("item__position", "item__code", "date", "id")
        ],
        schema.EXPENDITURES.key: [
            {
                "project": expenditure.item.code,
                "date": expenditure.date,
                "amount": expenditure.amount,
                "economic_class": expenditure.economic_class_id,
                "memo": expenditure.memo,
                "voucher": expenditure.voucher,
                "status": expenditure.status,
                "procurement_method": expenditure.procurement_method,
                "decided_by": _username(expenditure.decided_by),
                "meeting_date": expenditure.meeting_date,
                "minutes_number": expenditure.minutes_number,
                "rejection_reason": expenditure.rejection_reason,
            }
            for expenditure in Expenditure.objects.filter(item__department_year=department_year)
            .select_related("item", "decided_by")
            .order_by("item__position", "item__code", "date", "id")
        ],
        schema.INDICATORS.key: [
            {
                "code": indicator.code,
                "level1": indicator.level1,
                "level2": _LEVEL2.get(indicator.level2, indicator.level2),
                "name": indicator.name,
                "direction": indicator.direction,
                "target": indicator.target_text or indicator.target,
                "unit": indicator.unit,
                "points": indicator.points,
                "midyear": indicator.midyear_text or indicator.midyear,
                "actual": indicator.actual_text or indicator.actual,
                "tier": indicator.tier,
                "rate": indicator.rate,
                "project": indicator.item.code if indicator.item else "",
                "deviation_reason": indicator.deviation_reason,
                "corrective_measures": indicator.corrective_measures,
                "results_final": indicator.results_final,
                "override_earned": indicator.override_earned,
                "override_reason": indicator.override_reason if indicator.override_earned is not None else "",
                "formula": indicator.formula,
            }
            for indicator in Indicator.objects.filter(department_year=department_year)
            .select_related("item")
            .order_by("position", "id")
        ],
        schema.SCORING.key: [
            {
                "project": profile.item.code if profile.item else "",
                "execution_points": profile.execution_points,
                "rounding": int(profile.rounding),
            }
            for profile in ScoringProfile.objects.filter(department_year=department_year)
            .select_related("item")
            .order_by(F("item__code").asc(nulls_first=True))
        ],
        schema.GOALS.key: [
            {"project": goal.item.code if goal.item else "", "expected": goal.expected, "achieved": goal.achieved}
            for goal in AnnualGoal.objects.filter(department_year=department_year)
            .select_related("item")
            .order_by(F("item__position").asc(nulls_first=True), "item__code")
        ],
        schema.MONTH_CLOSES.key: [
            {"month": event.month, "action": event.action, "reason": event.reason, "user": event.user}
            for event in month_history(department_year)
        ],
        schema.TRANSFERS.key: transfer_rows(department_year),
        schema.PLANS.key: [
            {"project": plan.item.code, "month": plan.month, "amount": plan.amount, "name": plan.item.name}
            for plan in SpendingPlan.objects.filter(item__department_year=department_year)
            .select_related("item")
            .order_by("item__position", "item__code", "month")
        ],
    }


def transfer_rows(department_year: DepartmentYear) -> list[dict]:
    """The year's 预算调剂, every state with its 三重一大 decision, in date order: one query."""
    return [
        {
            "from_project": transfer.from_item.code,
            "to_project": transfer.to_item.code,
            "source": transfer.source,
            "amount": transfer.amount,
            "date": transfer.date,
            "document": transfer.document,
            "status": transfer.status,
            "decided_by": _username(transfer.decided_by),
            "meeting_date": transfer.meeting_date,
            "minutes_number": transfer.minutes_number,
            "rejection_reason": transfer.rejection_reason,
        }
        for transfer in BudgetTransfer.objects.filter(department_year=department_year)
        .select_related("from_item", "to_item", "decided_by")
        .order_by("date", "id")
    ]
