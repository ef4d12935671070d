"""Secrets at rest: no outbound email row, and so no admin page, ever holds a working
password-reset or sign-up link; the link is made when the email is sent."""

import re

import pytest
from django.test import Client

from accounts.models import OutboundEmail, User
from tests.factories import PASSWORD, StaffFactory, UserFactory

pytestmark = pytest.mark.django_db

LINK = re.compile(r"https?://\S+/accounts/(reset|signup/verify)/\S+")


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    def run(function, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return function(*args, **kwargs)

    return run


def test_the_reset_link_is_only_in_the_sent_email(client, committed, mailoutbox):
    person = UserFactory()
    committed(client.post, "/accounts/password_reset/", {"email": person.email})
    row = OutboundEmail.objects.get(to_email=person.email)
    assert row.status == OutboundEmail.Status.SENT
    assert not LINK.search(row.text_body + row.html_body + row.event_key)
    sent_link = LINK.search(mailoutbox[-1].body).group(0)
    path = sent_link.split("://", 1)[1].split("/", 1)[1]
    response = client.get("/" + path, follow=True)
    assert "new password" in response.text.lower()


def test_the_admin_never_shows_a_working_link(client, committed):
    person = UserFactory()
    committed(client.post, "/accounts/password_reset/", {"email": person.email})
    committed(
        client.post,
        "/accounts/signup/",
        {
            "full_name": "Dana",
            "email": "dana@newco.example",
            "organization_name": "Newco",
            "password": "a-long-unusual-passphrase",
        },
    )
    superuser = StaffFactory(is_superuser=True)
    client.force_login(superuser)
    for row in OutboundEmail.objects.all():
        page = client.get(f"/admin/accounts/outboundemail/{row.pk}/change/").text
        assert not LINK.search(page)
        assert "/accounts/reset/" not in page and "/signup/verify/" not in page


def test_a_reset_link_from_the_database_cannot_be_rebuilt(committed, client):
    """Even the event key holds only the account id and a random nonce, no token."""
    person = UserFactory()
    committed(client.post, "/accounts/password_reset/", {"email": person.email})
    row = OutboundEmail.objects.get(to_email=person.email)
    kind, user_id, nonce = row.event_key.split(":")
    assert (kind, user_id) == ("password-reset", str(person.pk))
    assert len(nonce) == 32


def test_the_verification_link_works_once(client, committed, mailoutbox):
    committed(
        client.post,
        "/accounts/signup/",
        {
            "full_name": "Dana",
            "email": "dana@newco.example",
            "organization_name": "Newco",
            "password": "a-long-unusual-passphrase",
        },
    )
    link = LINK.search(mailoutbox[-1].body).group(0).split("://", 1)[1].split("/", 1)[1]
    assert client.post("/" + link).status_code == 302
    again = Client().post("/" + link)
    assert again.status_code == 400
    assert User.objects.get(email="dana@newco.example").is_active


def test_the_verification_link_expires_after_48_hours(client, committed, mailoutbox, settings):
    from datetime import timedelta

    committed(
        client.post,
        "/accounts/signup/",
        {
            "full_name": "Dana",
            "email": "dana@newco.example",
            "organization_name": "Newco",
            "password": "a-long-unusual-passphrase",
        },
    )
    link = LINK.search(mailoutbox[-1].body).group(0).split("://", 1)[1].split("/", 1)[1]
    settings.SIGN_UP_LINK_MAX_AGE = timedelta(seconds=-1)
    assert client.post("/" + link).status_code == 400
    assert not User.objects.get(email="dana@newco.example").is_active


def test_passwords_are_stored_hashed(client):
    person = UserFactory()
    assert PASSWORD not in person.password
