"""What engineers do beyond replying: raise a request for a customer, merge a duplicate, take a
request with one key, and learn that a colleague is on the same request before they answer."""

import re

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts.models import Membership
from tests.factories import StaffFactory, SupportEngineerFactory, file_request
from tests.html import parse
from tickets import services
from tickets.models import Attachment, Comment, Ticket, TicketEvent, TicketViewer
from tickets.selectors import customer_recipients

pytestmark = pytest.mark.django_db

ADD_URL = "/admin/tickets/ticket/add/"


def change_url(ticket: Ticket) -> str:
    return reverse("admin:tickets_ticket_change", args=[ticket.pk])


def billing(organization, reporter, summary, **extra) -> Ticket:
    return file_request(
        reporter=reporter,
        organization=organization,
        portal="billing",
        summary=summary,
        description=f"{summary}: the invoice shows twice the usage.",
        **extra,
    )


@pytest.fixture
def as_engineer(client, engineer):
    client.force_login(engineer)
    return client


# Raised by an engineer for a customer


def raise_data(membership: Membership, **changes) -> dict:
    data = {
        "customer": membership.pk,
        "portal": "technical",
        "summary": "Phone call: writes time out on prod-east",
        "description": "Alice called at 09:40: writes time out since 09:30 UTC.",
        "severity": "S2",
        "cluster": "",
        "environment": "production",
        "affects_version": "",
    }
    data.update(changes)
    return data


def test_engineer_raises_a_request_for_a_customer_who_gets_it_and_sees_it(
    client, engineer, enterprise_org, django_capture_on_commit_callbacks
):
    organization, alice, cluster = enterprise_org
    membership = Membership.objects.get(user=alice, organization=organization)
    client.force_login(engineer)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(ADD_URL, raise_data(membership, cluster=cluster.pk))

    ticket = Ticket.objects.get(summary="Phone call: writes time out on prod-east")
    assert response.status_code == 302
    assert response.url == change_url(ticket)
    assert ticket.reporter == alice
    assert ticket.organization == organization
    assert ticket.cluster == cluster
    assert ticket.first_response_due_at is not None, "the plan's target applies"
    confirmation = [message for message in mail.outbox if alice.email in message.to]
    assert len(confirmation) == 1
    assert ticket.key in confirmation[0].subject
    events = {event.kind: event for event in ticket.events.all()}
    assert events["created"].actor == engineer
    assert events["raised"].actor == engineer
    assert events["raised"].to_value == alice.email
    assert "Raised by support on behalf of the customer" in client.get(change_url(ticket)).text

    client.force_login(alice)
    assert ticket.key in client.get("/requests/").text


def test_raising_follows_the_customer_form_rules(as_engineer, basic_org):
    organization, owner, _cluster = basic_org
    membership = Membership.objects.get(user=owner, organization=organization)

    response = as_engineer.post(ADD_URL, raise_data(membership, portal="technical"))

    assert response.status_code == 400
    assert "needs an organization on the" in response.text
    assert "Phone call: writes time out" in response.text, "what was typed is kept"
    assert not Ticket.objects.exists()


def test_raising_an_s1_outside_production_is_refused(as_engineer, enterprise_org):
    organization, owner, _cluster = enterprise_org
    membership = Membership.objects.get(user=owner, organization=organization)

    response = as_engineer.post(
        ADD_URL, raise_data(membership, severity="S1", environment="non-production")
    )

    assert response.status_code == 400
    assert "complete loss of production" in response.text
    assert not Ticket.objects.exists()


def test_raising_with_another_organizations_cluster_is_refused(
    as_engineer, enterprise_org, developer_org
):
    organization, owner, _cluster = enterprise_org
    _other, _owner, foreign_cluster = developer_org
    membership = Membership.objects.get(user=owner, organization=organization)

    response = as_engineer.post(ADD_URL, raise_data(membership, cluster=foreign_cluster.pk))

    assert response.status_code == 400
    assert "does not belong to" in response.text
    assert not Ticket.objects.exists()


def test_only_engineers_raise_requests(client, enterprise_org):
    organization, owner, _cluster = enterprise_org
    membership = Membership.objects.get(user=owner, organization=organization)
    client.force_login(StaffFactory())
    assert client.post(ADD_URL, raise_data(membership)).status_code == 403
    client.force_login(owner)
    assert client.post(ADD_URL, raise_data(membership)).status_code == 302  # the admin login
    assert not Ticket.objects.exists()
    with pytest.raises(services.PermissionDenied):
        billing(organization, owner, "Spoofed", raised_by=owner)


# Merge


@pytest.fixture
def duplicate_pair(enterprise_org, member_of):
    """BILL-1 from the owner, BILL-2 the same problem from a colleague, with a file."""
    organization, owner, _cluster = enterprise_org
    colleague = member_of(organization)
    first = billing(organization, owner, "Charged twice in May")
    second = billing(organization, colleague, "Double charge on the May invoice")
    services.ticket_comment_add(
        ticket=second,
        author=colleague,
        body="Invoice attached.",
        attachments=[SimpleUploadedFile("invoice.txt", b"May: 2 x 100 USD\n")],
    )
    follower = member_of(organization)
    second.participants.add(follower)
    return first, second, colleague, follower


def merge(client, duplicate: Ticket, target_key: str):
    return client.post(
        reverse("admin:tickets_ticket_merge", args=[duplicate.pk]), {"target": target_key}
    )


def test_merging_closes_the_duplicate_with_a_link_and_joins_the_conversations(
    client, engineer, duplicate_pair, django_capture_on_commit_callbacks
):
    first, second, colleague, follower = duplicate_pair
    assert (first.key, second.key) == ("BILL-1", "BILL-2")
    client.force_login(engineer)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        response = merge(client, second, "bill-1")

    assert response.status_code == 302
    assert response.url == change_url(first)
    second.refresh_from_db()
    assert second.status == Ticket.Status.CLOSED
    assert second.merged_into == first
    duplicate_page = client.get(change_url(second)).text
    assert f'href="{change_url(first)}"' in duplicate_page
    target_page = client.get(change_url(first)).text
    assert "Invoice attached." in target_page
    assert "Merged from BILL-2" in target_page
    assert "Double charge on the May invoice" in target_page

    assert {colleague, follower} <= set(first.participants.all())
    emails = [message for message in mail.outbox if "was merged into BILL-1" in message.body]
    assert {message.subject for message in emails} == {f"[BILL-2] {second.summary}"}
    assert sorted(address for message in emails for address in message.to) == sorted(
        [colleague.email, follower.email]
    )
    assert TicketEvent.objects.filter(ticket=second, kind="merged_into", to_value="BILL-1")
    assert TicketEvent.objects.filter(ticket=first, kind="duplicate_merged", from_value="BILL-2")


def test_the_customer_sees_both_conversations_and_the_files_on_the_target(
    client, engineer, duplicate_pair
):
    first, second, colleague, _follower = duplicate_pair
    services.ticket_merge(duplicate=second, target=first, actor=engineer)
    client.force_login(colleague)

    target_page = client.get(f"/requests/{first.key}/")
    duplicate_page = client.get(f"/requests/{second.key}/")

    assert target_page.status_code == 200, "the duplicate's reporter follows the target"
    assert "Invoice attached." in target_page.text
    assert "Merged from BILL-2" in target_page.text
    attachment = Attachment.objects.get(original_name="invoice.txt")
    download = client.get(f"/requests/{first.key}/attachments/{attachment.pk}/")
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == b"May: 2 x 100 USD\n"
    assert "closed as a duplicate of" in duplicate_page.text
    assert f'href="/requests/{first.key}/"' in duplicate_page.text


def test_the_followers_get_later_replies_on_the_target(engineer, duplicate_pair):
    first, second, colleague, follower = duplicate_pair
    services.ticket_merge(duplicate=second, target=first, actor=engineer)
    assert {colleague, follower} <= set(customer_recipients(ticket=first))


def test_merging_into_another_organizations_request_is_refused(
    as_engineer, duplicate_pair, developer_org
):
    _first, second, _colleague, _follower = duplicate_pair
    organization, owner, _cluster = developer_org
    foreign = billing(organization, owner, "Someone else's invoice")

    response = merge(as_engineer, second, foreign.key)

    assert response.status_code == 400
    assert "same organization" in response.text
    second.refresh_from_db()
    assert second.merged_into is None and second.is_open


@pytest.mark.parametrize("target", ["self", "missing", "closed"])
def test_merging_needs_another_open_request(as_engineer, engineer, duplicate_pair, target):
    first, second, _colleague, _follower = duplicate_pair
    if target == "closed":
        services.ticket_status_change(ticket=first, actor=engineer, to_status="canceled")
    key = {"self": second.key, "missing": "BILL-99", "closed": first.key}[target]

    response = merge(as_engineer, second, key)

    assert response.status_code == 400
    second.refresh_from_db()
    assert second.merged_into is None


def test_the_merge_page_is_for_engineers_only(client, duplicate_pair):
    first, second, colleague, _follower = duplicate_pair
    client.force_login(colleague)
    assert merge(client, second, first.key).status_code == 302  # the admin login
    second.refresh_from_db()
    assert second.merged_into is None


# Assign to me (the `a` shortcut)


def test_assign_to_me_takes_the_request(as_engineer, engineer, duplicate_pair):
    first = duplicate_pair[0]
    url = reverse("admin:tickets_ticket_assign_to_me", args=[first.pk])

    response = as_engineer.post(url, HTTP_ACCEPT="application/json")

    assert response.json() == {"assignee": engineer.display_name, "id": engineer.pk}
    first.refresh_from_db()
    assert first.assignee == engineer
    assert as_engineer.get(url).status_code == 405


# Collision notice


def test_a_second_engineer_is_told_who_else_has_the_request_open(client, duplicate_pair):
    first = duplicate_pair[0]
    sam, kim = SupportEngineerFactory(full_name="Sam Support"), SupportEngineerFactory()
    client.force_login(sam)
    assert "opened this request" not in client.get(change_url(first)).text

    client.force_login(kim)
    page = client.get(change_url(first)).text
    assert re.search(r"Sam Support opened this request \d+.minutes? ago", page)
    activity = client.get(reverse("admin:tickets_ticket_activity", args=[first.pk])).json()
    assert [viewer["name"] for viewer in activity["viewers"]] == ["Sam Support"]


def test_each_view_and_poll_moves_the_engineers_time_on_one_row(
    as_engineer, engineer, duplicate_pair, django_assert_num_queries
):
    first = duplicate_pair[0]
    as_engineer.get(change_url(first))
    seen = TicketViewer.objects.get(ticket=first, user=engineer).seen_at

    with django_assert_num_queries(1):  # recorded already: one UPDATE, no locked read
        services.ticket_viewer_touch(ticket=first, user=engineer)
    as_engineer.get(reverse("admin:tickets_ticket_activity", args=[first.pk]))

    viewer = TicketViewer.objects.get(ticket=first, user=engineer)
    assert viewer.seen_at > seen
    assert TicketViewer.objects.filter(ticket=first).count() == 1


def test_the_first_view_of_a_request_records_the_engineer_once(engineer, duplicate_pair):
    first = duplicate_pair[0]
    services.ticket_viewer_touch(ticket=first, user=engineer)
    services.ticket_viewer_touch(ticket=first, user=engineer)
    assert list(TicketViewer.objects.filter(ticket=first).values_list("user", flat=True)) == [
        engineer.pk
    ]


def test_the_poll_reports_comments_that_arrived_since_the_page_was_drawn(
    as_engineer, duplicate_pair
):
    first = duplicate_pair[0]
    services.ticket_comment_add(ticket=first, author=first.reporter, body="Earlier")
    seen = Comment.objects.get(body="Earlier").pk
    services.ticket_comment_add(ticket=first, author=first.reporter, body="Any news?")

    activity = as_engineer.get(
        reverse("admin:tickets_ticket_activity", args=[first.pk]), {"after": seen}
    )

    assert [comment["body"] for comment in activity.json()["comments"]] == ["Any news?"]


def test_a_reply_typed_while_the_customer_commented_is_held_with_the_draft(
    as_engineer, duplicate_pair
):
    first = duplicate_pair[0]
    seen = 0
    services.ticket_comment_add(ticket=first, author=first.reporter, body="Never mind, fixed")
    data = {
        "body": "Please send the invoice number.",
        "visibility": "public",
        "seen_comment_id": seen,
        "status": first.status,
        "initial-status": first.status,
        "assignee": "",
        "initial-assignee": "",
    }

    refused = as_engineer.post(change_url(first), data)

    assert refused.status_code == 400
    assert "added a comment while you were writing" in refused.text
    assert "Please send the invoice number." in refused.text
    assert not Comment.objects.filter(body="Please send the invoice number.").exists()
    latest = Comment.objects.get(body="Never mind, fixed").pk
    assert f'name="seen_comment_id" value="{latest}"' in refused.text

    sent = as_engineer.post(change_url(first), {**data, "seen_comment_id": latest})
    assert sent.status_code == 302
    assert Comment.objects.filter(body="Please send the invoice number.").exists()


def test_activity_is_for_engineers_only(client, duplicate_pair):
    first, _second, colleague, _follower = duplicate_pair
    client.force_login(colleague)
    response = client.get(reverse("admin:tickets_ticket_activity", args=[first.pk]))
    assert response.status_code == 302
    assert response.url.startswith("/admin/login/")


def test_request_page_has_no_inline_script_or_style(as_engineer, duplicate_pair):
    page = as_engineer.get(change_url(duplicate_pair[0])).text
    elements = list(parse(page).iter())
    inline_scripts = [
        element
        for element in elements
        if element.tag == "script"
        and "src" not in element.attrs
        and element.attrs.get("type") != "application/json"
    ]
    assert not inline_scripts
    assert not [element for element in elements if element.tag == "style"]
    assert not [element for element in elements if "style" in element.attrs]
    assert not [
        (element.tag, name)
        for element in elements
        for name in element.attrs
        if name.startswith("on")
    ]
