"""Golden snapshot of the seed department: every figure, page and export of XJWF 2024 stays the same.

A safety net for refactors that move modules between apps. It goes only through doors that a
refactor keeps: the management commands (load_demo, budget_summary, export, budget_template,
verify_rollups) via call_command, the pages by their URL paths through django.test.Client, the
demo logins that load_demo creates, and the models only through django.apps.apps.get_model /
apps.get_models. It imports no project module (no fundmgr, projects, units, indicators, nor
tests/personas.py or tests/builders.py).

Snapshots live in tests/golden/, one file per subject:

- summary/*.json       the JSON of `budget_summary`, parsed (per language)
- commands/*.json      stdout of load_demo (first and second run) and verify_rollups
- exports/*.json       every `export --what` kind, Chinese and English, value for value:
                       xlsx -> sheets, cells (value, number format, bold), merged ranges, widths,
                       freeze panes, print titles, validations; docx -> paragraphs (text, style)
                       and tables (cell texts) in body order
- template/*.json      `budget_template`, read the same way
- pages/<login>/*.html every GET page as a demo login sees it: status, key headers, and the HTML
                       normalised to one tag or text run per line
- pages/<login>/*.json the downloads (?_export=xlsx tables, expenditures.xlsx, /exports/<what>/)

Run:      .venv/bin/python -m pytest -q -p no:cacheprovider tests/test_golden.py
Refresh:  UPDATE_GOLDEN=1 .venv/bin/python -m pytest -q -p no:cacheprovider tests/test_golden.py
          rewrites every snapshot file (and deletes the files of subjects that no longer exist)
          instead of comparing; review the result with `git diff tests/golden/` before committing.
          A refresh is only right when the change in figures, markup or files is intended.

What is frozen or normalised, and why:

- Clock: load_demo stamps the import time, the entry times and the audit history with "now".
  Right after loading, every stored DateTimeField (of any app but sessions) is set to FROZEN;
  history dates become FROZEN plus one microsecond per record in their original order, so the
  audit pages keep their order and show a fixed time.
- Today: the as-of month (序时进度) and the default entry date follow the calendar only while the
  budget year is the current year; for 2024 they are December and 2024-12-31 on any later day.
  Pages are fetched both without ?asof (that default) and with an explicit ?asof=2024-MM.
- Primary keys appear in URLs (history, edit, admin pages): before loading, the id sequences of
  the tables that are still empty are restarted, so the ids are the same on SQLite and
  PostgreSQL whichever tests ran earlier in the session.
- Export stamps: `export --user` fixes the author; the generation time is left out of the
  document properties, and the report's 填报时间 (today's date) is masked as <TODAY>.
- HTML: csrfmiddlewaretoken values, CSRF header values and CSP nonces are masked; whitespace
  between tags is dropped and whitespace runs inside text and tags collapse to one space.
- Numbers read from xlsx: Excel keeps one number type, and a written "100" and "100.00" are the
  same cell, so a whole-number float is stored as an int.
- load_demo prints the demo password, which comes from the environment: masked.
- The expenditure and budget-line lists order by date only, and same-day rows come back in a
  different order on SQLite and PostgreSQL: those subjects sort the rows within a day, or
  reduce a paginated default view's rows to a count (see TBODY below).

A guard fails a subject whose normalised text still contains today's date: it would not pass
tomorrow.
"""

import difflib
import io
import json
import os
import re
import tempfile
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command, get_commands, load_command_class
from django.core.management.color import no_style
from django.db import connection, models, transaction
from django.test import Client
from django.utils import timezone, translation

GOLDEN = Path(__file__).with_name("golden")
UPDATE = os.environ.get("UPDATE_GOLDEN") == "1"

DEPARTMENT, YEAR = "XJWF", 2024  # the seed department (fundmgr/demo/xjwf-2024.toml)
BASE = f"/d/{DEPARTMENT}/{YEAR}/"
FROZEN = datetime(2025, 1, 15, 10, 0, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
UNFROZEN_APPS = ("sessions",)  # a session's expiry must stay in the future
STAMP_USER = "golden"

FINANCE, LEADER, ACCOUNTANT, OUTSIDER, ANONYMOUS = "caiwu", "lingdao", "kuaiji1", "waibu", "anonymous"
ENGLISH = "en"
DIFF_LINES = 60


# --- serialisation --------------------------------------------------------------------------


ONE_LINE = 120


def json_text(value) -> str:
    """Pretty-printed JSON, sorted keys, Chinese as is. A dict or list holding only scalars (a cell,
    a table row, a paragraph) stays on one line when it is short: a diff then shows the whole cell."""
    return _json(value, "") + "\n"


def _json(value, indent: str) -> str:
    compact = json.dumps(value, sort_keys=True, ensure_ascii=False)
    if not isinstance(value, (dict, list)) or not value:
        return compact
    scalars = all(not isinstance(v, (dict, list)) for v in (value.values() if isinstance(value, dict) else value))
    if scalars and len(compact) <= ONE_LINE:
        return compact
    inner = indent + "  "
    if isinstance(value, dict):
        body = [f"{inner}{json.dumps(key, ensure_ascii=False)}: {_json(value[key], inner)}" for key in sorted(value)]
        return "{\n" + ",\n".join(body) + "\n" + indent + "}"
    return "[\n" + ",\n".join(inner + _json(item, inner) for item in value) + "\n" + indent + "]"


CSRF_INPUT = re.compile(r'(name="csrfmiddlewaretoken"\s+value=")[^"]*(")')
CSRF_HEADER = re.compile(r'((?:X-CSRFToken|csrftoken|csrf_token)["\']?\s*[:=]\s*["\'])[^"\']*(["\'])', re.I)
NONCE = re.compile(r'(\bnonce=")[^"]*(")')
TAGS = re.compile(r"(<!--.*?-->|<[^>]*>)", re.S)
SPACE = re.compile(r"\s+")


def html_lines(html: str) -> str:
    """The HTML with volatile tokens masked, one tag or text run per line."""
    html = CSRF_INPUT.sub(r"\1<CSRF>\2", html)
    html = CSRF_HEADER.sub(r"\1<CSRF>\2", html)
    html = NONCE.sub(r"\1<NONCE>\2", html)
    lines = []
    for piece in TAGS.split(html):
        piece = SPACE.sub(" ", piece).strip()
        if piece:
            lines.append(piece)
    return "\n".join(lines) + "\n"


# The expenditure and budget-line lists (/expenditures/, /lines/ and their ?_export=xlsx) order by
# date only: rows of the same day come in whatever order the database returns them, which is not
# the same on SQLite and PostgreSQL. Their snapshots sort the rows within each run of equal dates
# (ties="rows"); the rest of the page, the order of the dates and every cell are compared as they
# are. A paginated default view cannot be normalised that way (which rows of a cut run land on
# the page differs too), so its table body is reduced to a row count (ties="mask"), and the rows
# are compared on ?sort=voucher pages (a unique key) and on one ?per_page=500 page.
TBODY = re.compile(r"(<tbody[^>]*>)(.*?)(</tbody>)", re.S)
ROW = re.compile(r"(<tr\b[^>]*>)(.*?)(</tr>)", re.S)
FIRST_CELL = re.compile(r"<td\b[^>]*>(.*?)</td>", re.S)


def _text(html: str) -> str:
    return SPACE.sub(" ", re.sub(r"<[^>]*>", "", html)).strip()


def tied_runs_sorted(keys: list, rows: list) -> list:
    """rows with each run of equal consecutive keys sorted (by the rows' own text)."""
    result, start = [], 0
    for index in range(1, len(rows) + 1):
        if index == len(rows) or keys[index] != keys[start]:
            result += sorted(rows[start:index])
            start = index
    return result


def html_ties(html: str, ties: str | None) -> str:
    if ties is None:
        return html

    def tbody(match):
        rows = ROW.findall(match.group(2))
        if ties == "mask":
            return f"{match.group(1)}<!-- {len(rows)} rows: their order within a day differs between engines -->{match.group(3)}"
        keys = []
        for _open, inner, _close in rows:
            first = FIRST_CELL.search(inner)
            keys.append(_text(first.group(1)) if first else "")
        inners = tied_runs_sorted(keys, [inner for _open, inner, _close in rows])
        # the <tr> tags (odd/even classes) stay in place; their contents move
        body = "\n".join(f"{opening}{inner}{closing}" for (opening, _inner, closing), inner in zip(rows, inners))
        return match.group(1) + body + match.group(3)

    return TBODY.sub(tbody, html)


def workbook_ties(data: dict) -> dict:
    """The data rows (row 2 on) of each sheet with each run of equal column-A values sorted."""
    for sheet in data["sheets"]:
        rows = {}
        for coordinate, cell in sheet["cells"].items():
            column, row = re.fullmatch(r"([A-Z]+)(\d+)", coordinate).groups()
            rows.setdefault(int(row), {})[column] = cell
        numbers = sorted(number_ for number_ in rows if number_ >= 2)
        if numbers != list(range(2, len(numbers) + 2)):
            continue  # not one plain table
        keys = [json.dumps(rows[n].get("A"), sort_keys=True, ensure_ascii=False) for n in numbers]
        contents = tied_runs_sorted(keys, [json.dumps(rows[n], sort_keys=True, ensure_ascii=False) for n in numbers])
        cells = {f"{column}{row}": cell for row, columns in rows.items() if row < 2 for column, cell in columns.items()}
        for row, content in zip(numbers, contents):
            cells.update({f"{column}{row}": cell for column, cell in json.loads(content).items()})
        sheet["cells"] = cells
    return data


def number(value):
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float, Decimal)):
        value = float(value) if isinstance(value, Decimal) else value
        if isinstance(value, float) and value.is_integer():
            return int(value)  # Excel has one number type: "100" and "100.00" are the same cell
        return value
    return value


def cell_value(value):
    if isinstance(value, (bool, int, float, Decimal)):
        return number(value)
    if isinstance(value, (datetime, date, time)):
        return value.isoformat()
    if isinstance(value, str):
        return value
    return str(value)


def workbook_data(blob: bytes) -> dict:
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(blob))
    props = book.properties
    data = {
        # created / modified are the generation time: left out
        "properties": {
            "title": props.title,
            "creator": props.creator,
            "lastModifiedBy": props.lastModifiedBy,
            "subject": props.subject,
            "description": props.description,
            "keywords": props.keywords,
            "category": props.category,
        },
        "defined_names": {name: str(definition.value) for name, definition in sorted(book.defined_names.items())},
        "sheets": [],
    }
    for sheet in book.worksheets:
        cells = {}
        for row in sheet.iter_rows():
            for cell in row:
                if cell.value is None or cell.value == "":
                    continue
                cells[cell.coordinate] = {
                    "value": cell_value(cell.value),
                    "number_format": cell.number_format,
                    "bold": bool(cell.font is not None and cell.font.b),
                }
        widths = {}
        for key, dimension in sheet.column_dimensions.items():
            if dimension.customWidth or dimension.width not in (None, 13):
                span = key if dimension.min == dimension.max or not dimension.min else f"{key}({dimension.min}-{dimension.max})"
                widths[span] = number(dimension.width)
        validations = [
            {
                "sqref": str(validation.sqref),
                "type": validation.type,
                "formula1": validation.formula1,
                "formula2": validation.formula2,
                "allow_blank": validation.allow_blank,
                "prompt": validation.prompt,
                "error": validation.error,
            }
            for validation in sheet.data_validations.dataValidation
        ]
        data["sheets"].append(
            {
                "title": sheet.title,
                "state": sheet.sheet_state,
                "dimensions": sheet.dimensions,
                "cells": cells,
                "merged": sorted(str(merged) for merged in sheet.merged_cells.ranges),
                "column_widths": widths,
                "freeze_panes": sheet.freeze_panes,
                "print_title_rows": sheet.print_title_rows,
                "print_title_cols": sheet.print_title_cols,
                "print_area": sheet.print_area,
                "auto_filter": sheet.auto_filter.ref,
                "data_validations": sorted(validations, key=lambda v: (v["sqref"], str(v["formula1"]))),
                "orientation": sheet.page_setup.orientation,
            }
        )
    return data


def document_data(blob: bytes, *, today: set[date]) -> dict:
    from docx import Document
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    def masked(text: str) -> str:
        # the report's 填报时间 is the day it is generated
        for day in today:
            for form in (f"{day.year} 年 {day.month} 月 {day.day} 日", f"{day.year}-{day.month}-{day.day}", day.isoformat()):
                text = text.replace(form, "<TODAY>")
        return text

    document = Document(io.BytesIO(blob))
    blocks = []
    for child in document.element.body.iterchildren():
        tag = child.tag.rsplit("}", 1)[-1]
        if tag == "p":
            paragraph = Paragraph(child, document)
            blocks.append(
                {
                    "paragraph": masked(paragraph.text),
                    "style": paragraph.style.name if paragraph.style is not None else None,
                    "alignment": str(paragraph.alignment) if paragraph.alignment is not None else None,
                }
            )
        elif tag == "tbl":
            table = Table(child, document)
            blocks.append(
                {
                    "table": [[masked(cell.text) for cell in row.cells] for row in table.rows],
                    "style": table.style.name if table.style is not None else None,
                }
            )
    props = document.core_properties
    return {
        # created / modified are the generation time: left out
        "properties": {"title": props.title, "author": props.author, "last_modified_by": props.last_modified_by},
        "sections": [
            {
                "orientation": str(section.orientation),
                "page_width": section.page_width,
                "page_height": section.page_height,
                "margins": [section.top_margin, section.bottom_margin, section.left_margin, section.right_margin],
            }
            for section in document.sections
        ],
        "body": blocks,
    }


def file_data(blob: bytes, *, today: set[date]) -> dict:
    if not blob.startswith(b"PK"):
        return {"format": "unknown", "size": len(blob)}
    names = set(zipfile.ZipFile(io.BytesIO(blob)).namelist())
    if "word/document.xml" in names:
        return {"format": "docx", "document": document_data(blob, today=today)}
    if "xl/workbook.xml" in names:
        return {"format": "xlsx", "workbook": workbook_data(blob)}
    return {"format": "zip", "members": sorted(names)}


# --- the commands -----------------------------------------------------------------------------


def command_choices(name: str, dest: str) -> list[str]:
    """The choices of a command's option, read from its parser (the command's module may move)."""
    command = load_command_class(get_commands()[name], name)
    for action in command.create_parser("manage.py", name)._actions:
        if action.dest == dest:
            return list(action.choices)
    raise AssertionError(f"{name} has no option {dest}")


class Today:
    """The local dates a file may have been stamped with (before and after it was written)."""

    def __enter__(self):
        self.days = {timezone.localdate()}
        return self

    def __exit__(self, *exc):
        self.days.add(timezone.localdate())


def export_render(what: str, language: str, **options) -> Callable[[], str]:
    def render():
        with tempfile.TemporaryDirectory() as folder, Today() as today:
            out = Path(folder) / f"{what}.out"
            call_command(
                "export", department=DEPARTMENT, year=YEAR, what=what, out=str(out), user=STAMP_USER,
                language=language, stdout=io.StringIO(), **options,
            )
            blob = out.read_bytes()
        return json_text({"command": ["export", what, language, options], **file_data(blob, today=today.days)})

    return render


def template_render(language: str) -> Callable[[], str]:
    def render():
        with tempfile.TemporaryDirectory() as folder, Today() as today, translation.override(language):
            out = Path(folder) / "template.xlsx"
            call_command("budget_template", str(out), stdout=io.StringIO())
            blob = out.read_bytes()
        return json_text({"command": ["budget_template", language], **file_data(blob, today=today.days)})

    return render


def summary_render(language: str) -> Callable[[], str]:
    def render():
        out = io.StringIO()
        with translation.override(language):
            call_command("budget_summary", department=DEPARTMENT, year=YEAR, stdout=out)
        return json_text(json.loads(out.getvalue()))

    return render


PASSWORD_LINE = re.compile(r"^(\s*(?:密码|Password)\s*[：:]\s*).*$", re.M)


def stdout_json(command: list[str], text: str) -> str:
    text = PASSWORD_LINE.sub(r"\1<DEMO_PASSWORD>", text)
    return json_text({"command": command, "stdout": text.splitlines()})


def command_render(name: str, *args) -> Callable[[], str]:
    def render():
        out = io.StringIO()
        with translation.override(settings.LANGUAGE_CODE):
            call_command(name, *args, stdout=out, stderr=io.StringIO())
        return stdout_json([name, *args], out.getvalue())

    return render


# --- the pages --------------------------------------------------------------------------------

HEADERS = ("Content-Type", "Content-Language", "Location", "Content-Disposition", "Content-Security-Policy", "X-Frame-Options")


def fetch(login: str, path: str, language: str):
    client = Client()
    if login != ANONYMOUS:
        client.force_login(get_user_model().objects.get(username=login))
    if language != settings.LANGUAGE_CODE:
        client.post("/i18n/setlang/", {"language": language, "next": "/"})
    response = client.get(path)
    # The test client closes the response itself (after the last chunk of a streamed one), with
    # Django's close_old_connections unhooked; closing it again here would close the connection.
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return response, body


def page_render(login: str, path: str, language: str, *, download: bool, ties: str | None) -> Callable[[], str]:
    def render():
        with Today() as today:
            response, body = fetch(login, path, language)
        headers = {name: response[name] for name in HEADERS if response.has_header(name)}
        if "Content-Security-Policy" in headers:
            # django-csp writes the directives in set order, which changes from one process to the next
            headers["Content-Security-Policy"] = "; ".join(sorted(part.strip() for part in headers["Content-Security-Policy"].split(";")))
        content_type = response.get("Content-Type", "")
        if download:
            record = {"request": {"login": login, "path": path, "language": language}, "status": response.status_code, "headers": headers}
            if "html" in content_type:
                record["html"] = html_lines(body.decode()).splitlines()
            else:
                data = file_data(body, today=today.days)
                if ties and data.get("format") == "xlsx":
                    data["workbook"] = workbook_ties(data["workbook"])
                record.update(data)
            return json_text(record)
        head = [f"<!-- GET {path} as {login}, language {language} -->", f"<!-- status {response.status_code} -->"]
        head += [f"<!-- {name}: {value} -->" for name, value in headers.items()]
        if "html" in content_type:
            text = html_lines(html_ties(body.decode(), ties))
        elif "json" in content_type:
            text = json_text(json.loads(body))
        else:
            text = json_text(file_data(body, today=today.days)) if body else ""
        return "\n".join(head) + "\n" + text

    return render


def slug(path: str) -> str:
    route, _, query = path.partition("?")
    route = route.removeprefix(BASE) if route.startswith(BASE) else route.strip("/")
    name = route.strip("/").replace("/", "~") or ("dashboard" if path.startswith(BASE) else "home")
    if query:
        name += "@" + query.replace("&", "+")
    return name


# --- the subjects -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Subject:
    name: str  # the snapshot file, relative to tests/golden
    render: Callable[[], str]


class Registry(dict):
    def add(self, name: str, render: Callable[[], str]) -> None:
        assert name not in self, f"two subjects named {name}"
        self[name] = Subject(name, render)

    def page(self, login: str, path: str, language: str = settings.LANGUAGE_CODE, *, download: bool = False, ties: str | None = None) -> None:
        """A GET page; ties="rows" or "mask" for the lists that order by date only (see TBODY above)."""
        suffix = "" if language == settings.LANGUAGE_CODE else f".{language}"
        extension = ".json" if download else ".html"
        self.add(f"pages/{login}/{slug(path)}{suffix}{extension}", page_render(login, path, language, download=download, ties=ties))

    def entry_lists(self, login: str, language: str = settings.LANGUAGE_CODE) -> None:
        """The expenditure and budget-line lists and their xlsx, normalised for same-day ties (see TBODY)."""
        self.page(login, f"{BASE}expenditures/", language, ties="mask")
        self.page(login, f"{BASE}expenditures/?sort=voucher", language)
        self.page(login, f"{BASE}expenditures/?_export=xlsx", language, download=True, ties="rows")
        self.page(login, f"{BASE}lines/", language, ties="rows")
        self.page(login, f"{BASE}lines/?_export=xlsx", language, download=True, ties="rows")


def model(label: str):
    return apps.get_model(*label.split("."))


def build_registry(load_output: str) -> Registry:
    registry = Registry()
    department_year = model("units.DepartmentYear").objects.get(department__code=DEPARTMENT, year=YEAR)
    units = list(model("units.BudgetUnit").objects.filter(department=department_year.department).order_by("code").values_list("code", flat=True))
    items = list(
        model("projects.BudgetItem").objects.filter(department_year=department_year).order_by("code").values_list("pk", "code", "unit__code")
    )
    indicators = list(
        model("indicators.Indicator").objects.filter(department_year=department_year).order_by("code").values_list("pk", "code", "item_id")
    )
    expenditures = model("projects.Expenditure").objects.filter(item__department_year=department_year).order_by("pk")
    lines = list(model("projects.BudgetLine").objects.filter(item__department_year=department_year).order_by("pk").values_list("pk", flat=True))
    languages = command_choices("export", "language")
    assert settings.LANGUAGE_CODE in languages and ENGLISH in languages

    # 1. commands: the JSON summary, load_demo, verify_rollups
    for language in languages:
        registry.add(f"summary/budget_summary.{language}.json", summary_render(language))
    registry.add("commands/load_demo.json", lambda: stdout_json(["load_demo"], load_output))
    registry.add("commands/load_demo.again.json", command_render("load_demo"))
    registry.add("commands/verify_rollups.json", command_render("verify_rollups"))

    # 2. every export kind, in every language; expenditures for the department and each unit
    for what in command_choices("export", "what"):
        for language in languages:
            registry.add(f"exports/{what}.{language}.json", export_render(what, language))
            if what == "expenditures":
                for unit in units:
                    registry.add(f"exports/{what}.{unit}.{language}.json", export_render(what, language, unit=unit))
                registry.add(
                    f"exports/{what}.2024-H1.{language}.json",
                    export_render(what, language, date_from=f"{YEAR}-01-01", date_to=f"{YEAR}-06-30"),
                )
    for language in languages:
        registry.add(f"template/budget_template.{language}.json", template_render(language))

    # 3. pages. The finance office: everything.
    login = FINANCE
    registry.page(login, "/")
    registry.page(login, BASE)
    for month in ("03", "06", "12"):
        registry.page(login, f"{BASE}?asof={YEAR}-{month}")
    registry.page(login, f"{BASE}?u-sort=-execution_rate")
    for table in ("units", "lagging", "indicators"):
        registry.page(login, f"{BASE}?asof={YEAR}-12&_export=xlsx&table={table}", download=True)
    registry.page(login, f"/province/{YEAR}/")
    for unit in units:
        registry.page(login, f"{BASE}units/{unit}/")
        for table in ("items", "lagging", "indicators"):
            registry.page(login, f"{BASE}units/{unit}/?_export=xlsx&table={table}", download=True)
        registry.page(login, f"{BASE}units/{unit}/expenditures.xlsx", download=True)
    registry.page(login, f"{BASE}units/{units[0]}/?asof={YEAR}-06")
    for _pk, code, _unit in items:
        registry.page(login, f"{BASE}items/{code}/")
        registry.page(login, f"{BASE}items/{code}/evaluation/")
        for table in ("lines", "indicators", "expenditures"):
            registry.page(login, f"{BASE}items/{code}/?_export=xlsx&table={table}", download=True)
    first_item = items[0][1]
    registry.page(login, f"{BASE}items/{first_item}/?page=2")
    registry.page(login, f"{BASE}items/{first_item}/?asof={YEAR}-06")
    registry.page(login, f"{BASE}evaluation/")
    for _pk, code, _item in indicators:
        registry.page(login, f"{BASE}evaluation/indicators/{code}/")
    registry.page(login, f"{BASE}monitoring/")
    pages = -(-expenditures.count() // 50)  # the list shows 50 a page
    registry.entry_lists(login)
    for number_ in range(2, pages + 1):
        registry.page(login, f"{BASE}expenditures/?sort=voucher&page={number_}")
    registry.page(login, f"{BASE}expenditures/?per_page=500", ties="rows")
    registry.page(login, f"{BASE}expenditures/?month=6", ties="rows")
    registry.page(login, f"{BASE}expenditures/?economic_class=302&sort=-voucher")
    registry.page(login, f"{BASE}expenditures/new/")
    registry.page(login, f"{BASE}expenditures/new/?item={items[0][0]}")
    for pk in (expenditures.first().pk, expenditures.last().pk):
        for action in ("edit", "delete", "history"):
            registry.page(login, f"{BASE}expenditures/{pk}/{action}/")
    registry.page(login, f"{BASE}available/")
    for pk, _code, _unit in (items[0], items[-1]):
        for day in (f"{YEAR}-06-30", f"{YEAR}-12-31"):
            registry.page(login, f"{BASE}available/?{urlencode({'item': pk, 'date': day})}")
    registry.page(login, f"{BASE}approvals/")
    registry.page(login, f"{BASE}lines/new/")
    for pk in lines:
        registry.page(login, f"{BASE}lines/{pk}/history/")
    for pk, _code, _item in indicators:
        registry.page(login, f"{BASE}indicators/{pk}/history/")
    registry.page(login, f"{BASE}months/")
    registry.page(login, f"{BASE}changes/")
    registry.page(login, f"{BASE}exports/")
    for what in command_choices("export", "what"):
        if what not in ("workbook", "expenditures"):  # the big two: their web download is the command's file
            registry.page(login, f"{BASE}exports/{what}/", download=True)
    registry.page(login, f"{BASE}exports/expenditures/?unit={units[1]}&date_from={YEAR}-07-01&date_to={YEAR}-12-31", download=True)
    registry.page(login, f"{BASE}narrative/")
    registry.page(login, "/imports/upload/")
    registry.page(login, "/accounts/password/")
    registry.page(login, "/accounts/password/done/")
    for path in admin_paths():
        registry.page(login, path)
    # ... and in English
    for path in (
        BASE, f"{BASE}units/{units[0]}/", f"{BASE}items/{first_item}/", f"{BASE}items/{items[-1][1]}/",
        f"{BASE}evaluation/", f"{BASE}evaluation/indicators/{indicators[0][1]}/", f"{BASE}monitoring/",
        f"{BASE}expenditures/new/", f"{BASE}months/", f"{BASE}changes/", f"{BASE}approvals/", f"{BASE}exports/",
        f"{BASE}narrative/", f"{BASE}lines/{lines[0]}/history/", "/imports/upload/",
    ):
        registry.page(login, path, ENGLISH)
    registry.entry_lists(login, ENGLISH)
    for path in (f"{BASE}?_export=xlsx&table=units", f"{BASE}units/{units[0]}/expenditures.xlsx"):
        registry.page(login, path, ENGLISH, download=True)
    registry.page(login, f"{BASE}exports/report/", ENGLISH, download=True)

    # The leader: the department's pages, read-only.
    login = LEADER
    for path in (
        "/", BASE, f"/province/{YEAR}/", f"{BASE}units/{units[1]}/", f"{BASE}items/{items[-1][1]}/", f"{BASE}evaluation/",
        f"{BASE}evaluation/indicators/{indicators[0][1]}/", f"{BASE}monitoring/", f"{BASE}expenditures/new/",
        f"{BASE}expenditures/{expenditures.first().pk}/edit/", f"{BASE}expenditures/{expenditures.first().pk}/history/",
        f"{BASE}approvals/", f"{BASE}lines/new/", f"{BASE}months/", f"{BASE}changes/", f"{BASE}exports/",
        f"{BASE}narrative/", "/imports/upload/", "/admin/",
    ):
        registry.page(login, path)
    registry.entry_lists(login)
    registry.page(login, f"{BASE}?_export=xlsx&table=units", download=True)
    registry.page(login, f"{BASE}exports/self-evaluation/", download=True)
    registry.page(login, BASE, ENGLISH)

    # A unit accountant: their own unit, and the doors that are closed to them.
    login = ACCOUNTANT
    own = model("units.Membership").objects.get(user__username=login, department=department_year.department).unit.code
    other = next(code for code in units if code != own)
    own_items = [code for _pk, code, unit in items if unit == own]
    other_item = next(code for _pk, code, unit in items if unit != own)
    own_expenditure = expenditures.filter(item__unit__code=own).first().pk
    other_expenditure = expenditures.exclude(item__unit__code=own).first().pk
    for path in (
        "/", BASE, f"{BASE}units/{own}/", f"{BASE}units/{own}/?asof={YEAR}-06", f"{BASE}units/{other}/",
        f"{BASE}items/{own_items[0]}/", f"{BASE}items/{own_items[-1]}/", f"{BASE}items/{other_item}/", f"{BASE}evaluation/",
        f"{BASE}evaluation/indicators/{indicators[0][1]}/", f"{BASE}monitoring/", f"{BASE}expenditures/new/",
        f"{BASE}expenditures/{own_expenditure}/edit/", f"{BASE}expenditures/{own_expenditure}/delete/",
        f"{BASE}expenditures/{own_expenditure}/history/", f"{BASE}expenditures/{other_expenditure}/edit/",
        f"{BASE}expenditures/{other_expenditure}/history/", f"{BASE}approvals/", f"{BASE}lines/new/",
        f"{BASE}lines/{lines[0]}/history/", f"{BASE}indicators/{indicators[0][0]}/history/", f"{BASE}months/", f"{BASE}changes/",
        f"{BASE}exports/", f"{BASE}narrative/", "/imports/upload/", f"/province/{YEAR}/", "/admin/",
    ):
        registry.page(login, path)
    for path in (
        f"{BASE}units/{own}/expenditures.xlsx", f"{BASE}units/{own}/?_export=xlsx&table=items",
        f"{BASE}exports/expenditures/", f"{BASE}exports/self-evaluation/",
    ):
        registry.page(login, path, download=True)
    registry.entry_lists(login)
    registry.page(login, f"{BASE}units/{own}/", ENGLISH)

    # Someone with no role, and nobody logged in.
    for path in ("/", BASE, f"{BASE}units/{units[0]}/"):
        registry.page(OUTSIDER, path)
    for path in ("/", "/accounts/login/", BASE, f"{BASE}exports/report/"):
        registry.page(ANONYMOUS, path)
    registry.page(ANONYMOUS, "/accounts/login/", ENGLISH)
    return registry


ADMIN_LINK = re.compile(r'href="(/admin/[a-z_]+/[a-z_]+/)"')
ADMIN_CHANGE_LINK = re.compile(r'href="(/admin/[a-z_]+/[a-z_]+/[^/"]+/change/)')
ADMIN_ADD_LINK = re.compile(r'href="(/admin/[a-z_]+/[a-z_]+/add/)"')


def admin_paths() -> list[str]:
    """The admin index, the app indexes, each model's list, add form and first change form, as the
    finance office's admin index links them (read at registry time, so a lost admin page is a lost subject)."""
    index = fetch(FINANCE, "/admin/", settings.LANGUAGE_CODE)[1].decode()
    changelists = sorted(set(ADMIN_LINK.findall(index)))
    paths = ["/admin/"]
    paths += sorted({path.rsplit("/", 2)[0] + "/" for path in changelists})  # the app indexes
    for changelist in changelists:
        paths.append(changelist)
        change = ADMIN_CHANGE_LINK.search(fetch(FINANCE, changelist, settings.LANGUAGE_CODE)[1].decode())
        if change:
            paths.append(change.group(1))
    paths += sorted(set(ADMIN_ADD_LINK.findall(index)))
    return paths


# --- the database ---------------------------------------------------------------------------


def restart_sequences_of_empty_tables() -> None:
    """Ids appear in URLs: start every empty table's id sequence at 1, on either engine, whatever
    earlier tests of the session consumed (PostgreSQL does not roll sequences back)."""
    with connection.cursor() as cursor:
        empty = []
        for sequence in connection.introspection.sequence_list():
            cursor.execute(f"SELECT 1 FROM {connection.ops.quote_name(sequence['table'])} LIMIT 1")
            if cursor.fetchone() is None:
                empty.append(sequence)
        for sql in connection.ops.sequence_reset_by_name_sql(no_style(), empty):
            cursor.execute(sql)


def freeze_clock_fields() -> None:
    """Every date-time stored so far (load_demo's rows: import and entry times, audit history,
    users) -> FROZEN, whichever app a model lives in after a refactor. The audit history's dates
    keep their order: FROZEN plus one microsecond per record, oldest first."""
    history = []
    for model_ in apps.get_models():
        if model_._meta.app_label in UNFROZEN_APPS or not model_._meta.managed:
            continue
        for field in model_._meta.concrete_fields:
            if not isinstance(field, models.DateTimeField):
                continue
            rows = model_._base_manager.exclude(**{f"{field.attname}__isnull": True})
            if field.name == "history_date":
                history += [(when, model_._meta.label, pk, model_, field.attname) for pk, when in rows.values_list("pk", field.attname)]
            else:
                rows.update(**{field.attname: FROZEN})
    history.sort(key=lambda row: row[:3])
    by_model = {}
    for rank, (_when, _label, pk, model_, attname) in enumerate(history):
        by_model.setdefault((model_, attname), []).append((pk, FROZEN + timedelta(microseconds=rank)))
    for (model_, attname), values in by_model.items():
        objects = []
        for pk, when in values:
            instance = model_(pk=pk)
            setattr(instance, attname, when)
            objects.append(instance)
        model_._base_manager.bulk_update(objects, [attname], batch_size=500)


@pytest.fixture(scope="module")
def registry(django_db_setup, django_db_blocker):
    """The seed department, loaded once for the module inside a transaction that is rolled back
    at the end; each test runs in a savepoint within it (pytest-django's db fixture)."""
    with django_db_blocker.unblock(), translation.override(settings.LANGUAGE_CODE):
        with transaction.atomic():
            restart_sequences_of_empty_tables()
            out = io.StringIO()
            call_command("load_demo", stdout=out, stderr=io.StringIO())
            freeze_clock_fields()
            subjects = build_registry(out.getvalue())
            yield subjects
            transaction.set_rollback(True)


# --- the tests --------------------------------------------------------------------------------


def render(subject: Subject) -> str:
    """A subject's text, in a savepoint of its own (a page view may write a session or a login time)."""
    with transaction.atomic():
        text = subject.render()
        transaction.set_rollback(True)
    today = timezone.localdate()
    forms = (today.isoformat(), f"{today.year}年{today.month}月{today.day}日", f"{today.year} 年 {today.month} 月 {today.day} 日")
    leaks = [form for form in forms if form in text]
    assert not leaks, f"{subject.name}: today's date {leaks} is in the snapshot; it would not pass tomorrow: normalise it"
    return text


def stored_subjects() -> list[str]:
    if not GOLDEN.is_dir():
        return []
    return sorted(path.relative_to(GOLDEN).as_posix() for path in GOLDEN.rglob("*") if path.is_file())


def show_diff(name: str, expected: str, actual: str) -> str:
    diff = list(
        difflib.unified_diff(expected.splitlines(), actual.splitlines(), f"golden/{name}", "now", n=2, lineterm="")
    )
    shown = diff[:DIFF_LINES]
    if len(diff) > DIFF_LINES:
        shown.append(f"... {len(diff) - DIFF_LINES} more diff lines")
    return (
        f"{name} differs from its golden snapshot (tests/golden/{name}).\n"
        + "\n".join(shown)
        + "\nIf the change is intended, refresh with UPDATE_GOLDEN=1 (see the module docstring)."
    )


@pytest.mark.django_db
def test_the_subjects_are_the_stored_ones(registry):
    """Every subject has a snapshot and every snapshot a subject; with UPDATE_GOLDEN=1, writes them all."""
    if UPDATE:
        for name, subject in registry.items():
            path = GOLDEN / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(render(subject), encoding="utf-8")
        for name in set(stored_subjects()) - set(registry):
            (GOLDEN / name).unlink()
        for folder in sorted((p for p in GOLDEN.rglob("*") if p.is_dir()), reverse=True):
            if not any(folder.iterdir()):
                folder.rmdir()
        return
    stored = set(stored_subjects())
    missing, extra = sorted(set(registry) - stored), sorted(stored - set(registry))
    assert not missing and not extra, (
        f"subjects without a snapshot: {missing[:30]}{' ...' if len(missing) > 30 else ''}\n"
        f"snapshots without a subject (a page, export or command option is gone?): {extra[:30]}{' ...' if len(extra) > 30 else ''}"
    )


@pytest.mark.django_db
@pytest.mark.parametrize("name", stored_subjects())
def test_golden(registry, name):
    if UPDATE:
        pytest.skip("UPDATE_GOLDEN=1: test_the_subjects_are_the_stored_ones rewrote the snapshots")
    if name not in registry:
        pytest.fail(f"{name}: the snapshot has no subject any more (see test_the_subjects_are_the_stored_ones)")
    expected = (GOLDEN / name).read_text(encoding="utf-8")
    actual = render(registry[name])
    if actual != expected:
        pytest.fail(show_diff(name, expected, actual), pytrace=False)
