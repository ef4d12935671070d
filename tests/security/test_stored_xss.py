"""Stored XSS: markup typed into any user field (names, summary, description, comments, file
names, cluster and organization names) is shown as text on customer pages, admin pages and in
HTML emails, never run."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts.models import Membership, OutboundEmail
from tests.factories import ClusterFactory, MembershipFactory, SupportEngineerFactory, UserFactory
from tickets import services

pytestmark = pytest.mark.django_db

XSS = '<script>alert("xss")</script><img src=x onerror=alert(1)>'


@pytest.fixture
def poisoned(enterprise_org, django_capture_on_commit_callbacks):
    organization, owner, _cluster = enterprise_org
    organization.name = "Org " + XSS
    organization.save(update_fields=["name"])
    reporter = UserFactory(full_name="Name " + XSS)
    MembershipFactory(user=reporter, organization=organization, role=Membership.Role.OWNER)
    cluster = ClusterFactory(organization=organization, name="c" + XSS[:50])
    engineer = SupportEngineerFactory()
    with django_capture_on_commit_callbacks(execute=True):
        ticket = services.ticket_create(
            reporter=reporter,
            portal="technical",
            organization=organization,
            cluster=cluster,
            environment="production",
            severity="S3",
            summary="Summary " + XSS,
            description="Description " + XSS,
            attachments=[SimpleUploadedFile("log" + XSS[:40] + ".txt", b"text")],
        )
        services.ticket_comment_add(ticket=ticket, author=reporter, body="Comment " + XSS)
        services.ticket_comment_add(ticket=ticket, author=engineer, body="Reply " + XSS)
    return ticket, reporter, engineer


def assert_inert(html: str):
    assert "<script>alert" not in html
    assert "<img src=x onerror" not in html
    assert "&lt;script&gt;" in html


def test_customer_pages_show_markup_as_text(client, poisoned):
    ticket, reporter, _engineer = poisoned
    client.force_login(reporter)
    for url in [
        f"/requests/{ticket.key}/",
        "/requests/?status=all",
        "/console/clusters/",
        f"/console/clusters/{ticket.cluster_id}/",
    ]:
        assert_inert(client.get(url).text)


def test_admin_pages_show_markup_as_text(client, poisoned):
    ticket, _reporter, engineer = poisoned
    client.force_login(engineer)
    for url in [
        "/admin/tickets/ticket/",
        reverse("admin:tickets_ticket_change", args=[ticket.pk]),
    ]:
        assert_inert(client.get(url).text)


def test_html_emails_show_markup_as_text(poisoned):
    assert OutboundEmail.objects.filter(html_body__contains="Description").exists()
    for email in OutboundEmail.objects.exclude(html_body=""):
        assert "<script>alert" not in email.html_body, email.subject
        assert "<img src=x onerror" not in email.html_body, email.subject
