"""Hostile typing into the ledger's forms: the expenditure entry and edit forms, the budget-line
form and the indicator results form. Every refusal is a 200 with a Chinese message next to the field
and leaves the database as it was; nothing typed gives a 500 or a half-written record.

Decisions these tests pin, the same as the workbook import's:
- full-width digits (１２３) are refused with a message asking for half-width digits, never read as 123;
- "1,234.50" is 1234.50; "-0" is no amount (amounts are above zero) and is 0 as an indicator value;
- text is capped at its database column's length and may not carry control characters; SQL-ish
  text is just text.
"""

from decimal import Decimal

import pytest
from django.db import transaction
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from indicators.models import Indicator
from projects.models import BudgetLine, Expenditure
from tests.fundmgr.hostile import HAN, ledger_dump
from tests.projects.views.test_entry import entry

pytestmark = pytest.mark.django_db

# Each example runs inside a savepoint that is rolled back, so the function-scoped fixtures' state is
# the same for every example: the health check about such fixtures is moot here.
PROPERTY = settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)

SQLISH = "'; DROP TABLE projects_expenditure; -- \" OR 1=1 /*"
typed_numbers = st.one_of(
    st.sampled_from(
        ["1e309", "NaN", "Infinity", "-Infinity", "１２３", "١٢٣", "12.345", "-0", "0", "1,234.50", "1,23", "", " ", "+5",
         "0x10", "1_000", "²", "99999999999999999999", "0.001", "12.3.4", "1e-5", SQLISH, "\x00", "5\x07", "１２,３４５.６"]
    ),
    st.decimals(allow_nan=True, allow_infinity=True).map(str),
    st.floats().map(repr),
    st.text(max_size=30),
)
typed_text = st.one_of(
    st.text(max_size=60),
    st.sampled_from([SQLISH, "\x00", "摘要\x07", "a\x1bb", "<script>alert(1)</script>", "\u202e\u200b", "𠀀𠀁"]),
    st.integers(min_value=400, max_value=12000).map(lambda n: "长" * n),
)


def field_errors(response) -> dict[str, list[str]]:
    form = response.context["form"]
    return {field: [str(message) for message in messages] for field, messages in form.errors.items()}


def assert_refused_in_chinese(response, before, *fields) -> None:
    assert response.status_code == 200
    errors = field_errors(response)
    assert errors, "a refusal names at least one field"
    for field in fields:
        assert field in errors, errors
    for messages in errors.values():
        assert all(HAN.search(message) for message in messages), errors
    assert ledger_dump() == before


# ---- the expenditure entry form ----------------------------------------------------------


@PROPERTY
@given(amount=typed_numbers, memo=typed_text, voucher=typed_text, economic_class=typed_text, item=typed_text)
def test_anything_typed_into_the_entry_form_is_saved_whole_or_refused_in_chinese(
    client, world, amount, memo, voucher, economic_class, item
):
    client.force_login(world.accountant_a)
    fields = {"amount": amount, "memo": memo, "voucher": voucher}
    if len(economic_class) % 2:  # half the examples keep a valid class and item, to reach the save
        fields.update(economic_class=economic_class, item=item)
    with transaction.atomic():
        before = ledger_dump()
        count = Expenditure.objects.count()
        response = client.post(reverse("expenditures:new", kwargs=world.kwargs), entry(world, **fields))
        assert response.status_code in (200, 302)
        if response.status_code == 302:
            saved = Expenditure.objects.latest("pk")
            assert Expenditure.objects.count() == count + 1
            assert saved.amount > 0 and saved.amount == saved.amount.quantize(Decimal("0.01"))
            assert saved.memo == memo.strip() and len(saved.memo) <= 500
        else:
            assert_refused_in_chinese(response, before)
        transaction.set_rollback(True)


@pytest.mark.parametrize(
    "amount, message",
    [
        ("1e309", "普通数字"),
        ("NaN", "普通数字"),
        ("Infinity", "普通数字"),
        ("１２３", "半角数字"),
        ("12.345", "两位小数"),
        ("-0", "金额须大于0"),
        ("0", "金额须大于0"),
        ("", "请填写金额"),
        ("99999999999999999999", "金额过大"),
        ("1" + "0" * 26, "金额过大"),  # found by hypothesis: rounding it to cents overflowed, a 500
        ("\x00", "普通数字"),
    ],
)
def test_a_hostile_amount_is_refused_next_to_the_field_and_nothing_is_written(client, world, amount, message):
    client.force_login(world.accountant_a)
    before = ledger_dump()
    response = client.post(reverse("expenditures:new", kwargs=world.kwargs), entry(world, amount=amount))
    assert_refused_in_chinese(response, before, "amount")
    assert any(message in error for error in field_errors(response)["amount"])


def test_thousands_separators_are_read_and_the_amount_kept_exactly(client, world):
    client.force_login(world.accountant_a)
    response = client.post(reverse("expenditures:new", kwargs=world.kwargs), entry(world, amount="1,234.50"))
    assert response.status_code == 302
    assert Expenditure.objects.get(memo="购买办公用品").amount == Decimal("1234.50")


@pytest.mark.parametrize(
    "field, value, message",
    [
        ("memo", "长" * 10_000, "500"),
        ("memo", "摘要\x00", "空字符"),
        ("memo", "摘要\x07响铃", "控制字符"),
        ("voucher", "记" * 65, "64"),
        ("voucher", "记-\x1b-001", "控制字符"),
        ("economic_class", "302\x00", "未找到该经济分类"),
        ("economic_class", "3" * 5000, "未找到该经济分类"),
    ],
)
def test_hostile_text_is_refused_next_to_the_field_and_nothing_is_written(client, world, field, value, message):
    client.force_login(world.accountant_a)
    before = ledger_dump()
    response = client.post(reverse("expenditures:new", kwargs=world.kwargs), entry(world, **{field: value}))
    assert_refused_in_chinese(response, before, field)
    assert any(message in error for error in field_errors(response)[field])


@pytest.mark.parametrize("parent", ["999", "302\x00", SQLISH, "3" * 5000, "３０２", "30201"])
def test_a_hostile_economic_class_parent_is_refused_next_to_the_field_and_nothing_is_written(client, world, parent):
    client.force_login(world.accountant_a)
    before = ledger_dump()
    response = client.post(reverse("expenditures:new", kwargs=world.kwargs), entry(world, economic_class_parent=parent))
    assert_refused_in_chinese(response, before, "economic_class_parent")
    assert field_errors(response)["economic_class_parent"] == ["请从列表中选择经济分类的类"]


def test_sql_like_text_is_stored_as_plain_text(client, world):
    client.force_login(world.accountant_a)
    response = client.post(reverse("expenditures:new", kwargs=world.kwargs), entry(world, memo=SQLISH, voucher="1' OR '1'='1"))
    assert response.status_code == 302
    assert Expenditure.objects.get(memo=SQLISH).voucher == "1' OR '1'='1"


def test_editing_an_expenditure_with_a_hostile_amount_leaves_it_as_it_was(client, world):
    client.force_login(world.accountant_a)
    url = reverse("expenditures:edit", kwargs={**world.kwargs, "pk": world.spent_a.pk})
    before = ledger_dump()
    for amount in ("1e309", "１２３", "-0", "NaN"):
        response = client.post(url, entry(world, amount=amount, memo="改过的摘要"))
        assert_refused_in_chinese(response, before, "amount")
    world.spent_a.refresh_from_db()
    assert world.spent_a.amount == Decimal("1000.00") and world.spent_a.memo == "甲办公用品"


@pytest.mark.parametrize("item", ["²", "9" * 5000, "１", "-1", "1e3"])
def test_the_available_partial_ignores_an_item_that_is_not_an_id(client, world, item):
    client.force_login(world.accountant_a)
    response = client.get(reverse("expenditures:available", kwargs=world.kwargs), {"item": item, "date": "2024-07-01"})
    assert response.status_code == 200


# ---- the budget-line form ----------------------------------------------------------------


@PROPERTY
@given(amount=typed_numbers, document=typed_text)
def test_anything_typed_into_the_budget_line_form_is_saved_whole_or_refused_in_chinese(client, world, amount, document):
    client.force_login(world.finance)
    data = {"item": world.item_a.pk, "kind": "addition", "source": "local", "amount": amount, "date": "2024-07-01", "document": document}
    with transaction.atomic():
        before = ledger_dump()
        response = client.post(reverse("budget_lines:new", kwargs=world.kwargs), data)
        assert response.status_code in (200, 302)
        if response.status_code == 302:
            saved = BudgetLine.objects.latest("pk")
            assert saved.amount > 0 and len(saved.document) <= 100
        else:
            assert_refused_in_chinese(response, before)
        transaction.set_rollback(True)


# ---- the indicator results form ----------------------------------------------------------


@pytest.fixture
def qualitative(world):
    return Indicator.objects.create(
        department_year=world.department_year, code="Q1", level1=Indicator.Level1.BENEFIT, level2="社会效益",
        name="社会效益评价", direction=Indicator.Direction.QUALITATIVE, tier=Indicator.Tier.ACHIEVED,
    )


def results_url(world, code):
    return reverse("indicators:results", kwargs={**world.kwargs, "indicator_code": code})


@PROPERTY
@given(midyear=typed_numbers, actual=typed_numbers, reason=typed_text, measures=typed_text)
def test_anything_typed_as_indicator_values_is_saved_whole_or_refused_in_chinese(client, world, midyear, actual, reason, measures):
    client.force_login(world.finance)
    data = {"midyear": midyear, "actual": actual, "deviation_reason": reason, "corrective_measures": measures}
    with transaction.atomic():
        before = ledger_dump()
        response = client.post(results_url(world, "I-A1"), data)
        assert response.status_code in (200, 302)
        if response.status_code == 302:
            saved = Indicator.objects.get(code="I-A1")
            for value in (saved.midyear, saved.actual):
                assert value is None or (value.is_finite() and abs(value) < Decimal(10) ** 16)
            assert len(saved.deviation_reason) <= 2000
        else:
            assert_refused_in_chinese(response, before)
        transaction.set_rollback(True)


@PROPERTY
@given(rate=typed_numbers, tier=st.sampled_from(["achieved", "partly", "not_achieved", "", "bogus", "\x00"]))
def test_anything_typed_as_a_rate_is_saved_in_its_tiers_range_or_refused_in_chinese(client, world, qualitative, rate, tier):
    client.force_login(world.finance)
    with transaction.atomic():
        before = ledger_dump()
        response = client.post(results_url(world, "Q1"), {"tier": tier, "rate": rate})
        assert response.status_code in (200, 302)
        if response.status_code == 302:
            saved = Indicator.objects.get(code="Q1")
            if not saved.tier:  # a draft without a tier has no rate either
                assert saved.rate is None
            else:
                low, high = {"achieved": (80, 100), "partly": (60, 80), "not_achieved": (0, 60)}[saved.tier]
                assert saved.rate is None or low <= saved.rate <= high
        else:
            assert_refused_in_chinese(response, before)
        transaction.set_rollback(True)


@pytest.mark.parametrize(
    "typed, message",
    [
        # the value is read as the tables write it (indicators.targets.parse): what is no number is unreadable
        ("1e309", "无法识别"),
        ("NaN", "无法识别"),
        ("Infinity", "无法识别"),
        ("12.34567", "最多4位小数"),
        ("1,23", "无法识别"),
        ("99999999999999999999", "超出允许的范围"),
    ],
)
def test_a_hostile_indicator_value_is_refused_naming_the_field(client, world, typed, message):
    client.force_login(world.finance)
    before = ledger_dump()
    response = client.post(results_url(world, "I-A1"), {"midyear": "5", "actual": typed})
    assert_refused_in_chinese(response, before, "actual")
    error = field_errors(response)["actual"][0]
    assert "全年完成值" in error and message in error


# Full-width digits, as a Chinese input method types them, read as the parser folds them (the same
# text in the workbook import reads the same).
@pytest.mark.parametrize(
    "typed, stored",
    [("-0", Decimal("0")), ("1,234.50", Decimal("1234.5")), ("0", Decimal("0")), ("１２３", Decimal("123"))],
)
def test_plain_indicator_values_are_kept_exactly(client, world, typed, stored):
    client.force_login(world.finance)
    response = client.post(results_url(world, "I-A1"), {"midyear": "5", "actual": typed})
    assert response.status_code == 302
    saved = Indicator.objects.get(code="I-A1").actual
    assert saved == stored and not saved.is_signed()


@pytest.mark.parametrize(
    "rate, message", [("１００", "半角数字"), ("100.01", "0到100之间"), ("-0.01", "0到100之间"), ("79", "超出该定性等级的范围"), ("NaN", "须为数字")]
)
def test_a_hostile_rate_is_refused_naming_the_problem(client, world, qualitative, rate, message):
    client.force_login(world.finance)
    before = ledger_dump()
    response = client.post(results_url(world, "Q1"), {"tier": "achieved", "rate": rate})
    assert_refused_in_chinese(response, before, "rate")
    assert any(message in error for error in field_errors(response)["rate"])


@pytest.mark.parametrize(("text", "message"), [("原因" * 1001, "2000"), ("原因\x00", "空字符"), ("原因\x08", "控制字符")])
def test_a_hostile_reason_is_refused_and_the_indicator_keeps_its_values(client, world, text, message):
    client.force_login(world.finance)
    before = ledger_dump()
    response = client.post(results_url(world, "I-A1"), {"midyear": "5", "actual": "8", "deviation_reason": text})
    assert_refused_in_chinese(response, before, "deviation_reason")
    assert any(message in error for error in field_errors(response)["deviation_reason"])
