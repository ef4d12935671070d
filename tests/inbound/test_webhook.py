"""The provider webhook at /inbound/<provider>/, with django-anymail's documented payloads:
authenticated by HTTP basic auth, off until a secret is set."""

import base64
import hashlib
import hmac
import json

import pytest

from helpcenter.inbound.models import InboundEmail
from tests.inbound import messages
from tests.inbound.demo import seed_demo_requests
from tickets.models import Ticket
from tickets.notifications import reply_to_address

pytestmark = pytest.mark.django_db
SECRET = "inbound:s3cret-for-tests"


def basic_auth(credentials: str) -> str:
    return "Basic " + base64.b64encode(credentials.encode()).decode()


@pytest.fixture
def webhook_secret(settings):
    settings.ANYMAIL = {"WEBHOOK_SECRET": SECRET}


def postmark_payload(*, to: str, text: str) -> dict:
    """Postmark's inbound JSON as its documentation shows it (parsed fields, no RawEmail)."""
    return {
        "FromName": "Bob Becker",
        "MessageStream": "inbound",
        "From": "bob@globex.example",
        "FromFull": {"Email": "bob@globex.example", "Name": "Bob Becker", "MailboxHash": ""},
        "To": to,
        "ToFull": [{"Email": to, "Name": "", "MailboxHash": ""}],
        "Cc": "",
        "CcFull": [],
        "Bcc": "",
        "BccFull": [],
        "OriginalRecipient": to,
        "Subject": "Re: [TECH-1] TiKV store down after scale-in on globex-analytics",
        "MessageID": "73e6d360-66eb-11e1-8e72-a8904824019b",
        "ReplyTo": "",
        "MailboxHash": "",
        "Date": "Mon, 2 Dec 2026 15:04:00 +0000",
        "TextBody": f"{text}\n\nOn Mon, Dec 2, 2026 at 10:04 AM Help <help@support.example> "
        "wrote:\n> Please restart store 4.\n",
        "HtmlBody": "",
        "StrippedTextReply": text,
        "Tag": "",
        "Headers": [
            {"Name": "Return-Path", "Value": "<bob@globex.example>"},
            {"Name": "Message-ID", "Value": "<CAF=pm-1@mail.globex.example>"},
            {"Name": "X-Spam-Status", "Value": "No"},
        ],
        "Attachments": [],
    }


def test_postmark_inbound_reply_becomes_a_comment(client, webhook_secret, monkeypatch):
    demo = seed_demo_requests(monkeypatch)
    tech1 = Ticket.objects.get(key="TECH-1")
    payload = postmark_payload(
        to=reply_to_address(ticket=tech1, user=demo.bob), text="Store 4 is healthy again."
    )
    response = client.post(
        "/inbound/postmark/",
        json.dumps(payload),
        content_type="application/json",
        HTTP_AUTHORIZATION=basic_auth(SECRET),
    )
    assert response.status_code == 200
    inbound = InboundEmail.objects.get()
    assert (inbound.source, inbound.outcome, inbound.request_key) == (
        "webhook",
        "commented",
        "TECH-1",
    )
    assert tech1.comments.get(inbound_email=inbound).body == "Store 4 is healthy again."


def test_mailgun_raw_mime_is_received_with_its_signature(
    client, webhook_secret, settings, monkeypatch
):
    """Mailgun's forward() route with "mime" in the URL path posts body-mime, signed with the
    webhook signing key (timestamp + token, HMAC-SHA256)."""
    settings.ANYMAIL = {**settings.ANYMAIL, "MAILGUN_WEBHOOK_SIGNING_KEY": "key-mailgun-test"}
    seed_demo_requests(monkeypatch)
    raw = messages.plain_message(
        sender="bob@globex.example",
        to="technical@support.example",
        subject="Backup failed tonight",
        text="The nightly backup of globex-analytics failed at 02:00.",
    )
    timestamp, token = "1796224000", "f3a1c2d4e5b6a7980123456789abcdef0123456789abcdef01"
    signature = hmac.new(
        b"key-mailgun-test", f"{timestamp}{token}".encode(), hashlib.sha256
    ).hexdigest()
    fields = {
        "body-mime": raw.decode(),
        "recipient": "technical@support.example",
        "sender": "bob@globex.example",
        "timestamp": timestamp,
        "token": token,
        "signature": signature,
    }
    response = client.post("/inbound/mailgun/", fields, HTTP_AUTHORIZATION=basic_auth(SECRET))
    forged = client.post(
        "/inbound/mailgun/",
        {**fields, "signature": "0" * 64},
        HTTP_AUTHORIZATION=basic_auth(SECRET),
    )
    assert (response.status_code, forged.status_code) == (200, 400)
    inbound = InboundEmail.objects.get()
    assert inbound.outcome == "created"
    assert Ticket.objects.get(key=inbound.request_key).summary == "Backup failed tonight"


def test_a_post_without_the_secret_is_refused(client, webhook_secret):
    payload = postmark_payload(to="support@support.example", text="hi")
    response = client.post(
        "/inbound/postmark/", json.dumps(payload), content_type="application/json"
    )
    wrong = client.post(
        "/inbound/postmark/",
        json.dumps(payload),
        content_type="application/json",
        HTTP_AUTHORIZATION=basic_auth("inbound:guess"),
    )
    assert (response.status_code, wrong.status_code) == (400, 400)
    assert not InboundEmail.objects.exists()


def test_the_webhook_is_off_until_a_secret_is_set(client, settings):
    settings.ANYMAIL = {"WEBHOOK_SECRET": []}
    response = client.post("/inbound/postmark/", "{}", content_type="application/json")
    assert response.status_code == 404


def test_an_unknown_provider_is_a_404(client, webhook_secret):
    response = client.post(
        "/inbound/nosuch/",
        "{}",
        content_type="application/json",
        HTTP_AUTHORIZATION=basic_auth(SECRET),
    )
    assert response.status_code == 404
