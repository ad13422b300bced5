"""The 三重一大 approval queue (projects.views.approvals): balances, who entered what, batch approval
under one meeting record, and the accountant's page of their own entries and the decisions."""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from projects import services
from projects.models import EconomicClass, Expenditure
from tests.builders import BudgetItemFactory, BudgetLineFactory

pytestmark = pytest.mark.django_db


def url(world, name, **kwargs):
    return reverse(name, kwargs={**world.kwargs, **kwargs})


def pending(item, amount, on, memo, entered_by=None, voucher=""):
    """A pending entry written around the services, as an import can leave it (its reservation unchecked)."""
    return Expenditure.objects.create(
        item=item, date=on, amount=Decimal(amount), memo=memo, voucher=voucher, entered_by=entered_by,
        status=Expenditure.Status.PENDING, economic_class=EconomicClass.objects.get(code="30216"),
    )


def batch(*rows, meeting_date="2024-07-03", minutes_number="党组会纪要〔2024〕9号"):
    return {"batch-expenditures": [row.pk for row in rows], "batch-meeting_date": meeting_date, "batch-minutes_number": minutes_number}


def test_the_queue_shows_each_rows_available_balance_who_entered_it_and_its_voucher(world, as_persona):
    world.pending_a.entered_by = world.accountant_a
    world.pending_a.voucher = "记-06-017"
    world.pending_a.save()
    over = pending(world.item_b, "99000.00", date(2024, 6, 2), "乙超额", voucher="记-06-020")
    page = as_persona("finance").get(url(world, "expenditures:approvals")).content.decode()
    # A1: 100,000.00 less 1,000.00 approved; B1: 100,000.00 less 2,000.00 approved (pending rows reserve, not bind).
    assert f'<td class="num" id="balance-{world.pending_a.pk}">99,000.00</td>' in page
    assert f'<td class="num" id="balance-{over.pk}">98,000.00 <span class="badge bad">不足</span></td>' in page
    assert "记-06-017" in page and "记-06-020" in page
    assert "<td>accountant_a</td>" in page


def test_ticked_rows_are_approved_together_under_one_minutes_number(world, as_persona):
    second = pending(world.item_b, "55000.00", date(2024, 7, 1), "乙大额宣传")
    client = as_persona("finance")
    response = client.post(url(world, "expenditures:approve_batch"), batch(world.pending_a, second))
    assert response.status_code == 302
    assert {(row.status, row.minutes_number, row.meeting_date) for row in Expenditure.objects.filter(pk__in=[world.pending_a.pk, second.pk])} == {
        (Expenditure.Status.APPROVED, "党组会纪要〔2024〕9号", date(2024, 7, 3))
    }
    page = client.get(response.url).content.decode()
    assert "已按纪要号 党组会纪要〔2024〕9号 审批通过 2 笔，合计 115,000.00 元" in page
    assert "没有待审批的支出。" in page


def test_a_refused_batch_approves_none_and_names_each_refused_row(world, as_persona):
    later = pending(world.item_a, "45000.00", date(2024, 7, 1), "甲第二笔大额")
    fine = pending(world.item_b, "50000.00", date(2024, 7, 1), "乙大额")
    response = as_persona("finance").post(url(world, "expenditures:approve_batch"), batch(world.pending_a, later, fine))
    assert response.status_code == 200
    page = response.content.decode()
    assert "本批未审批任何一笔：" in page
    assert "2024-07-01 甲培训经费“甲第二笔大额”45,000.00 元：项目可用指标 39,000.00 元（已扣除已生效支出及同批先审批的支出），超出 6,000.00 元" in page
    assert Expenditure.objects.filter(status=Expenditure.Status.PENDING).count() == 3
    # the ticks stay, so the officer can untick the refused row and send the rest
    for row in (world.pending_a, later, fine):
        assert f'value="{row.pk}" id="pick-{row.pk}" checked' in page


def test_a_batch_without_ticks_or_minutes_number_is_refused_on_the_page(world, as_persona):
    client = as_persona("finance")
    page = client.post(url(world, "expenditures:approve_batch"), batch(minutes_number="")).content.decode()
    assert "请至少勾选一笔待审批的支出" in page
    assert "会议纪要号: 这个字段是必填项。" in page
    world.pending_a.refresh_from_db()
    assert world.pending_a.status == Expenditure.Status.PENDING


def test_a_row_of_another_department_cannot_be_slipped_into_a_batch(world, other, as_persona):
    response = as_persona("finance").post(url(world, "expenditures:approve_batch"), batch(world.pending_a, other.pending_a))
    assert "所选支出不存在或已被删除，请刷新页面" in response.content.decode()
    assert not Expenditure.objects.filter(status=Expenditure.Status.APPROVED, pk__in=[world.pending_a.pk, other.pending_a.pk]).exists()


def test_a_row_decided_meanwhile_by_another_officer_is_refused_cleanly(world, as_persona):
    services.expenditure_approve(expenditure=world.pending_a, decided_by=world.leader, meeting_date=date(2024, 6, 9), minutes_number="8")
    response = as_persona("finance").post(url(world, "expenditures:approve_batch"), batch(world.pending_a))
    assert response.status_code == 200
    assert "甲大额培训”60,000.00 元：已被leader审批通过，不能再审批" in response.content.decode()
    world.pending_a.refresh_from_db()
    assert world.pending_a.minutes_number == "8"


def grow(world, count, start=0):
    """`count` pending rows spread over `count` new items, each with its own budget line."""
    for n in range(start, start + count):
        item = BudgetItemFactory(department_year=world.department_year, unit=world.unit_b, code=f"G{n}", name=f"增长{n}")
        BudgetLineFactory(item=item, amount=Decimal("100000.00"))
        pending(item, "50000.00", date(2024, 7, 1 + n % 20), f"增长{n}", entered_by=world.accountant_b)


def test_the_queue_runs_seven_queries_whatever_the_number_of_rows(world, as_persona, django_assert_num_queries):
    client = as_persona("finance")
    queue = url(world, "expenditures:approvals")
    client.get(queue)  # warm the session and content-type caches
    for extra in (0, 15):
        grow(world, extra)
        # session, user, department-year, membership, the pending rows (with item, unit and who
        # entered them), the balances of all their items (one UNION ALL), the 20 latest decisions
        with django_assert_num_queries(7):
            assert client.get(queue).status_code == 200
    assert Expenditure.objects.filter(status=Expenditure.Status.PENDING).count() == 16


# 我的录入: the accountant sees what was decided about their entries


def test_an_accountant_sees_the_decisions_on_their_own_entries(world, as_persona):
    approved = pending(world.item_a, "30000.00", date(2024, 7, 1), "甲培训场地", entered_by=world.accountant_a)
    rejected = pending(world.item_a, "20000.00", date(2024, 7, 2), "甲宣传册", entered_by=world.accountant_a)
    waiting = pending(world.item_a, "5000.00", date(2024, 7, 3), "甲讲课费", entered_by=world.accountant_a)
    pending(world.item_a, "7000.00", date(2024, 7, 3), "财务处代录", entered_by=world.finance)
    services.expenditure_approve(expenditure=approved, decided_by=world.finance, meeting_date=date(2024, 7, 5), minutes_number="纪要〔2024〕11号")
    services.expenditure_reject(expenditure=rejected, decided_by=world.finance, reason="未列入年度计划")
    client = as_persona("accountant_a")
    nav = client.get(url(world, "expenditures:list")).content.decode()
    assert f'href="{url(world, "expenditures:mine")}"' in nav
    page = client.get(url(world, "expenditures:mine")).content.decode()
    assert "财务处代录" not in page  # someone else's entry
    assert "纪要〔2024〕11号（党组会 2024-07-05）" in page
    assert "驳回理由：未列入年度计划" in page
    assert page.count("<td>finance</td>") == 2  # who decided, on the approved and the rejected row
    assert all(f'id="entry-{row.pk}"' in page for row in (approved, rejected, waiting))
    rejected_only = client.get(url(world, "expenditures:mine"), {"status": "rejected"}).content.decode()
    assert f'id="entry-{rejected.pk}"' in rejected_only and f'id="entry-{approved.pk}"' not in rejected_only
    assert "已驳回 (1)" in rejected_only and "待审批 (1)" in rejected_only


def test_an_accountant_entering_spending_finds_it_on_their_page(world, as_persona):
    client = as_persona("accountant_a")
    client.post(
        url(world, "expenditures:new"),
        {"item": world.item_a.pk, "date": "2024-07-01", "amount": "1234.56", "economic_class": "30201 办公费", "memo": "购买办公用品", "voucher": "记-07-001", "procurement_method": ""},
    )
    page = client.get(url(world, "expenditures:mine")).content.decode()
    assert "购买办公用品" in page and "1,234.56" in page and "已生效" in page


def test_the_leader_has_no_entries_page_link(world, as_persona):
    page = as_persona("leader").get(url(world, "expenditures:list")).content.decode()
    assert url(world, "expenditures:mine") not in page


def test_my_entries_runs_seven_queries_whatever_the_number_of_entries(world, as_persona, django_assert_num_queries):
    client = as_persona("accountant_b")
    mine = url(world, "expenditures:mine")
    client.get(mine)  # warm the session and content-type caches
    for extra in (1, 15):  # (an empty page skips the page query: start with one entry)
        grow(world, extra, start=0 if extra == 1 else 1)
        # session, user, department-year, membership, the row count (pagination), the page of
        # entries (with item, unit and who decided them), the counts per status
        with django_assert_num_queries(7):
            assert client.get(mine).status_code == 200
