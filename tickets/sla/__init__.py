"""The response clock: the one place that knows a request's first-response target, when it is
due, how waiting for the customer pauses it, and which state it is in.

The state is decided by one ordered table of rules (`RULES`). Each rule's condition is built from
a few comparisons that read the same in Python and in SQL, so `response_clock` (one request) and
`clock_state_expression` (a queryset annotation for lists, filters and queue counts) give the
same answer by construction. Business-hours arithmetic lives beside it in `tickets.sla.calendar`.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import models
from django.db.models import Case, F, Q, QuerySet, Value, When
from django.db.models.lookups import Exact
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Organization
from plans.models import Plan, ResponseTarget
from tickets.models import Ticket
from tickets.sla.calendar import UTC_ZONE, add_working_time, working_time_between

AT_RISK_WITHIN = timedelta(hours=1)
CRITICAL_WITHIN = timedelta(minutes=30)


class ClockState(models.TextChoices):
    """Where a request stands against its first-response target."""

    ON_TRACK = "on_track", _("On track")
    AT_RISK = "at_risk", _("At risk")
    BREACHED = "breached", _("Breached")
    PAUSED = "paused", _("Paused")
    MET = "met", _("Met")
    NONE = "none", _("No response target")


# The request page speaks to the customer, whom a paused clock is waiting for.
CUSTOMER_LABELS = {ClockState.PAUSED: _("Paused, waiting for you")}


# Targets and due times


def response_target_for(*, plan: Plan, severity: str) -> ResponseTarget | None:
    return ResponseTarget.objects.filter(plan=plan, severity=severity).first()


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


def clock_start(
    *, plan: Plan, severity: str, organization: Organization | None, start: datetime
) -> dict:
    """The clock fields of a new request: the plan's target for the severity, kept on the
    request (a later plan change does not move it), and the due time counted from `start`."""
    target = response_target_for(plan=plan, severity=severity)
    return {
        "response_target_minutes": target.minutes if target else None,
        "response_target_business_hours": target.business_hours if target else False,
        "first_response_due_at": response_due_at(
            target=target, start=start, organization=organization
        ),
    }


# Pauses


def clock_pause(ticket: Ticket, *, now: datetime) -> list[str]:
    """The request waits for the customer: an unanswered request's clock stops. Returns the
    fields it changed, for the caller's save."""
    if ticket.first_responded_at is not None:
        return []
    ticket.sla_paused_at = now
    return ["sla_paused_at"]


def clock_resume(ticket: Ticket, *, now: datetime) -> list[str]:
    """The request is back with support: the deadline moves on by the clock time that ran while
    the customer had it. Returns the fields it changed."""
    if ticket.sla_paused_at is None:
        return []
    business_hours = ticket.response_target_business_hours
    zone = _zone(ticket.organization)
    paused_for = working_time_between(
        ticket.sla_paused_at, now, business_hours=business_hours, zone=zone
    )
    if ticket.first_response_due_at is not None:
        ticket.first_response_due_at = add_working_time(
            ticket.first_response_due_at, paused_for, business_hours=business_hours, zone=zone
        )
    ticket.sla_paused_at = None
    return ["sla_paused_at", "first_response_due_at"]


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
class _Always:
    def holds(self, ticket: Ticket, now: datetime) -> bool:
        return True

    def q(self, now: datetime) -> Q:
        return Q(pk__isnull=False)


DUE = "first_response_due_at"

# First match wins, in Python and in SQL alike.
RULES = (
    (
        ClockState.NONE,
        _AnyOf(
            (_Unset("response_target_minutes"), _Equals("response_target_minutes", 0), _Unset(DUE))
        ),
    ),
    (ClockState.MET, _NotLaterThan("first_responded_at", DUE)),
    (ClockState.BREACHED, _Set("first_responded_at")),  # answered, but late
    (ClockState.PAUSED, _Set("sla_paused_at")),
    (ClockState.BREACHED, _Within(DUE, timedelta(0))),
    (ClockState.AT_RISK, _Within(DUE, AT_RISK_WITHIN)),
    (ClockState.ON_TRACK, _Always()),
)


def clock_state_of(ticket: Ticket, *, now: datetime | None = None) -> ClockState:
    now = now or timezone.now()
    return next(state for state, condition in RULES if condition.holds(ticket, now))


def clock_state_expression(*, now: datetime | None = None) -> Case:
    """The same state as `clock_state_of`, computed by the database."""
    now = now or timezone.now()
    return Case(
        *[When(condition.q(now), then=Value(state.value)) for state, condition in RULES],
        output_field=models.CharField(),
    )


def clock_state_q(*, state: str, now: datetime | None = None) -> Q:
    """The requests in `state`. The rules that can lead to the state come first, as a plain
    filter an index can serve; the full decision then picks exactly the state's requests."""
    now = now or timezone.now()
    may_lead = Q()
    for rule_state, condition in RULES:
        if rule_state == state:
            may_lead |= condition.q(now)
    return may_lead & Q(Exact(clock_state_expression(now=now), Value(str(state))))


def with_clock_state(tickets: QuerySet[Ticket], *, now: datetime | None = None) -> QuerySet:
    """Annotate each request with `clock_state`, for lists and exports."""
    return tickets.annotate(clock_state=clock_state_expression(now=now))


# One request's clock


@dataclass(frozen=True)
class ResponseClock:
    """One request's clock: its state, when the first response is due, and how long is left
    (while the clock runs, or was left when it paused)."""

    state: ClockState
    due_at: datetime | None
    remaining: timedelta | None

    @property
    def label(self) -> str:
        return ClockState(self.state).label

    @property
    def customer_label(self) -> str:
        return CUSTOMER_LABELS.get(self.state, self.label)

    @property
    def urgency(self) -> str:
        """green, amber or red for the engineers' list."""
        if self.state == ClockState.BREACHED or (
            self.remaining is not None and self.remaining < CRITICAL_WITHIN
        ):
            return "red"
        if self.state == ClockState.AT_RISK:
            return "amber"
        return "green"


def response_clock(*, ticket: Ticket, now: datetime | None = None) -> ResponseClock:
    now = now or timezone.now()
    state = clock_state_of(ticket, now=now)
    due = ticket.first_response_due_at
    if state == ClockState.NONE:
        return ResponseClock(state, None, None)
    if ticket.first_responded_at is not None:
        return ResponseClock(state, due, None)
    if state == ClockState.PAUSED:
        return ResponseClock(state, due, due - ticket.sla_paused_at)
    return ResponseClock(state, due, due - now)
