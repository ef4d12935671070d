"""A signed-in person without an organization is offered a way on: create one, or ask to be
invited; never an "upgrade" with nothing to click."""

import pytest
from django.urls import reverse

from accounts.models import Membership, Organization
from tests.factories import OrganizationFactory, UserFactory

pytestmark = pytest.mark.django_db

CREATE_URL = reverse("accounts:organization-create")


@pytest.fixture
def loner(client):
    user = UserFactory(email="dana@solo.example")
    client.force_login(user)
    return user


@pytest.mark.parametrize("url", ["/", "/portals/technical/", "/console/clusters/"])
def test_pages_offer_to_create_an_organization_or_ask_to_be_invited(client, loner, url):
    page = client.get(url).text
    assert 'data-testid="no-organization"' in page
    assert f'href="{CREATE_URL}"' in page
    assert "Ask one of its owners to invite you" in page and loner.email in page


def test_a_member_is_not_shown_the_offer(client, basic_org):
    _organization, owner, _cluster = basic_org
    client.force_login(owner)
    assert 'data-testid="no-organization"' not in client.get("/").text


def test_creating_an_organization_makes_you_its_owner_and_its_current_one(client, loner):
    response = client.post(CREATE_URL, {"name": "  Solo   Labs "}, follow=True)
    organization = Organization.objects.get(name="Solo Labs")
    assert Membership.objects.get(organization=organization, user=loner).is_owner
    assert response.redirect_chain == [(reverse("plans:support", args=[organization.pk]), 302)]
    assert "Solo Labs is created and you are its owner" in response.text
    assert 'data-testid="organization-menu"' in response.text


def test_a_taken_name_is_refused_with_a_clear_error(client, loner):
    OrganizationFactory(name="Acme")
    response = client.post(CREATE_URL, {"name": "acme"})
    assert response.status_code == 200
    assert "An organization with this name exists" in response.text
    assert not Membership.objects.filter(user=loner).exists()


def test_anonymous_is_sent_to_log_in(client):
    response = client.get(CREATE_URL)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
