"""Email in, as the help desk decides it: replies thread into requests, engineers reply and
write notes, new requests arrive, and nobody posts as someone else or starts a mail loop."""

from datetime import timedelta

import pytest
from django.utils import timezone

from helpcenter.inbound.models import InboundEmail
from helpcenter.inbound.services import inbound_email_receive
from helpcenter.mail.delivery import outbound_email_deliver
from helpcenter.mail.models import BouncingAddress, OutboundEmail
from tests.inbound import messages
from tests.inbound.demo import seed_demo_requests
from tickets import services
from tickets.models import Comment, Ticket
from tickets.notifications import reply_to_address

pytestmark = pytest.mark.django_db
Outcome = InboundEmail.Outcome
ANSWER = "The deleted cluster was acme-old, removed on 2 October."


@pytest.fixture
def demo(monkeypatch):
    return seed_demo_requests(monkeypatch)


def receive(raw: bytes) -> InboundEmail:
    return inbound_email_receive(raw=raw, source=InboundEmail.Source.IMAP).inbound_email


def ticket(key: str) -> Ticket:
    return Ticket.objects.get(key=key)


def emails_to(address: str):
    return OutboundEmail.objects.filter(to_email=address)


def test_reply_to_a_notification_becomes_the_reporters_public_comment(demo):
    tech1 = ticket("TECH-1")
    raw = messages.gmail_reply(
        sender="Bob Becker <bob@globex.example>",
        to=reply_to_address(ticket=tech1, user=demo.bob),
        subject=f"Re: [TECH-1] {tech1.summary}",
        text="Store 4 is back after the restart.",
    )

    inbound = receive(raw)

    comment = Comment.objects.get(ticket=tech1, author=demo.bob)
    assert comment.body == "Store 4 is back after the restart."
    assert not comment.is_internal
    assert comment.inbound_email == inbound
    assert (inbound.outcome, inbound.request_key) == (Outcome.COMMENTED, "TECH-1")
    # The assignee hears about it as about a web comment.
    assert emails_to(demo.agent.email).filter(event_key=f"comment:{comment.pk}").exists()


def test_the_same_message_twice_adds_nothing(demo):
    tech1 = ticket("TECH-1")
    raw = messages.gmail_reply(
        sender="bob@globex.example",
        to=reply_to_address(ticket=tech1, user=demo.bob),
        subject="Re: [TECH-1]",
        text="Once.",
    )
    first = inbound_email_receive(raw=raw, source="imap")
    again = inbound_email_receive(raw=raw, source="webhook")

    assert (first.created, again.created) == (True, False)
    assert again.inbound_email == first.inbound_email
    assert Comment.objects.filter(ticket=tech1, body="Once.").count() == 1


def test_a_customer_reply_hands_a_waiting_request_back_to_support(demo):
    bill1 = ticket("BILL-1")
    assert bill1.status == Ticket.Status.WAITING_FOR_CUSTOMER
    receive(
        messages.outlook_reply(
            sender="Alice Anderson <alice@acme.example>",
            to=reply_to_address(ticket=bill1, user=demo.alice),
            subject=f"RE: [BILL-1] {bill1.summary}",
            text=ANSWER,
        )
    )
    bill1.refresh_from_db()
    assert bill1.status == Ticket.Status.WAITING_FOR_SUPPORT
    assert bill1.comments.last().body == ANSWER


def test_a_reply_address_forwarded_to_someone_else_posts_nothing_and_says_why(demo):
    bill1 = ticket("BILL-1")
    before = bill1.comments.count()
    inbound = receive(
        messages.gmail_reply(
            sender="Carol Chen <carol@initech.example>",  # a member of Acme: she sees BILL-1
            to=reply_to_address(ticket=bill1, user=demo.alice),
            subject="Re: [BILL-1]",
            text=ANSWER,
        )
    )
    assert bill1.comments.count() == before
    assert (inbound.outcome, inbound.replied) == (Outcome.REJECTED, True)
    (reply,) = emails_to("carol@initech.example").filter(event_key__startswith="inbound:")
    assert "belongs to someone else" in reply.text_body


def test_a_stranger_gets_one_polite_reply_a_day(demo):
    def stranger_writes(n):
        return receive(
            messages.plain_message(
                sender="dana@unknown.example",
                to="support@support.example",
                subject=f"Question {n}",
                text="How do I get support?",
            )
        )

    first, second = stranger_writes(1), stranger_writes(2)

    assert Ticket.objects.filter(reporter__email="dana@unknown.example").count() == 0
    (reply,) = emails_to("dana@unknown.example")
    assert "no account with the address dana@unknown.example" in reply.text_body
    assert "/signup/" in reply.text_body
    assert (first.replied, second.replied) == (True, False)
    InboundEmail.objects.filter(pk=first.pk).update(
        received_at=timezone.now() - timedelta(days=1, minutes=1)
    )
    assert stranger_writes(3).replied


def test_an_out_of_office_reply_creates_nothing_and_sends_nothing(demo):
    comments, emails = Comment.objects.count(), OutboundEmail.objects.count()
    inbound = receive(
        messages.out_of_office(
            sender="alice@acme.example",
            to=reply_to_address(ticket=ticket("BILL-1"), user=demo.alice),
            subject="[BILL-1] Invoice",
        )
    )
    assert inbound.outcome == Outcome.IGNORED
    assert (Comment.objects.count(), OutboundEmail.objects.count()) == (comments, emails)


def test_bobs_message_to_the_technical_address_opens_a_technical_request_for_globex(demo):
    inbound = receive(
        messages.plain_message(
            sender="Bob Becker <bob@globex.example>",
            to="technical@support.example",
            subject="TiFlash replicas lag behind",
            text="Since this morning the TiFlash replicas of orders lag by 20 minutes.",
        )
    )
    created = ticket(inbound.request_key)
    assert created.key.startswith("TECH-")
    assert (created.organization, created.reporter, created.severity) == (
        demo.globex,
        demo.bob,
        "S3",
    )
    assert created.summary == "TiFlash replicas lag behind"
    assert emails_to("bob@globex.example").filter(event_key=f"ticket:{created.pk}:created")


def test_a_basic_customer_writing_to_the_technical_address_gets_a_billing_request(demo):
    inbound = receive(
        messages.plain_message(
            sender="alice@acme.example",
            to="technical@support.example",
            subject="Fwd: cluster slow",
            text="Our cluster is slow.",
        )
    )
    created = ticket(inbound.request_key)
    assert (created.portal, created.organization, created.summary) == (
        "billing",
        demo.acme,
        "cluster slow",
    )
    assert "filed as a billing request" in inbound.outcome_detail


def test_an_engineer_replies_by_email_and_the_customer_is_told(demo):
    tech1 = ticket("TECH-1")
    inbound = receive(
        messages.apple_reply(
            sender="Sam Support <agent@support.example>",
            to=reply_to_address(ticket=tech1, user=demo.agent),
            subject="Re: [TECH-1]",
            text="We moved the regions off store 4; please check again.",
        )
    )
    comment = tech1.comments.get(inbound_email=inbound)
    assert (comment.author, comment.is_internal) == (demo.agent, False)
    assert emails_to("bob@globex.example").filter(event_key=f"comment:{comment.pk}").exists()


def test_an_engineers_note_marker_makes_an_internal_note(demo):
    tech1 = ticket("TECH-1")
    emails = OutboundEmail.objects.count()
    inbound = receive(
        messages.plain_message(
            sender="agent@support.example",
            to="support@support.example",
            subject="Re: [TECH-1] TiKV store down",
            text="#note\nStore 4 had a full disk; customer not told yet.",
        )
    )
    comment = tech1.comments.get(inbound_email=inbound)
    assert comment.is_internal
    assert comment.body == "Store 4 had a full disk; customer not told yet."
    assert inbound.outcome == Outcome.NOTE
    assert OutboundEmail.objects.count() == emails


def test_a_reply_about_a_request_the_sender_cannot_see_is_refused(demo):
    inbound = receive(
        messages.plain_message(
            sender="alice@acme.example",
            to="support@support.example",
            subject="Re: [TECH-1] TiKV store down",
            text="Me too!",
        )
    )
    assert inbound.outcome == Outcome.REJECTED
    assert not ticket("TECH-1").comments.filter(author=demo.alice).exists()
    (reply,) = emails_to("alice@acme.example").filter(event_key__startswith="inbound:")
    assert "cannot see the request" in reply.text_body


def test_a_refused_attachment_rejects_the_reply_with_the_allowed_types(demo):
    bill1 = ticket("BILL-1")
    before = bill1.comments.count()
    inbound = receive(
        messages.gmail_reply(
            sender="alice@acme.example",
            to=reply_to_address(ticket=bill1, user=demo.alice),
            subject="Re: [BILL-1]",
            text="Here is the tool.",
            attachments=[
                ("fix.exe", b"MZ\x90\x00\x03" + b"\x00" * 200, "application", "octet-stream")
            ],
        )
    )
    assert bill1.comments.count() == before
    assert inbound.outcome == Outcome.REJECTED
    (reply,) = emails_to("alice@acme.example").filter(event_key__startswith="inbound:")
    assert "fix.exe" in reply.text_body and "PDF" in reply.text_body


def test_an_allowed_attachment_is_stored_on_the_comment(demo):
    bill1 = ticket("BILL-1")
    inbound = receive(
        messages.gmail_reply(
            sender="alice@acme.example",
            to=reply_to_address(ticket=bill1, user=demo.alice),
            subject="Re: [BILL-1]",
            text="Screenshot attached.",
            attachments=[("invoice.png", messages.PNG, "image", "png")],
        )
    )
    comment = bill1.comments.get(inbound_email=inbound)
    (attachment,) = comment.attachments.all()
    assert (attachment.original_name, attachment.content_type) == ("invoice.png", "image/png")


def test_a_message_too_large_is_kept_as_headers_and_answered(demo, settings):
    settings.INBOUND_EMAIL_MAX_BYTES = 2000
    bill1 = ticket("BILL-1")
    inbound = receive(
        messages.plain_message(
            sender="alice@acme.example",
            to=reply_to_address(ticket=bill1, user=demo.alice),
            subject="Re: [BILL-1]",
            text="log line\n" * 500,
        )
    )
    assert inbound.outcome == Outcome.REJECTED
    assert len(bytes(inbound.raw)) < 2000
    assert "we accept messages up to" in inbound.outcome_detail


def test_a_forged_reply_address_threads_nothing(demo):
    bill1 = ticket("BILL-1")
    forged = reply_to_address(ticket=bill1, user=demo.alice).replace("support+", "support+9")
    inbound = receive(
        messages.plain_message(
            sender="carol@initech.example", to=forged, subject="Hello", text="Hi there"
        )
    )
    assert inbound.outcome == Outcome.CREATED  # a new request of carol's, nothing on BILL-1
    assert ticket(inbound.request_key).reporter == demo.carol


def test_more_than_ten_messages_an_hour_about_one_request_stop_being_acted_on(demo):
    bill1 = ticket("BILL-1")
    to = reply_to_address(ticket=bill1, user=demo.alice)
    outcomes = [
        receive(
            messages.plain_message(
                sender="alice@acme.example", to=to, subject="Re: [BILL-1]", text=f"Update {n}"
            )
        ).outcome
        for n in range(11)
    ]
    assert outcomes[:10] == [Outcome.COMMENTED] * 10
    assert outcomes[10] == Outcome.REJECTED  # held for an engineer to run again, not answered
    assert not bill1.comments.filter(body="Update 10").exists()
    assert not emails_to("alice@acme.example").filter(event_key__startswith="inbound:").exists()


def test_a_bounce_marks_the_address_and_nothing_more_is_sent_to_it(demo, mailoutbox):
    emails = OutboundEmail.objects.count()
    inbound = receive(messages.bounce(failed_recipient="alice@acme.example"))
    assert inbound.outcome == Outcome.BOUNCE
    assert "Bouncing now: alice@acme.example." in inbound.outcome_detail
    assert OutboundEmail.objects.count() == emails  # the bounce itself is answered by nothing
    assert BouncingAddress.objects.get().email == "alice@acme.example"

    comment = services.ticket_comment_add(
        ticket=ticket("BILL-1"), author=demo.agent, body="Any news on the cluster name?"
    )
    notification = emails_to("alice@acme.example").get(event_key=f"comment:{comment.pk}")
    assert outbound_email_deliver(outbound_email_id=notification.pk) is False
    notification.refresh_from_db()
    assert notification.status == OutboundEmail.Status.FAILED
    assert notification.last_error.startswith("Not sent: alice@acme.example bounced on")
    assert mailoutbox == []


def test_a_bounce_about_an_address_we_never_wrote_to_marks_nothing(demo):
    inbound = receive(messages.bounce(failed_recipient="someone@elsewhere.example"))
    assert "Not ours, left alone: someone@elsewhere.example." in inbound.outcome_detail
    assert not BouncingAddress.objects.exists()


def test_writing_from_a_bouncing_address_confirms_it_again(demo):
    receive(messages.bounce(failed_recipient="alice@acme.example"))
    inbound = receive(
        messages.plain_message(
            sender="alice@acme.example",
            to=reply_to_address(ticket=ticket("BILL-1"), user=demo.alice),
            subject="Re: [BILL-1]",
            text="My mailbox was full, sorry. It was acme-old.",
        )
    )
    assert inbound.outcome == Outcome.COMMENTED
    assert "it gets email again" in inbound.outcome_detail
    assert not BouncingAddress.objects.exists()


def test_a_handler_error_keeps_the_message_as_failed(demo, monkeypatch):
    def broken(**kwargs):
        raise RuntimeError("database hiccup")

    monkeypatch.setattr("tickets.inbound.inbound_email_handle", broken)
    inbound = receive(
        messages.plain_message(
            sender="bob@globex.example", to="support@support.example", subject="Hi", text="Hello"
        )
    )
    assert inbound.outcome == Outcome.FAILED
    assert "database hiccup" in inbound.outcome_detail
    assert bytes(inbound.raw).startswith(b"From: bob@globex.example")


def test_notifications_carry_a_reply_address_per_recipient(demo):
    tech1 = ticket("TECH-1")
    to_bob = emails_to("bob@globex.example").get(event_key=f"ticket:{tech1.pk}:created")
    to_team = emails_to("support-team@support.example").get(event_key=f"ticket:{tech1.pk}:created")
    assert to_bob.headers["Reply-To"] == reply_to_address(ticket=tech1, user=demo.bob)
    assert to_bob.headers["Reply-To"].startswith(f"support+{tech1.pk}.{demo.bob.pk}.")
    assert to_team.headers["Reply-To"] == "support@support.example"


def test_a_reply_without_the_reply_address_threads_by_in_reply_to(demo):
    """A mail client that answered the From address, or an engineer answering the team's copy:
    the Message-ID of our email in In-Reply-To finds the request."""
    tech1 = ticket("TECH-1")
    notification = emails_to("support-team@support.example").get(
        event_key=f"ticket:{tech1.pk}:created"
    )
    inbound = receive(
        messages.gmail_reply(
            sender="Sam Support <agent@support.example>",
            to="support@support.example",
            subject="Re: the outage",
            text="Looking at it now.",
            in_reply_to=notification.message_id,
        )
    )
    assert (inbound.outcome, inbound.request_key) == (Outcome.COMMENTED, "TECH-1")
    assert tech1.comments.get(inbound_email=inbound).author == demo.agent


def test_an_explanatory_reply_is_marked_automatic_and_threads_under_the_message(demo):
    raw = messages.plain_message(
        sender="erin@nowhere.example", to="support@support.example", subject="Hi", text="Hello"
    )
    inbound = receive(raw)
    (answer,) = emails_to("erin@nowhere.example")
    assert answer.headers["Auto-Submitted"] == "auto-replied"
    assert answer.headers["In-Reply-To"] == inbound.message_id


def test_a_reply_about_a_merged_request_goes_to_the_one_that_goes_on(demo):
    bill1, bill3 = ticket("BILL-1"), ticket("BILL-3")  # both Acme's
    services.ticket_merge(duplicate=bill3, target=bill1, actor=demo.agent)
    inbound = receive(
        messages.plain_message(
            sender="carol@initech.example",
            to=reply_to_address(ticket=bill3, user=demo.carol),
            subject="Re: [BILL-3]",
            text="Thanks, I will follow BILL-1 then.",
        )
    )
    assert (inbound.outcome, inbound.request_key) == (Outcome.COMMENTED, "BILL-1")
