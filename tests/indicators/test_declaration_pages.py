"""The pages of 绩效目标申报 and 目标调整: each persona's rights, the whole round, the 申报表 xlsx."""

from decimal import Decimal
from io import BytesIO

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from indicators.declaration_sheet import declaration_workbook
from indicators.declarations import (
    declaration_approve,
    declaration_import,
    declaration_record_import,
    declaration_start,
    declaration_submit,
    declaration_update,
)
from indicators.models import Indicator, TargetDeclaration
from tests.builders import BudgetItemFactory, IndicatorFactory
from tests.personas import PERSONAS

pytestmark = pytest.mark.django_db

F, A, B, L, O, N = PERSONAS


def item_url(world, name="indicators:item_declaration", item=None, **extra):
    return reverse(name, kwargs={**world.kwargs, "item_code": (item or world.item_a).code, **extra})


def department_url(world, name="indicators:declaration", **extra):
    return reverse(name, kwargs={**world.kwargs, **extra})


def formset(rows, goal=""):
    data = {
        "action": "save",
        "goal": goal,
        "rows-TOTAL_FORMS": str(len(rows)),
        "rows-INITIAL_FORMS": "0",
        "rows-MIN_NUM_FORMS": "0",
        "rows-MAX_NUM_FORMS": "500",
    }
    for index, row in enumerate(rows):
        data.update({f"rows-{index}-{key}": value for key, value in row.items()})
    return data


ROW = {
    "code": "A2-1",
    "level1": "output",
    "level2": "数量",
    "name": "设备台数",
    "direction": "ge",
    "target": "≥5台",
    "unit": "",
    "points": "",
}


@pytest.mark.parametrize(("persona", "status"), [(F, 302), (A, 302), (B, 404), (L, 403), (O, 404), (N, 302)])
def test_who_may_start_an_items_declaration(as_persona, world, persona, status):
    response = as_persona(persona).post(item_url(world, item=world.item_a2), {"action": "start"})
    assert response.status_code == status
    started = TargetDeclaration.objects.filter(item=world.item_a2).exists()
    assert started == (persona in (F, A))


@pytest.mark.parametrize(("persona", "status"), [(F, 302), (A, 403), (B, 403), (L, 403), (O, 404), (N, 302)])
def test_only_the_finance_office_starts_the_departments_declaration(as_persona, world, persona, status):
    response = as_persona(persona).post(department_url(world), {"action": "start"})
    assert response.status_code == status
    assert TargetDeclaration.objects.filter(item=None).exists() == (persona == F)


@pytest.fixture
def submitted(world):
    draft = declaration_start(department_year=world.department_year, item=world.item_a2, user=world.accountant_a)
    draft = declaration_update(declaration=draft, goal="", rows=[dict(ROW)], user=world.accountant_a)
    return declaration_submit(declaration=draft, user=world.accountant_a)


@pytest.mark.parametrize(("persona", "status"), [(F, 302), (A, 403), (B, 404), (L, 403), (O, 404), (N, 302)])
def test_only_the_finance_office_approves(as_persona, world, submitted, persona, status):
    response = as_persona(persona).post(item_url(world, item=world.item_a2), {"action": "approve"})
    assert response.status_code == status
    submitted.refresh_from_db()
    assert submitted.state == ("approved" if persona == F else "submitted")
    assert Indicator.objects.filter(item=world.item_a2).exists() == (persona == F)


@pytest.mark.parametrize(("persona", "status"), [(F, 302), (A, 403), (L, 403)])
def test_only_the_finance_office_rejects(as_persona, world, submitted, persona, status):
    response = as_persona(persona).post(item_url(world, item=world.item_a2), {"action": "reject", "note": "请细化"})
    assert response.status_code == status
    submitted.refresh_from_db()
    assert submitted.state == ("rejected" if persona == F else "submitted")


def test_a_reject_without_a_note_is_refused_with_a_message(client, world, submitted):
    client.force_login(world.finance)
    response = client.post(item_url(world, item=world.item_a2), {"action": "reject", "note": ""})
    assert response.status_code == 400
    assert "退回须填写审批意见" in response.content.decode()
    submitted.refresh_from_db()
    assert submitted.state == "submitted"


def test_the_leader_reads_the_page_without_buttons(client, world, submitted):
    client.force_login(world.leader)
    page = client.get(item_url(world, item=world.item_a2)).content.decode()
    assert "设备台数" in page and "declaration-approve" not in page and "declaration-editor" not in page


def test_the_accountant_declares_and_the_finance_office_approves_through_the_pages(client, world):
    page = item_url(world, item=world.item_a2)
    client.force_login(world.accountant_a)
    assert client.post(page, {"action": "start"}).status_code == 302
    response = client.post(
        page,
        formset([ROW, {**ROW, "code": "A2-2", "name": "验收合格率", "level2": "质量", "target": "100%"}], goal="完成设备采购"),
    )
    assert response.status_code == 302, response.content.decode()
    editor = client.get(page).content.decode()
    assert 'value="验收合格率"' in editor and "完成设备采购" in editor
    assert client.post(page, {"action": "submit"}).status_code == 302
    client.force_login(world.finance)
    assert client.post(page, {"action": "approve", "note": "同意"}).status_code == 302
    assert list(Indicator.objects.filter(item=world.item_a2).values_list("code", "target")) == [
        ("A2-1", Decimal("5.0000")),
        ("A2-2", Decimal("100.0000")),
    ]
    sheet = client.get(item_url(world, "indicators:item_evaluation", item=world.item_a2)).content.decode()
    assert "目标版本：" in sheet and "第1版（申报，" in sheet


def test_a_bad_row_is_refused_with_its_row_and_nothing_is_saved(client, world):
    page = item_url(world, item=world.item_a2)
    client.force_login(world.finance)
    client.post(page, {"action": "start"})
    response = client.post(page, formset([{**ROW, "points": "abc"}]))
    assert response.status_code == 400
    assert "第1行 分值：分值须为数字" in response.content.decode()
    assert TargetDeclaration.objects.get(item=world.item_a2).indicators == []


def test_an_adjustment_shows_its_diff_and_the_sheet_its_new_version(client, world):
    declaration_record_import(department_year=world.department_year, user=world.finance)
    client.force_login(world.finance)
    page = item_url(world)
    assert client.post(page, {"action": "start"}).status_code == 400  # an adjustment without a reason
    assert client.post(page, {"action": "start", "reason": "年中任务增加"}).status_code == 302
    row = {
        "code": "I-A1",
        "level1": "output",
        "level2": "数量",
        "name": "甲培训经费指标",
        "direction": "ge",
        "target": "12",
        "unit": "",
    }
    assert client.post(page, formset([row])).status_code == 302
    client.post(page, {"action": "submit"})
    before = client.get(item_url(world, "indicators:item_evaluation")).content.decode()
    assert "第1版（导入，" in before
    client.post(page, {"action": "approve"})
    after = client.get(item_url(world, "indicators:item_evaluation")).content.decode()
    assert "第2版（调整，" in after
    diff = client.get(item_url(world, "indicators:item_declaration_version", version=2)).content.decode()
    assert "年中任务增加" in diff and "目标值：10 → 12" in diff


def test_the_copy_button_says_when_last_year_has_nothing(client, world):
    client.force_login(world.finance)
    response = client.post(department_url(world), {"action": "copy_previous"}, follow=True)
    assert "上年没有可复制的已批准目标" in response.content.decode()


def test_an_unknown_action_is_a_bad_request(client, world):
    client.force_login(world.finance)
    assert client.post(department_url(world), {"action": "explode"}).status_code == 400


@pytest.mark.parametrize("extra", [0, 10])
def test_the_declaration_page_runs_a_fixed_number_of_queries(client, world, django_assert_num_queries, extra):
    for n in range(extra):
        item = BudgetItemFactory(department_year=world.department_year, unit=world.unit_a, code=f"Q{n}")
        IndicatorFactory(item=item, code=f"Q{n}-1")
    declaration_record_import(department_year=world.department_year, user=world.finance)
    for _n in range(extra):  # more versions of A1
        draft = declaration_start(department_year=world.department_year, item=world.item_a, reason="调整", user=world.finance)
        declaration_submit(declaration=draft, user=world.finance)
        declaration_approve(declaration=draft, user=world.finance)
    client.force_login(world.finance)
    # 1 session, 2 user, 3 department-year (scope), 4 membership (scope), 5 the item, 6 the versions with their users
    with django_assert_num_queries(6):
        response = client.get(item_url(world))
    assert response.status_code == 200


def test_the_export_reads_back_as_the_same_version(world):
    rows = [
        {**ROW, "points": "60"},
        {**ROW, "code": "A2-2", "name": "验收合格率", "level2": "质量", "target": "≥95%", "points": "10"},
        {
            **ROW,
            "code": "A2-3",
            "name": "社会效益",
            "level1": "benefit",
            "level2": "社会效益",
            "direction": "qualitative",
            "target": "达到预期",
            "points": "10",
        },
        {
            **ROW,
            "code": "A2-4",
            "name": "按期完成",
            "level2": "时效",
            "direction": "qualitative",
            "target": "12月底前",
            "points": "5.5",
        },
        {
            **ROW,
            "code": "A2-5",
            "name": "满意度",
            "level1": "satisfaction",
            "level2": "服务对象满意度",
            "target": "90",
            "unit": "%",
            "points": "4.5",
        },
    ]
    draft = declaration_start(department_year=world.department_year, item=world.item_a2, user=world.finance)
    draft = declaration_update(declaration=draft, goal="完成设备采购并投入使用", rows=rows, user=world.finance)
    declaration_submit(declaration=draft, user=world.finance)
    approved = declaration_approve(declaration=draft, user=world.finance)
    content = declaration_workbook(department_year=world.department_year, item=world.item_a2, declaration=approved)
    sheet = load_workbook(BytesIO(content)).active
    assert sheet["A1"].value == "项目支出绩效目标申报表（2024年度）"
    assert (sheet["A4"].value, sheet["B4"].value, sheet["C4"].value) == ("资金情况（万元）", "年初预算数", 10)
    reread = declaration_import(
        department_year=world.department_year, item=world.item_a2, source=BytesIO(content), reason="原样导回", user=world.finance
    )
    assert reread.version == 2 and reread.state == "draft"
    assert reread.goal == approved.goal
    assert reread.indicators == approved.indicators


def test_a_bad_sheet_names_its_excel_rows_and_changes_nothing(world):
    content = declaration_workbook(department_year=world.department_year, item=world.item_a2, declaration=None)
    book = load_workbook(BytesIO(content))
    sheet = book.active
    sheet.append(["产出指标", "数量指标", "设备台数", "≥", "约5台", "台", None, "A2-1"])
    sheet.append(["产出指标", "数量指标", "", "≥", "5", "台", None, "A2-1"])
    out = BytesIO()
    book.save(out)
    with pytest.raises(ValidationError) as error:
        declaration_import(
            department_year=world.department_year, item=world.item_a2, source=BytesIO(out.getvalue()), user=world.finance
        )
    assert error.value.messages == [
        "第7行 目标值：定量指标的目标值须为数字（如≥5000户），日期或定性表述请选择定性方向",
        "第8行 指标编码：指标编码A2-1与第7行重复",
        "第8行 指标名称：请填写指标名称（三级指标）",
    ]
    assert not TargetDeclaration.objects.filter(item=world.item_a2).exists()


def test_a_file_that_is_no_workbook_is_refused_on_the_page(client, world):
    client.force_login(world.finance)
    upload = SimpleUploadedFile("x.xlsx", b"not a workbook")
    response = client.post(item_url(world, item=world.item_a2), {"action": "import", "sheet": upload})
    assert response.status_code == 400
    assert "无法读取该文件" in response.content.decode()


def test_the_change_log_lists_each_version_with_a_link_to_its_diff(client, world, submitted):
    client.force_login(world.accountant_a)
    log = client.get(reverse("audit:changes", kwargs=world.kwargs)).content.decode()
    assert "A2 第1版（申报）已提交" in log
    assert item_url(world, "indicators:item_declaration_version", item=world.item_a2, version=1) in log
    client.force_login(world.accountant_b)
    assert "第1版（申报）" not in client.get(reverse("audit:changes", kwargs=world.kwargs)).content.decode()


def test_the_admin_cannot_change_a_target_outside_the_declarations(client, world):
    client.force_login(world.finance)  # staff, with every model permission of the ledger apps
    indicator = world.indicator_a
    change = reverse("admin:indicators_indicator_change", args=[indicator.pk])
    response = client.post(change, {"code": indicator.code, "name": indicator.name, "target": "999"})
    assert response.status_code == 403
    assert client.get(reverse("admin:indicators_indicator_add")).status_code == 403
    indicator.refresh_from_db()
    assert indicator.target == Decimal("10")


def test_the_leader_reads_a_draft_being_edited(client, world):
    draft = declaration_start(department_year=world.department_year, item=world.item_a2, user=world.accountant_a)
    declaration_update(declaration=draft, goal="", rows=[dict(ROW)], user=world.accountant_a)
    client.force_login(world.leader)
    page = client.get(item_url(world, item=world.item_a2)).content.decode()
    assert "草稿编辑中" in page and "设备台数" in page and "declaration-editor" not in page
