"""Who is signed in, read on every request by `accounts.backends.PasswordBackend` (SQL compiled
once): the person's account as it is now, and nobody once the account is closed or gone."""

import pytest
from django.contrib.auth import BACKEND_SESSION_KEY

from accounts.models import User
from accounts.selectors import user_by_id
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def log_in(client, user):
    response = client.post("/accounts/login/", {"username": user.email, "password": PASSWORD})
    assert response.status_code == 302, response.content
    assert client.session[BACKEND_SESSION_KEY] == "accounts.backends.PasswordBackend"


def assert_asked_to_sign_in(client):
    response = client.get("/requests/")
    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/")


def test_the_signed_in_person_is_read_fresh_on_every_request(client, basic_org):
    _org, owner, _cluster = basic_org
    log_in(client, owner)
    assert owner.display_name in client.get("/requests/").text
    User.objects.filter(pk=owner.pk).update(full_name="Renamed Meanwhile")
    assert "Renamed Meanwhile" in client.get("/requests/").text


@pytest.mark.parametrize("close", ["deactivate", "delete"])
def test_a_closed_or_deleted_account_is_signed_out_on_its_next_request(client, basic_org, close):
    _org, owner, _cluster = basic_org
    log_in(client, owner)
    assert client.get("/requests/").status_code == 200
    if close == "deactivate":
        User.objects.filter(pk=owner.pk).update(is_active=False)
    else:
        owner.delete()
    assert_asked_to_sign_in(client)


def test_a_password_changed_elsewhere_signs_the_old_session_out(client, basic_org):
    _org, owner, _cluster = basic_org
    log_in(client, owner)
    owner.set_password("another-correct-horse-battery")
    owner.save()
    assert_asked_to_sign_in(client)


def test_a_session_of_a_backend_no_longer_listed_asks_to_sign_in_again(client, basic_org):
    _org, owner, _cluster = basic_org
    log_in(client, owner)
    session = client.session
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session.save()
    assert_asked_to_sign_in(client)


def test_user_by_id_reads_every_field_as_the_orm_does(basic_org):
    _org, owner, _cluster = basic_org
    read = user_by_id(owner.pk)
    expected = User.objects.get(pk=owner.pk)
    for field in User._meta.concrete_fields:
        assert getattr(read, field.attname) == getattr(expected, field.attname), field.name
    assert type(read.date_joined) is type(expected.date_joined)
    assert read.date_joined.tzinfo is not None


@pytest.mark.parametrize("user_id", [0, -1, 2**63, "1", None, True, 10**6])
def test_user_by_id_names_nobody_for_ids_no_user_has(basic_org, user_id):
    assert user_by_id(user_id) is None
