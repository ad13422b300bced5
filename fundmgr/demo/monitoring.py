"""The seed department's 绩效运行监控表 at the end of June (issue 16): illustrative (示意), as the
report gives no monitoring table. Forecasts, causes and measures for three indicators and two
items; indicator XJWF-ZT05's forecast (88 % of a ≥ 90 % target) is flagged. The items' figures
and their budget flags come from the ledger (XM06 behind its plan, forecast 665.65 of 1003.00 万元).

Not wired into load_demo here: the lead calls demo_monitoring after the import.
"""

from decimal import Decimal

from indicators.models import Indicator, MonitoringCause
from indicators.services import indicator_set_monitoring, item_monitoring_set
from projects.models import BudgetItem
from units.models import DepartmentYear
from units.services import monitoring_month_set

DEMO_MONITORING_MONTH = 6

# code -> (forecast, cause, cause text, likelihood, measures)
INDICATOR_MONITORING = {
    "XJWF-ZT01": (
        Decimal("5000"),
        MonitoringCause.HARDWARE,
        "家庭智慧学习机6月到货，下半年集中发放",
        Indicator.Likelihood.CERTAIN,
        "7月起分地州集中发放，9月底前完成",
    ),
    "XJWF-ZT02": (Decimal("10000"), "", "", Indicator.Likelihood.CERTAIN, ""),
    "XJWF-ZT05": (
        Decimal("88"),
        MonitoringCause.SYSTEM,
        "部分地州普法宣传尚未纳入年度工作计划",
        Indicator.Likelihood.POSSIBLE,
        "三季度组织普法宣传进村入户，年底前开展知晓率测评",
    ),
}

# item code -> (cause, cause text, needs correction, measures)
ITEM_MONITORING = {
    "XJWF001-XM06": (
        MonitoringCause.OTHER,
        "培训按月均衡开展，用款计划春季安排偏高",
        True,
        "调整下半年用款计划，加快培训进度",
    ),
    "XJWF001-XM08": (MonitoringCause.STAFFING, "工作室专职人员5月方到岗", False, ""),
}


def demo_monitoring(*, department_year: DepartmentYear, user=None) -> None:
    """Write the seed department's June monitoring through the services, as the finance office would."""
    monitoring_month_set(department_year=department_year, month=DEMO_MONITORING_MONTH)
    indicators = Indicator.objects.filter(department_year=department_year, code__in=INDICATOR_MONITORING)
    for indicator in indicators:
        forecast, cause, cause_text, likelihood, measures = INDICATOR_MONITORING[indicator.code]
        indicator_set_monitoring(
            indicator=indicator,
            midyear=indicator.midyear,
            midyear_text=indicator.midyear_text,
            forecast=forecast,
            forecast_text="",
            cause=cause,
            cause_text=cause_text,
            likelihood=likelihood,
            measures=measures,
            user=user,
        )
    for item in BudgetItem.objects.filter(department_year=department_year, code__in=ITEM_MONITORING):
        cause, cause_text, needs_correction, measures = ITEM_MONITORING[item.code]
        item_monitoring_set(
            item=item, cause=cause, cause_text=cause_text, needs_correction=needs_correction, measures=measures, user=user
        )
