from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from accounts.models import Organization
from plans.models import Plan, PlanPortal, target_label
from plans.selectors import (
    plan_for_organization,
    plan_options,
    portal_access,
    portal_organizations,
    response_due_at,
    response_target_for,
)
from tests.factories import MembershipFactory, subscribe

pytestmark = pytest.mark.django_db

FRIDAY_1730 = datetime(2026, 12, 4, 17, 30, tzinfo=UTC)

# The published table: (plan, severity) -> (label, due time of a request filed Friday 17:30 UTC).
PUBLISHED_TARGETS = [
    ("developer", "S1", "4 business hours", datetime(2026, 12, 7, 12, 30, tzinfo=UTC)),
    ("developer", "S2", "8 business hours", datetime(2026, 12, 7, 16, 30, tzinfo=UTC)),
    ("developer", "S3", "12 business hours", datetime(2026, 12, 8, 11, 30, tzinfo=UTC)),
    ("developer", "S4", "24 business hours", datetime(2026, 12, 9, 14, 30, tzinfo=UTC)),
    ("enterprise", "S1", "1 hour", datetime(2026, 12, 4, 18, 30, tzinfo=UTC)),
    ("enterprise", "S2", "2 hours", datetime(2026, 12, 4, 19, 30, tzinfo=UTC)),
    ("enterprise", "S3", "8 business hours", datetime(2026, 12, 7, 16, 30, tzinfo=UTC)),
    ("enterprise", "S4", "24 business hours", datetime(2026, 12, 9, 14, 30, tzinfo=UTC)),
    ("premium", "S1", "30 minutes", datetime(2026, 12, 4, 18, 0, tzinfo=UTC)),
    ("premium", "S2", "1 hour", datetime(2026, 12, 4, 18, 30, tzinfo=UTC)),
    ("premium", "S3", "4 business hours", datetime(2026, 12, 7, 12, 30, tzinfo=UTC)),
    ("premium", "S4", "24 business hours", datetime(2026, 12, 9, 14, 30, tzinfo=UTC)),
]


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


# Response targets


@pytest.mark.parametrize(("code", "severity", "label", "_due"), PUBLISHED_TARGETS)
def test_response_targets_are_the_published_table(code, severity, label, _due):
    target = response_target_for(plan=Plan.objects.get(code=code), severity=severity)
    assert target.label == label


@pytest.mark.parametrize("severity", ["S1", "S2", "S3", "S4"])
def test_basic_promises_no_response_time(severity):
    basic = Plan.objects.get(code="basic")
    target = response_target_for(plan=basic, severity=severity)
    assert target is None
    assert response_due_at(target=target, start=FRIDAY_1730, organization=None) is None


@pytest.mark.parametrize(("code", "severity", "_label", "due"), PUBLISHED_TARGETS)
def test_due_time_of_a_request_filed_friday_1730(org_factory, code, severity, _label, due):
    organization, _owner, _cluster = org_factory(code)
    target = response_target_for(plan=Plan.objects.get(code=code), severity=severity)
    assert response_due_at(target=target, start=FRIDAY_1730, organization=organization) == due


def test_due_time_counts_business_hours_in_the_organizations_zone(org_factory):
    organization, _owner, _cluster = org_factory("developer", time_zone="America/New_York")
    new_york = ZoneInfo("America/New_York")
    start = datetime(2026, 12, 4, 17, 30, tzinfo=new_york)
    target = response_target_for(plan=Plan.objects.get(code="developer"), severity="S1")
    due = response_due_at(target=target, start=start, organization=organization)
    assert due == datetime(2026, 12, 7, 12, 30, tzinfo=new_york)


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
    assert list(portal_organizations(user=owner, portal="technical")) == [developer]
    assert set(portal_organizations(user=owner, portal="billing")) == {developer, basic}


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
