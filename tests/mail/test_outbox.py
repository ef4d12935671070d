"""The email outbox: one row per event and recipient, sent once by a Celery task, retried with
backoff, failed after a limit, and re-enqueued by the sweep when the broker or a worker let it down.

Celery is eager here (no CELERY_BROKER_URL) and Django's locmem backend collects the mail."""

import socket
import time
from datetime import timedelta
from smtplib import SMTPException

import pytest
from celery.exceptions import Retry
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.db import transaction
from django.utils import timezone

from helpcenter.celery import app as celery_app
from helpcenter.mail.delivery import DeliveryDeferred, outbound_email_deliver
from helpcenter.mail.models import OutboundEmail
from helpcenter.mail.selectors import outbound_email_replied_to
from helpcenter.mail.services import (
    EmailDraft,
    outbound_email_queue,
    outbound_email_resend,
    outbound_emails_queue,
)
from helpcenter.mail.tasks import (
    outbound_email_dispatch,
    outbound_email_send,
    outbound_email_sweep,
    outbound_emails_send,
)
from tests.broker import publishing_to

REFUSING_BROKER = "redis://127.0.0.1:1/0"


class FailingBackend(BaseEmailBackend):
    """A mail server that refuses every message."""

    calls = 0

    def send_messages(self, email_messages):
        FailingBackend.calls += 1
        raise SMTPException("451 try again later")


@pytest.fixture
def failing_smtp(settings):
    FailingBackend.calls = 0
    settings.EMAIL_BACKEND = "tests.mail.test_outbox.FailingBackend"
    return FailingBackend


def make_email(**fields) -> OutboundEmail:
    return OutboundEmail.objects.create(
        **{
            "event_key": "test:1",
            "to_email": "someone@customer.example",
            "subject": "[BILL-1] Invoice question",
            "text_body": "Hello",
            "html_body": "<p>Hello</p>",
            **fields,
        }
    )


def queue(event_key="ticket:1:created", to_email="someone@customer.example", **threading):
    return outbound_email_queue(
        event_key=event_key,
        to_email=to_email,
        template_name="password_reset",
        context={"email": to_email, "secret_link": "/accounts/reset/x/y/"},
        **threading,
    )


def sent_headers(message) -> dict[str, str]:
    """The headers as they leave for the mail server."""
    return dict(message.message().items())


def age(email: OutboundEmail, **delta) -> None:
    """Move the row's clock back, as if that much time had passed."""
    OutboundEmail.objects.filter(pk=email.pk).update(
        next_attempt_at=timezone.now() - timedelta(**delta)
    )


def test_queued_email_is_sent_only_after_commit(db, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        email = queue()
        assert mail.outbox == []
    email.refresh_from_db()
    assert email.status == OutboundEmail.Status.SENT
    assert email.attempts == 1
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["someone@customer.example"]
    assert "/accounts/reset/x/y/" in message.body
    assert message.alternatives[0].mimetype == "text/html"


def test_rolled_back_change_leaves_no_email(db, django_capture_on_commit_callbacks):
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        queue()
        raise RuntimeError("the change failed")
    assert not OutboundEmail.objects.exists()
    assert mail.outbox == []


def test_same_event_and_recipient_is_recorded_once(db, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        first = queue()
        second = queue()
        other_recipient = queue(to_email="other@customer.example")
    assert first is not None and other_recipient is not None
    assert second is None
    assert OutboundEmail.objects.count() == 2
    assert sorted(m.to[0] for m in mail.outbox) == [
        "other@customer.example",
        "someone@customer.example",
    ]


def draft(to_email: str, event_key: str = "ticket:1:created", **fields) -> EmailDraft:
    return EmailDraft(
        event_key=event_key,
        to_email=to_email,
        template_name="password_reset",
        context={"email": to_email, "secret_link": "/accounts/reset/x/y/"},
        **fields,
    )


def test_the_emails_of_one_change_are_one_insert_and_one_publish(
    db, django_capture_on_commit_callbacks, django_assert_num_queries
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks, transaction.atomic():
        with django_assert_num_queries(4):  # the thread of each draft, then one INSERT
            queued = outbound_emails_queue(
                drafts=[
                    draft("someone@customer.example", thread_key="ticket:1"),
                    draft("other@customer.example", thread_key="ticket:1"),
                    draft("someone@customer.example", thread_key="ticket:1"),  # the same email
                ]
            )
        assert mail.outbox == []
    assert len(queued) == 2 and all(email.pk for email in queued)
    assert len(callbacks) == 1
    assert sorted(message.to[0] for message in mail.outbox) == [
        "other@customer.example",
        "someone@customer.example",
    ]
    assert set(OutboundEmail.objects.values_list("status", flat=True)) == {"sent"}


def test_the_first_emails_of_a_new_thread_read_no_thread(db, django_assert_num_queries):
    with django_assert_num_queries(1):
        email = outbound_email_queue(
            event_key="ticket:2:created",
            to_email="someone@customer.example",
            template_name="password_reset",
            context={"email": "someone@customer.example", "secret_link": "/x/"},
            thread_key="ticket:2",
            thread_starts=True,
        )
    assert email.thread_key == "ticket:2"
    assert "In-Reply-To" not in email.headers


def test_the_batch_task_hands_each_email_on_as_its_own_task(db):
    emails = [make_email(event_key=f"test:{number}") for number in range(2)]
    assert outbound_emails_send([email.pk for email in emails]) == 2
    assert len(mail.outbox) == 2
    assert set(OutboundEmail.objects.values_list("status", flat=True)) == {"sent"}


def test_subject_and_text_are_not_html_escaped(db, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        email = outbound_email_queue(
            event_key="sales-inquiry:1",
            to_email="sales@support.example",
            template_name="sales_inquiry",
            context={
                "inquiry": {
                    "get_topic_display": "A demo",
                    "company": "Smith & Sons <Ltd>",
                    "name": "O'Brien",
                    "message": "Tom & Jerry",
                }
            },
        )
    assert email.subject == "Sales inquiry: A demo from Smith & Sons <Ltd>"
    assert "Name: O'Brien" in email.text_body
    assert "Smith &amp; Sons &lt;Ltd&gt;" in email.html_body


def test_each_email_is_sent_with_the_message_id_recorded_on_its_row(
    db, django_capture_on_commit_callbacks, settings
):
    settings.DEFAULT_FROM_EMAIL = "Help Center <help@Support.Example>"
    with django_capture_on_commit_callbacks(execute=True):
        first = queue(event_key="a")
        second = queue(event_key="b")
    assert first.message_id != second.message_id
    assert first.message_id.startswith("<") and first.message_id.endswith("@support.example>")
    sent = [sent_headers(message)["Message-ID"] for message in mail.outbox]
    assert sorted(sent) == sorted([first.message_id, second.message_id])


def test_emails_of_one_thread_chain_per_recipient(db, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        first = queue(event_key="1", thread_key="ticket:7")
        other_thread = queue(event_key="2", thread_key="ticket:8")
        second = queue(event_key="3", thread_key="ticket:7")
        other_recipient = queue(event_key="3", thread_key="ticket:7", to_email="b@customer.example")
        third = queue(event_key="4", thread_key="ticket:7")
    assert "In-Reply-To" not in first.headers
    assert "In-Reply-To" not in other_thread.headers
    assert "In-Reply-To" not in other_recipient.headers
    assert second.headers["In-Reply-To"] == first.message_id
    assert second.headers["References"] == first.message_id
    assert third.headers["In-Reply-To"] == second.message_id
    assert third.headers["References"] == f"{first.message_id} {second.message_id}"
    sent = sent_headers(
        next(m for m in mail.outbox if m.extra_headers["Message-ID"] == third.message_id)
    )
    assert sent["In-Reply-To"] == second.message_id
    assert sent["References"].split() == [first.message_id, second.message_id]


def test_a_long_thread_references_its_first_and_latest_emails(
    db, django_capture_on_commit_callbacks, settings
):
    settings.OUTBOUND_EMAIL_PER_THREAD_HOURLY_LIMIT = 100  # a long thread, here within the hour
    with django_capture_on_commit_callbacks(execute=True):
        emails = [queue(event_key=str(number), thread_key="ticket:7") for number in range(15)]
    references = emails[-1].headers["References"].split()
    assert len(references) == 10
    assert references[0] == emails[0].message_id
    assert references[1:] == [email.message_id for email in emails[-10:-1]]


def test_headers_given_when_queued_are_sent(db, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        queue(headers={"Reply-To": "support+abc@support.example", "X-Thing": "1"})
    headers = sent_headers(mail.outbox[0])
    assert headers["Reply-To"] == "support+abc@support.example"
    assert headers["X-Thing"] == "1"


def test_a_reply_finds_the_email_it_answers_by_its_message_ids(db):
    first = queue(event_key="1", thread_key="ticket:7")
    second = queue(event_key="2", thread_key="ticket:7")
    bare = second.message_id.strip("<>")
    assert outbound_email_replied_to(message_ids=[first.message_id]) == first
    assert outbound_email_replied_to(message_ids=[bare, "<unknown@elsewhere.example>"]) == second
    assert outbound_email_replied_to(message_ids=["<unknown@elsewhere.example>"]) is None
    assert outbound_email_replied_to(message_ids=[]) is None


def test_task_run_twice_sends_once(db):
    email = make_email()
    assert outbound_email_send.delay(email.pk).get() is True
    assert outbound_email_send.delay(email.pk).get() is False
    email.refresh_from_db()
    assert email.status == OutboundEmail.Status.SENT
    assert email.attempts == 1
    assert len(mail.outbox) == 1


def test_row_claimed_by_a_running_worker_is_not_sent_again(db):
    email = make_email(status=OutboundEmail.Status.SENDING, claimed_at=timezone.now())
    assert outbound_email_deliver(outbound_email_id=email.pk) is False
    assert mail.outbox == []


def test_sent_and_failed_rows_are_never_sent_by_the_task(db):
    sent = make_email(event_key="a", status=OutboundEmail.Status.SENT)
    failed = make_email(event_key="b", status=OutboundEmail.Status.FAILED)
    assert outbound_email_deliver(outbound_email_id=sent.pk) is False
    assert outbound_email_deliver(outbound_email_id=failed.pk) is False
    assert mail.outbox == []


def test_smtp_failure_leaves_row_pending_with_backoff(db, failing_smtp, settings):
    settings.OUTBOUND_EMAIL_RETRY_BASE_SECONDS = 30
    email = make_email()
    before = timezone.now()
    with pytest.raises(DeliveryDeferred) as deferred:
        outbound_email_deliver(outbound_email_id=email.pk)
    assert deferred.value.countdown == 30
    email.refresh_from_db()
    assert email.status == OutboundEmail.Status.PENDING
    assert email.attempts == 1
    assert "SMTPException: 451 try again later" in email.last_error
    assert email.next_attempt_at >= before + timedelta(seconds=30)


def test_backoff_doubles_after_each_failure(db, failing_smtp, settings):
    settings.OUTBOUND_EMAIL_RETRY_BASE_SECONDS = 30
    email = make_email()
    countdowns = []
    for _ in range(3):
        with pytest.raises(DeliveryDeferred) as deferred:
            outbound_email_deliver(outbound_email_id=email.pk)
        countdowns.append(deferred.value.countdown)
    assert countdowns == [30, 60, 120]


def test_worker_task_retries_with_the_backoff_countdown(db, failing_smtp, monkeypatch):
    email = make_email()
    scheduled = []

    def retry(**options):
        scheduled.append(options["countdown"])
        return Retry("scheduled", when=options["countdown"])

    monkeypatch.setattr(outbound_email_send, "retry", retry)
    with pytest.raises(Retry):
        outbound_email_send(email.pk)  # called as a worker would: not eager
    assert scheduled == [30]
    email.refresh_from_db()
    assert email.status == OutboundEmail.Status.PENDING


def test_eager_task_does_not_retry_inline(db, failing_smtp):
    email = make_email()
    assert outbound_email_send.delay(email.pk).get() is False
    assert failing_smtp.calls == 1
    email.refresh_from_db()
    assert email.status == OutboundEmail.Status.PENDING
    assert email.attempts == 1
    assert email.next_attempt_at > timezone.now()


def test_email_fails_after_the_maximum_attempts(db, failing_smtp, settings):
    settings.OUTBOUND_EMAIL_MAX_ATTEMPTS = 3
    email = make_email()
    for _ in range(2):
        with pytest.raises(DeliveryDeferred):
            outbound_email_deliver(outbound_email_id=email.pk)
    assert outbound_email_deliver(outbound_email_id=email.pk) is False
    email.refresh_from_db()
    assert email.status == OutboundEmail.Status.FAILED
    assert email.attempts == 3
    assert failing_smtp.calls == 3
    age(email, minutes=5)
    assert outbound_email_sweep() == 0


def test_resend_gives_a_failed_email_a_new_round(db, django_capture_on_commit_callbacks):
    email = make_email(status=OutboundEmail.Status.FAILED, attempts=6, last_error="boom")
    with django_capture_on_commit_callbacks() as callbacks:
        assert outbound_email_resend(outbound_email_ids=[email.pk]) == 1
    email.refresh_from_db()
    assert email.status == OutboundEmail.Status.PENDING
    assert email.attempts == 0
    for callback in callbacks:
        callback()
    email.refresh_from_db()
    assert email.status == OutboundEmail.Status.SENT
    assert len(mail.outbox) == 1


def test_resend_ignores_rows_that_did_not_fail(db, django_capture_on_commit_callbacks):
    sent = make_email(status=OutboundEmail.Status.SENT)
    with django_capture_on_commit_callbacks(execute=True):
        assert outbound_email_resend(outbound_email_ids=[sent.pk]) == 0
    assert mail.outbox == []


def test_sweep_sends_rows_pending_for_more_than_a_minute(db):
    waiting = make_email(event_key="old")
    age(waiting, minutes=2)
    make_email(event_key="new")
    backing_off = make_email(
        event_key="later", next_attempt_at=timezone.now() + timedelta(minutes=5)
    )
    assert outbound_email_sweep() == 1
    assert [m.to for m in mail.outbox] == [["someone@customer.example"]]
    waiting.refresh_from_db()
    backing_off.refresh_from_db()
    assert waiting.status == OutboundEmail.Status.SENT
    assert backing_off.status == OutboundEmail.Status.PENDING


def test_worker_killed_mid_task_does_not_lose_the_email(db):
    """A worker that died after claiming leaves the row "sending"; once the claim is older than
    the task time limit, the sweep hands it to another worker, which sends it once."""
    email = make_email(
        status=OutboundEmail.Status.SENDING,
        attempts=1,
        claimed_at=timezone.now() - timedelta(minutes=3),
    )
    assert outbound_email_sweep() == 1
    assert outbound_email_sweep() == 0
    email.refresh_from_db()
    assert email.status == OutboundEmail.Status.SENT
    assert email.attempts == 2
    assert len(mail.outbox) == 1


def test_refused_broker_leaves_the_email_for_the_sweep(db, django_capture_on_commit_callbacks):
    with publishing_to(REFUSING_BROKER):
        started = time.monotonic()
        with django_capture_on_commit_callbacks(execute=True):
            email = queue()
        elapsed = time.monotonic() - started
    assert elapsed < 2
    email.refresh_from_db()
    assert email.status == OutboundEmail.Status.PENDING
    assert email.attempts == 0
    assert mail.outbox == []

    age(email, minutes=2)
    assert outbound_email_sweep() == 1
    assert outbound_email_sweep() == 0
    email.refresh_from_db()
    assert email.status == OutboundEmail.Status.SENT
    assert len(mail.outbox) == 1


def test_silent_broker_gives_up_fast(db):
    """A broker that accepts the connection and never answers costs one short timeout, and the
    next emails of the process do not wait for it again."""
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(16)
        email = make_email()
        with publishing_to(f"redis://127.0.0.1:{silent.getsockname()[1]}/0"):
            started = time.monotonic()
            assert outbound_email_dispatch(outbound_email_id=email.pk) is False
            first = time.monotonic() - started
            started = time.monotonic()
            assert outbound_email_dispatch(outbound_email_id=email.pk) is False
            second = time.monotonic() - started
    assert first < 2
    assert second < 0.1
    email.refresh_from_db()
    assert email.status == OutboundEmail.Status.PENDING


def test_beat_runs_the_sweep_every_minute():
    entry = celery_app.conf.beat_schedule["requeue-stuck-emails"]
    assert entry["task"] == "helpcenter.mail.tasks.outbound_email_sweep"
    assert entry["task"] in celery_app.tasks
    assert entry["schedule"].minute == set(range(60))


def test_worker_settings_are_safe():
    conf = celery_app.conf
    assert conf.task_serializer == "json"
    assert conf.accept_content == ["json"]
    assert conf.task_acks_late is True
    assert conf.task_reject_on_worker_lost is True
    assert conf.task_soft_time_limit < conf.task_time_limit
