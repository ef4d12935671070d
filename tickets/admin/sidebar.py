"""The triage list's filter sidebar, written exactly as Django's admin/filter.html writes it.

Ten filters of a few choices each went through a template apiece on every page view, and
rendering them cost several times what working out their choices did. A filter with a template
of its own is still rendered by it."""

import html

from django.contrib.admin.templatetags.admin_list import admin_list_filter
from django.utils.encoding import iri_to_uri
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

DJANGO_FILTER_TEMPLATE = "admin/filter.html"
SELECTED = ' class="selected"'


def filter_sidebar(cl) -> SafeString:
    """Every filter of the list, as `{% admin_list_filter cl spec %}` writes each one."""
    return mark_safe(
        "".join(
            _filter(cl, spec)
            if spec.template == DJANGO_FILTER_TEMPLATE
            else admin_list_filter(cl, spec)
            for spec in cl.filter_specs
        )
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
