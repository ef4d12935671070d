"""`{% load request_rows %}`: the rows of the Requests page, written in one pass, and the
status badge they share with the request page (`{% status_badge ticket.status %}`).

The page shows fifty requests at a time. Written as template markup, each row cost Django's
template engine about as much as the rest of the page together (a URL reversed, an include, a
dozen variable lookups, the status and portal labels translated again for every row). Here the
URL is reversed and the labels translated once per process and language, and each row is one
f-string whose every value is escaped.
"""

from functools import lru_cache
from html import escape
from typing import NamedTuple
from urllib.parse import quote

from django import template
from django.utils import translation
from django.utils.http import RFC3986_SUBDELIMS
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from accounts.models import User
from helpcenter.templatetags.links import key_link_parts
from helpcenter.timezones import RelativeTimeElements
from plans.models import Portal
from tickets.models import Ticket

register = template.Library()

WAITING = (
    '<div class="small fw-semibold mt-1" data-testid="waiting-for-you">'
    '<i aria-hidden="true" class="bi bi-reply-fill"></i> {}</div>'
)
STATUS_BADGE = '<span class="badge rounded-pill hc-status hc-status-{status}">{label}</span>'


@register.simple_tag
def status_badge(status: str) -> SafeString:
    """A request's status as the customer sees it, on the request page and in each row."""
    return SafeString(_status_badge(status, escape(str(Ticket.Status(status).label))))


def _status_badge(status: str, escaped_label: str) -> str:
    return STATUS_BADGE.format(status=escape(status), label=escaped_label)


@lru_cache
def _labels(language: str | None) -> tuple[dict[str, str], dict[str, str], str]:
    """The status badges, the portals' names and the "waiting for your reply" line, escaped,
    for one language: translated once per process, not once per page."""
    with translation.override(language):
        return (
            {
                value: _status_badge(value, escape(str(label)))
                for value, label in Ticket.Status.choices
            },
            {value: escape(str(label)) for value, label in Portal.choices},
            WAITING.format(escape(_("Waiting for your reply"))),
        )


@register.simple_tag
def request_rows(rows) -> SafeString:
    """One `<tr>` per row of `tickets.selectors.request_list_page`. The values that repeat down
    a page (organization, cluster, reporter, severity) are escaped once each."""
    url_start, url_end = (escape(part) for part in key_link_parts("tickets:request-detail"))
    badges, portals, waiting = _labels(translation.get_language())
    escaped = _EscapedOnce()
    reporters = {}
    updated = RelativeTimeElements()
    html = []
    for (
        key,
        summary,
        portal,
        status,
        severity,
        last_activity_at,
        organization,
        cluster,
        full_name,
        email,
    ) in rows:
        reporter = reporters.get((full_name, email))
        if reporter is None:
            reporter = reporters[full_name, email] = escape(
                User.display_name.fget(_Reporter(full_name, email))
            )
        key_html = escape(key)
        key_url = quote(key, safe=RFC3986_SUBDELIMS + "~:@")
        url = url_start + (key_html if key_url == key else escape(key_url)) + url_end
        if status == Ticket.Status.WAITING_FOR_CUSTOMER:
            highlight, waiting_line = ' class="table-warning"', waiting
        else:
            highlight, waiting_line = "", ""
        html.append(
            f'<tr data-testid="request-row"{highlight}>\n'
            f'  <td class="text-nowrap"><a href="{url}">{key_html}</a></td>\n'
            f'  <td><a class="text-body" href="{url}">{escape(summary)}</a>'
            f'<div class="small text-body-secondary">{portals.get(portal) or escaped[portal]}'
            f"{'' if cluster is None else ' · ' + escaped[cluster]}</div></td>\n"
            f"  <td>{badges.get(status) or _status_badge(status, escaped[status])}\n"
            f"{waiting_line}</td>\n"
            f'  <td class="d-none d-md-table-cell">{escaped[severity]}</td>\n'
            f'  <td class="d-none d-md-table-cell">{escaped[organization or "—"]}</td>\n'
            f'  <td class="small d-none d-md-table-cell">{reporter}</td>\n'
            f'  <td class="small text-nowrap d-none d-md-table-cell">'
            f"{updated(last_activity_at)}</td>\n"
            "</tr>\n"
        )
    return SafeString("".join(html))


class _Reporter(NamedTuple):
    """What `User.display_name` reads, without building a User for each reporter."""

    full_name: str
    email: str


class _EscapedOnce(dict):
    """`escaped[value]` is `escape(value)`, computed once per value."""

    def __missing__(self, value: str) -> str:
        self[value] = escaped = escape(value)
        return escaped
