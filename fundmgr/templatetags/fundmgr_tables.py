"""The cells of a django-tables2 table as its stock template (django_tables2/table.html) renders
them, for templates/fundmgr/table.html: {% table_header_cells table %} (the <th>s),
{% table_rows table %} (the <tr>s of the page) and {% table_footer_cells table %} (the <td>s of
the footer).

The stock template's loops cost more than the cells they show: each cell goes through the
template engine's variable lookups, and `column.attrs.td` rebuilds the column's whole attribute
set (th, td, tf, their classes) for every cell. Here a column's attributes are computed once per
table, unless its attributes are callables of the record or value (then per cell, as the stock
template does), and each cell is output through the same render_value_in_context as `{{ cell }}`,
the `localize`/`unlocalize` filters first for a column that asks for them. The cells themselves
are django-tables2's: render_<name>, defaults and empty values are its own. For the plain rows
of the dashboards (dataclasses), _PlainCell does what BoundRow._get_and_render_with does, with
the accessor parsed and the render function's arguments worked out once per column instead of
once per cell; every other record goes through BoundRow._get_and_render_with itself.
"""

from html import escape as escape_text

from django import template
from django.db.models import Model
from django.template.base import render_value_in_context
from django.templatetags.l10n import localize, unlocalize
from django.utils.html import escape
from django.utils.http import urlencode
from django.utils.safestring import SafeString, mark_safe
from django_tables2.utils import Accessor, signature

register = template.Library()


def _callable_inside(attrs) -> bool:
    return any(callable(value) or (isinstance(value, dict) and _callable_inside(value)) for value in attrs.values())


def _static_attrs(context, table) -> dict:
    """{column name: (its attrs, {"th"|"td"|"tf": their HTML, written on first use})} for the columns
    whose attributes are the same for every cell: no callables in the table's or the column's attrs
    (computed_values would call them with the record and value). Computed once per rendering of
    the table."""
    key = ("fundmgr_tables.static_attrs", id(table))
    found = context.render_context.get(key)
    if found is None:
        table_static = not _callable_inside(dict(table.attrs))
        found = {}
        for column in table.columns:
            if table_static and not _callable_inside(dict(column.column.attrs)):
                column.current_record = column.current_value = None  # as before the stock loop's first row
                found[column.name] = (column.attrs, {})
        context.render_context[key] = found
    return found


def _attrs(static: dict, column, kind: str) -> str:
    known = static.get(column.name)
    if known is None:
        return column.attrs[kind].as_html()
    attrs, html = known
    text = html.get(kind)
    if text is None:
        text = html[kind] = attrs[kind].as_html()
    return text


@register.simple_tag(takes_context=True)
def table_header_cells(context, table):
    """The stock thead loop: a sortable column's header links to the query string that orders by it
    next (django-tables2's querystring_replace, without the tag)."""
    static = _static_attrs(context, table)
    html = []
    for column in table.columns:
        header = render_value_in_context(column.header, context)
        if column.orderable:
            params = dict(context["request"].GET)
            key = table.prefixed_order_by_field
            if key not in ("", None):
                params[key] = column.order_by_alias.next
            header = f'<a href="{escape("?" + urlencode(params, doseq=True))}">{header}</a>'
        html.append(f"<th {_attrs(static, column, 'th')}> {header} </th>")
    return mark_safe("".join(html))


_SLOW = object()  # a cell _PlainCell leaves to django-tables2


class _PlainCell:
    """One column's cell as BoundRow._get_and_render_with makes it, for a record that is neither a
    model instance nor subscriptable (the dashboards' dataclass rows): the accessor followed by plain
    attribute lookups, its bits split once per table rather than once per cell, and the render
    function called with the arguments its signature asks for (call_with_appropriate's rule),
    also worked out once. Whatever this path does not cover (a model or a mapping, a callable
    met on the way, a lookup that fails, a link) is left to django-tables2 (_SLOW)."""

    def __init__(self, table, column):
        self.column = column
        self.bits = tuple(Accessor(column.accessor).bits) if column.accessor else ()
        self.render = column.render
        wanted, catch_all = signature(self.render)
        self.wanted = None if catch_all else wanted
        self.empty_values = column.column.empty_values
        self.default = column.default
        self.table = table
        self.localize = column.localize
        self.usable = bool(self.bits) and not column.link and (
            self.wanted is None or all(name in _CELL_ARGUMENTS for name in self.wanted)
        )

    def __call__(self, row, record):
        value = record
        try:
            for bit in self.bits:
                value = getattr(value, bit)
                if callable(value):
                    return _SLOW
                if value is None:
                    break
        except Exception:  # django-tables2 has its own answer for a lookup that fails
            return _SLOW
        if value in self.empty_values:
            return self.default
        arguments = {
            "value": value,
            "record": record,
            "column": self.column.column,
            "bound_column": self.column,
            "bound_row": row,
            "table": self.table,
        }
        if self.wanted is not None:
            arguments = {name: arguments[name] for name in self.wanted}
        return self.render(**arguments)


def _shown(value, context) -> str:
    """render_value_in_context(value, context), `{{ value }}`, without its localisation and escaping
    calls for the two kinds most cells are: safe HTML from a render_<name> (as is) and plain text
    (escaped as django.utils.html.escape escapes it)."""
    if context.autoescape:
        kind = type(value)
        if kind is SafeString:
            return value
        if kind is str:
            return escape_text(value)
    return render_value_in_context(value, context)


_CELL_ARGUMENTS = frozenset({"value", "record", "column", "bound_column", "bound_row", "table"})


@register.simple_tag(takes_context=True)
def table_rows(context, table):
    columns = list(table.columns)
    if not columns:
        return ""
    static = _static_attrs(context, table)
    plain = [_PlainCell(table, column) for column in columns]
    # without callables, a row's attributes differ only by its even/odd class: written twice a table
    row_html = {} if not _callable_inside(dict(table.row_attrs)) else None
    html = []
    for row in table.paginated_rows:
        if row_html is None:
            attributes = row.attrs.as_html()
        else:
            parity = row.get_even_odd_css_class()
            attributes = row_html.get(parity)
            if attributes is None:
                attributes = row_html[parity] = row.attrs.as_html()
        html.append(f"<tr {attributes}>")
        record = row.record
        # django-tables2 looks a key up before an attribute, and asks a model for get_FOO_display
        simple = not isinstance(record, Model) and not hasattr(type(record), "__getitem__")
        for column, fast in zip(columns, plain):
            cell = fast(row, record) if simple and fast.usable else _SLOW
            if cell is _SLOW:
                # BoundRow.items() without its lookup of each column by name (get_cell), which scans the
                # table's columns for every cell; it leaves current_value and current_record set as here
                cell = row._get_and_render_with(column, render_func=row._call_render, default=column.default)
            column.current_value, column.current_record = cell, record
            if fast.localize is not None:
                cell = localize(cell) if fast.localize else unlocalize(cell)
            html.append(f"<td {_attrs(static, column, 'td')}>{_shown(cell, context)}</td>")
        html.append("</tr>")
    if not html and table.empty_text:
        html.append(
            f'<tr><td colspan="{render_value_in_context(len(columns), context)}">'
            f"{render_value_in_context(table.empty_text, context)}</td></tr>"
        )
    return mark_safe("".join(html))


@register.simple_tag(takes_context=True)
def table_footer_cells(context, table):
    static = _static_attrs(context, table)
    return mark_safe(
        "".join(
            f"<td {_attrs(static, column, 'tf')}>{render_value_in_context(column.footer, context)}</td>"
            for column in table.columns
        )
    )
