"""`{% load request_fields %}`: the request forms' fields, marked up as crispy-forms' Bootstrap 5
pack marks them up (`{{ field|as_crispy_field }}`), in one pass.

Through crispy each field cost a template of nested includes and filters (a third of the form
page's time). Here each field is a few format strings; the widget itself (input, select,
textarea, each radio or checkbox) is still Django's, with the classes crispy gives it, so the
page reads the same to the browser, the scripts and the tests.
"""

from django import forms, template
from django.forms.boundfield import BoundField
from django.utils.formats import localize
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

register = template.Library()

ASTERISK = mark_safe('<span class="asteriskField">*</span>')


@register.simple_tag
def request_field(field: BoundField) -> SafeString:
    widget = field.field.widget
    if field.is_hidden:
        return field.as_widget()
    if isinstance(widget, forms.CheckboxInput):
        return _checkbox(field)
    body = _label(field)
    if isinstance(widget, forms.RadioSelect | forms.CheckboxSelectMultiple):
        body += _choices(field)
    elif isinstance(widget, forms.FileInput):
        body += _file(field)
    else:
        body += _input(field) + _errors(field) + _help_text(field)
    if field.use_fieldset and field.label:
        body += mark_safe("</fieldset>")
    return format_html('<div id="div_{}" class="mb-3">{}</div>', field.auto_id, body)


def _label(field: BoundField) -> SafeString:
    if not field.label:
        return mark_safe("")
    required = field.field.required
    classes = "form-label" + (" requiredField" if required else "")
    label = format_html("{}{}", field.label, ASTERISK if required else "")
    if field.use_fieldset:
        describedby = field.aria_describedby
        return format_html(
            '<fieldset{}><legend{} class="{} fs-6">{}</legend>',
            format_html(' aria-describedby="{}"', describedby) if describedby else "",
            format_html(' for="{}"', field.id_for_label) if field.id_for_label else "",
            classes,
            label,
        )
    return format_html(
        '<label{} class="{}">{}</label>',
        format_html(' for="{}"', field.id_for_label) if field.id_for_label else "",
        classes,
        label,
    )


def _widget_class(field: BoundField, classes: str) -> str:
    """What crispy's `{% crispy_field %}` sets: the widget's own class (or its class name) and
    the Bootstrap classes, each once."""
    widget = field.field.widget
    name = type(widget).__name__.lower()
    tokens = (widget.attrs.get("class") or name).split()
    if widget.attrs.get("class") and name not in widget.attrs["class"]:
        tokens.append(name)
    for token in (classes + (" is-invalid" if field.errors else "")).split():
        if token not in tokens:
            tokens.append(token)
    return " ".join(tokens)


def _input(field: BoundField) -> SafeString:
    bootstrap = "form-select" if isinstance(field.field.widget, forms.Select) else "form-control"
    return field.as_widget(attrs={"class": _widget_class(field, bootstrap)})


def _checkbox(field: BoundField) -> SafeString:
    required = field.field.required
    return format_html(
        '<div class="mb-3"><div id="div_{}" class="form-check">{}'
        '<label for="{}" class="form-check-label{}">{}{}</label>{}{}</div></div>',
        field.auto_id,
        field.as_widget(attrs={"class": _widget_class(field, "form-check-input")}),
        field.id_for_label,
        " requiredField" if required else "",
        field.label,
        ASTERISK if required else "",
        _errors(field),
        _help_text(field),
    )


def _attrs(attrs: dict) -> SafeString:
    return format_html_join(
        "",
        "{}",
        (
            (format_html(" {}", name) if value is True else format_html(' {}="{}"', name, value),)
            for name, value in attrs.items()
            if value is not False
        ),
    )


def _choices(field: BoundField) -> SafeString:
    invalid = " is-invalid" if field.errors else ""
    options = list(field.subwidgets)
    rows = [
        format_html(
            '<div class="form-check"><input type="{}" class="form-check-input{}" name="{}" '
            'value="{}"{}><label for="{}" class="form-check-label">{}</label>{}</div>',
            option.data["type"],
            invalid,
            field.html_name,
            localize(option.data["value"], use_l10n=False),
            _attrs(option.data["attrs"]),
            option.data["attrs"].get("id", ""),
            localize(option.data["label"], use_l10n=False),
            _errors(field) if index == len(options) - 1 else "",
        )
        for index, option in enumerate(options)
    ]
    return format_html("<div>{}</div>{}", mark_safe("".join(rows)), _help_text(field))


def _file(field: BoundField) -> SafeString:
    parts = []
    for subwidget in field.subwidgets:
        data = subwidget.data
        attrs = {name: value for name, value in data["attrs"].items() if name != "class"}
        classes = "form-control"
        if data["attrs"].get("class"):
            classes += " " + data["attrs"]["class"]
        if field.errors:
            classes += " is-invalid"
        parts.append(
            format_html(
                '<div{}><input type="{}" name="{}" class="{}"{}{}>{}{}</div>',
                mark_safe(' class="is-invalid"') if field.errors else "",
                data["type"],
                data["name"],
                classes,
                mark_safe(" disabled") if field.field.disabled else "",
                _attrs(attrs),
                _errors(field),
                _help_text(field),
            )
        )
    return mark_safe("".join(parts))


def _errors(field: BoundField) -> SafeString:
    if not field.errors:
        return mark_safe("")
    return format_html(
        '<div id="{}_error" class="invalid-feedback">{}</div>',
        field.errors.field_id,
        format_html_join(
            "",
            '<p id="error_{}_{}"><strong>{}</strong></p>',
            ((number, field.auto_id, error) for number, error in enumerate(field.errors, 1)),
        ),
    )


def _help_text(field: BoundField) -> SafeString:
    if not field.help_text:
        return mark_safe("")
    help_text = mark_safe(field.help_text)  # as crispy's `|safe`: help texts are ours
    if field.auto_id:
        return format_html(
            '<div id="{}_helptext" class="form-text">{}</div>', field.auto_id, help_text
        )
    return format_html('<div class="form-text">{}</div>', help_text)
