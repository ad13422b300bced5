"""The 取数公式 column of the 绩效指标 sheet (issue 16 item 5): a department-level indicator may name
a ledger formula, by key or Chinese name; the import stores its key, the export writes it back,
and a bad cell is refused with a message naming the sheet, row and column."""

import io

import pytest

from fundmgr.workbook import workbook_import
from indicators.models import Indicator
from indicators.services import formula_indicator_add
from tests.fundmgr.workbook.test_export import round_trip
from tests.fundmgr.workbooks import INDICATOR_HEADERS, valid_sheets, xlsx

pytestmark = pytest.mark.django_db


def with_formulas(*cells, extra_rows=()):
    """valid_sheets with a 取数公式 column: `cells` for the indicator rows 2, 3, 4; `extra_rows`
    appended as full rows (the 13 standard cells, then 取数公式)."""
    sheets = valid_sheets()
    sheets["绩效指标"][0] = [*INDICATOR_HEADERS, "取数公式"]
    for values, cell in zip(sheets["绩效指标"][1:], [*cells, None, None, None][:3], strict=True):
        values.append(cell)
    sheets["绩效指标"].extend(list(row) for row in extra_rows)
    return sheets


def formula_row(code, formula, *, actual=None, project=None, direction="≥"):
    target = "90%" if direction == "≥" else "10%"
    return [code, "产出指标", "时效", "预算执行率", direction, target, "%", None, None, actual, None, None, project, formula]


def messages(result) -> list[str]:
    return [str(error) for error in result.errors]


def test_a_workbook_without_the_column_imports_as_before():
    result = workbook_import(source=io.BytesIO(xlsx(valid_sheets())))
    assert messages(result) == []
    assert set(Indicator.objects.values_list("formula", flat=True)) == {""}


def test_a_formula_named_by_key_or_by_name_is_stored_as_its_key():
    sheets = with_formulas(extra_rows=[formula_row("GX1", "预算执行率"), formula_row("GX2", "plan_deviation", direction="≤")])
    result = workbook_import(source=io.BytesIO(xlsx(sheets)))
    assert messages(result) == []
    assert dict(Indicator.objects.exclude(formula="").values_list("code", "formula")) == {
        "GX1": "execution_rate",
        "GX2": "plan_deviation",
    }


@pytest.mark.parametrize(
    ("row", "message"),
    [
        (formula_row("GX1", "人均公用经费"), "绩效指标 第5行 取数公式: 取数公式“人均公用经费”不存在"),
        (formula_row("GX1", "预算执行率", project="P2"), "绩效指标 第5行 取数公式: 取数公式只用于部门整体指标（不填项目编码）"),
        (
            formula_row("GX1", "预算执行率", actual="95%"),
            "绩效指标 第5行 全年完成值: 全年完成值由账表取数公式自动计算，不能手工填写",
        ),
    ],
)
def test_a_bad_formula_cell_is_refused_where_it_is(row, message):
    result = workbook_import(source=io.BytesIO(xlsx(with_formulas(extra_rows=[row]))))
    assert message in messages(result)
    assert not Indicator.objects.exists()


def test_a_formula_used_twice_is_refused():
    sheets = with_formulas(extra_rows=[formula_row("GX1", "预算执行率"), formula_row("GX2", "execution_rate")])
    result = workbook_import(source=io.BytesIO(xlsx(sheets)))
    assert "绩效指标 第6行 取数公式: 取数公式“预算执行率”已在第5行使用" in messages(result)


def test_an_inactive_formula_is_refused(settings):
    settings.LEDGER_FORMULAS = ["execution_rate"]
    result = workbook_import(
        source=io.BytesIO(xlsx(with_formulas(extra_rows=[formula_row("GX1", "计划执行偏差", direction="≤")])))
    )
    assert "绩效指标 第5行 取数公式: 取数公式“计划执行偏差”未在本省启用" in messages(result)


def test_the_export_writes_the_formula_and_comes_back_the_same(world):
    formula_indicator_add(department_year=world.department_year, formula="plan_deviation", target_text="≤10%", points=None)
    restored = round_trip(world.department_year)
    indicator = Indicator.objects.get(department_year=restored, formula="plan_deviation")
    assert (indicator.code, indicator.target_text, indicator.direction, indicator.actual) == (
        "GX-plan_deviation",
        "≤10%",
        "le",
        None,
    )
