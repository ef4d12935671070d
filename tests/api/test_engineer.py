import pytest
from rest_framework.test import APIClient

from tests.factories import SupportEngineerFactory, TicketFactory
from tickets import services
from tickets.models import Comment

pytestmark = pytest.mark.django_db
SUPPORT = "/api/v1/support/"


@pytest.fixture
def ticket(enterprise_org):
    organization, owner, cluster = enterprise_org
    return services.ticket_create(
        reporter=owner,
        portal="technical",
        summary="PD leader flapping",
        description="Leader changes every minute.",
        severity="S2",
        organization=organization,
        cluster=cluster,
        environment="production",
    )


def test_customers_and_anonymous_are_refused(ticket, bearer):
    assert bearer(ticket.reporter).get(f"{SUPPORT}queues/").status_code == 403
    assert bearer(ticket.reporter).get(f"{SUPPORT}requests/{ticket.key}/").status_code == 403
    assert APIClient().get(f"{SUPPORT}queues/").status_code == 401


def test_queues_count_open_requests(ticket, engineer, bearer):
    counts = bearer(engineer).get(f"{SUPPORT}queues/").json()
    assert counts == {"all_open": 1, "mine": 0, "unassigned": 1, "breaching": 0}


def test_triage_list_filters(ticket, engineer, bearer):
    TicketFactory(status="resolved", summary="Old invoice")
    client = bearer(engineer)
    keys = [
        row["key"]
        for row in client.get(f"{SUPPORT}requests/", {"queue": "unassigned"}).json()["results"]
    ]
    assert keys == [ticket.key]
    assert client.get(f"{SUPPORT}requests/", {"queue": "mine"}).json()["results"] == []
    found = client.get(f"{SUPPORT}requests/", {"q": "flapping"}).json()["results"]
    assert [row["key"] for row in found] == [ticket.key]
    on_track = client.get(f"{SUPPORT}requests/", {"sla": "on_track"}).json()["results"]
    assert [row["key"] for row in on_track] == [ticket.key]
    assert client.get(f"{SUPPORT}requests/", {"queue": "nope"}).status_code == 400


def test_public_reply_meets_the_first_response(ticket, engineer, bearer):
    response = bearer(engineer).post(
        f"{SUPPORT}requests/{ticket.key}/replies/", {"body": "Looking now."}, format="json"
    )
    assert response.status_code == 201 and response.json()["is_internal"] is False
    ticket.refresh_from_db()
    assert ticket.first_responded_at is not None


def test_internal_note_stays_internal(ticket, engineer, bearer):
    response = bearer(engineer).post(
        f"{SUPPORT}requests/{ticket.key}/notes/", {"body": "Probably PD-1234"}, format="json"
    )
    assert response.status_code == 201
    assert Comment.objects.get(pk=response.json()["id"]).is_internal
    customer_view = bearer(ticket.reporter).get(f"/api/v1/requests/{ticket.key}/comments/").json()
    assert customer_view == []
    conversation = bearer(engineer).get(f"{SUPPORT}requests/{ticket.key}/conversation/").json()
    assert [c["body"] for c in conversation] == ["Probably PD-1234"]


def test_assign_to_an_engineer_and_refuse_a_customer(ticket, engineer, bearer):
    colleague = SupportEngineerFactory()
    client = bearer(engineer)
    url = f"{SUPPORT}requests/{ticket.key}/assign/"
    response = client.post(url, {"assignee": colleague.email}, format="json")
    assert response.json()["assignee"]["email"] == colleague.email
    refused = client.post(url, {"assignee": ticket.reporter.email}, format="json")
    assert refused.status_code == 400 and "assignee" in refused.json()
    assert client.post(url, {"assignee": None}, format="json").json()["assignee"] is None


def test_status_change_checks_the_transition(ticket, engineer, bearer):
    client = bearer(engineer)
    url = f"{SUPPORT}requests/{ticket.key}/status/"
    assert (
        client.post(url, {"status": "in_progress"}, format="json").json()["status"] == "in_progress"
    )
    assert client.post(url, {"status": "closed"}, format="json").status_code == 400
    assert client.post(url, {"status": "sideways"}, format="json").status_code == 400


def test_a_missing_key_is_a_404(engineer, bearer):
    assert bearer(engineer).get(f"{SUPPORT}requests/TECH-99999/").status_code == 404
