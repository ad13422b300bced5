"""Ledger formulas and the versions of the targets (issue 16 items 1, 2 and 5): picking a formula
into the department's evaluation, or taking it out, is a change of the targets in force, so it is
recorded as an approved 调整 version with its reason; it waits while a version is open; a declared
row may name a formula only when the formula is known, active, and the row is the department's."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from indicators.declarations import declaration_start, declaration_update, version_in_force
from indicators.models import Indicator, TargetDeclaration
from indicators.services import formula_indicator_add, formula_indicator_remove, indicator_set_monitoring

pytestmark = pytest.mark.django_db


def versions(world) -> list[tuple]:
    rows = TargetDeclaration.objects.filter(department_year=world.department_year, item=None).order_by("version")
    return [(row.version, row.kind, row.state, row.reason) for row in rows]


def test_picking_a_formula_records_an_approved_adjustment_holding_it(world):
    formula_indicator_add(
        department_year=world.department_year, formula="execution_rate", target_text="≥95%", points=None, user=world.finance
    )
    assert versions(world) == [(1, "adjustment", "approved", "加入共性指标（账表取数）：预算执行率")]
    in_force = version_in_force(department_year_id=world.department_year.pk, item_id=None)
    assert [(row["code"], row["formula"], row["target_text"]) for row in in_force.indicators] == [
        ("GX-execution_rate", "execution_rate", "≥95%")
    ]
    assert in_force.decided_by == world.finance


def test_taking_it_out_supersedes_that_version_with_one_without_it(world):
    kept = formula_indicator_add(department_year=world.department_year, formula="execution_rate", target_text="≥95%", points=None)
    dropped = formula_indicator_add(
        department_year=world.department_year, formula="plan_deviation", target_text="≤10%", points=None
    )
    formula_indicator_remove(indicator=dropped, user=world.finance)
    assert [(number, state) for number, _kind, state, _reason in versions(world)] == [
        (1, "superseded"),
        (2, "superseded"),
        (3, "approved"),
    ]
    in_force = version_in_force(department_year_id=world.department_year.pk, item_id=None)
    assert in_force.reason == "移出共性指标（账表取数）：计划执行偏差"
    assert [row["code"] for row in in_force.indicators] == [kept.code]


def test_a_pick_waits_while_the_department_has_an_open_version(world):
    declaration_start(department_year=world.department_year, item=None, user=world.finance)
    with pytest.raises(ValidationError) as refused:
        formula_indicator_add(department_year=world.department_year, formula="execution_rate", target_text="≥95%", points=None)
    assert refused.value.messages == ["部门整体有未完成的第1版目标（草稿），请在绩效目标申报页处理后再改"]
    assert not Indicator.objects.filter(department_year=world.department_year, formula="execution_rate").exists()
    assert versions(world) == [(1, "declaration", "draft", "")]


def declared_row(**fields) -> dict:
    return {
        "code": "GX01",
        "level1": "output",
        "level2": "数量",
        "name": "预算执行率",
        "direction": "ge",
        "target": "≥95%",
        "unit": "%",
        "points": "",
        "formula": "execution_rate",
        **fields,
    }


def test_a_declared_row_names_a_formula_only_when_it_is_known_and_the_departments(world):
    draft = declaration_start(department_year=world.department_year, item=None, user=world.finance)
    with pytest.raises(ValidationError) as refused:
        declaration_update(declaration=draft, goal="", rows=[declared_row(formula="no_such_formula")], user=world.finance)
    assert any(message.startswith("第1行 取数公式：") for message in refused.value.messages)
    declaration_update(declaration=draft, goal="", rows=[declared_row()], user=world.finance)
    draft.refresh_from_db()
    assert draft.indicators[0]["formula"] == "execution_rate"
    assert draft.indicators[0]["target"] == str(Decimal("95"))

    item_draft = declaration_start(department_year=world.department_year, item=world.item_a, user=world.finance)
    with pytest.raises(ValidationError) as refused:
        declaration_update(declaration=item_draft, goal="", rows=[declared_row()], user=world.finance)
    assert "第1行 取数公式：账表取数公式只用于部门整体指标" in refused.value.messages


def test_a_formula_indicators_monitoring_value_is_the_ledgers_not_typed(world):
    indicator = formula_indicator_add(
        department_year=world.department_year, formula="execution_rate", target_text="≥95%", points=None
    )
    with pytest.raises(ValidationError) as refused:
        indicator_set_monitoring(indicator=indicator, midyear=Decimal("50"), midyear_text="50%", forecast=Decimal("96"))
    assert refused.value.message_dict == {"midyear": ["监控期完成值由账表取数公式自动计算，不能手工填写"]}
    indicator_set_monitoring(indicator=indicator, midyear=None, forecast=Decimal("96"), forecast_text="96%", user=world.finance)
    indicator.refresh_from_db()
    assert (indicator.midyear, indicator.forecast, indicator.forecast_text) == (None, Decimal("96"), "96%")
