import factory
from django.contrib.auth.models import Group
from django.utils import timezone

from accounts.models import Cluster, Environment, Membership, Organization, User
from plans.models import Plan, Subscription
from tickets import services
from tickets.models import SUPPORT_ENGINEERS_GROUP, Comment, Ticket

PASSWORD = "correct-horse-battery"


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


class SupportEngineerFactory(UserFactory):
    email = factory.Sequence(lambda n: f"engineer{n}@support.example")
    is_staff = True

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
    environment = Environment.PRODUCTION


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


def file_request(
    *,
    reporter: User,
    organization: Organization | None = None,
    portal: str = "technical",
    severity: str = "S3",
    summary: str = "Slow joins",
    description: str = "Joins on the orders table take 40 s since 09:12 UTC.",
    **fields,
) -> Ticket:
    """The one way tests file a request: through the service, as the portal does, so it has a
    key, a response clock, history and emails. A technical request is about production unless
    `environment` says otherwise."""
    if portal == "technical":
        fields.setdefault("environment", "production")
    return services.ticket_create(
        reporter=reporter,
        organization=organization,
        portal=portal,
        severity=severity,
        summary=summary,
        description=description,
        **fields,
    )
