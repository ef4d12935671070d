"""The response-time calendar: business hours are 9:00-18:00 Monday to Friday in the
organization's zone; "hours" without "business" run around the clock.

The properties compare the calendar with a plain oracle that walks real time minute by minute and
asks the zone what the local wall clock says, so daylight-saving changes are judged by the zone
database, not by the code under test.
"""

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from tickets.sla.calendar import add_working_time, working_time_between

MINUTE = timedelta(minutes=1)
PROPERTY = settings(max_examples=60, deadline=None)

# Zones with daylight saving on Sundays (Berlin, New York, Sydney, St John's), on a business day
# (Jerusalem springs forward on a Friday, Cairo falls back on a Thursday night), and without any.
ZONE_NAMES = [
    "UTC",
    "Europe/Berlin",
    "America/New_York",
    "Australia/Sydney",
    "Asia/Jerusalem",
    "Africa/Cairo",
    "Asia/Kolkata",
    "America/St_Johns",
]
RANGE_START = datetime(2026, 1, 1, tzinfo=UTC)
RANGE_DAYS = 2 * 365
PUBLISHED_MINUTES = [30, 60, 120, 240, 480, 720, 1440]


def _transitions(zone: ZoneInfo) -> list[datetime]:
    """The UTC instants in the test range at which the zone's offset changes."""
    found = []
    day = RANGE_START
    for _ in range(RANGE_DAYS):
        next_day = day + timedelta(days=1)
        if day.astimezone(zone).utcoffset() != next_day.astimezone(zone).utcoffset():
            instant = day
            while instant.astimezone(zone).utcoffset() == day.astimezone(zone).utcoffset():
                instant += timedelta(minutes=15)
            found.append(instant)
        day = next_day
    return found


TRANSITIONS = {name: _transitions(ZoneInfo(name)) for name in ZONE_NAMES}


def local(zone_name: str, *args) -> datetime:
    return datetime(*args, tzinfo=ZoneInfo(zone_name))


def business(start, minutes, zone, **kwargs):
    return add_working_time(start, timedelta(minutes=minutes), business_hours=True, zone=zone)


def is_business_minute(instant: datetime, zone: ZoneInfo) -> bool:
    """The minute that starts at `instant` is business time on the local wall clock."""
    wall = instant.astimezone(zone)
    return wall.weekday() < 5 and time(9) <= wall.time() < time(18)


def due_by_counting(start: datetime, minutes: int, zone: ZoneInfo) -> datetime:
    instant, left = start, minutes
    while left:
        if is_business_minute(instant, zone):
            left -= 1
        instant += MINUTE
    return instant


def elapsed_by_counting(start, end, zone, pauses) -> timedelta:
    minutes, instant = 0, start
    while instant < end:
        paused = any(p_start <= instant < (p_end or end) for p_start, p_end in pauses)
        if not paused and is_business_minute(instant, zone):
            minutes += 1
        instant += MINUTE
    return timedelta(minutes=minutes)


@st.composite
def zoned_instants(draw, *, seconds=False):
    """(zone, instant): anywhere in two years, or within five days of a daylight-saving change."""
    name = draw(st.sampled_from(ZONE_NAMES))
    unit = timedelta(seconds=1) if seconds else MINUTE
    per_day = int(timedelta(days=1) / unit)
    if TRANSITIONS[name] and draw(st.booleans()):
        anchor = draw(st.sampled_from(TRANSITIONS[name]))
        instant = anchor + unit * draw(st.integers(-5 * per_day, 5 * per_day))
    else:
        instant = RANGE_START + unit * draw(st.integers(0, RANGE_DAYS * per_day))
    return ZoneInfo(name), instant


target_minutes = st.sampled_from(PUBLISHED_MINUTES) | st.integers(min_value=1, max_value=1440)


# The published examples


def test_developer_s1_filed_friday_1730_is_due_monday_1230():
    due = business(local("UTC", 2026, 12, 4, 17, 30), 4 * 60, ZoneInfo("UTC"))
    assert due == local("UTC", 2026, 12, 7, 12, 30)


def test_enterprise_s1_filed_friday_1730_is_due_friday_1830_around_the_clock():
    start = local("UTC", 2026, 12, 4, 17, 30)
    due = add_working_time(start, timedelta(hours=1), business_hours=False, zone=ZoneInfo("UTC"))
    assert due == local("UTC", 2026, 12, 4, 18, 30)


def test_business_hours_are_counted_in_the_organizations_zone():
    tokyo = ZoneInfo("Asia/Tokyo")
    due = business(local("Asia/Tokyo", 2026, 12, 4, 17, 30), 4 * 60, tokyo)
    assert due == local("Asia/Tokyo", 2026, 12, 7, 12, 30)
    assert due == datetime(2026, 12, 7, 3, 30, tzinfo=UTC)


def test_a_target_that_ends_exactly_at_closing_is_due_that_evening():
    start = local("UTC", 2026, 12, 7, 14, 0)
    assert business(start, 4 * 60, ZoneInfo("UTC")) == local("UTC", 2026, 12, 7, 18, 0)


def test_a_request_filed_at_night_starts_counting_at_nine():
    start = local("UTC", 2026, 12, 8, 2, 15)
    assert business(start, 30, ZoneInfo("UTC")) == local("UTC", 2026, 12, 8, 9, 30)


@pytest.mark.parametrize(
    ("start", "due"),
    [
        # Spring forward in Berlin on Sunday 28 March 2027: Monday 12:30 on the wall clock.
        ((2027, 3, 26, 17, 30), (2027, 3, 29, 12, 30)),
        # Fall back in Berlin on Sunday 31 October 2027.
        ((2027, 10, 29, 17, 30), (2027, 11, 1, 12, 30)),
    ],
)
def test_business_due_keeps_wall_clock_hours_across_daylight_saving(start, due):
    zone = ZoneInfo("Europe/Berlin")
    assert business(local("Europe/Berlin", *start), 4 * 60, zone) == local("Europe/Berlin", *due)


def test_around_the_clock_counts_real_hours_across_spring_forward():
    # Saturday 23:30 plus 24 hours is Monday 00:30: that Sunday has 23 hours in Berlin.
    start = local("Europe/Berlin", 2027, 3, 27, 23, 30)
    due = add_working_time(
        start, timedelta(hours=24), business_hours=False, zone=ZoneInfo("Europe/Berlin")
    )
    assert due.astimezone(ZoneInfo("Europe/Berlin")) == local("Europe/Berlin", 2027, 3, 29, 0, 30)


def test_a_friday_daylight_saving_change_still_gives_nine_business_hours():
    # Jerusalem springs forward at 02:00 on Friday 26 March 2027, a business day.
    zone = ZoneInfo("Asia/Jerusalem")
    elapsed = working_time_between(
        local("Asia/Jerusalem", 2027, 3, 26, 0, 0),
        local("Asia/Jerusalem", 2027, 3, 27, 0, 0),
        business_hours=True,
        zone=zone,
    )
    assert elapsed == timedelta(hours=9)


def test_elapsed_business_time_skips_nights_and_the_weekend():
    elapsed = working_time_between(
        local("UTC", 2026, 12, 4, 17, 0),
        local("UTC", 2026, 12, 7, 10, 0),
        business_hours=True,
        zone=ZoneInfo("UTC"),
    )
    assert elapsed == timedelta(hours=2)


def test_waiting_for_the_customer_pauses_the_clock():
    utc = ZoneInfo("UTC")
    elapsed = working_time_between(
        local("UTC", 2026, 12, 7, 9, 0),
        local("UTC", 2026, 12, 7, 18, 0),
        business_hours=True,
        zone=utc,
        pauses=[(local("UTC", 2026, 12, 7, 10, 0), local("UTC", 2026, 12, 7, 12, 0))],
    )
    assert elapsed == timedelta(hours=7)


def test_a_pause_still_running_stops_the_clock_until_now():
    elapsed = working_time_between(
        local("UTC", 2026, 12, 7, 9, 0),
        local("UTC", 2026, 12, 7, 15, 0),
        business_hours=False,
        zone=ZoneInfo("UTC"),
        pauses=[(local("UTC", 2026, 12, 7, 11, 0), None)],
    )
    assert elapsed == timedelta(hours=2)


def test_overlapping_pauses_are_subtracted_once():
    elapsed = working_time_between(
        local("UTC", 2026, 12, 7, 9, 0),
        local("UTC", 2026, 12, 7, 18, 0),
        business_hours=True,
        zone=ZoneInfo("UTC"),
        pauses=[
            (local("UTC", 2026, 12, 7, 10, 0), local("UTC", 2026, 12, 7, 12, 0)),
            (local("UTC", 2026, 12, 7, 11, 0), local("UTC", 2026, 12, 7, 13, 0)),
        ],
    )
    assert elapsed == timedelta(hours=6)


def test_naive_datetimes_are_refused_rather_than_read_in_the_servers_zone():
    with pytest.raises(ValueError, match="aware"):
        business(datetime(2026, 12, 4, 17, 30), 60, ZoneInfo("UTC"))


# Properties


@PROPERTY
@given(zoned_instants(), target_minutes)
def test_business_due_matches_a_minute_by_minute_count(zoned, minutes):
    zone, start = zoned
    assert business(start, minutes, zone) == due_by_counting(start, minutes, zone)


@PROPERTY
@given(zoned_instants(seconds=True), target_minutes)
def test_business_due_never_falls_outside_business_hours(zoned, minutes):
    zone, start = zoned
    wall = business(start, minutes, zone).astimezone(zone)
    assert wall.weekday() < 5
    assert time(9) < wall.time() <= time(18)


@PROPERTY
@given(zoned_instants(seconds=True), st.integers(0, 4 * 24 * 3600), target_minutes, st.booleans())
def test_due_time_is_monotonic_in_the_start_time(zoned, later_by, minutes, business_hours):
    zone, start = zoned
    duration = timedelta(minutes=minutes)
    earlier = add_working_time(start, duration, business_hours=business_hours, zone=zone)
    later = add_working_time(
        start + timedelta(seconds=later_by), duration, business_hours=business_hours, zone=zone
    )
    assert earlier <= later


@PROPERTY
@given(st.sampled_from(ZONE_NAMES), st.integers(0, 100), st.integers(0, 2 * 86400 - 1))
def test_a_weekend_start_counts_from_monday_nine(zone_name, week, second):
    zone = ZoneInfo(zone_name)
    saturday = datetime(2026, 1, 3) + timedelta(weeks=week)
    start = datetime.combine(saturday.date(), time(0), tzinfo=zone).astimezone(UTC) + timedelta(
        seconds=second
    )
    assume(start.astimezone(zone).weekday() in (5, 6))
    monday_nine = datetime.combine((saturday + timedelta(days=2)).date(), time(9), tzinfo=zone)
    assert business(start, 240, zone) == business(monday_nine, 240, zone)
    assert business(start, 240, zone).astimezone(zone).weekday() == 0


@PROPERTY
@given(zoned_instants(seconds=True), target_minutes)
def test_around_the_clock_due_is_exactly_the_target_later_even_across_dst(zoned, minutes):
    zone, start = zoned
    duration = timedelta(minutes=minutes)
    due = add_working_time(start, duration, business_hours=False, zone=zone)
    assert due.astimezone(UTC) - start.astimezone(UTC) == duration
    assert working_time_between(start, due, business_hours=False, zone=zone) == duration


@PROPERTY
@given(zoned_instants(seconds=True), target_minutes)
def test_elapsed_business_time_until_the_due_time_is_the_target(zoned, minutes):
    zone, start = zoned
    due = business(start, minutes, zone)
    elapsed = working_time_between(start, due, business_hours=True, zone=zone)
    assert elapsed == timedelta(minutes=minutes)


pauses = st.lists(
    st.tuples(st.integers(0, 6 * 24 * 60), st.none() | st.integers(1, 2 * 24 * 60)), max_size=3
)


@settings(max_examples=40, deadline=None)
@given(zoned_instants(), st.integers(0, 6 * 24 * 60), pauses)
def test_elapsed_business_time_matches_a_minute_count_with_pauses(zoned, length, pause_specs):
    zone, start = zoned
    end = start + MINUTE * length
    pause_list = [
        (start + MINUTE * offset, None if span is None else start + MINUTE * (offset + span))
        for offset, span in pause_specs
    ]
    elapsed = working_time_between(start, end, business_hours=True, zone=zone, pauses=pause_list)
    assert elapsed == elapsed_by_counting(start, end, zone, pause_list)
