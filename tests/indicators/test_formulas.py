"""共性指标取数公式 (indicators.formulas, issue 16 item 5): each ledger formula on a generated
department, to the hundredth of a percent, at year end and at the end of the monitoring month,
against values worked by hand below; the province's list (settings.LEDGER_FORMULAS); the
values filling formula indicators in the scoring selectors, typed values ignored."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError

from indicators.formulas import BY_KEY, FORMULAS, active_formulas, formula_named, formula_value, ledger_figures
from indicators.models import Indicator
from indicators.selectors import department_evaluations, evaluations_for, monitoring_month
from projects.models import BudgetItem, BudgetLine, SpendingPlan
from projects.selectors import budget_summary, budget_summary_at_month
from tests.builders import (
    BudgetItemFactory,
    BudgetLineFactory,
    DepartmentYearFactory,
    ExpenditureFactory,
    IndicatorFactory,
    economic_class,
    ledger,
)
from units.models import BudgetUnit

pytestmark = pytest.mark.django_db

Kind = BudgetLine.Kind


def generated_department(code: str = "GX", **sizes):
    """builders.ledger's department (2 units × 3 project items of 1,000.00, each spending 10.00 in
    each of months 1..8: 80.00 a year, 60.00 to the end of June), plus:

    - staff: unit U0 编制 40, 实有 37; U1 编制 13, 实有 12;
    - an operating item JB1 of U0: initial 2,000.00, reduction 300.00 on 1 March, addition 500.00
      on 1 August; spent 1,100.00 on 15 March (30201) and 300.00 on 15 September (30217 公务接待费);
    - a carryover of 200.00 on U0P0;
    - a spending plan for U1P0: 50.00 in each of months 1..6, 100.00 in each of months 7..12;
    - 2023: 400.00 of 31013 (公务用车购置).
    """
    department_year = ledger(code=code, expenditures_per_item=8, **sizes)
    BudgetUnit.objects.filter(department=department_year.department, code="U0").update(authorized_staff=40, actual_staff=37)
    BudgetUnit.objects.filter(department=department_year.department, code="U1").update(authorized_staff=13, actual_staff=12)
    u0 = BudgetUnit.objects.get(department=department_year.department, code="U0")
    running = BudgetItemFactory(department_year=department_year, unit=u0, code="JB1", category=BudgetItem.Category.OPERATING)
    BudgetLineFactory(item=running, amount=Decimal("2000.00"))
    BudgetLineFactory(item=running, amount=Decimal("300.00"), kind=Kind.REDUCTION, date=date(2024, 3, 1))
    BudgetLineFactory(item=running, amount=Decimal("500.00"), kind=Kind.ADDITION, date=date(2024, 8, 1))
    ExpenditureFactory(item=running, amount=Decimal("1100.00"), date=date(2024, 3, 15))
    ExpenditureFactory(item=running, amount=Decimal("300.00"), date=date(2024, 9, 15), economic_class=economic_class("30217"))
    BudgetLineFactory(
        item=BudgetItem.objects.get(department_year=department_year, code="U0P0"), amount=Decimal("200.00"), kind=Kind.CARRYOVER
    )
    planned = BudgetItem.objects.get(department_year=department_year, code="U1P0")
    SpendingPlan.objects.bulk_create(
        SpendingPlan(item=planned, month=month, amount=Decimal("50.00") if month <= 6 else Decimal("100.00"))
        for month in range(1, 13)
    )
    previous = DepartmentYearFactory(department=department_year.department, year=2023)
    ExpenditureFactory(
        item=BudgetItemFactory(department_year=previous, unit=u0, code="OLD"),
        amount=Decimal("400.00"),
        date=date(2023, 6, 1),
        economic_class=economic_class("31013"),
    )
    return department_year


# Worked by hand from generated_department's rows.
#
# Whole year: initial 6 × 1,000 + 2,000 = 8,000; addition 500; reduction 300; carryover 200;
# full-year 8,400. Spent 6 × 80 + 1,100 + 300 = 1,880.
#   预算执行率      1,880 ÷ 8,400                    = 0.2238095… → 22.38 %
#   结转结余率      (8,400 − 1,880) ÷ 8,400 = 6,520 ÷ 8,400 = 0.7761904… → 77.62 %
#   预算调整率      (500 − 300) ÷ 8,000               = 0.025      → 2.50 %
#   在职人员控制率  (37 + 12) ÷ (40 + 13) = 49 ÷ 53    = 0.9245283… → 92.45 %
#   公用经费控制率  (1,100 + 300) ÷ 2,200              = 0.6363636… → 63.64 %
#   三公经费变动率  (300 − 400) ÷ 400                  = −0.25      → −25.00 %
#   计划执行偏差    plan to December: the five unplanned items their full-year budgets
#                   (1,200 + 4 × 1,000 + 2,200 = 7,400), U1P0 its plan 900: 8,300;
#                   |1,880 − 8,300| ÷ 8,300 = 6,420 ÷ 8,300 = 0.7734939… → 77.35 %
YEAR_END = {
    "execution_rate": "22.38",
    "carryover_balance_rate": "77.62",
    "budget_adjustment_rate": "2.50",
    "staff_control_rate": "92.45",
    "running_cost_control_rate": "63.64",
    "three_public_change_rate": "-25.00",
    "plan_deviation": "77.35",
}
# End of June: the August addition not yet made: full-year 8,000 − 300 + 200 = 7,900; spent
# 6 × 60 + 1,100 = 1,460.
#   预算执行率      1,460 ÷ 7,900                    = 0.1848101… → 18.48 %
#   结转结余率      6,440 ÷ 7,900                    = 0.8151898… → 81.52 %
#   预算调整率      (0 − 300) ÷ 8,000                 = −0.0375    → −3.75 %
#   在职人员控制率  staff are not dated               → 92.45 %
#   公用经费控制率  1,100 ÷ (2,000 − 300)              = 0.6470588… → 64.71 %
#   三公经费变动率  the year's 三公经费 whatever the month (indicators.common) → −25.00 %
#   计划执行偏差    plan to June: linear halves 600 + 4 × 500 + 850 (of 1,700) = 3,450, U1P0's
#                   plan 300: 3,750; |1,460 − 3,750| ÷ 3,750 = 2,290 ÷ 3,750 = 0.6106666… → 61.07 %
JUNE = {
    "execution_rate": "18.48",
    "carryover_balance_rate": "81.52",
    "budget_adjustment_rate": "-3.75",
    "staff_control_rate": "92.45",
    "running_cost_control_rate": "64.71",
    "three_public_change_rate": "-25.00",
    "plan_deviation": "61.07",
}


@pytest.fixture
def department():
    return generated_department()


@pytest.mark.parametrize("key", sorted(YEAR_END))
def test_each_formula_at_year_end_matches_the_hand_worked_value(department, key):
    figures = ledger_figures(department_year=department, month=12)
    assert formula_value(key, figures).value == Decimal(YEAR_END[key])


@pytest.mark.parametrize("key", sorted(JUNE))
def test_each_formula_at_the_end_of_june_matches_the_hand_worked_value(department, key):
    figures = ledger_figures(department_year=department, month=6)
    assert formula_value(key, figures).value == Decimal(JUNE[key])


def test_every_formula_of_the_list_is_worked_by_hand():
    assert set(YEAR_END) == set(JUNE) == set(BY_KEY) == {formula.key for formula in FORMULAS}


def test_a_formula_value_is_written_as_a_percentage_without_trailing_zeros(department):
    figures = ledger_figures(department_year=department, month=12)
    assert formula_value("execution_rate", figures).text == "22.38%"
    assert formula_value("budget_adjustment_rate", figures).text == "2.5%"
    assert formula_value("three_public_change_rate", figures).text == "-25%"


def test_the_callers_summary_gives_the_same_figures_as_a_fresh_one(department):
    fresh = ledger_figures(department_year=department, month=12)
    reused = ledger_figures(department_year=department, month=12, summary=budget_summary(department_year=department))
    june = ledger_figures(
        department_year=department, month=6, summary=budget_summary_at_month(department_year=department, month=6)
    )
    for key in BY_KEY:
        assert formula_value(key, fresh) == formula_value(key, reused)
        assert formula_value(key, june).value == Decimal(JUNE[key])


def test_a_formula_is_undefined_on_an_empty_ledger():
    department_year = DepartmentYearFactory(department__code="EMPTY")
    figures = ledger_figures(department_year=department_year, month=12)
    for key in BY_KEY:
        assert formula_value(key, figures).value is None
        assert formula_value(key, figures).text == ""
        assert formula_value(key, figures).problem == ""


def test_an_unknown_key_is_reported_not_computed(department):
    figures = ledger_figures(department_year=department, month=12)
    assert formula_value("no_such_formula", figures).value is None
    assert formula_value("no_such_formula", figures).problem == "取数公式“no_such_formula”不存在"


def test_the_ledger_formulas_setting_narrows_the_list(department, settings):
    assert active_formulas() == FORMULAS  # unset: all of them
    settings.LEDGER_FORMULAS = ["plan_deviation", "execution_rate"]
    assert [formula.key for formula in active_formulas()] == ["execution_rate", "plan_deviation"]
    figures = ledger_figures(department_year=department, month=12)
    assert formula_value("execution_rate", figures).value == Decimal("22.38")
    inactive = formula_value("carryover_balance_rate", figures)
    assert inactive.value is None
    assert inactive.problem == "取数公式“结转结余率”未在本省启用"


def test_a_setting_naming_an_unknown_formula_fails_the_system_check(settings):
    settings.LEDGER_FORMULAS = ["execution_rate", "bogus"]
    with pytest.raises(SystemCheckError, match="indicators.E001"):
        call_command("check")


def test_a_formula_is_found_by_key_or_by_name():
    assert formula_named("plan_deviation") is BY_KEY["plan_deviation"]
    assert formula_named(" 三公经费变动率 ") is BY_KEY["three_public_change_rate"]
    assert formula_named("人均公用经费") is None


# --- the values fill themselves, in the selectors that feed the scoring ---


def formula_indicator(department_year, key: str, **fields) -> Indicator:
    formula = BY_KEY[key]
    return IndicatorFactory(
        department_year=department_year,
        code=formula.code,
        name=formula.name,
        formula=key,
        direction=formula.direction,
        unit="%",
        **fields,
    )


def test_a_formula_indicator_is_scored_on_the_formula_value_not_its_typed_one(department):
    # 预算执行率 ≥ 30 %: 22.38 ÷ 30 = 0.746 → 50 points × 0.746 = 37.30 (the default split gives
    # the one output indicator the level's 50 points)
    indicator = formula_indicator(department, "execution_rate", target=Decimal("30"), actual=Decimal("99"), midyear=Decimal("99"))
    evaluations = evaluations_for(summary=budget_summary(department_year=department))
    scored = evaluations.department.indicators[0]
    shown = evaluations.department_indicators[0]
    assert shown.pk == indicator.pk
    assert (shown.actual, shown.actual_text) == (Decimal("22.38"), "22.38%")
    assert (shown.midyear, shown.midyear_text) == (Decimal("18.48"), "18.48%")
    assert scored.ratio == Decimal("22.38") / Decimal("30")
    assert scored.earned == Decimal("37.30")
    indicator.refresh_from_db()
    assert indicator.actual == Decimal("99")  # nothing written: computed on every read


def test_a_less_than_formula_meets_its_target_when_under_it(department):
    formula_indicator(department, "carryover_balance_rate", target=Decimal("80"))
    evaluation = evaluations_for(summary=budget_summary(department_year=department)).department
    assert evaluation.indicators[0].ratio == 1  # 77.62 % ≤ 80 %


def test_before_the_monitoring_month_no_formula_value_is_known(department):
    formula_indicator(department, "execution_rate", target=Decimal("30"))
    evaluations = evaluations_for(summary=budget_summary_at_month(department_year=department, month=3), month=3)
    assert evaluations.department_indicators[0].actual is None
    assert evaluations.department_indicators[0].midyear is None
    june = evaluations_for(summary=budget_summary_at_month(department_year=department, month=6), month=6)
    assert june.department_indicators[0].midyear == Decimal("18.48")
    assert june.department_indicators[0].actual is None


def test_the_monitoring_month_is_june_for_now(department):
    assert monitoring_month(department) == 6


def test_an_indicator_naming_an_unknown_formula_is_reported_and_left_blank(department):
    IndicatorFactory(department_year=department, code="GX-old", formula="retired_formula", actual=Decimal("50"))
    evaluations = evaluations_for(summary=budget_summary(department_year=department))
    shown = evaluations.department_indicators[0]
    assert shown.actual is None
    assert shown.formula_problem == "取数公式“retired_formula”不存在"
    assert evaluations.department.draft  # a blank year-end value: unscored, never a crash


def test_an_inactive_formula_indicator_is_reported(department, settings):
    settings.LEDGER_FORMULAS = ["execution_rate"]
    formula_indicator(department, "plan_deviation", target=Decimal("10"))
    shown = evaluations_for(summary=budget_summary(department_year=department)).department_indicators[0]
    assert shown.actual is None
    assert shown.formula_problem == "取数公式“计划执行偏差”未在本省启用"


def test_the_province_view_scores_the_formula_value(department, django_assert_num_queries):
    formula_indicator(department, "execution_rate", target=Decimal("30"))
    other = generated_department(code="GY")
    IndicatorFactory(department_year=other, code="T1", target=Decimal("10"), actual=Decimal("5"))
    rates = {department.pk: Decimal("0.5"), other.pk: Decimal("0.5")}
    with django_assert_num_queries(2 + 1 + 5):  # indicators, profiles; the department-year; its ledger figures
        scores = department_evaluations(year=2024, execution_rates=rates)
    assert scores[department.pk].indicators[0].earned == Decimal("37.30")
    assert scores[other.pk].indicators[0].earned == Decimal("25.00")  # 5 ÷ 10 × 50, typed


def test_formula_values_cost_a_fixed_number_of_queries(django_assert_num_queries):
    """evaluations_for on the whole year: the indicators, the profiles (2), then the common
    indicators over the caller's summary (2: staff, 三公经费) and the June ledger figures (5:
    three for the summary, two for the common indicators), whatever the size."""
    for code, size in (("S1", 2), ("S2", 5)):
        department_year = generated_department(code=code, units=2, items_per_unit=size)
        formula_indicator(department_year, "execution_rate", target=Decimal("30"))
        formula_indicator(department_year, "plan_deviation", target=Decimal("10"))
        summary = budget_summary(department_year=department_year)
        with django_assert_num_queries(9):
            evaluations_for(summary=summary)
