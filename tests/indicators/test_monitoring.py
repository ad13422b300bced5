"""绩效运行监控 (indicators.monitoring): execution at the end of June against 序时进度, and the
mid-year flag."""

from datetime import date
from decimal import Decimal

import pytest

from fundmgr.lib.money import percent
from indicators.monitoring import monitoring_for
from indicators.scoring import Flag
from tests.builders import BudgetItemFactory, BudgetLineFactory, DepartmentYearFactory, ExpenditureFactory, IndicatorFactory

pytestmark = pytest.mark.django_db


def test_monitoring_uses_spending_up_to_30_june_and_flags_both_lags():
    dy = DepartmentYearFactory(department__code="T01")
    project = BudgetItemFactory(department_year=dy, unit__code="U1", code="P1")
    BudgetLineFactory(item=project, amount=Decimal("100000.00"))
    ExpenditureFactory(item=project, amount=Decimal("20000.00"), date=date(2024, 3, 1))
    ExpenditureFactory(item=project, amount=Decimal("50000.00"), date=date(2024, 8, 1))  # after June: not in the monitoring
    IndicatorFactory(department_year=dy, code="D1", target=Decimal("5000"), midyear=Decimal("800"), unit="户", level2="数量指标")
    IndicatorFactory(
        department_year=dy,
        code="D2",
        target=Decimal("90"),
        midyear=Decimal("40"),
        unit="%",
        level1="satisfaction",
        level2="数量指标",
    )
    IndicatorFactory(
        department_year=dy, code="P1-1", item=project, target=Decimal("10"), midyear=Decimal("6"), unit="场", level2="数量指标"
    )
    monitoring = monitoring_for(department_year=dy)
    assert monitoring.as_of == date(2024, 6, 30)
    # 20,000 ÷ 100,000 = 20 % against 50 %: 0.4 < 0.6, red
    assert monitoring.department.figures.spent == Decimal("20000.00")
    assert monitoring.department.lag == "red"
    rows = {row.indicator.code: row for row in monitoring.department.rows}
    assert rows["D1"].midyear_flag == Flag.MIDYEAR_BEHIND  # 800 < 2,500
    assert percent(rows["D1"].midyear_progress) == Decimal("16.00")
    assert rows["D2"].midyear_flag is None  # a rate is not an annual count
    [item_scope] = monitoring.items
    assert item_scope.code == "P1"
    assert item_scope.rows[0].midyear_flag is None  # 6 of 10
    assert item_scope.behind  # its execution is red


def test_a_scope_on_pace_or_without_budget_does_not_lag():
    dy = DepartmentYearFactory(department__code="T01")
    on_pace = BudgetItemFactory(department_year=dy, unit__code="U1", code="P1")
    BudgetLineFactory(item=on_pace, amount=Decimal("100000.00"))
    ExpenditureFactory(
        item=on_pace, amount=Decimal("40000.00"), date=date(2024, 3, 1)
    )  # 40 % against 50 %: pace 0.8, not under it
    IndicatorFactory(
        department_year=dy, code="P1-1", item=on_pace, target=Decimal("10"), midyear=Decimal("6"), unit="场", level2="数量指标"
    )
    IndicatorFactory(
        department_year=dy,
        code="P2-1",
        item=BudgetItemFactory(department_year=dy, unit__code="U1", code="P2"),
        target=Decimal("10"),
        midyear=Decimal("6"),
        unit="场",
        level2="数量指标",
    )
    monitoring = monitoring_for(department_year=dy)
    lags = {scope.code: (scope.lag, scope.behind) for scope in monitoring.items}
    assert lags == {"P1": ("", False), "P2": ("", False)}
    assert monitoring.progress == Decimal("0.5")
