"""The 预算调剂 pages (DOMAIN.md section 8): the department-year's list, the finance office's entry,
deletion and 三重一大 decision, each through projects.services; a transfer shows on both items' pages.

The world (tests/personas.py): A1, A2 and B1 have 100,000.00 each; A1 has spent 1,000.00 and
reserves 60,000.00 for a pending entry (so it can spare 39,000.00), B1 has spent 2,000.00.
"""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from projects import services
from projects.models import BudgetLine, BudgetTransfer
from tests.builders import BudgetItemFactory, BudgetLineFactory, ExpenditureFactory

pytestmark = pytest.mark.django_db


def url(world, name, **kwargs) -> str:
    return reverse(name, kwargs={**world.kwargs, **kwargs})


def entry(world, **overrides) -> dict:
    return {
        "from_item": world.item_a2.pk,
        "to_item": world.item_b.pk,
        "source": "local",
        "amount": "5,000.00",
        "date": "2024-07-01",
        "document": "新财调〔2024〕1号",
        **overrides,
    }


def transfer(world, from_item=None, to_item=None, amount="5000.00", on=date(2024, 7, 1), document="调1") -> BudgetTransfer:
    return services.transfer_create(
        department_year=world.department_year,
        from_item=from_item or world.item_a2,
        to_item=to_item or world.item_b,
        source="local",
        amount=Decimal(amount),
        date=on,
        document=document,
        created_by=world.finance,
    )


def transfer_lines(record: BudgetTransfer) -> list[tuple[str, str, Decimal]]:
    return sorted(BudgetLine.objects.filter(transfer=record).values_list("item__code", "kind", "amount"))


def row_of(html: str, row_id: str) -> str:
    return html.split(f'id="{row_id}"', 1)[1].split("</tr>", 1)[0]


# --- entry ---


def test_the_finance_office_enters_a_transfer_that_takes_effect_at_once(world, as_persona):
    client = as_persona("finance")
    response = client.post(url(world, "transfers:new"), entry(world))
    assert response.status_code == 302
    assert response["Location"] == url(world, "transfers:list")
    record = BudgetTransfer.objects.get()
    assert (record.status, record.amount, record.date, record.document, record.created_by) == (
        BudgetTransfer.Status.APPROVED,
        Decimal("5000.00"),
        date(2024, 7, 1),
        "新财调〔2024〕1号",
        world.finance,
    )
    assert transfer_lines(record) == [("A2", "transfer_out", Decimal("5000.00")), ("B1", "transfer_in", Decimal("5000.00"))]
    html = client.get(url(world, "transfers:list")).content.decode()
    assert "预算调剂 A2→B1 5,000.00 元已生效" in html
    row = row_of(html, f"transfer-{record.pk}")
    for text in (
        "2024-07-01",
        "A2 甲设备购置",
        "B1 乙宣传经费",
        "本级财政",
        "5,000.00",
        "新财调〔2024〕1号",
        "已生效",
        "finance",
    ):
        assert text in row, text


def test_a_transfer_shows_on_both_items_pages(world, as_persona):
    record = transfer(world)
    client = as_persona("finance")
    source = row_of(client.get(url(world, "projects:detail", item_code="A2")).content.decode(), f"item-transfer-{record.pk}")
    target = row_of(client.get(url(world, "projects:detail", item_code="B1")).content.decode(), f"item-transfer-{record.pk}")
    for text in ("调出", "B1 乙宣传经费", "5,000.00", "2024-07-01", "已生效"):
        assert text in source, text
    for text in ("调入", "A2 甲设备购置", "5,000.00", "2024-07-01", "已生效"):
        assert text in target, text
    assert f"item-transfer-{record.pk}" not in client.get(url(world, "projects:detail", item_code="A1")).content.decode()


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"to_item": "A2"}, "to_item", "调出项目与调入项目不能相同"),
        (
            {"from_item": "A1", "to_item": "A2", "amount": "40000.00"},
            "amount",
            "项目“甲培训经费”可用指标 39,000.00 元，本次调出 40,000.00 元，超出 1,000.00 元",
        ),
        ({"amount": "0"}, "amount", "金额须大于0"),
        ({"amount": "abc"}, "amount", "金额须为普通数字，例如 1234.56（不接受科学计数法、NaN 或无穷大）"),
        ({"amount": ""}, "amount", "请填写金额"),
        ({"date": "2025-01-02"}, "date", "日期须在2024年度内"),
        ({"from_item": ""}, "from_item", "请选择调出项目"),
    ],
)
def test_a_refused_transfer_shows_the_reason_on_its_field_and_writes_nothing(world, as_persona, overrides, field, message):
    items = {"A1": world.item_a.pk, "A2": world.item_a2.pk}
    overrides = {key: items.get(value, value) for key, value in overrides.items()}
    response = as_persona("finance").post(url(world, "transfers:new"), entry(world, **overrides))
    assert response.status_code == 200
    errors = row_of(response.content.decode(), f"field-{field}")
    assert message in errors
    assert not BudgetTransfer.objects.exists()
    assert not BudgetLine.objects.filter(transfer__isnull=False).exists()


def test_a_transfer_into_a_closed_month_is_refused(world, as_persona, closed_march):
    response = as_persona("finance").post(url(world, "transfers:new"), entry(world, date="2024-03-10"))
    assert response.status_code == 200
    assert "2024年3月已结账，不能再录入或修改" in response.content.decode()
    assert not BudgetTransfer.objects.exists()


def test_an_item_of_another_department_is_no_choice(world, other, as_persona):
    response = as_persona("finance").post(url(world, "transfers:new"), entry(world, to_item=other.item_b.pk))
    assert response.status_code == 200
    assert "所选项目不存在或不属于该部门年度，请重新选择" in response.content.decode()
    assert not BudgetTransfer.objects.exists()


# --- 三重一大 ---


def test_a_transfer_at_the_threshold_waits_for_approval_and_takes_effect_when_approved(world, as_persona):
    client = as_persona("finance")
    response = client.post(url(world, "transfers:new"), entry(world, amount="50000.00"), follow=True)
    assert "预算调剂 A2→B1 50,000.00 元已保存，金额达到三重一大标准，审批通过后生效" in response.content.decode()
    record = BudgetTransfer.objects.get()
    assert record.status == BudgetTransfer.Status.PENDING
    assert transfer_lines(record) == []
    html = client.get(url(world, "transfers:list")).content.decode()
    assert url(world, "transfers:approve", pk=record.pk) in row_of(html, f"transfer-{record.pk}")
    prefix = f"t{record.pk}"
    response = client.post(
        url(world, "transfers:approve", pk=record.pk),
        {f"{prefix}-meeting_date": "2024-06-28", f"{prefix}-minutes_number": "党组〔2024〕7号"},
        follow=True,
    )
    assert "预算调剂 A2→B1 50,000.00 元已审批通过并生效" in response.content.decode()
    record.refresh_from_db()
    assert (record.status, record.decided_by, record.meeting_date, record.minutes_number) == (
        BudgetTransfer.Status.APPROVED,
        world.finance,
        date(2024, 6, 28),
        "党组〔2024〕7号",
    )
    assert transfer_lines(record) == [("A2", "transfer_out", Decimal("50000.00")), ("B1", "transfer_in", Decimal("50000.00"))]


def test_an_approval_without_its_minutes_number_is_refused_naming_the_field(world, as_persona):
    record = transfer(world, amount="50000.00")
    prefix = f"t{record.pk}"
    response = as_persona("finance").post(
        url(world, "transfers:approve", pk=record.pk), {f"{prefix}-meeting_date": "2024-06-28"}, follow=True
    )
    assert "会议纪要号：" in response.content.decode()
    record.refresh_from_db()
    assert record.status == BudgetTransfer.Status.PENDING
    assert transfer_lines(record) == []


def test_a_rejected_transfer_never_takes_effect(world, as_persona):
    record = transfer(world, amount="50000.00")
    response = as_persona("finance").post(
        url(world, "transfers:reject", pk=record.pk), {f"t{record.pk}-rejection_reason": "未经党组会研究"}, follow=True
    )
    assert "预算调剂 A2→B1 50,000.00 元已驳回" in response.content.decode()
    record.refresh_from_db()
    assert (record.status, record.rejection_reason) == (BudgetTransfer.Status.REJECTED, "未经党组会研究")
    assert transfer_lines(record) == []
    response = as_persona("finance").post(
        url(world, "transfers:approve", pk=record.pk),
        {f"t{record.pk}-meeting_date": "2024-06-28", f"t{record.pk}-minutes_number": "1"},
        follow=True,
    )
    assert "只有待审批的预算调剂可以审批" in response.content.decode()
    record.refresh_from_db()
    assert record.status == BudgetTransfer.Status.REJECTED


# --- deletion ---


def test_deleting_asks_for_confirmation_then_removes_the_transfer_and_its_lines(world, as_persona):
    record = transfer(world)
    client = as_persona("finance")
    confirm = client.get(url(world, "transfers:delete", pk=record.pk))
    assert confirm.status_code == 200
    assert "A2 甲设备购置 → B1 乙宣传经费" in confirm.content.decode()
    assert BudgetTransfer.objects.filter(pk=record.pk).exists()
    response = client.post(url(world, "transfers:delete", pk=record.pk), follow=True)
    assert "预算调剂 A2→B1 5,000.00 元已删除" in response.content.decode()
    assert not BudgetTransfer.objects.exists()
    assert not BudgetLine.objects.filter(kind__in=BudgetLine.TRANSFER_KINDS).exists()


def test_deleting_a_transfer_whose_money_is_spent_is_refused_and_keeps_it(world, as_persona):
    record = transfer(world)
    # B1: 100,000.00 + 5,000.00 transferred in; 2,000.00 + 102,000.00 spent after the transfer
    ExpenditureFactory(item=world.item_b, amount=Decimal("102000.00"), date=date(2024, 8, 1), memo="乙大额")
    response = as_persona("finance").post(url(world, "transfers:delete", pk=record.pk), follow=True)
    assert "项目“乙宣传经费”删除该调剂后将超支 4,000.00 元" in response.content.decode()
    assert BudgetTransfer.objects.filter(pk=record.pk).exists()
    assert len(transfer_lines(record)) == 2


# --- who may do what ---


def test_the_leader_reads_the_list_but_every_write_is_403(world, as_persona):
    record = transfer(world)
    pending = transfer(world, amount="50000.00", document="调2")
    client = as_persona("leader")
    html = client.get(url(world, "transfers:list")).content.decode()
    assert f"transfer-{record.pk}" in html and "新增预算调剂" not in html
    writes = [
        (url(world, "transfers:new"), entry(world)),
        (url(world, "transfers:delete", pk=record.pk), {}),
        (
            url(world, "transfers:approve", pk=pending.pk),
            {f"t{pending.pk}-meeting_date": "2024-06-28", f"t{pending.pk}-minutes_number": "1"},
        ),
        (url(world, "transfers:reject", pk=pending.pk), {f"t{pending.pk}-rejection_reason": "x"}),
    ]
    for target, data in writes:
        assert client.post(target, data).status_code == 403, target
    assert BudgetTransfer.objects.count() == 2
    pending.refresh_from_db()
    assert pending.status == BudgetTransfer.Status.PENDING


def test_an_accountant_sees_the_transfers_of_their_unit_and_another_units_are_404(world, as_persona):
    inside_a = transfer(world, from_item=world.item_a2, to_item=world.item_a, document="甲内")
    across = transfer(world, from_item=world.item_a2, to_item=world.item_b, document="甲乙")
    client = as_persona("accountant_b")
    html = client.get(url(world, "transfers:list")).content.decode()
    assert f"transfer-{across.pk}" in html and f"transfer-{inside_a.pk}" not in html
    assert client.get(url(world, "transfers:delete", pk=inside_a.pk)).status_code == 404
    assert client.post(url(world, "transfers:delete", pk=inside_a.pk)).status_code == 404
    assert client.post(url(world, "transfers:delete", pk=across.pk)).status_code == 403
    assert as_persona("accountant_a").post(url(world, "transfers:delete", pk=inside_a.pk)).status_code == 403
    assert BudgetTransfer.objects.count() == 2


def test_another_departments_finance_office_gets_404_for_this_departments_transfer(world, other, client):
    record = transfer(world)
    client.force_login(other.finance)
    foreign = {**other.kwargs, "pk": record.pk}
    assert client.get(reverse("transfers:delete", kwargs=foreign)).status_code == 404
    assert client.post(reverse("transfers:delete", kwargs=foreign)).status_code == 404
    assert client.get(url(world, "transfers:list")).status_code == 404
    assert BudgetTransfer.objects.filter(pk=record.pk).exists()


def test_anonymous_visitors_are_sent_to_the_login_page(world, client):
    response = client.post(url(world, "transfers:new"), entry(world))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    assert not BudgetTransfer.objects.exists()


def test_transfers_appear_in_the_change_log(world, as_persona):
    transfer(world)
    changes = as_persona("leader").get(url(world, "audit:changes")).content.decode()
    assert "A2→B1 2024-07-01 5,000.00 已生效" in changes


# --- queries ---


def grow(world, count: int) -> None:
    for n in range(count):
        transfer(world, amount="10.00", on=date(2024, 7, 1 + n % 28), document=f"调{n}")


def test_the_list_runs_five_queries_with_3_or_30_transfers(world, as_persona, django_assert_num_queries):
    client = as_persona("finance")
    client.get(url(world, "transfers:list"))  # warm the session and content-type caches
    done = 0
    for count in (3, 30):
        grow(world, count - done)
        done = count
        # session, user, department-year, membership, the transfers (with both items, their units,
        # who entered and who decided)
        with django_assert_num_queries(5):
            assert client.get(url(world, "transfers:list")).status_code == 200
    assert BudgetTransfer.objects.count() == 30


def test_the_entry_form_runs_six_queries_with_3_or_30_items(world, as_persona, django_assert_num_queries):
    client = as_persona("finance")
    client.get(url(world, "transfers:new"))
    for extra in (0, 27):
        for n in range(extra):
            BudgetLineFactory(item=BudgetItemFactory(department_year=world.department_year, unit=world.unit_b, code=f"X{n}"))
        # session, user, department-year, membership, the items of each of the two selects
        with django_assert_num_queries(6):
            assert client.get(url(world, "transfers:new")).status_code == 200


def test_the_delete_confirmation_runs_five_queries_with_3_or_30_transfers(world, as_persona, django_assert_num_queries):
    record = transfer(world)
    client = as_persona("finance")
    client.get(url(world, "transfers:delete", pk=record.pk))
    for extra in (2, 27):
        grow(world, extra)
        # session, user, department-year, membership, the transfer (with both items and their units)
        with django_assert_num_queries(5):
            assert client.get(url(world, "transfers:delete", pk=record.pk)).status_code == 200
