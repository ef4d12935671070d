"""Brute force: password guessing is locked out per account and address (django-axes, counters
in the cache), on the customer and the admin login alike; a locked pair is refused even with
the right password. Password reset and sign-up are limited per address and per email."""

import pytest
from django.core.cache import cache

from accounts.models import SecurityEvent
from tests.factories import PASSWORD, SupportEngineerFactory, UserFactory
from tests.security.conftest import totp_code

pytestmark = pytest.mark.django_db

LOGIN_URLS = ["/accounts/login/", "/admin/login/"]


def attempt(client, url, email, password, **extra):
    return client.post(url, {"username": email, "password": password, **extra})


@pytest.mark.parametrize("url", LOGIN_URLS)
def test_twelve_wrong_passwords_lock_the_account_from_the_sixth_on(client, url):
    person = SupportEngineerFactory() if "admin" in url else UserFactory()
    statuses = [attempt(client, url, person.email, f"wrong-{n}").status_code for n in range(12)]
    assert statuses[:4] == [200] * 4
    assert statuses[5:] == [429] * 7
    response = attempt(client, url, person.email, PASSWORD, otp_token=totp_code())
    assert response.status_code == 429
    assert "Too many failed attempts" in response.text
    assert "Try again in 15 minutes" in response.text
    assert "_auth_user_id" not in client.session


def test_the_lock_ends_after_fifteen_minutes(client):
    person = UserFactory()
    for n in range(5):
        attempt(client, "/accounts/login/", person.email, f"wrong-{n}")
    cache.clear()  # what the 15-minute expiry of the counters does
    response = attempt(client, "/accounts/login/", person.email, PASSWORD)
    assert response.status_code == 302


def test_the_lock_is_per_account_and_address(client):
    locked, other = UserFactory(), UserFactory()
    for n in range(6):
        attempt(client, "/accounts/login/", locked.email, f"wrong-{n}")
    assert attempt(client, "/accounts/login/", other.email, PASSWORD).status_code == 302
    elsewhere = client.__class__(REMOTE_ADDR="203.0.113.9")
    assert attempt(elsewhere, "/accounts/login/", locked.email, PASSWORD).status_code == 302


def test_the_case_of_the_email_does_not_reset_the_count(client):
    person = UserFactory(email="dave.mixed@example.com")
    for n, typed in enumerate(["Dave.Mixed@Example.COM", "DAVE.MIXED@EXAMPLE.COM"] * 3):
        attempt(client, "/accounts/login/", typed, f"wrong-{n}")
    assert attempt(client, "/accounts/login/", person.email, PASSWORD).status_code == 429


def test_spraying_many_accounts_from_one_address_locks_the_address(client, settings):
    settings.ADDRESS_LOCKOUT_FAILURES = 30
    victims = [UserFactory() for _index in range(15)]
    for victim in victims:
        for n in range(2):
            attempt(client, "/accounts/login/", victim.email, f"Summer2026-{n}")
    fresh = UserFactory()
    response = attempt(client, "/accounts/login/", fresh.email, PASSWORD)
    assert response.status_code == 429
    assert SecurityEvent.objects.filter(kind=SecurityEvent.Kind.LOCKED_OUT).exists()


def test_a_forged_forwarded_for_header_does_not_dodge_the_lock(client):
    person = UserFactory()
    for n in range(8):
        client.post(
            "/accounts/login/",
            {"username": person.email, "password": f"wrong-{n}"},
            HTTP_X_FORWARDED_FOR=f"198.51.100.{n}",
        )
    assert attempt(client, "/accounts/login/", person.email, PASSWORD).status_code == 429


def test_password_reset_is_limited_per_email_address(client):
    person = UserFactory()
    statuses = [
        client.post("/accounts/password_reset/", {"email": person.email}).status_code
        for _n in range(6)
    ]
    assert statuses[:3] == [302] * 3
    assert statuses[3:] == [429] * 3


def test_password_reset_is_limited_per_client_address(client):
    statuses = [
        client.post("/accounts/password_reset/", {"email": f"p{n}@x.example"}).status_code
        for n in range(12)
    ]
    assert statuses[:10] == [302] * 10
    assert statuses[10:] == [429] * 2


def test_sign_up_is_limited_per_email_address(client):
    data = {
        "full_name": "Eve",
        "email": "target@victim.example",
        "organization_name": "Pay now at evil.example",
        "password": "a-long-unusual-passphrase",
    }
    statuses = [client.post("/accounts/signup/", data).status_code for _n in range(5)]
    assert statuses[:3] == [200] * 3
    assert statuses[3:] == [429] * 2


def test_authenticator_codes_cannot_be_guessed_quickly(client):
    engineer = SupportEngineerFactory()
    for n in range(3):
        attempt(client, "/admin/login/", engineer.email, PASSWORD, otp_token=f"{n:06d}")
    # django-otp throttles the device after failures: even the right code waits.
    response = attempt(client, "/admin/login/", engineer.email, PASSWORD, otp_token=totp_code())
    assert "_auth_user_id" not in client.session
    assert response.status_code == 200
