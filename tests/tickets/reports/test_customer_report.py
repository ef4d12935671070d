"""The customers' Support report: Enterprise and Premium organizations see their own figures;
Basic and Developer see it locked with the way to upgrade; nobody sees another organization's."""

import csv
import io
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import Organization, User
from tests.factories import OrganizationFactory, subscribe
from tests.tickets.reports.conftest import file_request
from tickets.models import Ticket
from tickets.reports.customer import CUSTOMER_FIGURES

pytestmark = pytest.mark.django_db


def report_url(organization) -> str:
    return f"/organizations/{organization.pk}/report/"


def csv_rows(response) -> list[list[str]]:
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    return list(csv.reader(io.StringIO(response.content.decode())))


@pytest.fixture
def demo(db):
    call_command("seed_demo", stdout=StringIO())
    return {organization.name: organization for organization in Organization.objects.all()}


def log_in(client, email):
    client.force_login(User.objects.get(email=email))
    return client


def test_bob_sees_globex_support_report(client, demo, now):
    globex = demo["Globex"]
    file_request(
        globex, severity="S2", created=now - timedelta(days=3), answered_after=timedelta(minutes=30)
    )
    response = log_in(client, "bob@globex.example").get(report_url(globex))
    assert response.status_code == 200
    assert "Support report" in response.text
    assert "Globex" in response.text
    for slug in CUSTOMER_FIGURES:
        assert f'data-testid="figure-{slug}"' in response.text
        assert f'href="/organizations/{globex.pk}/report/{slug}.csv?"' in response.text


def test_alice_on_basic_sees_it_locked_with_the_upgrade_path(client, demo):
    acme = demo["Acme Corp"]
    file_request(acme, plan="basic", portal="billing", created=Ticket.objects.first().created_at)
    response = log_in(client, "alice@acme.example").get(report_url(acme))
    assert response.status_code == 403
    assert 'data-testid="support-report-locked"' in response.text
    assert "Acme Corp is on the Basic plan" in response.text
    assert "Enterprise plan and above" in response.text
    assert f'href="/organizations/{acme.pk}/support/"' in response.text
    assert "Upgrade your support plan" in response.text
    assert 'data-testid="figure-' not in response.text
    assert (
        log_in(client, "alice@acme.example").get(f"{report_url(acme)}monthly.csv").status_code
        == 403
    )


def test_developer_plan_is_locked_too(client, demo):
    initech = demo["Initech"]
    response = log_in(client, "carol@initech.example").get(report_url(initech))
    assert response.status_code == 403
    assert "Initech is on the Developer plan" in response.text


def test_premium_organization_gets_the_report(client, org_factory):
    organization, owner, _cluster = org_factory("premium")
    client.force_login(owner)
    assert client.get(report_url(organization)).status_code == 200


def test_a_member_who_is_not_an_owner_gets_the_report(client, enterprise_org, member_of):
    organization = enterprise_org[0]
    client.force_login(member_of(organization))
    assert client.get(report_url(organization)).status_code == 200


@pytest.mark.parametrize("who", ["alice@acme.example", "carol@initech.example"])
def test_another_organizations_report_is_404(client, demo, who):
    globex = demo["Globex"]
    log_in(client, who)
    assert client.get(report_url(globex)).status_code == 404
    assert client.get(f"{report_url(globex)}monthly.csv").status_code == 404


def test_unknown_organization_is_404_like_a_foreign_one(client, demo):
    log_in(client, "bob@globex.example")
    assert client.get("/organizations/999999/report/").status_code == 404


def test_anonymous_is_sent_to_log_in(client, demo):
    response = client.get(report_url(demo["Globex"]))
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_organization_menu_links_to_the_support_report(client, demo):
    globex = demo["Globex"]
    response = log_in(client, "bob@globex.example").get("/")
    assert f'href="/organizations/{globex.pk}/report/"' in response.text
    assert "Support report" in response.text


def test_no_figure_counts_another_organizations_requests(client, enterprise_org, now):
    ours, owner, _cluster = enterprise_org
    theirs = OrganizationFactory(name="Competitor")
    subscribe(theirs, "enterprise")
    for days in (2, 40, 70):
        file_request(ours, created=now - timedelta(days=days), answered_after=timedelta(hours=1))
    for days in (1, 2, 3, 35, 36):
        file_request(
            theirs,
            severity="S1",
            created=now - timedelta(days=days),
            answered_after=timedelta(hours=5),
            resolved_after=timedelta(hours=6),
        )
    client.force_login(owner)
    response = client.get(report_url(ours), {"months": "12"})
    assert "Competitor" not in response.text
    monthly = csv_rows(client.get(f"{report_url(ours)}monthly.csv", {"months": "12"}))
    assert sum(int(row[1]) for row in monthly[1:]) == 3
    assert sum(int(row[2]) for row in monthly[1:]) == 0
    by_severity = csv_rows(client.get(f"{report_url(ours)}first-response.csv"))
    assert by_severity[1] == ["S1", "0", "0", "", ""]
    assert by_severity[3][:4] == ["S3", "3", "0", "100.0"]
    open_rows = csv_rows(client.get(f"{report_url(ours)}open-by-age.csv"))
    assert sum(int(row[1]) for row in open_rows[1:]) == 3


def test_figures_agree_with_a_direct_count(client, enterprise_org, now):
    organization, owner, _cluster = enterprise_org
    made = []
    for index in range(24):
        made.append(
            file_request(
                organization,
                severity=("S1", "S2", "S3", "S4")[index % 4],
                created=now - timedelta(days=index * 4 + 1),
                target=timedelta(hours=2),
                answered_after=timedelta(minutes=40 * (index % 5 + 1)) if index % 3 else None,
                resolved_after=timedelta(days=2) if index % 2 else None,
            )
        )
    client.force_login(owner)
    params = {"months": "6"}
    page = client.get(report_url(organization), params)
    rows = csv_rows(client.get(f"{report_url(organization)}first-response.csv", params))
    start = page.context["report"].period.start
    for severity, met, missed, _share, _median in rows[1:]:
        mine = [t for t in made if t.severity == severity and t.created_at >= start]
        assert int(met) == sum(
            t.first_responded_at is not None and t.first_responded_at <= t.first_response_due_at
            for t in mine
        )
        assert int(missed) == sum(
            (t.first_responded_at or now) > t.first_response_due_at for t in mine
        )
    monthly = csv_rows(client.get(f"{report_url(organization)}monthly.csv", params))
    zone = organization.zone
    for month, created, resolved in monthly[1:]:
        assert int(created) == sum(
            t.created_at.astimezone(zone).strftime("%Y-%m") == month for t in made
        )
        assert int(resolved) == sum(
            t.resolved_at is not None and t.resolved_at.astimezone(zone).strftime("%Y-%m") == month
            for t in made
        )
    assert len(monthly) == 1 + 6


def test_csv_equals_the_page_figures(client, enterprise_org, now):
    organization, owner, _cluster = enterprise_org
    for days in range(0, 90, 7):
        file_request(
            organization, created=now - timedelta(days=days), answered_after=timedelta(hours=1)
        )
    client.force_login(owner)
    report = client.get(report_url(organization)).context["report"]
    for figure in report.figures:
        rows = csv_rows(client.get(f"{report_url(organization)}{figure.slug}.csv"))
        assert rows[0] == [str(column) for column in figure.columns]
        assert rows[1:] == [
            ["" if value is None else str(value) for value in row] for row in figure.rows
        ]


def test_unknown_period_falls_back_to_twelve_months(client, enterprise_org):
    organization, owner, _cluster = enterprise_org
    client.force_login(owner)
    response = client.get(report_url(organization), {"months": "999"})
    assert response.status_code == 200
    assert len(response.context["report"].figure("monthly").rows) == 12


def test_report_needs_a_fixed_number_of_queries(client, enterprise_org, now):
    organization, owner, _cluster = enterprise_org
    client.force_login(owner)
    counts = []
    for batch in (2, 40):
        for index in range(batch):
            file_request(
                organization,
                created=now - timedelta(days=index % 300),
                answered_after=timedelta(hours=1),
            )
        with CaptureQueriesContext(connection) as queries:
            assert client.get(report_url(organization)).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]
    assert counts[1] <= 16
