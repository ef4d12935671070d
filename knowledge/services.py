"""Every change to the knowledge base: the admin and the article pages call these."""

import re
from dataclasses import dataclass

from django.contrib.postgres.search import SearchVector
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.core.files.uploadedfile import UploadedFile
from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from accounts.models import Cluster, User
from knowledge.models import (
    Article,
    ArticleActivity,
    ArticleFeedback,
    ArticleImage,
    ArticleRevision,
    Category,
    SearchWord,
)
from knowledge.rendering import markdown_to_text
from knowledge.selectors import article_readable_by, is_editor
from tickets.attachments import CheckedUpload, attachments_validate
from tickets.models import SEARCH_CONFIG, Ticket, support_engineer_q

IMAGE_TYPES = {"image/png", "image/jpeg", "image/gif", "image/webp"}
_WORD = re.compile(r"[^\W\d_]{3,64}")


def _unique_slug(title: str, *, exclude_pk: int | None = None) -> str:
    base = slugify(title)[:180] or "article"
    slug, number = base, 1
    taken = Article.objects.exclude(pk=exclude_pk) if exclude_pk else Article.objects.all()
    while taken.filter(slug=slug).exists():
        number += 1
        slug = f"{base}-{number}"
    return slug


def _index_for_search(article: Article) -> None:
    """Keep the article's search document current: title (weight A) over body (weight B), and
    its words in the typo-correction word list."""
    if connection.vendor == "postgresql":
        Article.objects.filter(pk=article.pk).update(
            search_vector=SearchVector("title", weight="A", config=SEARCH_CONFIG)
            + SearchVector("body_text", weight="B", config=SEARCH_CONFIG)
        )
    words = {word.lower() for word in _WORD.findall(f"{article.title} {article.body_text}")}
    SearchWord.objects.bulk_create(
        [SearchWord(word=word) for word in sorted(words)], ignore_conflicts=True
    )


@transaction.atomic
def article_save(
    *, article: Article, editor: User, components: list | tuple | None = None
) -> Article:
    """Create or update an article: checks it, keeps its search document current and writes a
    revision with the editor. Publishing stamps the first publication time."""
    if not is_editor(user=editor):
        raise PermissionDenied(_("Only support engineers edit articles."))
    if not article.slug:
        article.slug = _unique_slug(article.title, exclude_pk=article.pk)
    if article.status == Article.Status.PUBLISHED and article.published_at is None:
        article.published_at = timezone.now()
    if article.pk is None:
        article.created_by = editor
    article.body_text = markdown_to_text(article.body)
    article.full_clean(exclude=["search_vector"])
    article.save()
    if components is not None:
        article.components.set(components)
    _index_for_search(article)
    last = article.revisions.aggregate(last=Max("number"))["last"] or 0
    ArticleRevision.objects.create(
        article=article,
        number=last + 1,
        title=article.title,
        body=article.body,
        status=article.status,
        edited_by=editor,
    )
    return article


def article_image_validate(upload: UploadedFile) -> CheckedUpload:
    """The upload checked by the attachment allow-list and limited to pictures; raises
    ValidationError otherwise."""
    (checked,) = attachments_validate([upload])
    if checked.content_type not in IMAGE_TYPES:
        raise ValidationError(
            _("%(name)s is not a picture. Articles take PNG, JPEG, GIF or WebP images.")
            % {"name": upload.name}
        )
    return checked


@transaction.atomic
def article_image_add(*, article: Article, editor: User, upload: UploadedFile) -> ArticleImage:
    """An image for an article, through the attachment allow-list."""
    if not is_editor(user=editor):
        raise PermissionDenied(_("Only support engineers edit articles."))
    checked = article_image_validate(upload)
    return ArticleImage.objects.create(
        article=article,
        file=File(upload, name=checked.storage_name),
        original_name=upload.name[:255],
        content_type=checked.content_type,
        size=upload.size,
    )


@transaction.atomic
def article_feedback_give(
    *, article: Article, user: User, helpful: bool, comment: str = ""
) -> ArticleFeedback:
    """ "Was this helpful?": one answer per reader and article; answering again replaces it."""
    if not article_readable_by(article=article, user=user):
        raise PermissionDenied(_("This article is not available on your plan."))
    feedback, _created = ArticleFeedback.objects.update_or_create(
        article=article,
        user=user,
        defaults={"helpful": helpful, "comment": comment.strip()[:2000]},
    )
    return feedback


def article_view_record(*, article: Article, user: User, source: str) -> None:
    if source not in ArticleActivity.Source.values:
        source = ArticleActivity.Source.DIRECT
    ArticleActivity.objects.create(
        article=article, user=user, kind=ArticleActivity.Kind.VIEW, source=source
    )


@transaction.atomic
def article_deflection_record(*, article: Article, user: User) -> ArticleActivity:
    """The customer was about to file a request and this suggested article answered it."""
    if not article_readable_by(article=article, user=user):
        raise PermissionDenied(_("This article is not available on your plan."))
    return ArticleActivity.objects.create(
        article=article,
        user=user,
        kind=ArticleActivity.Kind.DEFLECTION,
        source=ArticleActivity.Source.SUGGESTION,
    )


def category_get_or_create(*, name: str, description: str = "", position: int = 0) -> Category:
    category, _created = Category.objects.get_or_create(
        name=name,
        defaults={"slug": slugify(name), "description": description, "position": position},
    )
    return category


# From answer to article.

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
DRAFT_CATEGORY = "General"


@dataclass(frozen=True)
class DraftFromRequest:
    article: Article
    removed: list[str]  # what was taken out, for the engineer to check before publishing


def _scrub(text: str, replacements: list[tuple[str, str]], removed: dict[str, int]) -> str:
    """Replace every email address and every known name (whole words, any case)."""

    def count(label):
        def replace(match):
            removed[label] = removed.get(label, 0) + 1
            return f"[{label}]"

        return replace

    text = _EMAIL.sub(count("email address removed"), text)
    for name, label in sorted(replacements, key=lambda pair: -len(pair[0])):
        pattern = re.compile(rf"(?<![\w-]){re.escape(name)}(?![\w-])", re.IGNORECASE)
        text = pattern.sub(count(label), text)
    return text


def _private_names(ticket: Ticket) -> list[tuple[str, str]]:
    """Customer names, the organization and its cluster names, as (text, placeholder)."""
    people = {ticket.reporter, *ticket.participants.all()}
    if ticket.organization_id:
        people.update(ticket.organization.members.all())
    names = []
    for person in people:
        for name in {person.full_name, person.display_name, *person.full_name.split()}:
            if len(name) >= 3:
                names.append((name, "customer name removed"))
    clusters = Cluster.objects.filter(organization_id=ticket.organization_id)
    for cluster_name in {
        *clusters.values_list("name", flat=True),
        getattr(ticket.cluster, "name", ""),
    }:
        if cluster_name:
            names.append((cluster_name, "cluster name removed"))
    if ticket.organization_id:
        names.append((ticket.organization.name, "organization removed"))
    return names


def _draft_category(ticket: Ticket) -> Category:
    component_names = list(ticket.components.values_list("name", flat=True))
    preferred = ["Billing"] if ticket.portal == "billing" else component_names
    category = Category.objects.filter(name__in=preferred).order_by("position").first()
    return category or category_get_or_create(name=DRAFT_CATEGORY, position=100)


@transaction.atomic
def article_draft_from_ticket(*, ticket: Ticket, editor: User) -> DraftFromRequest:
    """ "Turn into article": a draft from a resolved request's summary and the engineers'
    public replies. Never internal notes or the customer's own text; customer names, email
    addresses, the organization and cluster names are replaced and listed for the engineer."""
    if not is_editor(user=editor):
        raise PermissionDenied(_("Only support engineers edit articles."))
    if ticket.status not in (Ticket.Status.RESOLVED, Ticket.Status.CLOSED):
        raise ValidationError(_("Only a resolved or closed request can become an article."))
    engineers = User.objects.filter(support_engineer_q())
    replies = ticket.comments.filter(is_internal=False, author__in=engineers).order_by(
        "created_at", "pk"
    )
    names, removed = _private_names(ticket), {}
    title = _scrub(ticket.summary, names, removed)
    answer = "\n\n".join(_scrub(reply.body.strip(), names, removed) for reply in replies)
    body = f"## {_('The question')}\n\n{title}\n\n## {_('The answer')}\n\n" + (
        answer or _("(No public reply by an engineer yet: write the answer here.)")
    )
    article = Article(
        title=title[:200],
        category=_draft_category(ticket),
        status=Article.Status.DRAFT,
        body=body,
        source_ticket=ticket,
    )
    article = article_save(article=article, editor=editor, components=list(ticket.components.all()))
    labels = [f"{label} ({count}x)" for label, count in sorted(removed.items())]
    return DraftFromRequest(article=article, removed=labels)
