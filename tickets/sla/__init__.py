"""The response clock: the one place that knows a request's targets (first response, next
response after each customer comment, resolution), when each is due, how waiting for the customer
pauses them, which state each is in, which one the queues sort by, and which alerts are due.

The state is decided by one ordered table of rules (`RULES`). Each rule's condition is built from
a few comparisons that read the same in Python and in SQL, so `response_clock` (one request) and
`clock_state_expression` (a queryset annotation for lists, filters and queue counts) give the
same answer by construction. Business-hours arithmetic lives beside it in `tickets.sla.calendar`.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cached_property
from zoneinfo import ZoneInfo

from django.db import models
from django.db.models import Case, Exists, F, OuterRef, Q, QuerySet, Value, When
from django.db.models.lookups import Exact
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.models import Organization
from helpcenter.timezones import duration_words
from plans.models import Plan, ResponseTarget
from tickets.models import SlaAlert, Ticket
from tickets.sla.calendar import UTC_ZONE, add_working_time, working_time_between

# The engineers' list colours a running first response amber under the hour, red under 30
# minutes; the state itself is at risk only with less than AT_RISK_SHARE of the target left.
AT_RISK_WITHIN = timedelta(hours=1)
CRITICAL_WITHIN = timedelta(minutes=30)
# A target with less than this share of its time left is at risk, and its assignee is warned.
AT_RISK_SHARE = 0.25


class ClockState(models.TextChoices):
    """Where a request stands against one of its targets. Met and missed are final: decided by
    when the target was answered, whatever happens to the request later."""

    ON_TRACK = "on_track", _("On track")
    AT_RISK = "at_risk", _("At risk")
    BREACHED = "breached", _("Breached")
    PAUSED = "paused", _("Paused")
    MET = "met", _("Met")
    MISSED = "missed", _("Missed")
    NONE = "none", _("No response target")


# The request page speaks to the customer, whom a paused clock is waiting for.
CUSTOMER_LABELS = {ClockState.PAUSED: _("Paused, waiting for you")}


# Targets and due times


def response_target_for(*, plan: Plan, severity: str) -> ResponseTarget | None:
    read = getattr(plan, "_prefetched_objects_cache", {}).get("response_targets")
    if read is not None:  # read with the plan (the request form's portal access): no query
        return next((target for target in read if target.severity == severity), None)
    # One at most (unique per plan and severity): ordered by its own key, not by the model's
    # plan rank, which would join the plan for nothing.
    return ResponseTarget.objects.filter(plan=plan, severity=severity).order_by("pk").first()


def _zone(organization: Organization | None):
    return organization.zone if organization else UTC_ZONE


def response_due_at(
    *, target: ResponseTarget | None, start: datetime, organization: Organization | None
) -> datetime | None:
    """When an engineer must first respond; None where the plan promises nothing."""
    if target is None:
        return None
    return add_working_time(
        start,
        timedelta(minutes=target.minutes),
        business_hours=target.business_hours,
        zone=_zone(organization),
    )


def _warn_and_due(
    start: datetime, minutes: int | None, *, business_hours: bool, zone
) -> tuple[datetime | None, datetime | None]:
    """When a target of `minutes` started at `start` has a quarter of its time left (and is
    warned about), and when it is due."""
    if not minutes:
        return None, None
    warn = add_working_time(
        start,
        timedelta(minutes=minutes * (1 - AT_RISK_SHARE)),
        business_hours=business_hours,
        zone=zone,
    )
    due = add_working_time(
        start, timedelta(minutes=minutes), business_hours=business_hours, zone=zone
    )
    return warn, due


def clock_start(
    *, plan: Plan, severity: str, organization: Organization | None, start: datetime
) -> dict:
    """The clock fields of a new request: the plan's targets for the severity, kept on the
    request (a later plan change does not move them), and the due times counted from `start`.
    The first response and the resolution run from the start; the next response from each
    customer comment after the first response."""
    target = response_target_for(plan=plan, severity=severity)
    business_hours = target.business_hours if target else False
    zone = _zone(organization)
    first_warn, first_due = _warn_and_due(
        start, target.minutes if target else None, business_hours=business_hours, zone=zone
    )
    resolution_warn, resolution_due = _warn_and_due(
        start,
        target.resolution_minutes if target else None,
        business_hours=business_hours,
        zone=zone,
    )
    fields = {
        "response_target_minutes": target.minutes if target else None,
        "response_target_business_hours": business_hours,
        "first_response_due_at": first_due,
        "first_response_warn_at": first_warn,
        "next_response_target_minutes": target.next_response_minutes if target else None,
        "resolution_target_minutes": target.resolution_minutes if target else None,
        "resolution_due_at": resolution_due,
        "resolution_warn_at": resolution_warn,
    }
    fields["active_due_at"] = min(
        (due for due in (first_due, resolution_due) if due is not None), default=None
    )
    return fields


def _next_response_running(ticket: Ticket) -> bool:
    return ticket.next_response_due_at is not None and ticket.next_responded_at is None


def active_due_at(ticket: Ticket) -> datetime | None:
    """The soonest due time among the targets that run: none while the request waits for the
    customer or is closed. The queues sort by it (stored, so an index serves the order)."""
    if ticket.status not in Ticket.OPEN_STATUSES or ticket.sla_paused_at is not None:
        return None
    running = []
    if ticket.first_responded_at is None and ticket.response_target_minutes:
        running.append(ticket.first_response_due_at)
    if _next_response_running(ticket):
        running.append(ticket.next_response_due_at)
    if ticket.resolved_at is None:
        running.append(ticket.resolution_due_at)
    return min((due for due in running if due is not None), default=None)


def clock_refresh(ticket: Ticket) -> list[str]:
    """Recompute the queues' sort key after a change; returns the field for the caller's save.
    Every service that changes status, responses or pauses calls it."""
    ticket.active_due_at = active_due_at(ticket)
    return ["active_due_at"]


def first_response_meet(ticket: Ticket, *, at: datetime) -> list[str]:
    """An engineer's public reply: the first one meets the first-response target, a later one
    answers the running next-response round."""
    if ticket.first_responded_at is None:
        ticket.first_responded_at = at
        return ["first_responded_at", *clock_refresh(ticket)]
    if _next_response_running(ticket):
        ticket.next_responded_at = at
        return ["next_responded_at", *clock_refresh(ticket)]
    return []


def next_response_start(ticket: Ticket, *, now: datetime) -> list[str]:
    """A customer's comment after the first response: the next response is due. A round that
    is still unanswered keeps its earlier due time."""
    if (
        not ticket.next_response_target_minutes
        or ticket.first_responded_at is None
        or _next_response_running(ticket)
    ):
        return []
    warn, due = _warn_and_due(
        now,
        ticket.next_response_target_minutes,
        business_hours=ticket.response_target_business_hours,
        zone=_zone(ticket.organization),
    )
    ticket.next_response_started_at = now
    ticket.next_response_warn_at, ticket.next_response_due_at = warn, due
    ticket.next_responded_at = None
    return [
        "next_response_started_at",
        "next_response_warn_at",
        "next_response_due_at",
        "next_responded_at",
        *clock_refresh(ticket),
    ]


def _runs(ticket: Ticket) -> bool:
    return (
        (ticket.first_responded_at is None and ticket.first_response_due_at is not None)
        or _next_response_running(ticket)
        or (ticket.resolved_at is None and ticket.resolution_due_at is not None)
    )


# Pauses


def clock_pause(ticket: Ticket, *, now: datetime) -> list[str]:
    """The request waits for the customer: every running target stops. Returns the fields it
    changed, for the caller's save."""
    if ticket.sla_paused_at is not None or not _runs(ticket):
        return []
    ticket.sla_paused_at = now
    return ["sla_paused_at", *clock_refresh(ticket)]


def clock_resume(ticket: Ticket, *, now: datetime) -> list[str]:
    """The request is back with support: each target that was running when the pause began
    moves on by the clock time that ran while the customer had it. Returns the fields it
    changed."""
    paused_at = ticket.sla_paused_at
    if paused_at is None:
        return []
    business_hours = ticket.response_target_business_hours
    zone = _zone(ticket.organization)
    paused_for = working_time_between(paused_at, now, business_hours=business_hours, zone=zone)

    def answered_before_pause(answered_at: datetime | None) -> bool:
        return answered_at is not None and answered_at < paused_at

    moving = []
    if not answered_before_pause(ticket.first_responded_at):
        moving += ["first_response_due_at", "first_response_warn_at"]
    if (
        ticket.next_response_started_at is not None
        and ticket.next_response_started_at <= paused_at
        and not answered_before_pause(ticket.next_responded_at)
    ):
        moving += ["next_response_due_at", "next_response_warn_at"]
    if not answered_before_pause(ticket.resolved_at):
        moving += ["resolution_due_at", "resolution_warn_at"]
    for field in moving:
        value = getattr(ticket, field)
        if value is not None:
            setattr(
                ticket,
                field,
                add_working_time(value, paused_for, business_hours=business_hours, zone=zone),
            )
    ticket.sla_paused_at = None
    return ["sla_paused_at", *moving, *clock_refresh(ticket)]


# States: comparisons that read the same in Python and SQL. A comparison with a missing value is
# false in both (SQL's unknown is not taken by CASE WHEN); no rule negates one, so that holds.


@dataclass(frozen=True)
class _Unset:
    field: str

    def holds(self, ticket: Ticket, now: datetime) -> bool:
        return getattr(ticket, self.field) is None

    def q(self, now: datetime) -> Q:
        return Q(**{f"{self.field}__isnull": True})


@dataclass(frozen=True)
class _Set:
    field: str

    def holds(self, ticket: Ticket, now: datetime) -> bool:
        return getattr(ticket, self.field) is not None

    def q(self, now: datetime) -> Q:
        return Q(**{f"{self.field}__isnull": False})


@dataclass(frozen=True)
class _Equals:
    field: str
    value: object

    def holds(self, ticket: Ticket, now: datetime) -> bool:
        return getattr(ticket, self.field) == self.value

    def q(self, now: datetime) -> Q:
        return Q(**{self.field: self.value})


@dataclass(frozen=True)
class _NotLaterThan:
    """`field` is at or before `other` (both set)."""

    field: str
    other: str

    def holds(self, ticket: Ticket, now: datetime) -> bool:
        value, other = getattr(ticket, self.field), getattr(ticket, self.other)
        return value is not None and other is not None and value <= other

    def q(self, now: datetime) -> Q:
        return Q(**{f"{self.field}__lte": F(self.other)})


@dataclass(frozen=True)
class _Within:
    """`field` is set and comes before `now + within`."""

    field: str
    within: timedelta

    def holds(self, ticket: Ticket, now: datetime) -> bool:
        value = getattr(ticket, self.field)
        return value is not None and value < now + self.within

    def q(self, now: datetime) -> Q:
        return Q(**{f"{self.field}__lt": now + self.within})


@dataclass(frozen=True)
class _AnyOf:
    conditions: tuple

    def holds(self, ticket: Ticket, now: datetime) -> bool:
        return any(condition.holds(ticket, now) for condition in self.conditions)

    def q(self, now: datetime) -> Q:
        combined = Q()
        for condition in self.conditions:
            combined |= condition.q(now)
        return combined


@dataclass(frozen=True)
class _AllOf:
    conditions: tuple

    def holds(self, ticket: Ticket, now: datetime) -> bool:
        return all(condition.holds(ticket, now) for condition in self.conditions)

    def q(self, now: datetime) -> Q:
        combined = Q()
        for condition in self.conditions:
            combined &= condition.q(now)
        return combined


@dataclass(frozen=True)
class _Always:
    def holds(self, ticket: Ticket, now: datetime) -> bool:
        return True

    def q(self, now: datetime) -> Q:
        return Q(pk__isnull=False)


DUE = "first_response_due_at"
Target = SlaAlert.Target
TERMINATED = _AnyOf(tuple(_Equals("status", status) for status in Ticket.CLOSED_STATUSES))

# First match wins, in Python and in SQL alike. Once answered, a target is met or missed for
# good (resolving or reopening changes nothing). Unanswered, a closed request keeps "breached"
# when it closed past the due time and owes nothing when it closed before. A running target is
# at risk only with less than a quarter of its time left (its warn time).
RULES = (
    (
        ClockState.NONE,
        _AnyOf(
            (_Unset("response_target_minutes"), _Equals("response_target_minutes", 0), _Unset(DUE))
        ),
    ),
    (ClockState.MET, _NotLaterThan("first_responded_at", DUE)),
    (ClockState.MISSED, _Set("first_responded_at")),  # answered, but late
    # (The unanswered and resolved conditions below repeat what the rules above already
    # decided, so the database can use the partial and resolved-time indexes.)
    (
        ClockState.BREACHED,
        _AllOf(
            (_Set("resolved_at"), _Unset("first_responded_at"), _NotLaterThan(DUE, "resolved_at"))
        ),
    ),
    (ClockState.NONE, TERMINATED),
    (ClockState.PAUSED, _Set("sla_paused_at")),
    (ClockState.BREACHED, _Within(DUE, timedelta(0))),
    (
        ClockState.AT_RISK,
        _AllOf((_Unset("first_responded_at"), _Within("first_response_warn_at", timedelta(0)))),
    ),
    (ClockState.ON_TRACK, _Always()),
)

# Each target's rules, in the same form.
TARGET_RULES = {
    Target.FIRST_RESPONSE: RULES,
    Target.NEXT_RESPONSE: (
        (ClockState.NONE, _Unset("next_response_due_at")),
        (ClockState.MET, _NotLaterThan("next_responded_at", "next_response_due_at")),
        (ClockState.MISSED, _Set("next_responded_at")),
        (ClockState.NONE, TERMINATED),
        (ClockState.PAUSED, _Set("sla_paused_at")),
        (ClockState.BREACHED, _Within("next_response_due_at", timedelta(0))),
        (ClockState.AT_RISK, _Within("next_response_warn_at", timedelta(0))),
        (ClockState.ON_TRACK, _Always()),
    ),
    Target.RESOLUTION: (
        (ClockState.NONE, _Unset("resolution_due_at")),
        (ClockState.MET, _NotLaterThan("resolved_at", "resolution_due_at")),
        (ClockState.MISSED, _Set("resolved_at")),
        (ClockState.NONE, TERMINATED),
        (ClockState.PAUSED, _Set("sla_paused_at")),
        (ClockState.BREACHED, _Within("resolution_due_at", timedelta(0))),
        (ClockState.AT_RISK, _Within("resolution_warn_at", timedelta(0))),
        (ClockState.ON_TRACK, _Always()),
    ),
}

# Per target: the due time, when it was answered (met), its warn time, and when its round began.
TARGET_FIELDS = {
    Target.FIRST_RESPONSE: (DUE, "first_responded_at", "first_response_warn_at", "created_at"),
    Target.NEXT_RESPONSE: (
        "next_response_due_at",
        "next_responded_at",
        "next_response_warn_at",
        "next_response_started_at",
    ),
    Target.RESOLUTION: ("resolution_due_at", "resolved_at", "resolution_warn_at", "created_at"),
}
RUNNING_STATES = (ClockState.ON_TRACK, ClockState.AT_RISK, ClockState.BREACHED, ClockState.PAUSED)
# Every field of a request its clocks read (`request_clocks`), besides its organization's zone:
# what a list that reads only some columns reads for them.
CLOCK_FIELDS = tuple(
    dict.fromkeys(
        (
            "status",
            "sla_paused_at",
            "response_target_minutes",
            "response_target_business_hours",
            *(field for fields in TARGET_FIELDS.values() for field in fields),
        )
    )
)


def clock_state_of(
    ticket: Ticket, *, now: datetime | None = None, target: str = Target.FIRST_RESPONSE
) -> ClockState:
    now = now or timezone.now()
    for state, condition in TARGET_RULES[target]:
        if condition.holds(ticket, now):
            return state
    raise AssertionError("unreachable: each table ends with a rule that always holds")


def clock_state_expression(
    *, now: datetime | None = None, target: str = Target.FIRST_RESPONSE
) -> Case:
    """The same state as `clock_state_of`, computed by the database."""
    now = now or timezone.now()
    return Case(
        *[
            When(condition.q(now), then=Value(state.value))
            for state, condition in TARGET_RULES[target]
        ],
        output_field=models.CharField(),
    )


def clock_state_q(
    *, state: str, now: datetime | None = None, target: str = Target.FIRST_RESPONSE
) -> Q:
    """The requests in `state`. The rules that can lead to the state come first, as a plain
    filter an index can serve; the full decision then picks exactly the state's requests."""
    now = now or timezone.now()
    may_lead = Q()
    for rule_state, condition in TARGET_RULES[target]:
        if rule_state == state:
            may_lead |= condition.q(now)
    return may_lead & Q(Exact(clock_state_expression(now=now, target=target), Value(str(state))))


def with_clock_state(
    tickets: QuerySet[Ticket], *, now: datetime | None = None, target: str = Target.FIRST_RESPONSE
) -> QuerySet:
    """Annotate each request with `clock_state`, for lists and exports."""
    return tickets.annotate(clock_state=clock_state_expression(now=now, target=target))


def due_within_q(*, within: timedelta, now: datetime | None = None) -> Q:
    """Open requests whose soonest running target falls due in the next `within` (not yet
    breached): what "breaching within the hour" counts."""
    now = now or timezone.now()
    return Q(active_due_at__gte=now, active_due_at__lt=now + within)


def breached_q(*, now: datetime | None = None) -> Q:
    """Open requests with a running target already past its due time."""
    return Q(active_due_at__lt=now or timezone.now())


def urgency_ordering() -> tuple:
    """The queues' order: the soonest (or most breached) running due time first, requests
    with nothing running last, then severity and age. Served by `ticket_open_urgency_idx`."""
    return (F("active_due_at").asc(nulls_last=True), "severity", "created_at", "pk")


# Alerts


def sla_alerts_due(*, target: str, level: str, now: datetime | None = None) -> QuerySet[Ticket]:
    """Open, running requests whose `target` reached its warn time (level at risk) or its due
    time (breached), and that have no such alert for the target's current round yet."""
    now = now or timezone.now()
    due, answered, warn, round_started = TARGET_FIELDS[target]
    threshold = warn if level == SlaAlert.Level.AT_RISK else due
    already = SlaAlert.objects.filter(
        ticket=OuterRef("pk"),
        target=target,
        level=level,
        round_started_at=OuterRef(round_started),
    )
    return (
        Ticket.objects.filter(
            status__in=Ticket.OPEN_STATUSES,
            sla_paused_at__isnull=True,
            **{f"{answered}__isnull": True, f"{threshold}__lte": now},
        )
        .exclude(Exists(already))
        .order_by(threshold, "pk")
    )


# One request's clock


@dataclass(frozen=True)
class _Answer:
    """How a target was answered, for the spans worked out only when a page shows them."""

    started_at: datetime
    answered_at: datetime
    due_at: datetime
    business_hours: bool
    zone: ZoneInfo


@dataclass(frozen=True)
class ResponseClock:
    """One target's clock for one request: its state, when it is due, how long is left (while
    it runs, or was left when it paused or the request closed), and once answered, how long the
    answer took and by how much it was late. The two spans are business-hours arithmetic that
    most readers never look at (a list shows "Met"), so each is worked out when first read."""

    state: ClockState
    due_at: datetime | None
    remaining: timedelta | None
    answer: _Answer | None = None

    @cached_property
    def answered_in(self) -> timedelta | None:
        answer = self.answer
        if answer is None:
            return None
        return working_time_between(
            answer.started_at,
            answer.answered_at,
            business_hours=answer.business_hours,
            zone=answer.zone,
        )

    @cached_property
    def late_by(self) -> timedelta | None:
        answer = self.answer
        if answer is None or answer.answered_at <= answer.due_at:
            return None
        return working_time_between(
            answer.due_at,
            answer.answered_at,
            business_hours=answer.business_hours,
            zone=answer.zone,
        )

    @property
    def label(self) -> str:
        if self.state == ClockState.MISSED and self.late_by is not None:
            return gettext("Missed by %(late)s") % {"late": duration_words(self.late_by)}
        return ClockState(self.state).label

    @property
    def customer_label(self) -> str:
        return str(CUSTOMER_LABELS.get(self.state, self.label))

    @property
    def urgency(self) -> str:
        """green, amber or red for the engineers' list."""
        if self.state in (ClockState.BREACHED, ClockState.MISSED) or (
            self.remaining is not None and self.remaining < CRITICAL_WITHIN
        ):
            return "red"
        if self.state == ClockState.AT_RISK or (
            self.remaining is not None and self.remaining < AT_RISK_WITHIN
        ):
            return "amber"
        return "green"


def target_clock(
    *, ticket: Ticket, target: str = Target.FIRST_RESPONSE, now: datetime | None = None
) -> ResponseClock:
    """One target's clock for one request."""
    now = now or timezone.now()
    return _clock_in_state(ticket, target, clock_state_of(ticket, now=now, target=target), now)


def _clock_in_state(ticket: Ticket, target: str, state: ClockState, now: datetime) -> ResponseClock:
    """`target`'s clock, its state already decided."""
    if state == ClockState.NONE:
        return ResponseClock(state, None, None)
    due_field, answered_field, _warn, round_field = TARGET_FIELDS[target]
    due = getattr(ticket, due_field)
    answered_at = getattr(ticket, answered_field)
    if answered_at is not None:
        answer = _Answer(
            started_at=getattr(ticket, round_field) or ticket.created_at,
            answered_at=answered_at,
            due_at=due,
            business_hours=ticket.response_target_business_hours,
            zone=_zone(ticket.organization),
        )
        return ResponseClock(state, due, None, answer)
    if state == ClockState.PAUSED:
        return ResponseClock(state, due, due - ticket.sla_paused_at)
    if ticket.status in Ticket.CLOSED_STATUSES and ticket.resolved_at is not None:
        return ResponseClock(state, due, due - ticket.resolved_at)  # frozen when it closed
    return ResponseClock(state, due, due - now)


def response_clock(*, ticket: Ticket, now: datetime | None = None) -> ResponseClock:
    return target_clock(ticket=ticket, target=Target.FIRST_RESPONSE, now=now)


@dataclass(frozen=True)
class RequestClocks:
    """What the engineers' list shows of a request's clocks: its first response, and the
    target it is worked against now (`active_clock`), read at one moment."""

    first_response: ResponseClock
    active_target: str
    active: ResponseClock


def request_clocks(*, ticket: Ticket, now: datetime | None = None) -> RequestClocks:
    """The first-response clock and the active one, each target's state decided once: the
    first response's clock serves both when it is the active one (or nothing runs), and the
    other targets become clocks only while they run."""
    now = now or timezone.now()
    first = response_clock(ticket=ticket, now=now)
    running = [(Target.FIRST_RESPONSE, first)] if first.state in RUNNING_STATES else []
    for target in (Target.NEXT_RESPONSE, Target.RESOLUTION):
        state = clock_state_of(ticket, now=now, target=target)
        if state in RUNNING_STATES:
            running.append((target, _clock_in_state(ticket, target, state, now)))
    if not running:
        return RequestClocks(first, Target.FIRST_RESPONSE, first)
    active_target, active = min(running, key=lambda pair: pair[1].due_at)
    return RequestClocks(first, active_target, active)


def active_clock(*, ticket: Ticket, now: datetime | None = None) -> tuple[str, ResponseClock]:
    """The target the engineer works against now: the running one due soonest; the first
    response (met, breached or none) when nothing runs."""
    clocks = request_clocks(ticket=ticket, now=now)
    return clocks.active_target, clocks.active
