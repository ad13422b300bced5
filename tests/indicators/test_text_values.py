"""Targets and values kept as written beside the parsed figures (DOMAIN.md section 9): the pages
and the 自评表 exports show the text when the indicator has one."""

import pytest

from indicators import wording
from tests.builders import IndicatorFactory

pytestmark = pytest.mark.django_db


def test_the_text_as_written_is_shown_when_kept(world):
    indicator = IndicatorFactory(
        department_year=world.department_year,
        direction="ge",
        target=200,
        unit="平方米",
        actual=210,
        target_text="≥200平方米",
        actual_text="210平方米以上",
    )
    assert wording.target_text(indicator) == "≥200平方米"
    assert wording.actual_text(indicator) == "210平方米以上"
    assert wording.actual_value(indicator) == "210平方米以上"


def test_without_text_the_figures_are_worded_as_before(world):
    indicator = IndicatorFactory(department_year=world.department_year, direction="ge", target=5000, unit="户", actual=5200)
    assert indicator.target_text == indicator.actual_text == indicator.midyear_text == ""
    assert wording.target_text(indicator) == "≥5000户"
    assert wording.actual_text(indicator) == "5200户"
    assert wording.actual_value(indicator) == 5200


def test_a_qualitative_target_keeps_its_words(world):
    indicator = IndicatorFactory(
        department_year=world.department_year,
        direction="qualitative",
        target=None,
        unit="",
        actual=None,
        tier="achieved",
        target_text="达到预期",
        actual_text="效果明显",
    )
    assert wording.target_text(indicator) == "达到预期"
    assert wording.actual_text(indicator) == "效果明显"
