"""Who is emailed about what, as the people involved would see it in their inbox.

Every action runs as a request would: its transaction commits, then the eager Celery task sends
through Django's locmem backend (django.core.mail.outbox)."""

import re

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.signing import BadSignature
from django.test import Client

from accounts.models import Membership
from helpcenter.mail.models import OutboundEmail
from plans.models import Plan, SalesInquiry
from plans.services import plan_downgrade, sales_inquiry_create
from tests.factories import SupportEngineerFactory, file_request
from tests.html import parse
from tickets import services
from tickets.models import SatisfactionRating, Ticket, TicketEvent, TicketNotificationSetting
from tickets.notifications import (
    rating_token,
    rating_token_read,
    unsubscribe_token,
    unsubscribe_token_read,
)
from tickets.selectors import ticket_for_message_ids

pytestmark = pytest.mark.django_db

Status = Ticket.Status
SUPPORT_TEAM = "support-team@support.example"


@pytest.fixture(autouse=True)
def _team_addresses(settings):
    settings.SUPPORT_TEAM_EMAIL = SUPPORT_TEAM
    settings.SALES_TEAM_EMAIL = "sales@support.example"
    settings.SITE_URL = "https://help.example"


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Run an action, commit it, send its emails; returns the messages it produced."""

    def run(action, **kwargs):
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            action(**kwargs)
        return list(mail.outbox)

    return run


@pytest.fixture
def people(enterprise_org, member_of, engineer):
    """A reporter, a named participant, a member who follows the request, one who does not."""
    organization, reporter, _cluster = enterprise_org
    return {
        "organization": organization,
        "reporter": reporter,
        "participant": member_of(organization),
        "follower": member_of(organization),
        "bystander": member_of(organization),
        "engineer": engineer,
    }


@pytest.fixture
def ticket(people, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        ticket = file_request(
            reporter=people["reporter"],
            organization=people["organization"],
            portal="billing",
            summary="Charged twice & no refund",
            description="Two identical charges on 3 October.",
            shared_with_organization=True,
        )
        services.ticket_sharing_update(
            ticket=ticket,
            actor=people["reporter"],
            shared_with_organization=True,
            participants=[people["participant"]],
        )
        services.ticket_notifications_set(ticket=ticket, user=people["follower"], enabled=True)
    mail.outbox.clear()
    return ticket


def headers_of(message) -> dict[str, str]:
    """The headers as the mail server receives them."""
    return dict(message.message().items())


def recipients(messages) -> list[str]:
    return sorted(address for message in messages for address in message.to)


def html_of(message) -> str:
    return next(content for content, mimetype in message.alternatives if mimetype == "text/html")


def test_new_request_confirms_to_the_reporter_and_tells_the_support_team(enterprise_org, committed):
    organization, reporter, _cluster = enterprise_org
    messages = committed(
        services.ticket_create,
        reporter=reporter,
        portal="billing",
        organization=organization,
        summary="Charged twice & no refund",
        description="Two identical charges on 3 October.",
        severity="S2",
    )
    ticket = Ticket.objects.get(reporter=reporter)
    assert recipients(messages) == sorted([reporter.email, SUPPORT_TEAM])
    confirmation = next(m for m in messages if m.to == [reporter.email])
    assert confirmation.subject == f"[{ticket.key}] Charged twice & no refund"
    assert f"We received your request {ticket.key}" in confirmation.body
    assert f"An engineer responds within {ticket.response_target_label}" in confirmation.body
    assert f"https://help.example/requests/{ticket.key}/" in confirmation.body
    assert "https://help.example/notifications/off/" in confirmation.body
    assert f"https://help.example/requests/{ticket.key}/" in html_of(confirmation)
    assert "/notifications/off/" in html_of(confirmation)
    notice = next(m for m in messages if m.to == [SUPPORT_TEAM])
    assert ticket.key in notice.subject and "Charged twice & no refund" in notice.subject
    assert reporter.email in notice.body
    assert "Two identical charges on 3 October." in notice.body
    assert f"/admin/tickets/ticket/{ticket.pk}/change/" in notice.body
    assert "/notifications/off/" not in notice.body


def test_engineer_reply_reaches_reporter_participants_and_followers_only(people, ticket, committed):
    messages = committed(
        services.ticket_comment_add,
        ticket=ticket,
        author=people["engineer"],
        body="We refunded the second charge.",
    )
    assert recipients(messages) == sorted(
        [people["reporter"].email, people["participant"].email, people["follower"].email]
    )
    for message in messages:
        assert message.subject == f"[{ticket.key}] Charged twice & no refund"
        assert "We refunded the second charge." in message.body
        assert "We refunded the second charge." in html_of(message)
        assert f"https://help.example/requests/{ticket.key}/" in message.body


def test_each_customer_email_carries_a_link_for_its_own_recipient(people, ticket, committed):
    messages = committed(
        services.ticket_comment_add, ticket=ticket, author=people["engineer"], body="Refunded."
    )
    for message in messages:
        token = re.search(r"/notifications/off/([^/\s]+)/", message.body).group(1)
        recipient = next(u for u in people.values() if getattr(u, "email", None) == message.to[0])
        assert unsubscribe_token_read(token) == (ticket.pk, recipient.pk)


def test_engineer_reply_skips_a_participant_who_turned_notifications_off(people, ticket, committed):
    services.ticket_notifications_set(ticket=ticket, user=people["participant"], enabled=False)
    messages = committed(
        services.ticket_comment_add, ticket=ticket, author=people["engineer"], body="Refunded."
    )
    assert people["participant"].email not in recipients(messages)
    assert people["reporter"].email in recipients(messages)


def test_internal_note_emails_no_customer(people, ticket, committed):
    messages = committed(
        services.ticket_comment_add,
        ticket=ticket,
        author=people["engineer"],
        body="Customer is on the legacy invoice run.",
        is_internal=True,
    )
    assert messages == []
    assert not OutboundEmail.objects.filter(text_body__contains="legacy invoice run").exists()


def test_colleague_comment_reaches_support_reporter_and_followers_never_its_author(
    people, ticket, committed
):
    messages = committed(
        services.ticket_comment_add,
        ticket=ticket,
        author=people["participant"],
        body="Any update?",
    )
    assert recipients(messages) == sorted(
        [SUPPORT_TEAM, people["reporter"].email, people["follower"].email]
    )
    notice = next(m for m in messages if m.to == [SUPPORT_TEAM])
    assert "Any update?" in notice.body
    assert f"/admin/tickets/ticket/{ticket.pk}/change/" in notice.body
    assert "/notifications/off/" not in notice.body
    to_reporter = next(m for m in messages if m.to == [people["reporter"].email])
    assert f"{people['participant'].display_name} commented on {ticket.key}" in to_reporter.body
    assert "Any update?" in to_reporter.body and "Any update?" in html_of(to_reporter)
    assert f"https://help.example/requests/{ticket.key}/" in to_reporter.body


def test_colleague_who_can_no_longer_see_the_request_is_not_emailed(people, ticket, committed):
    Membership.objects.filter(user=people["follower"]).delete()
    messages = committed(
        services.ticket_comment_add, ticket=ticket, author=people["reporter"], body="Any update?"
    )
    assert people["follower"].email not in recipients(messages)
    assert people["participant"].email in recipients(messages)


def test_customer_comment_goes_to_the_assignee(people, ticket, committed):
    assignee = SupportEngineerFactory()
    services.ticket_assign(ticket=ticket, actor=people["engineer"], assignee=assignee)
    messages = committed(
        services.ticket_comment_add, ticket=ticket, author=people["reporter"], body="Any update?"
    )
    assert recipients(messages) == sorted(
        [assignee.email, people["participant"].email, people["follower"].email]
    )


def test_engineer_reply_tells_the_assignee_when_someone_else_answers(people, ticket, committed):
    assignee = SupportEngineerFactory()
    services.ticket_assign(ticket=ticket, actor=people["engineer"], assignee=assignee)
    messages = committed(
        services.ticket_comment_add, ticket=ticket, author=people["engineer"], body="Refunded."
    )
    assert assignee.email in recipients(messages)
    assert SUPPORT_TEAM not in recipients(messages)
    own = committed(services.ticket_comment_add, ticket=ticket, author=assignee, body="Done.")
    assert assignee.email not in recipients(own)


def test_customer_reply_that_hands_the_request_back_sends_only_the_comment(
    people, ticket, committed
):
    services.ticket_status_change(
        ticket=ticket, actor=people["engineer"], to_status=Status.WAITING_FOR_CUSTOMER
    )
    messages = committed(
        services.ticket_comment_add, ticket=ticket, author=people["reporter"], body="Here it is."
    )
    ticket.refresh_from_db()
    assert ticket.status == Status.WAITING_FOR_SUPPORT
    assert recipients(messages) == sorted(
        [SUPPORT_TEAM, people["participant"].email, people["follower"].email]
    )


def test_status_change_by_an_engineer_honours_notifications_off(people, ticket, committed):
    services.ticket_notifications_set(ticket=ticket, user=people["reporter"], enabled=False)
    messages = committed(
        services.ticket_status_change,
        ticket=ticket,
        actor=people["engineer"],
        to_status=Status.IN_PROGRESS,
    )
    assert recipients(messages) == sorted([people["participant"].email, people["follower"].email])
    assert messages[0].subject == f"[{ticket.key}] Charged twice & no refund"
    assert f'{ticket.key} is now "In progress"' in messages[0].body


def test_resolution_reaches_a_reporter_who_turned_notifications_off(people, ticket, committed):
    services.ticket_notifications_set(ticket=ticket, user=people["reporter"], enabled=False)
    messages = committed(
        services.ticket_status_change,
        ticket=ticket,
        actor=people["engineer"],
        to_status=Status.RESOLVED,
    )
    assert people["reporter"].email in recipients(messages)
    assert people["bystander"].email not in recipients(messages)
    resolution = next(m for m in messages if m.to == [people["reporter"].email])
    assert resolution.subject == f"[{ticket.key}] Charged twice & no refund"
    assert "has been resolved by" in resolution.body


def test_customer_resolving_tells_support_and_the_others_not_themselves(people, ticket, committed):
    messages = committed(
        services.ticket_status_change,
        ticket=ticket,
        actor=people["reporter"],
        to_status=Status.RESOLVED,
    )
    assert recipients(messages) == sorted(
        [SUPPORT_TEAM, people["participant"].email, people["follower"].email]
    )


def test_customer_reopening_tells_support_and_the_others_not_themselves(people, ticket, committed):
    services.ticket_status_change(
        ticket=ticket, actor=people["engineer"], to_status=Status.RESOLVED
    )
    messages = committed(
        services.ticket_status_change,
        ticket=ticket,
        actor=people["participant"],
        to_status=Status.WAITING_FOR_SUPPORT,
    )
    assert recipients(messages) == sorted(
        [SUPPORT_TEAM, people["reporter"].email, people["follower"].email]
    )
    assert all(f"{ticket.key} was reopened" in message.body for message in messages)


def test_plan_change_tells_the_other_owners_not_the_actor(enterprise_org, member_of, committed):
    organization, owner, _cluster = enterprise_org
    other_owner = member_of(organization, role=Membership.Role.OWNER)
    member_of(organization)
    messages = committed(
        plan_downgrade,
        organization=organization,
        plan=Plan.objects.get(code="developer"),
        actor=owner,
    )
    assert recipients(messages) == [other_owner.email]
    assert "Developer" in messages[0].subject and organization.name in messages[0].subject


def test_sales_inquiry_goes_to_the_sales_address(committed):
    messages = committed(
        sales_inquiry_create,
        topic=SalesInquiry.Topic.DEMO,
        name="Dana",
        company="Smith & Sons",
        email="dana@smith.example",
        phone="",
        message="We would like a demo.",
        organization=None,
        created_by=None,
    )
    assert recipients(messages) == ["sales@support.example"]
    assert messages[0].subject == "Sales inquiry: A demo from Smith & Sons"
    assert "dana@smith.example" in messages[0].body


def test_password_reset_goes_through_the_outbox(client, basic_org, committed):
    _org, owner, _cluster = basic_org
    messages = committed(client.post, path="/accounts/password_reset/", data={"email": owner.email})
    email = OutboundEmail.objects.get(to_email=owner.email)
    assert email.event_key.startswith("password-reset:")
    assert email.status == OutboundEmail.Status.SENT
    assert recipients(messages) == [owner.email]
    assert "https://help.example/accounts/reset/" in messages[0].body


def test_unsubscribe_link_asks_before_turning_anything_off(client, people, ticket):
    token = unsubscribe_token(ticket=ticket, user=people["reporter"])
    response = client.get(f"/notifications/off/{token}/")
    assert response.status_code == 200
    assert "Turn off emails about this request?" in response.text
    assert (
        not TicketNotificationSetting.objects.filter(ticket=ticket)
        .exclude(user=people["follower"])
        .exists()
    )


def test_unsubscribe_link_names_the_request_only_to_its_recipient_logged_in(client, people, ticket):
    token = unsubscribe_token(ticket=ticket, user=people["reporter"])
    assert ticket.key not in client.get(f"/notifications/off/{token}/").text
    client.force_login(people["reporter"])
    response = client.get(f"/notifications/off/{token}/")
    assert f"Turn off emails about {ticket.key}?" in response.text


def test_unsubscribe_link_turns_notifications_off_without_logging_in(
    client, people, ticket, committed
):
    token = unsubscribe_token(ticket=ticket, user=people["reporter"])
    response = client.post(f"/notifications/off/{token}/")
    assert response.status_code == 200
    assert "Notifications are off" in response.text
    assert TicketNotificationSetting.objects.get(
        ticket=ticket, user=people["reporter"]
    ).enabled is (False)
    messages = committed(
        services.ticket_comment_add, ticket=ticket, author=people["engineer"], body="Refunded."
    )
    assert people["reporter"].email not in recipients(messages)


@pytest.mark.parametrize("method", ["get", "post"])
def test_forged_unsubscribe_link_is_not_found(client, people, ticket, method):
    token = unsubscribe_token(ticket=ticket, user=people["reporter"])
    forged = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    with pytest.raises(BadSignature):
        unsubscribe_token_read(forged)
    response = getattr(client, method)(f"/notifications/off/{forged}/")
    assert response.status_code == 404
    assert not TicketNotificationSetting.objects.filter(
        ticket=ticket, user=people["reporter"]
    ).exists()


def test_three_emails_about_one_request_thread_and_carry_one_click_unsubscribe(
    enterprise_org, engineer, committed
):
    organization, reporter, _cluster = enterprise_org
    created = committed(
        services.ticket_create,
        reporter=reporter,
        portal="billing",
        organization=organization,
        summary="Charged twice & no refund",
        description="Two identical charges on 3 October.",
        severity="S2",
    )
    ticket = Ticket.objects.get(reporter=reporter)
    replied = committed(
        services.ticket_comment_add, ticket=ticket, author=engineer, body="Refunded."
    )
    resolved = committed(
        services.ticket_status_change, ticket=ticket, actor=engineer, to_status=Status.RESOLVED
    )
    emails = [
        headers_of(next(m for m in messages if m.to == [reporter.email]))
        for messages in (created, replied, resolved)
    ]
    first, second, third = (email["Message-ID"] for email in emails)
    assert len({first, second, third}) == 3
    assert "In-Reply-To" not in emails[0] and "References" not in emails[0]
    assert (emails[1]["In-Reply-To"], emails[1]["References"].split()) == (first, [first])
    assert (emails[2]["In-Reply-To"], emails[2]["References"].split()) == (second, [first, second])
    assert {email["Subject"] for email in emails} == {f"[{ticket.key}] Charged twice & no refund"}
    for email in emails:
        link = re.fullmatch(
            r"<https://help\.example/notifications/off/([^/]+)/>", email["List-Unsubscribe"]
        )
        assert unsubscribe_token_read(link.group(1)) == (ticket.pk, reporter.pk)
        assert email["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    recorded = OutboundEmail.objects.filter(to_email=reporter.email).order_by("pk")
    assert [email.message_id for email in recorded] == [first, second, third]


def test_support_emails_thread_too_but_offer_no_unsubscribe(people, ticket, committed):
    messages = committed(
        services.ticket_comment_add, ticket=ticket, author=people["reporter"], body="Any update?"
    )
    notice = headers_of(next(m for m in messages if m.to == [SUPPORT_TEAM]))
    created = OutboundEmail.objects.get(to_email=SUPPORT_TEAM, event_key__endswith=":created")
    assert notice["In-Reply-To"] == created.message_id
    assert "List-Unsubscribe" not in notice


def test_a_reply_to_any_email_about_a_request_finds_the_request(people, ticket, committed):
    messages = committed(
        services.ticket_comment_add, ticket=ticket, author=people["engineer"], body="Refunded."
    )
    for message in messages:
        message_id = headers_of(message)["Message-ID"]
        assert (
            ticket_for_message_ids(message_ids=["<elsewhere@mail.example>", message_id]) == ticket
        )
    assert ticket_for_message_ids(message_ids=["<elsewhere@mail.example>"]) is None


def test_one_click_unsubscribe_works_from_a_mail_client_without_cookies_or_csrf(
    people, ticket, committed
):
    token = unsubscribe_token(ticket=ticket, user=people["reporter"])
    mail_client = Client(enforce_csrf_checks=True)
    response = mail_client.post(
        f"/notifications/off/{token}/",
        data="List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 200
    assert not TicketNotificationSetting.objects.get(ticket=ticket, user=people["reporter"]).enabled
    messages = committed(
        services.ticket_comment_add, ticket=ticket, author=people["engineer"], body="Refunded."
    )
    assert people["reporter"].email not in recipients(messages)
    assert people["participant"].email in recipients(messages)


def reply_and_set_status(*, ticket, engineer, body, to_status):
    """What the triage page's one save does: a public reply and a status in one go."""
    with services.ticket_save():
        services.ticket_comment_add(ticket=ticket, author=engineer, body=body)
        services.ticket_status_change(ticket=ticket, actor=engineer, to_status=to_status)


def test_a_reply_with_a_status_change_is_one_email_per_person_saying_both(
    people, ticket, committed
):
    messages = committed(
        reply_and_set_status,
        ticket=ticket,
        engineer=people["engineer"],
        body="Please send the invoice number.",
        to_status=Status.WAITING_FOR_CUSTOMER,
    )
    assert recipients(messages) == sorted(
        [people["reporter"].email, people["participant"].email, people["follower"].email]
    )
    for message in messages:
        assert message.subject == f"[{ticket.key}] Charged twice & no refund"
        assert f'{ticket.key} is now "Waiting for customer"' in message.body
        assert "Please send the invoice number." in message.body
        assert "Waiting for customer" in html_of(message)
        assert "Please send the invoice number." in html_of(message)
    assert OutboundEmail.objects.filter(event_key__contains="ticket-event:").count() == 3


def test_a_save_that_fails_sends_nothing(people, ticket, committed):
    def reply_then_refused_status():
        reply_and_set_status(
            ticket=ticket, engineer=people["engineer"], body="Done.", to_status=Status.CLOSED
        )

    with pytest.raises(ValidationError):
        committed(reply_then_refused_status)
    assert mail.outbox == []
    assert not OutboundEmail.objects.filter(event_key__startswith="comment:").exists()


def rating_links_in(message) -> dict[int, str]:
    return {
        int(rating): path
        for rating, path in re.findall(
            r"(\d) [A-Za-z ]+: https://help\.example(/ratings/\S+/)", message.body
        )
    }


def test_the_resolved_email_offers_the_reporter_five_signed_rating_links(people, ticket, committed):
    messages = committed(
        reply_and_set_status,
        ticket=ticket,
        engineer=people["engineer"],
        body="Refunded.",
        to_status=Status.RESOLVED,
    )
    to_reporter = next(m for m in messages if m.to == [people["reporter"].email])
    links = rating_links_in(to_reporter)
    assert sorted(links) == [1, 2, 3, 4, 5]
    for rating, path in links.items():
        token = path.removeprefix("/ratings/").rstrip("/")
        assert rating_token_read(token) == (ticket.pk, people["reporter"].pk, rating)
        assert f"https://help.example{path}" in html_of(to_reporter)
    to_participant = next(m for m in messages if m.to == [people["participant"].email])
    assert rating_links_in(to_participant) == {}
    assert "/ratings/" not in to_participant.body


def test_a_rating_link_asks_before_recording(client, people, ticket):
    services.ticket_status_change(ticket=ticket, actor=people["engineer"], to_status="resolved")
    token = rating_token(ticket=ticket, user=people["reporter"], rating=4)
    page = client.get(f"/ratings/{token}/")
    assert page.status_code == 200
    assert "Send my rating" in page.text
    checked = [
        radio.attrs["value"]
        for radio in parse(page.text).find_all("input", type="radio", name="rating")
        if "checked" in radio.attrs
    ]
    assert checked == ["4"]
    assert not SatisfactionRating.objects.exists()


def test_a_rating_link_records_the_rating_with_one_post_without_logging_in(client, people, ticket):
    services.ticket_status_change(ticket=ticket, actor=people["engineer"], to_status="resolved")
    token = rating_token(ticket=ticket, user=people["reporter"], rating=4)
    response = client.post(f"/ratings/{token}/", {"rating": "4", "comment": "Quick refund."})
    assert response.status_code == 200
    assert "Thank you for your feedback" in response.text
    rating = SatisfactionRating.objects.get(ticket=ticket)
    assert (rating.rating, rating.comment, rating.rated_by) == (
        4,
        "Quick refund.",
        people["reporter"],
    )
    assert TicketEvent.objects.filter(ticket=ticket, kind="rated", to_value="4/5").exists()
    again = client.post(f"/ratings/{token}/", {"rating": "1"})
    assert again.status_code == 400
    assert "already rated" in again.text
    assert SatisfactionRating.objects.get(ticket=ticket).rating == 4
    assert "This request is already rated" in client.get(f"/ratings/{token}/").text


def test_a_rating_link_of_a_reopened_request_records_nothing(client, people, ticket):
    services.ticket_status_change(ticket=ticket, actor=people["engineer"], to_status="resolved")
    token = rating_token(ticket=ticket, user=people["reporter"], rating=2)
    services.ticket_status_change(
        ticket=ticket, actor=people["reporter"], to_status="waiting_for_support"
    )
    response = client.post(f"/ratings/{token}/", {"rating": "2"})
    assert response.status_code == 400
    assert "once it is resolved" in response.text
    assert not SatisfactionRating.objects.exists()


@pytest.mark.parametrize("method", ["get", "post"])
def test_forged_rating_link_is_not_found(client, people, ticket, method):
    services.ticket_status_change(ticket=ticket, actor=people["engineer"], to_status="resolved")
    token = rating_token(ticket=ticket, user=people["reporter"], rating=5)
    forged = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    response = getattr(client, method)(f"/ratings/{forged}/", {"rating": "5"})
    assert response.status_code == 404
    assert not SatisfactionRating.objects.exists()


def test_expired_rating_link_says_so(client, people, ticket, settings):
    services.ticket_status_change(ticket=ticket, actor=people["engineer"], to_status="resolved")
    token = rating_token(ticket=ticket, user=people["reporter"], rating=5)
    settings.RATING_LINK_MAX_AGE = -1
    response = client.post(f"/ratings/{token}/", {"rating": "5"})
    assert response.status_code == 410
    assert "This link has expired" in response.text
    assert not SatisfactionRating.objects.exists()


def test_unsubscribed_recipient_logged_in_is_pointed_at_the_switch_to_turn_emails_back_on(
    client, people, ticket, committed
):
    client.force_login(people["reporter"])
    token = unsubscribe_token(ticket=ticket, user=people["reporter"])
    done = client.post(f"/notifications/off/{token}/")
    assert f'href="/requests/{ticket.key}/"' in done.text
    page = client.get(f"/requests/{ticket.key}/").text
    assert "Turn notifications on" in page
    client.post(f"/requests/{ticket.key}/notifications/", {"enabled": "on"})
    messages = committed(
        services.ticket_comment_add, ticket=ticket, author=people["engineer"], body="Refunded."
    )
    assert people["reporter"].email in recipients(messages)


def test_the_rating_page_costs_a_fixed_number_of_queries(
    client, people, ticket, django_assert_max_num_queries
):
    services.ticket_status_change(ticket=ticket, actor=people["engineer"], to_status="resolved")
    token = rating_token(ticket=ticket, user=people["reporter"], rating=3)
    with django_assert_max_num_queries(2):
        assert client.get(f"/ratings/{token}/").status_code == 200
