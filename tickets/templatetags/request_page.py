"""`{% load request_page %}`: the request page's lists, each written in one pass: the
Activity, the sharing form's colleagues and the rating form's choices.

Written as template markup, each comment cost Django's template engine a dozen variable
lookups, two translations and a URL reversed for each of its files (a request with sixty
comments spent more on them than on the rest of the page), and each colleague five lookups.
Here the labels are translated and the file URL reversed once per page, and each entry is one
format string whose every value is escaped, as the template escaped it.
"""

from functools import lru_cache
from html import escape

from django import template
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils.safestring import SafeString
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from accounts.models import User
from helpcenter.timezones import time_element
from tickets.forms import SatisfactionForm
from tickets.models import Comment, Ticket, TicketEvent

register = template.Library()

FILE_PLACEHOLDER = 1


@register.simple_tag
def activity_entries(activity: list[tuple[str, Comment | TicketEvent]], ticket: Ticket):
    """Each entry of `tickets.selectors.request_page_for`'s Activity: a status change as one
    line, a comment as a card with its author, badges, text and files."""
    file_url_start, _placeholder, file_url_end = (
        escape(part)
        for part in reverse(
            "tickets:attachment-download", args=[ticket.key, FILE_PLACEHOLDER]
        ).rpartition(str(FILE_PLACEHOLDER))
    )
    support_badge = f'<span class="badge text-bg-primary">{escape(_("TiDB Cloud Support"))}</span>'
    html = []
    for kind, entry in activity:
        when = time_element(entry.created_at, relative=True)
        if kind == "status":
            html.append(
                '<p class="hc-activity-status small text-body-secondary mb-2 ps-1" '
                'data-testid="status-change"><i aria-hidden="true" '
                f'class="bi bi-arrow-left-right me-1"></i>{_status_change(entry)} · {when}</p>\n'
            )
            continue
        author, is_support = entry.author, entry.author_is_support
        badges = [support_badge] if is_support else []
        if entry.ticket_id != ticket.pk:
            merged_from = _("from %(key)s") % {"key": escape(entry.ticket.key)}
            badges.append(f'<span class="badge text-bg-secondary">{merged_from}</span>')
        badge_lines = "\n".join(badges)
        files = "".join(
            '<li class="list-inline-item"><a class="btn btn-sm btn-light border" '
            f'href="{file_url_start}{int(file["pk"])}{file_url_end}"><i aria-hidden="true" '
            f'class="bi bi-paperclip"></i> {escape(file["original_name"])} '
            f'<span class="text-body-secondary">({escape(filesizeformat(file["size"]))})'
            "</span></a></li>\n"
            for file in entry.attachment_list
        )
        html.append(
            f'<div class="card p-3 mb-2 hc-comment{" hc-comment-support" if is_support else ""}" '
            'data-testid="comment">\n'
            '<div class="d-flex align-items-center gap-2 mb-1">\n'
            f'<span class="hc-avatar hc-avatar-sm">{escape(author.initials)}</span>\n'
            f"<strong>{escape(author.display_name)}</strong>\n"
            f"{badge_lines}\n"
            f'<span class="text-body-secondary small ms-auto">{when}</span>\n'
            "</div>\n"
            f'<div class="hc-pre-wrap">{escape(entry.body)}</div>\n'
            + (f'<ul class="list-inline mt-2 mb-0">\n{files}</ul>\n' if files else "")
            + "</div>\n"
        )
    return SafeString("".join(html))


def _status_change(event: TicketEvent) -> str:
    status = escape(event.to_value)
    if event.actor is None:
        return _("The status was set to %(status)s") % {"status": status}
    name = escape(event.actor.display_name)
    if event.actor_is_support:
        return _("%(name)s from Support set the status to %(status)s") % {
            "name": name,
            "status": status,
        }
    return _("%(name)s set the status to %(status)s") % {"name": name, "status": status}


@register.simple_tag
def colleague_checkboxes(colleagues: list[User], participants: list[User]) -> SafeString:
    """The sharing form's checkbox for each colleague, checked for the participants."""
    checked = {person.pk for person in participants}
    return SafeString(
        "".join(
            '<div class="form-check"><input type="checkbox" class="form-check-input" '
            f'name="participants" value="{int(person.pk)}" id="id_participants_{index}"'
            f"{' checked' if person.pk in checked else ''}> "
            f'<label for="id_participants_{index}" class="form-check-label">'
            f"{escape(person.display_name)} ({escape(person.email)})</label></div>"
            for index, person in enumerate(colleagues)
        )
    )


@register.simple_tag
def rating_radios() -> SafeString:
    """The rating form's radio buttons, the same for every request."""
    return _rating_radios(get_language())


@lru_cache(maxsize=16)
def _rating_radios(language: str | None) -> SafeString:
    return SafeString(
        "".join(
            '<div class="form-check"><input type="radio" class="form-check-input" '
            f'name="rating" value="{int(value)}" id="id_rating_{index}" required> '
            f'<label for="id_rating_{index}" class="form-check-label">{escape(str(label))}'
            "</label></div>"
            for index, (value, label) in enumerate(SatisfactionForm.base_fields["rating"].choices)
        )
    )
