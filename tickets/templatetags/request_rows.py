"""`{% load request_rows %}`: the rows of the Requests page, written in one pass, and the
status badge they share with the request page (`{% status_badge ticket.status %}`).

The page shows fifty requests at a time. Written as template markup, each row cost Django's
template engine about as much as the rest of the page together (a URL reversed, an include, a
dozen variable lookups, the status and portal labels translated again for every row). Here the
URL is reversed and the labels translated once per page, and each row is one format string
whose every value is escaped.
"""

from html import escape
from urllib.parse import quote

from django import template
from django.urls import reverse
from django.utils.http import RFC3986_SUBDELIMS
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from accounts.models import User
from helpcenter.timezones import RelativeTimeElements
from plans.models import Portal
from tickets.models import Ticket

register = template.Library()

ROW = (
    '<tr data-testid="request-row"{highlight}>\n'
    '  <td class="text-nowrap"><a href="{url}">{key}</a></td>\n'
    '  <td><a class="text-body" href="{url}">{summary}</a>'
    '<div class="small text-body-secondary">{portal}{cluster}</div></td>\n'
    "  <td>{status}\n{waiting}</td>\n"
    '  <td class="d-none d-md-table-cell">{severity}</td>\n'
    '  <td class="d-none d-md-table-cell">{organization}</td>\n'
    '  <td class="small d-none d-md-table-cell">{reporter}</td>\n'
    '  <td class="small text-nowrap d-none d-md-table-cell">{updated}</td>\n'
    "</tr>\n"
)
WAITING = (
    '<div class="small fw-semibold mt-1" data-testid="waiting-for-you">'
    '<i aria-hidden="true" class="bi bi-reply-fill"></i> {}</div>'
)
STATUS_BADGE = '<span class="badge rounded-pill hc-status hc-status-{status}">{label}</span>'
KEY_PLACEHOLDER = "KEY-0"


@register.simple_tag
def status_badge(status: str) -> SafeString:
    """A request's status as the customer sees it, on the request page and in each row."""
    return SafeString(_status_badge(status, escape(str(Ticket.Status(status).label))))


def _status_badge(status: str, escaped_label: str) -> str:
    return STATUS_BADGE.format(status=escape(status), label=escaped_label)


@register.simple_tag
def request_rows(rows) -> SafeString:
    """One `<tr>` per row of `tickets.selectors.request_list_page`."""
    url_start, _placeholder, url_end = (
        escape(part)
        for part in reverse("tickets:request-detail", args=[KEY_PLACEHOLDER]).rpartition(
            KEY_PLACEHOLDER
        )
    )
    badges = {
        value: _status_badge(value, escape(str(label))) for value, label in Ticket.Status.choices
    }
    portals = {value: escape(str(label)) for value, label in Portal.choices}
    waiting = WAITING.format(escape(_("Waiting for your reply")))
    reporters = {}
    updated = RelativeTimeElements()
    html = []
    for row in rows:
        waiting_for_customer = row.status == Ticket.Status.WAITING_FOR_CUSTOMER
        key = escape(row.key)
        reporter = (row.reporter__full_name, row.reporter__email)
        if reporter not in reporters:
            reporters[reporter] = escape(
                User(full_name=reporter[0], email=reporter[1]).display_name
            )
        html.append(
            ROW.format(
                highlight=' class="table-warning"' if waiting_for_customer else "",
                url=url_start + escape(quote(row.key, safe=RFC3986_SUBDELIMS + "~:@")) + url_end,
                key=key,
                summary=escape(row.summary),
                portal=portals.get(row.portal) or escape(row.portal),
                cluster=f" · {escape(row.cluster__name)}" if row.cluster__name is not None else "",
                status=badges.get(row.status) or _status_badge(row.status, escape(row.status)),
                waiting=waiting if waiting_for_customer else "",
                severity=escape(row.severity),
                organization=escape(row.organization__name or "—"),
                reporter=reporters[reporter],
                updated=updated(row.last_activity_at),
            )
        )
    return SafeString("".join(html))
