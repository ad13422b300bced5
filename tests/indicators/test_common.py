"""共性指标 (indicators.common): reference figures computed from the ledger."""

from datetime import date
from decimal import Decimal

import pytest

from fundmgr.lib.money import percent
from indicators.common import common_indicators
from projects.models import BudgetItem, BudgetLine, Expenditure
from projects.selectors import budget_summary
from tests.builders import (
    BudgetItemFactory,
    BudgetLineFactory,
    BudgetUnitFactory,
    DepartmentYearFactory,
    ExpenditureFactory,
    economic_class,
)

pytestmark = pytest.mark.django_db

Kind = BudgetLine.Kind


@pytest.fixture
def ledger():
    """Two units (编制 100 + 51, 实有 80 + 44) and three items.

    personnel: initial 1,000,000 + addition 100,000, spent 1,050,000 (30101)
    operating: initial 200,000 + addition 50,000 − reduction 10,000 = 240,000; spent 172,000 (30201)
               + 5,000 (30217 公务接待费) + 3,000 (30231 公务用车运行维护费) = 180,000; 1,000 of 30217 pending
    project:   initial 500,000 + carryover 50,000, spent 12,000 (30212 因公出国) + 388,000 (30201)
    """
    dy = DepartmentYearFactory(department__code="T01")
    first = BudgetUnitFactory(department=dy.department, code="U1", authorized_staff=100, actual_staff=80)
    BudgetUnitFactory(department=dy.department, code="U2", authorized_staff=51, actual_staff=44)
    personnel = BudgetItemFactory(department_year=dy, unit=first, code="JB1", category=BudgetItem.Category.PERSONNEL)
    operating = BudgetItemFactory(department_year=dy, unit=first, code="JB2", category=BudgetItem.Category.OPERATING)
    project = BudgetItemFactory(department_year=dy, unit=first, code="XM1")
    BudgetLineFactory(item=personnel, amount=Decimal("1000000.00"))
    BudgetLineFactory(item=personnel, amount=Decimal("100000.00"), kind=Kind.ADDITION)
    ExpenditureFactory(
        item=personnel, amount=Decimal("1050000.00"), date=date(2024, 12, 1), economic_class=economic_class("30101")
    )
    BudgetLineFactory(item=operating, amount=Decimal("200000.00"))
    BudgetLineFactory(item=operating, amount=Decimal("50000.00"), kind=Kind.ADDITION)
    BudgetLineFactory(item=operating, amount=Decimal("10000.00"), kind=Kind.REDUCTION)
    ExpenditureFactory(item=operating, amount=Decimal("172000.00"), date=date(2024, 12, 1))
    ExpenditureFactory(item=operating, amount=Decimal("5000.00"), date=date(2024, 12, 1), economic_class=economic_class("30217"))
    ExpenditureFactory(item=operating, amount=Decimal("3000.00"), date=date(2024, 12, 1), economic_class=economic_class("30231"))
    ExpenditureFactory(
        item=operating,
        amount=Decimal("1000.00"),
        date=date(2024, 12, 1),
        economic_class=economic_class("30217"),
        status=Expenditure.Status.PENDING,
    )
    BudgetLineFactory(item=project, amount=Decimal("500000.00"))
    BudgetLineFactory(item=project, amount=Decimal("50000.00"), kind=Kind.CARRYOVER)
    ExpenditureFactory(item=project, amount=Decimal("12000.00"), date=date(2024, 12, 1), economic_class=economic_class("30212"))
    ExpenditureFactory(item=project, amount=Decimal("388000.00"), date=date(2024, 12, 1))
    return dy


def test_common_indicators_are_computed_from_the_ledger(ledger):
    common = common_indicators(summary=budget_summary(department_year=ledger))
    # 124 ÷ 151 = 0.821192… → 82.12 %
    assert (common.actual_staff, common.authorized_staff) == (124, 151)
    assert percent(common.staff_control_rate) == Decimal("82.12")
    # (150,000 − 10,000) ÷ 1,700,000 = 0.0823529… → 8.24 %
    assert percent(common.budget_adjustment_rate) == Decimal("8.24")
    # (1,890,000 − 1,630,000) ÷ 1,890,000 = 0.137566… → 13.76 %
    assert percent(common.carryover_balance_rate) == Decimal("13.76")
    # 180,000 ÷ 240,000 = 75.00 %
    assert percent(common.running_cost_control_rate) == Decimal("75.00")
    # 5,000 + 3,000 + 12,000, the pending 1,000 left out
    assert common.three_public_spent == Decimal("20000.00")
    assert common.previous_year is None
    assert common.three_public_change is None


def test_three_public_expenses_change_against_the_previous_year_when_it_exists(ledger):
    previous = DepartmentYearFactory(department__code=ledger.department.code, year=2023)
    ExpenditureFactory(
        item=BudgetItemFactory(department_year=previous, unit__code="U1", code="OLD"),
        amount=Decimal("25000.00"),
        date=date(2023, 6, 1),
        economic_class=economic_class("31013"),
    )
    common = common_indicators(summary=budget_summary(department_year=ledger))
    assert common.previous_year == 2023
    assert common.three_public_previous == Decimal("25000.00")
    # 20,000 − 25,000 = −5,000, i.e. −20.00 %
    assert common.three_public_change == Decimal("-5000.00")
    assert percent(common.three_public_change_rate) == Decimal("-20.00")


def test_staff_control_rate_is_undefined_without_authorized_staff():
    dy = DepartmentYearFactory(department__code="T01")
    BudgetUnitFactory(department=dy.department, code="U1")
    assert common_indicators(summary=budget_summary(department_year=dy)).staff_control_rate is None
