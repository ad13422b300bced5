"""Rows of department PD for the admin tests: one per registered model, and a snapshot of the ledger."""

from datetime import date
from decimal import Decimal

from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from indicators.evidence import evidence_upload
from indicators.models import Evidence, Indicator
from projects.models import (
    BudgetItem,
    BudgetLine,
    BudgetTransfer,
    EconomicClass,
    Expenditure,
    MonthClose,
    SpendingPlan,
    YearClose,
)
from tests import personas
from tests.indicators import evidence_files
from units.models import BudgetUnit, Department, DepartmentYear, Membership

LEDGER = (
    Department, BudgetUnit, DepartmentYear, Membership, MonthClose, BudgetItem, BudgetLine, Expenditure, Indicator, EconomicClass,
    BudgetTransfer, SpendingPlan, YearClose, Evidence,
)


def department_rows(world, closed_march) -> dict:
    """An object of department PD for every registered model (the shared ones: any row)."""
    User = get_user_model()
    return {
        Department: world.department_year.department,
        BudgetUnit: world.unit_a,
        DepartmentYear: world.department_year,
        Membership: Membership.objects.get(user=world.accountant_a),
        MonthClose: closed_march,
        BudgetItem: world.item_a2,  # no indicator: the delete page would refuse before the service
        BudgetLine: world.line_a,
        Expenditure: world.spent_a,
        Indicator: world.indicator_a,
        EconomicClass: EconomicClass.objects.get(code="30201"),
        BudgetTransfer: BudgetTransfer.objects.create(
            department_year=world.department_year, from_item=world.item_a, to_item=world.item_b, source="local",
            amount=Decimal("100.00"), date=date(2024, 4, 1),
        ),
        SpendingPlan: SpendingPlan.objects.create(item=world.item_a, month=1, amount=Decimal("1000.00")),
        YearClose: YearClose.objects.create(department_year=world.department_year, carried_total=Decimal("0.00"), lapsed_total=Decimal("0.00")),
        Evidence: evidence_upload(
            department_year=world.department_year, item=world.item_a, upload=evidence_files.upload("签到表.pdf", evidence_files.PDF),
        ),
        User: world.accountant_a,
        Group: personas.finance_group(),
        AccessAttempt: AccessAttempt.objects.create(username="x", ip_address="10.0.0.1", user_agent="t", failures_since_start=1),
        AccessLog: AccessLog.objects.create(username="x", ip_address="10.0.0.1", user_agent="t"),
        AccessFailureLog: AccessFailureLog.objects.create(username="x", ip_address="10.0.0.1", user_agent="t"),
    }


def snapshot() -> dict:
    """Every ledger table's rows, to compare before and after an attempted write."""
    return {model.__name__: list(model.objects.order_by("pk").values()) for model in LEDGER}
