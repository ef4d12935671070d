"""Broken access control: another organization's requests, and access that outlives membership.

A participant or reporter removed from the organization must lose the request page, its
comments and files, its export rows and its emails at once."""

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.models import Membership, OutboundEmail, SecurityEvent
from accounts.services import membership_remove
from tests.factories import SupportEngineerFactory, UserFactory, add_authenticator
from tickets import services
from tickets.models import Attachment

pytestmark = pytest.mark.django_db


@pytest.fixture
def acme(enterprise_org, member_of):
    """Acme's owner files a private request and names a colleague, who adds a file."""
    organization, owner, cluster = enterprise_org
    colleague = member_of(organization)
    ticket = services.ticket_create(
        reporter=owner,
        portal="technical",
        organization=organization,
        cluster=cluster,
        environment="production",
        severity="S3",
        summary="Slow joins in reporting",
        description="Joins are slow.",
        shared_with_organization=False,
    )
    services.ticket_sharing_update(
        ticket=ticket, actor=owner, shared_with_organization=False, participants=[colleague]
    )
    services.ticket_comment_add(
        ticket=ticket,
        author=colleague,
        body="Here is the slow query log.",
        attachments=[SimpleUploadedFile("slow.log", b"select 1; -- 12 s\n")],
    )
    return organization, owner, colleague, ticket


def _remove(colleague, organization, owner):
    membership_remove(
        membership=Membership.objects.get(user=colleague, organization=organization), actor=owner
    )


def test_participant_sees_the_request_while_a_member(client, acme):
    _organization, _owner, colleague, ticket = acme
    client.force_login(colleague)
    assert client.get(f"/requests/{ticket.key}/").status_code == 200


def test_removed_participant_gets_404_on_every_request_url(client, acme):
    organization, owner, colleague, ticket = acme
    attachment = Attachment.objects.get(comment__ticket=ticket)
    _remove(colleague, organization, owner)
    client.force_login(colleague)
    base = f"/requests/{ticket.key}"
    assert client.get(f"{base}/").status_code == 404
    assert client.get(f"{base}/attachments/{attachment.pk}/").status_code == 404
    for action in ("comments", "resolve", "reopen", "notifications", "rating", "sharing"):
        assert client.post(f"{base}/{action}/", {"body": "still here?"}).status_code == 404
    assert not ticket.comments.filter(body="still here?").exists()


def test_removed_reporter_loses_their_own_request(client, acme, member_of):
    organization, owner, _colleague, ticket = acme
    other_owner = member_of(organization, role=Membership.Role.OWNER)
    _remove(owner, organization, other_owner)
    client.force_login(owner)
    assert client.get(f"/requests/{ticket.key}/").status_code == 404


def test_removed_participant_gets_no_export_rows(client, acme):
    organization, owner, colleague, ticket = acme
    _remove(colleague, organization, owner)
    client.force_login(colleague)
    response = client.get("/requests/export.csv", {"status": "all"})
    body = b"".join(response.streaming_content).decode()
    rows = list(csv.reader(io.StringIO(body)))
    assert rows[1:] == []
    assert ticket.key not in body


def test_removed_participant_gets_no_further_emails(acme):
    organization, owner, colleague, ticket = acme
    engineer = SupportEngineerFactory()
    _remove(colleague, organization, owner)
    services.ticket_comment_add(ticket=ticket, author=engineer, body="Try an index on orders.")
    recipients = set(
        OutboundEmail.objects.filter(text_body__contains="Try an index").values_list(
            "to_email", flat=True
        )
    )
    assert owner.email in recipients
    assert colleague.email not in recipients


def test_removal_records_who_removed_whom(acme):
    organization, owner, colleague, _ticket = acme
    _remove(colleague, organization, owner)
    event = SecurityEvent.objects.get(kind=SecurityEvent.Kind.MEMBERSHIP_REMOVED)
    assert (event.actor, event.user, event.organization) == (owner, colleague, organization)


def test_admin_membership_delete_goes_through_the_service(acme, client, django_user_model):
    organization, _owner, colleague, _ticket = acme
    admin = django_user_model.objects.create_superuser(email="root@support.example", password="x")
    add_authenticator(admin)
    membership = Membership.objects.get(user=colleague, organization=organization)
    client.force_login(admin)
    response = client.post(
        f"/admin/accounts/membership/{membership.pk}/delete/", {"post": "yes"}, follow=True
    )
    assert response.status_code == 200
    assert not Membership.objects.filter(pk=membership.pk).exists()
    event = SecurityEvent.objects.get(kind=SecurityEvent.Kind.MEMBERSHIP_REMOVED)
    assert (event.actor, event.user) == (admin, colleague)


def test_another_organizations_private_request_is_404(client, acme):
    _organization, _owner, _colleague, ticket = acme
    stranger = UserFactory()
    client.force_login(stranger)
    assert client.get(f"/requests/{ticket.key}/").status_code == 404
    response = client.get("/requests/export.csv", {"status": "all"})
    assert ticket.key not in b"".join(response.streaming_content).decode()
