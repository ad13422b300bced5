"""The department-year in the import format: the round trip and our backup."""

import io

from openpyxl import load_workbook

from fundmgr.summary import summary_json
from fundmgr.workbook import workbook_import
from tests.exports.known_ledger import generated
from units.models import BudgetUnit, Department, DepartmentYear


def empty_the_database_of(department_year: DepartmentYear) -> None:
    """Remove the department and all it owns, as a fresh database would be."""
    department = department_year.department
    DepartmentYear.objects.filter(department=department).delete()  # items, lines, spending, indicators
    BudgetUnit.objects.filter(department=department).delete()  # and memberships
    Department.objects.filter(pk=department.pk).delete()


def round_trip(department_year: DepartmentYear) -> tuple[dict, dict]:
    code, year = department_year.department.code, department_year.year
    before = summary_json(department_year=department_year)
    content = generated("workbook", department_year)
    empty_the_database_of(department_year)
    assert not Department.objects.filter(code=code).exists()
    result = workbook_import(source=io.BytesIO(content))
    assert not result.errors, "\n".join(str(error) for error in result.errors)
    after = summary_json(department_year=DepartmentYear.objects.get(department__code=code, year=year))
    return before, after


def test_import_format_workbook_has_every_sheet_of_the_schema_and_the_ledgers_rows(ledger):
    wb = load_workbook(io.BytesIO(generated("workbook", ledger.department_year)))
    for name in ["部门", "预算单位", "预算项目", "预算指标", "支出明细", "绩效指标"]:
        assert name in wb.sheetnames
    assert wb["部门"]["A2"].value == "TST"
    assert wb["支出明细"].max_row == 1 + 8
    assert wb.properties.creator == "测试用户"


def test_importing_the_exported_workbook_into_an_empty_database_gives_the_identical_summary(ledger):
    before, after = round_trip(ledger.department_year)
    assert after == before
    assert after["evaluation"]["score"] == "93.52"
