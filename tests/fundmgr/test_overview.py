"""The department overview at /d/<code>/<year>/."""


import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.builders import ledger
from units.models import BudgetUnit, Membership

pytestmark = pytest.mark.django_db


def overview_url(dy):
    return reverse("department", kwargs={"department_code": dy.department.code, "year": dy.year})


@pytest.fixture
def leader(django_user_model):
    return django_user_model.objects.create_user("leader", password="x")


def member(user, dy, role=Membership.Role.LEADER, unit=None):
    Membership.objects.create(user=user, department=dy.department, role=role, unit=unit)
    return user


def test_overview_shows_each_unit_in_wan_with_a_database_total(client, leader):
    dy = ledger(units=2, items_per_unit=3, expenditures_per_item=5)
    client.force_login(member(leader, dy))
    response = client.get(overview_url(dy))
    assert response.status_code == 200
    body = response.content.decode()
    # each unit: 3 items x 1000.00 = 0.30 万元 budget, 15 x 10.00 = 0.02 万元 spent, 5.00 %
    assert 'data-card="execution-rate">5.00%<' in body  # the rate card
    # The dashboard replaced the overview; its unit table shows two units and the footer.
    unit_table = body[body.index("各预算单位执行情况") : body.index("执行滞后的项目")]
    # in December the plan to date is the whole (linear) budget and nothing is left to forecast: the
    # execution rate, the plan execution rate and the forecast rate are all 5.00 %, for two units and the footer
    assert unit_table.count("5.00%") == 9
    assert "0.60" in body  # the department's 6000.00 yuan
    unit = BudgetUnit.objects.get(code="U0")
    assert reverse("units:detail", kwargs={"department_code": "D1", "year": 2024, "unit_code": unit.code}) in body


def test_overview_is_404_for_a_user_without_a_role_there(client, django_user_model):
    dy = ledger(units=1, items_per_unit=1, expenditures_per_item=1)
    client.force_login(django_user_model.objects.create_user("outsider"))
    assert client.get(overview_url(dy)).status_code == 404


def test_overview_asks_anonymous_users_to_log_in(client):
    dy = ledger(units=1, items_per_unit=1, expenditures_per_item=1)
    response = client.get(overview_url(dy))
    assert response.status_code == 302
    assert reverse("login") in response["Location"]


def test_overview_runs_the_same_queries_at_two_ledger_sizes(client, leader):
    small = ledger(units=1, items_per_unit=1, expenditures_per_item=1, code="S")
    large = ledger(units=5, items_per_unit=6, expenditures_per_item=40, code="L")
    member(leader, small)
    member(leader, large)
    client.force_login(leader)
    counts = []
    for dy in (small, large):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(overview_url(dy)).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]
