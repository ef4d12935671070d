"""Template injection: template syntax typed by a customer is text. It is never rendered as a
template (in pages, emails or canned-response placeholders)."""

import pytest
from django.urls import reverse

from accounts.models import OutboundEmail
from tests.factories import SupportEngineerFactory
from tickets import services
from tickets.selectors import canned_responses_for_ticket

pytestmark = pytest.mark.django_db

PAYLOAD = "{{ settings.SECRET_KEY }}{% debug %}{{ request.user.password }}{customer_name}"


@pytest.fixture
def ticket(enterprise_org, django_capture_on_commit_callbacks, settings):
    settings.SECRET_KEY = "the-real-secret-key-that-must-not-leak-0123456789"
    organization, owner, cluster = enterprise_org
    with django_capture_on_commit_callbacks(execute=True):
        return services.ticket_create(
            reporter=owner,
            portal="technical",
            organization=organization,
            cluster=cluster,
            environment="production",
            severity="S3",
            summary=PAYLOAD[:200],
            description=PAYLOAD,
        )


def test_pages_show_template_syntax_verbatim(client, ticket):
    client.force_login(ticket.reporter)
    page = client.get(f"/requests/{ticket.key}/").text
    assert "{{ settings.SECRET_KEY }}" in page
    assert "the-real-secret-key" not in page


def test_emails_show_template_syntax_verbatim(ticket):
    for email in OutboundEmail.objects.all():
        body = email.subject + email.text_body + email.html_body
        assert "the-real-secret-key" not in body
        assert "pbkdf2" not in body and "md5$" not in body


def test_canned_response_placeholders_are_plain_replacement(ticket, client):
    from tickets.models import CannedResponse

    CannedResponse.objects.create(title="Echo", body="About {summary} for {customer_name}")
    filled = dict(canned_responses_for_ticket(ticket=ticket))["Echo"]
    assert "{{ settings.SECRET_KEY }}" in filled
    assert "the-real-secret-key" not in filled
    engineer = SupportEngineerFactory()
    client.force_login(engineer)
    page = client.get(reverse("admin:tickets_ticket_change", args=[ticket.pk])).text
    assert "the-real-secret-key" not in page
