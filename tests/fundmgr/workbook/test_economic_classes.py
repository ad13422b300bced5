"""The full economic classification in the workbook (DOMAIN.md sections 4 and 9): an expenditure
under any class of the edition imports, the template's drop-down offers every code and the 说明
sheet names the edition."""

import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from fundmgr.workbook import workbook_import
from fundmgr.workbook.writer import workbook_bytes
from projects.economic_classes import EDITION
from projects.models import EconomicClass, Expenditure
from tests.fundmgr.workbooks import valid_sheets, with_cell, xlsx

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("code", ["31201", "31299", "312", "30701", "30901", "31101", "31302", "39907"])
def test_an_expenditure_under_a_class_beyond_section_6_imports(code):
    sheets = with_cell(valid_sheets(), "支出明细", 3, "经济分类", code)
    result = workbook_import(source=xlsx(sheets))
    assert [str(error) for error in result.errors] == []
    expenditure = Expenditure.objects.get(item__department_year=result.department_year, amount=Decimal("1234.57"))
    assert expenditure.economic_class_id == code


def test_a_code_outside_the_edition_is_still_refused_with_its_row():
    sheets = with_cell(valid_sheets(), "支出明细", 3, "经济分类", "31202")
    result = workbook_import(source=xlsx(sheets))
    assert result.department_year is None
    [error] = [str(error) for error in result.errors]
    assert "支出明细" in error and "3" in error and "31202" in error
    assert not Expenditure.objects.exists()


def template():
    return load_workbook(io.BytesIO(workbook_bytes()))


def test_the_templates_drop_down_offers_every_code_of_the_edition_including_312():
    book = template()
    [validation] = [v for v in book["支出明细"].data_validations.dataValidation if str(v.sqref).startswith("D2")]
    rows = list(book["经济分类表"].iter_rows(min_row=2, values_only=True))
    # A list of this length cannot be inline (Excel's limit is 255 characters): it is a range.
    assert len(",".join(code for code, _ in rows)) > 255
    assert validation.formula1 == f"'经济分类表'!$A$2:$A${len(rows) + 1}"
    assert rows == list(EconomicClass.objects.order_by("code").values_list("code", "name"))
    offered = {code for code, _ in rows}
    assert {"312", "31201", "31203", "31204", "31205", "31299", "307", "309", "311", "313"} <= offered


def test_the_instructions_name_the_edition():
    lines = [row[0] for row in template()["说明"].iter_rows(values_only=True)]
    assert f"经济分类依据：{EDITION}。" in lines
