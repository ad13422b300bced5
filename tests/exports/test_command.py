import pytest
from django.core.management import CommandError, call_command
from docx import Document
from openpyxl import load_workbook


@pytest.mark.parametrize("what", ["self-evaluation", "project-evaluation", "execution", "expenditures", "workbook", "report"])
def test_export_command_writes_each_file(ledger, tmp_path, what):
    out = tmp_path / f"file.{'docx' if what == 'report' else 'xlsx'}"
    call_command("export", department="TST", year=2024, what=what, out=str(out))
    if what == "report":
        assert "manage.py export" in Document(str(out)).core_properties.author
    else:
        assert "manage.py export" in load_workbook(str(out)).properties.creator


def test_export_command_filters_the_detail_by_unit_and_dates(ledger, tmp_path):
    out = tmp_path / "detail.xlsx"
    call_command("export", "--department", "TST", "--year", "2024", "--what", "expenditures", "--out", str(out),
                 "--unit", "B", "--from", "2024-07-01", "--to", "2024-12-31")
    ws = load_workbook(str(out)).active
    assert [row[3].value for row in ws.iter_rows(min_row=4) if row[0].value != "合计"] == ["B-X01"]


@pytest.mark.parametrize(
    "arguments, message",
    [
        ({"department": "NOPE"}, "没有找到部门 NOPE 的 2024 年度数据"),
        ({"year": 2023}, "没有找到部门 TST 的 2023 年度数据"),
        ({"unit": "Z"}, "没有编码为 Z 的预算单位"),
        ({"date_from": "2024-02-30"}, "--from 日期格式应为 YYYY-MM-DD"),
        ({"date_to": "2025-01-01"}, "--to 日期须在 2024 年度内"),
        ({"date_from": "2024-05-01", "date_to": "2024-04-01"}, "--to 不能早于 --from"),
        ({"what": "report", "unit": "A"}, "只适用于 --what expenditures"),
    ],
)
def test_export_command_names_what_is_wrong(ledger, tmp_path, arguments, message):
    options = {"department": "TST", "year": 2024, "what": "expenditures", "out": str(tmp_path / "x.xlsx"), **arguments}
    with pytest.raises(CommandError, match=message.replace("(", r"\(")):
        call_command("export", **options)
    assert not (tmp_path / "x.xlsx").exists()


def test_export_command_refuses_a_missing_folder(ledger, tmp_path):
    with pytest.raises(CommandError, match="目录不存在"):
        call_command("export", department="TST", year=2024, what="report", out=str(tmp_path / "no" / "r.docx"))


def test_export_command_rejects_an_unknown_kind(ledger, tmp_path):
    with pytest.raises(CommandError):
        call_command("export", department="TST", year=2024, what="everything", out=str(tmp_path / "x"))
