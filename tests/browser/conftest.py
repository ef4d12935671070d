import base64
import io
import os

import pytest
from django.core.management import call_command
from django_otp.oath import totp

from tests.factories import TOTP_SECRET as DEMO_TOTP_SECRET

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
DEMO_PASSWORD = "helpcenter-demo"


@pytest.fixture(scope="session")
def browser(django_db_setup):
    """Chromium for the session. Playwright's sync API runs in a greenlet that gets fresh database
    connection objects; they are handed the serialized seed data (plans, components, groups from
    the data migrations) so a serialized rollback can restore it after a transactional test."""
    from django.db import connections
    from playwright.sync_api import sync_playwright

    serialized = {
        connection.alias: connection._test_serialized_contents
        for connection in connections.all()
        if hasattr(connection, "_test_serialized_contents")
    }
    with sync_playwright() as playwright:
        for alias, contents in serialized.items():
            connections[alias]._test_serialized_contents = contents
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def demo(django_db_serialized_rollback, transactional_db):
    call_command("seed_demo", password=DEMO_PASSWORD, stdout=io.StringIO())


@pytest.fixture
def page(browser, live_server, demo):
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


def totp_code(secret: str = DEMO_TOTP_SECRET) -> str:
    """The current code of an authenticator app holding `secret` (30 s, 6 digits, SHA-1)."""
    return f"{totp(base64.b32decode(secret), step=30, digits=6):06d}"


@pytest.fixture
def login(page):
    def log_in(email):
        page.goto("/accounts/login/")
        page.fill("input[name=username]", email)
        page.fill("input[name=password]", DEMO_PASSWORD)
        if email.endswith("@support.example"):
            page.fill("input[name=otp_token]", totp_code())
        page.click("button[type=submit]")
        page.wait_for_load_state()
        return page

    return log_in
