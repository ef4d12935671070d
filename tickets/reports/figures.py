"""The figures behind both reports. Each function is one aggregate query over a queryset of
requests (already narrowed to what the reader may see), grouped and counted by the database:
no loop over rows in Python, so the cost does not grow with the number of requests returned."""

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, tzinfo

from django.db.models import Avg, Count, DurationField, ExpressionWrapper, F, Q, QuerySet
from django.db.models.functions import TruncDate, TruncMonth, TruncWeek
from django.utils.translation import gettext_lazy as _

from tickets.models import SatisfactionRating, Ticket
from tickets.reports.aggregates import Percentile
from tickets.sla import ClockState, Target, clock_state_q


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


def sla_outcomes(*, now: datetime, target: str = Target.FIRST_RESPONSE) -> tuple[Q, Q]:
    """(met, missed) for one target as the request's clock decides them: met is answered (or
    resolved) within the target; missed is answered late, or still unanswered past the due
    time. Requests still within their target, paused ones and those without this target are
    not decided yet."""
    return (
        clock_state_q(state=ClockState.MET, now=now, target=target),
        clock_state_q(state=ClockState.BREACHED, now=now, target=target),
    )


def share(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def hours(value: timedelta | None) -> float | None:
    return None if value is None else round(value.total_seconds() / 3600, 2)


def sla_counts(tickets: QuerySet[Ticket], *, by: tuple[str, ...], now: datetime) -> list[dict]:
    """Met and missed per group for every target, in one query: `<target>_met` and
    `<target>_missed` (first_response, next_response, resolution). Groups with nothing decided
    are left out. `by` are value names; "week" and "month" need the matching annotation."""
    counts, decided = {}, Q()
    for target in SLA_TARGETS:
        met, missed = sla_outcomes(now=now, target=target)
        counts[f"{target}_met"] = Count("pk", filter=met)
        counts[f"{target}_missed"] = Count("pk", filter=missed)
        decided |= met | missed
    return list(tickets.filter(decided).values(*by).annotate(**counts).order_by(*by))


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
    those filed in it, and what is open and assigned now."""
    resolved = period.q("resolved_at") & Q(status__in=Ticket.CLOSED_STATUSES)
    answered = period.q("created_at") & Q(first_responded_at__isnull=False)
    open_now = Q(status__in=Ticket.OPEN_STATUSES)
    return list(
        tickets.filter(Q(assignee__isnull=False) & (resolved | answered | open_now))
        .values("assignee_id", "assignee__full_name", "assignee__email")
        .annotate(
            handled=Count("pk", filter=resolved),
            median=Percentile(response_time(), fraction=0.5, filter=answered),
            open=Count("pk", filter=open_now),
        )
        .order_by("-handled", "-open", "assignee__email")
    )


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
