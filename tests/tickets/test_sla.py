"""The response clock (tickets.sla): targets and due times, pauses, and the state, which the
Python answer for one request and the SQL annotation for lists must give alike."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts.models import Organization
from plans.models import Plan
from tests.factories import TicketFactory, UserFactory, file_request
from tests.html import parse
from tickets import services
from tickets.models import Ticket
from tickets.sla import (
    ClockState,
    clock_pause,
    clock_resume,
    clock_start,
    clock_state_of,
    clock_state_q,
    response_due_at,
    response_target_for,
    with_clock_state,
)

pytestmark = pytest.mark.django_db

FRIDAY_1730 = datetime(2026, 12, 4, 17, 30, tzinfo=UTC)

# The published table: (plan, severity) -> (label, due time of a request filed Friday 17:30 UTC).
PUBLISHED_TARGETS = [
    ("developer", "S1", "4 business hours", datetime(2026, 12, 7, 12, 30, tzinfo=UTC)),
    ("developer", "S2", "8 business hours", datetime(2026, 12, 7, 16, 30, tzinfo=UTC)),
    ("developer", "S3", "12 business hours", datetime(2026, 12, 8, 11, 30, tzinfo=UTC)),
    ("developer", "S4", "24 business hours", datetime(2026, 12, 9, 14, 30, tzinfo=UTC)),
    ("enterprise", "S1", "1 hour", datetime(2026, 12, 4, 18, 30, tzinfo=UTC)),
    ("enterprise", "S2", "2 hours", datetime(2026, 12, 4, 19, 30, tzinfo=UTC)),
    ("enterprise", "S3", "8 business hours", datetime(2026, 12, 7, 16, 30, tzinfo=UTC)),
    ("enterprise", "S4", "24 business hours", datetime(2026, 12, 9, 14, 30, tzinfo=UTC)),
    ("premium", "S1", "30 minutes", datetime(2026, 12, 4, 18, 0, tzinfo=UTC)),
    ("premium", "S2", "1 hour", datetime(2026, 12, 4, 18, 30, tzinfo=UTC)),
    ("premium", "S3", "4 business hours", datetime(2026, 12, 7, 12, 30, tzinfo=UTC)),
    ("premium", "S4", "24 business hours", datetime(2026, 12, 9, 14, 30, tzinfo=UTC)),
]


# Response targets


@pytest.mark.parametrize(("code", "severity", "label", "_due"), PUBLISHED_TARGETS)
def test_response_targets_are_the_published_table(code, severity, label, _due):
    target = response_target_for(plan=Plan.objects.get(code=code), severity=severity)
    assert target.label == label


@pytest.mark.parametrize("severity", ["S1", "S2", "S3", "S4"])
def test_basic_promises_no_response_time(severity):
    basic = Plan.objects.get(code="basic")
    target = response_target_for(plan=basic, severity=severity)
    assert target is None
    assert response_due_at(target=target, start=FRIDAY_1730, organization=None) is None


@pytest.mark.parametrize(("code", "severity", "_label", "due"), PUBLISHED_TARGETS)
def test_due_time_of_a_request_filed_friday_1730(org_factory, code, severity, _label, due):
    organization, _owner, _cluster = org_factory(code)
    target = response_target_for(plan=Plan.objects.get(code=code), severity=severity)
    assert response_due_at(target=target, start=FRIDAY_1730, organization=organization) == due


def test_due_time_counts_business_hours_in_the_organizations_zone(org_factory):
    organization, _owner, _cluster = org_factory("developer", time_zone="America/New_York")
    new_york = ZoneInfo("America/New_York")
    start = datetime(2026, 12, 4, 17, 30, tzinfo=new_york)
    target = response_target_for(plan=Plan.objects.get(code="developer"), severity="S1")
    due = response_due_at(target=target, start=start, organization=organization)
    assert due == datetime(2026, 12, 7, 12, 30, tzinfo=new_york)


# The state: Python and SQL agree over random histories

ZONES = ["UTC", "Europe/Berlin", "America/New_York", "Australia/Sydney"]
PLAN_SEVERITIES = [
    (code, severity)
    for code in ("basic", "developer", "enterprise", "premium")
    for severity in ("S1", "S2", "S3", "S4")
]
# How far "now" is from the due time (or the warn time, where a quarter of the target is left)
# at the end: the boundary exactly, a microsecond either side of it, and anywhere within a few
# days.
MICROSECOND = timedelta(microseconds=1)
NOW_FROM_DUE = st.one_of(
    st.sampled_from([-MICROSECOND, timedelta(0), MICROSECOND]),
    st.timedeltas(min_value=timedelta(days=-3), max_value=timedelta(days=3)),
)
STEP = st.tuples(
    st.sampled_from(["pause", "resume", "respond", "resolve", "reopen", "wait"]),
    st.timedeltas(min_value=timedelta(0), max_value=timedelta(hours=30)),
)
HISTORY = st.fixed_dictionaries(
    {
        "zone": st.sampled_from(ZONES),
        "plan_severity": st.sampled_from(PLAN_SEVERITIES),
        "created": st.datetimes(
            min_value=datetime(2026, 1, 1), max_value=datetime(2027, 12, 31), timezones=st.just(UTC)
        ),
        "steps": st.lists(STEP, max_size=6),
        "now_from_due": NOW_FROM_DUE,
        "anchor": st.sampled_from(["first_response_due_at", "first_response_warn_at"]),
        "responded_on_the_due_time": st.booleans(),
    }
)


@pytest.fixture
def clock_world(db):
    """One organization per zone and one reporter, shared by every generated request."""
    return {
        "organizations": {
            zone: Organization.objects.create(name=f"Clock {zone}", time_zone=zone)
            for zone in ZONES
        },
        "reporter": UserFactory(),
        "plans": {plan.code: plan for plan in Plan.objects.all()},
    }


def play(history: dict, world: dict) -> tuple[Ticket, datetime]:
    """A request opened, then paused, resumed, answered and left waiting as the history says,
    through the same clock functions the services use; returns it unsaved, and the final now."""
    code, severity = history["plan_severity"]
    organization = world["organizations"][history["zone"]]
    created = history["created"]
    ticket = TicketFactory.build(
        portal="technical",
        environment="production",
        organization=organization,
        reporter=world["reporter"],
        plan=world["plans"][code],
        severity=severity,
        **clock_start(
            plan=world["plans"][code], severity=severity, organization=organization, start=created
        ),
    )
    now = created
    for action, wait in history["steps"]:
        now += wait
        if action == "pause":
            clock_pause(ticket, now=now)
        elif action == "resume":
            clock_resume(ticket, now=now)
        elif action == "respond" and ticket.first_responded_at is None:
            on_time = history["responded_on_the_due_time"] and ticket.first_response_due_at
            ticket.first_responded_at = ticket.first_response_due_at if on_time else now
        elif action == "resolve" and ticket.is_open:
            ticket.status, ticket.resolved_at = Ticket.Status.RESOLVED, now
            ticket.sla_paused_at = None
        elif action == "reopen" and not ticket.is_open:
            ticket.status, ticket.resolved_at = Ticket.Status.IN_PROGRESS, None
    anchor = getattr(ticket, history.get("anchor", "first_response_due_at"))
    return ticket, (anchor - history["now_from_due"]) if anchor else now


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(histories=st.lists(HISTORY, min_size=1, max_size=6))
def test_python_and_sql_give_every_request_the_same_clock_state(clock_world, histories):
    played = [play(history, clock_world) for history in histories]
    Ticket.objects.all().delete()
    for number, (ticket, _now) in enumerate(played):
        ticket.key = f"TECH-{number + 1}"
    saved = Ticket.objects.bulk_create([ticket for ticket, _now in played])
    for ticket, (_unsaved, now) in zip(saved, played, strict=True):
        in_python = clock_state_of(ticket, now=now)
        in_sql = with_clock_state(Ticket.objects.filter(pk=ticket.pk), now=now).get().clock_state
        assert in_sql == in_python
        filtered = {
            state
            for state in ClockState
            if Ticket.objects.filter(clock_state_q(state=state, now=now), pk=ticket.pk).exists()
        }
        assert filtered == {in_python}


def test_every_state_is_reached_by_some_history(clock_world):
    """The property above is not vacuous: the rules reach each state."""
    created = datetime(2026, 12, 1, 10, tzinfo=UTC)
    base = {"zone": "UTC", "created": created, "steps": [], "responded_on_the_due_time": False}
    enterprise_s1 = {**base, "plan_severity": ("enterprise", "S1")}
    histories = {
        ClockState.NONE: {**base, "plan_severity": ("basic", "S3"), "now_from_due": timedelta(0)},
        ClockState.ON_TRACK: {**enterprise_s1, "now_from_due": timedelta(minutes=16)},
        ClockState.AT_RISK: {**enterprise_s1, "now_from_due": timedelta(minutes=14)},
        ClockState.BREACHED: {**enterprise_s1, "now_from_due": -timedelta(microseconds=1)},
        ClockState.PAUSED: {
            **enterprise_s1,
            "steps": [("pause", timedelta(minutes=5))],
            "now_from_due": -timedelta(days=1),
        },
        ClockState.MET: {
            **enterprise_s1,
            "steps": [("respond", timedelta(minutes=5))],
            "now_from_due": -timedelta(days=1),
        },
        ClockState.MISSED: {
            **enterprise_s1,
            "steps": [("respond", timedelta(minutes=70)), ("resolve", timedelta(minutes=5))],
            "now_from_due": -timedelta(days=1),
        },
    }
    for state, history in histories.items():
        ticket, now = play(history, clock_world)
        assert clock_state_of(ticket, now=now) == state


def test_a_pause_moves_the_due_time_by_the_paused_business_time(clock_world):
    organization = clock_world["organizations"]["Europe/Berlin"]
    friday_17 = datetime(2026, 12, 4, 17, tzinfo=ZoneInfo("Europe/Berlin"))
    ticket = Ticket(
        organization=organization,
        response_target_minutes=240,
        response_target_business_hours=True,
        first_response_due_at=friday_17 + timedelta(days=3, hours=-5),  # Monday 12:00
    )
    assert "sla_paused_at" in clock_pause(ticket, now=friday_17)
    # Paused from Friday 17:00 to Monday 10:00: two business hours (Friday 17-18, Monday 9-10).
    clock_resume(ticket, now=friday_17 + timedelta(days=2, hours=17))
    assert ticket.first_response_due_at == friday_17 + timedelta(days=3, hours=-3)
    assert ticket.sla_paused_at is None


def test_an_answered_request_does_not_pause():
    ticket = Ticket(first_responded_at=datetime(2026, 12, 4, tzinfo=UTC))
    assert clock_pause(ticket, now=datetime(2026, 12, 5, tzinfo=UTC)) == []
    assert ticket.sla_paused_at is None


# The promise as the customer reads it


@pytest.fixture
def at(monkeypatch):
    """Run the next actions as if the clock read `moment`."""

    def set_now(moment):
        monkeypatch.setattr("django.utils.timezone.now", lambda: moment)

    return set_now


def _promise(client, ticket):
    page = parse(client.get(reverse("tickets:request-detail", args=[ticket.key])).content)
    return (
        page.find(data_testid="promise").text,
        page.find(data_testid="clock-state").text,
    )


def test_a_new_enterprise_s1_is_on_track_with_its_due_time(client, enterprise_org, at):
    organization, owner, cluster = enterprise_org
    filed = datetime(2026, 12, 2, 11, 30, tzinfo=UTC)
    at(filed)
    ticket = file_request(reporter=owner, organization=organization, cluster=cluster, severity="S1")
    client.force_login(owner)
    promise, state = _promise(client, ticket)
    assert promise == "An engineer responds by Wed 2 Dec, 12:30 UTC (within 1 hour)."
    assert state == "On track"


def test_answered_after_70_minutes_the_s1_is_missed_by_10_minutes_for_good(
    client, enterprise_org, engineer, at
):
    organization, owner, cluster = enterprise_org
    filed = datetime(2026, 12, 2, 11, 30, tzinfo=UTC)
    at(filed)
    ticket = file_request(reporter=owner, organization=organization, cluster=cluster, severity="S1")
    at(filed + timedelta(minutes=70))
    services.ticket_comment_add(ticket=ticket, author=engineer, body="Looking at it now.")
    client.force_login(owner)
    expected = (
        "An engineer responded in 1 h 10 min (the target: within 1 hour).",
        "Missed by 10 min",
    )
    assert _promise(client, ticket) == expected
    at(filed + timedelta(days=3))
    assert _promise(client, ticket) == expected, "days later"
    services.ticket_status_change(ticket=ticket, actor=owner, to_status=Ticket.Status.RESOLVED)
    assert _promise(client, ticket) == expected, "resolved"


def test_at_risk_only_with_less_than_a_quarter_left():
    due = datetime(2026, 12, 2, 12, 30, tzinfo=UTC)
    ticket = Ticket(
        status=Ticket.Status.WAITING_FOR_SUPPORT,
        response_target_minutes=60,
        first_response_due_at=due,
        first_response_warn_at=due - timedelta(minutes=15),
    )
    assert clock_state_of(ticket, now=due - timedelta(minutes=16)) == ClockState.ON_TRACK
    assert clock_state_of(ticket, now=due - timedelta(minutes=14)) == ClockState.AT_RISK
    assert clock_state_of(ticket, now=due + timedelta(minutes=1)) == ClockState.BREACHED


def test_a_request_closed_unanswered_keeps_what_it_was_when_it_closed():
    due = datetime(2026, 12, 2, 12, 30, tzinfo=UTC)
    fields = {
        "status": Ticket.Status.RESOLVED,
        "response_target_minutes": 60,
        "first_response_due_at": due,
        "first_response_warn_at": due - timedelta(minutes=15),
    }
    early = Ticket(**fields, resolved_at=due - timedelta(minutes=30))
    late = Ticket(**fields, resolved_at=due + timedelta(minutes=30))
    much_later = due + timedelta(days=5)
    assert clock_state_of(early, now=much_later) == ClockState.NONE, "nothing owed any more"
    assert clock_state_of(late, now=much_later) == ClockState.BREACHED
