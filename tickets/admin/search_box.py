"""The triage list's search box, written exactly as `{% search_form cl %}` writes it through
admin/search_form.html: the inclusion tag looked for three templates and rendered one on every
page view, for a few lines of which only the query, the filters and the count change."""

from django.contrib.admin.views.main import IS_FACETS_VAR, IS_POPUP_VAR, SEARCH_VAR
from django.templatetags.static import static
from django.utils.formats import localize
from django.utils.html import escape
from django.utils.safestring import SafeString
from django.utils.translation import gettext, ngettext


def search_box(cl) -> SafeString:
    """admin/search_form.html for this list, each value escaped as the template escapes it."""
    if not cl.search_fields:
        return SafeString("\n\n")
    help_text = cl.search_help_text
    described = ' aria-describedby="searchbar_helptext"' if help_text else ""
    search = escape(gettext("Search"))
    hidden = "".join(
        "\n    "
        + (
            f'<input type="hidden" name="{escape(key)}" value="{escape(value)}">'
            if key != SEARCH_VAR
            else ""
        )
        + "\n"
        for key, value in cl.params.items()
    )
    helps = (
        f'\n<br class="clear">\n<div class="help" id="searchbar_helptext">{escape(help_text)}'
        "</div>\n"
        if help_text
        else ""
    )
    image = escape(static("admin/img/search.svg"))
    return SafeString(
        '\n\n<div id="toolbar"><form id="changelist-search" method="get" role="search">\n'
        "<div><!-- DIV needed for valid HTML -->\n"
        f'<label for="searchbar"><img src="{image}" alt="Search"></label>\n'
        f'<input type="text" size="40" name="{SEARCH_VAR}" value="{escape(cl.query)}"'
        f' id="searchbar" aria-label="{search}"{described}>\n'
        f'<input type="submit" value="{search}">\n'
        f"{_result_count(cl)}\n{hidden}\n</div>\n{helps}\n</form></div>\n\n"
    )


def _result_count(cl) -> str:
    if cl.result_count == cl.full_result_count:
        return ""
    counted = ngettext("%(counter)s result", "%(counter)s results", cl.result_count) % {
        "counter": escape(localize(cl.result_count))
    }
    link = f"{IS_POPUP_VAR}=1{'&' if cl.add_facets else ''}" if cl.is_popup else ""
    link += IS_FACETS_VAR if cl.add_facets else ""
    if cl.show_full_result_count:
        whole = gettext("%(full_result_count)s total") % {
            "full_result_count": escape(localize(cl.full_result_count))
        }
    else:
        whole = escape(gettext("Show all"))
    return f'\n    <span class="small quiet">{counted} (<a href="?{link}">{whole}</a>)</span>\n'
