"""The figures behind both reports. Each function is one aggregate query over a queryset of
requests (already narrowed to what the reader may see), grouped and counted by the database:
no loop over rows in Python, so the cost does not grow with the number of requests returned."""

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, tzinfo

from django.db.models import (
    Avg,
    Count,
    DurationField,
    ExpressionWrapper,
    F,
    Q,
    QuerySet,
    Value,
)
from django.db.models.functions import TruncDate, TruncMonth, TruncWeek
from django.db.models.lookups import Exact
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from tickets.models import SatisfactionRating, Ticket
from tickets.reports.aggregates import Percentile
from tickets.sla import TARGET_FIELDS, ClockState, Target, clock_state_expression


@dataclass(frozen=True)
class Period:
    """[start, end): whole days, `end` exclusive."""

    start: datetime
    end: datetime

    @property
    def first_day(self) -> date:
        return self.start.date()

    @property
    def last_day(self) -> date:
        return (self.end - timedelta(days=1)).date()

    def q(self, field: str) -> Q:
        return Q(**{f"{field}__gte": self.start, f"{field}__lt": self.end})


@dataclass(frozen=True)
class AgeBucket:
    key: str
    label: str
    older_than: timedelta
    younger_than: timedelta | None

    def q(self, now: datetime) -> Q:
        condition = Q(created_at__lte=now - self.older_than)
        if self.younger_than is not None:
            condition &= Q(created_at__gt=now - self.younger_than)
        return condition


AGE_BUCKETS = (
    AgeBucket("under_1d", _("< 1 day"), timedelta(0), timedelta(days=1)),
    AgeBucket("1_3d", _("1-3 days"), timedelta(days=1), timedelta(days=3)),
    AgeBucket("3_7d", _("3-7 days"), timedelta(days=3), timedelta(days=7)),
    AgeBucket("7_30d", _("7-30 days"), timedelta(days=7), timedelta(days=30)),
    AgeBucket("over_30d", _("> 30 days"), timedelta(days=30), None),
)
RATINGS = (1, 2, 3, 4, 5)


def response_time() -> ExpressionWrapper:
    """Wall-clock time from filing to the first public answer of an engineer."""
    return ExpressionWrapper(
        F("first_responded_at") - F("created_at"), output_field=DurationField()
    )


def allowed_time() -> ExpressionWrapper:
    """Wall-clock time the target allowed (business-hours targets allow nights and weekends)."""
    return ExpressionWrapper(
        F("first_response_due_at") - F("created_at"), output_field=DurationField()
    )


SLA_TARGETS = tuple(Target)
# The clock's decided states: met is answered within the target; missed is answered late (the
# clock's "missed") or still unanswered past the due time ("breached").
OUTCOMES = {
    "met": (ClockState.MET,),
    "missed": (ClockState.MISSED, ClockState.BREACHED),
}
# A request with none of these set has no target at all: nothing to decide.
TARGET_DUE_FIELDS = tuple(TARGET_FIELDS[target][0] for target in SLA_TARGETS)


def share(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def hours(value: timedelta | None) -> float | None:
    return None if value is None else round(value.total_seconds() / 3600, 2)


def sla_counts(tickets: QuerySet[Ticket], *, by: tuple[str, ...], now: datetime) -> list[dict]:
    """Met and missed per group for every target, in one query: `<target>_met` and
    `<target>_missed` (first_response, next_response, resolution), each decided by the
    target's clock state in the database. Groups with nothing decided are left out. `by` are
    value names; "week" and "month" need the matching annotation."""
    counts = {}
    for target in SLA_TARGETS:
        state = clock_state_expression(now=now, target=target)
        for outcome, decided_states in OUTCOMES.items():
            decided = Q()
            for decided_state in decided_states:
                decided |= Q(Exact(state, Value(decided_state.value)))
            counts[f"{target}_{outcome}"] = Count("pk", filter=decided)
    with_target = Q()
    for field in TARGET_DUE_FIELDS:
        with_target |= Q(**{f"{field}__isnull": False})
    # Unordered, so PostgreSQL hashes the groups instead of sorting every request first; the
    # few groups are put in order here.
    rows = tickets.filter(with_target).values(*by).annotate(**counts).order_by()
    decided = [row for row in rows if any(row[name] for name in counts)]
    return sorted(decided, key=lambda row: tuple(row[name] for name in by))


def sum_counts(rows: list[dict], *, by: tuple[str, ...]) -> dict[tuple, dict[str, int]]:
    """Grouped counts added up over coarser groups (`by`, a part of the grouping), in the
    order the groups first appear: a few dozen group rows, never the requests themselves."""
    totals: dict[tuple, dict[str, int]] = {}
    for row in rows:
        total = totals.setdefault(tuple(row[name] for name in by), {})
        for name, value in row.items():
            if name.endswith(("_met", "_missed")):
                total[name] = total.get(name, 0) + value
    return totals


def with_week(tickets: QuerySet[Ticket], *, zone: tzinfo = UTC) -> QuerySet[Ticket]:
    return tickets.annotate(week=TruncWeek("created_at", tzinfo=zone))


def response_times(
    tickets: QuerySet[Ticket], *, by: tuple[str, ...] = ()
) -> list[dict] | dict[str, object]:
    """Count, median and 90th percentile of the time to first response, and the median time
    the target allowed; per group, or overall when `by` is empty."""
    answered = tickets.filter(first_responded_at__isnull=False)
    measures = {
        "responses": Count("pk"),
        "median": Percentile(response_time(), fraction=0.5),
        "p90": Percentile(response_time(), fraction=0.9),
        "allowed": Percentile(
            allowed_time(), fraction=0.5, filter=Q(first_response_due_at__isnull=False)
        ),
    }
    if not by:
        return answered.aggregate(**measures)
    return list(answered.values(*by).annotate(**measures).order_by(*by))


def counts_by_day(
    tickets: QuerySet[Ticket], *, field: str, period: Period, zone: tzinfo = UTC
) -> dict[tuple[date, str], int]:
    """How many requests had `field` (created_at, resolved_at) on each day, per portal."""
    rows = (
        tickets.filter(period.q(field))
        .annotate(day=TruncDate(field, tzinfo=zone))
        .values("day", "portal")
        .annotate(count=Count("pk"))
        .order_by()
    )
    return {(row["day"], row["portal"]): row["count"] for row in rows}


def counts_by_month(
    tickets: QuerySet[Ticket], *, field: str, period: Period, zone: tzinfo
) -> dict[date, int]:
    rows = (
        tickets.filter(period.q(field))
        .annotate(month=TruncMonth(field, tzinfo=zone))
        .values("month")
        .annotate(count=Count("pk"))
        .order_by()
    )
    return {as_date(row["month"], zone): row["count"] for row in rows}


def counts_by_component(tickets: QuerySet[Ticket]) -> list[dict]:
    return list(
        tickets.values("components__name")
        .annotate(count=Count("pk"))
        .order_by("-count", "components__name")
    )


def top_organizations(tickets: QuerySet[Ticket], *, limit: int = 10) -> list[dict]:
    return list(
        tickets.values("organization_id", "organization__name")
        .annotate(count=Count("pk"))
        .order_by("-count", "organization__name")[:limit]
    )


def backlog(tickets: QuerySet[Ticket], *, now: datetime) -> dict[str, dict[str, int]]:
    """Open requests now, per status and age bucket: {status: {bucket key: count}}."""
    rows = (
        tickets.filter(status__in=Ticket.OPEN_STATUSES, created_at__lte=now)
        .values("status")
        .annotate(**{bucket.key: Count("pk", filter=bucket.q(now)) for bucket in AGE_BUCKETS})
        .order_by()
    )
    found = {row["status"]: row for row in rows}
    return {
        status: {bucket.key: found.get(status, {}).get(bucket.key, 0) for bucket in AGE_BUCKETS}
        for status in Ticket.OPEN_STATUSES
    }


def satisfaction(tickets: QuerySet[Ticket], *, period: Period) -> dict[str, object]:
    """Number of ratings given in the period, their average and how many gave each score, in
    one query over the requests joined to their rating."""
    rated = tickets.filter(period.q("satisfaction__created_at"))
    return rated.aggregate(
        ratings=Count("satisfaction"),
        average=Avg("satisfaction__rating"),
        **{
            f"rated_{score}": Count("satisfaction", filter=Q(satisfaction__rating=score))
            for score in RATINGS
        },
    )


def latest_rating_comments(
    tickets: QuerySet[Ticket], *, period: Period, limit: int = 10
) -> list[SatisfactionRating]:
    return list(
        SatisfactionRating.objects.filter(period.q("created_at"), ticket__in=tickets)
        .exclude(comment="")
        .select_related("ticket", "ticket__organization")
        .order_by("-created_at", "-pk")[:limit]
    )


def engineers(tickets: QuerySet[Ticket], *, period: Period) -> list[dict]:
    """Per assignee: requests resolved in the period, the median time to first response of
    those filed in it, and what is open and assigned now. Three queries grouped by the
    assignee's id alone, each read from one index (resolved, filed, open), then one for the
    engineers' names; busiest first."""
    assigned = tickets.filter(assignee__isnull=False)
    measures = (
        (
            "handled",
            assigned.filter(period.q("resolved_at"), status__in=Ticket.CLOSED_STATUSES),
            Count("pk"),
        ),
        (
            "median",
            assigned.filter(period.q("created_at"), first_responded_at__isnull=False),
            Percentile(response_time(), fraction=0.5),
        ),
        ("open", assigned.filter(status__in=Ticket.OPEN_STATUSES), Count("pk")),
    )
    found: dict[int, dict] = {}
    for name, rows, measure in measures:
        for row in rows.values("assignee_id").annotate(**{name: measure}).order_by():
            person = found.setdefault(row["assignee_id"], {"handled": 0, "median": None, "open": 0})
            person[name] = row[name]
    for person in User.objects.filter(pk__in=found).values("pk", "full_name", "email"):
        found[person["pk"]].update(
            name=person["full_name"] or person["email"], email=person["email"]
        )
    return sorted(found.values(), key=lambda row: (-row["handled"], -row["open"], row["email"]))


def days_of(period: Period) -> list[date]:
    return [
        period.first_day + timedelta(days=n)
        for n in range((period.last_day - period.first_day).days + 1)
    ]


def weeks_of(period: Period) -> list[date]:
    """Mondays of the weeks the period touches."""
    monday = period.first_day - timedelta(days=period.first_day.weekday())
    weeks = []
    while monday <= period.last_day:
        weeks.append(monday)
        monday += timedelta(days=7)
    return weeks


def months_of(period: Period) -> list[date]:
    month = period.first_day.replace(day=1)
    months = []
    while month <= period.last_day:
        months.append(month)
        month = (month + timedelta(days=32)).replace(day=1)
    return months


def as_date(value, zone: tzinfo) -> date:
    """A truncated timestamp as the calendar date it stands for in `zone`."""
    if isinstance(value, datetime):
        return value.astimezone(zone).date() if value.tzinfo else value.date()
    return value
