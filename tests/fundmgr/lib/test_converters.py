"""Addresses never fail for a code already stored, whatever it holds (fundmgr.lib.converters):
codes written before the check of fundmgr.lib.validators, or around it."""

import re

import pytest
from django.urls import reverse

from indicators.models import Indicator
from projects.models import BudgetItem, BudgetLine
from units.models import BudgetUnit

LEGACY_CODES = ["A/B", "..", ".", "A?B#C", "50%", "%2F", "项目/一", "A B"]


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
