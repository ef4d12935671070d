"""Notification email against the real parts: a customer files a request through the web layer,
a real Celery worker takes the task from a real Redis broker, and the mail arrives at a real SMTP
server started here (aiosmtpd on a free local port). The web process only publishes.

The worker runs as a subprocess on the pytest test database, so these tests commit for real
(transactional, with the migration data put back afterwards). A queue name of their own keeps
them apart from any other worker on the same Redis."""

import email
import email.policy
import os
import re
import smtplib
import socket
import subprocess
import sys
import threading
import time
import uuid
from datetime import timedelta
from pathlib import Path
from urllib.parse import quote

import pytest
import redis
from aiosmtpd.controller import Controller
from django.conf import settings
from django.core import mail
from django.test import Client
from django.utils import timezone

from helpcenter.mail.models import OutboundEmail
from helpcenter.mail.tasks import outbound_email_sweep
from tests.broker import publishing_to
from tickets import services
from tickets.models import SatisfactionRating, Ticket

ROOT = Path(__file__).resolve().parent.parent
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
REFUSING_BROKER = "redis://127.0.0.1:1/0"
WORKER_START_SECONDS = 30
DELIVERY_SECONDS = 20

pytestmark = [
    pytest.mark.e2e,
    # The worker only sees committed rows; the flush after each test also wipes the plans the
    # data migrations load, so a serialized rollback puts them back.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Inbox:
    """The aiosmtpd handler: every message the server accepts, with the time it arrived."""

    def __init__(self):
        self._lock = threading.Lock()
        self.received: list[tuple[float, list[str], email.message.EmailMessage]] = []

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self._lock:
            self.received.append((time.monotonic(), list(envelope.rcpt_tos), message))
        return "250 Message accepted for delivery"

    def clear(self) -> None:
        with self._lock:
            self.received.clear()

    def wait_for(self, count: int, timeout: float = DELIVERY_SECONDS) -> list:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                if len(self.received) >= count:
                    break
            time.sleep(0.05)
        # A duplicate would arrive right behind the first copy; give it the chance to.
        time.sleep(1)
        with self._lock:
            return list(self.received)


@pytest.fixture(scope="module")
def smtp_server():
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    inbox.port = controller.port
    yield inbox
    controller.stop()


@pytest.fixture
def inbox(smtp_server):
    smtp_server.clear()
    return smtp_server


def worker_database_url() -> str:
    database = settings.DATABASES["default"]
    if database["ENGINE"] != "django.db.backends.postgresql":
        pytest.skip("the worker subprocess needs a shared database server (DATABASE_URL=postgres)")
    credentials = quote(database["USER"] or "")
    if database["PASSWORD"]:
        credentials += ":" + quote(database["PASSWORD"])
    host = database["HOST"] or "127.0.0.1"
    port = database["PORT"] or 5432
    return f"postgres://{credentials}@{host}:{port}/{database['NAME']}"


@pytest.fixture(scope="module")
def celery_worker(django_db_setup, smtp_server, tmp_path_factory):
    """`celery -A helpcenter worker` on the test database, the Redis broker and the SMTP server."""
    queue = f"hc-e2e-{uuid.uuid4().hex[:12]}"
    log_path = tmp_path_factory.mktemp("worker") / "worker.log"
    env = {key: value for key, value in os.environ.items() if not key.startswith("CELERY_")}
    env.update(
        DATABASE_URL=worker_database_url(),
        CELERY_BROKER_URL=REDIS_URL,
        CELERY_TASK_DEFAULT_QUEUE=queue,
        EMAIL_URL=f"smtp://127.0.0.1:{smtp_server.port}",
        SUPPORT_TEAM_EMAIL=settings.SUPPORT_TEAM_EMAIL,
        PYTHONUNBUFFERED="1",
    )
    command = [
        sys.executable,
        "-m",
        "celery",
        "-A",
        "helpcenter",
        "worker",
        "--pool=prefork",
        "--concurrency=1",
        "--without-mingle",
        "--without-gossip",
        "--without-heartbeat",
        "--loglevel=INFO",
        f"--hostname={queue}@%h",
    ]
    with open(log_path, "wb") as log:
        worker = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + WORKER_START_SECONDS
        while b" ready." not in log_path.read_bytes():
            if worker.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"The Celery worker did not start:\n{log_path.read_text()}")
            time.sleep(0.1)
        yield {"broker_url": REDIS_URL, "queue": queue, "log": log_path}
    finally:
        worker.terminate()
        try:
            worker.wait(timeout=15)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()
        broker = redis.Redis.from_url(REDIS_URL)
        broker.delete(queue, f"_kombu.binding.{queue}")
        broker.close()


@pytest.fixture
def smtp_connections(monkeypatch):
    """Every SMTP connection this (web) process tries to open."""
    opened = []
    real_connect = smtplib.SMTP.connect

    def connect(self, *args, **kwargs):
        opened.append(args)
        return real_connect(self, *args, **kwargs)

    monkeypatch.setattr(smtplib.SMTP, "connect", connect)
    return opened


@pytest.fixture
def customer(basic_org, client):
    organization, owner, cluster = basic_org
    client.force_login(owner)
    return {"organization": organization, "user": owner, "cluster": cluster}


def file_billing_request(client, customer) -> tuple:
    started = time.monotonic()
    response = client.post(
        "/portals/billing/",
        {
            "summary": "Charged twice & no refund",
            "organization": customer["organization"].pk,
            "cluster": customer["cluster"].pk,
            "description": "Two identical charges on 3 October.",
            "severity": "S3",
            "shared_with_organization": "on",
        },
    )
    return response, time.monotonic() - started, time.monotonic()


def by_recipient(received) -> dict[str, list]:
    messages: dict[str, list] = {}
    for arrived, recipients, message in received:
        for recipient in recipients:
            messages.setdefault(recipient, []).append((arrived, message))
    return messages


def test_filed_request_reaches_reporter_and_team_once_each_through_worker_and_smtp(
    client, customer, inbox, celery_worker, smtp_connections
):
    reporter = customer["user"]
    with publishing_to(celery_worker["broker_url"], celery_worker["queue"]):
        response, post_seconds, posted_at = file_billing_request(client, customer)
    assert response.status_code == 302
    ticket = Ticket.objects.get(reporter=reporter)
    assert response["Location"] == f"/requests/{ticket.key}/"

    received = by_recipient(inbox.wait_for(2))
    assert sorted(received) == sorted([reporter.email, settings.SUPPORT_TEAM_EMAIL])
    assert [len(copies) for copies in received.values()] == [1, 1]

    confirmation = received[reporter.email][0][1]
    assert confirmation["Subject"] == f"[{ticket.key}] Charged twice & no refund"
    text = confirmation.get_body(preferencelist=("plain",)).get_content()
    html = confirmation.get_body(preferencelist=("html",)).get_content()
    assert f"We received your request {ticket.key}" in text
    assert f"/requests/{ticket.key}/" in text and f"/requests/{ticket.key}/" in html
    assert "/notifications/off/" in text and "/notifications/off/" in html
    notice = received[settings.SUPPORT_TEAM_EMAIL][0][1]
    assert ticket.key in notice["Subject"]

    assert set(OutboundEmail.objects.values_list("status", "attempts")) == {("sent", 1)}
    # The web process published and nothing else: no SMTP connection, nothing sent in-process.
    assert smtp_connections == []
    assert mail.outbox == []
    delays = sorted(arrived - posted_at for copies in received.values() for arrived, _ in copies)
    print(
        f"\nPOST answered in {post_seconds:.3f}s; emails arrived "
        + ", ".join(f"{delay:.3f}s" for delay in delays)
        + " after it"
    )


def test_emails_about_one_request_arrive_as_one_thread_and_the_rating_link_records_a_rating(
    client, customer, engineer, inbox, celery_worker
):
    """Filed, answered, then answered and resolved in one save: three emails to the reporter as
    the mail server receives them, one subject, each In-Reply-To the previous and References
    back to the first, each with one-click unsubscribe; the last says both and its rating link
    records a rating."""
    reporter = customer["user"]
    with publishing_to(celery_worker["broker_url"], celery_worker["queue"]):
        file_billing_request(client, customer)
        ticket = Ticket.objects.get(reporter=reporter)
        services.ticket_comment_add(ticket=ticket, author=engineer, body="Looking at it.")
        with services.ticket_save():
            services.ticket_comment_add(ticket=ticket, author=engineer, body="Refunded on 4 Oct.")
            services.ticket_status_change(
                ticket=ticket, actor=engineer, to_status=Ticket.Status.RESOLVED
            )
    received = by_recipient(inbox.wait_for(4))
    assert len(received[reporter.email]) == 3
    filed, answered, resolved = (
        message for _arrived, message in sorted(received[reporter.email], key=lambda m: m[0])
    )
    assert {message["Subject"] for message in (filed, answered, resolved)} == {
        f"[{ticket.key}] Charged twice & no refund"
    }
    assert filed["In-Reply-To"] is None
    assert answered["In-Reply-To"] == filed["Message-ID"]
    assert answered["References"].split() == [filed["Message-ID"]]
    assert resolved["In-Reply-To"] == answered["Message-ID"]
    assert resolved["References"].split() == [filed["Message-ID"], answered["Message-ID"]]
    unsubscribe_prefix = f"<{settings.SITE_URL}/notifications/off/"
    for message in (filed, answered, resolved):
        assert message["List-Unsubscribe"].strip().startswith(unsubscribe_prefix)
        assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    recorded = OutboundEmail.objects.filter(to_email=reporter.email).order_by("pk")
    assert [email.message_id for email in recorded] == [
        filed["Message-ID"],
        answered["Message-ID"],
        resolved["Message-ID"],
    ]

    text = resolved.get_body(preferencelist=("plain",)).get_content()
    assert f"{ticket.key} has been resolved" in text and "Refunded on 4 Oct." in text
    rating_path = re.search(rf"  4 Good: {re.escape(settings.SITE_URL)}(/ratings/\S+/)", text)[1]
    browser = Client()
    assert "Send my rating" in browser.get(rating_path).text
    assert not SatisfactionRating.objects.filter(ticket=ticket).exists()
    assert browser.post(rating_path, {"rating": "4"}).status_code == 200
    assert SatisfactionRating.objects.get(ticket=ticket).rating == 4


def test_request_filed_while_the_broker_is_down_is_saved_and_waits_for_the_sweep(
    client, customer, django_capture_on_commit_callbacks
):
    with publishing_to(REFUSING_BROKER):
        response, post_seconds, _posted_at = file_billing_request(client, customer)
    print(f"\nPOST with the broker refusing connections answered in {post_seconds:.3f}s")
    assert response.status_code == 302
    ticket = Ticket.objects.get(reporter=customer["user"])
    assert response["Location"] == f"/requests/{ticket.key}/"
    assert post_seconds < 2
    assert set(OutboundEmail.objects.values_list("status", "attempts")) == {("pending", 0)}
    assert OutboundEmail.objects.count() == 2
    assert mail.outbox == []

    # More than a minute later, the sweep (in-process here) sends each email once.
    OutboundEmail.objects.update(next_attempt_at=timezone.now() - timedelta(minutes=2))
    assert outbound_email_sweep() == 2
    assert outbound_email_sweep() == 0
    assert sorted(message.to[0] for message in mail.outbox) == sorted(
        [customer["user"].email, settings.SUPPORT_TEAM_EMAIL]
    )
    assert set(OutboundEmail.objects.values_list("status", flat=True)) == {"sent"}


def test_emails_held_while_the_broker_was_down_arrive_once_when_it_and_beat_are_back(
    client, customer, inbox, celery_worker, smtp_connections
):
    with publishing_to(REFUSING_BROKER):
        response, _post_seconds, _posted_at = file_billing_request(client, customer)
    assert response.status_code == 302
    assert set(OutboundEmail.objects.values_list("status", flat=True)) == {"pending"}

    # The rows have waited for more than a minute; beat publishes the sweep, the worker runs it.
    OutboundEmail.objects.update(next_attempt_at=timezone.now() - timedelta(minutes=2))
    with publishing_to(celery_worker["broker_url"], celery_worker["queue"]):
        outbound_email_sweep.delay()
        outbound_email_sweep.delay()  # a second tick before the first one finished
    received = by_recipient(inbox.wait_for(2))
    assert sorted(received) == sorted([customer["user"].email, settings.SUPPORT_TEAM_EMAIL])
    assert [len(copies) for copies in received.values()] == [1, 1]
    assert set(OutboundEmail.objects.values_list("status", "attempts")) == {("sent", 1)}
    assert smtp_connections == []
