from typing import NamedTuple

import pytest

from accounts.models import Cluster, Membership, Organization, User
from helpcenter.mail import tasks as mail_tasks
from tests.factories import (
    ClusterFactory,
    MembershipFactory,
    OrganizationFactory,
    SupportEngineerFactory,
    UserFactory,
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
