"""The support engineers' Reports page: every figure for the chosen period and filters."""

from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cached_property

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.models import User
from plans.models import Portal, Severity
from tickets.models import SatisfactionRating, Ticket
from tickets.reports import figures
from tickets.reports.figures import AGE_BUCKETS, RATINGS, SLA_TARGETS, Period, hours, share
from tickets.reports.tables import Dataset, Figure
from tickets.selectors import tickets_for_support
from tickets.sla import Target

UNASSIGNED = "none"


@dataclass(frozen=True)
class ReportFilters:
    period: Period
    plan_id: int | None = None
    portal: str = ""
    severity: str = ""
    component_id: int | None = None
    organization_id: int | None = None
    assignee: str = ""  # "", UNASSIGNED or a user id

    def q(self) -> Q:
        """Everything but the period, which each figure applies to its own date."""
        condition = Q()
        if self.plan_id:
            condition &= Q(plan_id=self.plan_id)
        if self.portal:
            condition &= Q(portal=self.portal)
        if self.severity:
            condition &= Q(severity=self.severity)
        if self.component_id:
            condition &= Q(components=self.component_id)
        if self.organization_id:
            condition &= Q(organization_id=self.organization_id)
        if self.assignee == UNASSIGNED:
            condition &= Q(assignee__isnull=True)
        elif self.assignee:
            condition &= Q(assignee_id=int(self.assignee))
        return condition


@dataclass(frozen=True)
class Scope:
    """What the figures are computed over: the filtered requests, those filed in the period."""

    tickets: QuerySet[Ticket]
    created: QuerySet[Ticket]
    period: Period
    now: datetime

    @cached_property
    def sla_by_week(self) -> list[dict]:
        """SLA outcomes of the requests filed in the period, per plan, severity and week, in one
        query: the heat table and the weekly trend are both sums of these few groups."""
        return figures.sla_counts(
            figures.with_week(self.created),
            by=("plan__rank", "plan__name", "severity", "week"),
            now=self.now,
        )


@dataclass
class SupportReport:
    filters: ReportFilters
    figures: list[Figure]
    latest_comments: list[SatisfactionRating]

    @property
    def heat_rows(self) -> list[tuple[str, str, list[dict | None]]]:
        """The plan x severity table: per plan, one row per target, one cell per severity."""
        figure = self.figure("sla-plan-severity")
        plans: dict[str, dict[str, dict[str, dict]]] = {}
        for plan, severity, *outcomes in figure.rows:
            for target, (met, missed, met_share) in zip(
                SLA_TARGETS, _in_threes(outcomes), strict=True
            ):
                if met + missed:
                    plans.setdefault(plan, {}).setdefault(target, {})[severity] = {
                        "met": met,
                        "decided": met + missed,
                        "share": met_share,
                        "level": int(met_share // 10),
                    }
        return [
            (plan, str(Target(target).label), [cells.get(severity) for severity in Severity])
            for plan, targets in plans.items()
            for target in SLA_TARGETS
            if (cells := targets.get(target))
        ]

    def figure(self, slug: str) -> Figure:
        for figure in self.figures:
            if figure.slug == slug:
                return figure
        raise KeyError(slug)


def _scope(*, user: User, filters: ReportFilters, now: datetime | None) -> Scope:
    tickets = tickets_for_support(user=user).filter(filters.q())
    return Scope(
        tickets=tickets,
        created=tickets.filter(filters.period.q("created_at")),
        period=filters.period,
        now=now or timezone.now(),
    )


def support_report(
    *, user: User, filters: ReportFilters, now: datetime | None = None
) -> SupportReport:
    """The Reports page: one aggregate query per figure, plus one for the latest comments."""
    scope = _scope(user=user, filters=filters, now=now)
    return SupportReport(
        filters=filters,
        figures=[build(scope) for build in FIGURES.values()],
        latest_comments=figures.latest_rating_comments(scope.tickets, period=scope.period),
    )


def support_figure(
    *, user: User, filters: ReportFilters, slug: str, now: datetime | None = None
) -> Figure:
    """One figure of the Reports page (for its CSV download); KeyError for an unknown slug."""
    build = FIGURES[slug]
    return build(_scope(user=user, filters=filters, now=now))


def _outcomes(row: dict) -> list:
    """Met, missed and the share met, for each target in turn, from one `sla_counts` row."""
    cells = []
    for target in SLA_TARGETS:
        met, missed = row.get(f"{target}_met", 0), row.get(f"{target}_missed", 0)
        cells += [met, missed, share(met, met + missed)]
    return cells


def _in_threes(values: list) -> list[tuple]:
    return [tuple(values[index : index + 3]) for index in range(0, len(values), 3)]


def _outcome_columns() -> list[str]:
    columns = []
    for target in SLA_TARGETS:
        label = {"target": Target(target).label}
        columns += [
            _("%(target)s: met") % label,
            _("%(target)s: missed") % label,
            _("%(target)s: met (%%)") % label,
        ]
    return columns


def _outcome_summary(rows: list[list], *, first: int) -> str:
    """Each target's share met over all the rows (`first`: the column its outcomes start at)."""
    parts = []
    for index, target in enumerate(SLA_TARGETS):
        column = first + 3 * index
        met = sum(row[column] for row in rows)
        decided = met + sum(row[column + 1] for row in rows)
        label = Target(target).label
        parts.append(
            _("%(target)s %(share)s of %(decided)s")
            % {"target": label, "share": f"{share(met, decided)}%", "decided": decided}
            if decided
            else _("%(target)s none decided") % {"target": label}
        )
    return _("Met their target: %(parts)s.") % {"parts": "; ".join(parts)}


def _sla_heat(scope: Scope) -> Figure:
    totals = figures.sum_counts(scope.sla_by_week, by=("plan__name", "severity"))
    rows = [[plan, severity, *_outcomes(counts)] for (plan, severity), counts in totals.items()]
    return Figure(
        slug="sla-plan-severity",
        title=_("SLA compliance per plan and severity"),
        columns=[_("Plan"), _("Severity"), *_outcome_columns()],
        rows=rows,
        chart_type="heat",
        percent=True,
        summary=_outcome_summary(rows, first=2),
        note=_(
            "Requests filed in the period: the share of first responses, latest next responses "
            "and resolutions that met their target. Those still within their target or paused "
            "while waiting for the customer are not decided yet."
        ),
    )


def _sla_weekly(scope: Scope) -> Figure:
    found = {
        figures.as_date(week, UTC): counts
        for (week,), counts in figures.sum_counts(scope.sla_by_week, by=("week",)).items()
    }
    rows = [
        [week.isoformat(), *_outcomes(found.get(week, {}))]
        for week in figures.weeks_of(scope.period)
    ]
    columns = [_("Week of"), *_outcome_columns()]
    return Figure(
        slug="sla-weekly",
        title=_("SLA compliance, week by week"),
        columns=columns,
        rows=rows,
        chart_type="line",
        datasets=[Dataset(columns[column], column) for column in range(3, len(columns), 3)],
        percent=True,
        summary=_outcome_summary(rows, first=1),
        note=_("By the week the requests were filed in."),
    )


def _first_response(scope: Scope) -> Figure:
    found = {
        figures.as_date(row["week"], UTC): row
        for row in figures.response_times(figures.with_week(scope.created), by=("week",))
    }
    rows = []
    for week in figures.weeks_of(scope.period):
        row = found.get(week, {})
        rows.append(
            [
                week.isoformat(),
                row.get("responses", 0),
                hours(row.get("median")),
                hours(row.get("p90")),
                hours(row.get("allowed")),
            ]
        )
    medians = [row[2] for row in rows if row[2] is not None]
    return Figure(
        slug="first-response",
        title=_("Time to first response, week by week"),
        columns=[
            _("Week of"),
            _("Responses"),
            _("Median (hours)"),
            _("90th percentile (hours)"),
            _("Target (hours)"),
        ],
        rows=rows,
        chart_type="line",
        datasets=[
            Dataset(_("Median"), 2),
            Dataset(_("90th percentile"), 3),
            Dataset(_("Target"), 4, dashed=True),
        ],
        unit=_("hours"),
        summary=_("Median time to first response per week, from %(low)s to %(high)s hours.")
        % {
            "low": min(medians) if medians else "-",
            "high": max(medians) if medians else "-",
        },
        note=_(
            "Target: the median time the requests' targets allowed, in wall-clock hours "
            "(a business-hours target allows nights and weekends)."
        ),
    )


def _volume(scope: Scope) -> Figure:
    created = figures.counts_by_day(scope.tickets, field="created_at", period=scope.period)
    resolved = figures.counts_by_day(scope.tickets, field="resolved_at", period=scope.period)
    portals = list(Portal)
    rows = [
        [
            day.isoformat(),
            *(created.get((day, portal.value), 0) for portal in portals),
            *(resolved.get((day, portal.value), 0) for portal in portals),
        ]
        for day in figures.days_of(scope.period)
    ]
    short = {Portal.BILLING: _("Billing"), Portal.TECHNICAL: _("Technical")}
    columns = [
        _("Day"),
        *(_("Created: %(portal)s") % {"portal": short[portal]} for portal in portals),
        *(_("Resolved: %(portal)s") % {"portal": short[portal]} for portal in portals),
    ]
    datasets = [Dataset(columns[1 + n], 1 + n, stack="created") for n in range(len(portals))] + [
        Dataset(columns[1 + len(portals) + n], 1 + len(portals) + n, stack="resolved")
        for n in range(len(portals))
    ]
    total_created = sum(created.values())
    total_resolved = sum(resolved.values())
    return Figure(
        slug="volume-daily",
        title=_("Requests created and resolved per day, by portal"),
        columns=columns,
        rows=rows,
        datasets=datasets,
        unit=_("requests"),
        summary=_("%(created)s requests created and %(resolved)s resolved in the period.")
        % {"created": total_created, "resolved": total_resolved},
    )


def _components(scope: Scope) -> Figure:
    return _ranking(
        slug="components",
        title=_("Requests by component"),
        label=_("Component"),
        rows=[
            [row["components__name"] or _("No component"), row["count"]]
            for row in figures.counts_by_component(scope.created)
        ],
        note=_("A request that names several components counts once for each."),
    )


def _organizations(scope: Scope) -> Figure:
    return _ranking(
        slug="organizations",
        title=_("Top 10 organizations by requests"),
        label=_("Organization"),
        rows=[
            [row["organization__name"] or _("No organization"), row["count"]]
            for row in figures.top_organizations(scope.created)
        ],
    )


def _ranking(*, slug: str, title: str, label: str, rows: list[list], note: str = "") -> Figure:
    """Requests filed in the period per name, most first, as horizontal bars."""
    return Figure(
        slug=slug,
        title=title,
        columns=[label, _("Requests")],
        rows=rows,
        chart_type="hbar",
        datasets=[Dataset(_("Requests"), 1)],
        unit=_("requests"),
        summary=_top_text(rows),
        note=note,
    )


def _backlog(scope: Scope) -> Figure:
    counts = figures.backlog(scope.tickets, now=scope.now)
    statuses = list(Ticket.OPEN_STATUSES)
    rows = []
    for bucket in AGE_BUCKETS:
        by_status = [counts[status][bucket.key] for status in statuses]
        rows.append([str(bucket.label), *by_status, sum(by_status)])
    columns = [
        _("Age"),
        *(str(Ticket.Status(status).label) for status in statuses),
        _("Total"),
    ]
    return Figure(
        slug="backlog",
        title=_("Open requests now, by age and status"),
        columns=columns,
        rows=rows,
        datasets=[Dataset(columns[1 + n], 1 + n, stack="open") for n in range(len(statuses))],
        unit=_("requests"),
        summary=_("%(total)s open requests; %(old)s of them older than 30 days.")
        % {"total": sum(row[-1] for row in rows), "old": rows[-1][-1]},
        note=_("The backlog is as of now; the period does not apply, the other filters do."),
    )


def _satisfaction(scope: Scope) -> Figure:
    rated = figures.satisfaction(scope.tickets, period=scope.period)
    rows = [[str(score), rated[f"rated_{score}"]] for score in RATINGS]
    average = rated["average"]
    return Figure(
        slug="satisfaction",
        title=_("Satisfaction ratings"),
        columns=[_("Rating (1-5)"), _("Ratings")],
        rows=rows,
        datasets=[Dataset(_("Ratings"), 1)],
        unit=_("ratings"),
        summary=_("%(count)s ratings, average %(average)s out of 5.")
        % {"count": rated["ratings"], "average": f"{average:.2f}" if average else "-"},
    )


def _engineers(scope: Scope) -> Figure:
    rows = [
        [
            row["name"],
            row["handled"],
            hours(row["median"]),
            row["open"],
        ]
        for row in figures.engineers(scope.tickets, period=scope.period)
    ]
    return Figure(
        slug="engineers",
        title=_("Engineers"),
        columns=[
            _("Engineer"),
            _("Resolved in period"),
            _("Median first response (hours)"),
            _("Open, assigned now"),
        ],
        rows=rows,
        chart_type="hbar",
        datasets=[Dataset(_("Resolved in period"), 1), Dataset(_("Open, assigned now"), 3)],
        unit=_("requests"),
        summary=ngettext(
            "%(count)s engineer with assigned requests.",
            "%(count)s engineers with assigned requests.",
            len(rows),
        )
        % {"count": len(rows)},
        note=_(
            "By assignee: requests resolved in the period, the median time to first response "
            "of those filed in it, and open requests assigned now."
        ),
    )


def _percent_text(value: float | None) -> str:
    return "-" if value is None else f"{value}%"


def _top_text(rows: list[list]) -> str:
    if not rows:
        return _("No requests in the period.")
    return _("Most requests: %(name)s (%(count)s).") % {"name": rows[0][0], "count": rows[0][1]}


FIGURES = {
    "sla-plan-severity": _sla_heat,
    "sla-weekly": _sla_weekly,
    "first-response": _first_response,
    "volume-daily": _volume,
    "components": _components,
    "organizations": _organizations,
    "backlog": _backlog,
    "satisfaction": _satisfaction,
    "engineers": _engineers,
}
