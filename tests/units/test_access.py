"""units/access.py, the one answer to "may this user see or change this", seen from the pages.

Every URL of the app × every persona → the expected status.

The URL list is walked from the resolver, so a URL added without a row here fails
test_every_url_has_a_row_in_the_matrix. Admin URLs are covered by the admin tests below.

Department pages derive their statuses from the one rule of units.access, by what the address
names (the department, or a record of unit A) and what the page needs of the role:
- 302 to the login page for anonymous visitors;
- 404 when the user has no membership for what the address names: the outsider everywhere, and the
  accountant of unit B on anything of unit A (same department, another unit);
- 403 when they belong there but their role lacks the right (a leader entering spending, an
  accountant approving or reading department-wide figures);
- otherwise the page's own answer (200, or 405 for a GET of a POST-only action).

Below the matrix, the same rule on posts and records: nobody sees or touches what is not theirs.
"""

import secrets
from datetime import date
from decimal import Decimal
from io import BytesIO

import pytest
from django.contrib import admin
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from openpyxl import load_workbook

from fundmgr.models import Job
from fundmgr.workbook import error_list, upload
from fundmgr.workbook.reader import WorkbookError
from indicators.declarations import declaration_start
from indicators.evidence import evidence_upload
from indicators.models import TargetDeclaration
from projects import services
from projects.models import BudgetLine, Expenditure, MonthClose
from tests import personas
from tests.indicators import evidence_files
from tests.personas import PERSONAS, World
from units.access import DEPARTMENT_WIDE, FINANCE, READ, SPEND

pytestmark = pytest.mark.django_db

F, A, B, L, O, N = PERSONAS  # finance, accountant_a, accountant_b, leader, outsider, anonymous

DEPARTMENT, UNIT_A = "department", "unit A"  # what the address names
ROLE_HAS = {  # need -> the personas whose role has it in the department
    READ: {F, A, B, L},
    SPEND: {F, A, B},
    FINANCE: {F},
    DEPARTMENT_WIDE: {F, L},
}


def statuses(finance, accountant_a, accountant_b, leader, outsider, anonymous=302):
    return {F: finance, A: accountant_a, B: accountant_b, L: leader, O: outsider, N: anonymous}


def by_rule(owner: str, need: str, ok: int = 200) -> dict:
    """Each persona's status on a department page, from units.access's rule."""

    def status(persona):
        if persona == N:
            return 302
        if persona == O or (owner == UNIT_A and persona == B):
            return 404
        return ok if persona in ROLE_HAS[need] else 403

    return {persona: status(persona) for persona in PERSONAS}


SIGNED_IN = statuses(200, 200, 200, 200, 200)


def dept(world: World, **extra):
    return {**world.kwargs, **extra}


@pytest.fixture(autouse=True)
def private_uploads(own_storage):
    """The upload's files (kept_error_list's among them) go to the test's own storage, not var/."""


def kept_error_list(world: World) -> str:
    """The token of a refused dry run by PD's finance officer, whose error list is kept for download."""
    token = secrets.token_hex(16)
    errors = [WorkbookError("支出明细", 12, "金额", "金额须大于0")]
    upload.kept_write(upload.errors_path(token), error_list.errors_content(errors=errors, user=world.finance, department=world.code))
    return token


def finance_job(world: World, kind: str = Job.Kind.IMPORT_CHECK) -> Job:
    """A finished background job PD's finance officer started (fundmgr.jobs): a passed dry run, an export
    with its file, or an import refused for a row."""
    if kind == Job.Kind.EXPORT:
        output = default_storage.save("exports/test.xlsx", ContentFile(b"PK"))
        return Job.objects.create(
            kind=kind, user=world.finance, status=Job.Status.DONE, output=output, result={"filename": "t.xlsx"}
        )
    if kind == Job.Kind.IMPORT:
        errors = [{"sheet": "支出明细", "row": 12, "column": "金额", "message": "金额须大于0"}]
        return Job.objects.create(
            kind=kind, user=world.finance, department_code=world.code, status=Job.Status.FAILED, errors=errors
        )
    return Job.objects.create(
        kind=kind, user=world.finance, department_code=world.code, status=Job.Status.DONE, result={"counts": {}}
    )


def transfer_in_unit_a(world: World):
    """A 预算调剂 between unit A's items (A2 → A1, below the 三重一大 threshold: in effect at once)."""
    return services.transfer_create(
        department_year=world.department_year,
        from_item=world.item_a2,
        to_item=world.item_a,
        source="local",
        amount=Decimal("100.00"),
        date=date(2024, 7, 1),
        document="调1",
        created_by=world.finance,
    )


def declared(world: World, item) -> int:
    """The number of a version of the scope's targets (a draft, started once)."""
    version = TargetDeclaration.objects.filter(department_year=world.department_year, item=item).first()
    if version is None:
        version = declaration_start(department_year=world.department_year, item=item, user=world.finance)
    return version.version


def evidence_of_unit_a(world: World):
    """A 佐证材料 on unit A's item A1, attached to its indicator by the finance office."""
    return evidence_upload(
        department_year=world.department_year,
        item=world.item_a,
        indicator=world.indicator_a,
        upload=evidence_files.upload("签到表.pdf", evidence_files.PDF),
        user=world.finance,
    )


# route name -> (kwargs from the world, query string, expected statuses)
MATRIX = {
    "home": (lambda w: {}, "", statuses(302, 302, 302, 302, 200)),
    "login": (lambda w: {}, "", statuses(200, 200, 200, 200, 200, 200)),
    "logout": (lambda w: {}, "", statuses(405, 405, 405, 405, 405, 405)),
    "set_language": (lambda w: {}, "", statuses(302, 302, 302, 302, 302, 302)),
    # an accountant's department dashboard is their unit's: they are redirected there
    "department": (dept, "", statuses(200, 302, 302, 200, 404)),
    "units:expenditures_export": (lambda w: dept(w, unit_code=w.unit_a.code), "", by_rule(UNIT_A, READ)),
    # the province view is for superusers and the 财政厅 group (tests/fundmgr/test_dashboard_pages.py)
    "province": (lambda w: {"year": w.department_year.year}, "", statuses(404, 404, 404, 404, 404)),
    "units:detail": (lambda w: dept(w, unit_code=w.unit_a.code), "", by_rule(UNIT_A, READ)),
    "projects:detail": (lambda w: dept(w, item_code=w.item_a.code), "", by_rule(UNIT_A, READ)),
    # 序时进度预警 (fundmgr.alerts): every member; an accountant sees only their own unit's items
    "alerts:index": (dept, "", by_rule(DEPARTMENT, READ)),
    "expenditures:list": (dept, "", by_rule(DEPARTMENT, READ)),
    "expenditures:new": (dept, "", by_rule(DEPARTMENT, SPEND)),
    # 我的录入: whoever may enter spending sees their own entries and what was decided about them
    "expenditures:mine": (dept, "", by_rule(DEPARTMENT, SPEND)),
    "expenditures:edit": (lambda w: dept(w, pk=w.spent_a.pk), "", by_rule(UNIT_A, SPEND)),
    "expenditures:delete": (lambda w: dept(w, pk=w.spent_a.pk), "", by_rule(UNIT_A, SPEND)),
    "expenditures:history": (lambda w: dept(w, pk=w.spent_a.pk), "", by_rule(UNIT_A, READ)),
    "expenditures:available": (dept, "?item={item_a}&date=2024-07-01", by_rule(UNIT_A, READ)),
    # shared reference data (economic classes), for the roles that enter spending
    "expenditures:economic_classes": (dept, "?economic_class_parent=302", by_rule(DEPARTMENT, SPEND)),
    "expenditures:approvals": (dept, "", by_rule(DEPARTMENT, FINANCE)),
    "expenditures:approve_batch": (dept, "", by_rule(DEPARTMENT, FINANCE, ok=405)),
    "expenditures:approve": (lambda w: dept(w, pk=w.pending_a.pk), "", by_rule(UNIT_A, FINANCE, ok=405)),
    "expenditures:reject": (lambda w: dept(w, pk=w.pending_a.pk), "", by_rule(UNIT_A, FINANCE, ok=405)),
    "budget_lines:list": (dept, "", by_rule(DEPARTMENT, READ)),
    "budget_lines:new": (dept, "", by_rule(DEPARTMENT, FINANCE)),
    "budget_lines:history": (lambda w: dept(w, pk=w.line_a.pk), "", by_rule(UNIT_A, READ)),
    "closing:months": (dept, "", by_rule(DEPARTMENT, READ)),
    # GET is the confirmation page; the close happens only on POST
    "closing:close": (lambda w: dept(w, month=3), "", by_rule(DEPARTMENT, FINANCE)),
    "closing:close_through": (lambda w: dept(w, month=3), "", by_rule(DEPARTMENT, FINANCE)),
    "closing:reopen": (lambda w: dept(w, month=3), "", by_rule(DEPARTMENT, FINANCE, ok=405)),
    # 用款计划 (DOMAIN.md section 8): every member reads it; the finance office and the item's unit accountant write it
    "plans:edit": (lambda w: dept(w, item_code=w.item_a.code), "", by_rule(UNIT_A, READ)),
    # 预算调剂: every member reads the list (an accountant, their unit's); the finance office enters,
    # deletes (GET confirms) and decides them; the transfer is looked up first
    "transfers:list": (dept, "", by_rule(DEPARTMENT, READ)),
    "transfers:new": (dept, "", by_rule(DEPARTMENT, FINANCE)),
    "transfers:delete": (lambda w: dept(w, pk=transfer_in_unit_a(w).pk), "", by_rule(UNIT_A, FINANCE)),
    "transfers:approve": (lambda w: dept(w, pk=transfer_in_unit_a(w).pk), "", by_rule(UNIT_A, FINANCE, ok=405)),
    "transfers:reject": (lambda w: dept(w, pk=transfer_in_unit_a(w).pk), "", by_rule(UNIT_A, FINANCE, ok=405)),
    # 年终结转: the finance office's year page (GET previews; the close happens only on POST)
    "yearend:close": (dept, "", by_rule(DEPARTMENT, FINANCE)),
    "audit:changes": (dept, "", by_rule(DEPARTMENT, READ)),
    "audit:indicator_history": (lambda w: dept(w, pk=w.indicator_a.pk), "", by_rule(UNIT_A, READ)),
    "indicators:evaluation": (dept, "", by_rule(DEPARTMENT, DEPARTMENT_WIDE)),
    "indicators:monitoring": (dept, "", by_rule(DEPARTMENT, DEPARTMENT_WIDE)),
    "indicators:item_evaluation": (lambda w: dept(w, item_code=w.item_a.code), "", by_rule(UNIT_A, READ)),
    "indicators:results": (lambda w: dept(w, indicator_code=w.indicator_a.code), "", by_rule(UNIT_A, FINANCE)),
    # 上传自评表 into an item's evaluation (fundmgr.review.load_views): the finance office; the item is looked up first
    "evaluation_upload:item": (lambda w: dept(w, item_code=w.item_a.code), "", by_rule(UNIT_A, FINANCE)),
    "evaluation_upload:department": (dept, "", by_rule(DEPARTMENT, FINANCE)),
    # 评分设置 (DOMAIN.md section 9): the finance office's page
    "indicators:scoring": (dept, "", by_rule(DEPARTMENT, FINANCE)),
    "indicators:phrases": (dept, "", by_rule(DEPARTMENT, FINANCE)),
    # 年度总体目标 (DOMAIN.md section 9): the finance office writes them, for the department or an item
    "indicators:goal": (dept, "", by_rule(DEPARTMENT, FINANCE)),
    # not a department's address: the finance office of some department uploads (fundmgr.workbook.upload)
    "upload:workbook": (lambda w: {}, "", statuses(200, 403, 403, 403, 403)),
    # the finance bureau's review of 自评表 (fundmgr.review.views): superusers and the 财政厅 group only
    "review:upload": (lambda w: {}, "", statuses(403, 403, 403, 403, 403)),
    "review:batch": (lambda w: {"token": "0" * 32}, "", statuses(403, 403, 403, 403, 403)),
    "review:export": (lambda w: {"token": "0" * 32}, "", statuses(403, 403, 403, 403, 403)),
    "review:table": (lambda w: {"token": "0" * 32, "number": 1}, "", statuses(403, 403, 403, 403, 403)),
    "upload:template": (lambda w: {}, "", statuses(200, 403, 403, 403, 403)),
    # a department-year's 用款计划 template (fundmgr.workbook.plans): its finance office's
    "upload:plan_template": (dept, "", by_rule(DEPARTMENT, FINANCE)),
    # a refused dry run's error list: the uploader's (here PD's finance officer) and their department's finance office
    "upload:errors": (lambda w: {"token": kept_error_list(w)}, "", statuses(200, 403, 403, 403, 403)),
    "accounts:password": (lambda w: {}, "", SIGNED_IN),
    "accounts:password_done": (lambda w: {}, "", SIGNED_IN),
    # accountants see the exports page but download only their own unit's expenditure detail
    "exports:index": (dept, "", by_rule(DEPARTMENT, READ)),
    "exports:download": (lambda w: dept(w, what="self-evaluation"), "", by_rule(DEPARTMENT, DEPARTMENT_WIDE)),
    "exports:narrative": (dept, "", by_rule(DEPARTMENT, FINANCE)),
    # -- issue 16: 绩效目标申报 and 目标调整 (declaration) --
    # the department's targets are department-wide figures; an item's are read by its unit and the
    # department (writes by role: tests/indicators/test_declaration_pages.py)
    "indicators:declaration": (dept, "", by_rule(DEPARTMENT, DEPARTMENT_WIDE)),
    "indicators:declaration_version": (lambda w: dept(w, version=declared(w, None)), "", by_rule(DEPARTMENT, DEPARTMENT_WIDE)),
    "indicators:declaration_export": (dept, "", by_rule(DEPARTMENT, DEPARTMENT_WIDE)),
    "indicators:item_declaration": (lambda w: dept(w, item_code=w.item_a.code), "", by_rule(UNIT_A, READ)),
    "indicators:item_declaration_version": (
        lambda w: dept(w, item_code=w.item_a.code, version=declared(w, w.item_a)),
        "",
        by_rule(UNIT_A, READ),
    ),
    "indicators:item_declaration_export": (lambda w: dept(w, item_code=w.item_a.code), "", by_rule(UNIT_A, READ)),
    # -- issue 16: 绩效运行监控 (monitoring) --
    # the finance office sets the 监控月份 (POST only); the entry forms: the finance office any, a unit
    # accountant their unit's items and item indicators (the record is looked up first), never a leader
    "indicators:monitoring_month": (dept, "", by_rule(DEPARTMENT, FINANCE, ok=405)),
    "indicators:monitoring_indicator": (lambda w: dept(w, indicator_code=w.indicator_a.code), "", by_rule(UNIT_A, SPEND)),
    "indicators:monitoring_item": (lambda w: dept(w, item_code=w.item_a.code), "", by_rule(UNIT_A, SPEND)),
    # -- issue 16: 佐证材料 (evidence) --
    # every member reads and downloads (an accountant, their unit's); the finance office and the item's
    # unit accountant upload and delete (POST only), the department's own evidence the finance office
    "indicators:evidence_upload": (dept, "", by_rule(DEPARTMENT, FINANCE, ok=405)),
    "indicators:item_evidence_upload": (lambda w: dept(w, item_code=w.item_a.code), "", by_rule(UNIT_A, SPEND, ok=405)),
    "indicators:evidence_download": (lambda w: dept(w, pk=evidence_of_unit_a(w).pk), "", by_rule(UNIT_A, READ)),
    "indicators:evidence_delete": (lambda w: dept(w, pk=evidence_of_unit_a(w).pk), "", by_rule(UNIT_A, SPEND, ok=405)),
    # -- issue 16: ledger formulas --
    # -- issue 17: background jobs (fundmgr.job_views): the user who started one (here PD's finance officer),
    # and for an import their department's finance office; 404 for everyone else. Confirming is a POST.
    "jobs:detail": (lambda w: {"pk": finance_job(w).pk}, "", statuses(200, 404, 404, 404, 404)),
    "jobs:progress": (lambda w: {"pk": finance_job(w).pk}, "", statuses(200, 404, 404, 404, 404)),
    "jobs:confirm": (lambda w: {"pk": finance_job(w).pk}, "", statuses(405, 405, 405, 405, 405)),
    "jobs:download": (lambda w: {"pk": finance_job(w, Job.Kind.EXPORT).pk}, "", statuses(200, 404, 404, 404, 404)),
    "jobs:errors": (lambda w: {"pk": finance_job(w, Job.Kind.IMPORT).pk}, "", statuses(200, 404, 404, 404, 404)),
    # 共性指标（账表取数）: the leaders read it, the finance office adds and removes (a POST needs FINANCE)
    "indicators:formulas": (dept, "", by_rule(DEPARTMENT, DEPARTMENT_WIDE)),
}


def route_names(resolver=None, namespace=""):
    """Every named route of the URLconf as 'namespace:name'; admin routes are left to the admin tests."""
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            inner = namespace
            if entry.namespace:
                inner = f"{namespace}{entry.namespace}:"
            if inner.startswith("admin:"):
                continue
            yield from route_names(entry, inner)
        elif isinstance(entry, URLPattern):
            yield f"{namespace}{entry.name}" if entry.name else f"{namespace}<unnamed {entry.pattern}>"


def test_every_url_has_a_row_in_the_matrix():
    missing = sorted(set(route_names()) - set(MATRIX))
    assert missing == [], f"URLs without an access-matrix row: {missing}"
    stale = sorted(set(MATRIX) - set(route_names()))
    assert stale == [], f"matrix rows for URLs that no longer exist: {stale}"


@pytest.mark.parametrize("route", sorted(MATRIX))
def test_each_persona_gets_the_expected_status(route, world, as_persona):
    kwargs_of, query, expected = MATRIX[route]
    url = reverse(route, kwargs=kwargs_of(world)) + query.format(item_a=world.item_a.pk)
    got = {}
    for persona in PERSONAS:
        got[persona] = as_persona(persona).get(url).status_code
    assert got == expected


def test_anonymous_users_are_sent_to_the_login_page(world, client):
    response = client.get(reverse("expenditures:list", kwargs=world.kwargs))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def admin_urls():
    urls = [reverse("admin:index")]
    for model in admin.site._registry:
        urls.append(reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist"))
    return urls


def test_the_admin_admits_only_the_finance_office(world, as_persona):
    """Non-staff personas are sent to the admin login; the finance office (staff + 财务处 group)
    reaches the index and the changelists of the ledger apps it holds permissions on."""
    for url in admin_urls():
        for persona in (A, B, L, O, N):
            response = as_persona(persona).get(url)
            assert response.status_code == 302, (persona, url)
            assert "/admin/login/" in response["Location"]
    finance = as_persona(F)
    assert finance.get(reverse("admin:index")).status_code == 200
    for model in admin.site._registry:
        url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        expected = 200 if model._meta.app_label in ("projects", "units", "indicators") else 403
        assert finance.get(url).status_code == expected, url


def matrix_size():
    return len(MATRIX), len(PERSONAS)


# Records and posts: what the GETs of the matrix do not show


def url(world, name, **kwargs):
    return reverse(name, kwargs={**world.kwargs, **kwargs})


def entry(item, **overrides):
    return {
        "item": item.pk,
        "date": "2024-07-01",
        "amount": "10.00",
        "economic_class": "30201",
        "memo": "伪造",
        "voucher": "",
        "procurement_method": "",
        **overrides,
    }


def test_accountant_cannot_post_spending_to_another_unit_with_a_forged_item(world, as_persona):
    response = as_persona("accountant_a").post(url(world, "expenditures:new"), entry(world.item_b))
    assert response.status_code == 200
    assert "errors-item" in response.content.decode()
    assert not Expenditure.objects.filter(memo="伪造").exists()


def test_accountant_cannot_edit_or_delete_another_units_expenditure(world, as_persona):
    client = as_persona("accountant_a")
    edit = url(world, "expenditures:edit", pk=world.spent_b.pk)
    assert client.get(edit).status_code == 404
    assert client.post(edit, entry(world.item_b, amount="1.00")).status_code == 404
    assert client.post(url(world, "expenditures:delete", pk=world.spent_b.pk)).status_code == 404
    world.spent_b.refresh_from_db()
    assert world.spent_b.amount == Decimal("2000.00")


def test_accountant_cannot_read_another_units_history_or_available_amount(world, as_persona):
    client = as_persona("accountant_a")
    assert client.get(url(world, "expenditures:history", pk=world.spent_b.pk)).status_code == 404
    assert client.get(url(world, "budget_lines:history", pk=world.line_b.pk)).status_code == 404
    assert client.get(url(world, "audit:indicator_history", pk=world.indicator_b.pk)).status_code == 404
    available = client.get(url(world, "expenditures:available"), {"item": world.item_b.pk}, HTTP_HX_REQUEST="true")
    assert available.status_code == 404


def test_accountant_sees_and_exports_only_their_units_rows(world, as_persona):
    client = as_persona("accountant_a")
    listing = client.get(url(world, "expenditures:list")).content.decode()
    assert "甲办公用品" in listing and "乙办公用品" not in listing
    forged_filter = client.get(url(world, "expenditures:list"), {"item": world.item_b.pk}).content.decode()
    assert "乙办公用品" not in forged_filter
    export = client.get(url(world, "expenditures:list"), {"_export": "xlsx", "item": world.item_b.pk})
    sheet = load_workbook(BytesIO(b"".join(export.streaming_content))).active
    cells = [str(value) for row in sheet.iter_rows(values_only=True) for value in row]
    assert not any("乙" in cell for cell in cells)
    lines = client.get(url(world, "budget_lines:list"), {"_export": "xlsx"})
    rows = list(load_workbook(BytesIO(b"".join(lines.streaming_content))).active.iter_rows(values_only=True))
    codes = [row[1] for row in rows[3:-1]]  # after the title, the unit line and the header; before the total
    assert sorted(codes) == ["A1", "A2"]


def test_accountant_change_log_shows_only_their_unit(world, as_persona):
    body = as_persona("accountant_a").get(url(world, "audit:changes")).content.decode()
    assert "甲办公用品" in body
    assert "乙办公用品" not in body


def test_accountant_cannot_approve_close_or_enter_budget_lines(world, as_persona):
    client = as_persona("accountant_a")
    approve = {f"{world.pending_a.pk}-meeting_date": "2024-06-10", f"{world.pending_a.pk}-minutes_number": "1"}
    assert client.post(url(world, "expenditures:approve", pk=world.pending_a.pk), approve).status_code == 403
    assert client.post(url(world, "closing:close", month=1)).status_code == 403
    line = {
        "item": world.item_a.pk,
        "kind": "addition",
        "source": "local",
        "amount": "5.00",
        "date": "2024-07-01",
        "document": "X",
    }
    assert client.post(url(world, "budget_lines:new"), line).status_code == 403
    world.pending_a.refresh_from_db()
    assert world.pending_a.status == Expenditure.Status.PENDING
    assert not MonthClose.objects.exists()
    assert BudgetLine.objects.count() == 3


def test_leader_reads_everything_and_writes_nothing(world, as_persona):
    client = as_persona("leader")
    assert "乙办公用品" in client.get(url(world, "expenditures:list")).content.decode()
    before = (Expenditure.objects.count(), BudgetLine.objects.count(), MonthClose.objects.count())
    writes = [
        (url(world, "expenditures:new"), entry(world.item_a)),
        (url(world, "expenditures:edit", pk=world.spent_a.pk), entry(world.item_a, amount="1.00")),
        (url(world, "expenditures:delete", pk=world.spent_a.pk), {}),
        (url(world, "expenditures:approve", pk=world.pending_a.pk), {}),
        (url(world, "expenditures:reject", pk=world.pending_a.pk), {f"{world.pending_a.pk}-rejection_reason": "x"}),
        (url(world, "budget_lines:new"), {}),
        (url(world, "closing:close", month=1), {}),
        (url(world, "closing:reopen", month=1), {"reason": "x"}),
        (reverse("upload:workbook"), {}),
    ]
    for target, data in writes:
        assert client.post(target, data).status_code == 403, target
    assert (Expenditure.objects.count(), BudgetLine.objects.count(), MonthClose.objects.count()) == before
    world.spent_a.refresh_from_db()
    assert world.spent_a.amount == Decimal("1000.00")


def test_outsider_gets_404_for_every_department_page(world, as_persona):
    client = as_persona("outsider")
    for name, kwargs in [("expenditures:list", {}), ("expenditures:new", {}), ("audit:changes", {}), ("closing:months", {})]:
        assert client.get(url(world, name, **kwargs)).status_code == 404
    assert client.post(url(world, "expenditures:new"), entry(world.item_a)).status_code == 404
    assert not Expenditure.objects.filter(memo="伪造").exists()


def test_a_member_of_another_department_gets_404(world, as_persona, client):
    other = personas.build(code="OTHER", prefix="other_")
    client.force_login(other.finance)
    assert client.get(url(world, "expenditures:list")).status_code == 404
    assert client.get(url(world, "expenditures:history", pk=world.spent_a.pk)).status_code == 404


def test_another_units_accountant_gets_404_not_403_for_unit_a_s_records_even_on_finance_actions(world, as_persona):
    """The record is looked up before the role is checked: unit B's accountant learns nothing of unit A."""
    client = as_persona("accountant_b")
    approve = {f"{world.pending_a.pk}-meeting_date": "2024-06-10", f"{world.pending_a.pk}-minutes_number": "1"}
    assert client.post(url(world, "expenditures:approve", pk=world.pending_a.pk), approve).status_code == 404
    reject = {f"{world.pending_a.pk}-rejection_reason": "x"}
    assert client.post(url(world, "expenditures:reject", pk=world.pending_a.pk), reject).status_code == 404
    assert client.get(url(world, "indicators:results", indicator_code=world.indicator_a.code)).status_code == 404
    world.pending_a.refresh_from_db()
    assert world.pending_a.status == Expenditure.Status.PENDING


def test_a_member_whose_role_lacks_the_right_gets_403_on_department_wide_pages(world, as_persona):
    client = as_persona("accountant_a")
    assert client.get(url(world, "indicators:evaluation")).status_code == 403
    assert client.get(url(world, "indicators:results", indicator_code=world.indicator_a.code)).status_code == 403
    assert as_persona("leader").get(url(world, "exports:narrative")).status_code == 403


def test_a_record_id_of_another_department_is_404_for_its_finance_office_too(world, client):
    other = personas.build(code="OTHER", prefix="other_")
    client.force_login(other.finance)
    foreign = {"department_code": other.code, "year": other.year}
    for name in ("expenditures:edit", "expenditures:delete", "expenditures:history", "expenditures:approve"):
        assert client.get(reverse(name, kwargs={**foreign, "pk": world.pending_a.pk})).status_code == 404, name
    approve = {f"{world.pending_a.pk}-meeting_date": "2024-06-10", f"{world.pending_a.pk}-minutes_number": "1"}
    assert client.post(reverse("expenditures:approve", kwargs={**foreign, "pk": world.pending_a.pk}), approve).status_code == 404
    available = client.get(reverse("expenditures:available", kwargs=foreign), {"item": world.item_a.pk})
    assert available.status_code == 404
    world.pending_a.refresh_from_db()
    assert world.pending_a.status == Expenditure.Status.PENDING
