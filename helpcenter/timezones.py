"""Times as a reader reads them: the one home of how a moment is written on pages, in the admin
and in emails. Each request runs in its reader's zone (`ReaderTimeZoneMiddleware`), each email
is rendered in its recipient's (`helpcenter.mail.services.outbound_email_queue`), and templates
write a moment through the `when` library (`helpcenter/templatetags/when.py`), which calls the
functions below: "Mon 2 Dec, 14:30 CET", "in 40 minutes", "<time datetime=...>"."""

from datetime import UTC, datetime, timedelta
from functools import lru_cache
from html import escape

from django.conf import settings
from django.utils import timezone, translation
from django.utils.dates import MONTHS_3, WEEKDAYS_ABBR
from django.utils.html import avoid_wrapping
from django.utils.safestring import SafeString
from django.utils.timesince import TIME_STRINGS
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
    """ "Mon 2 Dec, 14:30 CET" in the active zone; the year is added when it is not this one.
    Written as Django's date format "D j M, H:i T" would, without its per-character parser,
    which cost more than the rest of a list row. The abbreviation is the zone's at that moment
    (CET or CEST), also in the repeated hour when clocks go back."""
    if value is None:
        return ""
    return LocalTimes()(value)


class LocalTimes:
    """`local_time` for the many moments of one page: the zone, the language's words and the
    year read once, not once a moment."""

    def __init__(self, *, now: datetime | None = None):
        self.zone = timezone.get_current_timezone()
        self.calendar_words = _calendar_words(translation.get_language())
        self.this_year = (now or timezone.now()).astimezone(self.zone).year

    def __call__(self, value: datetime | None) -> str:
        if value is None:
            return ""
        return _local_words(
            timezone.localtime(value, self.zone), self.calendar_words, self.this_year
        )


def _local_words(local: datetime, calendar_words, this_year: int) -> str:
    days, months = calendar_words
    year = "" if local.year == this_year else f" {local.year:04d}"
    return (
        f"{days[local.weekday()]} {local.day} {months[local.month - 1]}{year}, "
        f"{local.hour:02d}:{local.minute:02d} {local.tzname()}"
    )


@lru_cache
def _calendar_words(language: str | None) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The abbreviated day and month names Django's date format writes ("Mon", "Dec"),
    translated once per language instead of once per moment."""
    with translation.override(language):
        return (
            tuple(str(WEEKDAYS_ABBR[day]) for day in range(7)),
            tuple(str(MONTHS_3[month]).title() for month in range(1, 13)),
        )


# Under four weeks no whole month can have passed, so the span is counted in weeks, days, hours
# and minutes alone; further away, in calendar months and years as Django's `timesince` counts them.
WITHOUT_MONTHS = timedelta(days=28)
SPAN_UNITS = (("week", 7 * 24 * 3600), ("day", 24 * 3600), ("hour", 3600), ("minute", 60))


def relative_time(value: datetime | None, *, now: datetime | None = None) -> str:
    """ "in 40 minutes", "2 hours ago", "just now": the largest unit, as `timesince` with
    depth 1 says it."""
    if value is None:
        return ""
    return _relative_words(value, now or timezone.now(), translation.get_language())


def _relative_words(value: datetime, now: datetime, language: str | None) -> str:
    if abs(value - now) < JUST_NOW:
        return _("just now")
    future = value > now
    earlier, later = (now, value) if future else (value, now)
    # Counted on the earlier moment's clock, as `timesince` counts: across a daylight-saving
    # change its wall-clock span, not the elapsed one (a day, not 23 hours).
    later = later.astimezone(earlier.tzinfo)
    span = later - earlier
    if span >= WITHOUT_MONTHS:
        unit, count = _calendar_span(earlier, later)
        return _relative_phrase(language, future, unit, count)
    seconds = span.days * 24 * 3600 + span.seconds
    # Under a minute on that clock (a clock set back): "0 minutes", as `timesince` says.
    unit, size = next(
        ((unit, size) for unit, size in SPAN_UNITS if seconds >= size), SPAN_UNITS[-1]
    )
    return _relative_phrase(language, future, unit, max(seconds, 0) // size)


def _calendar_span(earlier: datetime, later: datetime) -> tuple[str, int]:
    """The unit and count that `timesince(earlier, later, depth=1)` names for four weeks or more
    (`later` on `earlier`'s clock): whole calendar months, as it counts them, without building
    its pivot date and every smaller part (five times the cost, on every older request)."""
    months = (later.year - earlier.year) * 12 + later.month - earlier.month
    if earlier.day > later.day or (earlier.day == later.day and earlier.time() > later.time()):
        months -= 1
    if months >= 12:
        return "year", months // 12
    if months:
        return "month", months
    return "week", int((later - earlier).total_seconds() // SPAN_UNITS[0][1])


@lru_cache(maxsize=1024)
def _relative_phrase(language: str | None, future: bool, unit: str, count: int) -> str:
    """ "in 40 minutes" or "2 hours ago", translated once per language and span."""
    with translation.override(language):
        span = avoid_wrapping(TIME_STRINGS[unit] % {"num": count})
        return (_("in %(span)s") if future else _("%(span)s ago")) % {"span": span}


def time_element(
    value: datetime | None, *, relative: bool = False, now: datetime | None = None
) -> SafeString:
    """The absolute time in a `<time datetime>` element, followed by the relative phrase when
    `relative` is asked for and the moment is near."""
    if value is None:
        return SafeString("")
    now = now or timezone.now()
    zone = timezone.get_current_timezone()
    language = translation.get_language()
    absolute = _local_words(
        timezone.localtime(value, zone), _calendar_words(language), now.astimezone(zone).year
    )
    # Escaped as format_html would (it cost half of this function), as in RelativeTimeElements.
    element = f'<time datetime="{value.astimezone(UTC).isoformat()}">{escape(absolute)}</time>'
    if relative and abs(value - now) < RELATIVE_WITHIN:
        phrase = escape(_relative_words(value, now, language))
        return SafeString(f'{element} <span class="hc-relative">({phrase})</span>')
    return SafeString(element)


def time_element_relative(value: datetime | None, *, now: datetime | None = None) -> SafeString:
    """For narrow columns: "2 hours ago" in a `<time datetime>` element whose title is the
    absolute time."""
    return RelativeTimeElements(now=now)(value)


class RelativeTimeElements:
    """`time_element_relative` for the many moments of one list: the zone, the language, its
    words and the current moment are read once, not once a row."""

    def __init__(self, *, now: datetime | None = None):
        self.now = now or timezone.now()
        self.zone = timezone.get_current_timezone()
        self.language = translation.get_language()
        self.calendar_words = _calendar_words(self.language)
        self.this_year = self.now.astimezone(self.zone).year

    def __call__(self, value: datetime | None) -> SafeString:
        if value is None:
            return SafeString("")
        absolute = _local_words(
            timezone.localtime(value, self.zone), self.calendar_words, self.this_year
        )
        relative = _relative_words(value, self.now, self.language)
        # The two phrases are escaped as format_html would, and the instant is digits and
        # separators only.
        return SafeString(
            f'<time datetime="{value.astimezone(UTC).isoformat()}" '
            f'title="{escape(absolute)}">{escape(relative)}</time>'
        )


def duration_words(value: timedelta) -> str:
    """A span as a person says it, to the minute: "10 min", "1 h 10 min", "2 d 3 h"."""
    minutes = max(int(abs(value).total_seconds() // 60), 0)
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)
    day, hour, minute = _duration_units(translation.get_language())
    parts = []
    if days:
        parts.append(day % {"count": days})
    if hours:
        parts.append(hour % {"count": hours})
    if minutes and not days or not parts:
        parts.append(minute % {"count": minutes})
    return " ".join(parts)


@lru_cache
def _duration_units(language: str | None) -> tuple[str, str, str]:
    """The units of `duration_words`, translated once per language instead of once a span (a
    list writes one a row)."""
    with translation.override(language):
        return (
            pgettext("duration", "%(count)d d"),
            pgettext("duration", "%(count)d h"),
            pgettext("duration", "%(count)d min"),
        )
