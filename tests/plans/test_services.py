from datetime import date, timedelta

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from accounts.models import Membership
from helpcenter.mail.models import OutboundEmail
from plans.models import PaymentMethod, Plan, PlanChange, SalesInquiry, Subscription
from plans.payments import CardDetails
from plans.selectors import plan_for_organization, portal_access
from plans.services import plan_downgrade, plan_upgrade, sales_inquiry_create
from tests.factories import file_request
from tickets.models import Ticket
from tickets.selectors import ticket_get_for_user
from tickets.services import ticket_comment_add

pytestmark = pytest.mark.django_db


def visa(**overrides) -> CardDetails:
    details = {
        "number": "4242 4242 4242 4242",
        "cvc": "123",
        "exp_month": 12,
        "exp_year": date.today().year + 2,
        "holder_name": "Alice Adams",
    }
    details.update(overrides)
    return CardDetails(**details)


def plan(code: str) -> Plan:
    return Plan.objects.get(code=code)


def nothing_changed(organization) -> bool:
    return not (
        Subscription.objects.filter(organization=organization).exists()
        or PaymentMethod.objects.filter(organization=organization).exists()
        or PlanChange.objects.filter(organization=organization).exists()
        or OutboundEmail.objects.exists()
    )


@pytest.fixture
def acme(org_factory):
    """Acme on Basic, owned by alice."""
    return org_factory("basic", name="Acme")


@pytest.fixture
def globex(org_factory):
    """Globex on Enterprise, owned by bob."""
    return org_factory("enterprise", name="Globex")


# Upgrade


def test_an_owners_upgrade_is_active_at_once(acme):
    organization, alice, _cluster = acme
    plan_upgrade(organization=organization, plan=plan("developer"), actor=alice, card=visa())
    subscription = Subscription.objects.get(organization=organization)
    assert subscription.plan.code == "developer"
    assert abs(subscription.started_at - timezone.now()) < timedelta(minutes=1)
    assert portal_access(user=alice, portal="technical").organizations == [organization]


def test_upgrading_to_developer_starts_a_one_month_trial(acme):
    organization, alice, _cluster = acme
    plan_upgrade(organization=organization, plan=plan("developer"), actor=alice, card=visa())
    subscription = Subscription.objects.get(organization=organization)
    assert subscription.trial_ends_at - subscription.started_at == timedelta(days=30)


def test_upgrade_keeps_only_brand_last_four_expiry_and_holder(acme):
    organization, alice, _cluster = acme
    plan_upgrade(organization=organization, plan=plan("developer"), actor=alice, card=visa())
    card = Subscription.objects.get(organization=organization).payment_method
    assert (card.brand, card.last4, card.exp_month, card.exp_year, card.holder_name) == (
        "Visa",
        "4242",
        12,
        date.today().year + 2,
        "Alice Adams",
    )


def test_upgrade_records_who_when_from_to_and_why(acme):
    organization, alice, _cluster = acme
    plan_upgrade(organization=organization, plan=plan("enterprise"), actor=alice, card=visa())
    change = PlanChange.objects.get(organization=organization)
    assert (change.from_plan.code, change.to_plan.code, change.changed_by) == (
        "basic",
        "enterprise",
        alice,
    )
    assert abs(change.changed_at - timezone.now()) < timedelta(minutes=1)
    assert change.reason == "Self-serve upgrade with Visa ending in 4242"


def test_upgrade_emails_the_other_owners_after_commit(
    acme, member_of, django_capture_on_commit_callbacks
):
    organization, alice, _cluster = acme
    second_owner = member_of(organization, role=Membership.Role.OWNER)
    member_of(organization)
    with django_capture_on_commit_callbacks(execute=True):
        plan_upgrade(organization=organization, plan=plan("developer"), actor=alice, card=visa())
    assert [message.to for message in mail.outbox] == [[second_owner.email]]
    assert mail.outbox[0].subject == "Acme is now on the Developer support plan"
    assert "The free trial runs until" in mail.outbox[0].body


def test_a_member_who_is_not_an_owner_cannot_upgrade(acme, member_of):
    organization, _alice, _cluster = acme
    member = member_of(organization)
    with pytest.raises(PermissionDenied):
        plan_upgrade(organization=organization, plan=plan("developer"), actor=member, card=visa())
    assert nothing_changed(organization)
    assert plan_for_organization(organization=organization).code == "basic"


def test_premium_is_not_sold_online(acme):
    organization, alice, _cluster = acme
    with pytest.raises(ValidationError, match="contact sales"):
        plan_upgrade(organization=organization, plan=plan("premium"), actor=alice, card=visa())
    assert nothing_changed(organization)


@pytest.mark.parametrize("target", ["developer", "enterprise"])
def test_upgrading_to_the_current_or_a_lower_plan_is_refused(globex, target):
    organization, bob, _cluster = globex
    with pytest.raises(ValidationError, match="already on Enterprise"):
        plan_upgrade(organization=organization, plan=plan(target), actor=bob, card=visa())
    assert not PaymentMethod.objects.exists()
    assert not PlanChange.objects.exists()


def test_an_invalid_card_changes_nothing(acme):
    organization, alice, _cluster = acme
    with pytest.raises(ValidationError) as refused:
        plan_upgrade(
            organization=organization,
            plan=plan("developer"),
            actor=alice,
            card=visa(number="4242 4242 4242 4241"),
        )
    assert set(refused.value.error_dict) == {"number"}
    assert nothing_changed(organization)


def test_the_trial_is_given_once(acme):
    organization, alice, _cluster = acme
    plan_upgrade(organization=organization, plan=plan("developer"), actor=alice, card=visa())
    plan_downgrade(organization=organization, plan=plan("basic"), actor=alice)
    plan_upgrade(organization=organization, plan=plan("developer"), actor=alice, card=visa())
    assert Subscription.objects.get(organization=organization).trial_ends_at is None


def test_moving_on_to_enterprise_ends_the_trial_and_uses_the_new_card(acme):
    organization, alice, _cluster = acme
    plan_upgrade(organization=organization, plan=plan("developer"), actor=alice, card=visa())
    mastercard = visa(number="5555 5555 5555 4444")
    plan_upgrade(organization=organization, plan=plan("enterprise"), actor=alice, card=mastercard)
    subscription = Subscription.objects.get(organization=organization)
    assert subscription.trial_ends_at is None
    assert str(subscription.payment_method) == "Mastercard ending in 4444"


def test_the_callers_organization_reports_the_new_plan_at_once(acme):
    organization, alice, _cluster = acme
    assert plan_for_organization(organization=organization).code == "basic"
    plan_upgrade(organization=organization, plan=plan("developer"), actor=alice, card=visa())
    assert plan_for_organization(organization=organization).code == "developer"
    plan_downgrade(organization=organization, plan=plan("basic"), actor=alice)
    assert plan_for_organization(organization=organization).code == "basic"


def test_after_the_upgrade_the_owner_can_file_a_technical_request(acme):
    organization, alice, _cluster = acme
    with pytest.raises(PermissionDenied):
        file_request(organization=organization, reporter=alice, severity="S2")
    plan_upgrade(organization=organization, plan=plan("developer"), actor=alice, card=visa())
    ticket = file_request(organization=organization, reporter=alice, severity="S1")
    assert ticket.plan.code == "developer"
    assert (ticket.response_target_minutes, ticket.response_target_business_hours) == (240, True)


# Downgrade


def test_an_owners_downgrade_is_active_at_once_and_recorded(globex):
    organization, bob, _cluster = globex
    plan_downgrade(organization=organization, plan=plan("basic"), actor=bob)
    assert plan_for_organization(organization=organization).code == "basic"
    change = PlanChange.objects.get(organization=organization)
    assert (change.from_plan.code, change.to_plan.code, change.changed_by) == (
        "enterprise",
        "basic",
        bob,
    )


def test_downgrading_to_developer_gives_no_free_trial(globex):
    organization, bob, _cluster = globex
    plan_downgrade(organization=organization, plan=plan("developer"), actor=bob)
    subscription = Subscription.objects.get(organization=organization)
    assert subscription.plan.code == "developer"
    assert subscription.trial_ends_at is None


def test_downgrade_emails_the_other_owners(globex, member_of, django_capture_on_commit_callbacks):
    organization, bob, _cluster = globex
    second_owner = member_of(organization, role=Membership.Role.OWNER)
    with django_capture_on_commit_callbacks(execute=True):
        plan_downgrade(organization=organization, plan=plan("basic"), actor=bob)
    assert [message.to for message in mail.outbox] == [[second_owner.email]]
    assert "from Enterprise to Basic" in mail.outbox[0].body


def test_a_member_who_is_not_an_owner_cannot_downgrade(globex, member_of):
    organization, _bob, _cluster = globex
    member = member_of(organization)
    with pytest.raises(PermissionDenied):
        plan_downgrade(organization=organization, plan=plan("basic"), actor=member)
    assert plan_for_organization(organization=organization).code == "enterprise"
    assert not PlanChange.objects.exists()


@pytest.mark.parametrize("target", ["enterprise", "premium"])
def test_downgrading_to_the_same_or_a_higher_plan_is_refused(globex, target):
    organization, bob, _cluster = globex
    with pytest.raises(ValidationError, match="not lower than the current plan, Enterprise"):
        plan_downgrade(organization=organization, plan=plan(target), actor=bob)
    assert plan_for_organization(organization=organization).code == "enterprise"


def test_after_a_downgrade_to_basic_new_technical_requests_are_refused(globex):
    organization, bob, _cluster = globex
    plan_downgrade(organization=organization, plan=plan("basic"), actor=bob)
    with pytest.raises(PermissionDenied, match="Developer plan or above"):
        file_request(organization=organization, reporter=bob, severity="S2")
    assert not Ticket.objects.exists()


def test_after_a_downgrade_account_and_billing_requests_are_still_taken(globex):
    organization, bob, _cluster = globex
    plan_downgrade(organization=organization, plan=plan("basic"), actor=bob)
    ticket = file_request(reporter=bob, organization=organization, portal="billing")
    assert ticket.plan.code == "basic"


def test_open_technical_requests_stay_visible_and_open_for_comments(globex):
    organization, bob, _cluster = globex
    ticket = file_request(organization=organization, reporter=bob, severity="S2")
    plan_downgrade(organization=organization, plan=plan("basic"), actor=bob)
    assert ticket_get_for_user(user=bob, key=ticket.key) == ticket
    comment = ticket_comment_add(ticket=ticket, author=bob, body="Still happening.")
    assert comment.ticket == ticket


@pytest.mark.parametrize("move", ["downgrade", "upgrade"])
def test_a_request_keeps_the_target_it_was_opened_with(org_factory, move):
    organization, owner, _cluster = org_factory("developer")
    ticket = file_request(organization=organization, reporter=owner, severity="S1")
    due = ticket.first_response_due_at
    if move == "downgrade":
        plan_downgrade(organization=organization, plan=plan("basic"), actor=owner)
    else:
        plan_upgrade(organization=organization, plan=plan("enterprise"), actor=owner, card=visa())
    ticket.refresh_from_db()
    assert ticket.plan.code == "developer"
    assert (ticket.response_target_minutes, ticket.response_target_business_hours) == (240, True)
    assert ticket.first_response_due_at == due


# Sales inquiries


def inquiry(**overrides):
    data = {
        "topic": SalesInquiry.Topic.PREMIUM,
        "name": "Alice Adams",
        "company": "Acme",
        "email": "alice@acme.example",
        "phone": "+1 555 0100",
        "message": "We would like the Premium plan for our production cluster.",
        "organization": None,
        "created_by": None,
    }
    data.update(overrides)
    return sales_inquiry_create(**data)


def test_a_sales_inquiry_is_stored_and_emailed_to_the_sales_team(
    acme, settings, django_capture_on_commit_callbacks
):
    organization, alice, _cluster = acme
    settings.SALES_TEAM_EMAIL = "deals@sales.example"
    with django_capture_on_commit_callbacks(execute=True):
        stored = inquiry(organization=organization, created_by=alice)
    assert SalesInquiry.objects.get() == stored
    assert (stored.topic, stored.organization, stored.created_by) == (
        "premium",
        organization,
        alice,
    )
    assert [message.to for message in mail.outbox] == [["deals@sales.example"]]
    assert mail.outbox[0].subject == "Sales inquiry: Premium support plan from Acme"
    assert "We would like the Premium plan" in mail.outbox[0].body
    assert "+1 555 0100" in mail.outbox[0].body


def test_a_sales_inquiry_with_an_unknown_topic_is_refused(django_capture_on_commit_callbacks):
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(ValidationError) as refused,
    ):
        inquiry(topic="discount")
    assert "topic" in refused.value.error_dict
    assert not SalesInquiry.objects.exists()
    assert mail.outbox == []
