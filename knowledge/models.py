"""Articles support engineers write so that customers find answers before they ask."""

import secrets
from pathlib import PurePath

from django.conf import settings
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVectorField
from django.core.validators import MaxLengthValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

BODY_MAX_LENGTH = 100_000


class Category(models.Model):
    name = models.CharField(_("name"), max_length=64, unique=True)
    slug = models.SlugField(_("slug"), max_length=64, unique=True)
    description = models.CharField(_("description"), max_length=200, blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["position", "name"]
        verbose_name_plural = _("categories")

    def __str__(self):
        return self.name


class Article(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")

    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=200, unique=True)
    category = models.ForeignKey(
        Category, verbose_name=_("category"), on_delete=models.PROTECT, related_name="articles"
    )
    components = models.ManyToManyField(
        "tickets.Component", verbose_name=_("components"), blank=True, related_name="articles"
    )
    minimum_plan = models.ForeignKey(
        "plans.Plan",
        verbose_name=_("minimum plan"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_(
            "Premium content: readers on lower plans see the title and how to upgrade, never the "
            "body. Empty means every customer may read it."
        ),
    )
    status = models.CharField(_("status"), max_length=16, choices=Status, default=Status.DRAFT)
    body = models.TextField(
        _("body (Markdown)"),
        validators=[MaxLengthValidator(BODY_MAX_LENGTH)],
        help_text=_(
            "Markdown. Raw HTML, scripts and javascript: links are removed when the article is "
            "shown. Add images below, then use the Markdown line shown next to each one."
        ),
    )
    body_text = models.TextField(
        editable=False, blank=True, help_text=_("The rendered body as plain text, for search.")
    )
    search_vector = SearchVectorField(null=True, editable=False)
    last_reviewed_on = models.DateField(_("last reviewed"), null=True, blank=True)
    source_ticket = models.ForeignKey(
        "tickets.Ticket",
        verbose_name=_("written from request"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        editable=False,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    published_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["title"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["draft", "published"]), name="article_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(status="draft") | Q(published_at__isnull=False),
                name="article_published_has_date",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "category"], name="article_status_category_idx"),
            GinIndex(fields=["search_vector"], name="article_search_vector_idx"),
            GinIndex(fields=["title"], opclasses=["gin_trgm_ops"], name="article_title_trgm_idx"),
        ]

    def __str__(self):
        return self.title

    @property
    def is_published(self) -> bool:
        return self.status == self.Status.PUBLISHED


class ArticleRevision(models.Model):
    """The article as it was saved, every time it was saved, and by whom."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="revisions")
    number = models.PositiveIntegerField()
    title = models.CharField(max_length=200)
    body = models.TextField()
    status = models.CharField(max_length=16, choices=Article.Status)
    edited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(fields=["article", "number"], name="article_revision_unique"),
        ]

    def __str__(self):
        return f"{self.article_id} revision {self.number}"


def article_image_path(instance: "ArticleImage", filename: str) -> str:
    suffix = PurePath(filename).suffix.lower()[:10]
    return f"articles/{secrets.token_hex(2)}/{secrets.token_urlsafe(24)}{suffix}"


class ArticleImage(models.Model):
    """A picture in an article, checked by the attachment allow-list (images only)."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="images")
    file = models.FileField(_("image"), upload_to=article_image_path)
    original_name = models.CharField(max_length=255, editable=False)
    content_type = models.CharField(max_length=100, editable=False)
    size = models.PositiveBigIntegerField(editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["pk"]

    def __str__(self):
        return self.original_name


class ArticleFeedback(models.Model):
    """One reader's "Was this helpful?" answer; voting again changes it."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="feedback")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    helpful = models.BooleanField(_("helpful"))
    comment = models.TextField(_("comment"), blank=True, max_length=2000)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-updated_at"]
        constraints = [
            models.UniqueConstraint(fields=["article", "user"], name="article_feedback_once"),
        ]

    def __str__(self):
        return f"{self.article_id} by {self.user_id}: {'yes' if self.helpful else 'no'}"


class ArticleActivity(models.Model):
    """A view of an article, or a deflection: a customer about to file a request who marked
    a suggested article as the answer to their question."""

    class Kind(models.TextChoices):
        VIEW = "view", _("View")
        DEFLECTION = "deflection", _("Deflection")

    class Source(models.TextChoices):
        DIRECT = "direct", _("Opened directly")
        SEARCH = "search", _("Help-center search")
        SUGGESTION = "suggestion", _("Suggested on a request form")

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="activity")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    kind = models.CharField(max_length=16, choices=Kind)
    source = models.CharField(max_length=16, choices=Source, default=Source.DIRECT)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name_plural = _("article activity")
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=["view", "deflection"]), name="article_activity_kind_valid"
            ),
            models.CheckConstraint(
                condition=Q(source__in=["direct", "search", "suggestion"]),
                name="article_activity_source_valid",
            ),
        ]
        indexes = [
            models.Index(fields=["article", "kind"], name="article_activity_idx"),
        ]

    def __str__(self):
        return f"{self.kind} of {self.article_id}"


class SearchWord(models.Model):
    """Every word the articles use: search corrects a typo to the nearest of these."""

    word = models.CharField(max_length=64, unique=True)

    class Meta:
        indexes = [
            GinIndex(fields=["word"], opclasses=["gin_trgm_ops"], name="search_word_trgm_idx"),
        ]

    def __str__(self):
        return self.word
