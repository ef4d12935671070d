"""Help-center search and suggestions: ranking, typos, snippets, and who sees what."""

import pytest
from django.db import connection

from knowledge.models import Article
from knowledge.search import _SimpleSearch, help_center_search, suggestions
from knowledge.selectors import reader_plan_rank, suggestable_requests
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def backup_article(publish):
    return publish(
        "Why a backup or restore fails",
        "A restore stops when the target cluster has less free storage than the backup.",
    )


def titles(hits):
    return [hit.title for hit in hits]


def test_a_typo_in_one_word_still_finds_the_article_and_marks_the_match(backup_article, basic_org):
    _organization, alice, _cluster = basic_org
    results = help_center_search(user=alice, query="bakup restore")

    assert titles(results.articles) == ["Why a backup or restore fails"]
    assert results.corrected_query == "backup restore"
    snippet = str(results.articles[0].snippet_html)
    assert "<mark>backup</mark>" in snippet
    assert "<mark>restore</mark>" in snippet


def test_title_matches_rank_above_body_matches(publish, basic_org):
    _organization, alice, _cluster = basic_org
    publish("Understand your invoice", "Lines for compute, storage and a changefeed.")
    publish("Keep a changefeed from falling behind", "Split large transactions.")

    results = help_center_search(user=alice, query="changefeed")

    assert titles(results.articles) == [
        "Keep a changefeed from falling behind",
        "Understand your invoice",
    ]


def test_snippets_escape_the_article_text(publish, basic_org):
    _organization, alice, _cluster = basic_org
    publish("Escaping", "Check `1 < 2 & 3 > 2` and `<b onmouseover=x>` before you restore.")

    snippet = str(help_center_search(user=alice, query="restore").articles[0].snippet_html)

    assert "<b" not in snippet
    assert "1 &lt; 2 &amp; 3 &gt; 2" in snippet
    assert "<mark>restore</mark>" in snippet


def test_drafts_are_found_by_engineers_only(publish, basic_org, engineer):
    _organization, alice, _cluster = basic_org
    publish("Upgrade a cluster", "Rolling upgrade steps.", status=Article.Status.DRAFT)

    assert help_center_search(user=alice, query="upgrade").articles == []
    assert titles(help_center_search(user=engineer, query="upgrade").articles) == [
        "Upgrade a cluster"
    ]


def test_premium_articles_are_found_by_title_without_their_body(publish, basic_org):
    _organization, alice, _cluster = basic_org
    publish("Spread a write hotspot", "Use AUTO_RANDOM keys.", minimum_plan="enterprise")

    by_title = help_center_search(user=alice, query="hotspot").articles
    assert [(hit.title, hit.locked, hit.snippet, hit.required_plan) for hit in by_title] == [
        ("Spread a write hotspot", True, "", "Enterprise")
    ]
    assert help_center_search(user=alice, query="auto_random keys").articles == []


def test_premium_articles_read_in_full_on_their_plan(publish, enterprise_org):
    _organization, owner, _cluster = enterprise_org
    publish("Spread a write hotspot", "Use AUTO_RANDOM keys.", minimum_plan="enterprise")

    (hit,) = help_center_search(user=owner, query="random keys").articles
    assert not hit.locked
    assert "<mark>keys</mark>" in str(hit.snippet_html)


def test_the_best_plan_among_a_readers_organizations_counts(org_factory, member_of):
    basic, _owner, _c = org_factory("basic")
    enterprise, _owner2, _c2 = org_factory("enterprise")
    reader = member_of(basic)
    member_of_both = member_of(enterprise)
    member_of_both.memberships.create(organization=basic)

    assert reader_plan_rank(user=reader) < reader_plan_rank(user=member_of_both)


def test_search_shows_resolved_shared_requests_of_own_organizations_only(
    org_factory, member_of, resolved_request
):
    acme, alice, _c = org_factory("basic", name="Acme")
    globex, bob, _c2 = org_factory("basic", name="Globex")
    colleague = member_of(acme)
    shared = resolved_request(acme, alice, summary="Restore failed on Acme")
    resolved_request(acme, alice, summary="Private restore failed", shared=False)
    resolved_request(acme, alice, summary="Open restore failed", resolve=False)
    resolved_request(globex, bob, summary="Restore failed on Globex")

    hits = help_center_search(user=colleague, query="restore failed").requests

    assert titles(hits) == [f"{shared.key}: Restore failed on Acme"]
    assert hits[0].url == f"/requests/{shared.key}/"


def test_suggestions_offer_articles_and_own_requests_never_another_organizations(
    backup_article, org_factory, member_of, resolved_request
):
    acme, alice, _c = org_factory("basic", name="Acme")
    globex, bob, _c2 = org_factory("basic", name="Globex")
    acme_request = resolved_request(acme, alice, summary="Restore from backup failed")
    resolved_request(globex, bob, summary="Backup restore failed on Globex")

    hits = suggestions(user=member_of(acme), query="backup restore failed")

    assert [(hit.kind, hit.title) for hit in hits] == [
        ("article", "Why a backup or restore fails"),
        ("request", f"{acme_request.key}: Restore from backup failed"),
    ]


def test_suggestions_leave_out_premium_articles_above_the_readers_plan(publish, basic_org):
    _organization, alice, _cluster = basic_org
    publish("Restore a hotspot table", "Premium advice.", minimum_plan="premium")
    publish("Restore basics", "Everyone may read this.")

    assert titles(suggestions(user=alice, query="restore")) == ["Restore basics"]


def test_suggestions_match_a_half_typed_last_word(backup_article, basic_org):
    _organization, alice, _cluster = basic_org
    assert titles(suggestions(user=alice, query="backup resto")) == [backup_article.title]


def test_suggestions_are_at_most_five(publish, basic_org):
    _organization, alice, _cluster = basic_org
    for number in range(8):
        publish(f"Restore guide {number}", "How to restore.")

    assert len(suggestions(user=alice, query="restore")) == 5


@pytest.mark.parametrize("query", ["", "   ", "&|!:*()'", "a", "<script>"])
def test_odd_queries_are_answered_not_errors(backup_article, basic_org, query):
    _organization, alice, _cluster = basic_org
    suggestions(user=alice, query=query)
    help_center_search(user=alice, query=query)


def test_nobody_signed_out_gets_anything(backup_article):
    from django.contrib.auth.models import AnonymousUser

    assert help_center_search(user=AnonymousUser(), query="backup").articles == []
    assert not suggestable_requests(user=UserFactory()).exists()


# The simpler search of the embedded SQLite default, run here against the same data.


def test_the_simple_search_matches_every_word_and_marks_it(backup_article, basic_org):
    _organization, alice, _cluster = basic_org
    rank = reader_plan_rank(user=alice)
    hits = _SimpleSearch.articles(
        user=alice, rank=rank, words=["restore", "storage"], mode="all", limit=10
    )

    assert titles(hits) == ["Why a backup or restore fails"]
    assert "⟦storage⟧" in hits[0].snippet_marked
    assert "<mark>storage</mark>" in str(hits[0].snippet_html)


def test_the_simple_search_keeps_premium_bodies_and_other_organizations_out(
    publish, org_factory, resolved_request
):
    acme, alice, _c = org_factory("basic", name="Acme")
    globex, bob, _c2 = org_factory("basic", name="Globex")
    publish("Spread a write hotspot", "Use AUTO_RANDOM keys.", minimum_plan="enterprise")
    resolved_request(globex, bob, summary="Restore failed on Globex")
    rank = reader_plan_rank(user=alice)

    assert _SimpleSearch.articles(user=alice, rank=rank, words=["keys"], mode="all", limit=5) == []
    assert _SimpleSearch.requests(user=alice, words=["restore"], mode="any", limit=5) == []


# PostgreSQL serves the search from its indexes.


def explain(queryset) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
    return queryset.explain()


def test_article_search_uses_the_gin_index(publish):
    from django.contrib.postgres.search import SearchQuery

    for number in range(30):
        publish(f"Article {number}", "Text about storage.")
    plan = explain(Article.objects.filter(search_vector=SearchQuery("storage", config="english")))
    assert "article_search_vector_idx" in plan


def test_request_search_uses_the_gin_index(basic_org, resolved_request):
    from django.contrib.postgres.search import SearchQuery

    from tickets.models import Ticket, ticket_search_vector

    organization, owner, _cluster = basic_org
    resolved_request(organization, owner)
    query = SearchQuery("restore", config="english", search_type="raw")
    plan = explain(Ticket.objects.annotate(document=ticket_search_vector()).filter(document=query))
    assert "ticket_search_idx" in plan
