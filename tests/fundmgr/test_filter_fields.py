"""{% filter_fields form %} (fundmgr.templatetags.fundmgr_forms) writes a filter form as form.as_div
does, but for the whitespace between tags: unbound and bound, in both languages, with every
widget kind the filters use; a form it does not draw (errors, another widget) is as_div itself."""

import re
from unittest import mock

import pytest
from django.http import QueryDict
from django.utils import translation

from fundmgr.templatetags import fundmgr_forms
from fundmgr.templatetags.fundmgr_forms import filter_fields
from projects.filters import ItemExpenditureFilter, ItemFilter
from projects.models import BudgetItem, Expenditure
from units.filters import UnitFilter
from units.models import BudgetUnit


def tags(html: str) -> str:
    return re.sub(r">\s+<", "><", re.sub(r"\s+", " ", str(html))).strip()


QUERIES = ["", "name=甲<&>\"", "kind=institution", "name=x&kind=administrative", "code=A1&category=project&name=培训"]


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["zh-hans", "en"])
@pytest.mark.parametrize("query", QUERIES)
@pytest.mark.parametrize(
    ("filterset", "model"), [(UnitFilter, BudgetUnit), (ItemFilter, BudgetItem), (ItemExpenditureFilter, Expenditure)]
)
def test_the_fields_are_as_divs_markup(language, query, filterset, model):
    with translation.override(language):
        data = QueryDict(query) if query else None
        form = filterset(data, queryset=model.objects.none()).form
        ours = filter_fields(form)
        assert tags(ours) == tags(filterset(data, queryset=model.objects.none()).form.as_div())
        assert "<select" in ours or filterset is not UnitFilter


@pytest.mark.django_db
def test_values_are_escaped_and_the_chosen_option_selected():
    form = UnitFilter(QueryDict("name=<b>&kind=institution"), queryset=BudgetUnit.objects.none()).form
    html = filter_fields(form)
    assert 'value="&lt;b&gt;"' in html and '<option value="institution" selected>' in html
    assert '<option value="" >' not in html and '<option value="">' in html


@pytest.mark.django_db
def test_a_form_with_errors_is_as_div_itself():
    form = UnitFilter(QueryDict("kind=nonsense"), queryset=BudgetUnit.objects.none()).form
    html = filter_fields(form)
    assert html == form.as_div() and "errorlist" in html


@pytest.mark.django_db
def test_a_form_with_another_widget_is_as_div_itself(monkeypatch):
    monkeypatch.setattr(fundmgr_forms, "_widget", mock.Mock(side_effect=AssertionError("drawn in Python")))
    form = ItemExpenditureFilter(None, queryset=Expenditure.objects.none()).form  # its date range: a MultiWidget
    assert filter_fields(form) == form.as_div() and 'name="date_after"' in form.as_div()


@pytest.mark.django_db
def test_text_boxes_and_lists_are_drawn_without_django_s_templates(monkeypatch):
    form = ItemFilter(QueryDict("category=project"), queryset=BudgetItem.objects.none()).form
    monkeypatch.setattr(type(form), "as_div", mock.Mock(side_effect=AssertionError("as_div")))
    monkeypatch.setattr(type(form.fields["code"].widget), "render", mock.Mock(side_effect=AssertionError("a template")))
    assert '<option value="project" selected>' in filter_fields(form)
