"""Against a real IMAP server (Dovecot, started here): mail clients' messages are APPENDed to the
inbox, `manage.py inbound_email_poll` runs, and the requests show what a person would see."""

import io
import threading

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from helpcenter.inbound import imap
from helpcenter.inbound.models import InboundEmail
from helpcenter.mail.models import OutboundEmail
from tests.inbound import messages
from tests.inbound.demo import seed_demo_requests
from tests.inbound.dovecot import dovecot
from tickets.models import Comment, Ticket
from tickets.notifications import reply_to_address

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def imap_server():
    with dovecot() as server:
        yield server


@pytest.fixture
def mailbox(imap_server, settings):
    imap_server.empty()
    settings.INBOUND_IMAP_URL = imap_server.url
    return imap_server


@pytest.fixture
def demo(db, monkeypatch):
    return seed_demo_requests(monkeypatch)


def poll() -> str:
    out = io.StringIO()
    call_command("inbound_email_poll", stdout=out)
    return out.getvalue()


def tech1_reply(demo, *, sender: str, text: str) -> bytes:
    """An answer to the notification bob got about TECH-1, as his mail client writes it: to
    the notification's Reply-To, under its Message-ID."""
    tech1 = Ticket.objects.get(key="TECH-1")
    notification = OutboundEmail.objects.get(
        to_email="bob@globex.example", event_key=f"ticket:{tech1.pk}:created"
    )
    return messages.gmail_reply(
        sender=sender,
        to=notification.headers["Reply-To"],
        subject=f"Re: {notification.subject}",
        text=text,
        in_reply_to=notification.message_id,
    )


def test_a_reply_to_the_notification_is_a_comment_within_one_poll_and_only_once(mailbox, demo):
    mailbox.deliver(
        tech1_reply(demo, sender="Bob Becker <bob@globex.example>", text="Store 4 is back.")
    )

    assert poll().startswith("1 new, 0 already received")

    comment = Comment.objects.get(ticket__key="TECH-1", author=demo.bob)
    assert comment.body == "Store 4 is back."  # without the quoted history
    assert OutboundEmail.objects.filter(
        to_email=demo.agent.email, event_key=f"comment:{comment.pk}"
    ).exists()
    assert mailbox.folder_counts() == {"INBOX": 0, "Processed": 1, "Rejected": 0}

    assert poll().startswith("0 new")
    assert Comment.objects.filter(ticket__key="TECH-1", author=demo.bob).count() == 1


def test_the_same_reply_from_another_address_creates_nothing_and_is_answered(mailbox, demo):
    mailbox.deliver(
        tech1_reply(demo, sender="Mallory <mallory@elsewhere.example>", text="Store 4 is back.")
    )
    poll()
    assert not Comment.objects.filter(body="Store 4 is back.").exists()
    (answer,) = OutboundEmail.objects.filter(to_email="mallory@elsewhere.example")
    assert "belongs to someone else" in answer.text_body
    assert mailbox.folder_counts() == {"INBOX": 0, "Processed": 0, "Rejected": 1}


def test_an_out_of_office_reply_creates_nothing_and_sends_nothing(mailbox, demo):
    tech1 = Ticket.objects.get(key="TECH-1")
    comments, emails = Comment.objects.count(), OutboundEmail.objects.count()
    mailbox.deliver(
        messages.out_of_office(
            sender="bob@globex.example",
            to=reply_to_address(ticket=tech1, user=demo.bob),
            subject=f"[TECH-1] {tech1.summary}",
        )
    )
    poll()
    assert (Comment.objects.count(), OutboundEmail.objects.count()) == (comments, emails)
    assert InboundEmail.objects.get().outcome == "ignored"
    assert mailbox.folder_counts()["Processed"] == 1


def test_bobs_new_message_to_the_technical_address_is_a_tech_request_for_globex(mailbox, demo):
    mailbox.deliver(
        messages.plain_message(
            sender="Bob Becker <bob@globex.example>",
            to="technical@support.example",
            subject="Slow writes on globex-analytics",
            text="Write latency went from 5 ms to 300 ms at 09:00 UTC.",
            attachments=[("latency.csv", b"time,ms\n09:00,300\n", "text", "csv")],
        )
    )
    poll()
    created = Ticket.objects.get(summary="Slow writes on globex-analytics")
    assert created.key.startswith("TECH-")
    assert (created.organization, created.reporter) == (demo.globex, demo.bob)
    assert created.comments.get().attachments.get().original_name == "latency.csv"
    assert OutboundEmail.objects.filter(
        to_email="bob@globex.example", event_key=f"ticket:{created.pk}:created"
    ).exists()


def test_replies_from_outlook_apple_mail_and_html_only_clients_and_a_bounce(mailbox, demo):
    bill1 = Ticket.objects.get(key="BILL-1")
    tech1 = Ticket.objects.get(key="TECH-1")
    to_alice = reply_to_address(ticket=bill1, user=demo.alice)
    mailbox.deliver(
        messages.outlook_reply(
            sender="alice@acme.example",
            to=to_alice,
            subject="RE: [BILL-1]",
            text="It was acme-old.",
        ),
        messages.apple_reply(
            sender="bob@globex.example",
            to=reply_to_address(ticket=tech1, user=demo.bob),
            subject="Re: [TECH-1]",
            text="Checked from my phone: all green.",
        ),
        messages.html_only_reply(
            sender="alice@acme.example", to=to_alice, subject="Re: [BILL-1]", text="Also acme-old2."
        ),
        messages.bounce(failed_recipient="carol@initech.example"),
    )

    assert poll().startswith("4 new")

    assert list(bill1.comments.filter(author=demo.alice).values_list("body", flat=True)) == [
        "It was acme-old.",
        "Also acme-old2.",
    ]
    assert tech1.comments.filter(author=demo.bob).get().body == "Checked from my phone: all green."
    assert InboundEmail.objects.get(from_email__startswith="mailer-daemon").outcome == "bounce"
    assert mailbox.folder_counts() == {"INBOX": 0, "Processed": 4, "Rejected": 0}


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_pollers_at_once_process_each_message_once(mailbox, monkeypatch):
    """Two beat processes without the shared lock (each its own cache): the unique stored
    message still makes each one a single comment."""
    demo = seed_demo_requests(monkeypatch)
    monkeypatch.setattr(imap.cache, "add", lambda *args, **kwargs: True)
    mailbox.deliver(
        *[
            tech1_reply(demo, sender="bob@globex.example", text=f"Update number {n}.")
            for n in range(6)
        ]
    )
    errors = []

    def poller():
        try:
            imap.inbound_imap_poll()
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=poller) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert errors == []
    bodies = list(
        Comment.objects.filter(author=demo.bob, body__startswith="Update number").values_list(
            "body", flat=True
        )
    )
    assert sorted(bodies) == [f"Update number {n}." for n in range(6)]
    assert InboundEmail.objects.count() == 6
    assert mailbox.folder_counts() == {"INBOX": 0, "Processed": 6, "Rejected": 0}


def test_a_poll_while_another_holds_the_lock_does_nothing(mailbox, demo):
    mailbox.deliver(tech1_reply(demo, sender="bob@globex.example", text="Later."))
    imap.cache.add(imap.LOCK_KEY, "other-poller", timeout=60)
    try:
        assert poll() == "Another poll is running; nothing done.\n"
    finally:
        imap.cache.delete(imap.LOCK_KEY)
    assert mailbox.folder_counts()["INBOX"] == 1


def test_the_command_says_when_no_mailbox_is_set(settings):
    settings.INBOUND_IMAP_URL = ""
    with pytest.raises(CommandError, match="INBOUND_IMAP_URL is not set"):
        call_command("inbound_email_poll")
