import re
from datetime import date
from decimal import Decimal

import pytest
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.core import mail
from django.urls import reverse

from accounts.models import Membership
from plans.models import PaymentMethod, Plan, PlanChange, SalesInquiry
from plans.selectors import plan_for_organization
from tests.factories import MembershipFactory, UserFactory, file_request
from tickets.models import Comment, Component, Ticket

pytestmark = pytest.mark.django_db

NEXT_YEAR = date.today().year + 1
VALID_CARD = {
    "holder_name": "Alice Adams",
    "number": "4242 4242 4242 4242",
    "exp_month": "12",
    "exp_year": str(NEXT_YEAR),
    "cvc": "123",
}


def support_url(organization):
    return reverse("plans:support", args=[organization.pk])


def upgrade_url(organization, code="developer"):
    return reverse("plans:upgrade", args=[organization.pk, code])


def card_url(organization, code="developer"):
    return reverse("plans:upgrade-card", args=[organization.pk, code])


def downgrade_url(organization, code="basic"):
    return reverse("plans:downgrade", args=[organization.pk, code])


def plan_card(page: str, code: str) -> str:
    """The HTML of one plan's column on the Support page."""
    start = page.index(f'data-testid="plan-{code}"')
    end = page.find('data-testid="plan-', start + 1)
    if end == -1:
        end = page.index("Business hours are 9:00 to 18:00", start)
    return page[start:end]


def messages_of(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def technical_form(organization, cluster):
    return {
        "summary": "TiKV store disconnected",
        "organization": organization.pk,
        "cluster": cluster.pk,
        "environment": "production",
        "description": "At 2026-11-27 10:02 UTC: Region is unavailable.",
        "severity": "S1",
        "components": [Component.objects.get(name="TiKV").pk],
        "affects_version": "v8.5.1",
    }


@pytest.fixture
def acme(org_factory):
    """Acme on Basic; alice is its owner."""
    return org_factory("basic", name="Acme")


@pytest.fixture
def globex(org_factory):
    """Globex on Enterprise; bob is its owner."""
    return org_factory("enterprise", name="Globex")


@pytest.fixture
def initech(org_factory, member_of):
    """Initech on Developer, with an owner and a member who is not an owner."""
    organization, owner, _cluster = org_factory("developer", name="Initech")
    return organization, owner, member_of(organization)


# The access matrix: every plan page, on Initech (Developer), which can go up and down.

PLAN_PAGES = [
    ("get", lambda org: support_url(org)),
    ("get", lambda org: upgrade_url(org, "enterprise")),
    ("get", lambda org: card_url(org, "enterprise")),
    ("post", lambda org: card_url(org, "enterprise")),
    ("get", lambda org: downgrade_url(org, "basic")),
    ("post", lambda org: downgrade_url(org, "basic")),
]
CHANGE_PAGES = PLAN_PAGES[1:]
PAGE_IDS = ["support", "upgrade", "card-get", "card-post", "downgrade-get", "downgrade-post"]


def request(client, method, url):
    return client.post(url, VALID_CARD) if method == "post" else client.get(url)


def assert_initech_unchanged(organization):
    assert plan_for_organization(organization=organization).code == "developer"
    assert not PlanChange.objects.exists()
    assert not PaymentMethod.objects.exists()


@pytest.mark.parametrize(("method", "url"), PLAN_PAGES, ids=PAGE_IDS)
def test_anonymous_visitor_is_sent_to_log_in(client, initech, method, url):
    organization, _owner, _member = initech
    target = url(organization)
    response = request(client, method, target)
    assert response.status_code == 302
    assert response.url == f"{reverse('login')}?{REDIRECT_FIELD_NAME}={target}"
    assert_initech_unchanged(organization)


@pytest.mark.parametrize(("method", "url"), PLAN_PAGES, ids=PAGE_IDS)
def test_another_organizations_owner_gets_404(client, initech, globex, method, url):
    organization, _owner, _member = initech
    _globex, bob, _cluster = globex
    client.force_login(bob)
    assert request(client, method, url(organization)).status_code == 404
    assert_initech_unchanged(organization)


def test_a_member_sees_the_support_page_read_only(client, initech):
    organization, _owner, member = initech
    client.force_login(member)
    response = client.get(support_url(organization))
    assert response.status_code == 200
    assert "Only owners of Initech can change its support plan." in response.text
    assert upgrade_url(organization, "enterprise") not in response.text
    assert downgrade_url(organization, "basic") not in response.text
    assert ">Contact Sales</a>" not in plan_card(response.text, "premium")
    assert "Upgrade</a>" not in response.text


@pytest.mark.parametrize(("method", "url"), CHANGE_PAGES, ids=PAGE_IDS[1:])
def test_a_member_is_refused_every_plan_change_and_nothing_changes(
    client, initech, method, url, django_capture_on_commit_callbacks
):
    organization, _owner, member = initech
    client.force_login(member)
    with django_capture_on_commit_callbacks(execute=True):
        response = request(client, method, url(organization))
    assert response.status_code == 403
    assert "Only an owner of Initech can change its support plan." in response.text
    assert_initech_unchanged(organization)
    assert mail.outbox == []


@pytest.mark.parametrize(
    ("url", "text"),
    [
        (lambda org: support_url(org), "Current Plan"),
        (lambda org: upgrade_url(org, "enterprise"), "Upgrade to Enterprise Plan"),
        (lambda org: card_url(org, "enterprise"), "Save Card"),
        (lambda org: downgrade_url(org, "basic"), "Downgrade Initech to Basic?"),
    ],
    ids=["support", "upgrade", "card", "downgrade"],
)
def test_the_owner_is_let_in(client, initech, url, text):
    organization, owner, _member = initech
    client.force_login(owner)
    response = client.get(url(organization))
    assert response.status_code == 200
    assert text in response.text


# The Support page


def test_the_organization_menu_leads_to_the_support_page(client, acme):
    organization, alice, _cluster = acme
    client.force_login(alice)
    assert f'href="{support_url(organization)}"' in client.get(reverse("tickets:home")).text


def test_support_shortcut_opens_the_current_organizations_page(client, acme):
    organization, alice, _cluster = acme
    client.force_login(alice)
    response = client.get(reverse("plans:support-current"))
    assert response.status_code == 302
    assert response.url == support_url(organization)


def test_support_shortcut_without_an_organization_goes_home(client):
    client.force_login(UserFactory())
    response = client.get(reverse("plans:support-current"))
    assert response.url == reverse("tickets:home")


def test_support_page_marks_basic_as_the_current_plan_by_default(client, acme):
    organization, alice, _cluster = acme
    client.force_login(alice)
    page = client.get(support_url(organization)).text
    assert re.search(r'data-testid="current-plan">\s*Basic\s*<', page)
    assert "Current Plan</span>" in plan_card(page, "basic")
    for code in ("developer", "enterprise", "premium"):
        assert "Current Plan</span>" not in plan_card(page, code)


def test_support_page_shows_the_four_plans_with_features_and_targets(client, acme):
    organization, alice, _cluster = acme
    client.force_login(alice)
    page = client.get(support_url(organization)).text
    assert "Community channels" in plan_card(page, "basic")
    assert "Knowledge base" in plan_card(page, "developer")
    assert "Monitoring service" in plan_card(page, "enterprise")
    assert "Named technical account manager" in plan_card(page, "premium")
    targets = {
        "developer": ["4 business hours", "8 business hours", "12 business hours"],
        "enterprise": ["1 hour", "2 hours", "8 business hours"],
        "premium": ["30 minutes", "1 hour", "4 business hours"],
    }
    for code, labels in targets.items():
        for label in labels:
            assert f"<td>{label}</td>" in plan_card(page, code)
    assert "business hour" not in plan_card(page, "basic")


def test_a_basic_owner_is_offered_upgrade_and_contact_sales(client, acme):
    organization, alice, _cluster = acme
    client.force_login(alice)
    page = client.get(support_url(organization)).text
    assert upgrade_url(organization, "developer") in plan_card(page, "developer")
    assert upgrade_url(organization, "enterprise") in plan_card(page, "enterprise")
    premium = plan_card(page, "premium")
    assert "Contact Sales</a>" in premium
    assert f"topic=premium&amp;organization={organization.pk}" in premium
    assert "Downgrade" not in page


def test_an_enterprise_owner_is_offered_downgrades(client, globex):
    organization, bob, _cluster = globex
    client.force_login(bob)
    page = client.get(support_url(organization)).text
    assert downgrade_url(organization, "basic") in plan_card(page, "basic")
    assert downgrade_url(organization, "developer") in plan_card(page, "developer")
    assert "Your current plan" in plan_card(page, "enterprise")


def test_prices_are_what_an_administrator_set(client, acme):
    organization, alice, _cluster = acme
    Plan.objects.filter(code="developer").update(monthly_price=Decimal("29.00"))
    client.force_login(alice)
    page = client.get(support_url(organization)).text
    assert "$29" in plan_card(page, "developer") and "/month" in plan_card(page, "developer")
    assert "Contact Sales for pricing" in plan_card(page, "enterprise")
    assert "Free" in plan_card(page, "basic")
    assert "Contact Sales for pricing" in plan_card(page, "premium")
    assert "Contact Sales for pricing" not in plan_card(page, "developer")


def test_a_price_set_in_the_admin_shows_on_the_upgrade_page(admin_client, client, acme):
    organization, alice, _cluster = acme
    enterprise = Plan.objects.get(code="enterprise")
    change_url = reverse("admin:plans_plan_change", args=[enterprise.pk])
    form = admin_client.get(change_url).context["adminform"].form
    assert "monthly_price" in form.fields
    client.force_login(alice)
    assert "Contact Sales for pricing" in client.get(upgrade_url(organization, "enterprise")).text
    Plan.objects.filter(pk=enterprise.pk).update(monthly_price=Decimal("499.00"))
    page = client.get(upgrade_url(organization, "enterprise")).text
    assert "$499" in page and "Contact Sales for pricing" not in page


def test_the_payment_method_is_shown_to_owners_only(client, initech):
    organization, owner, member = initech
    client.force_login(owner)
    client.post(downgrade_url(organization, "basic"))
    client.post(card_url(organization, "enterprise"), VALID_CARD)
    assert "Paid with Visa ending in 4242" in client.get(support_url(organization)).text
    client.force_login(member)
    page = client.get(support_url(organization)).text
    assert "Enterprise" in page and "Visa" not in page and "4242" not in page


def test_moving_to_basic_removes_the_card_and_its_token(client, acme):
    organization, alice, _cluster = acme
    client.force_login(alice)
    client.post(card_url(organization, "developer"), VALID_CARD)
    assert PaymentMethod.objects.filter(organization=organization).count() == 1
    client.post(downgrade_url(organization, "basic"))
    assert not PaymentMethod.objects.filter(organization=organization).exists()
    assert "Paid with" not in client.get(support_url(organization)).text


def test_the_trial_is_offered_only_to_an_organization_that_has_not_had_it(client, acme):
    organization, alice, _cluster = acme
    client.force_login(alice)
    assert "30-day free trial" in client.get(upgrade_url(organization)).text
    client.post(card_url(organization, "developer"), VALID_CARD)
    client.post(downgrade_url(organization, "basic"))
    page = client.get(upgrade_url(organization)).text
    assert "free trial" in page and "30-day free trial" not in page
    assert "billing starts on the day of the upgrade" in page
    assert "One-month free trial" not in client.get(support_url(organization)).text
    client.post(card_url(organization, "developer"), VALID_CARD)
    assert "Free trial until" not in client.get(support_url(organization)).text


def test_an_organization_that_was_on_developer_without_a_change_gets_no_trial(client, initech):
    organization, owner, _member = initech
    client.force_login(owner)
    client.post(downgrade_url(organization, "basic"))
    assert "30-day free trial" not in client.get(upgrade_url(organization)).text


def test_upgrade_pages_link_to_the_full_plan_comparison(client, acme):
    organization, alice, _cluster = acme
    client.force_login(alice)
    link = f'href="{support_url(organization)}#plans"'
    assert link in client.get(upgrade_url(organization)).text
    assert link in client.get(card_url(organization)).text
    assert 'id="plans"' in client.get(support_url(organization)).text


def test_support_page_shows_the_plan_history(client, globex):
    organization, bob, _cluster = globex
    client.force_login(bob)
    client.post(downgrade_url(organization, "developer"))
    page = client.get(support_url(organization)).text
    assert "Plan history" in page
    assert (
        f"<td>Enterprise</td><td>Developer</td><td>{bob.display_name}</td>"
        "<td>Downgrade by an owner</td>"
    ) in page


def test_the_navigation_keeps_showing_the_current_organizations_plan(client, acme, globex):
    acme_org, alice, _cluster = acme
    globex_org, _bob, _cluster = globex
    MembershipFactory(user=alice, organization=globex_org, role=Membership.Role.MEMBER)
    client.force_login(alice)  # Acme comes first by name, so it is the current organization
    page = client.get(support_url(globex_org)).text
    assert re.search(r'data-testid="current-plan">\s*Enterprise\s*<', page)
    menu = page[page.index('data-testid="organization-menu"') :]
    assert re.search(r"Acme\s*<span[^>]*>Basic</span>", menu)


def test_support_page_costs_a_fixed_number_of_queries(
    client, globex, django_assert_max_num_queries
):
    organization, bob, _cluster = globex
    client.force_login(bob)
    client.post(downgrade_url(organization, "developer"))
    with django_assert_max_num_queries(16):
        assert client.get(support_url(organization)).status_code == 200


# Upgrade through the pages


def test_upgrade_page_shows_what_developer_brings(client, acme):
    organization, alice, _cluster = acme
    client.force_login(alice)
    page = client.get(upgrade_url(organization, "developer")).text
    assert "Upgrade to Developer Plan" in page
    assert "Technical support tickets" in page
    assert "<td>4 business hours</td>" in page
    assert "30-day free trial" in page
    assert f'href="{card_url(organization, "developer")}"' in page
    assert "Add Credit Card and Upgrade" in page


def test_upgrade_page_for_enterprise(client, acme):
    organization, alice, _cluster = acme
    client.force_login(alice)
    page = client.get(upgrade_url(organization, "enterprise")).text
    assert "Upgrade to Enterprise Plan" in page
    assert "<td>1 hour</td>" in page
    assert "free trial" not in page


def test_card_page_asks_for_the_card_and_prefills_the_name(client, acme):
    organization, alice, _cluster = acme
    client.force_login(alice)
    response = client.get(card_url(organization))
    for name in ("holder_name", "number", "exp_month", "exp_year", "cvc"):
        assert f'name="{name}"' in response.text
    assert response.context["form"]["holder_name"].value() == alice.full_name
    assert "Save Card" in response.text


def test_saving_a_valid_card_upgrades_at_once_and_confirms(
    client, acme, member_of, django_capture_on_commit_callbacks
):
    organization, alice, _cluster = acme
    other_owner = member_of(organization, role=Membership.Role.OWNER)
    client.force_login(alice)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(card_url(organization), VALID_CARD, follow=True)
    assert response.redirect_chain == [(support_url(organization), 302)]
    assert messages_of(response) == [
        "Acme is now on the Developer plan. The technical support portal is open."
    ]
    assert re.search(r'data-testid="current-plan">\s*Developer\s*<', response.text)
    assert "Free trial until" in response.text
    assert "Paid with Visa ending in 4242" in response.text
    assert [message.to for message in mail.outbox] == [[other_owner.email]]
    assert mail.outbox[0].subject == "Acme is now on the Developer support plan"


def test_an_invalid_card_is_refused_with_the_reason_and_not_shown_back(client, acme):
    organization, alice, _cluster = acme
    client.force_login(alice)
    response = client.post(
        card_url(organization), {**VALID_CARD, "number": "4242 4242 4242 4241", "cvc": "98"}
    )
    assert response.status_code == 200
    assert "This card number is not valid." in response.text
    assert "The security code is 3 digits on the back of the card." in response.text
    assert "4241" not in response.text
    assert 'value="98"' not in response.text
    assert plan_for_organization(organization=organization).code == "basic"
    assert not PaymentMethod.objects.exists()


def test_an_expired_card_is_refused(client, acme):
    organization, alice, _cluster = acme
    client.force_login(alice)
    last_year = str(date.today().year - 1)
    response = client.post(card_url(organization), {**VALID_CARD, "exp_year": last_year})
    assert "This card has expired." in response.text
    assert plan_for_organization(organization=organization).code == "basic"


@pytest.mark.parametrize("page", [upgrade_url, card_url], ids=["upgrade", "card"])
def test_premium_upgrade_goes_to_contact_sales(client, acme, page):
    organization, alice, _cluster = acme
    client.force_login(alice)
    response = client.get(page(organization, "premium"))
    assert response.status_code == 302
    assert response.url == (
        f"{reverse('plans:contact-sales')}?topic=premium&organization={organization.pk}"
    )


def test_a_card_posted_for_premium_buys_nothing(client, acme):
    organization, alice, _cluster = acme
    client.force_login(alice)
    response = client.post(card_url(organization, "premium"), VALID_CARD)
    assert response.url.startswith(reverse("plans:contact-sales"))
    assert plan_for_organization(organization=organization).code == "basic"
    assert not PaymentMethod.objects.exists()


@pytest.mark.parametrize(
    ("method", "page"), [("get", upgrade_url), ("get", card_url), ("post", card_url)]
)
def test_upgrading_to_a_plan_already_included_sends_back_with_a_note(client, globex, method, page):
    organization, bob, _cluster = globex
    client.force_login(bob)
    response = request(client, method, page(organization, "developer"))
    assert response.url == support_url(organization)
    followed = client.get(response.url)
    assert messages_of(followed) == ["Globex is already on Enterprise, which includes Developer."]
    assert plan_for_organization(organization=organization).code == "enterprise"
    assert not PaymentMethod.objects.exists()


def test_unknown_plan_is_404(client, acme):
    organization, alice, _cluster = acme
    client.force_login(alice)
    assert client.get(upgrade_url(organization, "platinum")).status_code == 404


def test_alice_upgrades_acme_through_the_pages_and_files_a_technical_request(
    client, acme, django_capture_on_commit_callbacks
):
    organization, alice, cluster = acme
    client.force_login(alice)
    portal = reverse("tickets:portal-technical")
    locked = client.post(portal, technical_form(organization, cluster))
    assert locked.status_code == 403
    assert "Developer plan or above" in locked.text
    assert f'href="{support_url(organization)}"' in locked.text
    assert not Ticket.objects.exists()

    support = client.get(support_url(organization)).text
    assert upgrade_url(organization, "developer") in support
    assert card_url(organization) in client.get(upgrade_url(organization)).text
    assert "Save Card" in client.get(card_url(organization)).text
    with django_capture_on_commit_callbacks(execute=True):
        client.post(card_url(organization), VALID_CARD)

    filed = client.post(portal, technical_form(organization, cluster))
    ticket = Ticket.objects.get()
    assert filed.url == reverse("tickets:request-detail", args=[ticket.key])
    assert (ticket.portal, ticket.organization, ticket.plan.code) == (
        "technical",
        organization,
        "developer",
    )
    assert ticket.response_target_minutes == 240


# Downgrade through the pages


def test_downgrade_page_says_what_happens_to_open_requests(client, globex):
    organization, bob, _cluster = globex
    client.force_login(bob)
    page = client.get(downgrade_url(organization, "basic")).text
    assert "Globex moves from Enterprise to Basic at once." in page
    assert "Requests that are open now stay visible and open for comments" in page
    assert "the technical support portal closes" in page


def test_bob_downgrades_globex_and_is_refused_new_technical_requests_but_keeps_his_open_ones(
    client, globex
):
    organization, bob, cluster = globex
    open_request = file_request(
        reporter=bob,
        organization=organization,
        severity="S2",
        summary="Slow joins",
        description="Joins got slow after the upgrade.",
    )
    client.force_login(bob)
    response = client.post(downgrade_url(organization, "basic"), follow=True)
    assert messages_of(response) == ["Globex is now on the Basic plan. Open requests stay open."]
    assert re.search(r'data-testid="current-plan">\s*Basic\s*<', response.text)

    portal = reverse("tickets:portal-technical")
    assert client.get(portal).status_code == 403
    refused = client.post(portal, technical_form(organization, cluster))
    assert refused.status_code == 403
    assert Ticket.objects.count() == 1

    detail = reverse("tickets:request-detail", args=[open_request.key])
    assert client.get(detail).status_code == 200
    commented = client.post(
        reverse("tickets:comment-add", args=[open_request.key]), {"body": "Still slow."}
    )
    assert commented.url == detail
    assert Comment.objects.filter(ticket=open_request, body="Still slow.").exists()


@pytest.mark.parametrize("method", ["get", "post"])
def test_downgrading_to_a_higher_plan_sends_back_with_a_note(client, globex, method):
    organization, bob, _cluster = globex
    client.force_login(bob)
    response = getattr(client, method)(downgrade_url(organization, "premium"))
    assert response.url == support_url(organization)
    followed = client.get(response.url)
    assert messages_of(followed) == ["Premium is not lower than the current plan, Enterprise."]
    assert plan_for_organization(organization=organization).code == "enterprise"
    assert not PlanChange.objects.exists()


# Contact Sales


def inquiry_form(**overrides):
    data = {
        "topic": "premium",
        "name": "Alice Adams",
        "company": "Acme",
        "email": "alice@acme.example",
        "phone": "+1 555 0100",
        "message": "We need Premium support for production.",
    }
    data.update(overrides)
    return data


def test_contact_sales_needs_a_login(client):
    response = client.get(reverse("plans:contact-sales"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_the_help_menu_offers_contact_sales(client, acme):
    _organization, alice, _cluster = acme
    client.force_login(alice)
    page = client.get(reverse("tickets:home")).text
    help_menu = page[page.index('data-testid="help-menu"') :]
    assert f'href="{reverse("plans:contact-sales")}"' in help_menu


def test_contact_sales_form_is_prefilled_for_premium(client, acme):
    organization, alice, _cluster = acme
    client.force_login(alice)
    form = client.get(reverse("plans:contact-sales") + "?topic=premium").context["form"]
    assert (form["topic"].value(), form["name"].value(), form["email"].value()) == (
        "premium",
        alice.full_name,
        alice.email,
    )
    assert form["company"].value() == "Acme"
    for name in ("name", "company", "email", "phone", "message"):
        assert name in form.fields


@pytest.mark.parametrize("topic", ["premium", "poc", "demo", "trial_credits"])
def test_an_inquiry_is_stored_emailed_to_sales_and_thanked(
    client, acme, settings, topic, django_capture_on_commit_callbacks
):
    organization, alice, _cluster = acme
    settings.SALES_TEAM_EMAIL = "sales-team@sales.example"
    client.force_login(alice)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("plans:contact-sales") + f"?topic={topic}",
            inquiry_form(topic=topic),
            follow=True,
        )
    assert response.redirect_chain == [(reverse("plans:contact-sales-thanks"), 302)]
    assert "Thank you" in response.text
    inquiry = SalesInquiry.objects.get()
    assert (inquiry.topic, inquiry.organization, inquiry.created_by) == (topic, organization, alice)
    assert [message.to for message in mail.outbox] == [["sales-team@sales.example"]]


def test_an_incomplete_inquiry_is_refused_and_nothing_is_sent(
    client, acme, django_capture_on_commit_callbacks
):
    _organization, alice, _cluster = acme
    client.force_login(alice)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("plans:contact-sales"), inquiry_form(company="", email="not-an-email")
        )
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"company", "email"}
    assert not SalesInquiry.objects.exists()
    assert mail.outbox == []


def test_contact_sales_from_a_support_page_records_that_organization(client, acme, globex):
    acme_org, alice, _cluster = acme
    globex_org, _bob, _cluster = globex
    MembershipFactory(user=alice, organization=globex_org, role=Membership.Role.OWNER)
    client.force_login(alice)  # Acme is the current organization
    link = f"{reverse('plans:contact-sales')}?topic=premium&organization={globex_org.pk}"
    assert client.get(link).context["form"]["company"].value() == "Globex"
    client.post(link, inquiry_form(company="Globex"))
    assert SalesInquiry.objects.get().organization == globex_org


def test_contact_sales_for_another_organization_is_404(client, acme, globex):
    _acme, alice, _cluster = acme
    globex_org, _bob, _cluster = globex
    client.force_login(alice)
    link = f"{reverse('plans:contact-sales')}?topic=premium&organization={globex_org.pk}"
    assert client.get(link).status_code == 404
    assert client.post(link, inquiry_form()).status_code == 404
    assert not SalesInquiry.objects.exists()
