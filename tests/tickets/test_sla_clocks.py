"""The clocks a list row reads at once (`request_clocks`) and the badges written from them agree
with each target's clock worked out in full, over random requests: the row decides each
target's state once, builds clocks only for the targets it shows, and works out the
business-hours spans (how long an answer took, how late it was) only when they are read."""

from datetime import UTC, datetime, timedelta

from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from hypothesis import given, settings
from hypothesis import strategies as st

from accounts.models import Organization
from helpcenter.timezones import local_time
from tickets import sla
from tickets.admin.display import ClockCells, clock_badge, duration_label
from tickets.models import Ticket
from tickets.sla import ClockState, Target, request_clocks, target_clock
from tickets.sla.calendar import working_time_between

BASE = datetime(2026, 12, 4, 12, tzinfo=UTC)  # a Friday: business hours end within the range
ZONES = ["UTC", "Europe/Berlin", "America/New_York", "Australia/Sydney"]
CLOCK_FIELDS = [
    "created_at",
    "first_response_due_at",
    "first_response_warn_at",
    "first_responded_at",
    "next_response_started_at",
    "next_response_warn_at",
    "next_response_due_at",
    "next_responded_at",
    "resolution_warn_at",
    "resolution_due_at",
    "resolved_at",
    "sla_paused_at",
]
# Minutes from BASE, often missing, sometimes exactly on another field's minute.
MOMENT = st.one_of(st.none(), st.integers(min_value=-4 * 24 * 60, max_value=4 * 24 * 60))
REQUEST = st.fixed_dictionaries(
    {
        "status": st.sampled_from(Ticket.Status.values),
        "response_target_minutes": st.sampled_from([None, 0, 30, 240]),
        "response_target_business_hours": st.booleans(),
        "zone": st.sampled_from([None, *ZONES]),
        **dict.fromkeys(CLOCK_FIELDS, MOMENT),
        "now": st.integers(min_value=-4 * 24 * 60, max_value=4 * 24 * 60),
    }
)


def build(request: dict) -> tuple[Ticket, datetime]:
    fields = dict(request)
    zone, now = fields.pop("zone"), fields.pop("now")
    for field in CLOCK_FIELDS:
        if fields[field] is not None:
            fields[field] = BASE + timedelta(minutes=fields[field])
    fields["created_at"] = fields["created_at"] or BASE
    organization = Organization(name="Clock", time_zone=zone) if zone else None
    return Ticket(organization=organization, **fields), BASE + timedelta(minutes=now)


def clock_in_full(ticket: Ticket, target: str, now: datetime) -> tuple:
    """Everything a clock tells, with both spans worked out directly from the request."""
    clock = target_clock(ticket=ticket, target=target, now=now)
    _due, answered_field, _warn, round_field = sla.TARGET_FIELDS[target]
    answered_at = getattr(ticket, answered_field)
    answered_in = late_by = None
    if clock.state != ClockState.NONE and answered_at is not None:
        zone = ticket.organization.zone if ticket.organization else sla.UTC_ZONE
        hours = {"business_hours": ticket.response_target_business_hours, "zone": zone}
        started_at = getattr(ticket, round_field) or ticket.created_at
        answered_in = working_time_between(started_at, answered_at, **hours)
        if answered_at > clock.due_at:
            late_by = working_time_between(clock.due_at, answered_at, **hours)
    return (clock.state, clock.due_at, clock.remaining, answered_in, late_by, str(clock.label))


def told(clock: sla.ResponseClock) -> tuple:
    return (
        clock.state,
        clock.due_at,
        clock.remaining,
        clock.answered_in,
        clock.late_by,
        str(clock.label),
    )


def badge_as_format_html(clock: sla.ResponseClock) -> str:
    """The badge as `format_html` writes it."""
    if clock.state == ClockState.NONE:
        return format_html('<span class="hc-clock hc-clock-none">{}</span>', _("No target"))
    if clock.state == ClockState.MET:
        return format_html('<span class="hc-clock hc-clock-met">&#10003; {}</span>', clock.label)
    if clock.remaining is None:
        return format_html('<span class="hc-clock hc-clock-red">{}</span>', clock.label)
    if clock.state == ClockState.PAUSED:
        return format_html(
            '<span class="hc-clock hc-clock-paused" title="{}">&#9208; {}</span>',
            _("Paused while waiting for the customer"),
            duration_label(clock.remaining),
        )
    return format_html(
        '<span class="hc-clock hc-clock-{}" title="{}">{}</span>',
        clock.urgency,
        _("Due %(when)s") % {"when": local_time(clock.due_at)},
        duration_label(clock.remaining),
    )


@settings(max_examples=400, deadline=None)
@given(request=REQUEST)
def test_a_rows_clocks_are_each_targets_clock_worked_out_in_full(request):
    ticket, now = build(request)
    clocks = request_clocks(ticket=ticket, now=now)
    full = {target: clock_in_full(ticket, target, now) for target in Target}
    running = [target for target in Target if full[target][0] in sla.RUNNING_STATES]
    active = min(running, key=lambda target: full[target][1], default=Target.FIRST_RESPONSE)
    assert told(clocks.first_response) == full[Target.FIRST_RESPONSE]
    assert clocks.active_target == active
    assert told(clocks.active) == full[active]


@settings(max_examples=400, deadline=None)
@given(request=REQUEST)
def test_a_rows_badges_are_written_as_format_html_writes_them(request):
    ticket, now = build(request)
    clocks = request_clocks(ticket=ticket, now=now)
    cells = ClockCells(clocks)
    active = badge_as_format_html(clocks.active)
    if clocks.active.state != ClockState.NONE:
        active = format_html(
            '<span class="hc-target">{}</span> {}', Target(clocks.active_target).label, active
        )
    assert cells.first_response == badge_as_format_html(clocks.first_response)
    assert cells.due == active
    assert clock_badge(clocks.active) == badge_as_format_html(clocks.active)


def test_the_spans_of_an_answered_target_are_worked_out_only_when_read(monkeypatch):
    """A list showing "Met" does no business-hours arithmetic for it."""
    ticket = Ticket(
        status=Ticket.Status.IN_PROGRESS,
        response_target_minutes=240,
        response_target_business_hours=True,
        created_at=BASE,
        first_response_due_at=BASE + timedelta(hours=4),
        first_responded_at=BASE + timedelta(hours=1),
    )
    spans = []

    def working_time_between(*args, **kwargs):
        spans.append(args)
        return timedelta(hours=1)

    monkeypatch.setattr(sla, "working_time_between", working_time_between)
    clocks = request_clocks(ticket=ticket, now=BASE + timedelta(days=1))
    assert ClockCells(clocks).first_response.count("Met") == 1
    assert spans == []
    assert clocks.first_response.answered_in == timedelta(hours=1)
    assert len(spans) == 1, "worked out once, when read"
