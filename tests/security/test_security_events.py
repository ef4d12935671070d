"""Repudiation: logins, failures, lockouts, second-factor enrolment, password changes,
membership and plan changes are recorded, and only superusers see them in the admin."""

import pytest
from django.test import Client

from accounts.models import SecurityEvent
from accounts.services import membership_add
from plans.models import Plan
from plans.services import plan_downgrade
from tests.factories import PASSWORD, StaffFactory, SupportEngineerFactory, UserFactory, subscribe

pytestmark = pytest.mark.django_db


def kinds():
    return set(SecurityEvent.objects.values_list("kind", flat=True))


def test_login_success_and_failure_are_recorded_with_the_address(client):
    person = UserFactory()
    client.post("/accounts/login/", {"username": person.email, "password": "wrong"})
    client.post("/accounts/login/", {"username": person.email, "password": PASSWORD})
    failed = SecurityEvent.objects.get(kind=SecurityEvent.Kind.LOGIN_FAILED)
    assert (failed.user, failed.ip_address) == (person, "127.0.0.1")
    assert SecurityEvent.objects.filter(kind=SecurityEvent.Kind.LOGIN_SUCCEEDED, user=person)


def test_a_lockout_is_recorded(client):
    for n in range(5):
        client.post("/accounts/login/", {"username": "ghost@x.example", "password": str(n)})
    event = SecurityEvent.objects.get(kind=SecurityEvent.Kind.LOCKED_OUT)
    assert event.identifier == "ghost@x.example"


def test_a_password_change_is_recorded(client):
    person = UserFactory()
    client.force_login(person)
    client.post(
        "/accounts/password_change/",
        {
            "old_password": PASSWORD,
            "new_password1": "N3w-unusual-phrase!",
            "new_password2": "N3w-unusual-phrase!",
        },
    )
    assert SecurityEvent.objects.filter(kind=SecurityEvent.Kind.PASSWORD_CHANGED, user=person)


def test_a_password_set_in_the_admin_is_recorded():
    from tests.conftest import SecondFactorClient

    superuser, person = StaffFactory(is_superuser=True), UserFactory()
    client = SecondFactorClient()
    client.force_login(superuser)
    response = client.post(
        f"/admin/accounts/user/{person.pk}/password/",
        {
            "password1": "N3w-unusual-phrase!",
            "password2": "N3w-unusual-phrase!",
            "usable_password": "true",
        },
    )
    assert response.status_code == 302
    event = SecurityEvent.objects.get(kind=SecurityEvent.Kind.PASSWORD_CHANGED)
    assert (event.actor, event.user) == (superuser, person)


def test_membership_and_plan_changes_are_recorded(enterprise_org):
    organization, owner, _cluster = enterprise_org
    newcomer = UserFactory()
    membership_add(organization=organization, user=newcomer, actor=owner)
    subscribe(organization, "enterprise")
    plan_downgrade(organization=organization, plan=Plan.objects.get(code="developer"), actor=owner)
    assert {"membership_added", "plan_changed"} <= kinds()
    added = SecurityEvent.objects.get(kind="membership_added")
    assert (added.actor, added.user, added.organization) == (owner, newcomer, organization)


def test_only_superusers_see_the_security_events():
    UserFactory()
    SecurityEvent.objects.create(kind=SecurityEvent.Kind.LOGIN_FAILED, identifier="x@y.example")
    superuser, engineer = StaffFactory(is_superuser=True), SupportEngineerFactory()
    from tests.conftest import SecondFactorClient

    as_superuser, as_engineer = SecondFactorClient(), SecondFactorClient()
    as_superuser.force_login(superuser)
    as_engineer.force_login(engineer)
    url = "/admin/accounts/securityevent/"
    assert "x@y.example" in as_superuser.get(url).text
    assert as_engineer.get(url).status_code == 403
    assert "Security events" not in as_engineer.get("/admin/").text
    assert Client().get(url).status_code == 302
