"""序时进度预警 (DOMAIN.md section 8): the page of items behind their plan, and `send_alerts`,
which e-mails each unit's accountants and the finance office a digest (fundmgr.alerts)."""

import importlib
import re
from datetime import date
from decimal import Decimal
from io import StringIO

import pytest
from django.core import mail
from django.core.management import CommandError, call_command

from fundmgr import settings as project_settings
from projects.models import BudgetItem
from tests.fundmgr.dashboard_support import (  # noqa: F401
    build_ledger,
    grow_ledger,
    ledger,
    personas,
    plain_static_files,
    spend,
)
from tests.fundmgr.plan_support import add_plan_and_transfer, grow_plans_and_transfers
from tests.personas import member, user
from units.models import Membership

ALERTS = "/d/DSH/2024/alerts/"
MARCH = "?asof=2024-03"


@pytest.fixture
def planned(ledger):
    add_plan_and_transfer(ledger)
    return ledger


@pytest.fixture
def mailboxes(personas):
    for name in ("finance", "accountant_a", "accountant_b", "leader"):
        personas[name].email = f"{name}@example.org"
        personas[name].save()
    return personas


def alert_rows(html):
    """(code, status label) of each row of the alerts table."""
    body = html[html.index("<tbody") :]
    return re.findall(r'<td[^>]*>([A-Z]\d)</td>.*?<span class="badge \w+">([^<]+)</span>', body, re.DOTALL)


def get(client, who, url):
    client.force_login(who)
    return client.get(url)


# --- the page ---


def test_the_finance_office_sees_every_lagging_item_with_its_unit_and_figures(client, personas, planned):
    response = get(client, personas["finance"], ALERTS + MARCH)
    assert response.status_code == 200
    html = response.content.decode()
    assert alert_rows(html) == [("A1", "滞后"), ("B1", "严重滞后")]  # A2 is ahead of its plan
    a1, b1 = response.context["rows"]
    assert (a1.item.unit_name, a1.figures.plan_to_date, a1.figures.spent) == ("甲单位", Decimal("50000.00"), Decimal("30000.00"))
    assert (b1.item.unit_name, b1.figures.plan_to_date, b1.figures.spent) == ("乙单位", Decimal("10750.00"), Decimal("4000.00"))
    assert "60.00%" in html and "37.21%" in html
    assert "严重滞后 1 个，滞后 1 个" in html


def test_a_leader_sees_every_unit(client, personas, planned):
    html = get(client, personas["leader"], ALERTS + MARCH).content.decode()
    assert alert_rows(html) == [("A1", "滞后"), ("B1", "严重滞后")]


@pytest.mark.parametrize(("who", "codes"), [("accountant_a", ["A1"]), ("accountant_b", ["B1"])])
def test_an_accountant_sees_only_their_own_units_items(client, personas, planned, who, codes):
    html = get(client, personas[who], ALERTS + MARCH).content.decode()
    assert [code for code, _ in alert_rows(html)] == codes
    assert "只列出本单位的项目" in html


def test_an_outsider_gets_404(client, personas, planned):
    assert get(client, personas["outsider"], ALERTS).status_code == 404


def test_an_item_spending_on_plan_leaves_the_page(client, personas, planned):
    spend(BudgetItem.objects.get(department_year=planned, code="A1"), "15000.00", date(2024, 3, 10))
    html = get(client, personas["finance"], ALERTS + MARCH).content.decode()
    assert alert_rows(html) == [("B1", "严重滞后")]


def test_the_chosen_month_changes_the_alerts(client, personas, planned):
    # end of December: A1 35,000 of 95,000 planned, A2 30,000 of 62,000 and B1 5,000 of 43,000: all red
    html = get(client, personas["finance"], ALERTS + "?asof=2024-12").content.decode()
    assert alert_rows(html) == [("A1", "严重滞后"), ("A2", "严重滞后"), ("B1", "严重滞后")]


# 1 session, 2 user, 3 department-year, 4 membership, 5-7 budget_summary's three (units, items, and their figures,
# plan and budget by source).
def test_the_alerts_page_runs_seven_queries_whatever_the_number_of_items_plans_and_transfers(
    client, personas, planned, django_assert_num_queries
):
    client.force_login(personas["finance"])
    with django_assert_num_queries(7):
        assert client.get(ALERTS + MARCH).status_code == 200
    grow_ledger(planned)
    grow_plans_and_transfers(planned, count=30)
    with django_assert_num_queries(7):
        assert client.get(ALERTS + MARCH).status_code == 200


def test_the_alerts_table_downloads_as_xlsx(client, personas, planned):
    response = get(client, personas["accountant_b"], ALERTS + MARCH + "&_export=xlsx&table=alerts")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")


# --- send_alerts ---


def send(*args):
    out = StringIO()
    call_command("send_alerts", *args, stdout=out)
    return out.getvalue()


def mails_to(address):
    return [message for message in mail.outbox if message.to == [address]]


def test_each_units_accountant_gets_their_units_items_and_the_finance_office_all(mailboxes, planned):
    output = send("--department", "DSH", "--year", "2024", "--as-of", "2024-03")
    assert len(mail.outbox) == 3
    (to_a,) = mails_to("accountant_a@example.org")
    assert to_a.subject == "【序时进度预警】测试部门DSH 2024年3月末：甲单位 1 个项目滞后于用款计划"
    assert "A1 甲项目（甲单位）" in to_a.body and "B1" not in to_a.body
    assert "计划进度数 50,000.00 · 执行数 30,000.00 · 计划执行率 60.00% · 滞后" in to_a.body
    (to_b,) = mails_to("accountant_b@example.org")
    assert "B1 乙运转（乙单位）" in to_b.body and "A1" not in to_b.body
    assert "计划进度数 10,750.00 · 执行数 4,000.00 · 计划执行率 37.21% · 严重滞后" in to_b.body
    (to_finance,) = mails_to("finance@example.org")
    assert to_finance.subject == "【序时进度预警】测试部门DSH 2024年3月末：共 2 个项目滞后于用款计划"
    assert "A1 甲项目" in to_finance.body and "B1 乙运转" in to_finance.body and "A2" not in to_finance.body
    assert mails_to("leader@example.org") == []
    assert output.strip() == "DSH 2024-03：2 个项目滞后，发送 3 封邮件（单位会计 2 封，涉及单位 A、B；财务处 1 封）"


def test_no_mail_goes_to_a_unit_with_no_lagging_item(mailboxes, planned):
    spend(BudgetItem.objects.get(department_year=planned, code="A1"), "15000.00", date(2024, 3, 10))
    send("--department", "DSH", "--year", "2024", "--as-of", "2024-03")
    assert mails_to("accountant_a@example.org") == []
    assert len(mails_to("accountant_b@example.org")) == 1
    (to_finance,) = mails_to("finance@example.org")
    assert "A1" not in to_finance.body


def test_nothing_is_sent_when_every_item_is_on_plan(mailboxes, planned):
    # end of January: A1 plans 10,000.00, B1 3,750.00 (45,000 × 1/12), A2 has spent 30,000.00 of 4,166.67
    for code, amount in (("A1", "10000.00"), ("B1", "3583.33")):
        spend(BudgetItem.objects.get(department_year=planned, code=code), amount, date(2024, 1, 5))
    output = send("--department", "DSH", "--year", "2024", "--as-of", "2024-01")
    assert mail.outbox == []
    assert "发送 0 封邮件" in output


def test_a_member_without_an_email_address_gets_nothing(mailboxes, planned):
    mailboxes["accountant_b"].email = ""
    mailboxes["accountant_b"].save()
    send("--department", "DSH", "--year", "2024", "--as-of", "2024-03")
    assert sorted(message.to[0] for message in mail.outbox) == ["accountant_a@example.org", "finance@example.org"]


def test_without_a_department_every_department_of_the_year_is_alerted(mailboxes, planned):
    other = build_ledger(code="OTH")
    member(user("oth_finance", email="oth@example.org"), other, Membership.Role.FINANCE)
    output = send("--year", "2024", "--as-of", "2024-03")
    assert len(mails_to("oth@example.org")) == 1
    assert len(mails_to("finance@example.org")) == 1
    assert [line.split("：")[0] for line in output.strip().splitlines()] == ["DSH 2024-03", "OTH 2024-03"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--department", "NOPE", "--year", "2024"], "没有找到部门 NOPE 的 2024 年度数据"),
        (["--department", "DSH", "--year", "2031"], "没有找到部门 DSH 的 2031 年度数据"),
        (["--year", "2031"], "没有 2031 年度的部门数据"),
        (["--department", "DSH", "--year", "2024", "--as-of", "2023-12"], "--as-of 2023-12 不在 2024 年度内"),
        (["--department", "DSH", "--year", "2024", "--as-of", "2024-13"], "--as-of 须为 YYYY-MM 格式的月份"),
    ],
)
def test_an_unknown_department_year_or_month_exits_2_with_a_clear_message(mailboxes, planned, args, message):
    with pytest.raises(CommandError) as refused:
        send(*args)
    assert refused.value.returncode == 2
    assert message in str(refused.value)
    assert mail.outbox == []


def test_the_email_settings_default_to_the_console_backend_and_read_smtp_from_the_environment(monkeypatch):
    monkeypatch.delenv("EMAIL_BACKEND", raising=False)
    assert importlib.reload(project_settings).EMAIL_BACKEND == "django.core.mail.backends.console.EmailBackend"
    monkeypatch.setenv("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
    monkeypatch.setenv("EMAIL_HOST", "smtp.example.org")
    monkeypatch.setenv("EMAIL_PORT", "587")
    reloaded = importlib.reload(project_settings)
    assert (reloaded.EMAIL_BACKEND, reloaded.EMAIL_HOST, reloaded.EMAIL_PORT) == (
        "django.core.mail.backends.smtp.EmailBackend",
        "smtp.example.org",
        587,
    )
    monkeypatch.undo()
    importlib.reload(project_settings)
