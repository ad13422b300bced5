"""Audit trail: who, when, each field's old and new value."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from indicators.models import Indicator
from projects.models import Expenditure

pytestmark = pytest.mark.django_db


def url(world, name, **kwargs):
    return reverse(name, kwargs={**world.kwargs, **kwargs})


def test_history_page_shows_who_changed_which_field_from_what_to_what(world, as_persona):
    client = as_persona("accountant_a")
    client.post(
        url(world, "expenditures:edit", pk=world.spent_a.pk),
        {"date": "2024-06-01", "amount": "1200.50", "economic_class": "30211", "memo": "甲差旅", "voucher": "", "procurement_method": ""},
    )
    record = Expenditure.history.filter(id=world.spent_a.pk).order_by("-history_date").first()
    assert record.history_user == world.accountant_a
    page = as_persona("leader").get(url(world, "expenditures:history", pk=world.spent_a.pk)).content.decode()
    assert "accountant_a" in page
    assert "<td>1000.00</td><td>1200.50</td>" in page
    assert "<td>30201</td><td>30211</td>" in page
    assert "<td>甲办公用品</td><td>甲差旅</td>" in page
    assert "<td>—</td><td>A1 甲培训经费</td>" in page  # the item by its code and name, not its id


def test_approval_is_on_record_with_the_decision(world, as_persona):
    pk = world.pending_a.pk
    as_persona("finance").post(
        url(world, "expenditures:approve", pk=pk), {f"{pk}-meeting_date": "2024-06-10", f"{pk}-minutes_number": "纪要7号"}
    )
    page = as_persona("accountant_a").get(url(world, "expenditures:history", pk=pk)).content.decode()
    assert "<td>待审批</td><td>已生效</td>" in page
    assert "<td>—</td><td>纪要7号</td>" in page
    assert "<td>—</td><td>finance</td>" in page  # decided_by, shown by username


def test_indicator_and_budget_line_history_pages_list_their_changes(world, as_persona):
    world.indicator_a.actual = Decimal("12")
    world.indicator_a._history_user = world.finance
    world.indicator_a.save()
    page = as_persona("finance").get(url(world, "audit:indicator_history", pk=world.indicator_a.pk)).content.decode()
    assert "<td>finance</td><td>修改</td><td>全年完成值</td>" in page
    assert "<td>10.0000</td><td>12.0000</td>" in page
    assert as_persona("finance").get(url(world, "budget_lines:history", pk=world.line_a.pk)).status_code == 200


def test_change_log_filters_by_user_and_date(world, as_persona):
    as_persona("accountant_a").post(
        url(world, "expenditures:new"),
        {"item": world.item_a.pk, "date": "2024-07-01", "amount": "5.00", "economic_class": "30201", "memo": "会计录入", "voucher": "", "procurement_method": ""},
    )
    as_persona("accountant_b").post(
        url(world, "expenditures:new"),
        {"item": world.item_b.pk, "date": "2024-07-01", "amount": "6.00", "economic_class": "30201", "memo": "乙会计录入", "voucher": "", "procurement_method": ""},
    )
    client = as_persona("finance")
    everything = client.get(url(world, "audit:changes")).content.decode()
    assert "会计录入" in everything and "乙会计录入" in everything
    by_a = client.get(url(world, "audit:changes"), {"user": world.accountant_a.pk}).content.decode()
    assert "会计录入" in by_a and "乙会计录入" not in by_a
    today = timezone.localdate()
    tomorrow = (today + timedelta(days=1)).isoformat()
    later = client.get(url(world, "audit:changes"), {"start": tomorrow}).content.decode()
    assert "会计录入" not in later
    assert "会计录入" in client.get(url(world, "audit:changes"), {"start": today.isoformat(), "end": today.isoformat()}).content.decode()


def test_a_department_level_indicators_history_is_forbidden_to_a_unit_accountant_and_open_to_the_leader(world, as_persona):
    department_level = Indicator.objects.create(
        department_year=world.department_year, item=None, code="DEPT-1", level1=Indicator.Level1.OUTPUT, level2="数量",
        name="部门指标", direction=Indicator.Direction.AT_LEAST, target=Decimal("10"),
    )
    address = url(world, "audit:indicator_history", pk=department_level.pk)
    assert as_persona("accountant_a").get(address).status_code == 403
    assert as_persona("leader").get(address).status_code == 200
    assert as_persona("outsider").get(address).status_code == 404
