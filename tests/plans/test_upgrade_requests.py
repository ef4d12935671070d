"""A member who is not an owner is not left at "only owners can change it": they see who the
owners are and ask them to upgrade, by email through the outbox, at most once a day."""

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse

from accounts.models import Membership
from plans.models import Plan, PlanUpgradeRequest
from plans.services import plan_upgrade_request

pytestmark = pytest.mark.django_db


@pytest.fixture
def acme(org_factory, member_of):
    """Acme on Basic: its owner, a second owner, and a member who is not an owner."""
    organization, owner, _cluster = org_factory("basic", name="Acme")
    second_owner = member_of(organization, role=Membership.Role.OWNER)
    return organization, owner, second_owner, member_of(organization)


def support_url(organization):
    return reverse("plans:support", args=[organization.pk])


def ask_url(organization):
    return reverse("plans:ask-owners", args=[organization.pk])


def test_a_member_sees_the_owners_and_the_ask_button(client, acme):
    organization, owner, second_owner, member = acme
    client.force_login(member)
    page = client.get(support_url(organization)).text
    assert "Only owners of Acme can change its support plan." in page
    assert owner.email in page and second_owner.email in page
    assert "Ask an owner to upgrade" in page
    assert f'action="{ask_url(organization)}"' in page


def test_an_owner_is_not_offered_to_ask(client, acme):
    organization, owner, _second_owner, _member = acme
    client.force_login(owner)
    assert "Ask an owner to upgrade" not in client.get(support_url(organization)).text


def test_asking_emails_every_owner_once_after_commit(
    client, acme, django_capture_on_commit_callbacks
):
    organization, owner, second_owner, member = acme
    client.force_login(member)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post(
            ask_url(organization),
            {"plan": Plan.objects.get(code="developer").pk, "message": "We need S1 support."},
            follow=True,
        )
    assert callbacks, "the emails are dispatched on commit"
    assert response.redirect_chain == [(support_url(organization), 302)]
    assert "We emailed the owners of Acme" in response.text
    assert sorted(message.to[0] for message in mail.outbox) == sorted(
        [owner.email, second_owner.email]
    )
    email = mail.outbox[0]
    assert email.subject == f"{member.display_name} asks you to upgrade the support plan of Acme"
    assert "to Developer" in email.body and "We need S1 support." in email.body
    assert f"/organizations/{organization.pk}/support/" in email.body
    assert member.email not in [message.to[0] for message in mail.outbox]


def test_asking_again_the_same_day_is_refused_and_sends_nothing(
    client, acme, django_capture_on_commit_callbacks
):
    organization, _owner, _second_owner, member = acme
    client.force_login(member)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(ask_url(organization), {})
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(ask_url(organization), {}, follow=True)
    assert "You already asked the owners of Acme today" in response.text
    assert mail.outbox == []
    assert PlanUpgradeRequest.objects.filter(organization=organization).count() == 1


def test_an_owner_cannot_ask_the_owners(acme):
    organization, owner, _second_owner, _member = acme
    with pytest.raises(ValidationError):
        plan_upgrade_request(organization=organization, requester=owner)
    assert not PlanUpgradeRequest.objects.exists()


def test_asking_for_a_plan_that_is_not_higher_is_refused(developer_org, member_of):
    organization, _owner, _cluster = developer_org
    member = member_of(organization)
    with pytest.raises(ValidationError):
        plan_upgrade_request(
            organization=organization, requester=member, plan=Plan.objects.get(code="basic")
        )


def test_another_organizations_member_gets_404_and_nobody_is_emailed(client, acme, org_factory):
    organization, _owner, _second_owner, _member = acme
    _globex, stranger, _cluster = org_factory("enterprise", name="Globex")
    client.force_login(stranger)
    assert client.post(ask_url(organization)).status_code == 404
    assert client.get(support_url(organization)).status_code == 404
    assert not PlanUpgradeRequest.objects.exists()


def test_anonymous_is_sent_to_log_in(client, acme):
    organization, *_ = acme
    response = client.post(ask_url(organization))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_asking_is_post_only(client, acme):
    organization, _owner, _second_owner, member = acme
    client.force_login(member)
    assert client.get(ask_url(organization)).status_code == 405


def test_the_members_support_page_costs_a_fixed_number_of_queries(
    client, acme, django_assert_max_num_queries
):
    organization, _owner, _second_owner, member = acme
    client.force_login(member)
    with django_assert_max_num_queries(18):
        assert client.get(support_url(organization)).status_code == 200
