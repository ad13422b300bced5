"""The 自评表 xlsx and the Word report of a draft (DOMAIN.md section 9): generated without error,
the score left blank (—) and the rating given as 草稿（未评分）; read back, the blank figures are
`missing` findings and the computed score is null (section 10)."""

import io
import json
from decimal import Decimal
from io import StringIO

from django.core.management import call_command
from docx import Document

from indicators.models import Indicator
from tests.exports.known_ledger import find_row, generated, number, open_workbook


def blank(*codes):
    Indicator.objects.filter(code__in=codes).update(actual=None)


def report_text(department_year) -> str:
    document = Document(io.BytesIO(generated("report", department_year)))
    parts = [paragraph.text for paragraph in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts.append(" | ".join(cell.text for cell in row.cells))
    return "\n".join(parts)


def test_the_self_evaluation_of_a_draft_leaves_the_score_blank_and_says_draft(ledger):
    blank("D3")
    ws = open_workbook("self-evaluation", ledger.department_year).active
    total = find_row(ws, "总分")
    assert number(ws.cell(total, 7)) == Decimal("100.00")
    assert ws.cell(total, 8).value == "—"  # no score: a blank mark, as the checker reads one (section 10)
    assert ws.cell(find_row(ws, "评价等级"), 7).value == "草稿（未评分）"
    first = find_row(ws, "一级指标") + 1
    knowing = first + 2  # 法律知识知晓率, benefit: 30 points, nothing earned yet
    assert ws.cell(knowing, 3).value == "法律知识知晓率"
    assert number(ws.cell(knowing, 8)) == Decimal("0.00")


def test_the_project_evaluation_of_a_draft_says_draft(ledger):
    blank("X1")
    ws = open_workbook("project-evaluation", ledger.department_year)["A-X01"]
    assert ws.cell(find_row(ws, "总分"), 8).value == "—"
    assert ws.cell(find_row(ws, "评价等级"), 7).value == "草稿（未评分）"


def test_the_report_of_a_draft_names_what_is_missing_and_gives_no_score(ledger):
    blank("D3")
    text = report_text(ledger.department_year)
    assert (
        "2024年度部门整体支出绩效自评为草稿（未评分）：以下指标尚未填报全年完成情况，暂不计算综合得分和评价等级：法律知识知晓率。"
        in text
    )
    assert "总分 | 100.00 | 草稿（未评分）" in text
    assert "表6 自评得分（草稿（未评分））" in text
    assert "综合得分" in text and "评价结果为" not in text


def test_a_draft_export_reads_back_with_the_blank_figures_as_missing_findings(ledger, tmp_path):
    blank("D3")
    path = tmp_path / "draft.xlsx"
    path.write_bytes(generated("self-evaluation", ledger.department_year))
    out = StringIO()
    call_command("check_self_evaluation", str(path), stdout=out, stderr=StringIO())
    table = json.loads(out.getvalue().splitlines()[0])
    assert [finding["kind"] for finding in table["findings"]] == ["missing", "missing"]
    assert "“法律知识知晓率”的实际完成值未填写" in table["findings"][0]["message"]
    assert "总分未填写" in table["findings"][1]["message"]
    assert table["computed"]["score"] is None and table["computed"]["rating"] is None
    assert table["declared"]["score"] is None
