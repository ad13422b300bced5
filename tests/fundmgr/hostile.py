"""Hostile inputs shared by the hostile-import and hostile-form tests: hypothesis strategies
for spreadsheet cells, raw rewrites of a workbook's XML, and a full dump of the ledger tables."""

import io
import re
import zipfile
from datetime import date, datetime

from hypothesis import strategies as st
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from indicators.models import Indicator
from projects.models import BudgetItem, BudgetLine, Expenditure, MonthClose
from units.models import BudgetUnit, Department, DepartmentYear, Membership

HAN = re.compile(r"[\u4e00-\u9fff]")

# Text openpyxl can write (XML 1.0 has no control characters), unicode of every plane included.
cell_text = st.text(max_size=40).map(lambda text: ILLEGAL_CHARACTERS_RE.sub("", text))
long_text = st.integers(min_value=200, max_value=33000).map(lambda n: "长" * n)
numbers = st.one_of(
    st.integers(min_value=-(10**6), max_value=10**6),
    st.integers(min_value=-(10**40), max_value=10**40),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([0.0, -0.0, 1e308, -1e308, 5e-324, 0.1 + 0.2, 1234.5699999999, 12.345, 1e15, 99999999999999.99]),
)
numeric_text = st.sampled_from(
    ["1e309", "NaN", "Infinity", "-inf", "１２３", "١٢٣", "12.345", "-0", "0", "1,234.50", "1,23", "+5", "0x10", " 7 ", "²", "1_000"]
)
formulas = st.sampled_from(["=1/0", "=SUM(A1:A2)", "=A1", "=NOW()", "=HYPERLINK(\"http://x\")", "=1E+309"])
moments = st.one_of(
    st.datetimes(min_value=datetime(1900, 3, 1), max_value=datetime(2100, 12, 31)),
    st.dates(min_value=date(1900, 3, 1), max_value=date(2100, 12, 31)),
)
date_serials = st.integers(min_value=1, max_value=2958465)  # Excel's serial numbers, 1900-01-01 .. 9999-12-31
plausible = st.sampled_from(
    ["P1", "P2", "U1", "U9", "302", "30201", "99999", "年初预算", "年中调减", "本级财政", "人员类", "≥", "定性", "达成", "2024-02-30", "2024/3/15"]
)

hostile_cell = st.one_of(
    st.none(),
    cell_text,
    long_text,
    numbers,
    numeric_text,
    formulas,
    st.booleans(),
    moments,
    date_serials,
    plausible,
)


def ledger_dump() -> dict:
    """Every row an import or a form may touch, field by field, history tables counted."""
    def rows(queryset):
        return sorted(tuple(row.items()) for row in queryset.values())

    def plain(value):
        return repr(value)

    dump = {
        model.__name__: [tuple((key, plain(value)) for key, value in row) for row in rows(model.objects.all())]
        for model in (Department, DepartmentYear, BudgetUnit, BudgetItem, BudgetLine, Expenditure, Indicator, MonthClose, Membership)
    }
    dump["history"] = (BudgetLine.history.count(), Expenditure.history.count(), Indicator.history.count())
    return dump


def rewrite_cells(data: bytes, marker: str, element) -> bytes:
    """The workbook with every inline-string cell whose text is `marker` replaced by the XML that
    `element(reference)` returns: a cached error value, a shared formula, anything openpyxl will not write."""
    pattern = re.compile(rb'<c r="([A-Z]+[0-9]+)" t="inlineStr"><is><t>' + re.escape(marker.encode()) + rb"</t></is></c>")
    return rewrite_members(data, lambda name, xml: pattern.sub(lambda match: element(match[1].decode()).encode(), xml))


def rewrite_members(data: bytes, change, extra: dict[str, bytes] | None = None) -> bytes:
    """The workbook with `change(name, bytes)` applied to each worksheet member and `extra` members added."""
    source = zipfile.ZipFile(io.BytesIO(data))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for member in source.infolist():
            content = source.read(member.filename)
            if member.filename.startswith("xl/worksheets/sheet"):
                content = change(member.filename, content)
            target.writestr(member, content)
        for name, content in (extra or {}).items():
            target.writestr(name, content)
    return buffer.getvalue()
