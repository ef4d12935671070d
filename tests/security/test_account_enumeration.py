"""Account enumeration: sign-up, login, lockout and password reset answer the same whether or
not an address (or an organization name) exists."""

import re

import pytest

from accounts.models import Organization, OutboundEmail, User
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def page_text(response) -> str:
    """The page as a person sees it: without the per-request CSRF token."""
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", response.content.decode())


def sign_up(client, email, organization_name="Brand New Co"):
    return client.post(
        "/accounts/signup/",
        {
            "full_name": "Eve",
            "email": email,
            "organization_name": organization_name,
            "password": "a-long-unusual-passphrase",
        },
    )


def test_sign_up_with_an_existing_address_answers_exactly_as_a_new_one(client, basic_org):
    _organization, owner, _cluster = basic_org
    existing = sign_up(client, owner.email)
    new = sign_up(client, "nobody-yet@newco.example")
    assert existing.status_code == new.status_code == 200
    assert page_text(existing).replace(owner.email, "X") == page_text(new).replace(
        "nobody-yet@newco.example", "X"
    )
    assert User.objects.filter(email__iexact=owner.email).count() == 1


def test_the_existing_owner_is_told_how_to_reset_instead(client, basic_org):
    _organization, owner, _cluster = basic_org
    sign_up(client, owner.email)
    email = OutboundEmail.objects.get(to_email=owner.email)
    assert "already has one" in email.text_body
    assert "/accounts/password_reset/" in email.text_body
    assert "Eve" not in email.text_body and "Brand New Co" not in email.text_body


def test_a_taken_organization_name_is_not_revealed(client, basic_org):
    organization, _owner, _cluster = basic_org
    taken = sign_up(client, "first@newco.example", organization_name=organization.name)
    free = sign_up(client, "other@newco.example", organization_name="Unused Name Ltd")
    assert page_text(taken).replace("first@", "X@") == page_text(free).replace("other@", "X@")


def test_the_verification_email_carries_nothing_the_registrant_typed(client):
    sign_up(client, "victim@bank.example", organization_name="Account suspended, pay at evil")
    email = OutboundEmail.objects.get(to_email="victim@bank.example")
    for typed in ("Eve", "suspended", "evil"):
        assert typed not in email.subject + email.text_body + email.html_body


def test_an_unverified_address_gets_nothing_but_the_verification_email(client):
    sign_up(client, "victim@bank.example")
    client.post("/accounts/password_reset/", {"email": "victim@bank.example"})
    assert OutboundEmail.objects.filter(to_email="victim@bank.example").count() == 1
    assert not Organization.objects.filter(name="Brand New Co").exists()


def test_a_new_sign_up_cannot_log_in_before_verifying(client):
    sign_up(client, "dana@newco.example")
    response = client.post(
        "/accounts/login/",
        {"username": "dana@newco.example", "password": "a-long-unusual-passphrase"},
    )
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_login_failure_reads_the_same_for_unknown_and_known_addresses(client):
    known = UserFactory()
    wrong = client.post("/accounts/login/", {"username": known.email, "password": "nope"})
    unknown = client.post(
        "/accounts/login/", {"username": "ghost@nowhere.example", "password": "nope"}
    )
    assert page_text(wrong).replace(known.email, "X") == page_text(unknown).replace(
        "ghost@nowhere.example", "X"
    )


def test_the_lockout_page_is_the_same_for_unknown_and_known_addresses(client):
    known = UserFactory()
    for n in range(6):
        client.post("/accounts/login/", {"username": known.email, "password": f"x{n}"})
        client.post("/accounts/login/", {"username": "ghost@nowhere.example", "password": f"x{n}"})
    locked_known = client.post("/accounts/login/", {"username": known.email, "password": "y"})
    locked_unknown = client.post(
        "/accounts/login/", {"username": "ghost@nowhere.example", "password": "y"}
    )
    assert locked_known.status_code == locked_unknown.status_code == 429
    assert page_text(locked_known) == page_text(locked_unknown)


def test_password_reset_answers_the_same_for_unknown_addresses(client):
    known = UserFactory()
    for_known = client.post("/accounts/password_reset/", {"email": known.email}, follow=True)
    for_unknown = client.post(
        "/accounts/password_reset/", {"email": "ghost@nowhere.example"}, follow=True
    )
    assert page_text(for_known) == page_text(for_unknown)
