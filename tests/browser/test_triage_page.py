"""The request page built around the reply, the keyboard and the collision notice, in Chromium
at a laptop's 1366x900."""

import re

import pytest
from playwright.sync_api import Page, expect

from accounts.models import Organization, User
from tests.browser.conftest import DEMO_PASSWORD, totp_code
from tests.factories import add_authenticator, file_request
from tickets import services
from tickets.models import Ticket

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

AGENT = "agent@support.example"
BOB = "bob@globex.example"


def outage(summary: str = "Writes fail on globex-analytics") -> Ticket:
    return file_request(
        reporter=User.objects.get(email=BOB),
        organization=Organization.objects.get(name="Globex"),
        severity="S1",
        summary=summary,
        description="All writes fail with 'Region is unavailable' since 09:02 UTC.\n" * 6,
    )


def with_comments(ticket: Ticket, count: int) -> Ticket:
    bob, agent = User.objects.get(email=BOB), User.objects.get(email=AGENT)
    for number in range(count):
        author = agent if number % 2 else bob
        services.ticket_comment_add(
            ticket=ticket,
            author=author,
            body=f"Message {number + 1}: " + "region 42 leader moved again. " * 8,
            is_internal=number % 6 == 5,
        )
    return ticket


@pytest.fixture
def laptop(page: Page) -> Page:
    page.set_viewport_size({"width": 1366, "height": 900})
    return page


def test_reply_box_clock_and_latest_messages_fit_a_laptop_screen(laptop: Page, login):
    ticket = with_comments(outage(), 30)
    login(AGENT)
    laptop.goto(f"/admin/tickets/ticket/{ticket.pk}/change/")

    header = laptop.locator("#ticket-header")
    for fact in (ticket.key, ticket.summary, "Globex", "Enterprise", "S1", "Unassigned"):
        expect(header).to_contain_text(fact)
    expect(header).to_contain_text("customer's local time")
    for visible in ("#ticket-clock", "#id_body", "#send-public", "#send-internal"):
        expect(laptop.locator(visible)).to_be_in_viewport(ratio=1)
    expect(laptop.locator("#latest-messages article").last).to_contain_text("Message 30:")
    expect(laptop.locator("#latest-messages article").last).to_be_in_viewport()
    assert laptop.evaluate("window.scrollY") == 0

    public = laptop.locator("#send-public")
    internal = laptop.locator("#send-internal")
    expect(public).to_have_text("Send to customer")
    expect(internal).to_have_text("Add internal note")
    colours = [
        button.evaluate("element => getComputedStyle(element).backgroundColor")
        for button in (public, internal)
    ]
    assert colours[0] != colours[1]

    laptop.get_by_text("Show 27 earlier messages").click()
    expect(laptop.get_by_text("Message 1:", exact=False).first).to_be_visible()
    expect(laptop.locator("#ticket-history")).to_contain_text("Comment added")


def test_keyboard_moves_through_the_queue_focuses_the_reply_and_assigns(laptop: Page, login):
    first = outage("First outage")
    second = outage("Second outage")
    login(AGENT)
    laptop.goto("/admin/tickets/ticket/?queue=all_open")

    laptop.keyboard.press("?")
    expect(laptop.locator("#shortcuts-overlay")).to_be_visible()
    expect(laptop.locator("#shortcuts-overlay")).to_contain_text("Assign to me")
    laptop.keyboard.press("Escape")
    expect(laptop.locator("#shortcuts-overlay")).to_be_hidden()

    rows = laptop.locator("#result_list tbody tr")
    laptop.keyboard.press("j")
    expect(rows.first).to_have_class(re.compile("hc-cursor"))
    laptop.keyboard.press("j")
    expect(rows.nth(1)).to_have_class(re.compile("hc-cursor"))
    laptop.keyboard.press("k")
    expect(rows.first).to_have_class(re.compile("hc-cursor"))
    listed_first = rows.first.locator("th.field-key").inner_text()
    laptop.keyboard.press("Enter")
    expect(laptop.locator("#ticket-header h1")).to_contain_text(listed_first)
    # The shortcuts' script is deferred: it listens once the page has loaded, not at its heading.
    laptop.wait_for_load_state()

    laptop.keyboard.press("r")
    expect(laptop.locator("#id_body")).to_be_focused()
    laptop.keyboard.press("Escape")
    laptop.keyboard.press("a")
    expect(laptop.locator("#ticket-assignee")).to_have_text("Sam Support")
    opened = Ticket.objects.get(key=listed_first)
    assert opened.assignee.email == AGENT

    laptop.keyboard.press("j")
    other = second if opened == first else first
    expect(laptop.locator("#ticket-header h1")).to_contain_text(other.key)


def test_collision_notice_keeps_the_draft(browser, live_server, laptop: Page, login):
    ticket = outage()
    kim = User.objects.create_user(
        email="kim@support.example",
        password=DEMO_PASSWORD,
        full_name="Kim Keller",
        is_staff=True,
        is_superuser=True,
    )
    add_authenticator(kim)
    login(AGENT)
    laptop.clock.install()
    laptop.goto(f"/admin/tickets/ticket/{ticket.pk}/change/")
    laptop.locator("#id_body").fill("We are moving the region leaders now.")

    colleague = browser.new_context(base_url=live_server.url).new_page()
    colleague.goto("/admin/login/")
    colleague.fill("input[name=username]", "kim@support.example")
    colleague.fill("input[name=password]", DEMO_PASSWORD)
    colleague.fill("input[name=otp_token]", totp_code())
    colleague.click("input[type=submit]")
    colleague.goto(f"/admin/tickets/ticket/{ticket.pk}/change/")
    expect(colleague.locator("#collision-notice")).to_contain_text(
        re.compile(r"Sam Support opened this request")
    )
    services.ticket_comment_add(
        ticket=ticket, author=User.objects.get(email=BOB), body="It works again, thanks!"
    )

    laptop.clock.run_for(16_000)
    notice = laptop.locator("#collision-notice")
    expect(notice).to_contain_text("Kim Keller has this request open.")
    expect(notice).to_contain_text("1 new comment arrived")
    expect(laptop.locator("#latest-messages")).to_contain_text("It works again, thanks!")
    expect(laptop.locator("#id_body")).to_have_value("We are moving the region leaders now.")

    laptop.locator("#send-public").click()
    expect(laptop.locator(".errornote")).to_be_visible()
    expect(laptop.locator("#triage-form")).to_contain_text("added a comment while you were")
    expect(laptop.locator("#id_body")).to_have_value("We are moving the region leaders now.")
    laptop.locator("#send-public").click()
    expect(laptop.locator(".messagelist")).to_contain_text("Public reply sent to the customer.")
    colleague.context.close()


def test_engineer_raises_a_request_for_alice_who_sees_it(page: Page, login):
    login(AGENT)
    page.goto("/admin/tickets/ticket/")
    page.get_by_role("link", name="Add ticket").click()
    page.get_by_label("For (customer)").select_option(
        label="Alice Anderson <alice@acme.example> · Acme Corp"
    )
    page.get_by_label("Portal").select_option(label="TiDB Cloud Account/Billing Support")
    page.get_by_label("Summary").fill("Phone call: refund for the duplicate November charge")
    page.get_by_label("Description").fill("Alice called at 10:05: charged twice on 1 Nov.")
    page.get_by_label("Severity").select_option("S3")
    page.get_by_role("button", name="Raise request").click()

    expect(page.locator(".messagelist")).to_contain_text("raised for Alice Anderson")
    ticket = Ticket.objects.get(summary__startswith="Phone call: refund")
    expect(page.locator("#ticket-header h1")).to_contain_text(ticket.key)
    expect(page.locator("#ticket-history")).to_contain_text(
        "Raised by support on behalf of the customer"
    )
    assert ticket.reporter.email == "alice@acme.example"

    page.context.clear_cookies()
    login("alice@acme.example")
    page.goto("/requests/")
    expect(page.get_by_text("Phone call: refund for the duplicate November charge")).to_be_visible()


def test_engineer_merges_a_duplicate_from_the_request_page(page: Page, login):
    first, duplicate = Ticket.objects.get(key="BILL-1"), Ticket.objects.get(key="BILL-3")
    login(AGENT)
    page.goto(f"/admin/tickets/ticket/{duplicate.pk}/change/")
    page.get_by_role("link", name="Merge into…").click()
    page.get_by_label("Merge into request").fill("BILL-1")
    page.get_by_role("button", name="Merge").click()

    expect(page.locator(".messagelist")).to_contain_text("BILL-3 merged into BILL-1.")
    expect(page.locator("#ticket-header h1")).to_contain_text("BILL-1")
    expect(page.get_by_test_id("merged-request")).to_contain_text(duplicate.summary)
    page.goto(f"/admin/tickets/ticket/{duplicate.pk}/change/")
    expect(page.locator("#merged-into")).to_contain_text("BILL-1")
    duplicate.refresh_from_db()
    assert duplicate.status == "closed" and duplicate.merged_into == first
