"""The ledger's entry pages (projects/views/entry.py): the expenditure form and its amount parser,
the htmx available-amount partial, the list with its filters and xlsx export, the 三重一大
approval queue, budget-line entry, and the fixed number of queries each page runs."""

from datetime import date
from decimal import Decimal
from io import BytesIO

import pytest
from django import forms
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from projects import availability, services
from projects.forms import parse_amount
from projects.models import BudgetLine, EconomicClass, Expenditure, MonthClose

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


def url(world, name, **kwargs):
    return reverse(name, kwargs={**world.kwargs, **kwargs})


def available(world, on=date(2024, 12, 31)):
    return availability.available_amount(item=world.item_a, on=on)


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
    sheet = load_workbook(BytesIO(b"".join(response.streaming_content))).active
    rows = list(sheet.iter_rows(values_only=True))
    header, body = rows[2], rows[3:-1]  # after the title and the unit line; before the total
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


# 三重一大 approvals and budget-line entry


def test_a_pending_entry_reserves_its_amount_against_later_entries(world, as_persona, settings):
    assert settings.APPROVAL_THRESHOLD == Decimal("50000.00")
    before = available(world)
    response = as_persona("accountant_a").post(url(world, "expenditures:new"), entry(world, amount="30000.00", memo="门槛以下"))
    assert Expenditure.objects.get(memo="门槛以下").status == Expenditure.Status.APPROVED
    response = as_persona("accountant_a").post(url(world, "expenditures:new"), entry(world, amount="9000.00", memo="小额"))
    assert response.status_code == 302
    assert available(world) == before - Decimal("39000.00")
    # 0.00 left: even one fen more is refused while the 60,000.00 pending entry holds its reservation.
    refused = as_persona("accountant_a").post(url(world, "expenditures:new"), entry(world, amount="0.01"))
    assert "超出 0.01 元" in refused.content.decode()


def test_an_entry_of_fifty_thousand_waits_for_approval(world, as_persona):
    services.expenditure_reject(expenditure=world.pending_a, decided_by=world.finance, reason="预算调整")
    response = as_persona("accountant_a").post(url(world, "expenditures:new"), entry(world, amount="50000.00", memo="大额"))
    assert response.status_code == 302
    assert Expenditure.objects.get(memo="大额").status == Expenditure.Status.PENDING


def test_the_finance_office_approves_with_meeting_date_and_minutes_number(world, as_persona):
    client = as_persona("finance")
    queue = client.get(url(world, "expenditures:approvals")).content.decode()
    assert "甲大额培训" in queue
    pk = world.pending_a.pk
    response = client.post(
        url(world, "expenditures:approve", pk=pk), {f"{pk}-meeting_date": "2024-06-10", f"{pk}-minutes_number": "党组会纪要〔2024〕7号"}
    )
    assert response.status_code == 302
    world.pending_a.refresh_from_db()
    assert world.pending_a.status == Expenditure.Status.APPROVED
    assert world.pending_a.meeting_date == date(2024, 6, 10)
    assert world.pending_a.minutes_number == "党组会纪要〔2024〕7号"
    assert world.pending_a.decided_by == world.finance
    listing = as_persona("accountant_a").get(url(world, "expenditures:list"), {"status": "approved"}).content.decode()
    assert "甲大额培训" in listing


def test_approval_without_minutes_number_is_refused(world, as_persona):
    pk = world.pending_a.pk
    as_persona("finance").post(url(world, "expenditures:approve", pk=pk), {f"{pk}-meeting_date": "2024-06-10"})
    world.pending_a.refresh_from_db()
    assert world.pending_a.status == Expenditure.Status.PENDING


def test_rejection_needs_a_reason_and_frees_the_reservation(world, as_persona):
    before = available(world)
    pk = world.pending_a.pk
    client = as_persona("finance")
    client.post(url(world, "expenditures:reject", pk=pk), {f"{pk}-rejection_reason": ""})
    world.pending_a.refresh_from_db()
    assert world.pending_a.status == Expenditure.Status.PENDING
    client.post(url(world, "expenditures:reject", pk=pk), {f"{pk}-rejection_reason": "未经党组会研究"})
    world.pending_a.refresh_from_db()
    assert world.pending_a.status == Expenditure.Status.REJECTED
    assert world.pending_a.rejection_reason == "未经党组会研究"
    assert available(world) == before + Decimal("60000.00")
    listing = as_persona("accountant_a").get(url(world, "expenditures:list")).content.decode()
    assert "已驳回" in listing
    assert '<strong id="filtered-total">1,000.00</strong>' in listing  # the rejected 60,000.00 holds nothing


def test_budget_line_entry_records_additions_with_their_document(world, as_persona):
    data = {"item": world.item_a.pk, "kind": "addition", "source": "local", "amount": "5000.00", "date": "2024-07-01", "document": "新财预〔2024〕12号"}
    response = as_persona("finance").post(url(world, "budget_lines:new"), data)
    assert response.status_code == 302
    line = BudgetLine.objects.get(document="新财预〔2024〕12号")
    assert (line.kind, line.amount, line.created_by) == ("addition", Decimal("5000.00"), world.finance)


def test_a_reduction_below_what_is_spent_or_reserved_is_refused(world, as_persona):
    # A1: 100,000.00 budget, 1,000.00 spent, 60,000.00 reserved -> at most 39,000.00 may be withdrawn.
    data = {"item": world.item_a.pk, "kind": "reduction", "source": "local", "amount": "39000.01", "date": "2024-07-01", "document": "调减"}
    response = as_persona("finance").post(url(world, "budget_lines:new"), data)
    assert response.status_code == 200
    assert "可用指标 39,000.00 元" in response.content.decode()
    assert "超出 0.01 元" in response.content.decode()
    data["amount"] = "39000.00"
    assert as_persona("finance").post(url(world, "budget_lines:new"), data).status_code == 302


# Queries: the same number at two ledger sizes (STYLE.md, Queries)


def grow(world, count):
    office = EconomicClass.objects.get(code="30201")
    Expenditure.objects.bulk_create(
        Expenditure(item=world.item_b, date=date(2024, 1 + n % 12, 5), amount=Decimal("1.00"), economic_class=office, memo=f"批量{n}")
        for n in range(count)
    )


@pytest.mark.parametrize(
    "route",
    ["expenditures:list", "expenditures:approvals", "closing:months", "budget_lines:list", "audit:changes"],
)
def test_a_page_runs_the_same_queries_at_two_ledger_sizes(world, as_persona, route):
    client = as_persona("finance")
    url = reverse(route, kwargs=world.kwargs)
    client.get(url)  # warm the session and content-type caches
    counts = []
    for extra in (0, 120):
        grow(world, extra)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1], counts


def test_the_expenditure_list_runs_nine_queries(world, as_persona, django_assert_num_queries):
    client = as_persona("accountant_a")
    url = reverse("expenditures:list", kwargs=world.kwargs)
    client.get(url)
    grow(world, 60)
    # session, user, department-year, membership, closed months, row count (pagination),
    # filtered total, the item filter's choices, the page of expenditures
    with django_assert_num_queries(9):
        client.get(url)


# Faster entry: save and continue, the last item and date remembered, the two-level class picker


def test_save_and_continue_shows_a_fresh_form_keeping_item_and_date_and_naming_what_was_saved(world, as_persona):
    client = as_persona("accountant_a")
    response = client.post(new_url(world), {**entry(world), "save_and_continue": "1"})
    assert response.status_code == 302
    assert response["Location"] == new_url(world)
    assert Expenditure.objects.filter(memo="购买办公用品", amount=Decimal("1234.56")).exists()
    body = client.get(response["Location"]).content.decode()
    assert "已保存：A1 甲培训经费，2024-07-01，30201 办公费，1,234.56 元。请录入下一笔" in body
    assert f'<option value="{world.item_a.pk}" selected>' in body
    assert 'name="date" value="2024-07-01"' in body
    assert 'name="amount" value=' not in body  # the amount, memo and voucher start empty
    assert 'value="购买办公用品"' not in body and 'value="记-07-001"' not in body


def test_save_and_continue_of_a_large_entry_says_it_waits_for_approval(world, as_persona):
    services.expenditure_reject(expenditure=world.pending_a, decided_by=world.finance, reason="预算调整")
    client = as_persona("accountant_a")
    response = client.post(new_url(world), {**entry(world, amount="50000.00"), "save_and_continue": "1"})
    assert response["Location"] == new_url(world)
    assert "50,000.00 元，金额达到三重一大标准，待财务处审批" in client.get(new_url(world)).content.decode()


def test_the_plain_save_button_still_goes_to_the_list(world, as_persona):
    response = as_persona("accountant_a").post(new_url(world), entry(world))
    assert response["Location"] == url(world, "expenditures:list")


def test_the_next_entry_form_defaults_to_the_users_last_item_and_date(world, as_persona):
    client = as_persona("accountant_a")
    client.post(new_url(world), entry(world, item=world.item_a2.pk, date="2024-08-15", procurement_method="inquiry"))
    body = client.get(new_url(world)).content.decode()
    assert f'<option value="{world.item_a2.pk}" selected>' in body
    assert 'name="date" value="2024-08-15"' in body
    # another user's form is not affected
    other = as_persona("finance").get(new_url(world)).content.decode()
    assert 'name="date" value="2024-08-15"' not in other
    assert f'<option value="{world.item_a2.pk}" selected>' not in other


def test_a_remembered_date_in_a_month_closed_since_is_not_offered(world, as_persona):
    client = as_persona("accountant_a")
    client.post(new_url(world), entry(world, date="2024-07-01"))
    MonthClose.objects.create(department_year=world.department_year, month=7, closed_by=world.finance)
    body = client.get(new_url(world)).content.decode()
    assert 'name="date" value="2024-07-01"' not in body
    assert f'<option value="{world.item_a.pk}" selected>' in body  # the item is still open


def test_a_remembered_item_the_user_may_no_longer_spend_on_is_not_offered(world, as_persona):
    client = as_persona("accountant_a")
    client.post(new_url(world), entry(world))
    session = client.session
    session[f"last-entry-{world.department_year.pk}"] = {"item": world.item_b.pk, "date": "2024-07-01"}
    session.save()
    body = client.get(new_url(world)).content.decode()
    assert f'<option value="{world.item_b.pk}"' not in body
    assert 'name="date" value="2024-07-01"' in body
    for broken in ({"item": "x", "date": "not a date"}, ["junk"], {"date": "2025-01-01"}):
        session = client.session
        session[f"last-entry-{world.department_year.pk}"] = broken
        session.save()
        page = client.get(new_url(world))
        assert page.status_code == 200
        today = date.today()
        fallback = today if today.year == 2024 else date(2024, 12, 31)
        assert f'name="date" value="{fallback.isoformat()}"' in page.content.decode()


def test_the_form_offers_a_class_select_that_refreshes_the_subclasses_through_htmx(world, as_persona):
    body = as_persona("accountant_a").get(new_url(world)).content.decode()
    options_url = url(world, "expenditures:economic_classes")
    assert f'hx-get="{options_url}"' in body
    assert 'hx-target="#id_economic_class"' in body
    assert '<option value="302">302 商品和服务支出</option>' in body
    # without JavaScript the subclass select lists every subclass, grouped by class
    assert '<optgroup label="302 商品和服务支出">' in body
    assert '<option value="30201">30201 办公费</option>' in body
    assert '<option value="30101">30101 基本工资</option>' in body
    assert "onchange" not in body and "<datalist" not in body


def test_the_subclass_options_endpoint_returns_the_chosen_classes_subclasses(world, as_persona):
    client = as_persona("accountant_a")
    options_url = url(world, "expenditures:economic_classes")
    body = client.get(options_url, {"economic_class_parent": "301", "economic_class": "30107"}, HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in body and "<select" not in body
    assert '<option value="30107" selected>30107 绩效工资</option>' in body
    assert "30201" not in body and "<optgroup" not in body
    assert '<option value="">请选择经济分类</option>' in body
    everything = client.get(options_url, {"economic_class_parent": ""}).content.decode()
    assert '<optgroup label="301 工资福利支出">' in everything and "30201 办公费" in everything
    hostile = client.get(options_url, {"economic_class_parent": "'; DROP TABLE x; --\x00"})
    assert hostile.status_code == 200 and "<optgroup" in hostile.content.decode()


def test_a_subclass_not_under_the_chosen_class_is_refused_naming_both(world, as_persona):
    response = as_persona("accountant_a").post(new_url(world), entry(world, economic_class_parent="301", economic_class="30201"))
    assert response.status_code == 200
    assert "经济分类“30201 办公费”不属于所选的类“301 工资福利支出”，请重新选择" in response.content.decode()
    assert not Expenditure.objects.filter(memo="购买办公用品").exists()
    accepted = as_persona("accountant_a").post(new_url(world), entry(world, economic_class_parent="302", economic_class="30201"))
    assert accepted.status_code == 302
    assert Expenditure.objects.get(memo="购买办公用品").economic_class_id == "30201"


def test_a_class_alone_is_not_a_subclass(world, as_persona):
    response = as_persona("accountant_a").post(new_url(world), entry(world, economic_class="302"))
    assert response.status_code == 200
    assert "“302 商品和服务支出”是经济分类的类，请选择其下的款" in response.content.decode()


def test_the_edit_form_preselects_the_class_and_subclass(world, as_persona):
    body = as_persona("accountant_a").get(url(world, "expenditures:edit", pk=world.spent_a.pk)).content.decode()
    assert '<option value="302" selected>' in body
    assert '<option value="30201" selected>' in body
    assert "<optgroup" not in body.split('name="economic_class"', 1)[1].split("</select>", 1)[0]  # only class 302's
    assert "保存并继续录入" not in body


def test_missing_fields_are_named_in_chinese(world, as_persona):
    response = as_persona("accountant_a").post(new_url(world), entry(world, item="", date="", amount="", economic_class=""))
    errors = {field: [str(message) for message in messages] for field, messages in response.context["form"].errors.items()}
    assert errors["item"] == ["请选择预算项目"]
    assert errors["date"] == ["请填写支出日期"]
    assert errors["amount"] == ["请填写金额"]
    assert errors["economic_class"] == ["请选择经济分类"]
    line = as_persona("finance").post(url(world, "budget_lines:new"), {"item": "", "kind": "", "source": "", "amount": "", "date": "", "document": ""})
    line_errors = {field: [str(message) for message in messages] for field, messages in line.context["form"].errors.items()}
    assert line_errors == {
        "item": ["请选择预算项目"],
        "kind": ["请选择调整类型"],
        "source": ["请选择资金来源"],
        "amount": ["请填写金额"],
        "date": ["请填写日期"],
        "document": ["请填写文号"],
    }


def test_an_item_name_with_its_own_quotes_is_not_quoted_twice(world, as_persona):
    world.item_a.name = "“石榴花”农村妇女培训项目"
    world.item_a.save()
    client = as_persona("accountant_a")
    banner = client.get(url(world, "expenditures:available"), {"item": world.item_a.pk, "date": "2024-07-01"}).content.decode()
    assert "“‘石榴花’农村妇女培训项目”截至" in banner
    assert "““" not in banner
    refused = client.post(new_url(world), entry(world, amount="40000.01")).content.decode()
    assert "项目“‘石榴花’农村妇女培训项目”可用指标 39,000.00 元" in refused
    assert "““" not in refused
