"""User text in an exported file stays text: "=HYPERLINK(...)" typed as a memo is never a live formula.

Every file a user can take away is covered, enumerated rather than listed by hand:
- each kind of `manage.py export` (fundmgr.exports.registry.KINDS);
- each web page whose view can answer with a file (found by walking the URLconf), and on it
  every export link it shows (`?_export=xlsx`, `.xlsx`, the exports page's downloads).
A new kind or a new exporting page is therefore tested as soon as it exists, or fails here
until the test knows how to reach it.
"""

import html
import inspect
import io
import re
from urllib.parse import unquote

import pytest
from django.core.management import call_command
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from docx import Document
from openpyxl import load_workbook

from fundmgr.dashboards.views import DashboardMixin
from fundmgr.exports import registry
from fundmgr.exports import views as export_views
from fundmgr.lib.table_xlsx import XlsxExportMixin
from indicators.models import Indicator
from projects.models import BudgetItem, BudgetLine, Expenditure
from tests import personas
from units.models import BudgetUnit, Department, DepartmentYear

XLSX = registry.XLSX
DOCX = registry.DOCX

# One payload per user-controlled text field, each starting with a character a spreadsheet
# reads as the start of a formula.
PAYLOADS = {
    "department name": '=HYPERLINK("http://evil","dept")',
    "unit name": '=HYPERLINK("http://evil","unit")',
    "other unit name": "+1",
    "item name": '=HYPERLINK("http://evil","item")',
    "other item name": "-1",
    "memo": '=HYPERLINK("http://evil","memo")',
    "voucher": "@SUM(1)",
    "document number": '=HYPERLINK("http://evil","doc")',
    "indicator name": '=HYPERLINK("http://evil","indicator")',
    "indicator level 2": "=1+1",
    "deviation reason": '=HYPERLINK("http://evil","deviation")',
    "department narrative": '=HYPERLINK("http://evil","duties")',
}


def hostile_world():
    """The personas' department-year with a formula-like text in every user-supplied field."""
    world = personas.build()
    Department.objects.filter(pk=world.department_year.department_id).update(name=PAYLOADS["department name"])
    DepartmentYear.objects.filter(pk=world.department_year.pk).update(duties=PAYLOADS["department narrative"])
    BudgetUnit.objects.filter(pk=world.unit_a.pk).update(name=PAYLOADS["unit name"])
    BudgetUnit.objects.filter(pk=world.unit_b.pk).update(name=PAYLOADS["other unit name"])
    BudgetItem.objects.filter(pk=world.item_a.pk).update(name=PAYLOADS["item name"])
    BudgetItem.objects.filter(pk=world.item_b.pk).update(name=PAYLOADS["other item name"])
    Expenditure.objects.filter(pk=world.spent_a.pk).update(memo=PAYLOADS["memo"], voucher=PAYLOADS["voucher"])
    BudgetLine.objects.filter(pk=world.line_a.pk).update(document=PAYLOADS["document number"])
    Indicator.objects.filter(pk=world.indicator_a.pk).update(
        name=PAYLOADS["indicator name"], level2=PAYLOADS["indicator level 2"], deviation_reason=PAYLOADS["deviation reason"],
        actual=world.indicator_a.target / 2,  # missed, so the deviation reason is shown
    )
    world.department_year.refresh_from_db()
    return world


def xlsx_texts(content: bytes, label: str) -> list[str]:
    """Every text cell of the workbook; fails on any formula cell."""
    book = load_workbook(io.BytesIO(content))
    texts = []
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", f"{label}: {sheet.title}!{cell.coordinate} is a formula: {cell.value!r}"
                if isinstance(cell.value, str):
                    texts.append(cell.value)
    return texts


def docx_texts(content: bytes) -> list[str]:
    document = Document(io.BytesIO(content))
    texts = [paragraph.text for paragraph in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            texts.extend(cell.text for cell in row.cells)
    return texts


def payloads_in(texts: list[str]) -> set[str]:
    """The fields whose payload appears, as written, in one of the texts."""
    return {field for field, payload in PAYLOADS.items() if any(payload in text for text in texts)}


def file_texts(content: bytes, content_type: str, label: str) -> list[str]:
    if content_type == XLSX:
        return xlsx_texts(content, label)
    assert content_type == DOCX, f"{label}: an export of unknown type {content_type}"
    return docx_texts(content)


# ---- manage.py export ---------------------------------------------------------------------------


@pytest.fixture
def hostile(db):
    return hostile_world()


def command_export(world, what, tmp_path) -> bytes:
    out = tmp_path / f"{what}.{registry.KINDS[what].extension}"
    call_command("export", department=world.code, year=world.year, what=what, out=str(out), stdout=io.StringIO())
    return out.read_bytes()


@pytest.mark.parametrize("what", list(registry.KINDS))
def test_every_command_export_writes_user_text_as_text_never_as_a_formula(hostile, tmp_path, what):
    texts = file_texts(command_export(hostile, what, tmp_path), registry.KINDS[what].content_type, what)
    assert payloads_in(texts), f"{what}: none of the user's texts reached the file"


def test_the_command_exports_together_carry_every_user_text_field(hostile, tmp_path):
    """So that the per-kind test above really feeds each field through some file."""
    found = set()
    for what, kind in registry.KINDS.items():
        found |= payloads_in(file_texts(command_export(hostile, what, tmp_path), kind.content_type, what))
    assert found == set(PAYLOADS)


# ---- web downloads ------------------------------------------------------------------------------


def exporting_patterns():
    """The names of the URL patterns whose view can answer with a file."""
    def walk(patterns, namespace=None):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                yield from walk(pattern.url_patterns, pattern.namespace or namespace)
            elif isinstance(pattern, URLPattern):
                yield (f"{namespace}:{pattern.name}" if namespace else pattern.name), pattern.callback

    for name, callback in walk(get_resolver().url_patterns):
        view_class = getattr(callback, "view_class", None)
        if view_class is not None and issubclass(view_class, (DashboardMixin, XlsxExportMixin)):
            yield name
        elif inspect.unwrap(callback) is inspect.unwrap(export_views.download):
            yield name


def pages(world) -> dict[str, str]:
    """For each exporting URL pattern: the page that shows its export links (or is the file)."""
    department = world.kwargs
    return {
        "department": reverse("department", kwargs=department) + "?asof=2024-12",
        "province": reverse("province", kwargs={"year": world.year}) + "?asof=2024-12",
        "units:detail": reverse("units:detail", kwargs={**department, "unit_code": world.unit_a.code}) + "?asof=2024-12",
        "units:expenditures_export": reverse("units:expenditures_export", kwargs={**department, "unit_code": world.unit_a.code}),
        "projects:detail": reverse("projects:detail", kwargs={**department, "item_code": world.item_a.code}) + "?asof=2024-12",
        "expenditures:list": reverse("expenditures:list", kwargs=department),
        "budget_lines:list": reverse("budget_lines:list", kwargs=department),
        "exports:download": reverse("exports:index", kwargs=department),
        "alerts:index": reverse("alerts:index", kwargs=department) + "?asof=2024-12",
    }


EXPORT_LINK = re.compile(r'(?:href|action)="([^"]*(?:_export=xlsx|\.xlsx|/exports/[^/"?]+/)[^"]*)"')


def body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def test_the_web_sweep_knows_every_page_that_exports(db):
    world = personas.build()
    assert set(exporting_patterns()) == set(pages(world)), "a new exporting page: add it to pages()"


@pytest.fixture
def exportable_tables(monkeypatch):
    """The `?table=` names each dashboard page can export, linked on the page or not."""
    seen: dict[str, set[str]] = {}
    original = DashboardMixin.exported

    def spy(self, tables, *, filename):
        seen.setdefault(self.request.path, set()).update(tables)
        return original(self, tables, filename=filename)

    monkeypatch.setattr(DashboardMixin, "exported", spy)
    return seen


def test_every_web_export_writes_user_text_as_text_never_as_a_formula(client, hostile, django_user_model, exportable_tables):
    superuser = django_user_model.objects.create_superuser("root-exports", password=personas.PASSWORD)
    client.force_login(superuser)
    downloads = {}
    for name, url in pages(hostile).items():
        response = client.get(url)
        assert response.status_code == 200, f"{name}: {url} answered {response.status_code}"
        if response["Content-Type"] in (XLSX, DOCX):
            downloads[url] = response
            continue
        links = {html.unescape(link) for link in EXPORT_LINK.findall(response.content.decode())}
        path = url.split("?")[0]
        links |= {f"{path}?asof=2024-12&_export=xlsx&table={table}" for table in exportable_tables.get(path, ())}
        assert links, f"{name}: {url} shows no export link"
        for link in links:
            target = link if link.startswith("/") else path + link
            downloads[target] = client.get(target)
    found = set()
    for url, response in downloads.items():
        assert response.status_code == 200, f"{url} answered {response.status_code}"
        texts = file_texts(body(response), response["Content-Type"], url)
        found |= payloads_in(texts)
    # 11 dashboard and list tables, 2 streamed expenditure sheets, the exports page's 6 kinds
    assert len(downloads) >= 19, sorted(downloads)
    assert found == set(PAYLOADS)


# ---- file names ---------------------------------------------------------------------------------


def test_a_download_name_built_from_user_codes_stays_one_safe_file_name(client, hostile):
    """A unit code is user text too: in the Content-Disposition it cannot add a header, a quote
    or a folder, and the department and year before it are kept."""
    BudgetUnit.objects.filter(pk=hostile.unit_a.pk).update(code='A/../"x\r\nSet-Cookie: a=1')
    client.force_login(hostile.finance)
    url = reverse("exports:download", kwargs={**hostile.kwargs, "what": registry.EXPENDITURES})
    response = client.get(url, {"unit": 'A/../"x\r\nSet-Cookie: a=1'})
    assert response.status_code == 200
    disposition = response["Content-Disposition"]
    assert "\r" not in disposition and "\n" not in disposition
    assert not response.has_header("Set-Cookie") or "a=1" not in response["Set-Cookie"]
    name = registry.filename_for(registry.EXPENDITURES, department_year=hostile.department_year,
                                 unit=BudgetUnit.objects.get(pk=hostile.unit_a.pk))
    assert name.startswith("PD_2024_") and name.endswith(".xlsx")
    assert not set(name) & set('/\\"\r\n:*?<>|')
    assert "PD_2024_" in disposition or "PD_2024_" in unquote(disposition)

