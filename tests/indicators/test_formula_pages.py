"""Ledger-computed indicators seen from the pages (issue 16 item 5): the finance office picks a
formula into the department's evaluation with a target and 分值 on the 共性指标（账表取数） page
(formula_indicator_add / formula_indicator_remove), leaders read it; the 自评表 marks the
indicator and shows the computed values; the results form shows them read-only and refuses
typed ones, while the reason and measures stay editable.

The personas' department PD 2024: three items of 100,000.00, 3,000.00 spent in June, no plan.
Year end: 预算执行率 3,000 ÷ 300,000 = 1.00 %; 计划执行偏差 |3,000 − 300,000| ÷ 300,000 = 99.00 %.
End of June: 预算执行率 1.00 %; 计划执行偏差 |3,000 − 150,000| ÷ 150,000 = 98.00 %."""

import threading
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections
from django.urls import reverse

from fundmgr.summary import summary_json
from indicators.models import Indicator
from indicators.services import formula_indicator_add, formula_indicator_remove, indicator_update_results
from tests.builders import DepartmentYearFactory, IndicatorFactory, MembershipFactory, UserFactory
from tests.indicators.test_formulas import generated_department
from tests.personas import ensure_economic_classes

pytestmark = pytest.mark.django_db


def page_url(world) -> str:
    return reverse("indicators:formulas", kwargs=world.kwargs)


def added(world) -> dict[str, tuple]:
    rows = Indicator.objects.filter(department_year=world.department_year).exclude(formula="")
    return {row.formula: (row.code, row.target, row.target_text, row.direction, row.points, row.item_id) for row in rows}


def pick(world, **fields):
    return {"formula": "execution_rate", "target_text": "≥95%", "points": "90", "level1": "", "level2": "", **fields}


def row_html(html: str, key: str) -> str:
    return html.split(f'data-formula="{key}"', 1)[1].split("</tr>", 1)[0]


# --- the page and who may use it ---


def test_the_page_shows_each_formula_at_june_and_at_year_end(world, as_persona):
    html = as_persona("leader").get(page_url(world)).content.decode()
    execution = row_html(html, "execution_rate")
    assert "预算执行率" in execution
    assert execution.count("1%") == 2  # 1.00 % at the end of June and at year end
    deviation = row_html(html, "plan_deviation")
    assert "98%" in deviation and "99%" in deviation
    assert "未加入" in execution
    assert 'class="formula-add"' not in html  # leaders read; the add form is the finance office's


def test_the_finance_office_adds_a_formula_with_its_target_and_points(world, as_persona):
    client = as_persona("finance")
    response = client.post(page_url(world), pick(world))
    assert response.status_code == 302
    assert response["Location"] == page_url(world)
    assert added(world) == {"execution_rate": ("GX-execution_rate", Decimal("95"), "≥95%", "ge", Decimal("90.00"), None)}
    html = client.get(page_url(world)).content.decode()
    assert "已将“预算执行率”加入绩效自评" in html
    assert "已加入（GX-execution_rate，年度指标值 ≥95%，分值 90.00）" in row_html(html, "execution_rate")


@pytest.mark.parametrize("persona,status", [("leader", 403), ("accountant_a", 403), ("outsider", 404)])
def test_no_one_else_adds_a_formula(world, as_persona, persona, status):
    assert as_persona(persona).post(page_url(world), pick(world)).status_code == status
    assert added(world) == {}


def test_the_finance_office_removes_a_formula_indicator(world, as_persona):
    indicator = formula_indicator_add(
        department_year=world.department_year, formula="plan_deviation", target_text="≤10%", points=None
    )
    client = as_persona("finance")
    assert as_persona("leader").post(page_url(world), {"action": "remove", "code": indicator.code}).status_code == 403
    client = as_persona("finance")
    response = client.post(page_url(world), {"action": "remove", "code": indicator.code})
    assert response.status_code == 302
    assert added(world) == {}
    assert client.post(page_url(world), {"action": "remove", "code": "GX-nothing"}).status_code == 404


def test_a_typed_indicator_is_not_removed_here(world, as_persona):
    response = as_persona("finance").post(page_url(world), {"action": "remove", "code": world.indicator_a.code})
    assert response.status_code == 404  # an item's indicator is not on this page
    IndicatorFactory(department_year=world.department_year, code="D1")
    response = as_persona("finance").post(page_url(world), {"action": "remove", "code": "D1"})
    assert response.status_code == 400
    assert "指标D1不是账表取数指标，不能在此移除" in response.content.decode()
    assert Indicator.objects.filter(code="D1").exists()


@pytest.mark.parametrize(
    "fields,message",
    [
        ({"formula": "no_such"}, "取数公式“no_such”不存在"),
        ({"points": "0"}, "分值须大于0且不超过90"),
        ({"points": "95"}, "分值须大于0且不超过90"),
        ({"points": "abc"}, "分值须为数字"),
        ({"points": "20"}, "加入后部门整体指标：各指标分值合计须为90，实为20"),
        ({"target_text": "很好"}, "目标值“很好”无法识别，请填写百分比，如≥95%或≤5%"),
        ({"target_text": "≥200户"}, "目标值“≥200户”无法识别"),
        ({"level2": "x" * 33}, "二级指标"),
    ],
)
def test_a_bad_pick_is_refused_with_a_message_naming_the_field(world, as_persona, fields, message):
    response = as_persona("finance").post(page_url(world), pick(world, **fields))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert added(world) == {}


def test_an_inactive_formula_is_neither_offered_nor_added(world, as_persona, settings):
    settings.LEDGER_FORMULAS = ["execution_rate"]
    client = as_persona("finance")
    html = client.get(page_url(world)).content.decode()
    assert 'data-formula="execution_rate"' in html
    assert 'data-formula="plan_deviation"' not in html
    response = client.post(page_url(world), pick(world, formula="plan_deviation"))
    assert response.status_code == 400
    assert "取数公式“计划执行偏差”未在本省启用" in response.content.decode()
    assert added(world) == {}


def test_a_formula_indicator_of_an_inactive_key_is_reported_on_the_page(world, as_persona, settings):
    formula_indicator_add(department_year=world.department_year, formula="plan_deviation", target_text="≤10%", points=None)
    settings.LEDGER_FORMULAS = ["execution_rate"]
    html = as_persona("leader").get(page_url(world)).content.decode()
    assert "GX-plan_deviation 计划执行偏差：取数公式“计划执行偏差”未在本省启用" in html


def test_a_formula_is_added_only_once(world):
    formula_indicator_add(department_year=world.department_year, formula="execution_rate", target_text="≥95%", points=None)
    with pytest.raises(ValidationError) as refused:
        formula_indicator_add(department_year=world.department_year, formula="execution_rate", target_text="≥90%", points=None)
    assert refused.value.message_dict == {"formula": ["“预算执行率”已在本部门的绩效自评中"]}


def test_the_target_gives_the_direction_unless_it_is_a_bare_number(world):
    bare = formula_indicator_add(department_year=world.department_year, formula="plan_deviation", target_text="5%", points=None)
    assert (bare.direction, bare.target) == ("le", Decimal("5"))  # the formula's own direction
    written = formula_indicator_add(
        department_year=world.department_year, formula="carryover_balance_rate", target_text="不低于2%", points=None
    )
    assert (written.direction, written.target) == ("ge", Decimal("2"))
    chosen = formula_indicator_add(
        department_year=world.department_year,
        formula="execution_rate",
        target_text="90%",
        points=None,
        direction="eq",
        level1="benefit",
        level2="经济效益",
    )
    assert (chosen.direction, chosen.level1, chosen.level2) == ("eq", "benefit", "经济效益")


def test_a_target_contradicting_the_chosen_direction_is_refused(world):
    with pytest.raises(ValidationError) as refused:
        formula_indicator_add(
            department_year=world.department_year, formula="execution_rate", target_text="≥95%", points=None, direction="le"
        )
    assert refused.value.message_dict == {"target_text": ["目标值“≥95%”与指标方向“≤”不一致"]}
    assert not Indicator.objects.filter(formula="execution_rate").exists()


def test_removing_a_typed_indicator_through_the_service_is_refused(world):
    with pytest.raises(ValidationError):
        formula_indicator_remove(indicator=world.indicator_a)
    assert Indicator.objects.filter(pk=world.indicator_a.pk).exists()


def test_the_page_runs_a_fixed_number_of_queries(client, django_assert_num_queries):
    """The session and the user (2), the department-year and the membership (2), the formula
    indicators (1), and the ledger figures at year end and at June's end (5 each: the summary's
    units, items and their figures with the budget by source; staff; 三公经费): 15,
    whatever the number of items."""
    for code, size in (("S1", 2), ("S2", 6)):
        department_year = generated_department(code=code, units=2, items_per_unit=size)
        formula_indicator_add(department_year=department_year, formula="execution_rate", target_text="≥95%", points=None)
        officer = UserFactory(username=f"officer{code}")
        MembershipFactory(user=officer, department=department_year.department)
        client.force_login(officer)
        url = reverse("indicators:formulas", kwargs={"department_code": code, "year": 2024})
        with django_assert_num_queries(15):
            assert client.get(url).status_code == 200


# --- the 自评表 and the results form ---


def test_the_self_evaluation_marks_the_formula_indicator_and_scores_its_value(world, as_persona):
    formula_indicator_add(
        department_year=world.department_year, formula="execution_rate", target_text="≥50%", points=Decimal("90")
    )
    html = as_persona("leader").get(reverse("indicators:evaluation", kwargs=world.kwargs)).content.decode()
    row = html.split('data-indicator="GX-execution_rate"', 1)[1].split("</tr>", 1)[0]
    assert "账表取数" in row
    # 1.00 ÷ 50 = 0.02 → 90 × 0.02 = 1.80 points
    assert '<td class="num">1</td>' in row  # the year-end value, 1.00 %
    assert '<td class="num">1.80</td>' in row


def results_url(world, code="GX-execution_rate") -> str:
    return reverse("indicators:results", kwargs={**world.kwargs, "indicator_code": code})


def test_the_results_form_shows_the_computed_values_read_only(world, as_persona):
    formula_indicator_add(
        department_year=world.department_year, formula="plan_deviation", target_text="≤10%", points=Decimal("90")
    )
    html = as_persona("finance").get(results_url(world, "GX-plan_deviation")).content.decode()
    assert 'name="actual" value="99%"' in html
    assert 'name="midyear" value="98%"' in html
    assert html.count("readonly") == 2
    assert "由账表取数公式自动计算，不能手工填写" in html


def test_the_results_form_refuses_a_typed_value_and_saves_nothing(world, as_persona):
    formula_indicator_add(
        department_year=world.department_year, formula="execution_rate", target_text="≥50%", points=Decimal("90")
    )
    response = as_persona("finance").post(
        results_url(world), {"midyear": "", "actual": "99%", "deviation_reason": "原因", "corrective_measures": "措施"}
    )
    assert response.status_code == 200
    assert "全年完成值由账表取数公式自动计算（现为1%），不能手工填写" in response.content.decode()
    indicator = Indicator.objects.get(code="GX-execution_rate")
    assert (indicator.actual, indicator.deviation_reason) == (None, "")


def test_the_reason_and_measures_of_a_formula_indicator_are_saved_and_final_uses_the_formula(world, as_persona):
    formula_indicator_add(
        department_year=world.department_year, formula="execution_rate", target_text="≥50%", points=Decimal("90")
    )
    client = as_persona("finance")
    # a missed target (1 % < 50 %) is final only with its reason and measures
    response = client.post(results_url(world), {"actual": "1%", "midyear": "1%", "final": "1"})
    assert response.status_code == 200
    assert "未完成目标值，定稿须填写偏差原因分析" in response.content.decode()
    response = client.post(
        results_url(world),
        {"actual": "1%", "midyear": "1%", "deviation_reason": "项目延期", "corrective_measures": "加快支付", "final": "1"},
    )
    assert response.status_code == 302
    indicator = Indicator.objects.get(code="GX-execution_rate")
    assert (indicator.deviation_reason, indicator.corrective_measures, indicator.results_final) == ("项目延期", "加快支付", True)
    assert (indicator.actual, indicator.actual_text, indicator.midyear) == (None, "", None)  # never stored


def test_the_service_refuses_typed_values_of_a_formula_indicator(world):
    indicator = formula_indicator_add(
        department_year=world.department_year, formula="execution_rate", target_text="≥50%", points=Decimal("90")
    )
    with pytest.raises(ValidationError) as refused:
        indicator_update_results(indicator=indicator, midyear=None, actual=Decimal("80"))
    assert refused.value.message_dict == {"actual": ["该指标的完成值由账表取数公式计算，不能手工填写"]}


def test_blank_points_split_the_department_points_by_level(world, as_persona):
    client = as_persona("finance")
    assert client.post(page_url(world), pick(world, points="")).status_code == 302
    assert client.post(page_url(world), pick(world, formula="plan_deviation", target_text="≤10%", points="")).status_code == 302
    assert {row[4] for row in added(world).values()} == {None}


def test_a_removal_that_leaves_the_points_short_of_90_is_refused(world, as_persona):
    IndicatorFactory(department_year=world.department_year, code="D1", points=Decimal("45"))
    indicator = formula_indicator_add(
        department_year=world.department_year, formula="execution_rate", target_text="≥95%", points=Decimal("45")
    )
    response = as_persona("finance").post(page_url(world), {"action": "remove", "code": indicator.code})
    assert response.status_code == 400
    assert "移出后部门整体指标：各指标分值合计须为90，实为45.00" in response.content.decode()
    assert Indicator.objects.filter(pk=indicator.pk).exists()


def test_the_json_summary_scores_the_formula_value(world):
    # 预算执行率 1.00 % against ≥50 %: the output level's default 50 points × 0.02 = 1.00
    formula_indicator_add(department_year=world.department_year, formula="execution_rate", target_text="≥50%", points=None)
    indicators = summary_json(department_year=world.department_year)["evaluation"]["indicators"]
    assert [(row["code"], row["points"], row["earned"]) for row in indicators] == [("GX-execution_rate", "50.00", "1.00")]


# --- concurrent picks (PostgreSQL: SQLite serialises every write anyway) ---


@pytest.fixture
def postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: SQLite serialises whole-database writes and has no row locks to test")


def concurrently(writers) -> list[str]:
    """Run the writers at once, each in its own connection: "saved", "refused" or the crash."""
    barrier = threading.Barrier(len(writers))
    outcomes: list = [None] * len(writers)

    def run(number):
        try:
            barrier.wait(timeout=30)
            writers[number]()
            outcomes[number] = "saved"
        except ValidationError:
            outcomes[number] = "refused"
        except BaseException as error:  # noqa: BLE001
            outcomes[number] = f"crashed: {error!r}"
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(number,)) for number in range(len(writers))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return outcomes


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_picks_never_leave_the_points_short_of_90_nor_a_formula_twice(postgres_only):
    ensure_economic_classes()
    department_year = DepartmentYearFactory(department__code="CC")
    keys = ["execution_rate", "carryover_balance_rate", "budget_adjustment_rate", "plan_deviation"]
    # each pick alone would total 90: only one may be saved
    outcomes = concurrently(
        [
            lambda key=key: formula_indicator_add(
                department_year=department_year, formula=key, target_text="5%", points=Decimal("90")
            )
            for key in keys
        ]
    )
    assert sorted(outcomes) == ["refused", "refused", "refused", "saved"], outcomes
    assert Indicator.objects.filter(department_year=department_year).count() == 1
    # the same formula picked four times at once: once in the evaluation
    Indicator.objects.all().delete()
    outcomes = concurrently(
        [
            lambda: formula_indicator_add(
                department_year=department_year, formula="staff_control_rate", target_text="5%", points=None
            )
            for _ in range(4)
        ]
    )
    assert sorted(outcomes) == ["refused", "refused", "refused", "saved"], outcomes
    assert Indicator.objects.filter(department_year=department_year, formula="staff_control_rate").count() == 1
