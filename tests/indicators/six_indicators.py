"""The seed's six department-level indicators (DOMAIN.md section 7), all met: the known
indicator table of the indicator tests, built with the factories of tests/builders.py."""

from decimal import Decimal

from tests.builders import IndicatorFactory

ROWS = [
    ("1", "output", "数量指标", "受益家庭数量", "5000", "户", "800", "5000"),
    ("2", "output", "数量指标", "培训人数", "10000", "人", "10000", "10000"),
    ("3", "output", "质量指标", "案件受理率", "90", "%", "95", "95"),
    ("4", "benefit", "社会效益指标", "工作室数量", "50", "个", "50", "50"),
    ("5", "benefit", "社会效益指标", "法律知识知晓率", "90", "%", "90", "90"),
    ("6", "satisfaction", "服务对象满意度指标", "满意度", "95", "%", "95", "95"),
]


def six_met_indicators(department_year):
    return [
        IndicatorFactory(
            department_year=department_year,
            code=f"D{code}",
            position=int(code),
            level1=level1,
            level2=level2,
            name=name,
            target=Decimal(target),
            unit=unit_name,
            midyear=Decimal(midyear),
            actual=Decimal(actual),
        )
        for code, level1, level2, name, target, unit_name, midyear, actual in ROWS
    ]
