"""The plan template (用款计划, DOMAIN.md section 8; fundmgr.workbook.plans): every item of the year
with its budget and current plan, downloaded by the finance office and imported back."""

import io
from datetime import date
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from fundmgr.workbook.plans import plan_import, plan_template_bytes
from projects.models import SpendingPlan
from projects.services import plan_set, transfer_create
from tests.fundmgr.workbooks import saved, valid_sheets, xlsx

pytestmark = pytest.mark.django_db


def template_url(world) -> str:
    return reverse("upload:plan_template", kwargs=world.kwargs)


def plan_of(item) -> dict[int, Decimal]:
    return dict(SpendingPlan.objects.filter(item=item).values_list("month", "amount"))


@pytest.fixture
def planned(world):
    """A1 planned 20,000.00 in March and 0.00 in April; 5,000.00 moved from B1 to A1 on 1 May."""
    plan_set(item=world.item_a, amounts={3: Decimal("20000.00"), 4: Decimal("0.00")}, user=world.finance)
    transfer_create(
        department_year=world.department_year,
        from_item=world.item_b,
        to_item=world.item_a,
        source="local",
        amount=Decimal("5000.00"),
        date=date(2024, 5, 1),
    )
    return world


def test_the_template_lists_every_item_by_month_with_its_budget_and_plan(planned):
    book = load_workbook(io.BytesIO(plan_template_bytes(planned.department_year)))
    assert book.sheetnames[:2] == ["说明", "用款计划"]
    rows = list(book["用款计划"].iter_rows(values_only=True))
    assert rows[0] == ("项目编码", "月份", "金额", "项目名称", "全年预算")
    assert len(rows) == 1 + 3 * 12
    a1 = {row[1]: row for row in rows[1:] if row[0] == "A1"}
    assert a1[3] == ("A1", 3, 20000, "甲培训经费", 105000)  # 100,000.00 + the 5,000.00 transferred in
    assert (a1[4][2], a1[1][2]) == (0, None)  # a month planned at 0.00 is 0; one without a plan is blank
    assert {row[4] for row in rows[1:] if row[0] == "B1"} == {95000}
    assert any("用款计划" in str(row[0]) for row in book["说明"].iter_rows(values_only=True))


def test_the_template_filled_in_imports_back(planned):
    book = load_workbook(io.BytesIO(plan_template_bytes(planned.department_year)))
    sheet = book["用款计划"]
    for row in sheet.iter_rows(min_row=2):
        code, month = row[0].value, row[1].value
        if code == "A1":
            row[2].value = None if month == 3 else (8000 if month == 12 else row[2].value)
        if code == "B1" and month in (1, 2):
            row[2].value = "1,500.50"
    result = plan_import(department_year=planned.department_year, source=saved(book), user=planned.finance)
    assert [str(error) for error in result.errors] == []
    assert result.items == 3
    assert plan_of(planned.item_a) == {4: Decimal("0.00"), 12: Decimal("8000.00")}
    assert plan_of(planned.item_b) == {1: Decimal("1500.50"), 2: Decimal("1500.50")}
    assert plan_of(planned.item_a2) == {}
    assert SpendingPlan.history.filter(item_id=planned.item_b.pk, history_user=planned.finance).count() == 2


def test_the_unchanged_template_imports_back_to_the_same_plan(planned):
    before = list(SpendingPlan.objects.order_by("item", "month").values_list("item__code", "month", "amount"))
    result = plan_import(department_year=planned.department_year, source=plan_template_bytes(planned.department_year), user=None)
    assert result.errors == []
    assert list(SpendingPlan.objects.order_by("item", "month").values_list("item__code", "month", "amount")) == before


def test_a_template_over_the_budget_is_refused_whole_and_changes_nothing(planned):
    book = load_workbook(io.BytesIO(plan_template_bytes(planned.department_year)))
    sheet = book["用款计划"]
    sheet["C2"] = 1  # A1, January
    sheet["C26"] = 95000.01  # B1, January: 95,000.00 is all it has after the transfer
    sheet["B27"] = 13
    result = plan_import(department_year=planned.department_year, source=saved(book), user=planned.finance)
    assert [str(error) for error in result.errors] == [
        "用款计划 第27行 月份: 月份须在1到12之间",
        "用款计划 第26行 金额: 项目“乙宣传经费”（B1）的用款计划合计 95,000.01 元，超过年末全年预算 95,000.00 元",
    ]
    assert plan_of(planned.item_a) == {3: Decimal("20000.00"), 4: Decimal("0.00")}


def test_a_workbook_without_the_plan_sheet_is_refused(planned):
    result = plan_import(department_year=planned.department_year, source=xlsx(valid_sheets()), user=planned.finance)
    assert [str(error) for error in result.errors] == ["用款计划: 缺少工作表“用款计划”"]


def test_the_finance_office_downloads_the_template(planned, as_persona):
    response = as_persona("finance").get(template_url(planned))
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    rows = list(load_workbook(io.BytesIO(response.content))["用款计划"].iter_rows(values_only=True))
    assert len(rows) == 37


def test_the_finance_office_imports_the_template_back_in_the_browser(planned, as_persona):
    book = load_workbook(io.BytesIO(plan_template_bytes(planned.department_year)))
    book["用款计划"]["C14"] = 700  # A2, January
    upload = SimpleUploadedFile("plan.xlsx", saved(book))
    response = as_persona("finance").post(template_url(planned), {"workbook": upload}, follow=True)
    assert response.status_code == 200
    assert "已导入用款计划：3个项目" in response.content.decode()
    assert plan_of(planned.item_a2) == {1: Decimal("700.00")}


@pytest.mark.parametrize(("persona", "status"), [("accountant_a", 403), ("leader", 403), ("outsider", 404)])
def test_only_the_finance_office_may_import_a_plan(planned, as_persona, persona, status):
    upload = SimpleUploadedFile("plan.xlsx", plan_template_bytes(planned.department_year))
    response = as_persona(persona).post(template_url(planned), {"workbook": upload})
    assert response.status_code == status
    assert plan_of(planned.item_a) == {3: Decimal("20000.00"), 4: Decimal("0.00")}
