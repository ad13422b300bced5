from datetime import date
from decimal import Decimal

import pytest

from fundmgr.lib.money import percent
from fundmgr.summary import summary_json
from indicators.models import Indicator
from indicators.scoring import Flag
from indicators.selectors import (
    department_evaluations,
    department_sheet,
    evaluations_for,
    item_evaluation,
    item_sheet,
    scope_evaluation,
)
from projects.models import BudgetLine
from projects.selectors import budget_summary
from tests.builders import BudgetItemFactory, BudgetLineFactory, DepartmentYearFactory, ExpenditureFactory, IndicatorFactory

pytestmark = pytest.mark.django_db

Kind, Source = BudgetLine.Kind, BudgetLine.Source


@pytest.fixture
def project():
    """A generated project with every kind of line, a missed target and a qualitative indicator.

    Lines: initial 100,000.00 (本级财政), addition 20,000.00 (上级安排), reduction 5,000.00,
    carryover 30,000.00 (本级财政), initial 10,000.00 of 其他资金: full-year 155,000.00.
    Spent 120,000.00 + 13,456.78 = 133,456.78.
    """
    dy = DepartmentYearFactory(department__code="T01")
    project = BudgetItemFactory(department_year=dy, unit__code="U1", code="P1")
    BudgetLineFactory(item=project, amount=Decimal("100000.00"))
    BudgetLineFactory(item=project, amount=Decimal("20000.00"), kind=Kind.ADDITION, source=Source.SUPERIOR, date=date(2024, 5, 1))
    BudgetLineFactory(item=project, amount=Decimal("5000.00"), kind=Kind.REDUCTION, date=date(2024, 9, 1))
    BudgetLineFactory(item=project, amount=Decimal("30000.00"), kind=Kind.CARRYOVER)
    BudgetLineFactory(item=project, amount=Decimal("10000.00"), source=Source.OTHER)
    ExpenditureFactory(item=project, amount=Decimal("120000.00"), date=date(2024, 12, 1))
    ExpenditureFactory(item=project, amount=Decimal("13456.78"), date=date(2024, 12, 1))
    IndicatorFactory(
        department_year=dy,
        code="P1-1",
        item=project,
        position=1,
        target=Decimal("200"),
        actual=Decimal("150"),
        unit="人",
        level2="数量指标",
    )
    IndicatorFactory(
        department_year=dy,
        code="P1-2",
        item=project,
        position=2,
        direction="le",
        target=Decimal("50000"),
        actual=Decimal("48000"),
        unit="元",
        level2="数量指标",
    )
    IndicatorFactory(
        department_year=dy,
        code="P1-3",
        item=project,
        position=3,
        direction="eq",
        level2="时效指标",
        target=Decimal("12"),
        actual=Decimal("12"),
        unit="月",
    )
    IndicatorFactory(
        department_year=dy,
        code="P1-4",
        item=project,
        position=4,
        level1="benefit",
        level2="社会效益指标",
        direction="qualitative",
        tier="partly",
        rate=Decimal("75"),
        unit="",
        target=None,
    )
    IndicatorFactory(
        department_year=dy,
        code="P1-5",
        item=project,
        position=5,
        level1="satisfaction",
        level2="服务对象满意度指标",
        target=Decimal("90"),
        actual=Decimal("85"),
        unit="%",
    )
    return project


def test_a_project_with_a_missed_target_and_a_qualitative_indicator_scores_to_the_cent(project):
    sheet = item_sheet(item=project)
    evaluation = sheet.evaluation
    # rate 133,456.78 ÷ 155,000.00 = 0.861011… → 10 × 0.861011 = 8.61
    assert evaluation.execution_score == Decimal("8.61")
    scores = {score.code: score for score in evaluation.indicators}
    # output 50 over 3 = 16.67 + 16.67 + 16.66; 150 of ≥ 200 is r = 0.75: 16.67 × 0.75 = 12.5025 → 12.50
    assert [scores[c].points for c in ("P1-1", "P1-2", "P1-3")] == [Decimal("16.67"), Decimal("16.67"), Decimal("16.66")]
    assert scores["P1-1"].earned == Decimal("12.50")
    assert scores["P1-2"].earned == Decimal("16.67")  # 48,000 ≤ 50,000: met
    assert scores["P1-3"].earned == Decimal("16.66")  # = 12 months: met
    assert scores["P1-4"].earned == Decimal("22.50")  # 部分达成 at 75 % of 30
    assert scores["P1-5"].earned == Decimal("9.44")  # 85 of ≥ 90: 10 × 0.9444… = 9.44
    # 8.61 + 12.50 + 16.67 + 16.66 + 22.50 + 9.44 = 86.38 of 100
    assert evaluation.max == Decimal("100.00")
    assert evaluation.score == Decimal("86.38")
    assert evaluation.rating == "good"
    assert scores["P1-1"].flags == (Flag.TARGET_MISSED,)
    assert scores["P1-4"].flags == (Flag.TARGET_MISSED,)


def test_the_summary_json_carries_the_same_project_evaluation(project):
    document = summary_json(department_year=project.department_year)
    row = next(row for row in document["by_project"] if row["code"] == "P1")
    assert row["evaluation"]["score"] == "86.38"
    assert row["evaluation"]["execution_score"] == "8.61"
    assert [i["earned"] for i in row["evaluation"]["indicators"]] == ["12.50", "16.67", "16.66", "22.50", "9.44"]
    assert document["evaluation"] is None  # no department-level indicator


def test_the_budget_block_splits_current_funds_carryover_and_other_funds(project):
    block = item_sheet(item=project).block
    # 当年财政拨款: initial 100,000, full-year 100,000 + 20,000 − 5,000 = 115,000
    assert (block.current.initial, block.current.full_year) == (Decimal("100000.00"), Decimal("115000.00"))
    assert (block.carryover.initial, block.carryover.full_year) == (Decimal("0"), Decimal("30000.00"))
    assert (block.other.initial, block.other.full_year) == (Decimal("10000.00"), Decimal("10000.00"))
    assert (block.total.initial, block.total.full_year) == (Decimal("110000.00"), Decimal("155000.00"))
    # spending 133,456.78 goes to carryover first (30,000), then current (103,456.78), other none
    assert block.carryover.spent == Decimal("30000.00")
    assert block.current.spent == Decimal("103456.78")
    assert block.other.spent == Decimal("0")
    assert block.total.spent == Decimal("133456.78")
    assert percent(block.total.execution_rate) == Decimal("86.10")


def test_an_item_without_indicators_has_no_sheet():
    dy = DepartmentYearFactory(department__code="T01")
    assert item_sheet(item=BudgetItemFactory(department_year=dy, unit__code="U1", code="NONE")) is None


def test_a_scope_without_indicators_has_no_score():
    assert scope_evaluation(indicators=[], execution_rate=Decimal("0.5")) is None
    dy = DepartmentYearFactory(department__code="T01")
    assert (
        item_evaluation(
            item=BudgetItemFactory(department_year=dy, unit__code="U1", code="NONE"), execution_rate=Decimal("0.5")
        ).evaluation
        is None
    )


def test_department_evaluations_score_each_department_as_its_own_pages_do():
    scored, unscored = DepartmentYearFactory(department__code="D01"), DepartmentYearFactory(department__code="D02")
    IndicatorFactory(department_year=scored, code="D1", target=Decimal("100"), actual=Decimal("80"), unit="户", level2="数量指标")
    IndicatorFactory(
        department_year=scored,
        code="P1-1",
        item=BudgetItemFactory(department_year=scored, unit__code="U1", code="P1"),
        target=Decimal("10"),
        actual=Decimal("10"),
        unit="场",
        level2="数量指标",
    )
    rate = Decimal("0.5")
    evaluations = department_evaluations(year=2024, execution_rates={scored.id: rate, unscored.id: None})
    assert list(evaluations) == [scored.id]  # no department-level indicator, no score
    assert evaluations[scored.id] == scope_evaluation(indicators=[Indicator.objects.get(code="D1")], execution_rate=rate)
    assert [score.code for score in evaluations[scored.id].indicators] == ["D1"]  # item indicators are the item's


def test_the_item_evaluation_is_the_one_the_department_pages_show(project):
    summary = budget_summary(department_year=project.department_year)
    [row] = summary.by_item
    scored = item_evaluation(item=project, execution_rate=row.figures.execution_rate)
    assert [indicator.code for indicator in scored.indicators] == ["P1-1", "P1-2", "P1-3", "P1-4", "P1-5"]
    assert scored.evaluation == evaluations_for(summary=summary).by_item[project.id]


def test_the_department_sheet_groups_level_1_then_level_2_in_workbook_order():
    dy = DepartmentYearFactory(department__code="T01")
    IndicatorFactory(
        department_year=dy,
        code="S",
        position=1,
        level1="satisfaction",
        level2="满意度",
        target=Decimal("90"),
        actual=Decimal("90"),
        unit="个",
    )
    IndicatorFactory(
        department_year=dy,
        code="O1",
        position=2,
        level1="output",
        level2="数量指标",
        target=Decimal("1"),
        actual=Decimal("1"),
        unit="个",
    )
    IndicatorFactory(
        department_year=dy,
        code="B",
        position=3,
        level1="benefit",
        level2="社会效益",
        target=Decimal("1"),
        actual=Decimal("1"),
        unit="个",
    )
    IndicatorFactory(
        department_year=dy,
        code="O2",
        position=4,
        level1="output",
        level2="质量指标",
        target=Decimal("1"),
        actual=Decimal("1"),
        unit="个",
    )
    IndicatorFactory(
        department_year=dy,
        code="O3",
        position=5,
        level1="output",
        level2="数量指标",
        target=Decimal("1"),
        actual=Decimal("1"),
        unit="个",
    )
    sheet = department_sheet(summary=budget_summary(department_year=dy))
    assert [row.indicator.code for row in sheet.rows] == ["O1", "O3", "O2", "B", "S"]
    assert [(row.level1_span, row.level2_span) for row in sheet.rows] == [(3, 2), (0, 0), (0, 1), (1, 1), (1, 1)]


def test_carryover_of_other_funds_is_shown_as_carryover_and_spent_first():
    # The seed's carried-over project money is 其他资金 by source, and the report calls it 上年结转.
    dy = DepartmentYearFactory(department__code="T01")
    project = BudgetItemFactory(department_year=dy, unit__code="U1", code="P1")
    BudgetLineFactory(item=project, amount=Decimal("1944400.00"), kind=Kind.CARRYOVER, source=Source.OTHER)
    BudgetLineFactory(item=project, amount=Decimal("1120000.00"), source=Source.OTHER)
    BudgetLineFactory(item=project, amount=Decimal("500000.00"), source=Source.SUPERIOR)
    ExpenditureFactory(item=project, amount=Decimal("2000000.00"), date=date(2024, 12, 1))
    IndicatorFactory(
        department_year=dy, code="P1-1", item=project, target=Decimal("1"), actual=Decimal("1"), level2="数量指标", unit="个"
    )
    block = item_sheet(item=project).block
    assert (block.carryover.full_year, block.carryover.spent) == (Decimal("1944400.00"), Decimal("1944400.00"))
    # the remaining 55,600.00 goes to 当年财政拨款 before the units' own funds
    assert (block.current.full_year, block.current.spent) == (Decimal("500000.00"), Decimal("55600.00"))
    assert (block.other.initial, block.other.full_year, block.other.spent) == (
        Decimal("1120000.00"),
        Decimal("1120000.00"),
        Decimal("0"),
    )
