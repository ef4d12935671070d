"""Inbound emails in the admin: engineers see each message with its outcome and the original,
and run a rejected one again once the problem is fixed."""

import pytest
from django.urls import reverse

from accounts.models import Membership
from helpcenter.inbound.models import InboundEmail
from helpcenter.inbound.services import inbound_email_receive
from helpcenter.mail.models import BouncingAddress
from helpcenter.mail.services import bouncing_address_record
from tests.factories import MembershipFactory, UserFactory, file_request
from tests.inbound import messages
from tickets.notifications import reply_to_address

pytestmark = pytest.mark.django_db


@pytest.fixture
def rejected(basic_org):
    raw = messages.plain_message(
        sender="dana@newcustomer.example",
        to="support@support.example",
        subject="Invoice address",
        text="Please change our invoice address to 1 Main St.",
    )
    return inbound_email_receive(raw=raw, source="imap").inbound_email


def test_engineers_see_inbound_emails_with_outcome_and_original(client, engineer, rejected):
    client.force_login(engineer)
    listing = client.get("/admin/inbound/inboundemail/", {"outcome__exact": "rejected"})
    assert listing.status_code == 200
    assert "dana@newcustomer.example" in listing.text
    assert "Rejected, sender told why" in listing.text
    detail = client.get(reverse("admin:inbound_inboundemail_change", args=[rejected.pk])).text
    assert "Please change our invoice address to 1 Main St." in detail
    assert "Message-ID: &lt;" in detail  # the raw message, escaped
    assert 'name="subject"' not in detail  # read-only


def test_customers_do_not_see_inbound_emails(client, basic_org, rejected):
    client.force_login(basic_org.owner)
    response = client.get("/admin/inbound/inboundemail/")
    assert response.status_code == 302


def test_rerun_after_the_sender_gets_an_account_files_the_request(
    client, engineer, basic_org, rejected
):
    dana = UserFactory(email="dana@newcustomer.example")
    MembershipFactory(user=dana, organization=basic_org.organization, role=Membership.Role.MEMBER)
    client.force_login(engineer)
    response = client.post(
        "/admin/inbound/inboundemail/",
        {"action": "rerun", "_selected_action": [rejected.pk], "index": 0},
        follow=True,
    )
    assert "1 message ran again." in response.text
    rejected.refresh_from_db()
    assert (rejected.outcome, rejected.runs) == ("created", 2)
    assert rejected.request_key.startswith("BILL-")


def test_a_message_already_handled_does_not_run_twice(client, engineer, basic_org):
    raw = messages.plain_message(
        sender=basic_org.owner.email, to="support@support.example", subject="Hi", text="Hello"
    )
    created = inbound_email_receive(raw=raw, source="imap").inbound_email
    client.force_login(engineer)
    response = client.post(
        "/admin/inbound/inboundemail/",
        {"action": "rerun", "_selected_action": [created.pk], "index": 0},
        follow=True,
    )
    assert "only rejected or failed messages run again" in response.text
    assert InboundEmail.objects.get(pk=created.pk).runs == 1


def test_the_triage_page_links_a_comment_to_its_original_email(client, engineer, basic_org):
    ticket = file_request(
        reporter=basic_org.owner, organization=basic_org.organization, portal="billing"
    )
    raw = messages.gmail_reply(
        sender=basic_org.owner.email,
        to=reply_to_address(ticket=ticket, user=basic_org.owner),
        subject=f"Re: [{ticket.key}]",
        text="Answer from my phone.",
    )
    inbound = inbound_email_receive(raw=raw, source="imap").inbound_email
    client.force_login(engineer)
    page = client.get(reverse("admin:tickets_ticket_change", args=[ticket.pk])).text
    original = reverse("admin:inbound_inboundemail_change", args=[inbound.pk])
    assert f'href="{original}" data-testid="original-email"' in page
    assert "Answer from my phone." in page


def test_engineers_see_bouncing_addresses_and_confirm_one_again(client, engineer):
    bouncing_address_record(email="Alice@Acme.example", diagnostic="550 5.1.1 User unknown")
    client.force_login(engineer)
    listing = client.get("/admin/mail/bouncingaddress/")
    assert listing.status_code == 200
    assert "alice@acme.example" in listing.text
    response = client.post(
        "/admin/mail/bouncingaddress/",
        {
            "action": "confirm",
            "_selected_action": list(BouncingAddress.objects.values_list("pk", flat=True)),
            "index": 0,
        },
        follow=True,
    )
    assert "1 address gets email again" in response.text
    assert not BouncingAddress.objects.exists()
