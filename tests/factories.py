import base64

import factory
from django.contrib.auth.models import Group
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import Cluster, Membership, Organization, User
from plans.models import Plan, Subscription
from tickets.models import SUPPORT_ENGINEERS_GROUP, Comment, Ticket

PASSWORD = "correct-horse-battery"
# Staff accounts get a confirmed authenticator with this secret (the demo's, see README).
TOTP_SECRET = "HELPCENTERDEMOTOTP234567"


def add_authenticator(user, secret: str = TOTP_SECRET) -> TOTPDevice:
    return TOTPDevice.objects.create(
        user=user, name="Test authenticator", key=base64.b32decode(secret).hex(), confirmed=True
    )


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@customer.example")
    full_name = factory.Faker("name")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def save_password(obj, create, extracted, **kwargs):
        if create:
            obj.save(update_fields=["password"])


class StaffFactory(UserFactory):
    """Staff always have a second factor: the admin refuses them without one."""

    is_staff = True

    @factory.post_generation
    def authenticator(obj, create, extracted, **kwargs):
        if create and extracted is not False:
            add_authenticator(obj)


class SupportEngineerFactory(StaffFactory):
    email = factory.Sequence(lambda n: f"engineer{n}@support.example")

    @factory.post_generation
    def in_group(obj, create, extracted, **kwargs):
        if create:
            obj.groups.add(Group.objects.get(name=SUPPORT_ENGINEERS_GROUP))


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization

    name = factory.Sequence(lambda n: f"Organization {n}")


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    organization = factory.SubFactory(OrganizationFactory)
    role = Membership.Role.MEMBER


class ClusterFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Cluster

    organization = factory.SubFactory(OrganizationFactory)
    name = factory.Sequence(lambda n: f"cluster-{n}")
    tier = Cluster.Tier.DEDICATED
    region = "aws-us-east-1"
    version = "v8.5.1"
    environment = Cluster.Environment.PRODUCTION


def subscribe(organization: Organization, plan_code: str) -> Subscription:
    subscription, _ = Subscription.objects.update_or_create(
        organization=organization,
        defaults={"plan": Plan.objects.get(code=plan_code), "started_at": timezone.now()},
    )
    return subscription


class TicketFactory(factory.django.DjangoModelFactory):
    """A bare row for list and access tests; behaviour tests create through the service."""

    class Meta:
        model = Ticket

    key = factory.Sequence(lambda n: f"BILL-{n + 10000}")
    portal = "billing"
    organization = factory.SubFactory(OrganizationFactory)
    reporter = factory.SubFactory(UserFactory)
    summary = factory.Sequence(lambda n: f"Invoice question {n}")
    description = "The invoice for last month looks wrong."
    severity = "S3"
    shared_with_organization = True
    plan = factory.LazyFunction(lambda: Plan.objects.get(code="basic"))


class CommentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Comment

    ticket = factory.SubFactory(TicketFactory)
    author = factory.LazyAttribute(lambda o: o.ticket.reporter)
    body = "More detail."
