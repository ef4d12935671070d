"""The triage list's rows, written exactly as Django's admin writes them (`items_for_result`),
with what is the same for every row decided once per page.

For every cell of every row, Django's admin works out again which kind of column it is, whether
it links, its CSS class and its empty value, and renders each row's checkbox through the form
widget templates; on a page of 50 requests that bookkeeping cost more than the values
themselves. Here each column is planned once and each cell is one escape and one join. A column
of a kind not planned here, a popup or an editable list leaves the table to Django, and so does
a row whose callable column returns something other than text."""

import html
from collections.abc import Callable
from dataclasses import dataclass

from django.contrib.admin import ModelAdmin, helpers
from django.contrib.admin.templatetags.admin_list import (
    ResultList,
    items_for_result,
    result_headers,
)
from django.contrib.admin.templatetags.admin_urls import add_preserved_filters
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import capfirst
from django.utils.translation import gettext


class NotText(Exception):
    """A callable column gave a number, a date or a lazy string: Django writes that row."""


@dataclass(frozen=True)
class Column:
    opening: str  # '<td class="field-x">' (or th), ready to write
    closing: str
    links: bool
    cell: Callable  # a row's object -> its escaped value


def result_table(cl) -> dict:
    """What the admin's `result_list` tag hands to admin/change_list_results.html, and the
    headings and rows written as that template's head and body
    (admin/tickets/ticket/change_list_results.html)."""
    headers = list(result_headers(cl))
    columns = _plan(cl)
    link = _link(cl)
    rows = []
    for result in cl.result_list:
        row = _row(columns, result, link) if columns is not None else None
        rows.append(ResultList(None, [row] if row else items_for_result(cl, result, None)))
    num_sorted_fields = sum(1 for h in headers if h["sortable"] and h["sorted"])
    return {
        "cl": cl,
        "result_hidden_fields": [],
        "result_headers": headers,
        "num_sorted_fields": num_sorted_fields,
        "results": rows,
        # The table's head and body as Django's template writes them from `result_headers`
        # and `results`.
        "head": mark_safe("".join(_header(header, num_sorted_fields) for header in headers)),
        "body": mark_safe("".join(f"\n\n<tr>{''.join(row)}</tr>\n" for row in rows)),
    }


def _header(header: dict, num_sorted_fields: int) -> str:
    """One column's heading, as admin/change_list_results.html writes it."""
    sort_options = ""
    if header["sortable"] and header["sort_priority"] > 0:
        priority = ""
        if num_sorted_fields > 1:
            title = gettext("Sorting priority: %(priority_number)s") % {
                "priority_number": _escape(header["sort_priority"])
            }
            priority = (
                f'<span class="sortpriority" title="{title}">{header["sort_priority"]}</span>'
            )
        direction = "ascending" if header["ascending"] else "descending"
        sort_options = (
            '\n       <div class="sortoptions">\n'
            f'         <a class="sortremove" href="{_escape(header["url_remove"])}" '
            f'title="{_escape(gettext("Remove from sorting"))}"></a>\n'
            f"         {priority}\n"
            f'         <a href="{_escape(header["url_toggle"])}" class="toggle {direction}" '
            f'title="{_escape(gettext("Toggle sorting"))}"></a>\n'
            "       </div>\n   "
        )
    # The template's `capfirst` keeps what is already HTML (the select-all box) as it is.
    text = header["text"]
    text = capfirst(str(text)) if hasattr(text, "__html__") else html.escape(capfirst(str(text)))
    if header["sortable"]:
        text = f'<a href="{_escape(header["url_primary"])}">{text}</a>'
    else:
        text = f"<span>{text}</span>"
    return (
        f'\n<th scope="col"{header["class_attrib"]}>\n   {sort_options}\n'
        f'   <div class="text">{text}</div>\n   <div class="clear"></div>\n</th>'
    )


def _row(columns: list[Column], result, link: Callable) -> SafeString | None:
    url = None
    parts = []
    for column in columns:
        try:
            value = column.cell(result)
        except NotText:
            return None
        if column.links:
            if url is None:
                url = link(result)
            value = f'<a href="{url}">{value}</a>'
        parts.append(f"{column.opening}{value}{column.closing}")
    return mark_safe("".join(parts))


# A stand-in key: letters and digits, which no step of writing a link escapes or quotes.
_KEY_MARK = "0rowkey0"


def _link(cl) -> Callable:
    """A row's escaped link to its page, as `items_for_result` writes it. The rows of a page
    differ only in their integer key, so the link (a URL reversed, the list's filters added to
    it, escaped) is written once around a stand-in key, and each row puts its own key in."""

    def written(result) -> str:
        return _escape(
            add_preserved_filters(
                {"preserved_filters": cl.preserved_filters, "opts": cl.opts},
                cl.url_for_result(result),
            )
        )

    before, mark, after = written(_Keyed(_KEY_MARK, cl.pk_attname)).partition(_KEY_MARK)
    if not mark or _KEY_MARK in after:
        return written

    def link(result) -> str:
        key = getattr(result, cl.pk_attname)
        return f"{before}{key}{after}" if type(key) is int else written(result)

    return link


class _Keyed:
    """An object with only a primary key, to write a row's link around."""

    def __init__(self, key, attname: str):
        setattr(self, attname, key)


def _plan(cl) -> list[Column] | None:
    """Each column's tag, class and value, as `items_for_result` decides them; None when the
    list or a column is of a kind left to Django."""
    if getattr(cl, "formset", None) or cl.is_popup or cl.to_field or not cl.list_display_links:
        return None
    columns, first_link = [], True
    for name in cl.list_display:
        planned = _cell(cl, name) if isinstance(name, str) else None
        if planned is None:
            return None
        css_class, cell = planned
        links = name in cl.list_display_links
        tag = "th" if links and first_link else "td"
        first_link = first_link and not links
        columns.append(Column(f'<{tag} class="{css_class}">', f"</{tag}>", links, cell))
    return columns


def _cell(cl, name: str) -> tuple[str, Callable] | None:
    """One column's CSS class and value function."""
    model_admin = cl.model_admin
    empty = conditional_escape(model_admin.get_empty_value_display())
    try:
        field = cl.lookup_opts.get_field(name)
    except FieldDoesNotExist:
        field = None
    if field is None:
        if name == "action_checkbox" and _default_checkbox(model_admin):
            return "action-checkbox", _checkbox()
        attr = getattr(model_admin, name, None)
        if name == "__str__" or not callable(attr) or getattr(attr, "boolean", False):
            return None
        page_cell = getattr(attr, "page_cell", None)
        return f"field-{name}", _from_admin(
            page_cell() if page_cell else attr,
            conditional_escape(getattr(attr, "empty_value_display", empty)),
        )
    if field.is_relation:
        if not field.many_to_one or field.auto_created:
            return None
        return f"field-{name} nowrap", _related(field.name, empty)
    if not isinstance(field, models.CharField):
        return None
    if field.flatchoices:
        return f"field-{name}", _choice(field, empty)
    return f"field-{name}", _text(field.attname, empty)


def written_per_page(page_cell: Callable[[], Callable]):
    """Mark a list column whose rows this module can write with a function made once per page
    (`page_cell()`, taking a row's object), the same value the column's own method gives a row
    but with what is the same for every row read once."""

    def mark(method):
        method.page_cell = page_cell
        return method

    return mark


def _default_checkbox(model_admin) -> bool:
    return type(model_admin).action_checkbox is ModelAdmin.action_checkbox


def _checkbox() -> Callable:
    """`ModelAdmin.action_checkbox`, without a widget template per row."""
    label = gettext("Select this object for an action - {}")

    def cell(result):
        return (
            f'<input type="checkbox" name="{helpers.ACTION_CHECKBOX_NAME}" '
            f'value="{_escape(result.pk)}" class="action-select" '
            f'aria-label="{label.format(_escape(result))}">'
        )

    return cell


def _from_admin(attr: Callable, empty: str) -> Callable:
    def cell(result):
        value = attr(result)
        if value is None:
            return empty
        if not isinstance(value, str):
            raise NotText
        return _escape(value) if value.strip() else empty

    return cell


def _related(name: str, empty: str) -> Callable:
    def cell(result):
        value = getattr(result, name)
        return empty if value is None else _escape(value)

    return cell


def _choice(field, empty: str) -> Callable:
    labels = {key: conditional_escape(label) for key, label in field.flatchoices}
    attname = field.attname

    def cell(result):
        value = getattr(result, attname)
        if isinstance(value, str) and not value.strip():
            value = ""
        return labels.get(value, empty)

    return cell


def _text(attname: str, empty: str) -> Callable:
    def cell(result):
        value = getattr(result, attname)
        return _escape(value) if value and value.strip() else empty

    return cell


def _escape(value) -> str:
    """`conditional_escape` without its lazy-string wrapper, which cost more than escaping:
    what is already HTML stays as it is, anything else is escaped as Django escapes it."""
    if hasattr(value, "__html__"):
        return value.__html__()
    return html.escape(str(value))
