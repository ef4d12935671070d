"""A stolen engineer password alone opens no admin page: the admin needs a session verified
with a second factor (TOTP or a one-time recovery code)."""

import pytest
from django.test import Client
from django.urls import reverse
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import SecurityEvent
from tests.factories import PASSWORD, StaffFactory, SupportEngineerFactory, TicketFactory
from tests.security.conftest import totp_code

pytestmark = pytest.mark.django_db


def admin_urls(ticket):
    return [
        "/admin/",
        "/admin/tickets/ticket/",
        reverse("admin:tickets_ticket_change", args=[ticket.pk]),
        "/admin/accounts/user/",
        "/admin/accounts/outboundemail/",
        "/admin/inbound/inboundemail/",
        "/admin/mail/bouncingaddress/",
    ]


def test_a_password_only_session_opens_no_admin_page():
    engineer = SupportEngineerFactory()
    ticket = TicketFactory()
    password_only = Client()
    password_only.force_login(engineer)  # a correct password, no second factor
    for url in admin_urls(ticket):
        response = password_only.get(url)
        assert response.status_code == 302, url
        assert response.url.startswith("/admin/login/"), url


def test_the_admin_login_refuses_the_password_without_the_code(client):
    engineer = SupportEngineerFactory()
    response = client.post("/admin/login/", {"username": engineer.email, "password": PASSWORD})
    assert response.status_code == 200
    assert "Enter the 6-digit code" in response.text
    assert client.get("/admin/").status_code == 302


def test_the_admin_login_with_a_wrong_code_is_refused(client):
    engineer = SupportEngineerFactory()
    response = client.post(
        "/admin/login/",
        {"username": engineer.email, "password": PASSWORD, "otp_token": "000000"},
    )
    assert "not right" in response.text
    assert client.get("/admin/").status_code == 302
    assert SecurityEvent.objects.filter(
        kind=SecurityEvent.Kind.SECOND_FACTOR_FAILED, user=engineer
    ).exists()


def test_username_password_and_otp_token_open_the_admin(client):
    engineer = SupportEngineerFactory()
    response = client.post(
        "/admin/login/?next=/admin/",
        {"username": engineer.email, "password": PASSWORD, "otp_token": totp_code()},
    )
    assert response.status_code == 302
    assert client.get("/admin/").status_code == 200
    assert client.get("/admin/tickets/ticket/").status_code == 200


def test_the_same_code_does_not_work_twice(client):
    engineer = SupportEngineerFactory()
    code = totp_code()
    data = {"username": engineer.email, "password": PASSWORD, "otp_token": code}
    client.post("/admin/login/", data)
    replay = Client()
    replay.post("/admin/login/", data)
    assert replay.get("/admin/").status_code == 302


def test_a_recovery_code_works_once(client):
    engineer = SupportEngineerFactory(authenticator=False)
    client.force_login(engineer)
    client.get("/accounts/two-factor/")
    secret = client.get("/accounts/two-factor/").context["secret"]
    response = client.post("/accounts/two-factor/", {"otp_token": totp_code(secret)})
    codes = response.context["recovery_codes"]
    assert len(codes) == 10 and StaticToken.objects.count() == 10
    first, second = Client(), Client()
    data = {"username": engineer.email, "password": PASSWORD, "otp_token": codes[0]}
    first.post("/admin/login/", data)
    assert first.get("/admin/").status_code == 200
    second.post("/admin/login/", data)
    assert second.get("/admin/").status_code == 302


def test_an_engineer_without_a_device_enrols_on_first_admin_login(client):
    engineer = SupportEngineerFactory(authenticator=False)
    response = client.post(
        "/admin/login/?next=/admin/", {"username": engineer.email, "password": PASSWORD}
    )
    assert response.status_code == 302
    assert response.url.startswith("/accounts/two-factor/")
    assert client.get("/admin/").status_code == 302  # still refused before enrolment
    page = client.get(response.url)
    assert "Turn on two-factor authentication" in page.text
    code = totp_code(page.context["secret"])
    done = client.post("/accounts/two-factor/", {"otp_token": code, "next": "/admin/"})
    assert "Your recovery codes" in done.text
    assert client.get("/admin/").status_code == 200
    assert SecurityEvent.objects.filter(
        kind=SecurityEvent.Kind.SECOND_FACTOR_ENROLLED, user=engineer
    ).exists()


def test_non_engineer_staff_with_a_password_only_get_nothing_either():
    staff = StaffFactory(authenticator=False)
    password_only = Client()
    password_only.force_login(staff)
    assert password_only.get("/admin/").status_code == 302


def test_a_customer_who_opted_in_needs_the_code_on_the_customer_login(client, basic_org):
    _organization, owner, _cluster = basic_org
    client.force_login(owner)
    secret = client.get("/accounts/two-factor/").context["secret"]
    client.post("/accounts/two-factor/", {"otp_token": totp_code(secret)})
    fresh = Client()
    refused = fresh.post("/accounts/login/", {"username": owner.email, "password": PASSWORD})
    assert refused.status_code == 200
    assert "_auth_user_id" not in fresh.session


def test_the_device_a_session_was_verified_with_is_checked_on_every_request(client):
    """The device is read again each time: unconfirmed, given to someone else or removed, it
    verifies nothing, and the session forgets it."""
    engineer, colleague = SupportEngineerFactory(), SupportEngineerFactory()
    devices = TOTPDevice.objects.filter(pk=engineer.totpdevice_set.get().pk)
    for change in (
        lambda: devices.update(confirmed=False),
        lambda: devices.update(user=colleague),
        lambda: devices.delete(),
    ):
        devices.update(confirmed=True, user=engineer)
        client.force_login(engineer)
        assert client.get("/admin/tickets/ticket/").status_code == 200
        change()
        response = client.get("/admin/tickets/ticket/")
        assert response.status_code == 302
        assert response.url.startswith("/admin/login/")
        assert DEVICE_ID_SESSION_KEY not in client.session
