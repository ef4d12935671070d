"""A support engineer triages in the real admin, clicked through in headless Chromium: the
"Breaching within an hour" queue, taking the top request, a public reply the customer sees and
is emailed, an internal note nobody outside support sees. And who cannot get in."""

import re

import pytest
from django.core import mail
from playwright.sync_api import Page, expect

from accounts.models import Organization, User
from tests.browser.conftest import DEMO_PASSWORD
from tests.factories import add_authenticator
from tickets import services
from tickets.models import Comment, Ticket
from tickets.selectors import response_clock

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

AGENT = "agent@support.example"
BOB = "bob@globex.example"
ALICE = "alice@acme.example"
REPLY = "The TiKV store was evicted by a full disk; we are adding capacity now."
NOTE = "Internal: PD logs show the leader moved twice; check with the storage team."


def raise_outage(summary: str) -> Ticket:
    """An S1 on Globex's Enterprise plan: one hour to a first response, so it breaches within
    the hour unless an engineer answers."""
    return services.ticket_create(
        reporter=User.objects.get(email=BOB),
        portal="technical",
        organization=Organization.objects.get(name="Globex"),
        environment="production",
        severity="S1",
        summary=summary,
        description="All writes fail with 'Region is unavailable' since 09:02 UTC.",
    )


def send(page: Page, button: str) -> None:
    page.locator("#triage-form").get_by_role("button", name=button).click()
    page.wait_for_load_state()


def test_engineer_answers_the_top_breaching_request(page: Page, login):
    top = raise_outage("Writes fail on globex-analytics")
    later = raise_outage("Second outage report")
    mail.outbox.clear()

    login(AGENT)
    page.goto("/admin/")
    queues = page.locator("#support-queues")
    expect(queues.locator('tr[data-queue="breaching"] .hc-queue-count')).to_have_text("2")
    queues.get_by_role("link", name="Breaching within an hour").click()

    rows = page.locator("#result_list tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.first.locator("th.field-key")).to_have_text(top.key)
    expect(rows.nth(1).locator("th.field-key")).to_have_text(later.key)
    expect(rows.first.locator(".hc-clock")).to_have_class("hc-clock hc-clock-amber")

    # Take it: assign the top request to me with the list action.
    rows.first.locator("input.action-select").check()
    page.select_option("select[name=action]", "assign_to_me")
    page.get_by_role("button", name="Go").click()
    expect(page.locator(".messagelist")).to_contain_text("1 request assigned to you.")
    expect(rows.first.locator("td.field-assignee_name")).to_have_text("Sam Support")

    # Open it and answer the customer, starting from a canned response.
    rows.first.get_by_role("link", name=top.key).click()
    expect(page.locator("#ticket-clock .hc-clock")).not_to_have_text("Met")
    page.select_option("#canned-response", label="Thanks, investigating")
    body = page.locator("#id_body")
    expect(body).to_have_value(
        re.compile(
            rf"^Hi Bob Becker,\s+Thank you for reporting {top.key}\..*Enterprise plan\.$", re.S
        )
    )
    body.fill(REPLY)
    send(page, "Send to customer")

    expect(page.locator(".messagelist")).to_contain_text("Public reply sent to the customer.")
    expect(page.locator("#ticket-clock")).to_contain_text("Met")
    expect(page.get_by_test_id("comment")).to_contain_text(REPLY)

    # A note for colleagues.
    page.locator("#id_body").fill(NOTE)
    send(page, "Add internal note")
    expect(page.locator(".messagelist")).to_contain_text("Internal note added")
    expect(page.get_by_test_id("internal-note")).to_contain_text(NOTE)
    expect(page.locator("#ticket-clock")).to_contain_text("Met")

    top.refresh_from_db()
    assert top.assignee.email == AGENT
    assert response_clock(ticket=top).state == "met"
    assert Comment.objects.filter(ticket=top, is_internal=True, body=NOTE).exists()
    to_bob = [message for message in mail.outbox if BOB in message.to]
    assert any(REPLY in message.body for message in to_bob)
    for message in mail.outbox:
        assert "PD logs" not in message.body
        assert all("PD logs" not in html for html, _type in message.alternatives)

    # Bob sees the reply on his request page, and not the note.
    page.context.clear_cookies()
    login(BOB)
    page.goto(f"/requests/{top.key}/")
    expect(page.get_by_test_id("comment").filter(has_text=REPLY)).to_have_count(1)
    expect(page.get_by_text("PD logs")).to_have_count(0)


def test_a_customer_and_staff_outside_the_group_get_no_triage(page: Page, login):
    login(ALICE)
    page.goto("/admin/")
    expect(page).to_have_url(re.compile(r"/admin/login/"))
    expect(page.locator("#content-main")).not_to_contain_text("Triage queues")
    page.goto("/admin/tickets/ticket/")
    expect(page).to_have_url(re.compile(r"/admin/login/"))

    page.context.clear_cookies()
    finance = User.objects.create_user(
        email="finance@support.example", password=DEMO_PASSWORD, is_staff=True
    )
    add_authenticator(finance)
    login("finance@support.example")
    page.goto("/admin/")
    expect(page.locator("#support-queues")).to_have_count(0)
    expect(page.get_by_role("link", name="Tickets")).to_have_count(0)
    response = page.goto("/admin/tickets/ticket/")
    assert response.status == 403
