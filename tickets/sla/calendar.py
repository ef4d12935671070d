"""Response-time arithmetic: around the clock, or business hours (9:00-18:00 Monday to Friday in
the organization's zone). Arithmetic happens in UTC so daylight-saving changes are exact."""

from collections.abc import Iterable, Iterator
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

UTC_ZONE = ZoneInfo("UTC")
BUSINESS_OPENS = time(9, 0)
BUSINESS_CLOSES = time(18, 0)
BUSINESS_DAYS = range(0, 5)


def business_windows(start: datetime, zone: ZoneInfo) -> Iterator[tuple[datetime, datetime]]:
    """Business-hour windows in UTC, from the local day of `start` on, without end."""
    day = start.astimezone(zone).date()
    while True:
        if day.weekday() in BUSINESS_DAYS:
            opens = datetime.combine(day, BUSINESS_OPENS, tzinfo=zone).astimezone(UTC)
            closes = datetime.combine(day, BUSINESS_CLOSES, tzinfo=zone).astimezone(UTC)
            yield opens, closes
        day += timedelta(days=1)


def add_working_time(
    start: datetime, duration: timedelta, *, business_hours: bool, zone: ZoneInfo
) -> datetime:
    """The instant at which `duration` of clock time has run from `start`."""
    start = _aware(start).astimezone(UTC)
    if not business_hours:
        return start + duration
    remaining = duration
    for opens, closes in business_windows(start, zone):
        begin = max(start, opens)
        if begin >= closes:
            continue
        available = closes - begin
        if remaining <= available:
            return begin + remaining
        remaining -= available
    raise AssertionError("unreachable: business windows never end")


def working_time_between(
    start: datetime,
    end: datetime,
    *,
    business_hours: bool,
    zone: ZoneInfo,
    pauses: Iterable[tuple[datetime, datetime | None]] = (),
) -> timedelta:
    """Clock time that ran from `start` to `end`, not counting the paused intervals.

    A pause without an end is still running. Pauses that overlap count once.
    """
    start, end = _aware(start).astimezone(UTC), _aware(end).astimezone(UTC)
    if end <= start:
        return timedelta(0)
    total = _span(start, end, business_hours=business_hours, zone=zone)
    for pause_start, pause_end in _merged(pauses, start=start, end=end):
        total -= _span(pause_start, pause_end, business_hours=business_hours, zone=zone)
    return max(total, timedelta(0))


def _aware(instant: datetime) -> datetime:
    if instant.tzinfo is None or instant.utcoffset() is None:
        raise ValueError("Response-time arithmetic needs aware datetimes.")
    return instant


def _merged(
    pauses: Iterable[tuple[datetime, datetime | None]], *, start: datetime, end: datetime
) -> list[tuple[datetime, datetime]]:
    """The pauses clipped to [start, end], sorted, with overlapping ones joined."""
    clipped = []
    for pause_start, pause_end in pauses:
        clipped_start = max(start, _aware(pause_start).astimezone(UTC))
        clipped_end = min(end, _aware(pause_end).astimezone(UTC) if pause_end else end)
        if clipped_end > clipped_start:
            clipped.append((clipped_start, clipped_end))
    merged: list[tuple[datetime, datetime]] = []
    for pause_start, pause_end in sorted(clipped):
        if merged and pause_start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], pause_end))
        else:
            merged.append((pause_start, pause_end))
    return merged


def _span(start: datetime, end: datetime, *, business_hours: bool, zone: ZoneInfo) -> timedelta:
    if not business_hours:
        return end - start
    total = timedelta(0)
    for opens, closes in business_windows(start, zone):
        if opens >= end:
            break
        overlap = min(closes, end) - max(opens, start)
        if overlap > timedelta(0):
            total += overlap
    return total
