"""Times as a reader reads them: the one home of how a moment is written on pages, in the admin
and in emails. Each request runs in its reader's zone (`ReaderTimeZoneMiddleware`), each email
is rendered in its recipient's (`helpcenter.mail.services.outbound_email_queue`), and templates
write a moment through the `when` library (`helpcenter/templatetags/when.py`), which calls the
functions below: "Mon 2 Dec, 14:30 CET", "in 40 minutes", "<time datetime=...>"."""

from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.utils import timezone
from django.utils.dateformat import format as date_format
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.timesince import timesince
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

# Relative phrasing helps for what is near ("in 40 minutes", "2 hours ago"); further away, the
# date says more.
RELATIVE_WITHIN = timedelta(days=7)
JUST_NOW = timedelta(minutes=1)


def reader_zone_name(user) -> str:
    """The zone a person reads times in: their own, else the server's (UTC). A person's zone is
    set at sign-up from the browser, or from their first organization when they join one."""
    if user is not None and getattr(user, "is_authenticated", False) and user.time_zone:
        return user.time_zone
    return settings.TIME_ZONE


class ReaderTimeZoneMiddleware:
    """Activate the signed-in person's zone for the request, so templates, forms and the admin
    show local times (Django converts aware datetimes to the active zone)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        timezone.activate(reader_zone_name(getattr(request, "user", None)))
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()


def local_time(value: datetime | None) -> str:
    """ "Mon 2 Dec, 14:30 CET" in the active zone; the year is added when it is not this one."""
    if value is None:
        return ""
    local = timezone.localtime(value)
    this_year = timezone.localtime(timezone.now()).year
    pattern = "D j M, H:i T" if local.year == this_year else "D j M Y, H:i T"
    return date_format(local, pattern)


def relative_time(value: datetime | None, *, now: datetime | None = None) -> str:
    """ "in 40 minutes", "2 hours ago", "just now"."""
    if value is None:
        return ""
    now = now or timezone.now()
    if abs(value - now) < JUST_NOW:
        return _("just now")
    if value > now:
        return _("in %(span)s") % {"span": timesince(now, value, depth=1)}
    return _("%(span)s ago") % {"span": timesince(value, now, depth=1)}


def time_element(
    value: datetime | None, *, relative: bool = False, now: datetime | None = None
) -> SafeString:
    """The absolute time in a `<time datetime>` element, followed by the relative phrase when
    `relative` is asked for and the moment is near."""
    if value is None:
        return SafeString("")
    element = format_html(
        '<time datetime="{}">{}</time>', value.astimezone(UTC).isoformat(), local_time(value)
    )
    now = now or timezone.now()
    if relative and abs(value - now) < RELATIVE_WITHIN:
        return format_html(
            '{} <span class="hc-relative">({})</span>', element, relative_time(value, now=now)
        )
    return element


def time_element_relative(value: datetime | None, *, now: datetime | None = None) -> SafeString:
    """For narrow columns: "2 hours ago" in a `<time datetime>` element whose title is the
    absolute time."""
    if value is None:
        return SafeString("")
    return format_html(
        '<time datetime="{}" title="{}">{}</time>',
        value.astimezone(UTC).isoformat(),
        local_time(value),
        relative_time(value, now=now),
    )


def duration_words(value: timedelta) -> str:
    """A span as a person says it, to the minute: "10 min", "1 h 10 min", "2 d 3 h"."""
    minutes = max(int(abs(value).total_seconds() // 60), 0)
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)
    parts = []
    if days:
        parts.append(pgettext("duration", "%(count)d d") % {"count": days})
    if hours:
        parts.append(pgettext("duration", "%(count)d h") % {"count": hours})
    if minutes and not days or not parts:
        parts.append(pgettext("duration", "%(count)d min") % {"count": minutes})
    return " ".join(parts)
