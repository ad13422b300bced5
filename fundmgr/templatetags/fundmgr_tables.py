"""{% table_rows table %}: the <tr> rows of a django-tables2 table's page, as its stock template
(django_tables2/table.html) renders them, for templates/fundmgr/table.html.

The stock template's row loop costs more than the cells it shows: each cell goes through the
template engine's variable lookups, and `column.attrs.td` rebuilds the column's whole attribute
set (th, td, tf, their classes) for every cell. Here a column's <td> attributes are computed once,
unless its attributes are callables of the record or value (then per cell, as the stock template
does), and each cell is output through the same render_value_in_context as `{{ cell }}`, the
`localize`/`unlocalize` filters first for a column that asks for them. The cells themselves come
from django-tables2 (BoundRow._get_and_render_with, as BoundRow.items does), so render_<name>,
defaults and empty values are its own.
"""

from django import template
from django.template.base import render_value_in_context
from django.templatetags.l10n import localize, unlocalize
from django.utils.safestring import mark_safe

register = template.Library()


def _callable_inside(attrs) -> bool:
    return any(callable(value) or (isinstance(value, dict) and _callable_inside(value)) for value in attrs.values())


def _static_td(bound_column) -> bool:
    """Whether the column's td attributes are the same for every cell: no callables in the
    table's or the column's attrs (computed_values would call them with the record and value)."""
    return not (_callable_inside(dict(bound_column._table.attrs)) or _callable_inside(dict(bound_column.column.attrs)))


@register.simple_tag(takes_context=True)
def table_rows(context, table):
    columns = list(table.columns)
    if not columns:
        return ""
    td_html = {}
    for column in columns:
        if _static_td(column):
            column.current_record = column.current_value = None  # as before the stock loop's first row
            td_html[column.name] = column.attrs["td"].as_html()
    html = []
    for row in table.paginated_rows:
        html.append(f"<tr {row.attrs.as_html()}>")
        record = row.record
        for column in columns:
            # BoundRow.items() without its lookup of each column by name (get_cell), which scans the
            # table's columns for every cell; it leaves current_value and current_record set as here
            cell = row._get_and_render_with(column, render_func=row._call_render, default=column.default)
            column.current_value, column.current_record = cell, record
            attrs = td_html.get(column.name)
            if attrs is None:
                attrs = column.attrs["td"].as_html()
            if column.localize is not None:
                cell = localize(cell) if column.localize else unlocalize(cell)
            html.append(f"<td {attrs}>{render_value_in_context(cell, context)}</td>")
        html.append("</tr>")
    if not html and table.empty_text:
        html.append(
            f'<tr><td colspan="{render_value_in_context(len(columns), context)}">'
            f"{render_value_in_context(table.empty_text, context)}</td></tr>"
        )
    return mark_safe("".join(html))
