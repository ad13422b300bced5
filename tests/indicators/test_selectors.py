from datetime import date
from decimal import Decimal

import pytest

from fundmgr.money import percent
from fundmgr.summary import summary_json
from indicators.scoring import FLAG_MIDYEAR_BEHIND, FLAG_MISSED
from indicators.selectors import (
    LAG_OK,
    LAG_RED,
    LAG_YELLOW,
    common_indicators,
    department_sheet,
    execution_lag,
    item_sheet,
    monitoring_for,
    time_progress,
)
from projects.models import BudgetItem, BudgetLine, Expenditure
from projects.selectors import budget_summary
from tests.indicators import builders as b

pytestmark = pytest.mark.django_db

Kind, Source = BudgetLine.Kind, BudgetLine.Source


@pytest.fixture
def project():
    """A generated project with every kind of line, a missed target and a qualitative indicator.

    Lines: initial 100,000.00 (本级财政), addition 20,000.00 (上级安排), reduction 5,000.00,
    carryover 30,000.00 (本级财政), initial 10,000.00 of 其他资金: full-year 155,000.00.
    Spent 120,000.00 + 13,456.78 = 133,456.78.
    """
    dy = b.department_year()
    project = b.item(dy, "P1")
    b.line(project, "100000.00")
    b.line(project, "20000.00", kind=Kind.ADDITION, source=Source.SUPERIOR, on=date(2024, 5, 1))
    b.line(project, "5000.00", kind=Kind.REDUCTION, on=date(2024, 9, 1))
    b.line(project, "30000.00", kind=Kind.CARRYOVER)
    b.line(project, "10000.00", source=Source.OTHER)
    b.spend(project, "120000.00")
    b.spend(project, "13456.78")
    b.indicator(dy, "P1-1", item_obj=project, position=1, target="200", actual="150", unit="人")
    b.indicator(dy, "P1-2", item_obj=project, position=2, direction="le", target="50000", actual="48000", unit="元")
    b.indicator(dy, "P1-3", item_obj=project, position=3, direction="eq", level2="时效指标", target="12", actual="12", unit="月")
    b.indicator(
        dy, "P1-4", item_obj=project, position=4, level1="benefit", level2="社会效益指标",
        direction="qualitative", tier="partly", rate="75", unit="",
    )
    b.indicator(
        dy, "P1-5", item_obj=project, position=5, level1="satisfaction", level2="服务对象满意度指标",
        target="90", actual="85", unit="%",
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
    assert scores["P1-1"].flags == (FLAG_MISSED,)
    assert scores["P1-4"].flags == (FLAG_MISSED,)


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
    dy = b.department_year()
    assert item_sheet(item=b.item(dy, "NONE")) is None


def test_the_department_sheet_groups_level_1_then_level_2_in_workbook_order():
    dy = b.department_year()
    b.indicator(dy, "S", position=1, level1="satisfaction", level2="满意度", target="90", actual="90")
    b.indicator(dy, "O1", position=2, level1="output", level2="数量指标", target="1", actual="1")
    b.indicator(dy, "B", position=3, level1="benefit", level2="社会效益", target="1", actual="1")
    b.indicator(dy, "O2", position=4, level1="output", level2="质量指标", target="1", actual="1")
    b.indicator(dy, "O3", position=5, level1="output", level2="数量指标", target="1", actual="1")
    sheet = department_sheet(summary=budget_summary(department_year=dy))
    assert [row.indicator.code for row in sheet.rows] == ["O1", "O3", "O2", "B", "S"]
    assert [(row.level1_span, row.level2_span) for row in sheet.rows] == [(3, 2), (0, 0), (0, 1), (1, 1), (1, 1)]


@pytest.fixture
def ledger():
    """Two units (编制 100 + 51, 实有 80 + 44) and three items.

    personnel: initial 1,000,000 + addition 100,000, spent 1,050,000 (30101)
    operating: initial 200,000 + addition 50,000 − reduction 10,000 = 240,000; spent 172,000 (30201)
               + 5,000 (30217 公务接待费) + 3,000 (30231 公务用车运行维护费) = 180,000; 1,000 of 30217 pending
    project:   initial 500,000 + carryover 50,000, spent 12,000 (30212 因公出国) + 388,000 (30201)
    """
    dy = b.department_year()
    first = b.unit(dy, "U1", authorized_staff=100, actual_staff=80)
    b.unit(dy, "U2", authorized_staff=51, actual_staff=44)
    personnel = b.item(dy, "JB1", unit_obj=first, category=BudgetItem.Category.PERSONNEL)
    operating = b.item(dy, "JB2", unit_obj=first, category=BudgetItem.Category.OPERATING)
    project = b.item(dy, "XM1", unit_obj=first)
    b.line(personnel, "1000000.00")
    b.line(personnel, "100000.00", kind=Kind.ADDITION)
    b.spend(personnel, "1050000.00", economic_class="30101")
    b.line(operating, "200000.00")
    b.line(operating, "50000.00", kind=Kind.ADDITION)
    b.line(operating, "10000.00", kind=Kind.REDUCTION)
    b.spend(operating, "172000.00")
    b.spend(operating, "5000.00", economic_class="30217")
    b.spend(operating, "3000.00", economic_class="30231")
    b.spend(operating, "1000.00", economic_class="30217", status=Expenditure.Status.PENDING)
    b.line(project, "500000.00")
    b.line(project, "50000.00", kind=Kind.CARRYOVER)
    b.spend(project, "12000.00", economic_class="30212")
    b.spend(project, "388000.00")
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
    previous = b.department_year(code=ledger.department.code, year=2023)
    b.spend(b.item(previous, "OLD"), "25000.00", economic_class="31013", on=date(2023, 6, 1))
    common = common_indicators(summary=budget_summary(department_year=ledger))
    assert common.previous_year == 2023
    assert common.three_public_previous == Decimal("25000.00")
    # 20,000 − 25,000 = −5,000, i.e. −20.00 %
    assert common.three_public_change == Decimal("-5000.00")
    assert percent(common.three_public_change_rate) == Decimal("-20.00")


def test_staff_control_rate_is_undefined_without_authorized_staff():
    dy = b.department_year()
    b.unit(dy, "U1")
    assert common_indicators(summary=budget_summary(department_year=dy)).staff_control_rate is None


def test_time_progress_at_the_end_of_june_is_one_half():
    assert time_progress(6) == Decimal("0.5")


@pytest.mark.parametrize(
    ("rate", "lag"),
    [
        # rate ÷ 0.5: 0.40 → 0.80 is on pace; 0.39 → 0.78 lags; 0.30 → 0.60 still yellow; 0.29 → 0.58 red
        (Decimal("0.40"), LAG_OK),
        (Decimal("0.39"), LAG_YELLOW),
        (Decimal("0.30"), LAG_YELLOW),
        (Decimal("0.29"), LAG_RED),
        (None, None),
    ],
)
def test_execution_lag_against_time_progress_uses_the_settings_thresholds(rate, lag):
    assert execution_lag(rate, Decimal("0.5")) == lag


def test_execution_lag_follows_the_settings(settings):
    settings.LAG_YELLOW = Decimal("0.90")
    assert execution_lag(Decimal("0.44"), Decimal("0.5")) == LAG_YELLOW  # 0.88 < 0.90


def test_monitoring_uses_spending_up_to_30_june_and_flags_both_lags():
    dy = b.department_year()
    project = b.item(dy, "P1")
    b.line(project, "100000.00")
    b.spend(project, "20000.00", on=date(2024, 3, 1))
    b.spend(project, "50000.00", on=date(2024, 8, 1))  # after June: not in the monitoring
    b.indicator(dy, "D1", target="5000", midyear="800", unit="户")
    b.indicator(dy, "D2", target="90", midyear="40", unit="%", level1="satisfaction")
    b.indicator(dy, "P1-1", item_obj=project, target="10", midyear="6", unit="场")
    monitoring = monitoring_for(department_year=dy)
    assert monitoring.as_of == date(2024, 6, 30)
    # 20,000 ÷ 100,000 = 20 % against 50 %: 0.4 < 0.6, red
    assert monitoring.department.figures.spent == Decimal("20000.00")
    assert monitoring.department.lag == LAG_RED
    rows = {row.indicator.code: row for row in monitoring.department.rows}
    assert FLAG_MIDYEAR_BEHIND in rows["D1"].score.flags  # 800 < 2,500
    assert percent(rows["D1"].midyear_progress) == Decimal("16.00")
    assert not rows["D2"].midyear_behind  # a rate is not an annual count
    [item_scope] = monitoring.items
    assert item_scope.code == "P1"
    assert not item_scope.rows[0].midyear_behind  # 6 of 10
    assert item_scope.behind  # its execution is red


def test_carryover_of_other_funds_is_shown_as_carryover_and_spent_first():
    # The seed's carried-over project money is 其他资金 by source, and the report calls it 上年结转.
    dy = b.department_year()
    project = b.item(dy, "P1")
    b.line(project, "1944400.00", kind=Kind.CARRYOVER, source=Source.OTHER)
    b.line(project, "1120000.00", source=Source.OTHER)
    b.line(project, "500000.00", source=Source.SUPERIOR)
    b.spend(project, "2000000.00")
    b.indicator(dy, "P1-1", item_obj=project, target="1", actual="1")
    block = item_sheet(item=project).block
    assert (block.carryover.full_year, block.carryover.spent) == (Decimal("1944400.00"), Decimal("1944400.00"))
    # the remaining 55,600.00 goes to 当年财政拨款 before the units' own funds
    assert (block.current.full_year, block.current.spent) == (Decimal("500000.00"), Decimal("55600.00"))
    assert (block.other.initial, block.other.full_year, block.other.spent) == (
        Decimal("1120000.00"),
        Decimal("1120000.00"),
        Decimal("0"),
    )
