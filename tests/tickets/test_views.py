import csv
import io
import re

import pytest
from django.conf import settings
from django.contrib.messages import get_messages
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import Membership
from helpcenter.mail.models import OutboundEmail
from tests.factories import (
    CommentFactory,
    MembershipFactory,
    TicketFactory,
    UserFactory,
    file_request,
)
from tests.html import parse
from tickets import services
from tickets.models import Attachment, Comment, Component, Ticket, TicketEvent

pytestmark = pytest.mark.django_db

# Session and user; access (the form offers the organizations it read, with their plans and
# response targets, and the service takes its answer) and the form's choices (clusters,
# components); in the transaction the request with its key and history (one statement), its
# components, both emails in one outbox INSERT (a new request's thread has no earlier email to
# read), the webhooks. The issue allows 20.
FILING_QUERY_BUDGET = 10

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
    b"\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00"
    b"\x00\x00IEND\xaeB`\x82"
)


def billing_form(**overrides):
    data = {
        "summary": "Charged twice in October",
        "description": "Two identical charges on 3 October.",
        "severity": "S3",
    }
    data.update(overrides)
    return data


def technical_form(organization, cluster=None, **overrides):
    data = {
        "summary": "TiKV store disconnected",
        "organization": organization.pk,
        "cluster": cluster.pk if cluster else "",
        "environment": "production",
        "description": "At 2026-11-27 10:02 UTC: Region is unavailable.",
        "severity": "S2",
        "components": [Component.objects.get(name="TiKV").pk],
        "affects_version": "v8.5.1",
    }
    data.update(overrides)
    return data


@pytest.fixture
def shared_ticket(enterprise_org):
    organization, owner, cluster = enterprise_org
    return file_request(
        reporter=owner, organization=organization, cluster=cluster, shared_with_organization=True
    )


# Home and portals


def test_home_lists_both_portals_and_locks_technical_for_basic(client, basic_org):
    organization, owner, _cluster = basic_org
    client.force_login(owner)
    page = client.get("/").text
    assert "TiDB Cloud Account/Billing Support" in page
    assert "TiDB Cloud Technical Support" in page
    assert "Locked" in page
    assert "Developer plan or above" in page
    assert reverse("plans:support", args=[organization.pk]) in page


def test_home_opens_technical_for_a_paid_plan(client, enterprise_org):
    _organization, owner, _cluster = enterprise_org
    client.force_login(owner)
    page = client.get("/").text
    assert 'href="/portals/technical/"' in page
    assert "Locked" not in page


def test_billing_form_shows_fields_and_severity_table(client, basic_org):
    _organization, owner, _cluster = basic_org
    client.force_login(owner)
    page = client.get("/portals/billing/").text
    for label in ["Summary", "TiDB Cloud Org", "TiDB Cloud Cluster", "Description", "Severity"]:
        assert label in page
    assert 'value="S1"' not in page
    assert "Complete loss of production environmental functionality" not in page
    assert "High impact on operations in production environments" in page


def test_billing_request_is_filed_and_shown_with_its_key(client, basic_org):
    organization, owner, cluster = basic_org
    client.force_login(owner)
    response = client.post(
        "/portals/billing/",
        billing_form(organization=organization.pk, cluster=cluster.pk),
        follow=True,
    )
    ticket = Ticket.objects.get()
    assert response.redirect_chain[-1][0] == f"/requests/{ticket.key}/"
    assert ticket.key in response.text
    assert ticket.portal == "billing" and ticket.cluster == cluster


def _selected_organization(response) -> str:
    select = parse(response.content).find("select", name="organization")
    chosen = [option for option in select.find_all("option") if "selected" in option.attrs]
    return chosen[0].text if chosen else ""


def test_billing_form_preselects_the_only_organization(client, enterprise_org):
    organization, owner, _cluster = enterprise_org
    client.force_login(owner)
    assert _selected_organization(client.get("/portals/billing/")) == organization.name


def test_billing_form_preselects_the_organization_in_the_switcher(
    client, enterprise_org, org_factory, django_assert_max_num_queries
):
    globex, bob, _cluster = enterprise_org
    initech = org_factory("developer", name="Initech").organization
    MembershipFactory(user=bob, organization=initech)
    client.force_login(bob)
    assert _selected_organization(client.get("/portals/billing/")) == "Initech", "first by name"
    client.post(f"/console/organizations/{globex.pk}/switch/", {"next": "/"})
    with django_assert_max_num_queries(8):
        response = client.get("/portals/billing/")
    assert _selected_organization(response) == globex.name


def test_choosing_no_organization_says_no_response_target_applies(client, enterprise_org):
    _organization, owner, _cluster = enterprise_org
    client.force_login(owner)
    form = client.get("/portals/billing/").text
    assert "None: not about an organization (no response target applies)" in form
    response = client.post("/portals/billing/", billing_form(organization=""), follow=True)
    ticket = Ticket.objects.get()
    assert ticket.organization is None and ticket.response_target_minutes is None
    promise = parse(response.content).find(data_testid="promise").text
    assert promise == (
        "This request is not about an organization, so no response target applies. "
        "We answer as soon as we can."
    )


def test_billing_s1_is_refused_with_a_message_and_keeps_the_input(client, basic_org):
    _organization, owner, _cluster = basic_org
    client.force_login(owner)
    response = client.post("/portals/billing/", billing_form(severity="S1"))
    assert response.status_code == 200
    assert "S1 is not applicable to account or billing issues" in response.text
    assert "Charged twice in October" in response.text
    assert "Two identical charges on 3 October." in response.text
    assert not Ticket.objects.exists()


def test_foreign_ids_are_form_errors_not_500(client, basic_org, org_factory):
    _organization, owner, _cluster = basic_org
    other, _o, other_cluster = org_factory()
    client.force_login(owner)
    for data in (
        billing_form(organization=other.pk),
        billing_form(cluster=other_cluster.pk),
        billing_form(organization="abc"),
        billing_form(cluster=999999),
        billing_form(cluster="abc"),
        billing_form(cluster="-2"),
        billing_form(cluster=str(2**70)),
    ):
        response = client.post("/portals/billing/", data)
        assert response.status_code == 200
        assert "Select a valid choice" in response.text
    assert not Ticket.objects.exists()


def test_summary_longer_than_255_is_refused(client, basic_org):
    _organization, owner, _cluster = basic_org
    client.force_login(owner)
    response = client.post("/portals/billing/", billing_form(summary="x" * 256))
    assert "at most 255 characters" in response.text
    assert not Ticket.objects.exists()


def test_description_over_32000_characters_is_refused(client, basic_org):
    _organization, owner, _cluster = basic_org
    client.force_login(owner)
    response = client.post("/portals/billing/", billing_form(description="y" * 32_001))
    assert "at most 32000 characters" in response.text
    assert not Ticket.objects.exists()


def test_technical_form_asks_for_the_details_engineers_need(client, enterprise_org):
    _organization, owner, _cluster = enterprise_org
    client.force_login(owner)
    page = client.get("/portals/technical/").text
    for label in [
        "Environment",
        "Components",
        "Affects versions",
        "TiFlash",
        "Backup &amp; Restore",
    ]:
        assert label in page
    assert "exact timestamp" in page and "call stack" in page
    assert "Complete loss of production environmental functionality" in page


def test_get_support_preselects_the_cluster(client, enterprise_org):
    organization, owner, cluster = enterprise_org
    client.force_login(owner)
    form = client.get(f"/portals/technical/?cluster={cluster.pk}").context["form"]
    assert form.initial["organization"] == organization
    assert form.initial["cluster"] == cluster
    assert form.initial["environment"] == cluster.environment
    assert form.initial["affects_version"] == cluster.version


def test_get_support_on_a_basic_cluster_explains_and_offers_billing(client, basic_org):
    organization, owner, cluster = basic_org
    client.force_login(owner)
    response = client.get(f"/portals/technical/?cluster={cluster.pk}")
    assert response.status_code == 403
    assert "Technical support needs a paid plan" in response.text
    assert f"/portals/billing/?cluster={cluster.pk}" in response.text
    assert reverse("plans:support", args=[organization.pk]) in response.text


def test_technical_s1_from_get_support_is_filed(client, enterprise_org):
    organization, owner, cluster = enterprise_org
    client.force_login(owner)
    response = client.post(
        f"/portals/technical/?cluster={cluster.pk}",
        technical_form(organization, cluster, severity="S1"),
    )
    ticket = Ticket.objects.get()
    assert response.url == f"/requests/{ticket.key}/"
    assert (ticket.severity, ticket.cluster, ticket.environment) == ("S1", cluster, "production")
    assert [c.name for c in ticket.components.all()] == ["TiKV"]


def test_filing_a_request_costs_a_fixed_number_of_queries_and_emails_after_commit(
    client, enterprise_org, django_assert_max_num_queries, django_capture_on_commit_callbacks
):
    organization, owner, cluster = enterprise_org
    client.force_login(owner)
    form = technical_form(organization, cluster)
    with (
        django_capture_on_commit_callbacks() as after_commit,
        django_assert_max_num_queries(FILING_QUERY_BUDGET),
    ):
        response = client.post("/portals/technical/", form)
    assert response.status_code == 302
    emails = OutboundEmail.objects.filter(status=OutboundEmail.Status.PENDING)
    assert sorted(emails.values_list("to_email", flat=True)) == sorted(
        [owner.email, settings.SUPPORT_TEAM_EMAIL]
    )
    assert mail.outbox == []  # nothing is sent before the commit
    assert len(after_commit) == 1, "both emails are handed to the worker in one publish"
    after_commit[0]()
    assert sorted(message.to[0] for message in mail.outbox) == sorted(
        [owner.email, settings.SUPPORT_TEAM_EMAIL]
    )


def test_technical_s1_non_production_is_refused(client, enterprise_org):
    organization, owner, cluster = enterprise_org
    client.force_login(owner)
    response = client.post(
        "/portals/technical/",
        technical_form(organization, cluster, severity="S1", environment="non-production"),
    )
    assert response.status_code == 200
    assert "S1 is a complete loss of production functionality" in response.text
    assert not Ticket.objects.exists()


def test_basic_user_post_to_technical_is_403_and_creates_nothing(client, basic_org):
    organization, owner, cluster = basic_org
    client.force_login(owner)
    response = client.post("/portals/technical/", technical_form(organization, cluster))
    assert response.status_code == 403
    assert "Developer plan or above" in response.text
    assert reverse("plans:support", args=[organization.pk]) in response.text
    assert not Ticket.objects.exists()


def test_technical_form_offers_only_entitled_organizations(client, developer_org, org_factory):
    organization, owner, _cluster = developer_org
    basic, _o, _c = org_factory("basic")
    MembershipFactory(user=owner, organization=basic)
    client.force_login(owner)
    choices = list(
        client.get("/portals/technical/").context["form"].fields["organization"].queryset
    )
    assert choices == [organization]


def test_attachments_on_a_new_request_are_saved(client, basic_org):
    _organization, owner, _cluster = basic_org
    client.force_login(owner)
    upload = SimpleUploadedFile("screen.png", PNG, content_type="application/octet-stream")
    client.post("/portals/billing/", {**billing_form(), "attachments": [upload]})
    attachment = Attachment.objects.get()
    assert attachment.content_type == "image/png"
    assert attachment.original_name == "screen.png"
    assert "screen" not in attachment.file.name


def test_a_disallowed_file_is_refused_and_nothing_saved(client, basic_org):
    _organization, owner, _cluster = basic_org
    client.force_login(owner)
    exe = SimpleUploadedFile("notes.txt", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00" + b"\x00" * 200)
    response = client.post("/portals/billing/", {**billing_form(), "attachments": [exe]})
    assert response.status_code == 200
    assert (
        "cannot be attached" in response.text or "not a type that can be attached" in response.text
    )
    assert not Ticket.objects.exists()


# Requests list


def test_requests_list_shows_own_and_shared_not_private_or_foreign(
    client, enterprise_org, member_of, org_factory
):
    organization, owner, _cluster = enterprise_org
    colleague = member_of(organization)
    mine = TicketFactory(organization=organization, reporter=owner, summary="Mine")
    shared = TicketFactory(organization=organization, reporter=colleague, summary="Shared one")
    private = TicketFactory(
        organization=organization,
        reporter=colleague,
        summary="Private one",
        shared_with_organization=False,
    )
    other, other_owner, _c = org_factory()
    foreign = TicketFactory(organization=other, reporter=other_owner, summary="Foreign one")
    client.force_login(owner)
    page = client.get("/requests/").text
    assert mine.key in page and shared.key in page
    assert private.key not in page and foreign.key not in page


def test_requests_filters(client, enterprise_org, member_of):
    organization, owner, _cluster = enterprise_org
    colleague = member_of(organization)
    open_mine = TicketFactory(organization=organization, reporter=owner, summary="Disk full")
    closed = TicketFactory(
        organization=organization, reporter=owner, status="resolved", summary="Old one"
    )
    theirs = TicketFactory(
        organization=organization,
        reporter=colleague,
        portal="technical",
        summary="TiDB crash",
        description="panic in coprocessor",
    )
    client.force_login(owner)

    def keys(query):
        return {t.key for t in client.get("/requests/", query).context["page"]}

    assert keys({}) == {open_mine.key, theirs.key}
    assert keys({"status": "closed"}) == {closed.key}
    assert keys({"status": "all"}) == {open_mine.key, closed.key, theirs.key}
    assert keys({"portal": "technical"}) == {theirs.key}
    assert keys({"mine": "on"}) == {open_mine.key}
    assert keys({"q": "coprocessor"}) == {theirs.key}
    assert keys({"q": "disk"}) == {open_mine.key}
    assert keys({"organization": organization.pk}) == {open_mine.key, theirs.key}


def test_a_row_shows_the_request_and_links_to_it(client, enterprise_org):
    organization, owner, cluster = enterprise_org
    ticket = TicketFactory(
        organization=organization,
        reporter=owner,
        cluster=cluster,
        portal="technical",
        severity="S2",
        status="in_progress",
        summary="<b>Disk</b> full",
    )
    client.force_login(owner)
    row = parse(client.get("/requests/").content).find(data_testid="request-row")
    detail = reverse("tickets:request-detail", args=[ticket.key])
    assert [link.attrs["href"] for link in row.find_all("a")] == [detail, detail]
    assert [cell.text for cell in row.find_all("td")] == [
        ticket.key,
        f"<b>Disk</b> fullTiDB Cloud Technical Support · {cluster.name}",
        "In progress",
        "S2",
        organization.name,
        owner.display_name,
        "just now",
    ]
    assert row.find("time").attrs["datetime"] == ticket.last_activity_at.isoformat()


def test_a_row_without_organization_or_cluster_shows_a_dash_beside_its_reporter(
    client, enterprise_org, member_of
):
    organization, owner, cluster = enterprise_org
    colleague = member_of(organization)
    colleague.full_name = ""
    colleague.save(update_fields=["full_name"])
    TicketFactory(organization=organization, reporter=colleague, cluster=cluster)
    TicketFactory(organization=None, reporter=owner, summary="No organization")
    client.force_login(owner)
    rows = parse(client.get("/requests/").content).find_all(data_testid="request-row")
    cells = [[cell.text for cell in row.find_all("td")][1:] for row in rows]
    assert cells[0][0] == "No organizationTiDB Cloud Account/Billing Support"
    assert cells[0][3:5] == ["—", owner.display_name]
    assert cells[1][0].endswith(f" · {cluster.name}")
    assert cells[1][3:5] == [organization.name, colleague.email.split("@")[0]]


def test_requests_list_pages_by_fifty(client, enterprise_org):
    organization, owner, _cluster = enterprise_org
    TicketFactory.create_batch(55, organization=organization, reporter=owner)
    client.force_login(owner)
    assert len(client.get("/requests/").context["page"]) == 50
    assert len(client.get("/requests/", {"page": 2}).context["page"]) == 5


@pytest.mark.parametrize("rows", [5, 60, 150])
def test_requests_list_costs_a_fixed_number_of_queries(
    client, enterprise_org, rows, django_assert_max_num_queries
):
    organization, owner, cluster = enterprise_org
    TicketFactory.create_batch(rows, organization=organization, reporter=owner, cluster=cluster)
    client.force_login(owner)
    # The session, the user, the page's rows with their count (the user's memberships read
    # inside it), the menus.
    with django_assert_max_num_queries(4):
        response = client.get("/requests/", {"status": "all"})
    assert response.status_code == 200


@pytest.mark.parametrize(
    "number, shown, rows",
    [
        ("2", 2, 50),
        ("3", 3, 10),
        ("9", 3, 10),
        ("0", 3, 10),
        ("x", 1, 50),
        ("99999999999999999999999", 3, 10),
    ],
)
def test_requests_list_pages_as_djangos_paginator_does(client, enterprise_org, number, shown, rows):
    organization, owner, _cluster = enterprise_org
    TicketFactory.create_batch(110, organization=organization, reporter=owner)
    client.force_login(owner)
    response = client.get("/requests/", {"status": "all", "page": number})
    page = response.context["page"]
    assert (page.number, len(page), page.paginator.count) == (shown, rows, 110)
    assert f"Page {shown} of 3" in response.text


def test_a_search_that_finds_nothing_costs_no_more_than_a_page_of_rows(
    client, enterprise_org, django_assert_max_num_queries
):
    organization, owner, _cluster = enterprise_org
    TicketFactory(organization=organization, reporter=owner)
    client.force_login(owner)
    # The rows' query becomes the question whether the user has any request at all.
    with django_assert_max_num_queries(6):
        page = client.get("/requests/", {"status": "all", "q": "nothing matches"}).text
    assert "No requests match these filters." in page


def test_an_empty_unfiltered_list_needs_no_second_look(
    client, enterprise_org, django_assert_max_num_queries
):
    _organization, owner, _cluster = enterprise_org
    client.force_login(owner)
    with django_assert_max_num_queries(4):
        page = client.get("/requests/", {"status": "all"}).text
    assert "You have not raised any requests yet." in page


def test_a_new_users_empty_list_invites_the_first_request(client, enterprise_org):
    _organization, owner, _cluster = enterprise_org
    client.force_login(owner)
    page = client.get("/requests/").text
    assert "You have not raised any requests yet." in page
    assert f'href="{reverse("tickets:home")}">Raise one</a>' in page
    assert "No requests match these filters" not in page


def test_filters_that_match_nothing_say_so_and_offer_the_whole_list(client, enterprise_org):
    organization, owner, _cluster = enterprise_org
    TicketFactory(organization=organization, reporter=owner)
    client.force_login(owner)
    page = client.get("/requests/", {"status": "closed"}).text
    assert "No requests match these filters." in page
    assert "Show all your requests" in page
    assert "You have not raised any requests yet" not in page


def test_requests_filter_bar_shows_the_chosen_filters(client, enterprise_org):
    organization, owner, _cluster = enterprise_org
    client.force_login(owner)
    page = client.get(
        "/requests/",
        {"status": "closed", "portal": "billing", "organization": organization.pk, "mine": "on"},
    ).text
    assert '<option value="closed" selected>' in page
    assert '<option value="billing" selected>' in page
    assert f'<option value="{organization.pk}" selected>{organization.name}</option>' in page
    assert 'id="id_mine" checked' in page


def test_each_page_of_requests_shows_its_own_filters_after_another_page_chose_others(
    client, enterprise_org
):
    _organization, owner, _cluster = enterprise_org
    client.force_login(owner)
    client.get("/requests/", {"status": "closed", "portal": "billing", "mine": "on"})
    page = client.get("/requests/", {"status": "all"}).text
    assert '<option value="all" selected>' in page
    assert '<option value="" selected>All portals</option>' in page
    assert "selected" not in page.split('id="id_status"')[1].split('value="all"')[0]
    assert 'id="id_mine" checked' not in page
    refused = client.get("/requests/", {"q": "x" * 1000}).text
    assert " selected" not in refused.split('id="id_status"')[1].split('id="id_organization"')[0]


def test_csv_export_has_the_filtered_rows_only(client, enterprise_org, org_factory):
    organization, owner, _cluster = enterprise_org
    TicketFactory(organization=organization, reporter=owner, summary="=HYPERLINK(evil)")
    TicketFactory(organization=organization, reporter=owner, status="closed", summary="Closed")
    other, other_owner, _c = org_factory()
    TicketFactory(organization=other, reporter=other_owner, summary="Foreign")
    client.force_login(owner)
    response = client.get("/requests/export.csv", {"status": "open"})
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0][:2] == ["Key", "Summary"]
    assert [row[1] for row in rows[1:]] == ["'=HYPERLINK(evil)"]


# Request page


def test_request_page_shows_fields_promise_and_public_conversation(client, shared_ticket, engineer):
    services.ticket_comment_add(ticket=shared_ticket, author=engineer, body="Public answer")
    services.ticket_comment_add(
        ticket=shared_ticket, author=engineer, body="Secret internal note", is_internal=True
    )
    client.force_login(shared_ticket.reporter)
    page = client.get(f"/requests/{shared_ticket.key}/").text
    assert shared_ticket.summary in page
    assert "(the target: within 8 business hours)." in page
    assert "Met" in page
    assert "Public answer" in page
    assert "Secret internal note" not in page


@pytest.mark.parametrize("comments", [5, 60])
def test_request_page_costs_a_fixed_number_of_queries(
    client, shared_ticket, comments, django_assert_max_num_queries
):
    for index in range(comments):
        comment = CommentFactory(ticket=shared_ticket, body=f"comment {index}")
        Attachment.objects.create(
            comment=comment,
            file="attachments/x.txt",
            original_name="x.txt",
            content_type="text/plain",
            size=1,
        )
        TicketEvent.objects.create(
            ticket=shared_ticket,
            actor=shared_ticket.reporter,
            kind=TicketEvent.Kind.STATUS,
            from_value="In progress",
            to_value="Waiting for support",
        )
    client.force_login(shared_ticket.reporter)
    with django_assert_max_num_queries(4):
        response = client.get(f"/requests/{shared_ticket.key}/")
    assert response.status_code == 200


def test_merged_duplicates_cost_the_request_page_one_query(
    client, shared_ticket, engineer, django_assert_max_num_queries
):
    organization, reporter = shared_ticket.organization, shared_ticket.reporter
    for summary in ("First duplicate", "Second duplicate"):
        duplicate = file_request(reporter=reporter, organization=organization, summary=summary)
        services.ticket_comment_add(ticket=duplicate, author=reporter, body=f"From {summary}")
        services.ticket_merge(duplicate=duplicate, target=shared_ticket, actor=engineer)
    client.force_login(reporter)
    with django_assert_max_num_queries(5):
        page = parse(client.get(f"/requests/{shared_ticket.key}/").content)
    assert len(page.find_all(data_testid="merged-request")) == 2
    assert "From Second duplicate" in page.text


def test_participants_cost_the_request_page_no_query(
    client, shared_ticket, member_of, django_assert_max_num_queries
):
    named = [member_of(shared_ticket.organization) for _ in range(3)]
    services.ticket_sharing_update(
        ticket=shared_ticket,
        actor=shared_ticket.reporter,
        shared_with_organization=False,
        participants=named,
    )
    client.force_login(shared_ticket.reporter)
    with django_assert_max_num_queries(4):
        page = client.get(f"/requests/{shared_ticket.key}/").text
    assert all(person.display_name in page for person in named)
    assert len(re.findall(r'name="participants" value="\d+" id="[^"]+" checked', page)) == 3


def _ask_the_customer(ticket, engineer):
    """An engineer asks the customer a question and waits for the answer, as the triage does."""
    services.ticket_comment_add(ticket=ticket, author=engineer, body="Which version?")
    services.ticket_status_change(ticket=ticket, actor=engineer, to_status="waiting_for_customer")


def test_status_changes_appear_in_the_activity(client, shared_ticket, engineer):
    engineer.full_name = "Sam"
    engineer.save(update_fields=["full_name"])
    _ask_the_customer(shared_ticket, engineer)
    client.force_login(shared_ticket.reporter)
    page = parse(client.get(f"/requests/{shared_ticket.key}/").content)
    entries = [
        element.text.split(" · ")[0]
        for element in page.find_all(data_testid=True)
        if element.attrs["data-testid"] in ("comment", "status-change")
    ]
    assert entries[-1] == "Sam from Support set the status to Waiting for customer"
    assert "Which version?" in entries[-2]


def test_a_customer_sees_the_request_waits_for_their_reply(client, shared_ticket, engineer):
    client.force_login(shared_ticket.reporter)
    assert 'data-testid="waiting-for-you"' not in client.get(f"/requests/{shared_ticket.key}/").text
    _ask_the_customer(shared_ticket, engineer)
    page = parse(client.get(f"/requests/{shared_ticket.key}/").content)
    assert page.find(data_testid="waiting-for-you").text.startswith("Waiting for your reply")
    listed = parse(client.get("/requests/").content)
    row = listed.find(data_testid="request-row")
    assert row.find(data_testid="waiting-for-you").text == "Waiting for your reply"


def test_the_banner_goes_once_the_customer_replies(client, shared_ticket, engineer):
    _ask_the_customer(shared_ticket, engineer)
    client.force_login(shared_ticket.reporter)
    client.post(f"/requests/{shared_ticket.key}/comments/", {"body": "v8.5.1"})
    shared_ticket.refresh_from_db()
    assert shared_ticket.status == "waiting_for_support"
    page = client.get(f"/requests/{shared_ticket.key}/").text
    assert 'data-testid="waiting-for-you"' not in page
    assert "set the status to Waiting for support" in page


def test_a_support_reply_shows_its_badge_and_its_files(client, shared_ticket, engineer):
    engineer.full_name = "Sam"
    engineer.save(update_fields=["full_name"])
    comment = services.ticket_comment_add(ticket=shared_ticket, author=engineer, body="See log")
    attachment = Attachment.objects.create(
        comment=comment,
        file="attachments/x.txt",
        original_name="answer.log",
        content_type="text/plain",
        size=2048,
    )
    client.force_login(shared_ticket.reporter)
    page = parse(client.get(f"/requests/{shared_ticket.key}/").content)
    card = page.find(data_testid="comment")
    assert "hc-comment-support" in card.classes
    assert card.find("strong").text == "Sam"
    assert card.find(class_="badge").text == "TiDB Cloud Support"
    link = card.find("a")
    assert link.attrs["href"] == f"/requests/{shared_ticket.key}/attachments/{attachment.pk}/"
    assert link.text == "answer.log (2.0 KB)"


def test_customer_comment_with_a_file(client, shared_ticket):
    client.force_login(shared_ticket.reporter)
    upload = SimpleUploadedFile("app.log", b"2026-11-27 10:02 ERROR region unavailable\n")
    response = client.post(
        f"/requests/{shared_ticket.key}/comments/",
        {"body": "Log attached", "attachments": [upload]},
        follow=True,
    )
    assert "Log attached" in response.text
    assert "app.log" in response.text
    assert Comment.objects.get(body="Log attached").attachments.get().content_type == "text/plain"


def test_too_many_files_are_refused_and_the_comment_kept(client, shared_ticket, settings):
    """The refused comment comes back with its own answer only: the empty comment form is
    written once per process, and the pages before and after the refusal show it empty."""
    settings.ATTACHMENT_MAX_PER_COMMENT = 2
    client.force_login(shared_ticket.reporter)
    page = f"/requests/{shared_ticket.key}/"
    before = client.get(page).text
    uploads = [SimpleUploadedFile(f"{i}.txt", b"text") for i in range(3)]
    response = client.post(f"{page}comments/", {"body": "Three files", "attachments": uploads})
    assert response.status_code == 400
    assert "Attach at most 2 files" in response.text
    assert "Three files</textarea>" in response.text
    assert not Comment.objects.filter(body="Three files").exists()
    after = client.get(page).text
    for html in (before, after):
        assert "Three files" not in html
        assert "Attach at most" not in html
        assert 'id="id_body">\n</textarea>' in html


def test_a_file_over_the_size_limit_is_refused(client, shared_ticket, settings):
    settings.ATTACHMENT_MAX_BYTES = 10
    client.force_login(shared_ticket.reporter)
    upload = SimpleUploadedFile("big.txt", b"x" * 11)
    response = client.post(
        f"/requests/{shared_ticket.key}/comments/", {"body": "Big", "attachments": [upload]}
    )
    assert "the limit is 10" in response.text
    assert not Attachment.objects.exists()


def test_resolve_and_reopen(client, shared_ticket):
    client.force_login(shared_ticket.reporter)
    page = client.post(f"/requests/{shared_ticket.key}/resolve/", follow=True).text
    assert "Reopen this request" in page
    shared_ticket.refresh_from_db()
    assert shared_ticket.status == "resolved"
    page = client.post(f"/requests/{shared_ticket.key}/reopen/", follow=True).text
    assert "Resolve this request" in page
    shared_ticket.refresh_from_db()
    assert shared_ticket.status == "waiting_for_support"


def test_reporter_shares_with_a_named_colleague(client, member_of, enterprise_org):
    organization, owner, _cluster = enterprise_org
    colleague = member_of(organization)
    ticket = TicketFactory(
        organization=organization, reporter=owner, shared_with_organization=False
    )
    client.force_login(colleague)
    assert client.get(f"/requests/{ticket.key}/").status_code == 404
    client.force_login(owner)
    client.post(f"/requests/{ticket.key}/sharing/", {"participants": [colleague.pk]})
    client.force_login(colleague)
    assert client.get(f"/requests/{ticket.key}/").status_code == 200


def test_sharing_form_shows_colleagues_and_who_is_named(client, member_of, enterprise_org):
    organization, owner, _cluster = enterprise_org
    named, other = member_of(organization), member_of(organization)
    ticket = TicketFactory(
        organization=organization, reporter=owner, shared_with_organization=False
    )
    services.ticket_sharing_update(
        ticket=ticket, actor=owner, shared_with_organization=False, participants=[named]
    )
    client.force_login(owner)
    page = client.get(f"/requests/{ticket.key}/").text
    assert 'id="id_shared_with_organization">' in page
    assert f'value="{named.pk}" id="id_participants_' in page
    checked = re.findall(r'name="participants" value="(\d+)" id="[^"]+" checked', page)
    assert checked == [str(named.pk)]
    assert f"{other.display_name} ({other.email})" in page


def test_notifications_toggle(client, shared_ticket):
    client.force_login(shared_ticket.reporter)
    page = client.post(f"/requests/{shared_ticket.key}/notifications/", {}, follow=True).text
    assert "Turn notifications on" in page
    page = client.post(
        f"/requests/{shared_ticket.key}/notifications/", {"enabled": "on"}, follow=True
    ).text
    assert "Turn notifications off" in page


def test_an_attachment_download_reads_only_the_request_id_and_the_file(
    client, shared_ticket, django_assert_max_num_queries
):
    services.ticket_comment_add(
        ticket=shared_ticket,
        author=shared_ticket.reporter,
        body="logs",
        attachments=[SimpleUploadedFile("tidb.log", b"ERROR")],
    )
    attachment = Attachment.objects.get()
    client.force_login(shared_ticket.reporter)
    with django_assert_max_num_queries(4):
        response = client.get(f"/requests/{shared_ticket.key}/attachments/{attachment.pk}/")
    assert b"".join(response.streaming_content) == b"ERROR"


def test_attachment_downloads_as_a_file_never_inline(client, shared_ticket):
    services.ticket_comment_add(
        ticket=shared_ticket,
        author=shared_ticket.reporter,
        body="html",
        attachments=[SimpleUploadedFile("page.txt", b"<script>alert(1)</script>")],
    )
    attachment = Attachment.objects.get()
    client.force_login(shared_ticket.reporter)
    response = client.get(f"/requests/{shared_ticket.key}/attachments/{attachment.pk}/")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["Content-Type"] == "text/plain"
    assert b"".join(response.streaming_content) == b"<script>alert(1)</script>"


# The access matrix: every request URL for every kind of visitor.

REQUEST_URLS = [
    ("get", "/requests/{key}/"),
    ("post", "/requests/{key}/comments/"),
    ("post", "/requests/{key}/resolve/"),
    ("post", "/requests/{key}/reopen/"),
    ("post", "/requests/{key}/sharing/"),
    ("post", "/requests/{key}/notifications/"),
    ("post", "/requests/{key}/rating/"),
    ("get", "/requests/{key}/attachments/{attachment}/"),
]


@pytest.fixture
def private_ticket_with_file(enterprise_org):
    organization, owner, _cluster = enterprise_org
    ticket = file_request(
        reporter=owner,
        organization=organization,
        portal="billing",
        summary="Private invoice",
        shared_with_organization=False,
        attachments=[SimpleUploadedFile("i.txt", b"invoice")],
    )
    return ticket, Attachment.objects.get(comment__ticket=ticket)


def visit(client, method, url, ticket, attachment):
    url = url.format(key=ticket.key, attachment=attachment.pk)
    if method == "post":
        return client.post(url, {"body": "Any news?"})
    return client.get(url)


@pytest.mark.parametrize(("method", "url"), REQUEST_URLS)
def test_anonymous_visitor_is_sent_to_log_in(client, private_ticket_with_file, method, url):
    ticket, attachment = private_ticket_with_file
    response = visit(client, method, url, ticket, attachment)
    assert response.status_code == 302
    path = url.format(key=ticket.key, attachment=attachment.pk)
    assert response.url == f"/accounts/login/?next={path}"


@pytest.mark.parametrize(("method", "url"), REQUEST_URLS)
def test_another_organization_gets_404(client, private_ticket_with_file, org_factory, method, url):
    _other, stranger, _cluster = org_factory("enterprise")
    client.force_login(stranger)
    assert visit(client, method, url, *private_ticket_with_file).status_code == 404


@pytest.mark.parametrize(("method", "url"), REQUEST_URLS)
def test_same_organization_member_gets_404_while_private(
    client, private_ticket_with_file, member_of, method, url
):
    ticket, _attachment = private_ticket_with_file
    client.force_login(member_of(ticket.organization))
    assert visit(client, method, url, *private_ticket_with_file).status_code == 404


# What letting in means, URL by URL: the page itself, the file, or the request page again with
# the message of what was done (or refused). A refused action also redirects, so the message is
# part of the outcome.
LET_IN = {
    "/requests/{key}/": ("page", "Private invoice"),
    "/requests/{key}/comments/": ("back", "Your comment was added."),
    "/requests/{key}/resolve/": ("back", "This request is resolved."),
    "/requests/{key}/reopen/": ("back", "This request is open again."),
    "/requests/{key}/sharing/": ("back", "Sharing updated."),
    "/requests/{key}/notifications/": (
        "back",
        "You will no longer get emails about this request, except when it is resolved.",
    ),
    "/requests/{key}/rating/": ("back", "Choose a rating from 1 to 5."),
    "/requests/{key}/attachments/{attachment}/": ("file", b"invoice"),
}


def outcome(response, ticket):
    """What the visitor met, in the terms of LET_IN."""
    if response.status_code == 302:
        assert response.url == f"/requests/{ticket.key}/"
        return ("back", " ".join(str(m) for m in get_messages(response.wsgi_request)))
    assert response.status_code == 200, response.status_code
    if response.get("Content-Disposition", "").startswith("attachment;"):
        return ("file", b"".join(response.streaming_content))
    return ("page", "Private invoice" if "Private invoice" in response.text else response.text)


@pytest.mark.parametrize(("method", "url"), REQUEST_URLS)
def test_same_organization_member_is_let_in_once_shared(
    client, private_ticket_with_file, member_of, method, url
):
    ticket, _attachment = private_ticket_with_file
    ticket.shared_with_organization = True
    ticket.save(update_fields=["shared_with_organization"])
    client.force_login(member_of(ticket.organization))
    response = visit(client, method, url, *private_ticket_with_file)
    if "sharing" in url:
        assert response.status_code == 403, "only the reporter decides who sees a request"
    else:
        assert outcome(response, ticket) == LET_IN[url]


@pytest.mark.parametrize(("method", "url"), REQUEST_URLS)
def test_reporter_is_let_in(client, private_ticket_with_file, method, url):
    ticket, _attachment = private_ticket_with_file
    client.force_login(ticket.reporter)
    response = visit(client, method, url, *private_ticket_with_file)
    assert outcome(response, ticket) == LET_IN[url]


def test_attachment_of_another_request_is_404_even_with_access_to_this_one(
    client, private_ticket_with_file, shared_ticket
):
    _ticket, attachment = private_ticket_with_file
    client.force_login(shared_ticket.reporter)
    stranger = UserFactory()
    MembershipFactory(
        user=stranger, organization=shared_ticket.organization, role=Membership.Role.MEMBER
    )
    client.force_login(stranger)
    response = client.get(f"/requests/{shared_ticket.key}/attachments/{attachment.pk}/")
    assert response.status_code == 404


def test_csv_export_never_contains_another_organizations_rows(client, basic_org, org_factory):
    _organization, owner, _cluster = basic_org
    other, other_owner, _c = org_factory()
    TicketFactory(organization=other, reporter=other_owner, summary="Secret of other org")
    client.force_login(owner)
    response = client.get("/requests/export.csv", {"status": "all"})
    assert "Secret of other org" not in b"".join(response.streaming_content).decode()


def test_csv_export_streams_rows_as_it_reads_them(client, enterprise_org):
    """The rows are read while the file is sent, not gathered first, so a 10,000-row export
    keeps the worker's memory flat."""
    organization, owner, _cluster = enterprise_org
    TicketFactory.create_batch(3, organization=organization, reporter=owner)
    client.force_login(owner)
    response = client.get("/requests/export.csv", {"status": "all"})
    assert response.streaming
    lines = iter(response.streaming_content)
    with CaptureQueriesContext(connection) as queries:
        assert next(lines).startswith(b"Key,Summary")
        assert not any("tickets_ticket" in query["sql"] for query in queries)
        rest = b"".join(lines).decode()
    assert any('"tickets_ticket"' in query["sql"] for query in queries)
    assert len(rest.splitlines()) == 3


def test_csv_export_sends_its_rows_a_chunk_at_a_time(client, enterprise_org):
    """A write to the client per line cost more than the line: the rows go out together."""
    organization, owner, _cluster = enterprise_org
    TicketFactory.create_batch(3, organization=organization, reporter=owner)
    client.force_login(owner)
    response = client.get("/requests/export.csv", {"status": "all"})
    header, rows = list(response.streaming_content)
    assert header.startswith(b"Key,Summary") and len(rows.decode().splitlines()) == 3


def test_unsubscribe_link_turns_notifications_off_without_login(client, shared_ticket):
    from tickets.notifications import unsubscribe_token
    from tickets.selectors import notification_enabled_for

    token = unsubscribe_token(ticket=shared_ticket, user=shared_ticket.reporter)
    assert "Turn off emails" in client.get(f"/notifications/off/{token}/").text
    client.post(f"/notifications/off/{token}/")
    assert not notification_enabled_for(ticket=shared_ticket, user=shared_ticket.reporter)
    assert client.get("/notifications/off/forged-token/").status_code == 404


# Satisfaction survey


def test_reporter_rates_a_resolved_request_once(client, shared_ticket):
    client.force_login(shared_ticket.reporter)
    assert "Rate this request" not in client.get(f"/requests/{shared_ticket.key}/").text
    client.post(f"/requests/{shared_ticket.key}/resolve/")
    assert "Rate this request" in client.get(f"/requests/{shared_ticket.key}/").text
    page = client.post(
        f"/requests/{shared_ticket.key}/rating/",
        {"rating": "4", "comment": "Quick and clear"},
        follow=True,
    ).text
    assert "Rated 4/5: “Quick and clear”" in page
    assert "Rate this request" not in page
    page = client.post(f"/requests/{shared_ticket.key}/rating/", {"rating": "1"}, follow=True).text
    assert "You have already rated this request." in page
    assert shared_ticket.events.filter(kind="rated", to_value="4/5").count() == 1


def test_an_open_request_cannot_be_rated(client, shared_ticket):
    client.force_login(shared_ticket.reporter)
    page = client.post(f"/requests/{shared_ticket.key}/rating/", {"rating": "5"}, follow=True).text
    assert "once it is resolved" in page
    assert not hasattr(Ticket.objects.get(pk=shared_ticket.pk), "satisfaction")


def test_a_rating_outside_one_to_five_is_refused(client, shared_ticket):
    client.force_login(shared_ticket.reporter)
    client.post(f"/requests/{shared_ticket.key}/resolve/")
    page = client.post(f"/requests/{shared_ticket.key}/rating/", {"rating": "9"}, follow=True).text
    assert "Choose a rating from 1 to 5." in page


def test_only_the_reporter_rates(client, shared_ticket, member_of):
    client.force_login(shared_ticket.reporter)
    client.post(f"/requests/{shared_ticket.key}/resolve/")
    client.force_login(member_of(shared_ticket.organization))
    assert "Rate this request" not in client.get(f"/requests/{shared_ticket.key}/").text
    response = client.post(f"/requests/{shared_ticket.key}/rating/", {"rating": "5"})
    assert response.status_code == 403


def test_customers_with_the_same_filters_each_see_only_their_own(client, org_factory):
    """The list's conditions are compiled once for every reader with the same filters: each
    reader's own id and chosen organization go into them."""
    first, second = org_factory("enterprise"), org_factory("enterprise")
    readers = {}
    for organization, owner, _cluster in (first, second):
        colleague = MembershipFactory(organization=organization).user
        own = TicketFactory(organization=organization, reporter=owner, summary=f"{owner.pk} own")
        private = TicketFactory(
            organization=organization,
            reporter=colleague,
            shared_with_organization=False,
            summary=f"{owner.pk} private of a colleague",
        )
        added = TicketFactory(
            organization=organization,
            reporter=colleague,
            shared_with_organization=False,
            summary=f"{owner.pk} taken part in",
        )
        added.participants.add(owner)
        personal = TicketFactory(organization=None, reporter=owner, summary=f"{owner.pk} personal")
        readers[owner] = (organization, {own, added, personal}, private)
    for owner, (organization, visible, private) in readers.items():
        client.force_login(owner)
        for query in (
            {"status": "all"},
            {"status": "open", "mine": "on"},
            {"status": "all", "organization": organization.pk},
        ):
            page = client.get("/requests/", query).text
            listed = {ticket for ticket in Ticket.objects.all() if ticket.key in page}
            expected = {
                ticket
                for ticket in visible
                if "mine" not in query or ticket.reporter == owner
                if "organization" not in query or ticket.organization == organization
            }
            assert listed == expected, (owner, query)
            assert private.key not in page
