"""The unit page links to the department's 自评表 only for those who may open it."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("persona, linked", [("finance", True), ("leader", True), ("accountant_a", False)])
def test_the_unit_page_links_the_self_evaluation_only_for_those_who_may_open_it(world, as_persona, persona, linked):
    client = as_persona(persona)
    page = client.get(reverse("units:detail", kwargs={**world.kwargs, "unit_code": world.unit_a.code})).content.decode()
    evaluation = reverse("indicators:evaluation", kwargs=world.kwargs)
    assert (f'href="{evaluation}"' in page) is linked
    if linked:
        assert client.get(evaluation).status_code == 200
