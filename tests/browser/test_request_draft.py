"""A long description survives a session that expires while it is typed, and a refused
submit: the request form keeps summary and description in the browser until the request is
filed."""

import pytest
from playwright.sync_api import Page, expect

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

ALICE = "alice@acme.example"
SUMMARY = "Invoice for October shows the wrong company address"
DESCRIPTION = "The October invoice (INV-2026-10) is addressed to our old office.\n" * 5


def restored(page: Page) -> None:
    expect(page.get_by_label("Summary")).to_have_value(SUMMARY)
    expect(page.get_by_label("Description")).to_have_value(DESCRIPTION)
    expect(page.get_by_role("status").filter(has_text="We restored")).to_be_visible()


def test_the_draft_survives_an_expired_session_and_goes_once_the_request_is_filed(
    page: Page, login
):
    login(ALICE)
    page.goto("/portals/billing/")
    page.get_by_label("Summary").fill(SUMMARY)
    page.get_by_label("Description").fill(DESCRIPTION)

    page.context.clear_cookies()  # the session expires while the text is typed
    page.get_by_role("button", name="Submit").click()
    page.wait_for_load_state()
    login(ALICE)
    page.goto("/portals/billing/")
    restored(page)

    page.locator("input[name=severity][value=S3]").check()
    page.get_by_role("button", name="Submit").click()
    expect(page.get_by_test_id("ticket-key")).to_be_visible()

    page.goto("/portals/billing/")
    expect(page.get_by_label("Summary")).to_have_value("")
    expect(page.get_by_label("Description")).to_have_value("")
    expect(page.locator("[data-draft-notice]")).to_be_hidden()


def test_a_refused_submit_keeps_the_draft_and_it_can_be_discarded(page: Page, login):
    login(ALICE)
    page.goto("/portals/billing/")
    page.get_by_label("Summary").fill(SUMMARY)
    page.get_by_label("Description").fill(DESCRIPTION)
    page.get_by_role("button", name="Submit").click()  # no severity: refused
    expect(page.get_by_role("alert")).to_contain_text("Please correct the highlighted fields")

    page.goto("/portals/billing/")
    restored(page)
    page.get_by_role("button", name="Discard the draft").click()
    expect(page.get_by_label("Summary")).to_have_value("")
    page.reload()
    expect(page.get_by_label("Description")).to_have_value("")
