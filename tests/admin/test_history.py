"""The admin's history pages (django-simple-history) are read-only and scoped to the department:
another department's finance office can neither read a record's versions nor revert them."""

from decimal import Decimal

import pytest
from django.conf import settings
from django.urls import reverse

from indicators.models import Indicator
from projects.models import BudgetLine, Expenditure
from units.models import MonthClose

pytestmark = pytest.mark.django_db


def history_url(record) -> str:
    opts = record._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_history", args=[record.pk])


def version_url(record) -> str:
    opts = record._meta
    version = record.history.order_by("history_id").first()
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_simple_history", args=[record.pk, version.history_id])


@pytest.fixture
def tracked(world, closed_march):
    """One history-tracked record of department PD per model the admin shows history for."""
    return {
        Expenditure: world.spent_a,
        BudgetLine: world.line_a,
        MonthClose: closed_march,
        Indicator: world.indicator_a,
    }


def test_revert_is_switched_off_in_the_settings():
    assert settings.SIMPLE_HISTORY_REVERT_DISABLED is True


def test_another_departments_finance_office_cannot_read_a_records_history(world, other, tracked, login):
    client = login(other.finance)
    for model, record in tracked.items():
        for url in (history_url(record), version_url(record)):
            response = client.get(url)
            assert response.status_code == 404, (model.__name__, url, response.status_code)


def test_the_history_of_a_deleted_record_stays_hidden_from_another_department(world, other, login):
    expenditure_id = world.spent_a.pk
    url = reverse("admin:projects_expenditure_history", args=[expenditure_id])
    version = Expenditure.history.filter(id=expenditure_id).first().history_id
    Expenditure.objects.filter(pk=expenditure_id).delete()
    client = login(other.finance)
    assert client.get(url).status_code == 404
    assert client.get(reverse("admin:projects_expenditure_simple_history", args=[expenditure_id, version])).status_code == 404
    owner = login(world.finance)
    assert owner.get(url).status_code == 200


def test_the_owning_finance_office_reads_its_history_with_a_link_to_the_audit_page(world, tracked, login):
    client = login(world.finance)
    for model, record in tracked.items():
        assert client.get(history_url(record)).status_code == 200, model.__name__
        assert client.get(version_url(record)).status_code == 200, model.__name__
    change_page = client.get(reverse("admin:projects_expenditure_change", args=[world.spent_a.pk])).content.decode()
    assert reverse("expenditures:history", kwargs={**world.kwargs, "pk": world.spent_a.pk}) in change_page


def test_no_one_reverts_a_record_through_the_history_form(world, other, tracked, superuser, login):
    """A revert would skip availability control and closed months; nobody gets it, superusers included."""
    world.spent_a.amount = Decimal("1.00")
    world.spent_a.save()  # a second version to revert to
    for user in (other.finance, world.finance, superuser):
        client = login(user)
        for model, record in tracked.items():
            before = list(model.objects.order_by("pk").values())
            form = {
                "amount": "99999.00", "month": "4", "memo": "reverted", "name": "reverted",
                "results_final": "on", "date": "2024-06-01", "item": world.item_a.pk, "economic_class": "30201",
            }
            response = client.post(version_url(record), form)
            assert response.status_code in (404, 405), (user.username, model.__name__, response.status_code)
            assert list(model.objects.order_by("pk").values()) == before, (user.username, model.__name__)
