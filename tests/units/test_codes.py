"""Codes of departments, units, items and indicators: one validator at every entry point
(fundmgr.validators.validate_code), and addresses that never fail for a code already stored,
whatever it holds (fundmgr.converters)."""

import re

import pytest
from django.core.exceptions import ValidationError
from django.forms import modelform_factory
from django.urls import reverse

from fundmgr.validators import validate_code
from fundmgr.workbook import workbook_import
from indicators.models import Indicator
from projects.models import BudgetItem, BudgetLine
from tests.fundmgr.workbooks import valid_sheets, with_cell, xlsx
from units.models import BudgetUnit, Department

HOSTILE_CODES = ["A/B", "", " ", ".", "..", "A B", "A?B", "A#B", "A%2FB", "项目1", "-A", "A\\B", "A\nB", "ＡＢ"]
LEGACY_CODES = ["A/B", "..", ".", "A?B#C", "50%", "%2F", "项目/一", "A B"]


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


# --- codes stored before the check, or around it ---


@pytest.fixture
def legacy(world):
    """A unit and an item per hostile code, written with bulk_create: no validation runs."""
    units = BudgetUnit.objects.bulk_create(
        BudgetUnit(department=world.department_year.department, code=code, name=f"旧单位{n}", kind="administrative", position=10 + n)
        for n, code in enumerate(LEGACY_CODES)
    )
    items = BudgetItem.objects.bulk_create(
        BudgetItem(department_year=world.department_year, unit=unit, code=code, name=f"旧项目{n}", category="project")
        for n, (unit, code) in enumerate(zip(units, LEGACY_CODES, strict=True))
    )
    for item in items:
        BudgetLine.objects.create(item=item, source="local", kind="initial", amount="10.00", date="2024-01-01")
    Indicator.objects.bulk_create(
        Indicator(
            department_year=world.department_year, item=item, code=item.code, level1="output", level2="数量",
            name=f"旧指标{n}", direction="ge", target=1, actual=1,
        )
        for n, item in enumerate(items)
    )
    return units, items


def links(html: str) -> list[str]:
    return [href.replace("&amp;", "&") for href in re.findall(r'href="(/d/[^"]*)"', html)]


@pytest.mark.django_db
def test_the_department_dashboard_shows_and_links_units_whose_codes_hold_any_character(world, legacy, client):
    client.force_login(world.finance)
    response = client.get(reverse("department", kwargs=world.kwargs))
    assert response.status_code == 200
    html = response.content.decode()
    units, _items = legacy
    for unit in units:
        assert unit.name in html
    unit_links = [link for link in links(html) if "/units/" in link]
    assert len(unit_links) >= len(units)
    for link in unit_links:
        assert client.get(link).status_code == 200, link


@pytest.mark.django_db
def test_each_legacy_unit_item_and_indicator_page_answers_and_names_the_right_record(world, legacy, client):
    client.force_login(world.finance)
    units, items = legacy
    for unit, item in zip(units, items, strict=True):
        unit_page = client.get(reverse("units:detail", kwargs={**world.kwargs, "unit_code": unit.code}))
        assert unit_page.status_code == 200, unit.code
        assert unit.name in unit_page.content.decode()
        for link in links(unit_page.content.decode()):
            assert client.get(link).status_code in (200, 302), link
        item_page = client.get(reverse("projects:detail", kwargs={**world.kwargs, "item_code": item.code}))
        assert item_page.status_code == 200, item.code
        assert item.name in item_page.content.decode()
        sheet = client.get(reverse("indicators:item_evaluation", kwargs={**world.kwargs, "item_code": item.code}))
        assert sheet.status_code == 200, item.code
        results = client.get(reverse("indicators:results", kwargs={**world.kwargs, "indicator_code": item.code}))
        assert results.status_code == 200, item.code
    evaluation = client.get(reverse("indicators:evaluation", kwargs=world.kwargs))
    assert evaluation.status_code == 200
    for link in links(evaluation.content.decode()):
        assert client.get(link).status_code == 200, link


@pytest.mark.django_db
def test_an_address_with_a_nul_character_is_a_404(world, client):
    client.force_login(world.finance)
    assert client.get(f"/d/{world.code}/{world.year}/items/A%00/").status_code == 404
