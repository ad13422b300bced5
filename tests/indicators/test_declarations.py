"""indicators.declarations: the versions of a scope's targets, their states, and what is scored."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from indicators.declarations import (
    declaration_approve,
    declaration_copy_previous_year,
    declaration_diff,
    declaration_record_import,
    declaration_reject,
    declaration_start,
    declaration_submit,
    declaration_update,
    version_label,
)
from indicators.models import AnnualGoal, Indicator, TargetDeclaration
from indicators.selectors import item_evaluation
from tests import personas
from tests.builders import BudgetItemFactory, DepartmentYearFactory

pytestmark = pytest.mark.django_db

State = TargetDeclaration.State
RATE = Decimal("100.00")  # the execution rate the item scores with, in percent


def row(code="T1", *, target="≥10", name="培训人次", level1="output", level2="数量", direction="ge", points="", unit=""):
    return {
        "code": code,
        "level1": level1,
        "level2": level2,
        "name": name,
        "direction": direction,
        "target": target,
        "unit": unit,
        "points": points,
        "formula": "",
    }


def score(item):
    evaluation = item_evaluation(item=item, execution_rate=RATE).evaluation
    return None if evaluation is None else evaluation.score


def approved(world, item, rows, *, goal="", reason=""):
    draft = declaration_start(department_year=world.department_year, item=item, reason=reason, user=world.accountant_a)
    declaration_update(declaration=draft, goal=goal, rows=rows, user=world.accountant_a)
    declaration_submit(declaration=draft, user=world.accountant_a)
    return declaration_approve(declaration=draft, user=world.finance)


def test_a_new_item_has_no_indicators_until_its_declaration_is_approved(world):
    item = world.item_a2
    draft = declaration_start(department_year=world.department_year, item=item, user=world.accountant_a)
    assert (draft.version, draft.kind, draft.state) == (1, "declaration", "draft")
    declaration_update(
        declaration=draft, goal="完成设备采购", rows=[row("A2-1", target="≥5台", unit="")], user=world.accountant_a
    )
    assert score(item) is None and not Indicator.objects.filter(item=item).exists()
    declaration_submit(declaration=draft, user=world.accountant_a)
    assert score(item) is None
    done = declaration_approve(declaration=draft, user=world.finance, note="同意")
    indicator = Indicator.objects.get(item=item)
    assert (indicator.code, indicator.target, indicator.unit, indicator.target_text) == ("A2-1", Decimal(5), "台", "≥5台")
    assert AnnualGoal.objects.get(item=item).expected == "完成设备采购"
    assert (done.state, done.decided_by, done.submitted_by, done.decision_note) == (
        "approved",
        world.finance,
        world.accountant_a,
        "同意",
    )
    assert version_label(done).startswith("第1版（申报，")


def test_an_adjustment_changes_the_score_only_once_approved(world):
    item = world.item_a  # I-A1: target 10, actual 10, met
    declaration_record_import(department_year=world.department_year, user=world.finance)
    assert score(item) == Decimal("100.00")
    adjustment = declaration_start(department_year=world.department_year, item=item, reason="任务加码", user=world.finance)
    assert (adjustment.version, adjustment.kind) == (2, "adjustment")
    assert adjustment.indicators[0]["code"] == "I-A1"  # a copy of the version in force
    declaration_update(
        declaration=adjustment, goal="", rows=[row("I-A1", target="20", name="甲培训经费指标")], user=world.finance
    )
    declaration_submit(declaration=adjustment, user=world.finance)
    assert score(item) == Decimal("100.00")
    declaration_approve(declaration=adjustment, user=world.finance)
    indicator = Indicator.objects.get(code="I-A1")
    # the typed year-end value is kept; only the declared target changed. The item's one output
    # indicator is worth 50 (the default split), max 60: (10 + 50 × 10/20) × 100 / 60 = 58.33
    assert (indicator.target, indicator.actual) == (Decimal(20), Decimal(10))
    assert score(item) == Decimal("58.33")
    states = dict(TargetDeclaration.objects.filter(item=item).values_list("version", "state"))
    assert states == {1: "superseded", 2: "approved"}


def test_approval_creates_and_deletes_indicators_as_declared(world):
    declaration_record_import(department_year=world.department_year, user=world.finance)
    approved(
        world,
        world.item_a,
        [row("NEW1", target="≥3次"), row("NEW2", level1="satisfaction", level2="服务对象满意度", target="≥90%")],
        reason="换指标",
    )
    assert list(Indicator.objects.filter(item=world.item_a).values_list("code", flat=True)) == ["NEW1", "NEW2"]
    assert Indicator.history.filter(code="I-A1", history_type="-").exists()


def test_an_adjustment_needs_a_reason(world):
    declaration_record_import(department_year=world.department_year)
    with pytest.raises(ValidationError) as error:
        declaration_start(department_year=world.department_year, item=world.item_a, reason=" ", user=world.finance)
    assert error.value.message_dict["reason"] == ["目标调整须填写调整理由"]


def test_a_scope_has_one_open_version_at_a_time(world):
    declaration_start(department_year=world.department_year, item=world.item_a2, user=world.finance)
    with pytest.raises(ValidationError, match="已有未完成的第1版（草稿）"):
        declaration_start(department_year=world.department_year, item=world.item_a2, user=world.finance)
    with pytest.raises(IntegrityError), transaction.atomic():
        TargetDeclaration.objects.create(
            department_year=world.department_year,
            item=world.item_a2,
            version=2,
            kind="declaration",
            created_at="2024-01-01T00:00Z",
        )


def test_only_a_draft_is_edited_and_only_a_submitted_version_decided(world):
    draft = declaration_start(department_year=world.department_year, item=world.item_a2, user=world.finance)
    with pytest.raises(ValidationError, match="没有绩效指标"):
        declaration_submit(declaration=draft, user=world.finance)
    with pytest.raises(ValidationError, match="状态为草稿，不能批准"):
        declaration_approve(declaration=draft, user=world.finance)
    declaration_update(declaration=draft, goal="", rows=[row("X1")], user=world.finance)
    declaration_submit(declaration=draft, user=world.finance)
    with pytest.raises(ValidationError, match="状态为已提交，不能修改"):
        declaration_update(declaration=draft, goal="", rows=[row("X2")], user=world.finance)
    with pytest.raises(ValidationError) as error:
        declaration_reject(declaration=draft, note="", user=world.finance)
    assert error.value.message_dict["note"] == ["退回须填写审批意见"]
    rejected = declaration_reject(declaration=draft, note="指标不够具体", user=world.finance)
    assert rejected.state == "rejected" and not Indicator.objects.filter(item=world.item_a2).exists()
    again = declaration_start(department_year=world.department_year, item=world.item_a2, user=world.finance)
    # nothing was ever approved: still a declaration, seeded with the rejected rows
    assert (again.version, again.kind, again.indicators[0]["code"]) == (2, "declaration", "X1")


def test_bad_rows_are_refused_row_by_row_and_nothing_is_saved(world):
    draft = declaration_start(department_year=world.department_year, item=world.item_a2, user=world.finance)
    rows = [
        row("I-B1"),  # B1's indicator code
        row("Y1", level2="社会效益"),
        row("Y1", target="约5000户"),
        row("Y2", direction="qualitative", target="5"),
        row("Y3", points="-1"),
        row("", name=""),
    ]
    with pytest.raises(ValidationError) as error:
        declaration_update(declaration=draft, goal="", rows=rows, user=world.finance)
    assert error.value.messages == [
        "第1行 指标编码：指标编码I-B1已被B1的指标使用",
        "第2行 二级指标：产出指标下的二级指标须为：数量、质量、时效、成本",
        "第3行 指标编码：指标编码Y1与第2行重复",
        "第3行 目标值：定量指标的目标值须为数字（如≥5000户），日期或定性表述请选择定性方向",
        "第4行 目标值：定性指标的目标值须为定性表述或日期，不能是数字",
        "第5行 分值：分值须大于0",
        "第6行 指标编码：请填写指标编码",
        "第6行 指标名称：请填写指标名称（三级指标）",
    ]
    draft.refresh_from_db()
    assert draft.indicators == []


def test_points_are_all_or_none_and_total_90(world):
    draft = declaration_start(department_year=world.department_year, item=world.item_a2, user=world.finance)
    with pytest.raises(ValidationError, match="分值"):
        declaration_update(declaration=draft, goal="", rows=[row("P1", points="50"), row("P2")], user=world.finance)
    draft = declaration_update(
        declaration=draft,
        goal="",
        rows=[row("P1", points="60"), row("P2", level1="benefit", level2="社会效益", points="30")],
        user=world.finance,
    )
    assert [r["points"] for r in draft.indicators] == ["60", "30"]


def test_the_diff_names_added_removed_and_changed_fields(world):
    declaration_record_import(department_year=world.department_year)
    before = TargetDeclaration.objects.get(item=world.item_a)
    after = declaration_start(department_year=world.department_year, item=world.item_a, reason="调整", user=world.finance)
    after = declaration_update(
        declaration=after, goal="新目标", rows=[row("I-A1", target="≥12", name="甲培训经费指标"), row("Z1")], user=world.finance
    )
    goal_changed, changes = declaration_diff(before, after)
    assert goal_changed
    assert [(c.code, c.kind) for c in changes] == [("I-A1", "changed"), ("Z1", "added")]
    assert [(f.label, f.old, f.new) for f in changes[0].changes] == [("目标值", "10", "12"), ("目标值（原文）", "", "≥12")]


def test_the_import_records_an_approved_version_per_scope(world):
    versions = declaration_record_import(department_year=world.department_year, user=world.finance)
    assert sorted((v.item.code, v.version, v.kind, v.state) for v in versions) == [
        ("A1", 1, "import", "approved"),
        ("B1", 1, "import", "approved"),
    ]
    assert versions[0].indicators[0]["target"] == "10"


def test_last_years_targets_are_copied_as_drafts(world):
    declaration_record_import(department_year=world.department_year)
    next_year = DepartmentYearFactory(department=world.department_year.department, year=2025)
    BudgetItemFactory(department_year=next_year, unit=world.unit_a, code="A1", name="甲培训经费")
    copied = declaration_copy_previous_year(department_year=next_year, user=world.finance)
    assert [(c.item.code, c.version, c.state, c.indicators[0]["code"]) for c in copied] == [("A1", 1, "draft", "I-A1")]
    assert declaration_copy_previous_year(department_year=next_year, user=world.finance) == []
    assert not Indicator.objects.filter(department_year=next_year).exists()


def test_the_demo_import_has_version_1_approved_everywhere(db):
    world = personas.build(code="RD")
    declaration_record_import(department_year=world.department_year)
    assert set(TargetDeclaration.objects.values_list("state", flat=True)) == {"approved"}
