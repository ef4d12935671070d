"""Unsubscribe links (forwarded emails, mail archives): they expire after 90 days and reveal
no request key or summary to whoever holds them without being logged in as the recipient."""

from datetime import timedelta

import pytest

from tests.factories import TicketFactory
from tickets.models import TicketNotificationSetting
from tickets.notifications import unsubscribe_token

pytestmark = pytest.mark.django_db


@pytest.fixture
def link(basic_org):
    organization, owner, _cluster = basic_org
    ticket = TicketFactory(organization=organization, reporter=owner, summary="Secret merger")
    return ticket, owner, f"/notifications/off/{unsubscribe_token(ticket=ticket, user=owner)}/"


def test_the_link_shows_no_key_or_summary_without_login(client, link):
    ticket, _owner, url = link
    for response in (client.get(url), client.post(url)):
        assert response.status_code == 200
        assert ticket.key not in response.text
        assert "Secret merger" not in response.text


def test_another_logged_in_user_sees_no_key_either(client, link, member_of):
    ticket, owner, url = link
    client.force_login(member_of(ticket.organization))
    assert ticket.key not in client.get(url).text


def test_the_link_expires_after_90_days(client, link, settings):
    ticket, owner, url = link
    settings.UNSUBSCRIBE_LINK_MAX_AGE = timedelta(seconds=-1)
    response = client.post(url)
    assert response.status_code == 410
    assert "expired" in response.text
    assert not TicketNotificationSetting.objects.filter(ticket=ticket, user=owner).exists()


def test_the_link_still_works_within_90_days(client, link):
    ticket, owner, url = link
    client.post(url)
    assert TicketNotificationSetting.objects.get(ticket=ticket, user=owner).enabled is False


def test_a_forged_link_is_404(client):
    assert client.get("/notifications/off/forged:token/").status_code == 404
