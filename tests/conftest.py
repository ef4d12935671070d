from typing import NamedTuple

import pytest
from django.core.cache import cache
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY, devices_for_user

from accounts.models import Cluster, Membership, Organization, User
from helpcenter.mail import tasks as mail_tasks
from tests.factories import (
    ClusterFactory,
    MembershipFactory,
    OrganizationFactory,
    SupportEngineerFactory,
    UserFactory,
    add_authenticator,
    subscribe,
)


@pytest.fixture(autouse=True)
def _fast_and_isolated(settings, tmp_path, monkeypatch):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Each test starts with a broker that is not paused, and Celery reads its settings, not
    # CELERY_BROKER_URL from the environment (which it would prefer).
    monkeypatch.setattr(mail_tasks, "_broker_paused_until", {})
    monkeypatch.delenv("CELERY_BROKER_URL", raising=False)


class CustomerOrg(NamedTuple):
    """What every organization fixture returns: an organization on a plan, its owner and a
    cluster. Read it by name (`.organization`, `.owner`, `.cluster`) or unpack it."""

    organization: Organization
    owner: User
    cluster: Cluster


@pytest.fixture(autouse=True)
def _fresh_counters():
    """Login-failure counters and rate limits live in the cache: none carries over."""
    cache.clear()
    yield
    cache.clear()


class SecondFactorClient(Client):
    """The test client, logging in as the login form does after a correct password and,
    for an account with a confirmed authenticator, a correct code: the session is verified
    with that device, so the two-factor admin opens. Accounts without a device stay
    password-only, and the admin refuses them, as it does in production."""

    def force_login(self, user, backend=None):
        super().force_login(user, backend)
        device = next(devices_for_user(user, confirmed=True), None)
        if device is not None:
            session = self.session
            session[DEVICE_ID_SESSION_KEY] = device.persistent_id
            session.save()


@pytest.fixture
def client():
    return SecondFactorClient()


@pytest.fixture
def admin_client(db, admin_user):
    """pytest-django's superuser client, with the authenticator the two-factor admin asks for."""
    add_authenticator(admin_user)
    client = SecondFactorClient()
    client.force_login(admin_user)
    return client


@pytest.fixture
def org_factory(db):
    """An organization on a plan, with an owner and a cluster (a CustomerOrg)."""

    def make(plan_code="basic", name=None, time_zone="UTC") -> CustomerOrg:
        organization = OrganizationFactory(**({"name": name} if name else {}), time_zone=time_zone)
        if plan_code != "basic":
            subscribe(organization, plan_code)
        owner = UserFactory()
        MembershipFactory(user=owner, organization=organization, role=Membership.Role.OWNER)
        cluster = ClusterFactory(organization=organization)
        return CustomerOrg(organization, owner, cluster)

    return make


@pytest.fixture
def basic_org(org_factory):
    return org_factory("basic")


@pytest.fixture
def enterprise_org(org_factory):
    return org_factory("enterprise")


@pytest.fixture
def developer_org(org_factory):
    return org_factory("developer")


@pytest.fixture
def engineer(db):
    return SupportEngineerFactory()


@pytest.fixture
def member_of():
    def add(organization, role=Membership.Role.MEMBER):
        user = UserFactory()
        MembershipFactory(user=user, organization=organization, role=role)
        return user

    return add
