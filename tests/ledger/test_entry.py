"""Expenditure entry in the browser (issue 4, item 2): the form, the amount parser, the
htmx available-amount partial, the list with its filters and xlsx export."""

from datetime import date
from decimal import Decimal
from io import BytesIO

import pytest
from django import forms
from django.urls import reverse
from openpyxl import load_workbook

from projects.forms import parse_amount
from projects.models import Expenditure

pytestmark = pytest.mark.django_db


def entry(world, **overrides):
    data = {
        "item": world.item_a.pk,
        "date": "2024-07-01",
        "amount": "1234.56",
        "economic_class": "30201 办公费",
        "memo": "购买办公用品",
        "voucher": "记-07-001",
        "procurement_method": "",
    }
    data.update(overrides)
    return data


def new_url(world):
    return reverse("expenditures:new", kwargs=world.kwargs)


@pytest.mark.parametrize(
    "text, message",
    [
        ("NaN", "普通数字"),
        ("nan", "普通数字"),
        ("inf", "普通数字"),
        ("-inf", "金额须大于0"),
        ("Infinity", "普通数字"),
        ("1e309", "普通数字"),
        ("1E3", "普通数字"),
        ("１２３", "半角数字"),
        ("12.345", "两位小数"),
        ("-0", "金额须大于0"),
        ("0", "金额须大于0"),
        ("0.00", "金额须大于0"),
        ("-5", "金额须大于0"),
        ("", "请填写金额"),
        ("12,34", "普通数字"),
        ("1 000", "普通数字"),
        ("100000000000000", "金额过大"),
        ("0x10", "普通数字"),
    ],
)
def test_amount_parser_refuses_what_is_not_a_plain_positive_amount(text, message):
    with pytest.raises(forms.ValidationError) as raised:
        parse_amount(text)
    assert message in " ".join(raised.value.messages)


@pytest.mark.parametrize(
    "text, amount",
    [("1234.56", "1234.56"), ("1,234.5", "1234.50"), (" 7 ", "7.00"), ("0.01", "0.01"), ("12.340", "12.34"), ("+3", "3.00")],
)
def test_amount_parser_reads_plain_amounts_as_exact_cents(text, amount):
    assert parse_amount(text) == Decimal(amount)


def test_accountant_enters_an_expenditure_and_sees_it_in_the_list(world, as_persona):
    client = as_persona("accountant_a")
    response = client.post(new_url(world), entry(world))
    assert response.status_code == 302
    saved = Expenditure.objects.get(memo="购买办公用品")
    assert saved.amount == Decimal("1234.56")
    assert saved.economic_class_id == "30201"
    assert saved.entered_by == world.accountant_a
    assert saved.status == Expenditure.Status.APPROVED
    listing = client.get(reverse("expenditures:list", kwargs=world.kwargs)).content.decode()
    assert "购买办公用品" in listing
    assert "1,234.56" in listing


def test_economic_class_can_be_typed_by_its_name(world, as_persona):
    response = as_persona("accountant_a").post(new_url(world), entry(world, economic_class="差旅费"))
    assert response.status_code == 302
    assert Expenditure.objects.get(memo="购买办公用品").economic_class_id == "30211"


def test_an_unknown_economic_class_is_named_next_to_the_field(world, as_persona):
    response = as_persona("accountant_a").post(new_url(world), entry(world, economic_class="99999"))
    assert response.status_code == 200
    assert "未找到经济分类“99999”" in response.content.decode()


@pytest.mark.parametrize("amount", ["NaN", "inf", "1e309", "１２３", "12.345", "-0", "0"])
def test_a_bad_amount_gets_a_chinese_message_not_a_server_error(world, as_persona, amount):
    response = as_persona("accountant_a").post(new_url(world), entry(world, amount=amount))
    assert response.status_code == 200
    assert 'id="errors-amount"' in response.content.decode()
    assert not Expenditure.objects.filter(memo="购买办公用品").exists()


def test_an_overspend_is_refused_naming_the_available_amount_and_the_shortfall(world, as_persona):
    # A1 has 100,000.00; 1,000.00 is spent and 60,000.00 is reserved by a pending entry.
    response = as_persona("accountant_a").post(new_url(world), entry(world, amount="40000.01"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "可用指标 39,000.00 元" in body
    assert "超出 1,000.01 元" in body
    assert not Expenditure.objects.filter(memo="购买办公用品").exists()


def test_a_date_outside_the_year_is_refused(world, as_persona):
    response = as_persona("accountant_a").post(new_url(world), entry(world, date="2025-01-02"))
    assert response.status_code == 200
    assert "日期须在2024年度内" in response.content.decode()


def test_procurement_method_is_required_when_the_item_needs_it(world, as_persona):
    client = as_persona("accountant_a")
    response = client.post(new_url(world), entry(world, item=world.item_a2.pk))
    assert "该项目须政府采购，请选择采购方式" in response.content.decode()
    response = client.post(new_url(world), entry(world, item=world.item_a2.pk, procurement_method="inquiry"))
    assert response.status_code == 302
    assert Expenditure.objects.get(item=world.item_a2).procurement_method == "inquiry"


def test_the_available_partial_shows_what_is_left_on_the_chosen_date(world, as_persona):
    url = reverse("expenditures:available", kwargs=world.kwargs)
    response = as_persona("accountant_a").get(url, {"item": world.item_a.pk, "date": "2024-07-01"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    body = response.content.decode()
    assert 'data-available="39000.00"' in body
    assert "<html" not in body  # a fragment, swapped in without a reload
    # On 1 June nothing is yet spent, but the later spending must stay covered.
    early = as_persona("accountant_a").get(url, {"item": world.item_a.pk, "date": "2024-05-01"})
    assert 'data-available="39000.00"' in early.content.decode()


def test_the_entry_form_offers_only_the_accountants_own_items(world, as_persona):
    body = as_persona("accountant_a").get(new_url(world)).content.decode()
    assert world.item_a.name in body
    assert world.item_b.name not in body
    finance_body = as_persona("finance").get(new_url(world)).content.decode()
    assert world.item_b.name in finance_body


def test_a_fully_closed_year_offers_no_item(world, as_persona):
    from units.models import MonthClose

    for month in range(1, 13):
        MonthClose.objects.create(department_year=world.department_year, month=month, closed_by=world.finance)
    body = as_persona("accountant_a").get(new_url(world)).content.decode()
    assert world.item_a.name not in body


def test_the_list_filters_by_month_status_class_item_and_text(world, as_persona):
    client = as_persona("finance")
    url = reverse("expenditures:list", kwargs=world.kwargs)

    def memos(**params):
        body = client.get(url, params).content.decode()
        return {memo for memo in ("甲办公用品", "乙办公用品", "甲大额培训") if memo in body}

    assert memos() == {"甲办公用品", "乙办公用品", "甲大额培训"}
    assert memos(status="pending") == {"甲大额培训"}
    assert memos(item=world.item_b.pk) == {"乙办公用品"}
    assert memos(month=7) == set()
    assert memos(economic_class="302") == {"甲办公用品", "乙办公用品", "甲大额培训"}
    assert memos(economic_class="301") == set()
    assert memos(text="大额") == {"甲大额培训"}


def test_the_xlsx_export_keeps_amounts_as_numbers_and_only_the_users_rows(world, as_persona):
    response = as_persona("accountant_a").get(reverse("expenditures:list", kwargs=world.kwargs), {"_export": "xlsx"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    header, body = rows[0], rows[1:]
    amount_column = header.index("金额（元）")
    assert sorted(row[amount_column] for row in body) == [1000, 60000]
    assert all(isinstance(row[amount_column], (int, float)) for row in body)  # numbers, not text
    assert not any("乙办公用品" in str(row) for row in body)
    assert "操作" not in header


def test_editing_in_an_open_month_goes_through_the_service_and_is_recorded(world, as_persona):
    client = as_persona("accountant_a")
    url = reverse("expenditures:edit", kwargs={**world.kwargs, "pk": world.spent_a.pk})
    response = client.post(url, entry(world, amount="1500.00", date="2024-06-01", memo="甲办公用品（更正）"))
    assert response.status_code == 302
    world.spent_a.refresh_from_db()
    assert world.spent_a.amount == Decimal("1500.00")
    assert world.spent_a.history.first().history_user == world.accountant_a


def test_editing_a_large_approved_entrys_memo_does_not_send_it_back_for_approval(world, as_persona):
    from projects import services

    services.expenditure_approve(
        expenditure=world.pending_a, decided_by=world.finance, meeting_date=date(2024, 6, 10), minutes_number="党组〔2024〕9号"
    )
    url = reverse("expenditures:edit", kwargs={**world.kwargs, "pk": world.pending_a.pk})
    as_persona("accountant_a").post(url, entry(world, amount="60000.00", date="2024-06-02", memo="甲大额培训（摘要更正）"))
    world.pending_a.refresh_from_db()
    assert world.pending_a.status == Expenditure.Status.APPROVED
    as_persona("accountant_a").post(url, entry(world, amount="65000.00", date="2024-06-02", memo="甲大额培训"))
    world.pending_a.refresh_from_db()
    assert world.pending_a.status == Expenditure.Status.PENDING
    assert world.pending_a.minutes_number == ""


def test_deleting_removes_the_row_and_leaves_a_history_record(world, as_persona):
    client = as_persona("accountant_a")
    pk = world.spent_a.pk
    response = client.post(reverse("expenditures:delete", kwargs={**world.kwargs, "pk": pk}))
    assert response.status_code == 302
    assert not Expenditure.objects.filter(pk=pk).exists()
    history = client.get(reverse("expenditures:history", kwargs={**world.kwargs, "pk": pk})).content.decode()
    assert "删除" in history and "accountant_a" in history
