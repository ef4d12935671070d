"""The article pages, the search page, the suggestion endpoint and images: the access matrix
(anonymous, another plan, a member, an engineer) and what each one sees."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from knowledge import services
from knowledge.models import Article, ArticleActivity, ArticleFeedback
from tests.factories import UserFactory
from tests.knowledge.test_services import PNG

pytestmark = pytest.mark.django_db

BODY = "A restore stops when the target cluster has **too little storage**."


@pytest.fixture
def article(publish):
    return publish("Why a backup or restore fails", BODY)


def detail(article, **query):
    url = reverse("knowledge:article-detail", args=[article.slug])
    if query:
        from django.utils.http import urlencode

        url += "?" + urlencode(query)
    return url


# Access.


def test_anonymous_visitors_are_sent_to_log_in(client, article):
    for url in (detail(article), "/articles/", "/articles/?q=restore"):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")


def test_suggestions_need_a_login_and_say_so_in_json(client, article):
    response = client.get("/articles/suggest/?q=restore")
    assert response.status_code == 401
    assert "error" in response.json()


def test_a_customer_reads_a_published_article(client, article, basic_org):
    _organization, alice, _cluster = basic_org
    client.force_login(alice)
    response = client.get(detail(article))

    assert response.status_code == 200
    assert "<strong>too little storage</strong>" in response.content.decode()


def test_drafts_are_404_for_customers_and_open_for_engineers(client, publish, basic_org, engineer):
    _organization, alice, _cluster = basic_org
    draft = publish("Upgrade a cluster", "Rolling upgrades.", status=Article.Status.DRAFT)
    client.force_login(alice)
    assert client.get(detail(draft)).status_code == 404

    client.force_login(engineer)
    response = client.get(detail(draft))
    assert response.status_code == 200
    assert "Draft: engineers only" in response.content.decode()


def test_premium_articles_show_title_and_upgrade_path_not_body(client, publish, basic_org):
    organization, alice, _cluster = basic_org
    premium = publish("Spread a write hotspot", "Use AUTO_RANDOM keys.", minimum_plan="enterprise")
    client.force_login(alice)
    page = client.get(detail(premium)).content.decode()

    assert "Spread a write hotspot" in page
    assert "AUTO_RANDOM" not in page
    assert "For the Enterprise plan and above" in page
    assert reverse("plans:support", args=[organization.pk]) in page


def test_premium_articles_read_in_full_on_their_plan(client, publish, enterprise_org):
    _organization, owner, _cluster = enterprise_org
    premium = publish("Spread a write hotspot", "Use AUTO_RANDOM keys.", minimum_plan="enterprise")
    client.force_login(owner)
    assert "AUTO_RANDOM" in client.get(detail(premium)).content.decode()


def test_an_unknown_article_is_404(client, basic_org):
    client.force_login(basic_org[1])
    assert client.get("/articles/no-such-article/").status_code == 404


def test_stored_script_in_a_body_reaches_the_page_inert(client, publish, basic_org):
    article = publish(
        "Hostile", "<script>alert(1)</script>[x](javascript:alert(2)) <img src=x onerror=alert(3)>"
    )
    client.force_login(basic_org[1])
    page = client.get(detail(article)).content.decode()
    body = page.split('data-testid="article-body">')[1].split("</div>")[0]

    assert "<script" not in body
    assert "javascript:" not in body
    assert "onerror" not in body


# Search page and home.


def test_the_home_page_has_the_help_center_search(client, article, basic_org):
    client.force_login(basic_org[1])
    page = client.get("/").content.decode()

    assert 'action="/articles/"' in page
    assert 'name="q"' in page
    assert "Backup &amp; Restore" in page  # the category with its article


def test_the_search_page_finds_a_typo_and_highlights(client, article, basic_org):
    client.force_login(basic_org[1])
    page = client.get("/articles/?q=bakup+restore").content.decode()

    assert "Why a backup or restore fails" in page
    assert "Showing results for <strong>backup restore</strong>" in page
    assert "<mark>restore</mark>" in page


def test_search_page_costs_a_fixed_number_of_queries(
    client, publish, basic_org, resolved_request, django_assert_max_num_queries
):
    organization, alice, _cluster = basic_org
    client.force_login(alice)
    client.get("/articles/?q=restore")
    for number in range(12):
        publish(f"Restore guide {number}", "How to restore.")
        resolved_request(organization, alice, summary=f"Restore failed {number}")
    with django_assert_max_num_queries(14):
        response = client.get("/articles/?q=restore")
    assert response.content.decode().count('data-testid="search-hit"') == 20  # ten of each


def test_article_list_groups_by_category_and_filters(client, publish, basic_org):
    publish("Why a backup or restore fails", "x")
    publish("Understand your invoice", "y", category="Billing")
    client.force_login(basic_org[1])

    everything = client.get("/articles/").content.decode()
    billing = client.get("/articles/?category=billing").content.decode()
    assert "Understand your invoice" in everything and "Why a backup" in everything
    assert "Understand your invoice" in billing and "Why a backup" not in billing


# Suggestions, views, deflections.


def test_suggest_answers_the_documented_json(
    client, article, basic_org, member_of, resolved_request, django_assert_max_num_queries
):
    organization, alice, _cluster = basic_org
    ticket = resolved_request(organization, alice, summary="Restore from backup failed")
    client.force_login(member_of(organization))
    # 14: one of them asks whether the reader is a support engineer (the group), which staff
    # status used to answer for free before "staff" stopped meaning "support".
    with django_assert_max_num_queries(14):
        response = client.get("/articles/suggest/", {"q": "backup restore failed"})

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    data = response.json()
    assert [(item["kind"], item["title"], item["url"]) for item in data] == [
        ("article", article.title, detail(article)),
        ("request", f"{ticket.key}: Restore from backup failed", f"/requests/{ticket.key}/"),
    ]
    assert all(set(item) == {"title", "url", "kind", "snippet"} for item in data)
    assert "restore" in data[0]["snippet"]
    assert all("<mark>" not in item["snippet"] and "\n" not in item["snippet"] for item in data)
    assert all(len(item["snippet"]) <= 182 for item in data)


def test_suggest_never_returns_another_organizations_request(client, org_factory, resolved_request):
    acme, alice, _c = org_factory("basic", name="Acme")
    globex, bob, _c2 = org_factory("basic", name="Globex")
    resolved_request(globex, bob, summary="Backup restore failed at Globex")
    client.force_login(alice)

    assert client.get("/articles/suggest/", {"q": "backup restore failed"}).json() == []


def test_both_request_forms_carry_the_suggestion_box_and_static_script(client, developer_org):
    _organization, owner, _cluster = developer_org
    client.force_login(owner)
    for url in ("/portals/billing/", "/portals/technical/"):
        page = client.get(url).content.decode()
        assert 'id="summary-suggestions"' in page
        assert 'data-suggest-url="/articles/suggest/"' in page
        assert "js/article-suggest.js" in page


def test_continue_my_request_keeps_the_typed_summary(client, developer_org):
    client.force_login(developer_org[1])
    page = client.get("/portals/technical/", {"summary": "Backup restore failed"}).content.decode()
    assert 'value="Backup restore failed"' in page


def test_opening_an_article_records_a_view_with_where_from(client, article, basic_org):
    alice = basic_org[1]
    client.force_login(alice)
    client.get(detail(article, **{"from": "search"}))
    client.get(detail(article, **{"from": "suggestion", "portal": "billing", "summary": "x"}))
    client.get(detail(article))

    views = ArticleActivity.objects.filter(article=article, kind="view", user=alice)
    assert sorted(views.values_list("source", flat=True)) == ["direct", "search", "suggestion"]


def test_a_suggested_article_offers_this_answered_my_question(client, article, basic_org):
    client.force_login(basic_org[1])
    page = client.get(
        detail(article, **{"from": "suggestion", "portal": "billing", "summary": "Restore failed"})
    ).content.decode()

    assert "This answered my question" in page
    assert "/portals/billing/?summary=Restore+failed" in page
    assert "This answered my question" not in client.get(detail(article)).content.decode()


def test_this_answered_my_question_counts_a_deflection_and_leaves_the_form(
    client, article, basic_org
):
    alice = basic_org[1]
    client.force_login(alice)
    response = client.post(reverse("knowledge:article-answered", args=[article.slug]), follow=True)

    assert response.redirect_chain[-1][0] == reverse("tickets:home")
    assert "No request was filed" in response.content.decode()
    assert (
        ArticleActivity.objects.filter(article=article, kind="deflection", user=alice).count() == 1
    )


def test_a_deflection_is_refused_on_a_draft(client, publish, basic_org):
    draft = publish("Draft", "x", status=Article.Status.DRAFT)
    client.force_login(basic_org[1])
    assert client.post(reverse("knowledge:article-answered", args=[draft.slug])).status_code == 404
    assert not ArticleActivity.objects.filter(kind="deflection").exists()


def test_was_this_helpful_records_the_answer_and_comment(client, article, basic_org):
    alice = basic_org[1]
    client.force_login(alice)
    url = reverse("knowledge:article-feedback", args=[article.slug])
    response = client.post(url, {"helpful": "no", "comment": "Say which error code."}, follow=True)

    assert "Thank you for your feedback." in response.content.decode()
    feedback = ArticleFeedback.objects.get(article=article, user=alice)
    assert (feedback.helpful, feedback.comment) == (False, "Say which error code.")


def test_was_this_helpful_without_an_answer_is_an_error(client, article, basic_org):
    client.force_login(basic_org[1])
    response = client.post(
        reverse("knowledge:article-feedback", args=[article.slug]), {"comment": "kept"}
    )
    assert response.status_code == 400
    assert "kept" in response.content.decode()
    assert not ArticleFeedback.objects.exists()


# Images.


def test_article_images_show_to_readers_and_hide_from_lower_plans(
    client, publish, engineer, basic_org
):
    free = publish("Free", "x")
    premium = publish("Premium", "y", minimum_plan="enterprise")
    images = [
        services.article_image_add(
            article=each, editor=engineer, upload=SimpleUploadedFile("d.png", PNG)
        )
        for each in (free, premium)
    ]
    client.force_login(basic_org[1])
    shown = client.get(reverse("knowledge:image", args=[images[0].pk]))

    assert shown.status_code == 200
    assert shown["Content-Type"] == "image/png"
    assert shown["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in shown["Content-Security-Policy"]
    assert client.get(reverse("knowledge:image", args=[images[1].pk])).status_code == 404


def test_an_article_page_costs_a_fixed_number_of_queries(
    client, publish, basic_org, engineer, django_assert_max_num_queries
):
    article = publish("Why a backup or restore fails", BODY * 50)
    alice = basic_org[1]
    for _ in range(5):
        services.article_feedback_give(article=article, user=UserFactory(), helpful=True)
    client.force_login(alice)
    with django_assert_max_num_queries(16):
        assert client.get(detail(article, **{"from": "search"})).status_code == 200
