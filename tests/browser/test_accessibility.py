"""axe-core on every customer page and every admin page of the triage, as each demo user, and
the phone layout (390x844): no page scrolls sideways, every menu opens on the screen.

One logged-in browser context per user walks all of that user's pages, so the whole module
costs a few logins rather than one per page."""

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from accounts.models import Organization, User
from accounts.selectors import clusters_visible_to, organizations_for_user
from knowledge.models import Article
from plans.models import PlanMove
from plans.selectors import plan_options
from tests.browser.conftest import DEMO_PASSWORD, totp_code
from tickets.selectors import tickets_visible_to

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

# The demo customers (an owner on Basic, on Enterprise, and an owner on Developer who is also a
# member of Acme), and a signed-up person with no organization yet.
CUSTOMERS = [
    "alice@acme.example",
    "bob@globex.example",
    "carol@initech.example",
    "dana@solo.example",
]
STAFF = ["agent@support.example", "admin@support.example"]
ANONYMOUS_PAGES = ["/accounts/login/", "/accounts/signup/", "/accounts/password_reset/"]
LAPTOP = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}
# What fails the build: axe-core's two highest impacts.
FAILING_IMPACTS = {"serious", "critical"}

_axe = Axe()


def customer_pages(user: User) -> list[str]:
    """Every page a customer reaches from the menus, for this user's organizations, clusters,
    requests and plan options (the upgrade and downgrade pages only where they apply)."""
    pages = [
        "/",
        "/portals/billing/",
        "/portals/technical/",
        "/requests/",
        "/requests/?status=closed&q=no-such-request",
        "/console/clusters/",
        "/contact-sales/",
        "/contact-sales/thanks/",
        "/articles/",
        "/articles/?q=backup",
        "/accounts/two-factor/",
        "/accounts/password_change/",
        "/console/organizations/new/",
        "/account/",
        "/account/api-tokens/",
        "/no-such-page/",
    ]
    cluster = clusters_visible_to(user=user).first()
    if cluster is not None:
        pages += [f"/console/clusters/{cluster.pk}/", f"/portals/technical/?cluster={cluster.pk}"]
    ticket = tickets_visible_to(user=user).order_by("pk").first()
    if ticket is not None:
        pages.append(f"/requests/{ticket.key}/")
    article = Article.objects.filter(status=Article.Status.PUBLISHED).order_by("pk").first()
    if article is not None:
        pages.append(f"/articles/{article.slug}/")
    for organization in organizations_for_user(user=user):
        pages += [
            f"/organizations/{organization.pk}/support/",
            f"/organizations/{organization.pk}/report/",
            f"/console/organizations/{organization.pk}/webhooks/",
        ]
        pages += _plan_pages(user, organization)
    return pages


def _plan_pages(user: User, organization: Organization) -> list[str]:
    if not organization.memberships.filter(user=user, role="owner").exists():
        return []
    base = f"/organizations/{organization.pk}/support"
    pages = []
    for option in plan_options(organization=organization):
        if option.action == PlanMove.UPGRADE:
            upgrade = f"{base}/upgrade/{option.plan.code}/"
            pages += [upgrade, f"{upgrade}card/"]
        elif option.action == PlanMove.DOWNGRADE:
            pages.append(f"{base}/downgrade/{option.plan.code}/")
    return pages


def log_in(page: Page, email: str) -> None:
    page.goto("/accounts/login/")
    page.fill("input[name=username]", email)
    page.fill("input[name=password]", DEMO_PASSWORD)
    if email.endswith("@support.example"):
        page.fill("input[name=otp_token]", totp_code())
    page.click("button[type=submit]")
    page.wait_for_load_state()
    expect(page.locator("input[name=password]")).to_have_count(0)


def serious_violations(page: Page) -> list[str]:
    """axe-core's serious and critical findings on the page, one line per element."""
    results = _axe.run(page)
    found = []
    for violation in results.response["violations"]:
        if violation["impact"] not in FAILING_IMPACTS:
            continue
        for node in violation["nodes"]:
            found.append(
                f"{page.url}: {violation['id']} ({violation['impact']}) at {node['target']}: "
                f"{node.get('failureSummary', '').splitlines()[-1].strip()}"
            )
    return found


def walk_with_axe(page: Page, paths: list[str]) -> list[str]:
    found = []
    for path in paths:
        page.goto(path)  # waits for the load event: styles and deferred scripts have run
        found += serious_violations(page)
    return found


def wider_than_viewport(page: Page, paths: list[str]) -> list[str]:
    found = []
    for path in paths:
        page.goto(path)
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > PHONE["width"]:
            found.append(f"{path}: {width} px wide")
    return found


@pytest.fixture
def context_for(browser, live_server, demo):
    User.objects.create_user(
        email="dana@solo.example", password=DEMO_PASSWORD, full_name="Dana Solo"
    )
    contexts = []

    def make(viewport: dict):
        context = browser.new_context(base_url=live_server.url, viewport=viewport)
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15_000)
        return page

    yield make
    for context in contexts:
        context.close()


def test_axe_finds_nothing_serious_on_any_customer_or_anonymous_page(context_for):
    page = context_for(LAPTOP)
    found = walk_with_axe(page, ANONYMOUS_PAGES)
    for email in CUSTOMERS:
        page = context_for(LAPTOP)
        log_in(page, email)
        found += walk_with_axe(page, customer_pages(User.objects.get(email=email)))
    assert found == [], "\n".join(found)


def test_axe_finds_nothing_serious_on_the_triage_admin_pages(context_for):
    found = []
    for email in STAFF:
        page = context_for(LAPTOP)
        log_in(page, email)
        page.goto("/admin/")
        queues = page.locator("#support-queues a[href*='/admin/tickets/ticket/']")
        queue_urls = [queues.nth(i).get_attribute("href") for i in range(queues.count())]
        ticket = tickets_visible_to(user=User.objects.get(email="bob@globex.example")).first()
        paths = [
            "/admin/",
            *queue_urls,
            "/admin/tickets/ticket/",
            f"/admin/tickets/ticket/{ticket.pk}/change/",
            "/admin/tickets/ticket/add/",
            "/admin/reports/",
        ]
        found += walk_with_axe(page, paths)
    assert len(queue_urls) >= 3
    assert found == [], "\n".join(found)


def test_no_customer_page_scrolls_sideways_on_a_phone(context_for):
    page = context_for(PHONE)
    found = wider_than_viewport(page, ANONYMOUS_PAGES)
    for email in CUSTOMERS:
        page = context_for(PHONE)
        log_in(page, email)
        found += wider_than_viewport(page, customer_pages(User.objects.get(email=email)))
    assert found == [], "\n".join(found)


def inside_viewport(page: Page, locator) -> None:
    expect(locator).to_be_visible()
    box = locator.bounding_box()
    width = page.viewport_size["width"]
    assert box["x"] >= 0 and box["x"] + box["width"] <= width, (box, width)


def test_every_menu_opens_inside_the_viewport_on_a_phone(context_for):
    page = context_for(PHONE)
    log_in(page, "carol@initech.example")
    page.goto("/console/clusters/")
    row = page.get_by_test_id("cluster-row").first
    row.get_by_role("button", name="More actions for").click()
    inside_viewport(page, row.locator(".dropdown-menu"))
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    page.goto("/requests/?status=all")
    inside_viewport(page, page.get_by_role("columnheader", name="Status"))
    inside_viewport(page, page.get_by_test_id("request-row").first.locator(".hc-status"))

    for menu in ("organization-menu", "help-menu", "avatar-menu"):
        page.goto("/")
        page.get_by_role("button", name="Toggle navigation").click()
        page.get_by_test_id(menu).locator("[data-bs-toggle=dropdown]").click()
        inside_viewport(page, page.get_by_test_id(menu).locator(".dropdown-menu"))


def test_menus_are_named_by_what_they_show(context_for):
    page = context_for(LAPTOP)
    log_in(page, "alice@acme.example")
    expect(page.get_by_role("button", name="Organization menu: Acme Corp Basic")).to_be_visible()
    expect(page.get_by_role("button", name="Account menu: AA (Alice Anderson)")).to_be_visible()


def test_each_severity_is_described_beside_its_radio_with_a_visible_focus(context_for):
    page = context_for(LAPTOP)
    log_in(page, "bob@globex.example")
    page.goto("/portals/technical/")
    s1 = page.get_by_role("radio", name="S1")
    expect(s1).to_have_accessible_description(
        "Complete loss of production environmental functionality"
    )
    expect(page.get_by_role("radio", name="S4")).to_have_accessible_description(
        re.compile(r"^General question on how a particular feature")
    )
    expect(page.get_by_text("Choosing a severity")).to_have_count(0)

    s1.check()
    page.keyboard.press("ArrowDown")  # keyboard focus: the ring must show
    expect(page.get_by_role("radio", name="S2")).to_be_focused()
    outline = page.evaluate(
        "(() => { const s = getComputedStyle(document.activeElement);"
        " return [s.outlineStyle, s.outlineWidth]; })()"
    )
    assert outline == ["solid", "3px"]


def test_a_skip_link_leads_past_the_navigation(context_for):
    page = context_for(LAPTOP)
    log_in(page, "alice@acme.example")
    page.goto("/requests/")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to main content")
    expect(skip).to_be_focused()
    expect(skip).to_be_visible()
    page.keyboard.press("Enter")
    expect(page.locator("main#main")).to_be_focused()
