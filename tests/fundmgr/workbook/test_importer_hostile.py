"""Hostile workbooks: whatever is uploaded, the import either succeeds with a valid ledger
or is refused with located Chinese errors, never an exception, and a refusal changes nothing.

Decisions these tests pin:
- extra sheets (a cover page, notes, a pivot) are ignored, as the template's own 说明 sheet is;
- merged cells read as Excel stores them, the value in the top-left cell and the others blank;
- formulas are read by their cached value; a formula without one (as openpyxl or a script writes
  it) is a blank cell, and a cached error such as #DIV/0! is text that is not a number;
- a date serial number in a cell not formatted as a date is refused with a hint, never guessed;
- full-width digits (１２３) are refused, as in every form.
"""

import io
import re
import time
import zipfile
from datetime import date
from decimal import Decimal

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import transaction
from django.db.models import Sum
from django.urls import reverse
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from fundmgr.workbook import schema, workbook_import
from fundmgr.workbook.reader import READERS, CellError
from projects.models import BudgetItem, BudgetLine, Expenditure
from tests.fundmgr.hostile import HAN, hostile_cell, ledger_dump, rewrite_cells, rewrite_members
from tests.fundmgr.workbooks import saved, valid_sheets, with_cell, workbook, xlsx
from units.models import Department, Membership

pytestmark = pytest.mark.django_db

SHEET_NAMES = {sheet.name for sheet in schema.SHEETS}
NOT_A_WORKBOOK = "文件不是有效的 Excel 工作簿（.xlsx）"

# Each example runs inside a savepoint that is rolled back, so the function-scoped `db` fixture's
# state is the same for every example: the health check about such fixtures is moot here.
PROPERTY = settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)


@pytest.fixture
def existing_year():
    """TEST 2024 already imported: a hostile replacement must leave it exactly as it is."""
    result = workbook_import(source=xlsx(valid_sheets()))
    assert result.ok, result.errors
    return result.department_year


@pytest.fixture
def finance(world, own_storage):
    """The persona world's finance officer, also of department TEST (the workbooks' department), so the
    upload goes as far as the dry run and the confirmation allow. The upload's files (pending
    workbooks, kept error lists) go to the test's own storage."""
    department = Department.objects.create(code="TEST", name="测试部门")
    Membership.objects.create(user=world.finance, department=department, role=Membership.Role.FINANCE)
    return world.finance


def cell_positions():
    """Every data cell of the valid workbook, as (sheet, Excel row, header)."""
    return [
        (name, number, header)
        for name, rows in valid_sheets().items()
        for number in range(2, len(rows) + 1)
        for header in rows[0]
    ]


POSITIONS = cell_positions()
hostile_edits = st.lists(st.tuples(st.sampled_from(POSITIONS), hostile_cell), min_size=1, max_size=6)


def with_edits(edits) -> dict:
    sheets = valid_sheets()
    for (name, number, header), value in edits:
        sheets = with_cell(sheets, name, number, header, value)
    return sheets


def assert_located_chinese(errors) -> None:
    assert errors
    for error in errors:
        assert error.sheet in SHEET_NAMES, error
        assert isinstance(error.row, int) and error.row >= 1, error
        assert error.column, error
        assert HAN.search(error.message), error


def assert_valid_ledger(department_year) -> None:
    """What an accepted import must hold: amounts in cents above zero, dates in the year, no item overspent."""
    for item in BudgetItem.objects.filter(department_year=department_year):
        budget = sum(
            (-line.amount if line.kind == BudgetLine.Kind.REDUCTION else line.amount for line in item.lines.all()), Decimal("0")
        )
        spent = Expenditure.objects.filter(item=item).aggregate(total=Sum("amount", default=Decimal("0")))["total"]
        assert spent <= budget, item.code
    for amount, day in Expenditure.objects.filter(item__department_year=department_year).values_list("amount", "date"):
        assert amount > 0 and amount == amount.quantize(Decimal("0.01"))
        assert day.year == department_year.year


# ---- properties --------------------------------------------------------------------------


@PROPERTY
@given(edits=hostile_edits)
def test_any_cell_anywhere_is_imported_validly_or_refused_with_located_errors_and_nothing_changes(existing_year, edits):
    with transaction.atomic():
        before = ledger_dump()
        result = workbook_import(source=xlsx(with_edits(edits)), replace=True)
        if result.ok:
            assert_valid_ledger(result.department_year)
        else:
            assert_located_chinese(result.errors)
            assert ledger_dump() == before
        transaction.set_rollback(True)


@PROPERTY
@given(edits=hostile_edits)
@example(edits=[(("部门", 2, "部门编码"), 0)])  # found by hypothesis: a valid workbook of department "0"
def test_a_hostile_upload_is_shown_as_an_error_table_never_a_server_error(client, finance, edits):
    client.force_login(finance)
    sheets = with_edits(edits)
    with transaction.atomic():
        before = ledger_dump()
        upload = SimpleUploadedFile("budget.xlsx", xlsx(sheets))
        response = client.post(reverse("upload:workbook"), {"workbook": upload})
        assert response.status_code == 200
        body = response.content.decode()
        result = response.context.get("result")
        if result is None:
            # It reads cleanly but names another department (a changed 部门编码): not this office's to import.
            assert "您不是该工作簿所属部门的财务处人员" in body
            assert 'name="confirm"' not in body
        elif result.errors:
            assert 'id="import-errors"' in body
            assert 'name="confirm"' not in body
        assert ledger_dump() == before  # a dry run writes nothing, accepted or not
        transaction.set_rollback(True)


COLUMNS = [column for sheet in schema.SHEETS for column in sheet.columns]


@settings(max_examples=300, deadline=None)
@given(column=st.sampled_from(COLUMNS), value=hostile_cell)
def test_a_cell_reader_returns_a_value_or_refuses_in_chinese_and_raises_nothing_else(column, value):
    try:
        READERS[column.kind](value, column)
    except CellError as refusal:
        assert HAN.search(str(refusal))


# ---- named cases -------------------------------------------------------------------------


def messages(result) -> list[str]:
    return [str(error) for error in result.errors]


@pytest.mark.parametrize(
    "cell, message",
    [
        (1e308, "支出明细 第3行 金额: 金额过大"),
        (float("inf"), "支出明细 第3行 金额: 金额不能为空"),  # xlsx has no infinity: openpyxl writes an empty value
        ("1e309", "支出明细 第3行 金额: 金额须为数字，“1e309”不是数字"),
        ("NaN", "支出明细 第3行 金额: 金额须为数字，“NaN”不是数字"),
        ("１２３", "支出明细 第3行 金额: 金额请使用半角数字，“１２３”含全角或其他文字的数字"),
        ("12.345", "支出明细 第3行 金额: 金额最多2位小数"),
        ("-0", "支出明细 第3行 金额: 金额须大于0"),
        (-0.0, "支出明细 第3行 金额: 金额须大于0"),
        ("9" * 40, "支出明细 第3行 金额: 金额过大"),
        ("=1/0", "支出明细 第3行 金额: 金额不能为空"),  # a formula without a cached value
    ],
)
def test_a_hostile_amount_is_refused_naming_the_cell(existing_year, cell, message):
    before = ledger_dump()
    result = workbook_import(source=xlsx(with_cell(valid_sheets(), "支出明细", 3, "金额", cell)), replace=True)
    assert message in messages(result)
    assert ledger_dump() == before


def test_a_cached_formula_error_is_refused_as_not_a_number():
    data = rewrite_cells(xlsx(with_cell(valid_sheets(), "支出明细", 3, "金额", "FORMULA")), "FORMULA",
                         lambda ref: f'<c r="{ref}" t="e"><f>1/0</f><v>#DIV/0!</v></c>')
    assert "支出明细 第3行 金额: 金额须为数字，“#DIV/0!”不是数字" in messages(workbook_import(source=data))


def test_a_date_serial_number_is_refused_with_a_hint():
    result = workbook_import(source=xlsx(with_cell(valid_sheets(), "支出明细", 3, "支出日期", 45366)))
    assert "支出明细 第3行 支出日期: 支出日期须为日期，单元格中是数字 45366；请把单元格格式设为日期，或填写 2024-03-15" in messages(result)


def test_a_memo_longer_than_the_column_is_refused_before_the_database_sees_it():
    memo_length = Expenditure._meta.get_field("memo").max_length
    assert schema.EXPENDITURES.column("memo").max_length == memo_length
    result = workbook_import(source=xlsx(with_cell(valid_sheets(), "支出明细", 3, "摘要", "长" * (memo_length + 1))))
    assert f"支出明细 第3行 摘要: 摘要最多{memo_length}个字符" in messages(result)
    ok = workbook_import(source=xlsx(with_cell(valid_sheets(), "支出明细", 3, "摘要", "长" * memo_length)))
    assert ok.ok and Expenditure.objects.filter(memo="长" * memo_length).exists()


def test_every_text_column_is_no_longer_than_its_model_field():
    """The importer's length limits are the database's: PostgreSQL never raises DataError on an import."""
    targets = {
        ("units", "code"): ("units.BudgetUnit", "code"), ("units", "name"): ("units.BudgetUnit", "name"),
        ("items", "code"): ("projects.BudgetItem", "code"), ("items", "name"): ("projects.BudgetItem", "name"),
        ("items", "unit"): ("units.BudgetUnit", "code"), ("lines", "document"): ("projects.BudgetLine", "document"),
        ("expenditures", "memo"): ("projects.Expenditure", "memo"),
        ("expenditures", "voucher"): ("projects.Expenditure", "voucher"),
        ("indicators", "code"): ("indicators.Indicator", "code"), ("indicators", "name"): ("indicators.Indicator", "name"),
        ("indicators", "unit"): ("indicators.Indicator", "unit"),
        ("department", "code"): ("units.Department", "code"), ("department", "name"): ("units.Department", "name"),
    }
    for (sheet, key), (model, field) in targets.items():
        column = schema.SHEETS_BY_KEY[sheet].column(key)
        assert column.max_length == apps.get_model(model)._meta.get_field(field).max_length, (sheet, key)


def test_merged_cells_read_as_excel_stores_them(existing_year):
    book = workbook(valid_sheets())
    book["支出明细"].merge_cells("D3:D4")  # 经济分类 of rows 3 and 4: row 4's is now blank
    book["部门"].merge_cells("D1:F2")  # a decorative block beside the data is ignored
    before = ledger_dump()
    result = workbook_import(source=saved(book), replace=True)
    assert messages(result) == ["支出明细 第4行 经济分类: 经济分类不能为空"]
    assert ledger_dump() == before


def test_extra_sheets_are_ignored():
    sheets = valid_sheets()
    sheets["封面"] = [["2024年预算执行工作簿"], ["=SUM(A1:A2)", None, 1e308]]
    sheets["备注"] = [["随便写", "１２３", "NaN"]] * 50
    result = workbook_import(source=xlsx(sheets))
    assert result.ok, messages(result)
    assert result.counts["支出明细"] == 3


def test_ten_thousand_empty_rows_are_skipped_quickly_and_later_rows_keep_their_numbers():
    book = workbook(valid_sheets())
    spending = book["支出明细"]
    for number in range(5, 10005):  # formatted but empty: each row is in the sheet's XML
        spending.cell(row=number, column=1).number_format = "@"
        spending.cell(row=number, column=6).number_format = "@"
    spending.cell(row=10005, column=1, value="P9")
    data = saved(book)
    started = time.monotonic()
    result = workbook_import(source=data)
    assert time.monotonic() - started < 10
    assert "支出明细 第10005行 金额: 金额不能为空" in messages(result)
    assert "支出明细 第10005行 项目编码: 项目编码“P9”不存在于“预算项目”表" in messages(result)


def test_a_huge_declared_dimension_and_a_cell_in_the_last_column_cost_nothing():
    def stretch(name, xml):
        xml = re.sub(rb'<dimension ref="[^"]*"/>', b'<dimension ref="A1:XFD1048576"/>', xml)
        if name.endswith("sheet1.xml"):  # 部门: a stray cell far to the right, in a row of its own
            xml = xml.replace(b"</sheetData>", b'<row r="3"><c r="XFD3" t="n"><v>1</v></c></row></sheetData>')
        return xml

    data = rewrite_members(xlsx(valid_sheets()), stretch)
    started = time.monotonic()
    result = workbook_import(source=data)
    assert time.monotonic() - started < 10
    assert result.ok, messages(result)


def test_a_row_beyond_excels_last_row_is_refused_naming_the_limit():
    far = b'<row r="2000000000"><c r="A2000000000" t="n"><v>1</v></c></row></sheetData>'
    data = rewrite_members(xlsx(valid_sheets()), lambda name, xml: xml.replace(b"</sheetData>", far, 1))
    started = time.monotonic()
    result = workbook_import(source=data)
    assert time.monotonic() - started < 10
    assert len(result.errors) == 1 and "行号超过 Excel 的上限 1048576 行" in messages(result)[0]


PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def a_zip_that_is_not_a_workbook() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("readme.txt", "你好")
    return buffer.getvalue()


@pytest.mark.parametrize(
    "content",
    [PDF, "金额,日期\n1,2024-01-01\n".encode("gb18030"), b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, b"", b"PK\x03\x04broken"],
    ids=["pdf", "csv", "xls", "empty", "broken-zip"],
)
def test_a_file_that_is_not_a_workbook_is_refused_plainly_by_the_command_and_the_upload(tmp_path, client, finance, content):
    before = ledger_dump()
    path = tmp_path / "budget.xlsx"
    path.write_bytes(content)
    with pytest.raises(CommandError):
        call_command("import_budget", str(path), stderr=io.StringIO())
    client.force_login(finance)
    response = client.post(reverse("upload:workbook"), {"workbook": SimpleUploadedFile("budget.xlsx", content)})
    assert response.status_code == 200
    body = response.content.decode()
    assert NOT_A_WORKBOOK in body or "所提交的是空文件" in body  # Django refuses an empty upload itself
    assert ledger_dump() == before


def test_a_zip_without_workbook_parts_is_refused_plainly():
    assert messages(workbook_import(source=a_zip_that_is_not_a_workbook())) == [NOT_A_WORKBOOK]


def bomb() -> bytes:
    """A valid workbook plus a 64 MB sheet of blanks that deflates to about 64 KB."""
    padding = b" " * (64 * 1024 * 1024)
    return rewrite_members(xlsx(valid_sheets()), lambda name, xml: xml, extra={"xl/worksheets/padding.xml": padding})


def test_a_zip_bomb_is_refused_from_the_zip_directory_naming_the_limit(tmp_path, client, finance, settings):
    data = bomb()
    assert len(data) < settings.IMPORT_MAX_BYTES
    before = ledger_dump()
    result = workbook_import(source=data)
    assert len(result.errors) == 1
    message = messages(result)[0]
    assert "压缩炸弹" in message and "上限 100 倍" in message
    settings.IMPORT_MAX_UNCOMPRESSED_BYTES = 10_000  # the total limit on its own, below any real ratio
    plain = xlsx(valid_sheets())
    assert "上限为 10000 字节" in messages(workbook_import(source=plain))[0]
    path = tmp_path / "bomb.xlsx"
    path.write_bytes(plain)
    with pytest.raises(CommandError):
        call_command("import_budget", str(path), stderr=io.StringIO())
    client.force_login(finance)
    response = client.post(reverse("upload:workbook"), {"workbook": SimpleUploadedFile("bomb.xlsx", data)})
    assert response.status_code == 200 and "压缩炸弹" in response.content.decode()
    assert ledger_dump() == before


def test_a_member_that_inflates_beyond_its_declared_size_is_never_read_past_it():
    """zipfile stops at a member's declared size, so the directory check bounds what openpyxl reads:
    a sheet that lies about its size fails its checksum and the file is refused."""
    data = bytearray(xlsx(valid_sheets()))
    archive = zipfile.ZipFile(io.BytesIO(bytes(data)))
    sheet = next(info for info in archive.infolist() if info.filename == "xl/worksheets/sheet5.xml")
    local = data.find(b"PK\x03\x04", sheet.header_offset)
    data[local + 22 : local + 26] = (100).to_bytes(4, "little")  # the local header's uncompressed size
    central = data.find(b"PK\x01\x02" + data[local + 4 : local + 6])  # version made by follows the signature
    central = data.find(b"xl/worksheets/sheet5.xml", central) - 46
    data[central + 24 : central + 28] = (100).to_bytes(4, "little")  # and the central directory's
    result = workbook_import(source=bytes(data))
    assert messages(result) == [NOT_A_WORKBOOK]


def test_the_size_limit_holds_on_the_command_and_the_upload(tmp_path, client, finance, settings):
    settings.IMPORT_MAX_BYTES = 1000
    path = tmp_path / "big.xlsx"
    path.write_bytes(xlsx(valid_sheets()))
    errors = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_budget", str(path), stderr=errors)
    assert "文件过大" in errors.getvalue() and "上限为 1000 字节" in errors.getvalue()
    client.force_login(finance)
    response = client.post(reverse("upload:workbook"), {"workbook": SimpleUploadedFile("big.xlsx", path.read_bytes())})
    assert response.status_code == 200 and "文件过大" in response.content.decode()
    assert not Expenditure.objects.filter(memo="一月工资").exists()


def test_the_row_limit_holds_on_the_command_and_the_upload(tmp_path, client, finance, settings):
    settings.IMPORT_MAX_ROWS = 10
    path = tmp_path / "rows.xlsx"
    path.write_bytes(xlsx(valid_sheets()))  # 14 data rows
    errors = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_budget", str(path), stderr=errors)
    assert "数据行过多，上限为 10 行" in errors.getvalue()
    client.force_login(finance)
    response = client.post(reverse("upload:workbook"), {"workbook": SimpleUploadedFile("rows.xlsx", path.read_bytes())})
    assert response.status_code == 200 and "数据行过多，上限为 10 行" in response.content.decode()
    assert not Expenditure.objects.filter(memo="一月工资").exists()
    settings.IMPORT_MAX_ROWS = 14
    assert workbook_import(source=path.read_bytes()).ok


def test_a_valid_upload_is_still_confirmed_after_the_hostile_checks(client, finance):
    """The refusals above do not over-reach: a valid workbook of the officer's department goes through."""
    client.force_login(finance)
    response = client.post(reverse("upload:workbook"), {"workbook": SimpleUploadedFile("budget.xlsx", xlsx(valid_sheets()))})
    assert response.status_code == 200 and 'name="confirm"' in response.content.decode()
    token = client.session["workbook_upload"]["token"]
    assert client.post(reverse("upload:workbook"), {"confirm": "1", "token": token}).status_code == 302
    assert Expenditure.objects.get(memo="一月工资").date == date(2024, 1, 15)
