"""The support engineers' Reports page: who gets in, that every figure is there, that each
agrees with a count made another way, that its CSV holds the chart's numbers, and that the page
costs the same number of queries whatever the number of requests."""

import csv
import io
import json
import random
import statistics
from collections import Counter
from datetime import UTC, timedelta
from html.parser import HTMLParser

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext

from plans.models import Portal
from tests.factories import (
    OrganizationFactory,
    StaffFactory,
    SupportEngineerFactory,
    UserFactory,
    subscribe,
)
from tests.tickets.reports.conftest import file_request
from tickets.models import Ticket
from tickets.reports.support import FIGURES
from tickets.sla import clock_state_of

pytestmark = pytest.mark.django_db

PAGE = "/admin/reports/"
PLANS = ("developer", "enterprise", "premium")


def csv_url(slug: str) -> str:
    return f"/admin/reports/{slug}.csv"


@pytest.fixture
def as_engineer(client, engineer):
    client.force_login(engineer)
    return client


@pytest.fixture
def organizations(db):
    found = []
    for index, plan in enumerate(PLANS):
        organization = OrganizationFactory(name=f"Org {plan}")
        subscribe(organization, plan)
        found.append(organization)
        if index == 0:
            found.append(OrganizationFactory(name="Org basic"))
    return found


def mixed_requests(organizations, *, now, count=60, seed=7, engineers=()):
    """Requests spread over 60 days: every plan and severity, answered in time, late, never,
    still running or paused; some resolved, rated, assigned, with components."""
    rng = random.Random(seed)
    made = []
    for _ in range(count):
        organization = rng.choice(organizations)
        plan = getattr(getattr(organization, "subscription", None), "plan", None)
        plan_code = plan.code if plan else "basic"
        severity = rng.choice(["S1", "S2", "S3", "S4"])
        portal = "technical" if severity == "S1" else rng.choice(["billing", "technical"])
        created = now - timedelta(days=rng.uniform(0, 60), hours=rng.uniform(0, 5))
        target = None if plan_code == "basic" else timedelta(minutes=rng.choice([30, 60, 240]))
        answered = rng.choice([None, timedelta(minutes=rng.uniform(1, 400))])
        resolved = rng.choice([None, None, timedelta(hours=rng.uniform(1, 100))])
        if resolved is not None and created + resolved > now:
            resolved = None
        if answered is not None and created + answered > now:
            answered = None
        next_started = next_answered = None
        if answered is not None and target is not None and rng.random() < 0.6:
            next_started = answered + timedelta(minutes=rng.uniform(10, 600))
            next_answered = rng.choice([None, timedelta(minutes=rng.uniform(1, 300))])
            if created + next_started > now:
                next_started = next_answered = None
            elif next_answered is not None and created + next_started + next_answered > now:
                next_answered = None
        made.append(
            file_request(
                organization,
                plan=plan_code,
                severity=severity,
                portal=portal,
                created=created,
                target=target,
                answered_after=answered,
                resolved_after=resolved,
                status=rng.choice(Ticket.OPEN_STATUSES) if resolved is None else None,
                assignee=rng.choice([None, *engineers]) if engineers else None,
                components=tuple(rng.sample(["TiDB", "TiKV", "PD"], rng.randint(0, 2)))
                if portal == "technical"
                else (),
                rating=rng.choice([None, 1, 3, 4, 5]) if resolved is not None else None,
                rating_comment=rng.choice(["", "Quick and clear", "Took too long"]),
                paused=answered is None and rng.random() < 0.1,
                next_target=timedelta(minutes=rng.choice([60, 240])) if next_started else None,
                next_started_after=next_started,
                next_answered_after=next_answered,
                resolution_target=timedelta(hours=rng.choice([8, 24, 72])) if target else None,
            )
        )
    return made


def chart_data(response, slug: str) -> dict:
    """The JSON a chart is drawn from, as the page carries it."""
    parser = JsonScripts()
    parser.feed(response.content.decode())
    return json.loads(parser.blocks[f"chart-{slug}"])


class JsonScripts(HTMLParser):
    """Collects json_script blocks and every script tag's attributes."""

    def __init__(self):
        super().__init__()
        self.blocks, self.scripts, self._current = {}, [], None

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "script":
            self.scripts.append(attributes)
            if attributes.get("type") == "application/json":
                self._current = attributes.get("id")
        self.style_attributes = getattr(self, "style_attributes", 0) + ("style" in attributes)

    def handle_data(self, data):
        if self._current:
            self.blocks[self._current] = self.blocks.get(self._current, "") + data

    def handle_endtag(self, tag):
        if tag == "script":
            self._current = None


def read_csv(response) -> list[list[str]]:
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    return list(csv.reader(io.StringIO(response.content.decode())))


def as_number(value: str):
    if value == "":
        return None
    return float(value) if "." in value else int(value)


# Who gets in


def test_anonymous_is_sent_to_the_admin_login(client):
    response = client.get(PAGE)
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


def test_customer_is_sent_to_the_admin_login(client):
    client.force_login(UserFactory())
    response = client.get(PAGE)
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


def test_staff_who_is_not_a_support_engineer_is_refused(client):
    client.force_login(StaffFactory())
    assert client.get(PAGE).status_code == 403
    assert client.get(csv_url("backlog")).status_code == 403


def test_admin_index_links_to_the_reports(as_engineer):
    response = as_engineer.get("/admin/")
    assert 'href="/admin/reports/"' in response.text


# The page


def test_page_shows_every_chart_for_the_last_30_days(as_engineer, organizations, now):
    mixed_requests(organizations, now=now, count=40, engineers=[SupportEngineerFactory()])
    response = as_engineer.get(PAGE)
    assert response.status_code == 200
    first = (now.astimezone(UTC) - timedelta(days=29)).date()
    assert f"Requests from {first:%-d %b %Y}" in response.text
    for slug in FIGURES:
        assert f'data-testid="figure-{slug}"' in response.text
        assert f'href="/admin/reports/{slug}.csv?"' in response.text
    assert 'data-testid="sla-heat"' in response.text
    for slug in set(FIGURES) - {"sla-plan-severity"}:
        assert chart_data(response, slug)["labels"], slug
    assert len(chart_data(response, "volume-daily")["labels"]) == 30
    assert 'data-testid="figure-comments"' in response.text


def test_page_carries_no_inline_script_or_style(as_engineer, organizations, now):
    mixed_requests(organizations, now=now, count=10)
    parser = JsonScripts()
    parser.feed(as_engineer.get(PAGE).content.decode())
    assert parser.scripts
    for script in parser.scripts:
        assert script.get("src") or script.get("type") == "application/json", script
    assert parser.style_attributes == 0
    assert any("chart.umd.min.js" in (script.get("src") or "") for script in parser.scripts)


def test_each_chart_has_a_text_alternative_and_a_numbers_table(as_engineer, organizations, now):
    mixed_requests(organizations, now=now, count=30, engineers=[SupportEngineerFactory()])
    text = as_engineer.get(PAGE).text
    assert text.count('<canvas role="img" aria-label="') == len(FIGURES) - 1
    assert text.count('<table class="hc-numbers-table">') == len(FIGURES) - 1
    assert "Show the numbers" in text


def test_chart_library_is_vendored_with_its_licence_and_no_dangling_source_map():
    vendor = settings.BASE_DIR / "static" / "vendor" / "chartjs"
    script = (vendor / "chart.umd.min.js").read_text()
    assert script.startswith("/*!\n * Chart.js v4")
    assert "sourceMappingURL" not in script
    assert "MIT License" in (vendor / "LICENSE.md").read_text()


# Figures against a count made another way


SLA_COLUMNS = [
    "Plan",
    "Severity",
    *(
        f"{target}: {measure}"
        for target in ("First response", "Next response", "Resolution")
        for measure in ("met", "missed", "met (%)")
    ),
]


@pytest.mark.parametrize(
    ("target", "first_column"), [("first_response", 2), ("next_response", 5), ("resolution", 8)]
)
def test_sla_share_per_plan_and_severity_agrees_with_each_requests_clock(
    as_engineer, organizations, now, target, first_column
):
    """The database's grouped counts against each request's own clock, read one by one."""
    tickets = mixed_requests(organizations, now=now, count=80)
    response = as_engineer.get(PAGE, {"period": "90"})
    expected = Counter()
    for ticket in tickets:
        state = clock_state_of(ticket, now=now, target=target)
        if state in ("met", "missed", "breached"):
            outcome = "met" if state == "met" else "missed"  # answered late or unanswered past due
            expected[(ticket.plan.name, ticket.severity, outcome)] += 1
    rows = read_csv(as_engineer.get(csv_url("sla-plan-severity"), {"period": "90"}))
    assert rows[0] == SLA_COLUMNS
    found = {}
    for row in rows[1:]:
        plan, severity = row[0], row[1]
        met, missed, met_share = row[first_column : first_column + 3]
        found[(plan, severity, "met")] = int(met)
        found[(plan, severity, "missed")] = int(missed)
        if int(met) + int(missed):
            assert float(met_share) == round(100 * int(met) / (int(met) + int(missed)), 1)
        else:
            assert met_share == ""
    assert {key: value for key, value in found.items() if value} == dict(expected)
    assert sum(expected.values()) > 10
    assert {state for _plan, _severity, state in expected} == {"met", "missed"}
    heat = response.text.split('data-testid="sla-heat"')[1].split("</table>")[0]
    label = SLA_COLUMNS[first_column].split(":")[0]
    for row in rows[1:]:
        met, missed, met_share = row[first_column : first_column + 3]
        decided = int(met) + int(missed)
        if decided:
            count = f'<span class="hc-heat-count">{met}/{decided}</span>'
            assert f"<strong>{met_share}%</strong> {count}" in heat
    assert f'<th scope="row" class="hc-heat-target">{label}</th>' in heat


def test_heat_table_lists_each_plans_targets_in_order(as_engineer, organizations, now):
    """A plan whose first severity only has a resolution decided still reads First response
    first."""
    enterprise = organizations[2]
    file_request(
        enterprise,
        severity="S1",
        created=now - timedelta(days=2),
        target=None,
        resolution_target=timedelta(hours=8),
        resolved_after=timedelta(hours=4),
    )
    file_request(
        enterprise,
        severity="S2",
        created=now - timedelta(days=2),
        answered_after=timedelta(hours=1),
    )
    response = as_engineer.get(PAGE)
    heat = response.text.split('data-testid="sla-heat"')[1].split("</table>")[0]
    targets = [part.split("<")[0] for part in heat.split('class="hc-heat-target">')[1:]]
    assert targets == ["First response", "Resolution"]
    assert "Met their target: First response 100.0% of 1; Next response none decided; " in (
        response.text
    )


def test_weekly_sla_trend_sums_to_the_heat_table(as_engineer, organizations, now):
    mixed_requests(organizations, now=now, count=60)
    heat = read_csv(as_engineer.get(csv_url("sla-plan-severity")))
    weekly = read_csv(as_engineer.get(csv_url("sla-weekly")))
    assert heat[0][2:] == weekly[0][1:]
    for column in (0, 1, 3, 4, 6, 7):  # met and missed of each target
        total = sum(int(row[2 + column]) for row in heat[1:])
        assert total == sum(int(row[1 + column]) for row in weekly[1:])
    assert sum(int(row[2]) for row in heat[1:]) > 0


def test_first_response_median_and_p90_agree_with_python_statistics(
    as_engineer, organizations, now
):
    tickets = mixed_requests(organizations, now=now, count=80)
    start = (now - timedelta(days=89)).astimezone(UTC).date()
    rows = read_csv(as_engineer.get(csv_url("first-response"), {"period": "90"}))
    by_week = {}
    for ticket in tickets:
        if ticket.first_responded_at and ticket.created_at.astimezone(UTC).date() >= start:
            day = ticket.created_at.astimezone(UTC).date()
            week = day - timedelta(days=day.weekday())
            by_week.setdefault(week.isoformat(), []).append(
                (ticket.first_responded_at - ticket.created_at).total_seconds() / 3600
            )
    checked = 0
    for week, responses, median, p90, _target in rows[1:]:
        hours = by_week.get(week, [])
        assert int(responses) == len(hours)
        if hours:
            assert float(median) == pytest.approx(statistics.median(hours), abs=0.01)
            p90_expected = (
                statistics.quantiles(hours, n=10, method="inclusive")[-1]
                if len(hours) > 1
                else hours[0]
            )
            assert float(p90) == pytest.approx(p90_expected, abs=0.01)
            checked += 1
    assert checked >= 8


def test_volume_per_day_agrees_with_a_direct_count(as_engineer, organizations, now):
    tickets = mixed_requests(organizations, now=now, count=60)
    rows = read_csv(as_engineer.get(csv_url("volume-daily"), {"period": "7"}))
    assert rows[0] == [
        "Day",
        "Created: Billing",
        "Created: Technical",
        "Resolved: Billing",
        "Resolved: Technical",
    ]
    assert len(rows) == 1 + 7
    days = {row[0] for row in rows[1:]}
    created = Counter(
        (t.created_at.astimezone(UTC).date().isoformat(), t.portal)
        for t in tickets
        if t.created_at.astimezone(UTC).date().isoformat() in days
    )
    resolved = Counter(
        (t.resolved_at.astimezone(UTC).date().isoformat(), t.portal)
        for t in tickets
        if t.resolved_at and t.resolved_at.astimezone(UTC).date().isoformat() in days
    )
    for day, created_billing, created_technical, resolved_billing, resolved_technical in rows[1:]:
        assert int(created_billing) == created[(day, Portal.BILLING)]
        assert int(created_technical) == created[(day, Portal.TECHNICAL)]
        assert int(resolved_billing) == resolved[(day, Portal.BILLING)]
        assert int(resolved_technical) == resolved[(day, Portal.TECHNICAL)]


def test_backlog_by_age_and_status_agrees_with_a_direct_count(as_engineer, organizations, now):
    tickets = mixed_requests(organizations, now=now, count=60)
    rows = read_csv(as_engineer.get(csv_url("backlog")))
    assert rows[0] == ["Age", "Waiting for support", "In progress", "Waiting for customer", "Total"]
    assert [row[0] for row in rows[1:]] == [
        "< 1 day",
        "1-3 days",
        "3-7 days",
        "7-30 days",
        "> 30 days",
    ]
    bounds = [(0, 1), (1, 3), (3, 7), (7, 30), (30, 10_000)]
    for row, (low, high) in zip(rows[1:], bounds, strict=True):
        open_in_bucket = [
            t
            for t in tickets
            if t.is_open and low <= (now - t.created_at).total_seconds() / 86400 < high
        ]
        assert int(row[-1]) == len(open_in_bucket)
        assert int(row[1]) == sum(t.status == "waiting_for_support" for t in open_in_bucket)


def test_components_organizations_and_satisfaction_agree_with_direct_counts(
    as_engineer, organizations, now
):
    tickets = mixed_requests(organizations, now=now, count=60)
    first_day = (now - timedelta(days=29)).astimezone(UTC).date()

    def within_period(moment):
        return moment.astimezone(UTC).date() >= first_day

    in_period = [t for t in tickets if within_period(t.created_at)]
    components = Counter(
        name for t in in_period for name in (t.components.values_list("name", flat=True))
    )
    components["No component"] = sum(not t.components.exists() for t in in_period)
    rows = read_csv(as_engineer.get(csv_url("components")))
    assert {name: int(count) for name, count in rows[1:]} == +components

    organizations_count = Counter(t.organization.name for t in in_period)
    rows = read_csv(as_engineer.get(csv_url("organizations")))
    assert {name: int(count) for name, count in rows[1:]} == dict(organizations_count)

    rated = [
        t.satisfaction.rating
        for t in tickets
        if hasattr(t, "satisfaction") and within_period(t.satisfaction.created_at)
    ]
    rows = read_csv(as_engineer.get(csv_url("satisfaction")))
    assert {int(score): int(count) for score, count in rows[1:]} == {
        score: rated.count(score) for score in range(1, 6)
    }
    response = as_engineer.get(PAGE)
    assert f"{len(rated)} ratings, average {statistics.mean(rated):.2f} out of 5." in response.text


def test_engineers_figure_counts_each_assignees_requests(as_engineer, organizations, now):
    sam, kim = SupportEngineerFactory(full_name="Sam"), SupportEngineerFactory(full_name="Kim")
    organization = organizations[1]
    for hours in (1, 2, 3):
        file_request(
            organization,
            created=now - timedelta(days=2),
            answered_after=timedelta(hours=hours),
            resolved_after=timedelta(days=1),
            assignee=sam,
        )
    file_request(organization, created=now - timedelta(days=1), assignee=sam)
    file_request(organization, created=now - timedelta(days=1), assignee=kim)
    rows = read_csv(as_engineer.get(csv_url("engineers")))
    assert rows[0] == [
        "Engineer",
        "Resolved in period",
        "Median first response (hours)",
        "Open, assigned now",
    ]
    assert rows[1:] == [["Sam", "3", "2.0", "1"], ["Kim", "0", "", "1"]]


# CSV = chart


@pytest.mark.parametrize("slug", sorted(FIGURES))
def test_csv_holds_the_numbers_the_chart_is_drawn_from(as_engineer, organizations, now, slug):
    mixed_requests(organizations, now=now, count=50, engineers=[SupportEngineerFactory()])
    params = {"period": "90", "portal": "technical"}
    page = as_engineer.get(PAGE, params)
    rows = read_csv(as_engineer.get(csv_url(slug), params))
    if slug == "sla-plan-severity":
        heat = page.text.split('data-testid="sla-heat"')[1].split("</table>")[0]
        for row in rows[1:]:
            for share_column in (4, 7, 10):
                if row[share_column]:
                    assert f"<strong>{row[share_column]}%</strong>" in heat
        return
    chart = chart_data(page, slug)
    assert [row[0] for row in rows[1:]] == chart["labels"]
    columns = rows[0]
    for dataset in chart["datasets"]:
        column = columns.index(dataset["label"]) if dataset["label"] in columns else None
        values = [as_number(row[column]) for row in rows[1:]] if column is not None else None
        if values is None:  # a series labelled differently from its column (e.g. "Median")
            values = next(
                [as_number(row[index]) for row in rows[1:]]
                for index in range(1, len(columns))
                if [as_number(row[index]) for row in rows[1:]] == dataset["data"]
            )
        assert values == dataset["data"], dataset["label"]


# Filters and the period


def test_filters_narrow_every_figure(as_engineer, organizations, now):
    mixed_requests(organizations, now=now, count=60)
    enterprise = organizations[2]
    rows = read_csv(as_engineer.get(csv_url("organizations"), {"organization": enterprise.pk}))
    assert [row[0] for row in rows[1:]] == [enterprise.name]
    rows = read_csv(
        as_engineer.get(
            csv_url("sla-plan-severity"),
            {"plan": enterprise.subscription.plan.pk, "severity": "S2", "period": "90"},
        )
    )
    assert {(row[0], row[1]) for row in rows[1:]} <= {("Enterprise", "S2")}
    rows = read_csv(as_engineer.get(csv_url("volume-daily"), {"portal": "billing"}))
    assert all(row[2] == "0" and row[4] == "0" for row in rows[1:])
    rows = read_csv(as_engineer.get(csv_url("backlog"), {"assignee": "none"}))
    assert (
        sum(int(row[-1]) for row in rows[1:])
        == Ticket.objects.filter(status__in=Ticket.OPEN_STATUSES, assignee__isnull=True).count()
    )


def test_component_filter_keeps_requests_naming_it(as_engineer, organizations, now):
    from tickets.models import Component

    file_request(organizations[1], created=now - timedelta(days=1), components=("TiKV",))
    file_request(organizations[1], created=now - timedelta(days=1), components=("PD",))
    tikv = Component.objects.get(name="TiKV")
    rows = read_csv(as_engineer.get(csv_url("components"), {"component": tikv.pk}))
    assert rows[1:] == [["TiKV", "1"]]


def test_custom_range_counts_only_its_days(as_engineer, organizations, now):
    day = (now - timedelta(days=40)).astimezone(UTC)
    file_request(organizations[1], created=day.replace(hour=12))
    file_request(organizations[1], created=day.replace(hour=12) + timedelta(days=3))
    params = {"period": "custom", "start": day.date().isoformat(), "end": day.date().isoformat()}
    rows = read_csv(as_engineer.get(csv_url("volume-daily"), params))
    assert rows[1:] == [[day.date().isoformat(), "0", "1", "0", "0"]]


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"period": "custom", "start": "2026-03-01"}, "needs both a start and an end date"),
        (
            {"period": "custom", "start": "2026-03-05", "end": "2026-03-01"},
            "start date must be on or before the end date",
        ),
        ({"period": "custom", "start": "2020-01-01", "end": "2026-01-01"}, "at most 366 days"),
        ({"period": "365"}, "Select a valid choice"),
    ],
)
def test_bad_period_is_explained_and_keeps_the_filters(as_engineer, params, message):
    response = as_engineer.get(PAGE, {**params, "severity": "S2"})
    assert response.status_code == 400
    assert message in response.text
    assert '<option value="S2" selected>' in response.text
    csv_response = as_engineer.get(csv_url("backlog"), params)
    assert csv_response.status_code == 400
    assert message in csv_response.text


def test_unknown_figure_csv_is_404(as_engineer):
    assert as_engineer.get(csv_url("nothing")).status_code == 404


# Cost


def test_page_needs_a_fixed_number_of_queries_whatever_the_row_count(
    as_engineer, organizations, now
):
    counts = []
    for batch, seed in ((5, 1), (80, 2)):
        mixed_requests(
            organizations, now=now, count=batch, seed=seed, engineers=[SupportEngineerFactory()]
        )
        with CaptureQueriesContext(connection) as queries:
            response = as_engineer.get(PAGE)
        assert response.status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]
    assert counts[1] <= 23  # 22 + the session's verified second-factor device


def test_page_query_budget(as_engineer, organizations, now, django_assert_max_num_queries):
    mixed_requests(organizations, now=now, count=30)
    with django_assert_max_num_queries(23):  # 22 + the session's verified second-factor device
        assert as_engineer.get(PAGE, {"period": "90", "portal": "technical"}).status_code == 200
