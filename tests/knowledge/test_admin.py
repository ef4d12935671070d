"""Support engineers publish articles in the admin, see views, votes and deflections per
article, and turn a resolved request into a draft. Other staff do not get in."""

import re

import pytest
from django.urls import reverse

from knowledge import services
from knowledge.models import Article, ArticleRevision, Category
from knowledge.search import help_center_search
from tests.factories import StaffFactory
from tickets import services as ticket_services

pytestmark = pytest.mark.django_db

ADD = "/admin/knowledge/article/add/"
CHANGELIST = "/admin/knowledge/article/"


def article_form(**overrides):
    data = {
        "title": "Why a backup or restore fails",
        "slug": "why-a-backup-or-restore-fails",
        "category": Category.objects.get(name="Backup & Restore").pk,
        "status": "published",
        "last_reviewed_on": "2026-11-20",
        "body": "A restore stops when the target cluster has too little storage.",
        "images-TOTAL_FORMS": "0",
        "images-INITIAL_FORMS": "0",
        "revisions-TOTAL_FORMS": "0",
        "revisions-INITIAL_FORMS": "0",
        "feedback-TOTAL_FORMS": "0",
        "feedback-INITIAL_FORMS": "0",
    }
    data.update(overrides)
    return data


def test_an_engineer_publishes_an_article_that_customers_find_with_a_typo(
    client, engineer, basic_org
):
    client.force_login(engineer)
    response = client.post(ADD, article_form())

    assert response.status_code == 302, response.content.decode()[:2000]
    article = Article.objects.get(slug="why-a-backup-or-restore-fails")
    assert article.is_published and article.published_at is not None
    assert ArticleRevision.objects.get(article=article).edited_by == engineer
    hits = help_center_search(user=basic_org[1], query="why a backup or restor fails").articles
    assert [hit.title for hit in hits] == ["Why a backup or restore fails"]


def test_the_article_list_shows_views_votes_and_deflections(
    client, engineer, publish, basic_org, member_of
):
    organization, alice, _cluster = basic_org
    article = publish()
    colleague = member_of(organization)
    services.article_view_record(article=article, user=alice, source="suggestion")
    services.article_view_record(article=article, user=colleague, source="search")
    services.article_feedback_give(article=article, user=alice, helpful=True)
    services.article_feedback_give(article=article, user=colleague, helpful=False)
    services.article_deflection_record(article=article, user=alice)
    client.force_login(engineer)

    page = client.get(CHANGELIST).content.decode()

    row = re.search(r"<tr[^>]*>.*?Why a backup or restore fails.*?</tr>", page, re.S).group(0)
    cells = re.findall(r'<td class="field-(\w+)[^"]*">(.*?)</td>', row, re.S)
    assert dict(cells)["views"] == "2"
    assert dict(cells)["helpful_votes"] == "1"
    assert dict(cells)["unhelpful_votes"] == "1"
    assert dict(cells)["deflections"] == "1"


def test_the_article_list_costs_a_fixed_number_of_queries(
    client, engineer, publish, django_assert_max_num_queries
):
    for number in range(15):
        publish(f"Article {number}", "x")
    client.force_login(engineer)
    with django_assert_max_num_queries(12):
        assert client.get(CHANGELIST).status_code == 200


def test_staff_who_are_not_engineers_cannot_edit_articles(client, publish):
    staff = StaffFactory()
    client.force_login(staff)
    publish()
    assert client.get(CHANGELIST).status_code == 403
    assert client.post(ADD, article_form(slug="other")).status_code == 403


def test_customers_cannot_reach_the_article_admin(client, basic_org):
    client.force_login(basic_org[1])
    response = client.get(CHANGELIST)
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_turn_into_article_is_offered_on_resolved_requests_only(
    client, engineer, basic_org, resolved_request
):
    organization, alice, _cluster = basic_org
    resolved = resolved_request(organization, alice)
    open_request = resolved_request(organization, alice, resolve=False)
    client.force_login(engineer)

    def page(ticket):
        return client.get(reverse("admin:tickets_ticket_change", args=[ticket.pk])).content

    assert b"Turn into article" in page(resolved)
    assert b"Turn into article" not in page(open_request)


def test_turn_into_article_opens_a_draft_with_the_replies_and_a_warning(
    client, engineer, basic_org, resolved_request
):
    organization, alice, cluster = basic_org
    ticket = resolved_request(
        organization,
        alice,
        summary="Restore failed",
        reply=f"The restore into {cluster.name} failed; {alice.email} may retry.",
        resolve=False,
    )
    ticket_services.ticket_comment_add(
        ticket=ticket, author=engineer, body="Internal: goodwill credit.", is_internal=True
    )
    ticket_services.ticket_status_change(ticket=ticket, actor=engineer, to_status="resolved")
    client.force_login(engineer)

    response = client.post(
        reverse("admin:knowledge_article_from_ticket", args=[ticket.pk]), follow=True
    )

    draft = Article.objects.get(source_ticket=ticket)
    assert response.redirect_chain[-1][0] == reverse(
        "admin:knowledge_article_change", args=[draft.pk]
    )
    page = response.content.decode()
    assert "Check before publishing" in page
    assert "[cluster name removed]" in draft.body and "[email address removed]" in draft.body
    assert "goodwill" not in draft.body
    assert draft.status == Article.Status.DRAFT


def test_turn_into_article_is_refused_for_an_open_request(
    client, engineer, basic_org, resolved_request
):
    organization, alice, _cluster = basic_org
    ticket = resolved_request(organization, alice, resolve=False)
    client.force_login(engineer)
    response = client.post(
        reverse("admin:knowledge_article_from_ticket", args=[ticket.pk]), follow=True
    )
    assert "Only a resolved or closed request" in response.content.decode()
    assert not Article.objects.exists()
