"""Codes of departments, units, items and indicators: one validator (fundmgr.lib.validators.validate_code)
at every entry point, the admin's forms, full_clean() and the workbook import.
Addresses for codes stored before the check: tests/fundmgr/lib/test_converters.py."""


import pytest
from django.core.exceptions import ValidationError
from django.forms import modelform_factory

from fundmgr.lib.validators import validate_code
from fundmgr.workbook import workbook_import
from indicators.models import Indicator
from projects.models import BudgetItem
from tests.fundmgr.workbooks import valid_sheets, with_cell, xlsx
from units.models import BudgetUnit, Department

HOSTILE_CODES = ["A/B", "", " ", ".", "..", "A B", "A?B", "A#B", "A%2FB", "项目1", "-A", "A\\B", "A\nB", "ＡＢ"]


@pytest.mark.parametrize("code", ["XJWF001-XM01", "A1", "302", "a.b_c-1", "P" * 64])
def test_a_code_of_letters_digits_and_dash_dot_underscore_is_accepted(code):
    validate_code(code)


@pytest.mark.parametrize("code", HOSTILE_CODES)
def test_a_code_with_any_other_character_is_refused_in_chinese(code):
    with pytest.raises(ValidationError) as refused:
        validate_code(code)
    assert "只能使用英文字母、数字和 - _ ." in refused.value.messages[0]


@pytest.mark.django_db
@pytest.mark.parametrize("model, fields", [(Department, ["code", "name"]), (BudgetUnit, ["department", "code", "name", "kind"])])
def test_the_model_form_of_the_admin_refuses_a_code_with_a_slash_next_to_the_field(world, model, fields):
    form_class = modelform_factory(model, fields=fields)
    data = {"code": "A/B", "name": "新单位", "department": world.department_year.department_id, "kind": "administrative"}
    form = form_class(data)
    assert not form.is_valid()
    assert "只能使用英文字母、数字" in form.errors["code"][0]


@pytest.mark.django_db
def test_full_clean_refuses_an_item_or_indicator_code_with_a_slash(world):
    item = BudgetItem(department_year=world.department_year, unit=world.unit_a, code="A/9", name="新项目", category="project")
    with pytest.raises(ValidationError) as refused:
        item.full_clean()
    assert list(refused.value.message_dict) == ["code"]
    indicator = Indicator(
        department_year=world.department_year, item=world.item_a, code="I/9", level1="output", level2="数量", name="新指标",
        direction="ge", target=1,
    )
    with pytest.raises(ValidationError) as refused:
        indicator.full_clean()
    assert "code" in refused.value.message_dict


@pytest.mark.django_db
@pytest.mark.parametrize(
    "sheet, header, row",
    [("部门", "部门编码", 2), ("预算单位", "单位编码", 2), ("预算项目", "项目编码", 2), ("绩效指标", "指标编码", 2)],
)
def test_the_workbook_import_refuses_a_code_with_a_slash_naming_sheet_row_and_column(sheet, header, row):
    result = workbook_import(source=xlsx(with_cell(valid_sheets(), sheet, row, header, "P/1")))
    messages = [str(error) for error in result.errors]
    assert any(message.startswith(f"{sheet} 第{row}行 {header}") and "只能使用英文字母、数字" in message for message in messages), messages
    assert not BudgetItem.objects.exists()
