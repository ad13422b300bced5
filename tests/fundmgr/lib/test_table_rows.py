"""Every table renders through templates/fundmgr/table.html (DJANGO_TABLES2_TEMPLATE), whose
rows fundmgr_tables.table_rows writes in Python: the same markup as django-tables2's own
django_tables2/table.html, cell for cell; and django-tables2's per-cell signature lookup is
remembered per function (fundmgr.lib.columns._signature)."""

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import ClassVar
from unittest import mock

import django_tables2 as tables
import django_tables2.rows
import django_tables2.utils
import pytest
from django.conf import settings
from django.test import RequestFactory
from django.utils.html import format_html

from fundmgr.lib.columns import MoneyColumn, RateColumn, ShortDateColumn, _library_signature, _signature


class Mixed(tables.Table):
    """Columns of every kind the stock row loop handles: render_<name> taking the record, a column
    render, a default for empty values, attrs computed from each cell's value and record, row
    attrs, and localised and unlocalised cells."""

    name = tables.Column(verbose_name="名称", footer="合计")
    amount = MoneyColumn("金额")
    rate = RateColumn(verbose_name="执行率")
    day = ShortDateColumn(verbose_name="日期")
    count = tables.Column(verbose_name="笔数", localize=True)
    raw = tables.Column(verbose_name="原值", localize=False)
    flag = tables.Column(
        verbose_name="标记",
        attrs={
            "td": {"data-flag": lambda value: f"v-{value}", "class": lambda record: "hot" if record["count"] > 1000 else None}
        },
    )
    unsafe = tables.Column(verbose_name="文本")

    class Meta:
        attrs: ClassVar = {"class": "table", "tbody": {"class": "rows"}}
        row_attrs: ClassVar = {"data-name": lambda record: record["name"]}

    def render_name(self, record):
        return format_html('<a href="/x/{}">{}</a>', record["count"], record["name"])


class Empty(Mixed):
    class Meta(Mixed.Meta):
        empty_text = "没有数据"


ROWS = [
    {
        "name": "甲",
        "amount": Decimal("1234567.89"),
        "rate": Decimal("0.40625"),
        "day": date(2024, 3, 1),
        "count": 12345,
        "raw": 12345,
        "flag": "a",
        "unsafe": "<b>&</b>",
    },
    {
        "name": "乙<",
        "amount": Decimal(0),
        "rate": None,
        "day": date(2024, 12, 31),
        "count": 7,
        "raw": Decimal("1.5"),
        "flag": "",
        "unsafe": None,
    },
]


def normalised(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r">\s+<", "><", html)).strip()


def both(table_class, rows, order_by=None, **kwargs):
    """The table rendered by the stock template and by ours, each from a fresh table."""
    query = {"page": "2"} if kwargs.get("per_page") else {}
    if order_by:
        query["sort"] = order_by
    request = RequestFactory().get("/", query)
    out = []
    for template in ("django_tables2/table.html", settings.DJANGO_TABLES2_TEMPLATE):
        table = table_class(rows, template_name=template, order_by=order_by)
        if kwargs.get("per_page"):
            table.paginate(page=2, per_page=kwargs["per_page"])
        out.append(normalised(table.as_html(request)))
    return out


def test_the_project_template_is_the_one_in_use():
    assert settings.DJANGO_TABLES2_TEMPLATE == "fundmgr/table.html"


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_rows_are_the_stock_templates_markup(language, settings):
    settings.LANGUAGE_CODE = language
    stock, ours = both(Mixed, ROWS)
    assert "<td " in ours and 'data-flag="v-a"' in ours and 'class="hot"' in ours and 'class="odd"' in ours
    assert "&lt;b&gt;&amp;&lt;/b&gt;" in ours  # a plain string is escaped, render_name's html is not
    assert ours == stock


def test_sorted_headers_are_the_stock_templates_markup():
    stock, ours = both(Mixed, ROWS, order_by="-count")
    assert 'class="desc orderable"' in ours and "sort=count" in ours and "page=" not in ours
    assert ours == stock
    stock, ours = both(Mixed, ROWS * 3, order_by="name", per_page=2)
    assert 'class="asc orderable"' in ours and "sort=-name" in ours and "page=2" in ours
    assert ours == stock


def test_a_page_of_rows_and_an_empty_table_are_the_stock_templates_markup():
    stock, ours = both(Mixed, ROWS * 3, per_page=2)
    assert ours == stock and 'class="pagination"' in ours
    stock, ours = both(Mixed, [])
    assert ours == stock and "colspan" not in ours
    stock, ours = both(Empty, [])
    assert ours == stock and '<td colspan="8">没有数据</td>' in ours


def test_a_signature_is_inspected_once_per_function():
    table = Mixed(ROWS)
    bound = table.render_name
    assert _signature(bound) == _library_signature(bound) == (("record",), None)
    with mock.patch.object(django_tables2.utils.inspect, "signature", side_effect=AssertionError("inspected again")):
        assert _signature(Mixed(ROWS).render_name) == (("record",), None)  # another table, the same function
    assert django_tables2.utils.signature is _signature  # installed by FundmgrConfig.ready


def test_a_plain_function_and_a_callable_object_get_their_own_signatures():
    def plain(value, record):
        return value

    class Callable:
        def __call__(self, table):
            return table

    assert _signature(plain) == (("value", "record"), None)
    assert _signature(plain) == (("value", "record"), None)
    assert _signature(Callable()) == (("table",), None)


def test_templates_are_parsed_once_per_process():
    """Django wraps the loaders in its cached loader when TEMPLATES names none, DEBUG or not."""
    from django.template import engines

    assert engines["django"].engine.loaders[0][0] == "django.template.loaders.cached.Loader"


# --- the plain records of the dashboards (dataclasses), whose cells _PlainCell computes ---


@dataclass
class Inner:
    amount: Decimal | None
    note: str = ""

    @property
    def doubled(self) -> Decimal:
        return self.amount * 2  # TypeError for None: django-tables2 shows the default

    def shout(self) -> str:  # a method met on the accessor's way: django-tables2 calls it
        return self.note.upper()


@dataclass
class Plain:
    code: str
    name: str
    inner: Inner | None


class PlainTable(tables.Table):
    code = tables.Column(verbose_name="编码", linkify=lambda record: f"/p/{record.code}/")
    name = tables.Column(verbose_name="名称")
    amount = MoneyColumn("金额", accessor="inner__amount")
    doubled = MoneyColumn("两倍", accessor="inner__doubled", default="无")
    shout = tables.Column(verbose_name="大写", accessor="inner__shout")
    note = tables.Column(verbose_name="备注", accessor="inner__note", default="—")
    both = tables.Column(verbose_name="行", accessor="code", attrs={"td": {"data-v": lambda value: value}})

    class Meta:
        attrs: ClassVar = {"class": "table"}

    def render_name(self, value, record, bound_row, table):
        return format_html("<b>{}</b>·{}·{}", value, record.code, type(table).__name__)

    def render_both(self, value, bound_column):
        return f"{bound_column.name}:{value}"


PLAIN_ROWS = [
    Plain("A1", "甲<", Inner(Decimal("1234.5"), "note")),
    Plain("B2", "乙", Inner(None)),
    Plain("C3", "丙", None),
]


def test_plain_records_get_the_stock_templates_cells_through_the_fast_path():
    stock, ours = both(PlainTable, PLAIN_ROWS)
    assert ours == stock
    assert '<a href="/p/A1/">A1</a>' in ours and "<b>甲&lt;</b>·A1·PlainTable" in ours and "both:B2" in ours
    assert ">0.12<" in ours and ">0.25<" in ours and ">无<" in ours and ">NOTE<" in ours and ">—<" in ours
    stock_cell = django_tables2.rows.BoundRow._get_and_render_with
    with mock.patch.object(django_tables2.rows.BoundRow, "_get_and_render_with", autospec=True, side_effect=stock_cell) as slow:
        PlainTable(PLAIN_ROWS).as_html(RequestFactory().get("/"))
    # django-tables2's own path: the linked column (3 rows), the method on A1's and B2's way (C3 has
    # no inner: None ends the lookup) and B2's property that raises; the other 15 cells are _PlainCell's
    assert slow.call_count == 3 + 2 + 1


def test_each_table_has_its_own_columns_sharing_what_they_hold():
    """Table.__init__ copies its class's columns (fundmgr.lib.columns._column_copy, installed by
    FundmgrConfig.ready): a footer or heading set on one table's column shows on no other table."""
    first, second = PlainTable(PLAIN_ROWS), PlainTable(PLAIN_ROWS)
    first.columns["name"].column.verbose_name = "甲表名称"
    first.columns["amount"].column._footer = "合计 1"
    assert second.columns["name"].header == "名称" and PlainTable(PLAIN_ROWS).columns["name"].header == "名称"
    assert first.columns["amount"].footer == "合计 1" and not second.columns["amount"].footer
    assert first.columns["name"].column is not PlainTable.base_columns["name"]
    assert first.columns["both"].column.attrs is PlainTable.base_columns["both"].attrs  # shared, never changed
