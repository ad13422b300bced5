"""python manage.py check_self_evaluation (DOMAIN.md section 10): the JSON lines, the exit status,
and our own 自评表 exports read back with no findings."""

import json
import os
import subprocess
import sys
from decimal import Decimal
from io import BytesIO, StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from openpyxl import Workbook

from indicators.models import Indicator
from tests.exports.known_ledger import build_ledger, generated
from tests.fundmgr.review.tables import clean_project, with_indicator, xlsx
from tests.fundmgr.workbooks import valid_sheets
from tests.fundmgr.workbooks import xlsx as budget_xlsx
from units.models import DepartmentYear

D = Decimal
ROOT = Path(__file__).resolve().parents[3]
KEYS = ["file", "sheet", "kind", "title", "money_unit", "budget", "declared", "computed", "indicators", "findings"]


def run(*files) -> tuple[list[dict], str, int]:
    """(the JSON objects printed, stderr, exit status) of the command as manage.py runs it."""
    out, err = StringIO(), StringIO()
    status = 0
    try:
        call_command("check_self_evaluation", *map(str, files), stdout=out, stderr=err)
    except SystemExit as exit_:
        status = exit_.code
    return [json.loads(line) for line in out.getvalue().splitlines()], err.getvalue(), status


def override_and_wrong_total():
    """The table of the lead's note: 培训合格率 declared 15.00 where the formula gives 14.21, and a
    总分 of 96.00 where the declared 得分 add up to 9.50 + 85.62 = 95.12."""
    return with_indicator(clean_project(score=D("96.00")), 1, earned=D("15.00"))


@pytest.fixture
def files(tmp_path):
    def write(name, data: bytes) -> Path:
        path = tmp_path / name
        path.write_bytes(data)
        return path

    return write


def test_one_json_line_per_table_with_the_keys_in_order(files):
    path = files("a.xlsx", xlsx([clean_project(), clean_project(name="第二个项目")]))
    found, err, status = run(path)
    assert (status, err) == (0, "")
    assert [list(table) for table in found] == [KEYS, KEYS]
    assert list(found[0]["budget"]) == ["initial", "full_year", "spent", "execution_rate"]
    assert list(found[0]["declared"]) == ["execution_max", "execution_points", "score", "rating"]
    assert list(found[0]["computed"]) == ["execution_rate", "execution_points", "indicator_points", "score", "rating"]
    assert list(found[0]["indicators"][0]) == [
        "row", "level1", "level2", "name", "target", "actual", "points", "declared", "computed", "ratio"
    ]
    assert [table["title"] for table in found] == ["妇女儿童关爱培训项目", "第二个项目"]
    assert found[0]["file"] == str(path)


def test_override_and_wrong_total_exit_zero_with_their_findings(files):
    path = files("override.xlsx", xlsx(override_and_wrong_total()))
    out = StringIO()
    call_command("check_self_evaluation", str(path), stdout=out, stderr=StringIO())
    line = out.getvalue().splitlines()[0]
    assert "培训合格率" in line and "\\u" not in line  # ensure_ascii=False
    [table] = [json.loads(line)]
    assert table["declared"]["score"] == "96.00"
    assert table["computed"]["score"] == "94.33"
    assert table["findings"] == [
        {"row": 15, "kind": "score_override",
         "message": "第15行 “培训合格率”填报得分 15.00，按公式应为 14.21（分值 15.00 × 完成率 94.74%）"},
        {"row": 21, "kind": "score_sum", "message": "第21行 总分填报 96.00，预算执行得分与各指标得分之和为 95.12"},
    ]


def _empty_sheet() -> bytes:
    wb = Workbook()
    wb.active.title = "自评表"
    out = BytesIO()
    wb.save(out)
    return out.getvalue()


def test_bad_files_exit_2_with_a_message_naming_each_and_the_others_are_still_read(files):
    good = files("good.xlsx", xlsx(clean_project()))
    random_bytes = files("random.xlsx", os.urandom(4096))
    budget_workbook = files("budget.xlsx", budget_xlsx(valid_sheets()))  # DOMAIN.md section 4
    empty = files("empty.xlsx", _empty_sheet())
    missing = Path(good.parent / "nowhere.xlsx")
    found, err, status = run(random_bytes, good, budget_workbook, empty, missing)
    assert status == 2
    assert [table["file"] for table in found] == [str(good)]
    lines = err.splitlines()
    assert lines == [
        f"{random_bytes}：无法作为自评表读取：文件不是有效的 Excel 工作簿（.xlsx）",
        f"{budget_workbook}：无法作为自评表读取：没有找到自评表：没有一个工作表含有“全年预算数、全年执行数”金额表头和“三级指标、指标值、完成值、分值、得分”指标表头",
        f"{empty}：无法作为自评表读取：工作簿是空的，没有任何内容",
        f"{missing}：无法作为自评表读取：文件不存在",
    ]
    assert "Traceback" not in err


def test_manage_py_exits_2_without_a_traceback(files):
    bad = files("bad.xlsx", b"not an xlsx")
    env = {**os.environ, "DEBUG": "1", "DJANGO_SETTINGS_MODULE": "fundmgr.settings"}
    done = subprocess.run(
        [sys.executable, "manage.py", "check_self_evaluation", str(bad)],
        check=False, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )
    assert done.returncode == 2
    assert f"{bad}：无法作为自评表读取：文件不是有效的 Excel 工作簿（.xlsx）" in done.stderr
    assert "Traceback" not in done.stderr
    assert done.stdout == ""


@pytest.mark.django_db
def test_our_own_self_evaluation_exports_read_back_with_no_findings(files):
    ledger = build_ledger()
    department = files("self-evaluation.xlsx", generated("self-evaluation", ledger.department_year))
    projects = files("project-evaluation.xlsx", generated("project-evaluation", ledger.department_year))
    found, err, status = run(department, projects)
    assert (status, err) == (0, "")
    assert [(table["kind"], table["title"]) for table in found] == [("department", "测试部门"), ("project", "A-X01 妇女培训项目")]
    assert [table["findings"] for table in found] == [[], []]
    # The department's figures, as tests/exports/test_selfeval.py states them: 8.52 + 25 + 20 + 30 + 10.
    assert found[0]["computed"] == {
        "execution_rate": "85.17", "execution_points": "8.52", "indicator_points": "90.00", "score": "93.52", "rating": "优"
    }
    assert found[1]["computed"]["score"] == found[1]["declared"]["score"] == "97.69"


@pytest.mark.django_db
def test_the_seed_departments_export_reads_back_as_99_59_with_no_findings(files):
    call_command("load_demo", verbosity=0, stdout=StringIO())
    seed = DepartmentYear.objects.get(department__code="XJWF", year=2024)
    [table], err, status = run(files("seed.xlsx", generated("self-evaluation", seed)))
    assert (status, err) == (0, "")
    assert table["findings"] == []
    assert table["budget"]["full_year"] == "9364.88" and table["budget"]["spent"] == "8977.93"
    assert table["computed"]["execution_points"] == "9.59"
    assert table["computed"]["score"] == table["declared"]["score"] == "99.59"


@pytest.mark.django_db
def test_an_exported_qualitative_indicator_with_the_evaluators_rate_reads_back_with_no_findings(files):
    ledger = build_ledger()
    Indicator.objects.filter(department_year=ledger.department_year, code="D4").update(
        direction=Indicator.Direction.QUALITATIVE, target=None, actual=None, midyear=None,
        tier=Indicator.Tier.PARTLY, rate=D("70"),
    )
    [table], err, status = run(files("qualitative.xlsx", generated("self-evaluation", ledger.department_year)))
    assert (status, err) == (0, "")
    satisfaction = table["indicators"][3]
    assert (satisfaction["target"], satisfaction["actual"]) == ("定性", "部分达成")
    assert (satisfaction["declared"], satisfaction["computed"], satisfaction["ratio"]) == ("7.00", "7.00", "70.00")
    assert table["findings"] == []
    assert table["computed"]["score"] == table["declared"]["score"] == "90.52"  # 8.52 + 25 + 20 + 30 + 7
