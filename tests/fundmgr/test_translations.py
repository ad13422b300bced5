"""Every string a user sees is marked for translation and has an English translation.

Four guards:
- templates: no text outside {% translate %} / {% blocktranslate %} (Django's template Lexer, then
  an HTML parser for the text between tags and the attributes a user reads);
- Python: no Chinese string literal that does not pass through a gettext function (the AST of our apps);
- the catalog: makemessages, run on a copy of the project, finds no msgid that the committed
  locale/en/LC_MESSAGES/django.po leaves untranslated or fuzzy, and the committed django.mo says
  the same as the .po (a stale .mo fails);
- behaviour: the language switch shows English pages and English export headers; Chinese is the default.

To add a string: mark it, run `make messages` (or scripts/messages.sh), translate the new
entries in django.po, run it again to compile the .mo, and commit both files.
"""

import ast
import gettext
import io
import os
import re
import shutil
import subprocess
import sys
from decimal import Decimal
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.template.base import Lexer, TokenType
from django.urls import reverse
from docx import Document
from openpyxl import load_workbook

from indicators.models import Indicator
from tests import po

ROOT = Path(settings.BASE_DIR)
APPS = ("fundmgr", "units", "projects", "indicators")
CATALOG = ROOT / "locale" / "en" / "LC_MESSAGES"

CJK = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef]")
LATIN_WORD = re.compile(r"[A-Za-z]{2,}")
# Latin words that are the same in every language.
UNTRANSLATED_WORDS = {"fundmgr"}
GETTEXT_CALL = re.compile(r"""_\(\s*(?:"[^"]*"|'[^']*')\s*\)""")
PLACEHOLDER = "\u00a7"  # stands for a translated piece or a variable in the reassembled template


# --- a. templates ----------------------------------------------------------------------------


def template_files() -> list[Path]:
    folders = [ROOT / "templates"] + [ROOT / app / "templates" for app in APPS]
    return sorted(path for folder in folders if folder.is_dir() for path in folder.rglob("*.html"))


class VisibleText(HTMLParser):
    """Collects text a user reads: text nodes and the attributes browsers show or speak."""

    SPOKEN_ATTRIBUTES = {"placeholder", "title", "aria-label", "alt", "label"}
    BUTTON_TYPES = {"submit", "button", "reset"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self.skip_depth = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self.skip_depth += 1
        attributes = dict(attrs)
        for name, value in attrs:
            if value and (
                name in self.SPOKEN_ATTRIBUTES
                or (name == "value" and tag == "input" and attributes.get("type") in self.BUTTON_TYPES)
            ):
                self.found.append(value)

    def handle_endtag(self, tag):
        if tag in ("script", "style") and self.skip_depth:
            self.skip_depth -= 1

    def handle_data(self, data):
        if not self.skip_depth:
            self.found.append(data)


def untranslated_template_text(source: str) -> list[str]:
    """Pieces of a template a user would read that are not inside a translation tag.

    Translation tags and variables become a placeholder, other tags disappear; the rest is
    parsed as HTML. Chinese text anywhere outside the tags is reported, and so is a Latin word
    in a text node or a spoken attribute (button labels, placeholders, titles). Chinese inside a
    variable or tag must be in _("...").
    """
    problems = []
    assembled = []
    in_blocktranslate = in_comment = False
    for token in Lexer(source).tokenize():
        words = token.contents.split()
        name = words[0] if words else ""
        if in_comment:
            in_comment = not (token.token_type == TokenType.BLOCK and name == "endcomment")
            continue
        if in_blocktranslate:
            in_blocktranslate = not (token.token_type == TokenType.BLOCK and name in ("endblocktranslate", "endblocktrans"))
            continue
        if token.token_type == TokenType.TEXT:
            assembled.append(token.contents)
        elif token.token_type == TokenType.VAR:
            if CJK.search(GETTEXT_CALL.sub("", token.contents)):
                problems.append(f"line {token.lineno}: {{{{ {token.contents} }}}}")
            assembled.append(PLACEHOLDER)
        elif token.token_type == TokenType.BLOCK:
            if name in ("translate", "trans"):
                assembled.append(PLACEHOLDER)
                continue
            if name in ("blocktranslate", "blocktrans"):
                in_blocktranslate = True
                assembled.append(PLACEHOLDER)
                continue
            if name == "comment":
                in_comment = True
                continue
            if CJK.search(GETTEXT_CALL.sub("", token.contents)):
                problems.append(f"line {token.lineno}: {{% {token.contents} %}}")
    parser = VisibleText()
    parser.feed("".join(assembled))
    parser.close()
    for text in parser.found:
        words = {word for word in LATIN_WORD.findall(text.replace(PLACEHOLDER, " "))} - UNTRANSLATED_WORDS
        if CJK.search(text) or words:
            problems.append(" ".join(text.split()))
    return problems


def test_the_template_check_finds_unmarked_text():
    # The check itself: each of these must be reported, and the marked versions must not.
    assert untranslated_template_text("<h1>预算执行</h1>")
    assert untranslated_template_text('{% load i18n %}<td>{{ a }}（{{ b }}）</td>')
    assert untranslated_template_text("<button>Save</button>")
    assert untranslated_template_text('<input type="text" placeholder="驳回理由">')
    assert untranslated_template_text('<input type="submit" value="Go">')
    assert untranslated_template_text('{% include "x.html" with title="部门整体" %}')
    assert untranslated_template_text('{{ value|default:"无" }}')
    assert not untranslated_template_text(
        '{% load i18n %}<h1 class="title">{% translate "预算执行" %}</h1>'
        '<p>{% blocktranslate with n=3 %}共{{ n }}项{% endblocktranslate %}</p>'
        '<input type="text" name="reason" placeholder="{% translate "理由" %}">'
        '{% include "x.html" with title=_("部门整体") %}<span>{{ a }} · {{ b }}%</span>'
        "<script>const ready = true;</script>{# 注释 #}{% comment %}说明{% endcomment %}"
    )


@pytest.mark.parametrize("path", template_files(), ids=lambda path: str(path.relative_to(ROOT)))
def test_template_has_no_text_outside_translation_tags(path):
    problems = untranslated_template_text(path.read_text(encoding="utf-8"))
    assert not problems, f"{path.relative_to(ROOT)}: text outside {{% translate %}}:\n" + "\n".join(problems)


def test_templates_are_found():
    assert len(template_files()) > 40


# --- b. Python ----------------------------------------------------------------------------------

GETTEXT_FUNCTIONS = {
    "_", "gettext", "gettext_lazy", "gettext_noop", "ngettext", "ngettext_lazy",
    "pgettext", "pgettext_lazy", "npgettext", "npgettext_lazy",
}

# Whole files whose Chinese literals are data, not interface text.
DATA_FILES = {
    # The demo department: names and texts of the seed report, stored in the database as user data.
    "fundmgr/demo/seed.py",
    # The demo department's 绩效运行监控 (causes, measures): user data written through the services.
    "fundmgr/demo/monitoring.py",


    # The demo's performance year (issue 16): the names of its records (a 佐证材料's file name), user data.
    "fundmgr/demo/performance.py",
    # Synthetic ledgers for benchmarks: generated names stored as user data.
    "fundmgr/demo/synthetic.py",
    # 部门预算支出经济分类: the reference data of the initial migration, stored in the database.
    "projects/economic_classes.py",
    # The words of the published 自评表 forms that the review reader matches in a filled workbook.
    "fundmgr/review/vocabulary.py",
    # The direction words, units and qualitative phrases of text targets as departments write them.
    "indicators/targets.py",
}

# Single literals that are data or format, with the reason.
ALLOWED_LITERALS = {
    # The name of the auth group of the province's finance bureau, as stored in the database.
    ("units/access.py", "财政厅"),
    # The 文号 of a carried-over budget line as DOMAIN.md section 8 fixes it (结转自YYYY): a record.
    ("projects/yearend.py", "结转自"),
    # An ideographic space indenting sub-rows of a table, not a word.
    ("fundmgr/exports/execution.py", "\u3000"),
    ("fundmgr/exports/expenditures.py", "\u3000"),
    # Font family names.
    ("fundmgr/exports/report.py", "仿宋"),
    ("fundmgr/exports/report.py", "黑体"),
    ("fundmgr/exports/report.py", "宋体"),
    ("fundmgr/exports/report.py", "楷体"),
    ("fundmgr/exports/styles.py", "宋体"),
    # Parsing what users type: a header's trailing note in full-width brackets, a full-width asterisk,
    # a full-width thousands separator, units of measure that name a rate.
    ("fundmgr/workbook/reader.py", r"\s*[（(][^）)]*[）)]\s*$"),
    ("fundmgr/workbook/reader.py", "*＊"),
    ("indicators/forms.py", "，"),
    ("indicators/selectors.py", "％"),
    ("indicators/selectors.py", "百分比"),
    ("indicators/selectors.py", "分"),
    ("indicators/selectors.py", "星"),
}

# The import format (DOMAIN.md section 4): sheet names, column headers and choice aliases are the
# file format the importer parses, in Chinese whatever the interface language. Only the help texts
# of fundmgr/workbook/schema.py are interface text.
FORMAT_FILE = "fundmgr/workbook/schema.py"
INTERFACE_KEYWORDS = {"help", "help_text", "label", "verbose_name", "message"}

# Developer-facing help of management commands is English and may quote a Chinese term.
COMMAND_HELP = "help"


def python_files() -> list[Path]:
    return sorted(
        path
        for app in APPS
        for path in (ROOT / app).rglob("*.py")
        if "migrations" not in path.parts and str(path.relative_to(ROOT)) not in DATA_FILES
    )


def is_gettext_call(node: ast.AST) -> bool:
    if not isinstance(node, ast.Call):
        return False
    function = node.func
    name = function.id if isinstance(function, ast.Name) else function.attr if isinstance(function, ast.Attribute) else ""
    return name in GETTEXT_FUNCTIONS


def unmarked_literals(source: str, relative: str) -> list[str]:
    """Chinese string literals of a module that reach no gettext function."""
    tree = ast.parse(source)
    parents = {child: parent for parent in ast.walk(tree) for child in ast.iter_child_nodes(parent)}
    problems = []
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Constant) and isinstance(node.value, str) and CJK.search(node.value)):
            continue
        parent = parents.get(node)
        if isinstance(parent, ast.Expr):  # a docstring, or a bare string statement
            continue
        if is_gettext_call(parent) and node in parent.args:
            continue
        if (relative, node.value) in ALLOWED_LITERALS:
            continue
        if isinstance(parent, ast.Assign) and any(
            isinstance(target, ast.Name) and target.id == COMMAND_HELP for target in parent.targets
        ) and relative.startswith(tuple(f"{app}/management/commands/" for app in APPS)):
            continue
        if relative == FORMAT_FILE and not (isinstance(parent, ast.keyword) and parent.arg in INTERFACE_KEYWORDS):
            continue
        problems.append(f"{relative}:{node.lineno}: {node.value!r}")
    return problems


def test_the_python_check_finds_unmarked_literals():
    source = (
        "from django.utils.translation import gettext as _\n"
        "def f(name):\n"
        '    """说明"""\n'
        '    ok = _("已保存")\n'
        '    bad = "未保存"\n'
        '    also_bad = f"{name}：已保存"\n'
        '    raise ValueError("出错了")\n'
    )
    problems = unmarked_literals(source, "fundmgr/example.py")
    assert [problem.split(": ", 1)[1] for problem in problems] == ["'未保存'", "'：已保存'", "'出错了'"]
    assert unmarked_literals('Column("code", "部门编码", help="部门编码，如 XJWF")\n', FORMAT_FILE) == [
        f"{FORMAT_FILE}:1: '部门编码，如 XJWF'"
    ]


def test_python_modules_pass_every_chinese_literal_through_gettext():
    problems = []
    for path in python_files():
        relative = str(path.relative_to(ROOT))
        problems += unmarked_literals(path.read_text(encoding="utf-8"), relative)
    assert not problems, "Chinese literals not marked for translation:\n" + "\n".join(problems)


def lazy_strings_formatted_at_import(source: str, relative: str) -> list[str]:
    """`gettext_lazy("…") % {…}` outside a function runs once, at import, in the default language."""
    tree = ast.parse(source)
    lazy_names = {"gettext_lazy", "pgettext_lazy", "ngettext_lazy", "npgettext_lazy"}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module == "django.utils.translation":
            lazy_names |= {alias.asname or alias.name for alias in node.names if alias.name.endswith("_lazy")}
    problems = []

    def visit(node, in_function):
        for child in ast.iter_child_nodes(node):
            inside = in_function or isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda))
            if (
                not inside
                and isinstance(child, ast.BinOp)
                and isinstance(child.op, ast.Mod)
                and isinstance(child.left, ast.Call)
                and isinstance(child.left.func, ast.Name)
                and child.left.func.id in lazy_names
            ):
                problems.append(f"{relative}:{child.lineno}")
            visit(child, inside)

    visit(tree, False)
    return problems


def test_no_lazy_translation_is_formatted_at_import_time():
    assert lazy_strings_formatted_at_import(
        'from django.utils.translation import gettext_lazy as _\nMONTHS = [_("%(m)s月") % {"m": m} for m in range(12)]\n'
        'def f(m):\n    return _("%(m)s月") % {"m": m}\n',
        "example.py",
    ) == ["example.py:2"]
    problems = []
    for path in python_files():
        problems += lazy_strings_formatted_at_import(path.read_text(encoding="utf-8"), str(path.relative_to(ROOT)))
    assert not problems, "lazy translations formatted at import time (frozen in Chinese):\n" + "\n".join(problems)


# --- c. the catalog -----------------------------------------------------------------------------


def committed_catalog() -> po.Catalog:
    return po.parse((CATALOG / "django.po").read_text(encoding="utf-8"))


def extracted_msgids(tmp_path: Path) -> set[po.Key]:
    """The msgids makemessages finds now, extracted into a copy of the project's code."""
    if shutil.which("xgettext") is None or shutil.which("msgmerge") is None:
        pytest.fail("GNU gettext is missing: install it (apt-get install -y gettext) to check the translations")
    copy = tmp_path / "project"
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "locale")
    for name in (*APPS, "templates"):
        shutil.copytree(ROOT / name, copy / name, ignore=ignore)
    shutil.copy(ROOT / "manage.py", copy / "manage.py")
    (copy / "locale").mkdir()
    result = subprocess.run(
        [sys.executable, "manage.py", "makemessages", "--locale", "en", "--no-obsolete", "--no-location"],
        cwd=copy,
        env={"PATH": os.environ["PATH"], "DEBUG": "1", "DJANGO_SETTINGS_MODULE": "fundmgr.settings",
             "PYTHONPATH": str(copy)},
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    return set(po.parse((copy / "locale/en/LC_MESSAGES/django.po").read_text(encoding="utf-8")).entries)


def test_every_message_has_an_english_translation(tmp_path):
    extracted = extracted_msgids(tmp_path)
    assert len(extracted) > 600
    catalog = committed_catalog()
    missing = sorted(po.describe(key) for key in extracted if key not in catalog.entries)
    assert not missing, "msgids missing from locale/en/LC_MESSAGES/django.po (run make messages):\n" + "\n".join(missing)
    untranslated = sorted(po.describe(key) for key in extracted if not catalog.entries[key].translated)
    assert not untranslated, "msgids without an English translation, or fuzzy:\n" + "\n".join(untranslated)


def test_no_entry_of_the_catalog_is_fuzzy_or_empty():
    catalog = committed_catalog()
    bad = sorted(po.describe(key) for key, entry in catalog.entries.items() if not entry.translated)
    assert not bad, "fuzzy or empty entries in django.po:\n" + "\n".join(bad)


def test_translations_keep_the_placeholders():
    catalog = committed_catalog()
    wrong = []
    for key, entry in catalog.entries.items():
        for translation in entry.msgstrs:
            if po.placeholders(key.msgid) != po.placeholders(translation):
                wrong.append(f"{po.describe(key)} -> {translation!r}")
    assert not wrong, "translations that drop or add a %(name)s placeholder:\n" + "\n".join(wrong)


def test_the_compiled_catalog_agrees_with_the_po_file():
    catalog = committed_catalog()
    with open(CATALOG / "django.mo", "rb") as stream:
        compiled = gettext.GNUTranslations(stream)
    expected = catalog.as_mo_catalog()
    actual = {key: value for key, value in compiled._catalog.items() if key != ""}
    stale = sorted(str(key) for key in set(expected) | set(actual) if expected.get(key) != actual.get(key))
    assert not stale, "django.mo differs from django.po (run make messages and commit the .mo):\n" + "\n".join(stale[:40])


def test_the_po_parser_reads_contexts_plurals_and_fuzzy_entries():
    catalog = po.parse(
        'msgid ""\nmsgstr "Content-Type: text/plain; charset=UTF-8\\n"\n\n'
        'msgctxt "ordinal"\nmsgid "一"\nmsgstr "1"\n\n'
        '#, fuzzy\nmsgid "二"\nmsgstr "2"\n\n'
        'msgid "%(n)s 项"\nmsgid_plural "%(n)s 项"\nmsgstr[0] "%(n)s item"\nmsgstr[1] "%(n)s items"\n\n'
        'msgid "三"\nmsgstr ""\n"three"\n\n'
        '#~ msgid "旧"\n#~ msgstr "old"\n'
    )
    assert catalog.entries[po.Key("一", "ordinal")].msgstrs == ["1"]
    assert not catalog.entries[po.Key("二")].translated
    assert catalog.entries[po.Key("%(n)s 项", plural="%(n)s 项")].msgstrs == ["%(n)s item", "%(n)s items"]
    assert catalog.entries[po.Key("三")].msgstrs == ["three"]
    assert po.Key("旧") not in catalog.entries
    assert catalog.as_mo_catalog() == {"ordinal\x04一": "1", ("%(n)s 项", 0): "%(n)s item", ("%(n)s 项", 1): "%(n)s items",
                                       "三": "three"}


# --- d. behaviour -------------------------------------------------------------------------------


def choose_english(client):
    client.post(reverse("set_language"), {"language": "en", "next": "/"})


@pytest.mark.django_db
def test_the_login_page_speaks_chinese_by_default_and_english_when_chosen(client):
    chinese = client.get(reverse("login")).content.decode()
    assert "用户名" in chinese and "登录" in chinese
    choose_english(client)
    english = client.get(reverse("login")).content.decode()
    assert "Username" in english and "Password" in english and "Log in" in english
    assert not CJK.search(english.replace("简体中文", ""))


def department_url(world, name, **kwargs):
    return reverse(name, kwargs={**world.kwargs, **kwargs})


@pytest.mark.django_db
def test_the_dashboard_speaks_english_when_chosen(world, as_persona):
    client = as_persona("finance")
    url = department_url(world, "department")
    chinese = client.get(url).content.decode()
    assert "全年预算数" in chinese and "执行率" in chinese and "序时进度" in chinese
    choose_english(client)
    english = client.get(url).content.decode()
    assert "Full-year budget" in english and "Execution rate" in english and "Time-elapsed progress" in english
    assert "全年预算数" not in english and "序时进度" not in english


@pytest.mark.django_db
def test_the_self_evaluation_table_speaks_english_when_chosen(world, as_persona):
    Indicator.objects.create(
        department_year=world.department_year, code="D1", level1=Indicator.Level1.OUTPUT, level2="数量", name="培训人次",
        direction=Indicator.Direction.AT_LEAST, target=Decimal("100"), actual=Decimal("120"),
    )
    client = as_persona("finance")
    url = department_url(world, "indicators:evaluation")
    chinese = client.get(url).content.decode()
    assert "部门整体支出绩效自评表" in chinese and "一级指标" in chinese and "产出指标" in chinese and "评价等级" in chinese
    choose_english(client)
    english = client.get(url).content.decode()
    assert "Department Overall Expenditure Performance Self-Evaluation Table" in english
    assert "Level-1 indicator" in english and "Output indicators" in english and "Rating" in english
    assert "Excellent" in english
    assert "部门整体支出绩效自评表" not in english and "评价等级" not in english


def downloaded_headers(client, url) -> list[str]:
    response = client.get(url)
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    return [str(cell.value) for sheet in book.worksheets for row in sheet.iter_rows() for cell in row if cell.value]


@pytest.mark.django_db
def test_an_exported_workbook_follows_the_chosen_language(world, as_persona):
    client = as_persona("finance")
    url = department_url(world, "exports:download", what="execution")
    chinese = downloaded_headers(client, url)
    assert "预算执行情况表" in " ".join(chinese) and "全年预算数" in chinese
    choose_english(client)
    english = downloaded_headers(client, url)
    assert "Budget Execution Table" in " ".join(english) and "Full-year budget" in english
    assert "全年预算数" not in english


def exported(tmp_path, world, what, **options) -> Path:
    extension = "docx" if what == "report" else "xlsx"
    out = tmp_path / f"{what}-{options.get('language', 'default')}.{extension}"
    call_command("export", department=world.code, year=world.year, what=what, out=str(out), **options)
    return out


@pytest.mark.django_db
def test_the_export_command_writes_english_files_when_asked(tmp_path, world):
    english_sheet = [str(cell.value) for row in load_workbook(exported(tmp_path, world, "self-evaluation", language="en")).active.iter_rows()
                     for cell in row if cell.value is not None]
    assert "Funds of the year (10k yuan)" in english_sheet and "Full-year budget" in english_sheet
    # Only the department's own name stays Chinese (an ideographic space indenting a row is not a word).
    chinese = [text for text in english_sheet if CJK.search(text.replace("\u3000", " "))]
    assert chinese == [world.department_year.department.name]
    english_report = [p.text for p in Document(exported(tmp_path, world, "report", language="en")).paragraphs]
    assert "I. Overview" in english_report and "IV. Conclusion" in english_report


@pytest.mark.django_db
def test_the_export_command_writes_chinese_by_default(tmp_path, world):
    sheet = [str(cell.value) for row in load_workbook(exported(tmp_path, world, "self-evaluation")).active.iter_rows()
             for cell in row if cell.value is not None]
    assert "年度资金（万元）" in sheet and "全年预算数" in sheet
    report = [p.text for p in Document(exported(tmp_path, world, "report")).paragraphs]
    assert "一、基本概况" in report and "四、评价结论" in report
