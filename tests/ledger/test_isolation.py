"""Nobody sees or touches what is not theirs (issue 4, item 1)."""

from decimal import Decimal
from io import BytesIO

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from projects.models import BudgetLine, Expenditure
from units.models import MonthClose

pytestmark = pytest.mark.django_db


def url(world, name, **kwargs):
    return reverse(name, kwargs={**world.kwargs, **kwargs})


def entry(item, **overrides):
    return {
        "item": item.pk,
        "date": "2024-07-01",
        "amount": "10.00",
        "economic_class": "30201",
        "memo": "伪造",
        "voucher": "",
        "procurement_method": "",
        **overrides,
    }


def test_accountant_cannot_post_spending_to_another_unit_with_a_forged_item(world, as_persona):
    response = as_persona("accountant_a").post(url(world, "expenditures:new"), entry(world.item_b))
    assert response.status_code == 200
    assert "errors-item" in response.content.decode()
    assert not Expenditure.objects.filter(memo="伪造").exists()


def test_accountant_cannot_edit_or_delete_another_units_expenditure(world, as_persona):
    client = as_persona("accountant_a")
    edit = url(world, "expenditures:edit", pk=world.spent_b.pk)
    assert client.get(edit).status_code == 404
    assert client.post(edit, entry(world.item_b, amount="1.00")).status_code == 404
    assert client.post(url(world, "expenditures:delete", pk=world.spent_b.pk)).status_code == 404
    world.spent_b.refresh_from_db()
    assert world.spent_b.amount == Decimal("2000.00")


def test_accountant_cannot_read_another_units_history_or_available_amount(world, as_persona):
    client = as_persona("accountant_a")
    assert client.get(url(world, "expenditures:history", pk=world.spent_b.pk)).status_code == 404
    assert client.get(url(world, "budget_lines:history", pk=world.line_b.pk)).status_code == 404
    assert client.get(url(world, "audit:indicator_history", pk=world.indicator_b.pk)).status_code == 404
    available = client.get(url(world, "expenditures:available"), {"item": world.item_b.pk}, HTTP_HX_REQUEST="true")
    assert available.status_code == 404


def test_accountant_sees_and_exports_only_their_units_rows(world, as_persona):
    client = as_persona("accountant_a")
    listing = client.get(url(world, "expenditures:list")).content.decode()
    assert "甲办公用品" in listing and "乙办公用品" not in listing
    forged_filter = client.get(url(world, "expenditures:list"), {"item": world.item_b.pk}).content.decode()
    assert "乙办公用品" not in forged_filter
    export = client.get(url(world, "expenditures:list"), {"_export": "xlsx", "item": world.item_b.pk})
    cells = [str(value) for row in load_workbook(BytesIO(export.content)).active.iter_rows(values_only=True) for value in row]
    assert not any("乙" in cell for cell in cells)
    lines = client.get(url(world, "budget_lines:list"), {"_export": "xlsx"})
    codes = [row[1] for row in load_workbook(BytesIO(lines.content)).active.iter_rows(values_only=True)][1:]
    assert sorted(codes) == ["A1", "A2"]


def test_accountant_change_log_shows_only_their_unit(world, as_persona):
    body = as_persona("accountant_a").get(url(world, "audit:changes")).content.decode()
    assert "甲办公用品" in body
    assert "乙办公用品" not in body


def test_accountant_cannot_approve_close_or_enter_budget_lines(world, as_persona):
    client = as_persona("accountant_a")
    approve = {f"{world.pending_a.pk}-meeting_date": "2024-06-10", f"{world.pending_a.pk}-minutes_number": "1"}
    assert client.post(url(world, "expenditures:approve", pk=world.pending_a.pk), approve).status_code == 403
    assert client.post(url(world, "closing:close", month=1)).status_code == 403
    line = {"item": world.item_a.pk, "kind": "addition", "source": "local", "amount": "5.00", "date": "2024-07-01", "document": "X"}
    assert client.post(url(world, "budget_lines:new"), line).status_code == 403
    world.pending_a.refresh_from_db()
    assert world.pending_a.status == Expenditure.Status.PENDING
    assert not MonthClose.objects.exists()
    assert BudgetLine.objects.count() == 3


def test_leader_reads_everything_and_writes_nothing(world, as_persona):
    client = as_persona("leader")
    assert "乙办公用品" in client.get(url(world, "expenditures:list")).content.decode()
    before = (Expenditure.objects.count(), BudgetLine.objects.count(), MonthClose.objects.count())
    writes = [
        (url(world, "expenditures:new"), entry(world.item_a)),
        (url(world, "expenditures:edit", pk=world.spent_a.pk), entry(world.item_a, amount="1.00")),
        (url(world, "expenditures:delete", pk=world.spent_a.pk), {}),
        (url(world, "expenditures:approve", pk=world.pending_a.pk), {}),
        (url(world, "expenditures:reject", pk=world.pending_a.pk), {f"{world.pending_a.pk}-rejection_reason": "x"}),
        (url(world, "budget_lines:new"), {}),
        (url(world, "closing:close", month=1), {}),
        (url(world, "closing:reopen", month=1), {"reason": "x"}),
        (reverse("upload:workbook"), {}),
    ]
    for target, data in writes:
        assert client.post(target, data).status_code == 403, target
    assert (Expenditure.objects.count(), BudgetLine.objects.count(), MonthClose.objects.count()) == before
    world.spent_a.refresh_from_db()
    assert world.spent_a.amount == Decimal("1000.00")


def test_outsider_gets_404_for_every_department_page(world, as_persona):
    client = as_persona("outsider")
    for name, kwargs in [("expenditures:list", {}), ("expenditures:new", {}), ("audit:changes", {}), ("closing:months", {})]:
        assert client.get(url(world, name, **kwargs)).status_code == 404
    assert client.post(url(world, "expenditures:new"), entry(world.item_a)).status_code == 404
    assert not Expenditure.objects.filter(memo="伪造").exists()


def test_a_member_of_another_department_gets_404(world, as_persona, client):
    from tests import personas

    other = personas.build(code="OTHER", prefix="other_")
    client.force_login(other.finance)
    assert client.get(url(world, "expenditures:list")).status_code == 404
    assert client.get(url(world, "expenditures:history", pk=world.spent_a.pk)).status_code == 404


def test_another_units_accountant_gets_404_not_403_for_unit_a_s_records_even_on_finance_actions(world, as_persona):
    """The record is looked up before the role is checked: unit B's accountant learns nothing of unit A."""
    client = as_persona("accountant_b")
    approve = {f"{world.pending_a.pk}-meeting_date": "2024-06-10", f"{world.pending_a.pk}-minutes_number": "1"}
    assert client.post(url(world, "expenditures:approve", pk=world.pending_a.pk), approve).status_code == 404
    reject = {f"{world.pending_a.pk}-rejection_reason": "x"}
    assert client.post(url(world, "expenditures:reject", pk=world.pending_a.pk), reject).status_code == 404
    assert client.get(url(world, "indicators:results", indicator_code=world.indicator_a.code)).status_code == 404
    world.pending_a.refresh_from_db()
    assert world.pending_a.status == Expenditure.Status.PENDING


def test_a_member_whose_role_lacks_the_right_gets_403_on_department_wide_pages(world, as_persona):
    client = as_persona("accountant_a")
    assert client.get(url(world, "indicators:evaluation")).status_code == 403
    assert client.get(url(world, "indicators:results", indicator_code=world.indicator_a.code)).status_code == 403
    assert as_persona("leader").get(url(world, "exports:narrative")).status_code == 403


def test_a_record_id_of_another_department_is_404_for_its_finance_office_too(world, client):
    from tests import personas

    other = personas.build(code="OTHER", prefix="other_")
    client.force_login(other.finance)
    foreign = {"department_code": other.code, "year": other.year}
    for name in ("expenditures:edit", "expenditures:delete", "expenditures:history", "expenditures:approve"):
        assert client.get(reverse(name, kwargs={**foreign, "pk": world.pending_a.pk})).status_code == 404, name
    approve = {f"{world.pending_a.pk}-meeting_date": "2024-06-10", f"{world.pending_a.pk}-minutes_number": "1"}
    assert client.post(reverse("expenditures:approve", kwargs={**foreign, "pk": world.pending_a.pk}), approve).status_code == 404
    available = client.get(reverse("expenditures:available", kwargs=foreign), {"item": world.item_a.pk})
    assert available.status_code == 404
    world.pending_a.refresh_from_db()
    assert world.pending_a.status == Expenditure.Status.PENDING
