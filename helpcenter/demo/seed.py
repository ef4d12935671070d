"""Demo organizations, people, clusters and requests; seeding again changes nothing.

The data goes in through each app's services where they exist, so the demo requests have
keys, response clocks, history and emails exactly as real ones do."""

import base64
from dataclasses import dataclass

from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import Cluster, Membership, Organization, User
from knowledge.demo import seed_knowledge
from plans.models import Plan, Subscription
from tickets import services
from tickets.models import SUPPORT_ENGINEERS_GROUP, CannedResponse, Ticket

ORGANIZATIONS = {
    "Acme Corp": {"plan": "basic", "time_zone": "America/New_York"},
    "Globex": {"plan": "enterprise", "time_zone": "Europe/Berlin"},
    "Initech": {"plan": "developer", "time_zone": "America/Los_Angeles"},
}
CUSTOMERS = [
    ("alice@acme.example", "Alice Anderson", [("Acme Corp", Membership.Role.OWNER)]),
    ("bob@globex.example", "Bob Becker", [("Globex", Membership.Role.OWNER)]),
    (
        "carol@initech.example",
        "Carol Chen",
        [("Initech", Membership.Role.OWNER), ("Acme Corp", Membership.Role.MEMBER)],
    ),
]
# The zone each demo person reads times in (customers their organization's; Sam works from
# Singapore, so the triage shows a second zone).
TIME_ZONES = {
    "alice@acme.example": "America/New_York",
    "bob@globex.example": "Europe/Berlin",
    "carol@initech.example": "America/Los_Angeles",
    "agent@support.example": "Asia/Singapore",
    "admin@support.example": "UTC",
}
# The demo engineers' authenticator: base32, 30-second codes, 6 digits, SHA-1 (see README).
DEMO_TOTP_SECRET = "HELPCENTERDEMOTOTP234567"
CLUSTERS = [
    ("Acme Corp", "acme-prod", "dedicated", "aws-us-east-1", "v8.5.1", "production"),
    ("Acme Corp", "acme-dev", "starter", "aws-us-east-1", "v8.5.1", "non-production"),
    ("Globex", "globex-analytics", "dedicated", "gcp-europe-west3", "v7.5.4", "production"),
    ("Initech", "initech-main", "essential", "aws-us-west-2", "v8.1.2", "production"),
]
CANNED_RESPONSES = {
    "Thanks, investigating": (
        "Hi {customer_name},\n\nThank you for reporting {key}. I am looking into it now and will "
        "update you here within the response time of your {plan} plan."
    ),
    "Need more details": (
        "Hi {customer_name},\n\nTo move {key} forward, could you share the exact timestamp, the "
        "full error message and the SQL statement involved?"
    ),
}


DEFAULT_PASSWORD = "helpcenter-demo"


@dataclass(frozen=True)
class Demo:
    """The demo data by name, for the command's message and for tests that use it."""

    acme: Organization
    globex: Organization
    initech: Organization
    alice: User
    bob: User
    carol: User
    agent: User
    admin: User


@transaction.atomic
def seed_demo(*, password: str = DEFAULT_PASSWORD) -> Demo:
    """Load the demo data; running it again changes nothing but resets the demo passwords."""
    organizations = _organizations()
    users = _customers(organizations, password)
    for org_name, name, tier, region, version, environment in CLUSTERS:
        Cluster.objects.get_or_create(
            organization=organizations[org_name],
            name=name,
            defaults={
                "tier": tier,
                "region": region,
                "version": version,
                "environment": environment,
            },
        )
    agent = _staff("agent@support.example", "Sam Support", password, superuser=False)
    admin = _staff("admin@support.example", "Ada Admin", password, superuser=True)
    for title, body in CANNED_RESPONSES.items():
        CannedResponse.objects.get_or_create(title=title, defaults={"body": body})
    if not Ticket.objects.exists():
        _tickets(organizations, users, agent)
    seed_knowledge(editor=agent)
    return Demo(
        acme=organizations["Acme Corp"],
        globex=organizations["Globex"],
        initech=organizations["Initech"],
        alice=users["alice@acme.example"],
        bob=users["bob@globex.example"],
        carol=users["carol@initech.example"],
        agent=agent,
        admin=admin,
    )


def _organizations() -> dict[str, Organization]:
    organizations = {}
    for name, spec in ORGANIZATIONS.items():
        organization, _ = Organization.objects.get_or_create(
            name=name, defaults={"time_zone": spec["time_zone"]}
        )
        if spec["plan"] != "basic":
            Subscription.objects.get_or_create(
                organization=organization,
                defaults={
                    "plan": Plan.objects.get(code=spec["plan"]),
                    "started_at": timezone.now(),
                },
            )
        organizations[name] = organization
    return organizations


def _customers(organizations: dict[str, Organization], password: str) -> dict[str, User]:
    users = {}
    for email, full_name, memberships in CUSTOMERS:
        user = _user(email, full_name, password)
        for org_name, role in memberships:
            Membership.objects.get_or_create(
                user=user, organization=organizations[org_name], defaults={"role": role}
            )
        users[email] = user
    return users


def _user(email: str, full_name: str, password: str, **flags) -> User:
    user, created = User.objects.get_or_create(
        email=email, defaults={"full_name": full_name, "time_zone": TIME_ZONES[email], **flags}
    )
    if created or not user.check_password(password):
        user.set_password(password)
        user.save(update_fields=["password"])
    if not user.time_zone:
        user.time_zone = TIME_ZONES[email]
        user.save(update_fields=["time_zone"])
    return user


def _staff(email: str, full_name: str, password: str, *, superuser: bool) -> User:
    user = _user(email, full_name, password, is_staff=True, is_superuser=superuser)
    if not superuser:
        user.groups.add(Group.objects.get(name=SUPPORT_ENGINEERS_GROUP))
    TOTPDevice.objects.update_or_create(
        user=user,
        name="Demo authenticator",
        defaults={
            "key": base64.b32decode(DEMO_TOTP_SECRET).hex(),
            "step": 30,
            "digits": 6,
            "confirmed": True,
        },
    )
    return user


def _tickets(organizations: dict[str, Organization], users: dict[str, User], agent: User):
    """Five requests in several states, made the way customers and engineers make them."""
    alice, bob, carol = (users[email] for email, _name, _m in CUSTOMERS)
    globex_cluster = Cluster.objects.get(name="globex-analytics")
    initech_cluster = Cluster.objects.get(name="initech-main")
    acme_prod = Cluster.objects.get(name="acme-prod")

    outage = services.ticket_create(
        reporter=bob,
        portal="technical",
        organization=organizations["Globex"],
        cluster=globex_cluster,
        environment="production",
        severity="S2",
        summary="TiKV store down after scale-in on globex-analytics",
        description="Since 08:12 UTC one TiKV store reports Disconnected and queries on the "
        "orders table time out with 'Region is unavailable'.",
        affects_version=globex_cluster.version,
    )
    services.ticket_assign(ticket=outage, actor=agent, assignee=agent)

    slow = services.ticket_create(
        reporter=carol,
        portal="technical",
        organization=organizations["Initech"],
        cluster=initech_cluster,
        environment="production",
        severity="S3",
        summary="Slow analytical query after upgrade to v8.1.2",
        description="A reporting query went from 2 s to 40 s after the upgrade. EXPLAIN "
        "ANALYZE attached below.",
        affects_version=initech_cluster.version,
    )
    services.ticket_assign(ticket=slow, actor=agent, assignee=agent)
    services.ticket_comment_add(
        ticket=slow,
        author=agent,
        body="Thanks Carol. The plan switched to an index merge; could you run ANALYZE TABLE "
        "on the sales table and tell us whether the time comes back?",
    )
    services.ticket_status_change(ticket=slow, actor=agent, to_status="in_progress")

    invoice = services.ticket_create(
        reporter=alice,
        portal="billing",
        organization=organizations["Acme Corp"],
        cluster=acme_prod,
        severity="S3",
        summary="Invoice shows charges for a deleted cluster",
        description="Our October invoice charges for a cluster we deleted on 2 October.",
    )
    services.ticket_comment_add(
        ticket=invoice,
        author=agent,
        body="Hi Alice, could you tell us the name of the deleted cluster?",
    )
    services.ticket_status_change(ticket=invoice, actor=agent, to_status="waiting_for_customer")

    vat = services.ticket_create(
        reporter=bob,
        portal="billing",
        organization=organizations["Globex"],
        severity="S4",
        summary="Add our VAT number to invoices",
        description="Please show DE123456789 on future invoices.",
    )
    services.ticket_comment_add(
        ticket=vat, author=agent, body="Done: the VAT number is on your next invoice."
    )
    services.ticket_status_change(ticket=vat, actor=agent, to_status="resolved")

    services.ticket_create(
        reporter=carol,
        portal="billing",
        organization=organizations["Acme Corp"],
        severity="S4",
        summary="Who can see Acme's billing contacts?",
        description="I am a member of Acme Corp and would like to know who receives invoices.",
    )
