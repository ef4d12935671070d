"""Every page, customer and admin, loads in Chromium under the strict Content-Security-Policy
without a single violation: nothing inline is blocked because nothing inline is left."""

import re

import pytest
from django.contrib import admin
from django.urls import reverse
from playwright.sync_api import Page

from accounts.models import Cluster, Organization
from knowledge.models import Article
from tickets.models import Ticket
from tickets.notifications import unsubscribe_token

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

# Chromium reports a violation both as a DOM event and on the console.
COLLECT_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(event.violatedDirective + " " + (event.blockedURI || "inline"));
});
"""


def visit_all(page: Page, urls: list[str]) -> dict[str, list[str]]:
    console: list[str] = []
    page.on(
        "console",
        lambda message: (
            console.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    page.add_init_script(COLLECT_VIOLATIONS)
    problems = {}
    for url in urls:
        console.clear()
        response = page.goto(url)
        page.wait_for_load_state("load")
        assert response is not None and response.status < 500, url
        assert "/login/" not in page.url or "/login/" in url, f"{url} sent to {page.url}"
        policy = response.headers.get("content-security-policy", "")
        assert "frame-ancestors 'none'" in policy, url
        assert "unsafe-inline" not in policy, url
        found = page.evaluate("window.__cspViolations") + console
        if found:
            problems[url] = found
    return problems


def customer_urls() -> list[str]:
    acme = Organization.objects.get(name="Acme Corp")
    ticket = Ticket.objects.filter(reporter__email="alice@acme.example").first()
    cluster = Cluster.objects.get(name="acme-prod")
    return [
        "/",
        "/portals/billing/",
        "/portals/technical/",
        f"/portals/technical/?cluster={cluster.pk}",
        "/requests/",
        "/requests/?status=all&q=invoice",
        f"/requests/{ticket.key}/",
        "/console/clusters/",
        f"/console/clusters/{cluster.pk}/",
        reverse("plans:support", args=[acme.pk]),
        reverse("plans:upgrade", args=[acme.pk, "developer"]),
        reverse("plans:upgrade-card", args=[acme.pk, "developer"]),
        "/contact-sales/",
        "/accounts/two-factor/",
        reverse(
            "tickets:notifications-off",
            args=[unsubscribe_token(ticket=ticket, user=ticket.reporter)],
        ),
        "/requests/NOPE-1/",
        "/articles/",
        "/articles/?q=region+unavailable",
        *[f"/articles/{slug}/" for slug in Article.objects.values_list("slug", flat=True)[:3]],
    ]


def anonymous_urls() -> list[str]:
    return ["/accounts/login/", "/accounts/signup/", "/accounts/password_reset/", "/admin/login/"]


def admin_urls() -> list[str]:
    urls = ["/admin/"]
    for model, model_admin in admin.site._registry.items():
        name = f"admin:{model._meta.app_label}_{model._meta.model_name}"
        urls.append(reverse(f"{name}_changelist"))
        obj = model_admin.get_queryset(_Request()).first()
        if obj is not None:
            urls.append(reverse(f"{name}_change", args=[obj.pk]))
        if model_admin.has_add_permission(_Request()):
            urls.append(reverse(f"{name}_add"))
    return urls


class _Request:
    """Enough of a request for the admins' queryset and permission hooks (a superuser)."""

    def __init__(self):
        from accounts.models import User

        self.user = User.objects.get(email="admin@support.example")
        self.GET = {}


def test_customer_and_public_pages_report_no_violation(page: Page, login):
    assert visit_all(page, anonymous_urls()) == {}
    login("alice@acme.example")
    assert visit_all(page, customer_urls()) == {}


def test_admin_pages_report_no_violation(page: Page, login):
    login("admin@support.example")
    urls = admin_urls()
    assert len(urls) > 20
    assert visit_all(page, urls) == {}


def test_the_policy_is_strict():
    """The policy itself: nothing inline, no framing, forms and base URLs pinned."""
    from django.test import Client

    policy = Client().get("/accounts/login/").headers["Content-Security-Policy"]
    directives = dict((part.split(" ", 1) + [""])[:2] for part in re.split(r";\s*", policy) if part)
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'"
    assert directives["form-action"] == "'self'"
    assert directives["base-uri"] == "'none'"
