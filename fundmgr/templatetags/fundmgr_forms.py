"""{% filter_fields form %}: a dashboard's filter form (django-filter's FilterSet.form) as
`{{ form.as_div }}` writes it, its text boxes and drop-down lists drawn in Python.

Django draws each widget through templates: a list of five choices is seven template renders
(the list, each option, and their attributes), more than the rest of the filter costs. Here a
TextInput's and a Select's markup is written from the widget's own context (Widget.get_context,
so the value, the options, the selected one and the attributes are Django's), with the label from
BoundField.label_tag. A form with errors, hidden fields or help text, and any other widget, takes
`form.as_div` itself. The markup is as_div's, but for the whitespace between tags.
"""

from django import forms, template
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe

register = template.Library()

_DRAWN = (forms.TextInput, forms.Select)


def _drawable(form) -> bool:
    if form.is_bound and form.errors:
        return False
    return all(
        type(field.field.widget) in _DRAWN and not field.is_hidden and not field.help_text and not field.css_classes()
        for field in form
    )


def _attributes(attrs: dict) -> str:
    """django/forms/widgets/attrs.html: True as a bare name, False left out, the rest as text."""
    return "".join(
        f" {conditional_escape(name)}" if value is True else f' {conditional_escape(name)}="{conditional_escape(str(value))}"'
        for name, value in attrs.items()
        if value is not False
    )


def _widget(field) -> str:
    """BoundField.as_widget's markup for a TextInput or a Select."""
    widget = field.field.widget
    attrs = field.build_widget_attrs({}, widget)
    if field.auto_id and "id" not in widget.attrs:
        attrs.setdefault("id", field.auto_id)
    context = widget.get_context(field.html_name, field.value(), attrs)["widget"]
    name = conditional_escape(context["name"])
    if isinstance(widget, forms.Select):
        options = []
        for group_name, group_choices, _index in context["optgroups"]:
            if group_name:
                options.append(f'<optgroup label="{conditional_escape(group_name)}">')
            for option in group_choices:
                options.append(
                    f'<option value="{conditional_escape(str(option["value"]))}"{_attributes(option["attrs"])}>'
                    f"{conditional_escape(option['label'])}</option>"
                )
            if group_name:
                options.append("</optgroup>")
        return f'<select name="{name}"{_attributes(context["attrs"])}>{"".join(options)}</select>'
    value = "" if context["value"] is None else f' value="{conditional_escape(str(context["value"]))}"'
    return f'<input type="{conditional_escape(context["type"])}" name="{name}"{value}{_attributes(context["attrs"])}>'


@register.simple_tag
def filter_fields(form):
    if not _drawable(form):
        return form.as_div()
    return mark_safe(
        "".join(
            format_html("<div>{}{}</div>", field.label_tag() if field.label else "", mark_safe(_widget(field))) for field in form
        )
    )

