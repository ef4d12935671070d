"""The reports as a person sees them in Chromium: charts drawn from the page's data, no script
error and no Content-Security-Policy violation, number tables opened for printing, the locked
page for Basic."""

import pytest
from playwright.sync_api import Page, expect

from accounts.models import Organization

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

BOB = "bob@globex.example"
ALICE = "alice@acme.example"
AGENT = "agent@support.example"

# Chromium reports a violation as a DOM event (and on the console, which collect_errors reads).
COLLECT_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(event.violatedDirective + " " + (event.blockedURI || "inline"));
});
"""


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
    """Canvases that Chart.js has taken and sized, once the page's scripts have run."""
    page.wait_for_load_state("load")
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


def test_engineer_reads_every_chart_under_the_policy_and_prints_the_numbers(page, login):
    errors = collect_errors(page)
    page.add_init_script(COLLECT_VIOLATIONS)
    login(AGENT)
    response = page.goto("/admin/reports/")
    assert "script-src 'self'" in response.headers["content-security-policy"]

    expect(page.get_by_role("heading", name="SLA compliance per plan and severity")).to_be_visible()
    heat = page.get_by_test_id("sla-heat")
    expect(heat.get_by_role("rowheader", name="First response").first).to_be_visible()
    canvases = page.locator("canvas[data-chart]")
    assert canvases.count() >= 6
    assert drawn_charts(page) == canvases.count()
    expect(page.get_by_role("img", name="Time to first response, week by week: ")).to_be_visible()

    page.get_by_label("Period", exact=True).select_option(label="Last 90 days")
    page.get_by_role("button", name="Show report").click()
    assert "period=90" in page.url
    assert drawn_charts(page) == page.locator("canvas[data-chart]").count()
    download = page.get_by_test_id("figure-backlog").get_by_role("link", name="Download CSV")
    assert "period=90" in download.get_attribute("href")
    csv = page.request.get(download.get_attribute("href"))
    assert csv.ok and csv.headers["content-type"].startswith("text/csv")
    assert csv.text().splitlines()[0].startswith("Age,")

    page.emulate_media(media="print")
    page.evaluate("window.dispatchEvent(new Event('beforeprint'))")
    expect(page.locator("details.hc-numbers:not([open])")).to_have_count(0)
    expect(page.locator(".hc-filter-actions")).to_be_hidden()
    expect(page.locator(".hc-figure-actions").first).to_be_hidden()
    assert page.pdf(format="A4")[:4] == b"%PDF"
    assert page.evaluate("window.__cspViolations") == []
    assert errors == []
