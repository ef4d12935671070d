"""The reports as a person sees them in Chromium: charts drawn from the page's data, no script
error, number tables opened for printing, the locked page for Basic."""

import pytest
from playwright.sync_api import Page, expect

from accounts.models import Organization

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

BOB = "bob@globex.example"
ALICE = "alice@acme.example"


def collect_errors(page: Page) -> list[str]:
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on(
        "console",
        lambda message: (
            errors.append(message.text)
            if message.type == "error"
            and not message.location.get("url", "").endswith("favicon.ico")
            else None
        ),
    )
    return errors


def drawn_charts(page: Page) -> int:
    """Canvases that Chart.js has taken and sized."""
    return page.evaluate(
        """() => Array.from(document.querySelectorAll('canvas[data-chart]'))
              .filter(c => window.Chart && window.Chart.getChart(c) && c.width > 0).length"""
    )


def test_bob_opens_the_support_report_from_the_organization_menu(page, login):
    errors = collect_errors(page)
    login(BOB)
    page.get_by_role("button", name="Organization menu").click()
    page.get_by_test_id("organization-menu").get_by_role("link", name="Support report").click()

    expect(page.get_by_role("heading", name="Support report", level=1)).to_be_visible()
    globex = Organization.objects.get(name="Globex")
    assert page.url.endswith(f"/organizations/{globex.pk}/report/")
    expect(page.get_by_role("heading", name="Requests by month")).to_be_visible()
    assert drawn_charts(page) == 3
    expect(page.get_by_role("img", name="Requests by month: ")).to_be_visible()

    page.get_by_label("Period", exact=True).select_option(label="Last 3 months")
    page.get_by_role("button", name="Show").click()
    expect(page.get_by_role("heading", name="Requests by month")).to_be_visible()
    assert "months=3" in page.url
    assert drawn_charts(page) == 3

    page.evaluate("window.dispatchEvent(new Event('beforeprint'))")
    expect(page.locator("details.hc-numbers[open]")).to_have_count(3)
    assert errors == []


def test_alice_finds_the_report_locked_with_the_way_to_upgrade(page, login):
    login(ALICE)
    page.get_by_role("button", name="Organization menu").click()
    page.get_by_test_id("organization-menu").get_by_role("link", name="Support report").click()

    expect(page.get_by_test_id("support-report-locked")).to_be_visible()
    page.get_by_role("link", name="Upgrade your support plan").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Support")
    assert "/support/" in page.url
