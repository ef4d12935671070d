"""Answers before asking, clicked through in headless Chromium on the demo data: alice
searches with a typo; carol (member of Acme, whose Initech plan opens the technical portal)
types a summary and gets the article and Acme's resolved request, never Globex's; marking the
article as the answer counts a deflection the engineer sees in the admin."""

import re

import pytest
from playwright.sync_api import Page, expect

from knowledge.models import ArticleActivity

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

ALICE = "alice@acme.example"
CAROL = "carol@initech.example"
AGENT = "agent@support.example"
ARTICLE = "Why a backup or restore fails"


def test_alice_finds_the_article_from_the_home_page_with_a_typo(page: Page, login):
    login(ALICE)
    page.goto("/")
    page.get_by_label("Search the help center").fill("why a bakup or restore fails")
    page.get_by_label("Search the help center").press("Enter")

    hit = page.get_by_test_id("search-hit").filter(
        has=page.get_by_role("link", name=ARTICLE, exact=True)
    )
    expect(hit).to_be_visible()
    expect(hit.locator("mark").filter(has_text=re.compile("^backup$", re.I)).first).to_be_visible()
    hit.get_by_role("link", name=ARTICLE).click()
    expect(page.get_by_role("heading", name=ARTICLE, level=1)).to_be_visible()
    expect(page.get_by_test_id("article-body")).to_contain_text("target cluster is too small")


def test_typing_a_summary_suggests_the_article_and_acme_request_then_deflects(page: Page, login):
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    login(CAROL)
    page.goto("/portals/technical/")
    page.get_by_label("Summary").press_sequentially("backup restore failed", delay=20)

    suggestions = page.get_by_test_id("suggestion")
    article = suggestions.filter(has=page.get_by_role("link", name=ARTICLE, exact=True))
    expect(article).to_have_count(1)
    expect(
        suggestions.filter(has_text="Restore from backup failed but the restore was billed")
    ).to_have_count(1)
    expect(suggestions.filter(has_text="context deadline exceeded")).to_have_count(0)
    expect(suggestions.first.locator("mark").first).to_be_visible()
    assert suggestions.count() <= 5

    article.get_by_role("link").click()
    expect(page.get_by_role("heading", name=ARTICLE, level=1)).to_be_visible()
    page.get_by_role("button", name="This answered my question").click()

    expect(page.get_by_text("No request was filed")).to_be_visible()
    expect(page).to_have_url(re.compile(r"^http://[^/]+/$"))  # back on the home page
    assert ArticleActivity.objects.filter(kind="deflection", article__title=ARTICLE).count() == 1
    assert errors == []

    page.get_by_role("button", name="Account menu").click()
    page.get_by_role("button", name="Log out").click()
    login(AGENT)
    page.goto("/admin/knowledge/article/")
    row = page.locator("tr").filter(has_text=ARTICLE)
    expect(row.locator("td.field-deflections")).to_have_text("1")
    expect(row.locator("td.field-views")).to_have_text("1")
