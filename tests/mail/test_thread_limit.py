"""Mail loops stop at the outbox: one address gets at most ten emails an hour about one request."""

from datetime import timedelta

import pytest
from django.utils import timezone

from helpcenter.mail.models import OutboundEmail
from helpcenter.mail.services import outbound_email_queue

pytestmark = pytest.mark.django_db


def queue(n: int, *, thread_key: str = "ticket:7", to_email: str = "bot@acme.example"):
    return outbound_email_queue(
        event_key=f"comment:{n}",
        to_email=to_email,
        template_name="sign_up_existing",
        context={"reset_url": "https://help.example/reset/"},
        thread_key=thread_key,
    )


def test_the_eleventh_email_within_the_hour_about_one_request_is_not_queued(settings):
    settings.OUTBOUND_EMAIL_PER_THREAD_HOURLY_LIMIT = 10
    queued = [queue(n) for n in range(11)]
    assert all(email is not None for email in queued[:10])
    assert queued[10] is None
    assert OutboundEmail.objects.filter(to_email="bot@acme.example").count() == 10
    # Another address, and another request, are not held back.
    assert queue(11, to_email="alice@acme.example") is not None
    assert queue(12, thread_key="ticket:8") is not None


def test_the_hour_moves_on(settings):
    settings.OUTBOUND_EMAIL_PER_THREAD_HOURLY_LIMIT = 2
    queue(1), queue(2)
    OutboundEmail.objects.update(created_at=timezone.now() - timedelta(minutes=61))
    assert queue(3) is not None
