"""What a customer does in the help center, clicked through in headless Chromium."""

import re

import pytest
from playwright.sync_api import Page, expect

# Each test ends with a flush of every table, which also wipes the plans and components that the
# data migrations load; a serialized rollback puts them back before the next test's seed_demo.
pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

ALICE = "alice@acme.example"
BOB = "bob@globex.example"


def open_avatar_menu(page: Page):
    page.get_by_role("button", name="Account menu").click()
    menu = page.get_by_test_id("avatar-menu").locator(".dropdown-menu")
    expect(menu).to_be_visible()
    return menu


def open_requests(page: Page) -> None:
    open_avatar_menu(page).get_by_role("link", name="Requests").click()
    expect(page.get_by_role("heading", name="Requests", level=1)).to_be_visible()


def test_alice_sees_her_clusters_and_the_avatar_menu(page, login):
    login(ALICE)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Clusters").click()

    expect(page.get_by_role("heading", name="Clusters", level=1)).to_be_visible()
    rows = page.get_by_test_id("cluster-row")
    expect(rows).to_have_count(2)
    expect(rows.get_by_role("link", name="acme-prod")).to_be_visible()
    expect(rows.get_by_role("link", name="acme-dev")).to_be_visible()
    expect(page.get_by_text("globex-analytics")).to_have_count(0)

    menu = open_avatar_menu(page)
    expect(menu.get_by_role("link", name="Requests")).to_be_visible()
    expect(menu.get_by_role("button", name="Log out")).to_be_visible()


def test_alice_files_a_billing_request_and_finds_it_under_requests(page, login):
    login(ALICE)
    page.goto("/portals/billing/")

    expect(page.get_by_role("heading", name="TiDB Cloud Account/Billing Support")).to_be_visible()
    expect(page.locator("input[name=severity][value=S1]")).to_have_count(0)
    page.get_by_label("Summary").fill("Credit card charged twice in November")
    org = page.get_by_label("TiDB Cloud Org")
    expect(org.locator("option:checked")).to_have_text("Acme Corp")  # her only organization
    page.get_by_label("TiDB Cloud Cluster").select_option(label="acme-prod (Acme Corp, v8.5.1)")
    page.get_by_label("Description").fill("Two identical charges of the monthly bill on 1 Nov.")
    page.locator("input[name=severity][value=S3]").check()
    page.get_by_role("button", name="Submit").click()

    expect(page.get_by_test_id("ticket-key")).to_be_visible()
    key = page.get_by_test_id("ticket-key").inner_text()
    expect(page.get_by_role("alert")).to_contain_text(f"Your request {key} has been submitted")

    open_requests(page)
    row = page.get_by_test_id("request-row").filter(has_text="Credit card charged twice")
    expect(row).to_have_count(1)
    expect(row).to_contain_text(key)
    expect(row).to_contain_text("Waiting for support")
    expect(row).to_contain_text("S3")


def test_bob_gets_support_for_a_cluster_with_its_facts_preselected(page, login):
    login(BOB)
    page.get_by_role("link", name="Clusters", exact=True).click()
    row = page.get_by_test_id("cluster-row").filter(has_text="globex-analytics")
    row.get_by_role("button", name="More actions for globex-analytics").click()
    row.get_by_role("link", name="Get Support").click()

    expect(page).to_have_url(re.compile(r"/portals/technical/\?cluster=\d+$"))
    expect(page.get_by_role("heading", name="TiDB Cloud Technical Support")).to_be_visible()
    expect(page.get_by_label("TiDB Cloud Org").locator("option:checked")).to_have_text("Globex")
    expect(page.get_by_label("TiDB Cloud Cluster").locator("option:checked")).to_have_text(
        "globex-analytics (Globex, v7.5.4)"
    )
    expect(page.get_by_label("Production", exact=True)).to_be_checked()
    expect(page.get_by_label("Affects versions")).to_have_value("v7.5.4")

    page.get_by_label("Summary").fill("Writes stall on globex-analytics")
    page.get_by_label("Description").fill(
        "Since 10:02 UTC every INSERT waits 30 s; error 9005 Region is unavailable."
    )
    page.locator("input[name=severity][value=S1]").check()
    page.get_by_label("TiKV", exact=True).check()
    page.get_by_role("button", name="Submit").click()

    key_text = page.get_by_test_id("ticket-key")
    expect(key_text).to_have_text(re.compile(r"\S+-\d+"))
    key = key_text.inner_text()
    expect(page).to_have_url(re.compile(rf"/requests/{re.escape(key)}/$"))
    expect(page.get_by_role("heading", name="Writes stall on globex-analytics")).to_be_visible()
    expect(page.get_by_text("TiKV", exact=True)).to_be_visible()
    # Enterprise S1: due within the hour, written in Bob's zone (Europe/Berlin), and on track.
    expect(page.get_by_test_id("promise")).to_have_text(
        re.compile(
            r"^An engineer responds by \w{3} \d{1,2} \w{3}, \d\d:\d\d CES?T \(within 1 hour\)\.$"
        )
    )
    expect(page.get_by_test_id("clock-state")).to_have_text("On track")

    open_requests(page)
    row = page.get_by_test_id("request-row").filter(has_text=key)
    expect(row).to_have_count(1)
    expect(row).to_contain_text("Writes stall on globex-analytics")
    expect(row).to_contain_text("S1")


def test_alice_unlocks_technical_support_by_upgrading_to_developer(page, login):
    login(ALICE)
    technical = page.get_by_test_id("portal-technical")
    expect(technical).to_contain_text("Locked")
    expect(technical.get_by_role("link", name=re.compile("upgrade", re.I))).to_be_visible()

    page.get_by_role("button", name="Organization menu").click()
    page.get_by_test_id("organization-menu").get_by_role(
        "link", name=re.compile(r"^\W*Support$")
    ).click()
    expect(page.get_by_test_id("current-plan")).to_have_text("Basic")
    page.get_by_test_id("plan-developer").get_by_role("link", name="Upgrade").click()

    expect(page.get_by_role("heading", name="Upgrade to Developer Plan")).to_be_visible()
    page.get_by_role("link", name="Add Credit Card and Upgrade").click()

    expect(page.get_by_role("heading", name="Credit Card")).to_be_visible()
    page.locator("input[name=holder_name]").fill("Alice Anderson")
    page.locator("input[name=number]").fill("4242 4242 4242 4242")
    page.locator("select[name=exp_month]").select_option(label="12")
    page.locator("select[name=exp_year]").select_option(index=5)
    page.locator("input[name=cvc]").fill("123")
    page.get_by_role("button", name="Save Card").click()

    expect(page.get_by_test_id("current-plan")).to_have_text("Developer")
    page.get_by_role("link", name="Help Center", exact=True).first.click()
    technical = page.get_by_test_id("portal-technical")
    expect(technical).not_to_contain_text("Locked")
    technical.click()
    expect(page).to_have_url(re.compile(r"/portals/technical/$"))
    expect(page.get_by_role("heading", name="TiDB Cloud Technical Support")).to_be_visible()


def test_customer_comments_with_a_file_then_resolves_and_reopens(page, login, tmp_path):
    login(ALICE)
    open_requests(page)
    page.get_by_role("link", name="Invoice shows charges for a deleted cluster").click()
    expect(page.get_by_test_id("ticket-key")).to_be_visible()

    log = tmp_path / "invoice-notes.txt"
    log.write_text("Deleted cluster: acme-old, deleted 2 October 14:05 UTC.\n")
    page.get_by_label("Comment").fill("The deleted cluster was acme-old.")
    page.get_by_label("Attach files").set_input_files(str(log))
    page.get_by_role("button", name="Add comment").click()

    expect(page.get_by_role("alert")).to_contain_text("Your comment was added.")
    comment = page.get_by_test_id("comment").filter(has_text="The deleted cluster was acme-old.")
    expect(comment).to_have_count(1)
    expect(comment.get_by_role("link", name=re.compile("invoice-notes.txt"))).to_be_visible()

    page.get_by_role("button", name="Resolve this request").click()
    expect(page.get_by_role("alert")).to_contain_text("This request is resolved.")
    expect(page.locator(".hc-status")).to_have_text("Resolved")

    page.get_by_role("button", name="Reopen this request").click()
    expect(page.get_by_role("alert")).to_contain_text("This request is open again.")
    expect(page.locator(".hc-status")).to_have_text("Waiting for support")
    expect(page.get_by_role("button", name="Resolve this request")).to_be_visible()


def test_sign_up_takes_the_browsers_time_zone(browser, live_server, demo):
    context = browser.new_context(base_url=live_server.url, timezone_id="Asia/Tokyo")
    page = context.new_page()
    page.goto("/accounts/signup/")
    expect(page.locator("input[name=time_zone]")).to_have_value("Asia/Tokyo")
    context.close()


def test_alice_reads_times_in_new_york_and_can_change_her_zone(page, login):
    login(ALICE)
    open_avatar_menu(page).get_by_role("link", name="Your account and time zone").click()
    expect(page.get_by_test_id("reader-now")).to_have_text(re.compile(r" E[SD]T$"))
    page.get_by_label("Time zone").select_option("Asia/Tokyo")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("alert")).to_contain_text("Times are now shown in Asia/Tokyo")
    expect(page.get_by_test_id("reader-now")).to_have_text(re.compile(r" JST$"))


def test_alice_sees_the_invoice_request_waits_for_her_reply(page, login):
    login(ALICE)
    open_requests(page)
    row = page.get_by_test_id("request-row").filter(has_text="Invoice shows charges")
    expect(row.get_by_test_id("waiting-for-you")).to_have_text("Waiting for your reply")
    row.get_by_role("link", name="Invoice shows charges for a deleted cluster").click()
    expect(page.get_by_test_id("waiting-for-you")).to_contain_text("Waiting for your reply")
    expect(page.get_by_test_id("status-change").last).to_contain_text(
        "Sam Support from Support set the status to Waiting for customer"
    )
    page.get_by_role("link", name="Reply now").click()
    page.get_by_label("Comment").fill("It was acme-old, deleted on 2 October.")
    page.get_by_role("button", name="Add comment").click()
    expect(page.get_by_test_id("waiting-for-you")).to_have_count(0)
