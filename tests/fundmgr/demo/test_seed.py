"""The seed department (DOMAIN.md section 7), loaded by load_demo through the workbook import."""

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from fundmgr.summary import summary_json
from fundmgr.workbook import workbook_bytes, workbook_import, workbook_rows
from projects.models import Expenditure
from tests.fundmgr.workbooks import database_state
from units.models import DepartmentYear, Membership

pytestmark = pytest.mark.django_db

# From the report (万元 x 10000): each item's full-year budget and spending.
REPORT_ITEMS = {
    "XJWF001-JB01": ("29306000.00", "28858300.00"),  # 人员经费 2930.60 / 2885.83
    "XJWF001-JB02": ("2878400.00", "2509400.00"),  # 公用经费 287.84 / 250.94
    "XJWF001-XM01": ("280000.00", "276900.00"),
    "XJWF001-XM02": ("11160000.00", "11160000.00"),
    "XJWF001-XM03": ("1800000.00", "1800000.00"),
    "XJWF001-XM04": ("4300000.00", "4197700.00"),
    "XJWF001-XM05": ("8000000.00", "7645200.00"),
    "XJWF001-XM06": ("10000000.00", "7641300.00"),
    "XJWF001-XM07": ("13450000.00", "13304000.00"),
    "XJWF001-XM08": ("2050000.00", "2007600.00"),
    "XJWF001-XM09": ("3260000.00", "3216600.00"),
    "XJWF001-JZ01": ("279400.00", "277400.00"),  # carried over 27.94 / 27.74
    "XJWF001-JZ02": ("1665000.00", "1665000.00"),  # carried over 166.50 / 166.50
    "XJWF002-XM01": ("130000.00", "130000.00"),
    "XJWF002-XM02": ("380000.00", "380000.00"),
    "XJWF003-XM01": ("1900000.00", "1899900.00"),
    "XJWF003-XM02": ("0.00", "0.00"),  # cancelled: 10.22 given, then withdrawn
    "XJWF004-XM01": ("120000.00", "120000.00"),
    "XJWF004-XM02": ("1000000.00", "1000000.00"),
    "XJWF005-XM01": ("600000.00", "600000.00"),
    "XJWF005-XM02": ("150000.00", "150000.00"),
    "XJWF006-XM01": ("940000.00", "940000.00"),
}


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def demo():
    call_command("load_demo", stdout=StringIO())
    return DepartmentYear.objects.select_related("department").get(department__code="XJWF", year=2024)


def test_the_demo_summary_shows_the_reports_totals(demo):
    summary = summary_json(department_year=demo)
    assert summary["department"] == {"code": "XJWF", "name": "新疆维吾尔自治区妇女联合会"}
    assert summary["totals"]["spent"] == "89779300.00"
    assert summary["totals"]["execution_rate"] == "95.87"
    assert {row["code"]: row["spent"] for row in summary["by_economic_class"]} == {
        "301": "25996100.00",
        "302": "44682700.00",
        "303": "3281600.00",
        "310": "15818900.00",
    }


def test_the_demo_shows_every_items_budget_and_spending_as_in_the_report(demo):
    summary = summary_json(department_year=demo)
    assert {row["code"]: (row["full_year"], row["spent"]) for row in summary["by_project"]} == REPORT_ITEMS


def test_the_demo_basic_and_project_totals_match_the_report(demo):
    categories = {row["category"]: row for row in summary_json(department_year=demo)["by_category"]}
    assert categories["personnel"]["spent"] == "28858300.00"
    assert categories["operating"]["spent"] == "2509400.00"
    assert categories["project"]["full_year"] == "61464400.00"
    assert categories["project"]["spent"] == "58411600.00"


def test_the_demo_evaluation_scores_99_59_excellent(demo):
    evaluation = summary_json(department_year=demo)["evaluation"]
    assert evaluation["execution_score"] == "9.59"
    assert evaluation["score"] == "99.59"
    assert evaluation["rating"] == "excellent"
    assert [row["points"] for row in evaluation["indicators"]] == ["16.67", "16.67", "16.66", "15.00", "15.00", "10.00"]


def test_the_demo_has_the_six_units_with_the_staff_on_the_department_office(demo):
    units = summary_json(department_year=demo)["by_unit"]
    assert len(units) == 6
    office = demo.department.units.get(code="XJWF001")
    assert (office.kind, office.authorized_staff, office.actual_staff, office.retired_staff, office.lixiu_staff) == (
        "administrative",
        151,
        124,
        118,
        1,
    )
    assert set(demo.department.units.exclude(code="XJWF001").values_list("kind", flat=True)) == {"institution"}


def test_the_demo_expenditures_are_marked_illustrative(demo):
    assert not Expenditure.objects.exclude(memo__endswith="（示意）").exists()


def test_loading_the_demo_twice_creates_nothing_new(demo):
    before = database_state()
    users = get_user_model().objects.count()
    out = StringIO()
    call_command("load_demo", stdout=out)
    assert database_state() == before
    assert get_user_model().objects.count() == users
    assert "已存在，未做改动" in out.getvalue()


def test_the_demo_logins_have_their_roles(demo):
    User = get_user_model()
    roles = {
        m.user.username: (m.role, m.unit.code if m.unit else None) for m in Membership.objects.select_related("user", "unit")
    }
    assert roles == {
        "caiwu": ("finance", None),
        "kuaiji1": ("accountant", "XJWF001"),
        "kuaiji2": ("accountant", "XJWF002"),
        "lingdao": ("leader", None),
    }
    waibu = User.objects.get(username="waibu")
    assert not waibu.memberships.exists()
    caiwu = User.objects.get(username="caiwu")
    assert caiwu.is_staff and not User.objects.get(username="kuaiji1").is_staff
    assert caiwu.has_perm("projects.change_budgetitem") and caiwu.has_perm("indicators.add_indicator")
    assert {
        u: set(User.objects.get(username=u).groups.values_list("name", flat=True))
        for u in ("caiwu", "kuaiji2", "lingdao", "waibu", "caizheng")
    } == {
        "caiwu": {"财务处"},
        "kuaiji2": {"单位会计"},
        "lingdao": {"领导"},
        "waibu": set(),
        "caizheng": {"财政厅"},
    }
    assert not User.objects.get(username="caizheng").memberships.exists()


def test_the_demo_logins_use_the_demo_password(demo, settings):
    assert get_user_model().objects.get(username="kuaiji1").check_password(settings.DEMO_PASSWORD)


def test_the_demo_exported_to_a_workbook_and_imported_again_gives_the_same_summary(demo):
    before = summary_json(department_year=demo)
    result = workbook_import(source=workbook_bytes(workbook_rows(department_year=demo)), replace=True)
    assert [str(error) for error in result.errors] == []
    assert result.replaced
    assert summary_json(department_year=demo) == before


def test_load_demo_prints_the_logins_with_their_roles():
    out = StringIO()
    call_command("load_demo", stdout=out)
    printed = out.getvalue()
    assert "已导入示范数据" in printed and "支出 8977.93 万元" in printed
    assert "kuaiji2  单位会计：新疆维吾尔自治区儿童发展中心" in printed
    assert "waibu    外部用户（无任何角色）" in printed
    assert "caizheng 财政厅复核：自评表复核、全省视图" in printed
