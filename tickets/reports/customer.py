"""The customer's Support report: their organization's requests, month by month, in its zone."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Organization
from plans.models import Severity
from tickets.models import Ticket
from tickets.reports import figures
from tickets.reports.figures import AGE_BUCKETS, Period, hours, share
from tickets.reports.tables import Dataset, Figure


@dataclass
class CustomerReport:
    organization: Organization
    period: Period
    figures: list[Figure]
    median_response_hours: float | None
    responses: int

    def figure(self, slug: str) -> Figure:
        for figure in self.figures:
            if figure.slug == slug:
                return figure
        raise KeyError(slug)


def organization_tickets(*, organization: Organization) -> QuerySet[Ticket]:
    """Every request filed for the organization, and nothing else: the report's only source."""
    return Ticket.objects.filter(organization=organization)


def months_period(*, months: int, organization: Organization, now: datetime | None = None):
    """The last `months` calendar months in the organization's zone, this one included."""
    today = (now or timezone.now()).astimezone(organization.zone).date()
    first = today.replace(day=1)
    for _month in range(months - 1):
        first = (first - timedelta(days=1)).replace(day=1)
    return _local_period(first, today, organization=organization)


def previous_month(*, organization: Organization, now: datetime | None = None) -> Period:
    """Last calendar month in the organization's zone (what the monthly email reports)."""
    today = (now or timezone.now()).astimezone(organization.zone).date()
    return month_period((today.replace(day=1) - timedelta(days=1)), organization=organization)


def month_period(month: date, *, organization: Organization) -> Period:
    """The calendar month holding `month`, in the organization's zone."""
    first = month.replace(day=1)
    last = (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)
    return _local_period(first, last, organization=organization)


def _local_period(first: date, last: date, *, organization: Organization) -> Period:
    zone = organization.zone
    return Period(
        start=datetime.combine(first, time.min, tzinfo=zone),
        end=datetime.combine(last + timedelta(days=1), time.min, tzinfo=zone),
    )


@dataclass(frozen=True)
class Scope:
    organization: Organization
    tickets: QuerySet[Ticket]
    created: QuerySet[Ticket]
    period: Period
    now: datetime


def _scope(*, organization: Organization, period: Period, now: datetime | None) -> Scope:
    tickets = organization_tickets(organization=organization)
    return Scope(
        organization=organization,
        tickets=tickets,
        created=tickets.filter(period.q("created_at")),
        period=period,
        now=now or timezone.now(),
    )


def customer_report(
    *, organization: Organization, period: Period, now: datetime | None = None
) -> CustomerReport:
    """Six aggregate queries, whatever the number of requests."""
    scope = _scope(organization=organization, period=period, now=now)
    overall = figures.response_times(scope.created)
    return CustomerReport(
        organization=organization,
        period=period,
        figures=[build(scope) for build in CUSTOMER_FIGURES.values()],
        median_response_hours=hours(overall["median"]),
        responses=overall["responses"],
    )


def customer_figure(
    *, organization: Organization, period: Period, slug: str, now: datetime | None = None
) -> Figure:
    """One figure of the report (for its CSV download); KeyError for an unknown slug."""
    build = CUSTOMER_FIGURES[slug]
    return build(_scope(organization=organization, period=period, now=now))


def _monthly(scope: Scope) -> Figure:
    zone, period = scope.organization.zone, scope.period
    created = figures.counts_by_month(scope.tickets, field="created_at", period=period, zone=zone)
    resolved = figures.counts_by_month(scope.tickets, field="resolved_at", period=period, zone=zone)
    rows = [
        [month.strftime("%Y-%m"), created.get(month, 0), resolved.get(month, 0)]
        for month in figures.months_of(period)
    ]
    return Figure(
        slug="monthly",
        title=_("Requests by month"),
        columns=[_("Month"), _("Created"), _("Resolved")],
        rows=rows,
        datasets=[Dataset(_("Created"), 1), Dataset(_("Resolved"), 2)],
        unit=_("requests"),
        summary=_("%(created)s requests created and %(resolved)s resolved in the period.")
        % {"created": sum(created.values()), "resolved": sum(resolved.values())},
    )


def _by_severity(scope: Scope) -> Figure:
    outcomes = {
        row["severity"]: row
        for row in figures.sla_counts(scope.created, by=("severity",), now=scope.now)
    }
    times = {
        row["severity"]: row for row in figures.response_times(scope.created, by=("severity",))
    }
    rows = []
    for severity in Severity:
        outcome = outcomes.get(severity.value, {})
        met = outcome.get("first_response_met", 0)
        missed = outcome.get("first_response_missed", 0)
        rows.append(
            [
                severity.value,
                met,
                missed,
                share(met, met + missed),
                hours(times.get(severity.value, {}).get("median")),
            ]
        )
    met = sum(row[1] for row in rows)
    decided = met + sum(row[2] for row in rows)
    overall = share(met, decided)
    return Figure(
        slug="first-response",
        title=_("First responses within target, by severity"),
        columns=[
            _("Severity"),
            _("Within target"),
            _("Late"),
            _("Within target (%)"),
            _("Median first response (hours)"),
        ],
        rows=rows,
        datasets=[Dataset(_("Within target (%)"), 3)],
        percent=True,
        summary=_("%(share)s of %(decided)s first responses were within target.")
        % {"share": "-" if overall is None else f"{overall}%", "decided": decided},
        note=_(
            "Requests filed in the period; those still within their target are not counted yet."
        ),
    )


def _open_by_age(scope: Scope) -> Figure:
    counts = figures.backlog(scope.tickets, now=scope.now)
    rows = [
        [str(bucket.label), sum(counts[status][bucket.key] for status in counts)]
        for bucket in AGE_BUCKETS
    ]
    return Figure(
        slug="open-by-age",
        title=_("Open requests by age"),
        columns=[_("Age"), _("Open requests")],
        rows=rows,
        datasets=[Dataset(_("Open requests"), 1)],
        unit=_("requests"),
        summary=_("%(total)s requests open now.") % {"total": sum(row[1] for row in rows)},
        note=_("As of now, whatever the period."),
    )


CUSTOMER_FIGURES = {
    "monthly": _monthly,
    "first-response": _by_severity,
    "open-by-age": _open_by_age,
}
