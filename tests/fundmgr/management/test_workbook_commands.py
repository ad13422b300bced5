"""The import_budget and budget_template commands."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from openpyxl import load_workbook

from fundmgr.workbook import schema
from projects.models import EconomicClass, Expenditure
from tests.fundmgr.workbooks import database_state, valid_sheets, with_cell, xlsx

pytestmark = pytest.mark.django_db


@pytest.fixture
def workbook_file(tmp_path):
    def write(sheets):
        path = tmp_path / "budget.xlsx"
        path.write_bytes(xlsx(sheets))
        return str(path)

    return write


def run(*args) -> tuple[str, str]:
    """Run import_budget as manage.py would, returning stdout and stderr. A rejection raises
    CommandError, which manage.py turns into its exit status (CommandError.returncode)."""
    out, err = StringIO(), StringIO()
    try:
        call_command("import_budget", *args, stdout=out, stderr=err)
    except CommandError as error:
        error.stderr = err.getvalue()
        raise
    return out.getvalue(), err.getvalue()


def test_import_budget_prints_counts_and_exits_zero(workbook_file):
    out, err = run(workbook_file(valid_sheets()))
    assert err == ""
    assert "支出明细：3 行" in out
    assert "已导入 测试部门 2024" in out
    assert Expenditure.objects.count() == 3


def test_import_budget_prints_each_error_on_its_own_line_and_exits_non_zero(workbook_file):
    sheets = with_cell(with_cell(valid_sheets(), "支出明细", 2, "金额", 0), "支出明细", 3, "支出日期", "2023-05-01")
    before = database_state()
    with pytest.raises(CommandError) as rejection:
        run(workbook_file(sheets))
    assert rejection.value.returncode == 1
    assert rejection.value.stderr.splitlines() == ["支出明细 第2行 金额: 金额须大于0", "支出明细 第3行 支出日期: 日期须在2024年度内"]
    assert "共 2 个错误" in str(rejection.value)
    assert database_state() == before


def test_import_budget_replace_and_dry_run_flags(workbook_file):
    path = workbook_file(valid_sheets())
    assert "试运行" in run(path, "--dry-run")[0]
    assert Expenditure.objects.count() == 0
    run(path)
    with pytest.raises(CommandError) as rejection:
        run(path)
    assert "--replace" in rejection.value.stderr
    assert "已替换" in run(path, "--replace")[0]
    assert Expenditure.objects.count() == 3


def test_import_budget_refuses_a_file_that_is_not_xlsx(tmp_path):
    path = tmp_path / "budget.csv"
    path.write_text("项目编码,金额\nP1,100\n")
    with pytest.raises(CommandError) as rejection:
        run(str(path))
    assert rejection.value.stderr == "文件不是有效的 Excel 工作簿（.xlsx）\n"


def test_import_budget_refuses_a_missing_file(tmp_path):
    with pytest.raises(CommandError) as rejection:
        run(str(tmp_path / "nowhere.xlsx"))
    assert rejection.value.stderr == "无法读取文件\n"


def test_the_template_has_every_sheet_with_its_headers(tmp_path):
    path = tmp_path / "template.xlsx"
    call_command("budget_template", str(path))
    book = load_workbook(path)
    assert book.sheetnames[0] == "说明"
    for sheet in schema.SHEETS:
        assert [cell.value for cell in book[sheet.name][1]] == [column.header for column in sheet.columns]
        assert book[sheet.name].max_row == 1


def test_the_template_offers_a_drop_down_list_on_every_enumerated_column(tmp_path):
    path = tmp_path / "template.xlsx"
    call_command("budget_template", str(path))
    book = load_workbook(path)
    kind = {str(v.sqref).split(":")[0]: v.formula1 for v in book["预算单位"].data_validations.dataValidation}
    assert kind["C2"] == '"行政单位,事业单位,参公管理事业单位"'
    lines = {str(v.sqref).split(":")[0]: v.formula1 for v in book["预算指标"].data_validations.dataValidation}
    assert lines["B2"] == '"上级安排,本级财政,其他资金"'
    assert lines["C2"] == '"年初预算,年中追加,年中调减,上年结转"'
    indicators = {str(v.sqref).split(":")[0]: v.formula1 for v in book["绩效指标"].data_validations.dataValidation}
    assert indicators["E2"] == '"≥,≤,=,定性"'
    assert indicators["K2"] == '"达成,部分达成,未达成"'
    assert indicators["B2"] == '"产出指标,效益指标,满意度指标"'
    for sheet in schema.SHEETS:
        validated = {str(v.sqref).split(":")[0][:-1] for v in book[sheet.name].data_validations.dataValidation}
        enumerated = {
            chr(ord("A") + index)
            for index, column in enumerate(sheet.columns)
            if column.kind in (schema.CHOICE, schema.ECONOMIC_CLASS)
        }
        assert validated == enumerated, sheet.name


def test_the_economic_class_list_comes_from_a_hidden_sheet_of_the_codes(tmp_path):
    path = tmp_path / "template.xlsx"
    call_command("budget_template", str(path))
    book = load_workbook(path)
    [validation] = [v for v in book["支出明细"].data_validations.dataValidation if str(v.sqref).startswith("D2")]
    count = EconomicClass.objects.count()
    assert validation.formula1 == f"'经济分类表'!$A$2:$A${count + 1}"
    codes = book["经济分类表"]
    assert codes.sheet_state == "hidden"
    assert {row[0] for row in codes.iter_rows(min_row=2, values_only=True)} == set(
        EconomicClass.objects.values_list("code", flat=True)
    )
    assert "30201" in {row[0] for row in codes.iter_rows(min_row=2, values_only=True)}


def test_the_instructions_sheet_explains_every_sheet_and_column(tmp_path):
    path = tmp_path / "template.xlsx"
    call_command("budget_template", str(path))
    rows = list(load_workbook(path)["说明"].iter_rows(values_only=True))
    described = {(row[0], row[1]) for row in rows if len(row) > 1 and row[1]}
    for sheet in schema.SHEETS:
        for column in sheet.columns:
            assert (sheet.name, column.header) in described
    text = "\n".join(str(cell) for row in rows for cell in row if cell)
    assert "可用指标" in text and "全部成功" in text and "可选：≥、≤、=、定性" in text


def test_a_filled_in_template_imports(tmp_path):
    path = tmp_path / "template.xlsx"
    call_command("budget_template", str(path))
    book = load_workbook(path)
    for name, rows in valid_sheets().items():
        headers = rows[0]
        sheet = book[name]
        order = [cell.value for cell in sheet[1]]
        for row in rows[1:]:
            sheet.append([row[headers.index(header)] if header in headers else None for header in order])
    book.save(path)
    call_command("import_budget", str(path))
    assert Expenditure.objects.count() == 3
