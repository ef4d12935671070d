"""CSRF: every state-changing form, customer and admin, refuses a POST without the token."""

import pytest
from django.test import Client

from accounts.models import Membership
from tests.factories import PASSWORD, StaffFactory, TicketFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def csrf_client():
    return Client(enforce_csrf_checks=True)


def test_login_without_the_token_is_refused(csrf_client, basic_org):
    _organization, owner, _cluster = basic_org
    response = csrf_client.post("/accounts/login/", {"username": owner.email, "password": PASSWORD})
    assert response.status_code == 403
    assert "_auth_user_id" not in csrf_client.session


def test_a_forged_comment_is_refused(csrf_client, basic_org):
    organization, owner, _cluster = basic_org
    ticket = TicketFactory(organization=organization, reporter=owner)
    csrf_client.force_login(owner)
    response = csrf_client.post(f"/requests/{ticket.key}/comments/", {"body": "forged"})
    assert response.status_code == 403
    assert not ticket.comments.exists()


def test_a_forged_resolve_is_refused(csrf_client, basic_org):
    organization, owner, _cluster = basic_org
    ticket = TicketFactory(organization=organization, reporter=owner)
    csrf_client.force_login(owner)
    assert csrf_client.post(f"/requests/{ticket.key}/resolve/").status_code == 403
    ticket.refresh_from_db()
    assert ticket.status == "waiting_for_support"


def test_a_forged_admin_change_is_refused(basic_org, member_of):
    organization, _owner, _cluster = basic_org
    colleague = member_of(organization)
    membership = Membership.objects.get(user=colleague)
    superuser = StaffFactory(is_superuser=True)
    client = Client(enforce_csrf_checks=True)
    client.force_login(superuser)
    from django_otp import DEVICE_ID_SESSION_KEY, devices_for_user

    session = client.session
    session[DEVICE_ID_SESSION_KEY] = next(devices_for_user(superuser)).persistent_id
    session.save()
    response = client.post(f"/admin/accounts/membership/{membership.pk}/delete/", {"post": "yes"})
    assert response.status_code == 403
    assert Membership.objects.filter(pk=membership.pk).exists()
