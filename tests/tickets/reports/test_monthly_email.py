"""The monthly Support report email: Enterprise and Premium owners, last month's figures, a link
to the page, through the outbox, once per organization and month whoever runs the beat."""

import threading
from datetime import UTC, date, datetime, timedelta

import pytest
from django.core import mail
from django.db import connection

from accounts.models import Membership, OutboundEmail
from helpcenter.celery import app as celery_app
from tests.factories import MembershipFactory, UserFactory, subscribe
from tests.tickets.reports.conftest import file_request
from tickets.models import SupportReportDelivery
from tickets.reports import services
from tickets.tasks import support_reports_monthly

pytestmark = pytest.mark.django_db

FIRST_OF_DECEMBER = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
NOVEMBER = date(2026, 11, 1)


@pytest.fixture
def globex(org_factory):
    """Enterprise, Berlin, with two owners and a member, and requests in November."""
    organization, owner, _cluster = org_factory(
        "enterprise", name="Globex", time_zone="Europe/Berlin"
    )
    second_owner = UserFactory(email="cfo@globex.example")
    MembershipFactory(user=second_owner, organization=organization, role=Membership.Role.OWNER)
    MembershipFactory(user=UserFactory(email="dev@globex.example"), organization=organization)
    for day, answered in ((3, 30), (10, 90), (20, 200)):
        file_request(
            organization,
            severity="S2",
            created=datetime(2026, 11, day, 10, 0, tzinfo=UTC),
            target=timedelta(hours=2),
            answered_after=timedelta(minutes=answered),
            resolved_after=timedelta(days=1),
        )
    file_request(organization, created=datetime(2026, 10, 30, 10, 0, tzinfo=UTC))
    return organization, owner, second_owner


@pytest.fixture
def december(monkeypatch):
    monkeypatch.setattr("django.utils.timezone.now", lambda: FIRST_OF_DECEMBER)


def test_enterprise_and_premium_organizations_are_due_on_the_first_days(
    globex, org_factory, december
):
    premium = org_factory("premium")[0]
    basic, developer = org_factory("basic")[0], org_factory("developer")[0]
    due = dict(services.support_reports_due(now=FIRST_OF_DECEMBER))
    assert due == {globex[0].pk: NOVEMBER, premium.pk: NOVEMBER}
    assert basic.pk not in due and developer.pk not in due
    assert services.support_reports_due(now=FIRST_OF_DECEMBER + timedelta(days=8)) == []


def test_month_begins_in_the_organizations_time_zone(org_factory):
    tokyo = org_factory("enterprise", time_zone="Asia/Tokyo")[0]
    los_angeles = org_factory("enterprise", time_zone="America/Los_Angeles")[0]
    just_after_midnight_in_tokyo = datetime(2026, 11, 30, 15, 30, tzinfo=UTC)
    due = dict(services.support_reports_due(now=just_after_midnight_in_tokyo))
    assert due[tokyo.pk] == NOVEMBER
    assert due.get(los_angeles.pk) != NOVEMBER


def test_owners_get_last_months_figures_and_a_link(
    globex, december, django_capture_on_commit_callbacks
):
    organization, owner, second_owner = globex
    with django_capture_on_commit_callbacks(execute=True):
        delivery = services.support_report_monthly_send(
            organization_id=organization.pk, month=NOVEMBER
        )
    assert delivery.recipients == 2
    assert sorted(message.to[0] for message in mail.outbox) == sorted(
        [owner.email, second_owner.email]
    )
    message = mail.outbox[0]
    assert message.subject == "Globex: Support report for November 2026"
    assert "Requests created: 3" in message.body
    assert "Requests resolved: 3" in message.body
    assert "S2: 66.7% (2 of 3)" in message.body
    assert "Median time to first response: 1.5 hours" in message.body
    assert f"/organizations/{organization.pk}/report/" in message.body
    html = message.alternatives[0][0]
    assert "66.7% (2 of 3)" in html
    assert f"/organizations/{organization.pk}/report/" in html
    assert OutboundEmail.objects.filter(event_key__startswith="support-report:").count() == 2


def test_a_second_run_sends_nothing(globex, december, django_capture_on_commit_callbacks):
    organization = globex[0]
    with django_capture_on_commit_callbacks(execute=True):
        assert services.support_report_monthly_send(organization_id=organization.pk, month=NOVEMBER)
        assert (
            services.support_report_monthly_send(organization_id=organization.pk, month=NOVEMBER)
            is None
        )
    assert len(mail.outbox) == 2
    assert SupportReportDelivery.objects.count() == 1


def test_beat_task_run_twice_sends_once(globex, december, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        assert support_reports_monthly() == 1
    with django_capture_on_commit_callbacks(execute=True):
        assert support_reports_monthly() == 0
    assert len(mail.outbox) == 2


def test_organization_no_longer_on_enterprise_gets_no_report(globex, december):
    organization = globex[0]
    subscribe(organization, "developer")
    assert (
        services.support_report_monthly_send(organization_id=organization.pk, month=NOVEMBER)
        is None
    )
    assert not SupportReportDelivery.objects.exists()


def test_database_refuses_a_second_delivery_row(globex):
    from django.db import IntegrityError, transaction

    SupportReportDelivery.objects.create(organization=globex[0], month=NOVEMBER)
    with pytest.raises(IntegrityError), transaction.atomic():
        SupportReportDelivery.objects.create(organization=globex[0], month=NOVEMBER)
    with pytest.raises(IntegrityError), transaction.atomic():
        SupportReportDelivery.objects.create(organization=globex[0], month=date(2026, 11, 2))


def test_beat_schedule_runs_the_monthly_reports_task():
    entry = celery_app.conf.beat_schedule["monthly-support-reports"]
    assert entry["task"] == "tickets.tasks.support_reports_monthly"
    assert entry["task"] in celery_app.tasks


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_beat_processes_at_once_send_once(org_factory, december):
    organization, owner, _cluster = org_factory("enterprise")
    barrier = threading.Barrier(2)
    results, errors = [], []

    def beat():
        try:
            barrier.wait()
            results.append(
                services.support_report_monthly_send(
                    organization_id=organization.pk, month=NOVEMBER
                )
            )
        except Exception as exc:  # noqa: BLE001 - surfaced by the assertion below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=beat) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sum(result is not None for result in results) == 1
    assert SupportReportDelivery.objects.count() == 1
    assert OutboundEmail.objects.filter(to_email=owner.email).count() == 1
