"""年度总体目标 (DOMAIN.md section 9): the service, the finance office's page, and the 自评表 pages
that show it."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from indicators.models import GOAL_TEXT_MAX, AnnualGoal
from indicators.services import annual_goal_set
from projects.models import BudgetItem
from tests.builders import BudgetItemFactory, DepartmentYearFactory

pytestmark = pytest.mark.django_db


def goal_url(world, item=None) -> str:
    url = reverse(
        "indicators:goal", kwargs={"department_code": world.department_year.department.code, "year": world.department_year.year}
    )
    return url + (f"?item={item.code}" if item else "")


# ---- service -------------------------------------------------------------------------------


def test_set_creates_then_updates_one_row_per_scope_with_history(world):
    dy = world.department_year
    annual_goal_set(department_year=dy, expected=" 预期甲 ", achieved="完成甲", user=world.finance)
    annual_goal_set(department_year=dy, expected="预期乙", achieved="完成乙", user=world.finance)
    annual_goal_set(department_year=dy, item=world.item_a, expected="项目预期", achieved="", user=world.finance)
    rows = {(row.item_id, row.expected, row.achieved) for row in AnnualGoal.objects.all()}
    assert rows == {(None, "预期乙", "完成乙"), (world.item_a.pk, "项目预期", "")}
    department_goal = AnnualGoal.objects.get(item=None)
    assert [h.expected for h in department_goal.history.order_by("history_id")] == ["预期甲", "预期乙"]
    assert department_goal.history.first().history_user == world.finance


def test_both_texts_blank_removes_the_goal(world):
    annual_goal_set(department_year=world.department_year, expected="甲", achieved="乙")
    assert annual_goal_set(department_year=world.department_year, expected=" ", achieved="") is None
    assert AnnualGoal.objects.count() == 0


def test_a_text_over_the_limit_is_refused_naming_the_field(world):
    with pytest.raises(ValidationError) as refused:
        annual_goal_set(department_year=world.department_year, expected="字" * (GOAL_TEXT_MAX + 1), achieved="乙")
    assert refused.value.message_dict == {"expected": [f"预期目标不能超过{GOAL_TEXT_MAX}个字（现为{GOAL_TEXT_MAX + 1}个字）"]}
    assert AnnualGoal.objects.count() == 0
    # at the limit it is accepted
    annual_goal_set(department_year=world.department_year, expected="字" * GOAL_TEXT_MAX, achieved="乙")
    assert AnnualGoal.objects.get().expected == "字" * GOAL_TEXT_MAX


def test_another_years_item_is_refused(world):
    other = BudgetItemFactory(department_year=DepartmentYearFactory(department=world.department_year.department, year=2031))
    with pytest.raises(ValidationError) as refused:
        annual_goal_set(department_year=world.department_year, item=other, expected="甲", achieved="乙")
    assert refused.value.message_dict == {"item": ["该预算项目不属于本部门年度"]}


# ---- pages ---------------------------------------------------------------------------------


def test_the_finance_office_saves_a_department_goal_and_the_evaluation_page_shows_it(world, as_persona):
    client = as_persona("finance")
    response = client.post(goal_url(world), {"item": "", "expected": "完成培训1200人次", "achieved": "完成1180人次"})
    evaluation = reverse(
        "indicators:evaluation",
        kwargs={"department_code": world.department_year.department.code, "year": world.department_year.year},
    )
    assert (response.status_code, response["Location"]) == (302, evaluation)
    assert AnnualGoal.objects.values_list("item", "expected", "achieved").get() == (None, "完成培训1200人次", "完成1180人次")
    page = client.get(evaluation).content.decode()
    assert 'id="annual-goal"' in page and "完成培训1200人次" in page and "完成1180人次" in page
    assert "填写年度总体目标" in page


def test_an_item_goal_is_written_from_its_own_form_and_shown_on_the_item_sheet(world, as_persona):
    client = as_persona("finance")
    form = client.get(goal_url(world, world.item_a))
    assert form.status_code == 200
    assert f'name="item" value="{world.item_a.code}"' in form.content.decode()
    response = client.post(
        goal_url(world, world.item_a), {"item": world.item_a.code, "expected": "项目预期", "achieved": "项目完成"}
    )
    assert response.status_code == 302
    assert AnnualGoal.objects.get().item == world.item_a
    page = as_persona("accountant_a").get(response["Location"]).content.decode()
    assert "项目预期" in page and "项目完成" in page
    assert "填写年度总体目标" not in page  # only the finance office edits


def test_a_too_long_text_gets_a_400_with_the_message_and_nothing_saved(world, as_persona):
    response = as_persona("finance").post(goal_url(world), {"item": "", "expected": "字" * (GOAL_TEXT_MAX + 1), "achieved": ""})
    assert response.status_code == 400
    assert f"确保该变量包含不超过 {GOAL_TEXT_MAX} 字符 (目前字符数 {GOAL_TEXT_MAX + 1})" in response.content.decode()
    assert AnnualGoal.objects.count() == 0


def test_an_unknown_item_is_404(world, as_persona):
    assert as_persona("finance").get(goal_url(world) + "?item=NOPE").status_code == 404
    response = as_persona("finance").post(goal_url(world), {"item": "NOPE", "expected": "甲", "achieved": ""})
    assert response.status_code == 404
    assert AnnualGoal.objects.count() == 0


def test_other_roles_cannot_post(world, as_persona):
    for persona in ("leader", "accountant_a"):
        assert as_persona(persona).post(goal_url(world), {"item": "", "expected": "甲", "achieved": ""}).status_code == 403
    assert AnnualGoal.objects.count() == 0
    assert BudgetItem.objects.filter(pk=world.item_a.pk).exists()
