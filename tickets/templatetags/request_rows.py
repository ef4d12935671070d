"""`{% load request_rows %}`: the rows of the Requests page, written in one pass.

The page shows fifty requests at a time. Written as template markup, each row cost Django's
template engine about as much as the rest of the page together (a URL reversed, an include, a
dozen variable lookups, the status and portal labels translated again for every row); here the
URL is reversed and the labels translated once per page, and each row is one `format_html`.
"""

from urllib.parse import quote

from django import template
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.http import RFC3986_SUBDELIMS
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from helpcenter.timezones import time_element_relative
from plans.models import Portal
from tickets.models import Ticket

register = template.Library()

ROW = (
    '<tr data-testid="request-row"{highlight}>\n'
    '  <td class="text-nowrap"><a href="{url}">{key}</a></td>\n'
    '  <td><a class="text-body" href="{url}">{summary}</a>'
    '<div class="small text-body-secondary">{portal}{cluster}</div></td>\n'
    '  <td><span class="badge rounded-pill hc-status hc-status-{status}">{status_label}</span>\n'
    "{waiting}</td>\n"
    '  <td class="d-none d-md-table-cell">{severity}</td>\n'
    '  <td class="d-none d-md-table-cell">{organization}</td>\n'
    '  <td class="small d-none d-md-table-cell">{reporter}</td>\n'
    '  <td class="small text-nowrap d-none d-md-table-cell">{updated}</td>\n'
    "</tr>\n"
)
KEY_PLACEHOLDER = "KEY-0"


@register.simple_tag
def request_rows(tickets) -> SafeString:
    """One `<tr>` per request, with what `tickets.selectors.request_list_rows` reads."""
    url_start, _placeholder, url_end = reverse(
        "tickets:request-detail", args=[KEY_PLACEHOLDER]
    ).rpartition(KEY_PLACEHOLDER)
    statuses = {value: str(label) for value, label in Ticket.Status.choices}
    portals = {value: str(label) for value, label in Portal.choices}
    waiting = format_html(
        '<div class="small fw-semibold mt-1" data-testid="waiting-for-you">'
        '<i aria-hidden="true" class="bi bi-reply-fill"></i> {}</div>',
        _("Waiting for your reply"),
    )
    now = timezone.now()
    rows = []
    for ticket in tickets:
        waiting_for_customer = ticket.status == Ticket.Status.WAITING_FOR_CUSTOMER
        rows.append(
            format_html(
                ROW,
                highlight=SafeString(' class="table-warning"' if waiting_for_customer else ""),
                url=url_start + quote(ticket.key, safe=RFC3986_SUBDELIMS + "~:@") + url_end,
                key=ticket.key,
                summary=ticket.summary,
                portal=portals.get(ticket.portal, ticket.portal),
                cluster=f" · {ticket.cluster.name}" if ticket.cluster else "",
                status=ticket.status,
                status_label=statuses.get(ticket.status, ticket.status),
                waiting=waiting if waiting_for_customer else "",
                severity=ticket.severity,
                organization=(ticket.organization.name if ticket.organization else "") or "—",
                reporter=ticket.reporter.display_name,
                updated=time_element_relative(ticket.last_activity_at, now=now),
            )
        )
    return SafeString("".join(rows))
