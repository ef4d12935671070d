"""The stored message: once per message, raw bytes kept for 30 days."""

from datetime import timedelta

import pytest
from django.utils import timezone

from helpcenter.inbound.models import InboundEmail
from helpcenter.inbound.services import inbound_email_receive, inbound_emails_purge_raw
from helpcenter.inbound.tasks import inbound_email_poll
from tests.inbound import messages

pytestmark = pytest.mark.django_db


def test_one_message_delivered_to_two_of_our_addresses_is_handled_once(basic_org):
    """The copy for support@ and the copy for technical@ differ in their Delivered-To line but
    share the Message-ID: one request, not two."""
    raw = messages.plain_message(
        sender=basic_org.owner.email,
        to="support@support.example, technical@support.example",
        subject="Billing contact",
        text="Please add finance@acme.example to our invoices.",
    )
    first = inbound_email_receive(
        raw=b"Delivered-To: support@support.example\r\n" + raw, source="imap"
    )
    second = inbound_email_receive(
        raw=b"Delivered-To: technical@support.example\r\n" + raw, source="imap"
    )
    assert (first.created, second.created) == (True, False)
    assert InboundEmail.objects.count() == 1
    assert first.inbound_email.outcome == "created"


def test_raw_bytes_are_dropped_after_thirty_days_and_the_text_stays(basic_org):
    def stranger_writes():
        raw = messages.plain_message(
            sender="nobody@elsewhere.example",
            to="support@support.example",
            subject="Hi",
            text="Hello",
        )
        return inbound_email_receive(raw=raw, source="imap").inbound_email

    old, recent = stranger_writes(), stranger_writes()
    InboundEmail.objects.filter(pk=old.pk).update(
        received_at=timezone.now() - timedelta(days=30, minutes=1)
    )

    assert inbound_emails_purge_raw() == 1

    old.refresh_from_db()
    recent.refresh_from_db()
    assert old.raw is None and old.text == "Hello"
    assert recent.raw is not None


def test_the_beat_task_does_nothing_without_a_mailbox(settings):
    settings.INBOUND_IMAP_URL = ""
    assert inbound_email_poll() == 0
