"""The finance office's year page (年终结转, DOMAIN.md section 8): the preview of projects.yearend
with a per-item choice, then close_year with the chosen overrides, all or nothing.

The generated department (tests/projects/budget_year.py), BY 2024, unspent at year end:
A1 特定目标类 900.00 (carries by default), A2 运转类 500.00 (lapses), B1 特定目标类 1,400.00
(carries), B2 人员类 450.00 (lapses): 2,300.00 carried and 950.00 lapsed by default.
"""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from projects import services
from projects.models import BudgetItem, BudgetLine, BudgetTransfer, MonthClose, YearClose
from tests.builders import MembershipFactory, UserFactory, ledger
from tests.projects.budget_year import small_department
from units.models import DepartmentYear, Membership

pytestmark = pytest.mark.django_db

KWARGS = {"department_code": "BY", "year": 2024}
PAGE = reverse("yearend:close", kwargs=KWARGS)


@pytest.fixture
def department():
    return small_department()


def member(department_year, role, username):
    user = UserFactory(username=username)
    MembershipFactory(user=user, department=department_year.department, role=role)
    return user


@pytest.fixture
def finance(department, client):
    user = member(department.department_year, Membership.Role.FINANCE, "by_finance")
    client.force_login(user)
    return client


def cell(html: str, row_id: str, index: int) -> str:
    """The text of the index-th numeric cell of a row."""
    row = html.split(f'id="{row_id}"', 1)[1].split("</tr>", 1)[0]
    return row.split('<td class="num"', index + 1)[index + 1].split(">", 1)[1].split("</td>", 1)[0].strip()


def total(html: str, cell_id: str) -> str:
    return html.split(f'id="{cell_id}">', 1)[1].split("</td>", 1)[0].strip()


def fates(department, **chosen) -> dict:
    """The posted choices: every item with a balance at its default unless given (A1="lapse")."""
    defaults = {"A1": "carry", "A2": "lapse", "B1": "carry", "B2": "lapse"}
    return {f"fate-{department[code].pk}": chosen.get(code, default) for code, default in defaults.items()}


def nothing_written(department) -> bool:
    return (
        not YearClose.objects.exists()
        and not MonthClose.objects.filter(department_year=department.department_year).exists()
        and not DepartmentYear.objects.filter(year=2025).exists()
        and not BudgetLine.objects.filter(kind=BudgetLine.Kind.CARRYOVER).exists()
    )


# --- the preview ---


def test_the_preview_shows_each_items_figures_and_default_to_the_cent(department, finance):
    html = finance.get(PAGE).content.decode()
    expected = {
        "A1": ("1,200.00", "300.00", "900.00", "结转"),
        "A2": ("600.00", "100.00", "500.00", "结余"),
        "B1": ("2,400.00", "1,000.00", "1,400.00", "结转"),
        "B2": ("900.00", "450.00", "450.00", "结余"),
    }
    for code, (full_year, spent, balance, default) in expected.items():
        assert [cell(html, f"item-{code}", n) for n in range(3)] == [full_year, spent, balance], code
        row = html.split(f'id="item-{code}"', 1)[1].split("</tr>", 1)[0]
        assert f"<td>{default}</td>" in row
        value = "carry" if default == "结转" else "lapse"
        chosen = row.split(f'name="fate-{department[code].pk}" value="{value}"', 1)[1].split(">", 1)[0]
        assert "checked" in chosen, code
    assert total(html, "balance-total") == "3,250.00"
    assert total(html, "carried-total") == "2,300.00"
    assert total(html, "lapsed-total") == "950.00"
    assert "确认结转2024年度" in html
    assert nothing_written(department)


def test_recalculating_with_other_choices_shows_their_totals_and_writes_nothing(department, finance):
    response = finance.post(PAGE, {**fates(department, A1="lapse", B2="carry"), "preview": "1"})
    assert response.status_code == 200
    html = response.content.decode()
    assert total(html, "carried-total") == "1,850.00"  # B1 1,400.00 + B2 450.00
    assert total(html, "lapsed-total") == "1,400.00"  # A1 900.00 + A2 500.00
    assert nothing_written(department)


def test_the_months_page_links_to_the_year_page_for_the_finance_office_only(department, finance, client):
    months = reverse("closing:months", kwargs=KWARGS)
    assert f'href="{PAGE}"' in finance.get(months).content.decode()
    client.force_login(member(department.department_year, Membership.Role.LEADER, "by_leader"))
    assert f'href="{PAGE}"' not in client.get(months).content.decode()


# --- applying ---


def test_confirming_closes_the_year_with_the_chosen_overrides(department, finance):
    response = finance.post(PAGE, {**fates(department, A2="carry"), "apply": "1"})
    assert response.status_code == 302
    assert response["Location"] == PAGE
    record = YearClose.objects.get(department_year=department.department_year)
    assert (record.carried_total, record.lapsed_total) == (Decimal("2800.00"), Decimal("450.00"))
    next_year = DepartmentYear.objects.get(department=department.department_year.department, year=2025)
    carried = sorted(
        BudgetLine.objects.filter(item__department_year=next_year, kind=BudgetLine.Kind.CARRYOVER).values_list(
            "item__code", "amount", "date", "document"
        )
    )
    assert carried == [
        ("A1", Decimal("900.00"), date(2025, 1, 1), "结转自2024"),
        ("A2", Decimal("500.00"), date(2025, 1, 1), "结转自2024"),
        ("B1", Decimal("1400.00"), date(2025, 1, 1), "结转自2024"),
    ]
    assert MonthClose.objects.filter(department_year=department.department_year).count() == 12
    html = finance.get(PAGE).content.decode()
    assert "2024年度已年终结转：结转 2,800.00 元，结余 450.00 元" in html
    assert total(html, "carried-total") == "2,800.00"
    assert total(html, "lapsed-total") == "450.00"
    assert f'href="{reverse("department", kwargs={"department_code": "BY", "year": 2025})}"' in html
    assert "结转至2025年" in html.split('id="item-A2"', 1)[1].split("</tr>", 1)[0]
    assert "结余" in html.split('id="item-B2"', 1)[1].split("</tr>", 1)[0]
    assert "确认结转2024年度" not in html


def test_a_second_confirmation_is_refused_with_the_services_message_and_changes_nothing(department, finance):
    finance.post(PAGE, {**fates(department), "apply": "1"})
    record = YearClose.objects.get()
    lines = BudgetLine.objects.count()
    response = finance.post(PAGE, {**fates(department, A2="carry"), "apply": "1"}, follow=True)
    assert f"2024年度已于{record.closed_at.date().isoformat()}年终结转，不能重复结转" in response.content.decode()
    assert BudgetLine.objects.count() == lines
    assert YearClose.objects.get().carried_total == Decimal("2300.00")


def test_a_pending_transfer_refuses_the_close_and_nothing_is_written(department, finance):
    services.transfer_create(
        department_year=department.department_year,
        from_item=department["B1"],
        to_item=department["A1"],
        source="superior",
        amount=Decimal("1000.00"),
        date=date(2024, 7, 1),
        document="调1",
    )
    # below the threshold in production; make it wait for a decision here
    BudgetTransfer.objects.update(status=BudgetTransfer.Status.PENDING)
    BudgetLine.objects.filter(transfer__isnull=False).delete()
    response = finance.post(PAGE, {**fates(department), "apply": "1"})
    assert response.status_code == 200
    assert "2024年度尚有 1 笔待审批的预算调剂，请先审批或驳回后再结转" in response.content.decode()
    assert nothing_written(department)


def test_a_forged_choice_is_refused_naming_the_item(department, finance):
    response = finance.post(PAGE, {**fates(department, A1="keep"), "apply": "1"})
    assert response.status_code == 200
    assert "项目A1只能选择结转或结余" in response.content.decode()
    assert nothing_written(department)


# --- who may ---


def test_only_the_finance_office_opens_or_posts_the_year_page(department, client):
    department_year = department.department_year
    leader = member(department_year, Membership.Role.LEADER, "by_leader")
    accountant = UserFactory(username="by_accountant")
    MembershipFactory(
        user=accountant, department=department_year.department, role=Membership.Role.ACCOUNTANT, unit=department["A1"].unit
    )
    for user in (leader, accountant):
        client.force_login(user)
        assert client.get(PAGE).status_code == 403
        assert client.post(PAGE, {**fates(department), "apply": "1"}).status_code == 403
    stranger = ledger(code="ZZ")
    client.force_login(member(stranger, Membership.Role.FINANCE, "zz_finance"))
    assert client.get(PAGE).status_code == 404
    assert client.post(PAGE, {**fates(department), "apply": "1"}).status_code == 404
    client.logout()
    response = client.post(PAGE, {**fates(department), "apply": "1"})
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    assert nothing_written(department)


# --- queries ---


@pytest.mark.parametrize("closed", [False, True])
def test_the_year_page_runs_a_fixed_number_of_queries_with_3_or_30_items(client, closed, django_assert_num_queries):
    user = UserFactory(username="q_finance")
    for code, items in (("Q3", 3), ("Q30", 30)):
        department_year = ledger(code=code, units=1, items_per_unit=items, expenditures_per_item=2)
        MembershipFactory(user=user, department=department_year.department, role=Membership.Role.FINANCE)
    client.force_login(user)
    for code in ("Q3", "Q30"):
        page = reverse("yearend:close", kwargs={"department_code": code, "year": 2024})
        if closed:
            items = BudgetItem.objects.filter(department_year__department__code=code)
            client.post(page, {"apply": "1", **{f"fate-{item.pk}": "carry" for item in items}})
            assert YearClose.objects.filter(department_year__department__code=code).exists()
        client.get(page)  # warm the session and content-type caches
        # session, user, department-year, membership, the closing record; open: budget_summary (3),
        # the preview (the codes, then budget_summary's 3), the months still open; closed:
        # the carried-over lines of the next year, budget_summary (3)
        with django_assert_num_queries(9 if closed else 13):
            assert client.get(page).status_code == 200
