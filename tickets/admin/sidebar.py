"""The triage list's filter sidebar, written exactly as Django's admin/filter.html writes it.

Ten filters of a few choices each went through a template apiece on every page view, and
rendering them cost several times what working out their choices did. A filter with a template
of its own is still rendered by it.

Then translating their labels and writing a query string for each choice still cost about
0.6 ms a page, for a sidebar that depends only on the language, the list's parameters and the
choices its filters read: it is written once per process for those (`_inputs`), without facet
counts, which are read from the database on every page."""

import html

from django.contrib.admin import SimpleListFilter
from django.contrib.admin.templatetags.admin_list import admin_list_filter
from django.utils import translation
from django.utils.encoding import iri_to_uri
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

DJANGO_FILTER_TEMPLATE = "admin/filter.html"
SELECTED = ' class="selected"'
# Searches make every sidebar different; past this many a process forgets them all.
MOST_WRITTEN = 256
_written: dict[tuple, str] = {}


def filter_sidebar(cl) -> SafeString:
    """Every filter of the list, as `{% admin_list_filter cl spec %}` writes each one."""
    inputs = _inputs(cl)
    written = _written.get(inputs) if inputs is not None else None
    if written is None:
        written = "".join(
            _filter(cl, spec)
            if spec.template == DJANGO_FILTER_TEMPLATE
            else admin_list_filter(cl, spec)
            for spec in cl.filter_specs
        )
        if inputs is not None:
            if len(_written) >= MOST_WRITTEN:
                _written.clear()
            _written[inputs] = written
    return mark_safe(written)


def _inputs(cl) -> tuple | None:
    """What the sidebar is written from: the language, the list's parameters (each choice's
    query string and whether it is selected) and each filter's choices; None with facet counts.
    A simple filter's choices are its values: its labels are fixed words (the triage list's
    queues, assignees and clock states), translated for the language."""
    if cl.add_facets:
        return None
    return (
        translation.get_language(),
        tuple(cl.params.items()),
        tuple((key, tuple(values)) for key, values in cl.filter_params.items()),
        tuple(
            (
                type(spec),
                getattr(spec, "field_path", None),
                tuple(value for value, _label in spec.lookup_choices)
                if isinstance(spec, SimpleListFilter)
                else tuple(getattr(spec, "lookup_choices", ())),
            )
            for spec in cl.filter_specs
        ),
    )


def _filter(cl, spec) -> str:
    title = conditional_escape(spec.title)
    # blocktranslate's message, with the title escaped as the template escapes it.
    summary = gettext(" By %(filter_title)s ") % {"filter_title": title}
    choices = "".join(
        f"\n    <li{SELECTED if choice['selected'] else ''}>\n"
        f'    <a href="{html.escape(iri_to_uri(choice["query_string"]))}">'
        f"{conditional_escape(choice['display'])}</a></li>\n  "
        for choice in spec.choices(cl)
    )
    return (
        f'\n<details data-filter-title="{title}" open>\n  <summary>\n    {summary}\n'
        f"  </summary>\n  <ul>\n  {choices}\n  </ul>\n</details>\n"
    )
