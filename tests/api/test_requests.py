import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from rest_framework.test import APIClient

from accounts.models import Cluster, Membership, User
from tests.factories import MembershipFactory, TicketFactory, UserFactory
from tickets import services
from tickets.models import Comment, Component, Ticket

pytestmark = pytest.mark.django_db
REQUESTS = "/api/v1/requests/"


def technical(organization, cluster, **overrides):
    return {
        "portal": "technical",
        "summary": "TiKV store down",
        "organization": organization.pk,
        "cluster": cluster.pk,
        "environment": "production",
        "description": "Store 4 went down at 09:12 UTC.",
        "severity": "S2",
        "components": ["TiKV"],
        "affects_version": "v8.5.1",
        **overrides,
    }


def test_demo_bob_files_a_technical_request_and_alice_is_refused(bearer):
    call_command("seed_demo", stdout=io.StringIO())
    bob = User.objects.get(email="bob@globex.example")
    alice = User.objects.get(email="alice@acme.example")
    cluster = Cluster.objects.get(name="globex-analytics")
    response = bearer(bob).post(
        REQUESTS, technical(cluster.organization, cluster, affects_version="v7.5.4"), format="json"
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["key"].startswith("TECH-")
    assert (
        body["organization"]["name"] == "Globex" and body["cluster"]["name"] == "globex-analytics"
    )
    assert body["response"]["state"] == "on_track"
    alice_client = bearer(alice)
    acme_prod = Cluster.objects.get(name="acme-prod")
    for organization, their_cluster in [
        (acme_prod.organization, acme_prod),
        (cluster.organization, cluster),
    ]:
        refused = alice_client.post(REQUESTS, technical(organization, their_cluster), format="json")
        assert refused.status_code == 403
        assert "Technical" in refused.json()["detail"]
    assert alice_client.get(f"{REQUESTS}{body['key']}/").status_code == 404


def test_create_answers_201_with_the_key_and_the_fields(enterprise_org, bearer):
    organization, owner, cluster = enterprise_org
    response = bearer(owner).post(REQUESTS, technical(organization, cluster), format="json")
    assert response.status_code == 201
    ticket = Ticket.objects.get(key=response.json()["key"])
    assert (ticket.reporter, ticket.cluster, ticket.environment) == (owner, cluster, "production")
    assert list(ticket.components.values_list("name", flat=True)) == ["TiKV"]
    assert response.json()["components"] == ["TiKV"]
    assert response.json()["response"]["target"]


def test_s1_is_refused_on_billing_naming_severity(bearer):
    response = bearer(UserFactory()).post(
        REQUESTS,
        {"portal": "billing", "summary": "x", "description": "y", "severity": "S1"},
        format="json",
    )
    assert response.status_code == 400
    assert "S1" in response.json()["severity"][0]
    assert not Ticket.objects.exists()


def test_s1_needs_production(enterprise_org, bearer):
    organization, owner, cluster = enterprise_org
    data = technical(organization, cluster, severity="S1", environment="non-production")
    response = bearer(owner).post(REQUESTS, data, format="json")
    assert response.status_code == 400 and "severity" in response.json()


def test_a_foreign_cluster_is_refused_as_unknown(enterprise_org, org_factory, bearer):
    organization, owner, _cluster = enterprise_org
    _other, _owner, foreign = org_factory("enterprise")
    response = bearer(owner).post(REQUESTS, technical(organization, foreign), format="json")
    assert response.status_code == 400 and "cluster" in response.json()


def test_a_cluster_of_another_of_my_organizations_is_refused_by_the_service(
    enterprise_org, org_factory, bearer
):
    organization, owner, _cluster = enterprise_org
    second, _o, second_cluster = org_factory("enterprise")
    MembershipFactory(user=owner, organization=second)
    response = bearer(owner).post(REQUESTS, technical(organization, second_cluster), format="json")
    assert response.status_code == 400
    assert "does not belong" in response.json()["cluster"][0]


def test_plan_gating_names_the_organization(enterprise_org, basic_org, bearer):
    organization, owner, cluster = enterprise_org
    basic, _owner, basic_cluster = basic_org
    MembershipFactory(user=owner, organization=basic)
    response = bearer(owner).post(REQUESTS, technical(basic, basic_cluster), format="json")
    assert response.status_code == 400 and "organization" in response.json()


def test_an_unknown_component_is_named(enterprise_org, bearer):
    organization, owner, cluster = enterprise_org
    data = technical(organization, cluster, components=["NoSuchThing"])
    response = bearer(owner).post(REQUESTS, data, format="json")
    assert response.status_code == 400 and "components" in response.json()


def test_components_by_id_as_the_form_posts_them(enterprise_org, bearer):
    organization, owner, cluster = enterprise_org
    pd = Component.objects.get(name="PD")
    response = bearer(owner).post(
        REQUESTS, technical(organization, cluster, components=[pd.pk]), format="json"
    )
    assert response.status_code == 201 and response.json()["components"] == ["PD"]


def test_list_filters_like_the_requests_page(enterprise_org, bearer):
    organization, owner, _cluster = enterprise_org
    open_one = TicketFactory(reporter=owner, organization=organization, summary="Invoice wrong")
    closed = TicketFactory(reporter=owner, organization=organization, status="resolved")
    TicketFactory(organization=organization, shared_with_organization=False)
    client = bearer(owner)
    keys = [row["key"] for row in client.get(REQUESTS).json()["results"]]
    assert keys == [open_one.key]
    closed_keys = [
        row["key"] for row in client.get(REQUESTS, {"status": "closed"}).json()["results"]
    ]
    assert closed_keys == [closed.key]
    assert client.get(REQUESTS, {"q": "nothing-like-it"}).json()["results"] == []
    assert client.get(REQUESTS, {"status": "sideways"}).status_code == 400


def test_list_refuses_another_organizations_filter(enterprise_org, org_factory, bearer):
    _organization, owner, _cluster = enterprise_org
    other, _o, _c = org_factory()
    response = bearer(owner).get(REQUESTS, {"organization": other.pk})
    assert response.status_code == 400 and "organization" in response.json()


def test_list_pages_with_a_cursor(enterprise_org, bearer):
    organization, owner, _cluster = enterprise_org
    TicketFactory.create_batch(55, reporter=owner, organization=organization)
    client = bearer(owner)
    first = client.get(REQUESTS).json()
    second = client.get(first["next"]).json()
    keys = [row["key"] for row in first["results"] + second["results"]]
    assert len(first["results"]) == 50 and len(keys) == len(set(keys)) == 55


@pytest.mark.parametrize("count", [5, 500])
def test_list_costs_the_same_queries_at_5_and_500(
    enterprise_org, bearer, django_assert_max_num_queries, count
):
    organization, owner, cluster = enterprise_org
    TicketFactory.create_batch(count, reporter=owner, organization=organization, cluster=cluster)
    client = bearer(owner)
    client.get(REQUESTS)  # the token's first use writes its "last used"
    with django_assert_max_num_queries(3):
        response = client.get(REQUESTS)
    assert len(response.json()["results"]) == min(count, 50)


def test_retrieve_shows_the_promise_and_its_state(enterprise_org, bearer):
    organization, owner, cluster = enterprise_org
    ticket = services.ticket_create(
        reporter=owner,
        portal="technical",
        summary="Slow",
        description="Slow queries",
        severity="S2",
        organization=organization,
        cluster=cluster,
        environment="production",
    )
    body = bearer(owner).get(f"{REQUESTS}{ticket.key}/").json()
    assert body["response"]["target"] == ticket.response_target_label
    assert body["response"]["state"] == "on_track"
    assert body["response"]["due_at"]


def test_access_matrix_on_retrieve(enterprise_org, member_of, org_factory, bearer):
    organization, owner, _cluster = enterprise_org
    private = TicketFactory(
        reporter=owner, organization=organization, shared_with_organization=False
    )
    url = f"{REQUESTS}{private.key}/"
    assert APIClient().get(url).status_code == 401
    assert bearer(org_factory()[1]).get(url).status_code == 404
    assert bearer(member_of(organization)).get(url).status_code == 404
    assert bearer(owner).get(url).status_code == 200
    private.shared_with_organization = True
    private.save(update_fields=["shared_with_organization"])
    assert bearer(member_of(organization)).get(url).status_code == 200


def test_resolve_and_reopen(enterprise_org, bearer):
    organization, owner, _cluster = enterprise_org
    ticket = TicketFactory(reporter=owner, organization=organization)
    client = bearer(owner)
    assert client.post(f"{REQUESTS}{ticket.key}/resolve/").json()["status"] == "resolved"
    assert client.post(f"{REQUESTS}{ticket.key}/reopen/").json()["status"] == "waiting_for_support"


def test_a_refused_transition_is_a_400(enterprise_org, bearer):
    organization, owner, _cluster = enterprise_org
    ticket = TicketFactory(reporter=owner, organization=organization, status="closed")
    response = bearer(owner).post(f"{REQUESTS}{ticket.key}/reopen/")
    assert response.status_code == 400
    assert "cannot be set" in response.json()["non_field_errors"][0]


def test_share_with_a_colleague_by_email(enterprise_org, member_of, org_factory, bearer):
    organization, owner, _cluster = enterprise_org
    ticket = TicketFactory(
        reporter=owner, organization=organization, shared_with_organization=False
    )
    colleague = member_of(organization)
    client = bearer(owner)
    response = client.post(
        f"{REQUESTS}{ticket.key}/share/",
        {"shared_with_organization": False, "participants": [colleague.email]},
        format="json",
    )
    assert response.status_code == 200
    assert [p["email"] for p in response.json()["participants"]] == [colleague.email]
    stranger = org_factory()[1]
    refused = client.post(
        f"{REQUESTS}{ticket.key}/share/",
        {"shared_with_organization": False, "participants": [stranger.email]},
        format="json",
    )
    assert refused.status_code == 400 and "participants" in refused.json()


def test_only_the_reporter_shares(enterprise_org, member_of, bearer):
    organization, owner, _cluster = enterprise_org
    ticket = TicketFactory(reporter=owner, organization=organization)
    response = bearer(member_of(organization)).post(
        f"{REQUESTS}{ticket.key}/share/", {"shared_with_organization": False}, format="json"
    )
    assert response.status_code == 403


def test_notifications_off_and_on(enterprise_org, bearer):
    organization, owner, _cluster = enterprise_org
    ticket = TicketFactory(reporter=owner, organization=organization)
    client = bearer(owner)
    url = f"{REQUESTS}{ticket.key}/notifications/"
    assert client.get(url).json() == {"enabled": True}
    assert client.post(url, {"enabled": False}, format="json").json() == {"enabled": False}
    assert client.get(url).json() == {"enabled": False}


def test_rate_once_after_resolve(enterprise_org, bearer):
    organization, owner, _cluster = enterprise_org
    ticket = TicketFactory(reporter=owner, organization=organization, status="resolved")
    client = bearer(owner)
    url = f"{REQUESTS}{ticket.key}/rating/"
    out_of_range = client.post(url, {"rating": 9}, format="json")
    assert out_of_range.status_code == 400 and "rating" in out_of_range.json()
    assert client.post(url, {"rating": 5, "comment": "Fast"}, format="json").status_code == 201
    again = client.post(url, {"rating": 4}, format="json")
    assert again.status_code == 400 and "already" in again.json()["non_field_errors"][0]
    assert client.get(f"{REQUESTS}{ticket.key}/").json()["rating"]["rating"] == 5


def test_comments_with_a_file_and_download(enterprise_org, bearer):
    organization, owner, _cluster = enterprise_org
    ticket = TicketFactory(reporter=owner, organization=organization)
    client = bearer(owner)
    url = f"{REQUESTS}{ticket.key}/comments/"
    log = SimpleUploadedFile("tikv.log", b"[ERROR] store 4 unreachable\n", "text/plain")
    response = client.post(url, {"body": "Log attached", "attachments": [log]}, format="multipart")
    assert response.status_code == 201, response.json()
    attachment = response.json()["attachments"][0]
    assert (attachment["name"], attachment["content_type"]) == ("tikv.log", "text/plain")
    download = client.get(attachment["url"])
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == b"[ERROR] store 4 unreachable\n"
    assert "attachment" in download["Content-Disposition"]
    assert [c["body"] for c in client.get(url).json()] == ["Log attached"]


def test_a_forbidden_file_type_is_a_400_and_nothing_is_saved(enterprise_org, bearer):
    organization, owner, _cluster = enterprise_org
    ticket = TicketFactory(reporter=owner, organization=organization)
    exe = SimpleUploadedFile("x.exe", b"MZ\x90\x00" + b"\x00" * 200, "application/octet-stream")
    response = bearer(owner).post(
        f"{REQUESTS}{ticket.key}/comments/", {"body": "x", "attachments": [exe]}, format="multipart"
    )
    assert response.status_code == 400
    assert not Comment.objects.filter(ticket=ticket).exists()


def test_internal_notes_are_not_listed(enterprise_org, engineer, bearer):
    organization, owner, _cluster = enterprise_org
    ticket = TicketFactory(reporter=owner, organization=organization)
    services.ticket_comment_add(ticket=ticket, author=engineer, body="secret", is_internal=True)
    services.ticket_comment_add(ticket=ticket, author=engineer, body="Hello")
    bodies = [c["body"] for c in bearer(owner).get(f"{REQUESTS}{ticket.key}/comments/").json()]
    assert bodies == ["Hello"]


def test_a_foreign_attachment_is_a_404(enterprise_org, org_factory, bearer):
    organization, owner, _cluster = enterprise_org
    ticket = TicketFactory(reporter=owner, organization=organization)
    comment = services.ticket_comment_add(
        ticket=ticket,
        author=owner,
        body="log",
        attachments=[SimpleUploadedFile("a.log", b"hello\n", "text/plain")],
    )
    url = f"{REQUESTS}{ticket.key}/attachments/{comment.attachments.get().pk}/"
    assert bearer(org_factory()[1]).get(url).status_code == 404


def test_session_writes_need_csrf(enterprise_org):
    organization, owner, _cluster = enterprise_org
    ticket = TicketFactory(reporter=owner, organization=organization)
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(owner)
    assert client.get(f"{REQUESTS}{ticket.key}/").status_code == 200
    assert client.post(f"{REQUESTS}{ticket.key}/resolve/").status_code == 403


def test_organizations_clusters_and_plan(enterprise_org, org_factory, bearer):
    organization, owner, cluster = enterprise_org
    other, _o, _c = org_factory()
    client = bearer(owner)
    assert [o["name"] for o in client.get("/api/v1/organizations/").json()] == [organization.name]
    clusters = client.get(f"/api/v1/organizations/{organization.pk}/clusters/").json()
    assert [c["name"] for c in clusters] == [cluster.name]
    plan = client.get(f"/api/v1/organizations/{organization.pk}/plan/").json()
    assert plan["code"] == "enterprise" and "technical" in plan["portals"]
    assert client.get(f"/api/v1/organizations/{other.pk}/clusters/").status_code == 404
    assert client.get(f"/api/v1/organizations/{other.pk}/plan/").status_code == 404
    codes = [p["code"] for p in client.get("/api/v1/plans/").json()]
    assert codes[0] == "basic" and "premium" in codes


def test_membership_role_is_irrelevant_to_reading(enterprise_org, bearer):
    organization, _owner, _cluster = enterprise_org
    member = UserFactory()
    MembershipFactory(user=member, organization=organization, role=Membership.Role.MEMBER)
    assert bearer(member).get(f"/api/v1/organizations/{organization.pk}/").status_code == 200
