"""Saving, revising, picturing and judging articles, and turning a resolved request into one."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from knowledge import services
from knowledge.models import Article, ArticleActivity, ArticleFeedback, ArticleRevision, Category
from tests.factories import UserFactory
from tickets import services as ticket_services

pytestmark = pytest.mark.django_db

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
    b"\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00"
    b"\x00\x00IEND\xaeB`\x82"
)


def test_saving_writes_a_revision_with_the_editor(publish, engineer):
    article = publish(body="First version.")
    article.body = "Second version."
    services.article_save(article=article, editor=engineer)

    revisions = list(ArticleRevision.objects.filter(article=article).order_by("number"))
    assert [(r.number, r.body, r.edited_by) for r in revisions] == [
        (1, "First version.", engineer),
        (2, "Second version.", engineer),
    ]


def test_publishing_stamps_the_date_once_and_slugs_are_unique(publish, engineer):
    first = publish(title="Connect with TLS")
    second = publish(title="Connect with TLS")
    published_at = first.published_at
    services.article_save(article=first, editor=engineer)

    assert first.published_at == published_at is not None
    assert (first.slug, second.slug) == ("connect-with-tls", "connect-with-tls-2")
    assert publish(status=Article.Status.DRAFT).published_at is None


def test_the_search_document_follows_the_saved_text(publish, engineer):
    article = publish(title="Restore basics", body="Storage must be large enough.")
    article.body = "Check the **changefeed** checkpoint."
    services.article_save(article=article, editor=engineer)

    article.refresh_from_db()
    assert article.body_text == "Check the changefeed checkpoint."
    assert Article.objects.filter(pk=article.pk, search_vector="changefeed").exists()
    assert not Article.objects.filter(pk=article.pk, search_vector="storage").exists()


def test_customers_cannot_save_articles():
    article = Article(title="x", body="y", category=Category.objects.first())
    with pytest.raises(PermissionDenied):
        services.article_save(article=article, editor=UserFactory())
    assert not Article.objects.exists()


def test_an_image_is_stored_through_the_allow_list(publish, engineer):
    article = publish()
    image = services.article_image_add(
        article=article,
        editor=engineer,
        upload=SimpleUploadedFile("diagram.png", PNG, content_type="text/html"),
    )
    assert (image.content_type, image.original_name) == ("image/png", "diagram.png")


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("page.png", b"<html><script>alert(1)</script></html>"),
        ("drawing.svg", b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>'),
        ("manual.pdf", b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n"),
    ],
)
def test_an_image_that_is_not_a_picture_is_refused(publish, engineer, name, content):
    with pytest.raises(ValidationError):
        services.article_image_add(
            article=publish(), editor=engineer, upload=SimpleUploadedFile(name, content)
        )


def test_helpful_answers_count_once_per_reader(publish, basic_org, member_of):
    organization, owner, _cluster = basic_org
    article = publish()
    services.article_feedback_give(article=article, user=owner, helpful=False, comment="Vague")
    services.article_feedback_give(article=article, user=owner, helpful=True)
    services.article_feedback_give(article=article, user=member_of(organization), helpful=True)

    assert ArticleFeedback.objects.filter(article=article, helpful=True).count() == 2
    assert not ArticleFeedback.objects.filter(article=article, helpful=False).exists()


def test_premium_articles_take_no_votes_or_deflections_from_lower_plans(publish, basic_org):
    _organization, owner, _cluster = basic_org
    article = publish(minimum_plan="enterprise")
    with pytest.raises(PermissionDenied):
        services.article_feedback_give(article=article, user=owner, helpful=True)
    with pytest.raises(PermissionDenied):
        services.article_deflection_record(article=article, user=owner)
    assert not ArticleActivity.objects.exists()


# Turn into article.


@pytest.fixture
def answered_request(basic_org, member_of, engineer, resolved_request):
    organization, owner, cluster = basic_org
    owner.full_name = "Alice Anderson"
    owner.email = "alice@acme.example"
    owner.save()
    colleague = member_of(organization)
    colleague.full_name = "Dave Dorsey"
    colleague.save()
    ticket = resolved_request(
        organization,
        owner,
        summary=f"Restore into {cluster.name} failed for Alice",
        description="Our secret customer description with alice@acme.example.",
        reply=f"Hi Alice, the restore into {cluster.name} failed: storage was too small. "
        "Dave Dorsey (dave@acme.example) can retry it after scaling out.",
        resolve=False,
    )
    ticket_services.ticket_comment_add(
        ticket=ticket,
        author=engineer,
        body="Internal: refund approved by finance.",
        is_internal=True,
    )
    ticket_services.ticket_comment_add(ticket=ticket, author=owner, body="Thanks, Alice here.")
    ticket = ticket_services.ticket_status_change(
        ticket=ticket, actor=engineer, to_status="resolved"
    )
    return ticket, cluster


def test_turn_into_article_drafts_from_summary_and_public_engineer_replies(
    answered_request, engineer
):
    ticket, _cluster = answered_request
    draft = services.article_draft_from_ticket(ticket=ticket, editor=engineer)

    article = draft.article
    assert article.status == Article.Status.DRAFT
    assert article.source_ticket == ticket
    assert "the restore into [cluster name removed] failed: storage was too small" in article.body
    assert "refund approved" not in article.body
    assert "Thanks" not in article.body
    assert "secret customer description" not in article.body


def test_turn_into_article_removes_names_emails_and_cluster_names(answered_request, engineer):
    ticket, cluster = answered_request
    draft = services.article_draft_from_ticket(ticket=ticket, editor=engineer)

    text = f"{draft.article.title}\n{draft.article.body}"
    for private in ("Alice", "Dave", "Dorsey", "@acme.example", cluster.name):
        assert private not in text
    assert (
        draft.article.title
        == "Restore into [cluster name removed] failed for [customer name removed]"
    )
    assert "email address removed (1x)" in draft.removed
    assert "cluster name removed (2x)" in draft.removed


def test_only_resolved_requests_become_articles(basic_org, engineer, resolved_request):
    organization, owner, _cluster = basic_org
    ticket = resolved_request(organization, owner, resolve=False)
    with pytest.raises(ValidationError):
        services.article_draft_from_ticket(ticket=ticket, editor=engineer)


def test_customers_cannot_turn_requests_into_articles(answered_request):
    ticket, _cluster = answered_request
    with pytest.raises(PermissionDenied):
        services.article_draft_from_ticket(ticket=ticket, editor=ticket.reporter)
