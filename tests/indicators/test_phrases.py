"""A department's editable list of qualitative phrases (DOMAIN.md section 9): seeded from
DEFAULT_PHRASES on the first edit, read by indicators.selectors.department_phrases for the parser."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from indicators.models import QualitativePhrase
from indicators.selectors import department_phrases
from indicators.services import phrase_delete, phrase_set
from indicators.targets import DEFAULT_PHRASES, NOT_ACHIEVED, PARTLY, QUALITATIVE, UNPARSED, completion_ratio, parse
from tests.builders import DepartmentFactory

pytestmark = pytest.mark.django_db


def test_a_department_without_rows_reads_with_the_default_list():
    department = DepartmentFactory()
    assert department_phrases(department.pk) is None
    assert parse("达到预期", phrases=department_phrases(department.pk)).tier == "achieved"


def test_the_first_edit_copies_the_defaults_then_changes_the_tier_used(world):
    department = DepartmentFactory()
    other = DepartmentFactory()
    phrase_set(department=department, phrase=" 达到预期 ", tier=PARTLY, user=world.finance)
    phrases = department_phrases(department.pk)
    assert len(phrases) == len(DEFAULT_PHRASES)
    assert phrases["达到预期"] == PARTLY
    assert phrases["效果明显"] == "achieved"
    # the edited phrase changes the tier the parser reads, and so the completion ratio
    target = parse("达到预期")
    assert completion_ratio(target, parse("达到预期", phrases=phrases)) < completion_ratio(target, parse("达到预期"))
    assert parse("达到预期", phrases=phrases).tier == PARTLY
    # another department keeps the defaults
    assert department_phrases(other.pk) is None
    row = QualitativePhrase.objects.get(department=department, phrase="达到预期")
    assert [h.tier for h in row.history.order_by("history_id")] == ["achieved", PARTLY]
    assert row.history.order_by("history_id").last().history_user == world.finance


def test_add_a_new_phrase_and_delete_one():
    department = DepartmentFactory()
    phrase_set(department=department, phrase="群众认可", tier="achieved")
    phrase_delete(department=department, phrase="效果明显")
    phrases = department_phrases(department.pk)
    assert parse("群众认可", phrases=phrases).kind == QUALITATIVE
    assert parse("群众认可").kind == UNPARSED
    assert parse("效果明显", phrases=phrases).kind == UNPARSED
    assert len(phrases) == len(DEFAULT_PHRASES)


def test_bad_input_is_refused_with_a_message_and_writes_nothing():
    department = DepartmentFactory()
    with pytest.raises(ValidationError) as blank:
        phrase_set(department=department, phrase="  ", tier=NOT_ACHIEVED)
    assert blank.value.message_dict == {"phrase": ["请填写定性表述"]}
    with pytest.raises(ValidationError) as tier:
        phrase_set(department=department, phrase="好", tier="great")
    assert tier.value.message_dict == {"tier": ["定性等级须为：达成、部分达成、未达成"]}
    with pytest.raises(ValidationError) as long:
        phrase_set(department=department, phrase="好" * 101, tier=NOT_ACHIEVED)
    assert long.value.message_dict == {"phrase": ["定性表述不能超过100个字"]}
    assert QualitativePhrase.objects.count() == 0
    with pytest.raises(ValidationError) as missing:
        phrase_delete(department=department, phrase="没有这个")
    assert missing.value.message_dict == {"phrase": ["定性表述“没有这个”不在列表中"]}


# ---- page ----------------------------------------------------------------------------------


def phrases_url(world) -> str:
    dy = world.department_year
    return reverse("indicators:phrases", kwargs={"department_code": dy.department.code, "year": dy.year})


def test_the_page_lists_the_defaults_then_the_edited_list(client, world):
    client.force_login(world.finance)
    page = client.get(phrases_url(world))
    assert page.status_code == 200
    assert "本部门尚未修改，使用默认表述。" in page.content.decode()
    assert len(page.context["phrases"]) == len(DEFAULT_PHRASES)
    assert ("达到预期", "achieved", "达成") in page.context["phrases"]
    assert [tier for _, tier, _ in page.context["phrases"]][:1] == ["achieved"]
    assert [tier for _, tier, _ in page.context["phrases"]][-1:] == ["not_achieved"]
    response = client.post(phrases_url(world), {"action": "set", "phrase": "达到预期", "tier": PARTLY})
    assert response.status_code == 302
    response = client.post(phrases_url(world), {"action": "delete", "phrase": "效果明显"})
    assert response.status_code == 302
    phrases = department_phrases(world.department_year.department_id)
    assert phrases["达到预期"] == PARTLY and "效果明显" not in phrases
    page = client.get(phrases_url(world))
    assert "本部门尚未修改，使用默认表述。" not in page.content.decode()
    assert ("达到预期", PARTLY, "部分达成") in page.context["phrases"]


def test_bad_input_on_the_page_is_a_400_with_the_message(client, world):
    client.force_login(world.finance)
    response = client.post(phrases_url(world), {"action": "set", "phrase": "好", "tier": "x"})
    assert response.status_code == 400
    assert "定性等级须为：达成、部分达成、未达成" in response.content.decode()
    assert QualitativePhrase.objects.count() == 0
