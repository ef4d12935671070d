from decimal import Decimal

import pytest

from accounts.models import Organization
from plans.models import Plan, PlanPortal, target_label
from plans.selectors import (
    plan_for_organization,
    plan_options,
    portal_access,
    portal_organization,
)
from tests.factories import MembershipFactory, subscribe

pytestmark = pytest.mark.django_db

# The seeded plans


def test_the_four_plans_are_seeded_in_rank_order():
    plans = list(Plan.objects.order_by("rank"))
    assert [plan.name for plan in plans] == ["Basic", "Developer", "Enterprise", "Premium"]


@pytest.mark.parametrize(
    ("code", "purchase", "trial_days", "portals"),
    [
        ("basic", Plan.Purchase.FREE, 0, {"billing"}),
        ("developer", Plan.Purchase.SELF_SERVE, 30, {"billing", "technical"}),
        ("enterprise", Plan.Purchase.SELF_SERVE, 0, {"billing", "technical"}),
        ("premium", Plan.Purchase.SALES, 0, {"billing", "technical"}),
    ],
)
def test_each_plan_is_bought_its_way_and_reaches_its_portals(code, purchase, trial_days, portals):
    plan = Plan.objects.get(code=code)
    assert plan.purchase == purchase
    assert plan.trial_days == trial_days
    assert set(plan.portals.values_list("portal", flat=True)) == portals
    assert plan.feature_list
    assert plan.monthly_price is None  # not published: an administrator sets it


def test_a_new_organization_is_on_utc_and_on_basic():
    organization = Organization.objects.create(name="Fresh")
    assert organization.time_zone == "UTC"
    assert plan_for_organization(organization=organization).code == "basic"


def test_an_organization_is_on_the_plan_it_subscribed_to(enterprise_org):
    organization, _owner, _cluster = enterprise_org
    assert plan_for_organization(organization=organization).code == "enterprise"


# How a response target reads


@pytest.mark.parametrize(
    ("minutes", "business_hours", "label"),
    [
        (30, False, "30 minutes"),
        (60, False, "1 hour"),
        (120, False, "2 hours"),
        (60, True, "1 business hour"),
        (90, True, "90 business minutes"),
        (1, False, "1 minute"),
    ],
)
def test_a_target_reads_as_around_the_clock_or_business_time(minutes, business_hours, label):
    assert target_label(minutes, business_hours=business_hours) == label


# Entitlements


def test_basic_organization_is_refused_the_technical_portal_and_told_which_plan(basic_org):
    _organization, owner, _cluster = basic_org
    access = portal_access(user=owner, portal="technical")
    assert not access.allowed
    assert access.organizations == []
    assert access.required_plan.code == "developer"
    assert "Developer plan or above" in access.refusal


def test_every_signed_in_user_may_use_the_billing_portal(basic_org):
    organization, owner, _cluster = basic_org
    access = portal_access(user=owner, portal="billing")
    assert access.allowed
    assert access.organizations == [organization]


@pytest.mark.parametrize("code", ["developer", "enterprise", "premium"])
def test_developer_or_above_opens_the_technical_portal(org_factory, code):
    organization, owner, _cluster = org_factory(code)
    access = portal_access(user=owner, portal="technical")
    assert access.allowed
    assert access.organizations == [organization]


def test_only_the_entitled_organizations_are_offered(developer_org, org_factory):
    developer, owner, _cluster = developer_org
    basic, _other_owner, _cluster = org_factory("basic")
    MembershipFactory(user=owner, organization=basic)
    assert portal_access(user=owner, portal="technical").organizations == [developer]
    assert set(portal_access(user=owner, portal="billing").organizations) == {developer, basic}
    assert portal_organization(user=owner, portal="technical", organization=developer) == developer
    assert portal_organization(user=owner, portal="technical", organization=basic) is None


def test_the_offered_organizations_come_with_their_plans(
    developer_org, org_factory, django_assert_num_queries
):
    developer, owner, _cluster = developer_org
    basic, _other_owner, _cluster = org_factory("basic")
    MembershipFactory(user=owner, organization=basic)
    with django_assert_num_queries(2):  # the access, then Basic for the one without a plan
        plans = {
            organization.name: plan_for_organization(organization=organization).code
            for organization in portal_access(user=owner, portal="billing").organizations
        }
    assert plans == {developer.name: "developer", basic.name: "basic"}


def test_the_offered_organizations_read_as_the_orm_reads_them(developer_org):
    """Read by hand (with the plan's response targets), times are still aware, prices decimals
    and flags booleans, on SQLite (`make run`) too."""
    organization, owner, _cluster = developer_org
    subscription = organization.subscription
    subscription.trial_ends_at = subscription.started_at
    subscription.save(update_fields=["trial_ends_at"])
    Plan.objects.filter(code="developer").update(monthly_price=Decimal("49.50"))
    (read,) = portal_access(user=owner, portal="technical").organizations
    expected = Organization.objects.select_related("subscription__plan").get(pk=organization.pk)
    read_targets = list(read.subscription.plan.response_targets.all())
    expected_targets = list(expected.subscription.plan.response_targets.order_by("pk"))
    assert read_targets == expected_targets
    for read_object, expected_object in (
        (read, expected),
        (read.subscription, expected.subscription),
        (read.subscription.plan, expected.subscription.plan),
        *zip(read_targets, expected_targets, strict=True),
    ):
        for field in type(expected_object)._meta.concrete_fields:
            read_value = getattr(read_object, field.attname)
            expected_value = getattr(expected_object, field.attname)
            assert (read_value, type(read_value)) == (expected_value, type(expected_value))
    assert read.subscription.trial_ends_at.tzinfo is not None
    assert read.subscription.plan.monthly_price == Decimal("49.50")


def test_a_downgraded_organization_loses_the_technical_portal(developer_org):
    organization, owner, _cluster = developer_org
    subscribe(organization, "basic")
    assert not portal_access(user=owner, portal="technical").allowed


def test_another_users_organizations_never_open_a_portal_for_you(enterprise_org, basic_org):
    _basic, outsider, _cluster = basic_org
    assert not portal_access(user=outsider, portal="technical").allowed


def test_an_administrator_giving_basic_the_technical_portal_opens_it_for_basic(basic_org):
    organization, owner, _cluster = basic_org
    PlanPortal.objects.create(plan=Plan.objects.get(code="basic"), portal="technical")
    access = portal_access(user=owner, portal="technical")
    assert access.allowed
    assert access.organizations == [organization]


# What the Support page offers


@pytest.mark.parametrize(
    ("current", "actions"),
    [
        ("basic", ["current", "upgrade", "upgrade", "contact_sales"]),
        ("developer", ["downgrade", "current", "upgrade", "contact_sales"]),
        ("enterprise", ["downgrade", "downgrade", "current", "contact_sales"]),
        ("premium", ["downgrade", "downgrade", "downgrade", "current"]),
    ],
)
def test_plan_options_offer_upgrade_contact_sales_or_downgrade(org_factory, current, actions):
    organization, _owner, _cluster = org_factory(current)
    options = plan_options(organization=organization)
    assert [option.plan.code for option in options] == [
        "basic",
        "developer",
        "enterprise",
        "premium",
    ]
    assert [option.action for option in options] == actions


def test_plan_options_show_each_plans_targets_and_none_for_basic(basic_org):
    organization, _owner, _cluster = basic_org
    by_code = {
        option.plan.code: option.targets for option in plan_options(organization=organization)
    }
    assert by_code["basic"] == [("S1", "—"), ("S2", "—"), ("S3", "—"), ("S4", "—")]
    assert by_code["enterprise"] == [
        ("S1", "1 hour"),
        ("S2", "2 hours"),
        ("S3", "8 business hours"),
        ("S4", "24 business hours"),
    ]


def test_plan_options_do_not_query_per_plan(enterprise_org, django_assert_max_num_queries):
    organization, _owner, _cluster = enterprise_org
    organization = Organization.objects.get(pk=organization.pk)
    with django_assert_max_num_queries(5):
        plan_options(organization=organization)
