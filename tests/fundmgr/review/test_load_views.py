"""上传自评表 on an item's 项目支出绩效自评表 (fundmgr.review.load_views): who may, what the page says,
and the findings shown on the evaluation page afterwards (DOMAIN.md section 10)."""

from decimal import Decimal

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from indicators.models import EvaluationUpload, Indicator
from tests.exports.known_ledger import build_ledger, generated
from tests.fundmgr.review.test_load import ACTUAL, DEVIATION, EARNED, edited, exported, row_of

pytestmark = pytest.mark.django_db

D = Decimal
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def ledger():
    return build_ledger()


def kwargs(ledger) -> dict:
    return {"department_code": ledger.department_year.department.code, "year": ledger.department_year.year, "item_code": "A-X01"}


def load_url(ledger) -> str:
    return reverse("evaluation_upload:item", kwargs=kwargs(ledger))


def evaluation_url(ledger) -> str:
    return reverse("indicators:item_evaluation", kwargs=kwargs(ledger))


def workbook(content: bytes, name: str = "自评表.xlsx") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=XLSX)


def overridden(ledger) -> bytes:
    return edited(exported(ledger), {"项目指标X1": {ACTUAL: "270人", EARNED: 57, DEVIATION: "原因：学员流失。措施：提前摸底"}})


def test_the_finance_office_uploads_and_the_evaluation_page_shows_the_override_and_the_findings(client, ledger):
    content = overridden(ledger)
    client.force_login(ledger.finance)
    response = client.post(load_url(ledger), {"workbook": workbook(content)})
    assert response.status_code == 302 and response["Location"] == evaluation_url(ledger)
    indicator = Indicator.objects.get(code="X1")
    assert (indicator.override_earned, indicator.override_reason, indicator.override_by) == (
        D("57.00"),
        "自评表上传：自评表.xlsx",
        ledger.finance,
    )
    page = client.get(evaluation_url(ledger)).content.decode()
    row = row_of(content, "项目指标X1")
    assert "已导入自评表“自评表.xlsx”：更新完成情况 1 项，设置评价人得分 1 项，恢复按公式计分 0 项；复核发现 2 条。" in page
    assert f"第{row}行 “项目指标X1”填报得分 57.00，按公式应为 54.00（分值 60.00 × 完成率 90.00%）" in page
    assert f"第{row + 2}行 总分填报 97.69，预算执行得分与各指标得分之和为 94.69" in page
    assert "填报总分 97.69，按表中数据复核 91.69" in page
    assert 'id="score">94.7<' in page  # 7.69 + 57.00 + 30.00 = 94.69


def test_the_upload_link_is_shown_to_the_finance_office_only(client, ledger):
    for user, shown in ((ledger.finance, True), (ledger.leader, False), (ledger.accountant_a, False)):
        client.force_login(user)
        page = client.get(evaluation_url(ledger)).content.decode()
        assert (load_url(ledger) in page) is shown, user


@pytest.mark.parametrize(
    ("persona", "status"), [("accountant_a", 403), ("leader", 403), ("accountant_b", 404), ("outsider", 404)]
)
def test_no_one_but_the_finance_office_may_upload(client, ledger, persona, status):
    client.force_login(getattr(ledger, persona))
    assert client.get(load_url(ledger)).status_code == status
    assert client.post(load_url(ledger), {"workbook": workbook(overridden(ledger))}).status_code == status
    assert not Indicator.objects.filter(override_earned__isnull=False).exists()
    assert not EvaluationUpload.objects.exists()


def test_another_departments_finance_office_gets_404(client, ledger):
    other = build_ledger("OTH")
    client.force_login(other.finance)
    assert client.get(load_url(ledger)).status_code == 404
    assert client.post(load_url(ledger), {"workbook": workbook(overridden(ledger))}).status_code == 404
    assert not EvaluationUpload.objects.exists()


def test_anonymous_visitors_are_sent_to_the_login_page(client, ledger):
    response = client.get(load_url(ledger))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_a_bad_file_is_refused_with_a_clear_message_and_nothing_written(client, ledger):
    client.force_login(ledger.finance)
    response = client.post(load_url(ledger), {"workbook": workbook(b"not a workbook", "坏文件.xlsx")})
    assert response.status_code == 400
    page = response.content.decode()
    assert "“坏文件.xlsx”未导入，数据未作任何改动。" in page
    assert "文件不是有效的 Excel 工作簿（.xlsx）" in page
    assert "Traceback" not in page
    assert not EvaluationUpload.objects.exists()


def test_a_file_that_is_not_xlsx_or_too_big_is_refused_with_the_review_pages_messages(client, ledger, settings):
    client.force_login(ledger.finance)
    response = client.post(load_url(ledger), {"workbook": workbook(b"a,b", "自评表.csv")})
    assert response.status_code == 400
    assert "自评表.csv：请上传 .xlsx 格式的工作簿" in response.content.decode()
    settings.IMPORT_MAX_BYTES = 1024
    response = client.post(load_url(ledger), {"workbook": workbook(overridden(ledger))})
    assert response.status_code == 400
    assert "自评表.xlsx：文件过大" in response.content.decode()
    assert "上限为 1.0\xa0KB" in response.content.decode()
    assert not EvaluationUpload.objects.exists()
    assert not Indicator.objects.filter(override_earned__isnull=False).exists()


def test_a_row_that_cannot_be_applied_is_named_and_nothing_is_written(client, ledger):
    content = edited(exported(ledger), {"项目指标X1": {ACTUAL: "约280人", EARNED: 50}, "项目指标X2": {EARNED: 20}})
    client.force_login(ledger.finance)
    response = client.post(load_url(ledger), {"workbook": workbook(content)})
    assert response.status_code == 400
    page = response.content.decode()
    row = row_of(content, "项目指标X1")
    assert f"第{row}行 “项目指标X1”的全年完成值“约280人”无法识别" in page
    assert "指标得分与公式不符" in page  # the checker's findings are shown on the refusal too
    assert not Indicator.objects.filter(override_earned__isnull=False).exists()
    assert Indicator.objects.get(code="X1").actual == D("300")
    assert not EvaluationUpload.objects.exists()


def test_the_evaluation_page_with_an_upload_runs_one_query_more(client, ledger, django_assert_num_queries):
    client.force_login(ledger.finance)
    client.post(load_url(ledger), {"workbook": workbook(overridden(ledger))})
    client.get(evaluation_url(ledger))  # the success message is consumed
    cache.clear()  # that view stored the page's content (fundmgr.lib.pagecache): measure a miss
    # 1 session, 2 user, 3 department-year (scope), 4 membership (scope), 5 the item, 6 its figures with its
    # budget lines, 7 its indicators, 8 its scoring profile, 9 its 年度总体目标, 10 its latest upload (with who),
    # 11 its 目标版本 in force, 12 its 佐证材料, 13 the indicators of their upload form.
    with django_assert_num_queries(13):
        response = client.get(evaluation_url(ledger))
    assert "上传自评表的复核发现" in response.content.decode()


def department_kwargs(ledger) -> dict:
    return {"department_code": ledger.department_year.department.code, "year": ledger.department_year.year}


def test_the_finance_office_uploads_the_departments_table_and_its_page_shows_the_findings(client, ledger):
    content = edited(
        generated("self-evaluation", ledger.department_year), {"培训合格率": {ACTUAL: "45%", EARNED: 24}}, sheet="部门整体自评表"
    )
    client.force_login(ledger.finance)
    page_url = reverse("indicators:evaluation", kwargs=department_kwargs(ledger))
    assert reverse("evaluation_upload:department", kwargs=department_kwargs(ledger)) in client.get(page_url).content.decode()
    response = client.post(
        reverse("evaluation_upload:department", kwargs=department_kwargs(ledger)), {"workbook": workbook(content)}
    )
    assert response.status_code == 302 and response["Location"] == page_url
    assert Indicator.objects.get(code="D2").override_earned == D("24.00")
    page = client.get(page_url).content.decode()
    row = row_of(content, "培训合格率", sheet="部门整体自评表")
    assert f"第{row}行 “培训合格率”填报得分 24.00，按公式应为 22.50（分值 25.00 × 完成率 90.00%）" in page


@pytest.mark.parametrize(("persona", "status"), [("accountant_a", 403), ("leader", 403), ("outsider", 404)])
def test_no_one_but_the_finance_office_may_upload_the_departments_table(client, ledger, persona, status):
    content = edited(generated("self-evaluation", ledger.department_year), {"培训合格率": {EARNED: 24}}, sheet="部门整体自评表")
    client.force_login(getattr(ledger, persona))
    target = reverse("evaluation_upload:department", kwargs=department_kwargs(ledger))
    assert client.post(target, {"workbook": workbook(content)}).status_code == status
    assert not EvaluationUpload.objects.exists()
