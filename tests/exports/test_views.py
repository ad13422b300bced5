import io
import re

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from units.models import DepartmentYear

KINDS = ["self-evaluation", "project-evaluation", "execution", "expenditures", "workbook", "report"]


def index_url(ledger):
    return reverse("exports:index", kwargs={"department_code": "TST", "year": 2024})


def download_url(what, query=""):
    url = reverse("exports:download", kwargs={"department_code": "TST", "year": 2024, "what": what})
    return f"{url}?{query}" if query else url


def detail_units(response) -> set[str]:
    ws = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    return {row[2].value for row in ws.iter_rows(min_row=4) if row[0].value != "合计"}


@pytest.mark.parametrize("persona", ["finance", "leader"])
@pytest.mark.parametrize("what", KINDS)
def test_finance_and_leaders_download_every_file(client, ledger, persona, what):
    user = getattr(ledger, persona)
    client.force_login(user)
    response = client.get(download_url(what))
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    content = b"".join(response.streaming_content)
    assert content[:2] == b"PK"  # xlsx and docx are zip packages


def test_download_names_the_department_year_and_carries_the_user(client, ledger):
    ledger.finance.first_name, ledger.finance.last_name = "丽", "王"
    ledger.finance.save()
    client.force_login(ledger.finance)
    response = client.get(download_url("execution"))
    assert "TST_2024_" in response["Content-Disposition"]
    wb = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    assert wb.properties.creator == "丽 王"


def test_exports_page_lists_every_download_for_finance(client, ledger):
    client.force_login(ledger.finance)
    response = client.get(index_url(ledger))
    assert response.status_code == 200
    for what in KINDS:
        assert download_url(what) in response.content.decode()
    assert reverse("exports:narrative", kwargs={"department_code": "TST", "year": 2024}) in response.content.decode()


def test_accountant_sees_only_the_expenditure_detail_on_the_exports_page(client, ledger):
    client.force_login(ledger.accountant_a)
    page = client.get(index_url(ledger)).content.decode()
    assert download_url("expenditures") in page
    assert download_url("self-evaluation") not in page
    assert "测试中心" not in page  # the other unit is not offered


@pytest.mark.parametrize("what", ["self-evaluation", "project-evaluation", "execution", "workbook", "report"])
def test_accountant_cannot_download_the_department_files(client, ledger, what):
    client.force_login(ledger.accountant_a)
    assert client.get(download_url(what)).status_code == 403  # a member whose role lacks the right


def test_accountant_gets_only_their_own_units_expenditures(client, ledger):
    client.force_login(ledger.accountant_a)
    response = client.get(download_url("expenditures"))
    assert response.status_code == 200
    assert detail_units(response) == {"测试部门（本级）"}
    # Asking for the other unit still yields their own.
    response = client.get(download_url("expenditures", "unit=B"))
    assert detail_units(response) == {"测试部门（本级）"}


def test_finance_chooses_the_unit_of_the_detail(client, ledger):
    client.force_login(ledger.finance)
    assert detail_units(client.get(download_url("expenditures", "unit=B"))) == {"测试中心"}
    assert detail_units(client.get(download_url("expenditures"))) == {"测试部门（本级）", "测试中心"}


def test_a_date_outside_the_year_is_refused_with_a_message(client, ledger):
    client.force_login(ledger.finance)
    response = client.get(download_url("expenditures", "date_from=2023-12-01"), follow=True)
    assert response.redirect_chain[-1][0] == index_url(ledger)
    assert "日期须在2024年度内" in response.content.decode()


@pytest.mark.parametrize("url", ["index", "self-evaluation", "expenditures", "narrative"])
def test_outsiders_get_404(client, ledger, url):
    client.force_login(ledger.outsider)
    if url == "index":
        target = index_url(ledger)
    elif url == "narrative":
        target = reverse("exports:narrative", kwargs={"department_code": "TST", "year": 2024})
    else:
        target = download_url(url)
    assert client.get(target).status_code == 404


def test_anonymous_visitors_are_sent_to_log_in(client, ledger):
    response = client.get(download_url("report"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_unknown_file_kind_is_404(client, ledger):
    client.force_login(ledger.finance)
    assert client.get(download_url("everything")).status_code == 404


def test_finance_writes_the_report_narrative(client, ledger):
    client.force_login(ledger.finance)
    url = reverse("exports:narrative", kwargs={"department_code": "TST", "year": 2024})
    assert client.get(url).status_code == 200
    response = client.post(url, {"duties": " 团结引领妇女。 ", "key_work": "重点工作", "problems": "问题", "measures": "措施"})
    assert response.status_code == 302
    department_year = DepartmentYear.objects.get(pk=ledger.department_year.pk)
    assert (department_year.duties, department_year.measures) == ("团结引领妇女。", "措施")


@pytest.mark.parametrize("persona", ["leader", "accountant_a"])
def test_only_finance_edits_the_narrative(client, ledger, persona):
    client.force_login(getattr(ledger, persona))
    url = reverse("exports:narrative", kwargs={"department_code": "TST", "year": 2024})
    assert client.post(url, {"duties": "改写"}).status_code == 403  # a member whose role lacks the right
    assert DepartmentYear.objects.get(pk=ledger.department_year.pk).duties == ""


def test_exports_page_lists_each_file_with_the_unit_its_amounts_are_in(client, ledger):
    client.force_login(ledger.finance)
    html = client.get(index_url(ledger)).content.decode()
    units = dict(re.findall(r'data-money-unit="([\w-]+)">([^<]+)<', html))
    assert units == {
        "self-evaluation": "万元", "project-evaluation": "万元", "execution": "万元", "workbook": "元", "report": "万元",
        "monitoring": "万元",
    }
    assert "（金额单位：元）" in html  # the expenditure detail, offered below the table
    assert "金额以万元列示" not in html


def test_the_expenditure_detail_is_in_yuan_as_the_exports_page_says(client, ledger):
    client.force_login(ledger.finance)
    ws = load_workbook(io.BytesIO(b"".join(client.get(download_url("expenditures")).streaming_content))).active
    rows = list(ws.iter_rows(values_only=True))
    assert "单位：元" in rows[1][0] and "金额（元）" in rows[2]
