"""State change on GET: links (in emails, in pages, followed by mail scanners) never change
anything; only a POST does."""

import pytest

from tests.factories import TicketFactory
from tickets.models import Ticket, TicketNotificationSetting
from tickets.notifications import unsubscribe_token

pytestmark = pytest.mark.django_db

ACTIONS = ["resolve", "reopen", "sharing", "notifications", "rating", "comments"]


@pytest.mark.parametrize("action", ACTIONS)
def test_request_actions_refuse_get(client, basic_org, action):
    organization, owner, _cluster = basic_org
    ticket = TicketFactory(organization=organization, reporter=owner)
    client.force_login(owner)
    response = client.get(f"/requests/{ticket.key}/{action}/")
    assert response.status_code == 405
    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.WAITING_FOR_SUPPORT


def test_following_an_unsubscribe_link_only_asks(client, basic_org):
    organization, owner, _cluster = basic_org
    ticket = TicketFactory(organization=organization, reporter=owner)
    client.get(f"/notifications/off/{unsubscribe_token(ticket=ticket, user=owner)}/")
    assert not TicketNotificationSetting.objects.exists()


def test_following_a_verification_link_only_asks(
    client, mailoutbox, django_capture_on_commit_callbacks
):
    from accounts.models import User

    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            "/accounts/signup/",
            {
                "full_name": "Dana",
                "email": "dana@newco.example",
                "organization_name": "Newco",
                "password": "a-long-unusual-passphrase",
            },
        )
    link = next(line for line in mailoutbox[-1].body.splitlines() if "/signup/verify/" in line)
    client.get(link.strip().split("://", 1)[1].split("/", 1)[1].join(["/", ""]))
    assert not User.objects.get(email="dana@newco.example").is_active


def test_logout_needs_a_post(client, basic_org):
    _organization, owner, _cluster = basic_org
    client.force_login(owner)
    assert client.get("/accounts/logout/").status_code == 405
    assert client.get("/requests/").status_code == 200


def test_switching_organization_needs_a_post(client, basic_org):
    organization, owner, _cluster = basic_org
    client.force_login(owner)
    assert client.get(f"/console/organizations/{organization.pk}/switch/").status_code == 405
