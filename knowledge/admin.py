"""Support engineers write and publish articles here, turn resolved requests into drafts, and
see per article how often it was read, found helpful and answered a question before it was
asked. Every change goes through `knowledge.services`."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from knowledge import services
from knowledge.models import Article, ArticleFeedback, ArticleImage, ArticleRevision, Category
from knowledge.selectors import articles_with_stats
from tickets.admin.display import request_is_engineer
from tickets.selectors import tickets_for_support


class EngineersOnly:
    """Articles are the support engineers' to edit, whatever other staff permissions say."""

    def has_view_permission(self, request, obj=None):
        return request_is_engineer(request) and super().has_view_permission(request, obj)

    def has_add_permission(self, request, *args):
        return request_is_engineer(request) and super().has_add_permission(request, *args)

    def has_change_permission(self, request, obj=None):
        return request_is_engineer(request) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return request_is_engineer(request) and super().has_delete_permission(request, obj)


@admin.register(Category)
class CategoryAdmin(EngineersOnly, admin.ModelAdmin):
    list_display = ("name", "slug", "position")
    list_editable = ("position",)
    prepopulated_fields = {"slug": ("name",)}


class ArticleImageForm(forms.ModelForm):
    class Meta:
        model = ArticleImage
        fields = ["file"]

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload and "file" in self.changed_data:
            services.article_image_validate(upload)
        return upload


class ArticleImageInline(EngineersOnly, admin.TabularInline):
    model = ArticleImage
    form = ArticleImageForm
    extra = 1
    fields = ("file", "markdown", "content_type", "size")
    readonly_fields = ("markdown", "content_type", "size")
    verbose_name_plural = _("images (PNG, JPEG, GIF or WebP, checked by the attachment allow-list)")

    @admin.display(description=_("Markdown to paste in the body"))
    def markdown(self, image):
        if image.pk is None:
            return "-"
        url = reverse("knowledge:image", args=[image.pk])
        return format_html("<code>![{}]({})</code>", image.original_name, url)


class ArticleRevisionInline(EngineersOnly, admin.TabularInline):
    model = ArticleRevision
    extra = 0
    fields = ("number", "created_at", "edited_by", "status", "title", "body_excerpt")
    readonly_fields = fields
    can_delete = False
    verbose_name_plural = _("revision history")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description=_("body"))
    def body_excerpt(self, revision):
        return format_html(
            "<details><summary>{} characters</summary><pre>{}</pre></details>",
            len(revision.body),
            revision.body,
        )


class ArticleFeedbackInline(EngineersOnly, admin.TabularInline):
    model = ArticleFeedback
    extra = 0
    fields = ("updated_at", "user", "helpful", "comment")
    readonly_fields = fields
    can_delete = False
    verbose_name_plural = _("“Was this helpful?” answers")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Article)
class ArticleAdmin(EngineersOnly, admin.ModelAdmin):
    list_display = (
        "title",
        "category",
        "status",
        "minimum_plan",
        "last_reviewed_on",
        "views",
        "helpful_votes",
        "unhelpful_votes",
        "deflections",
    )
    list_filter = ("status", "category", "minimum_plan", "components")
    list_select_related = ("category", "minimum_plan")
    search_fields = ("title", "body")
    prepopulated_fields = {"slug": ("title",)}
    filter_horizontal = ("components",)
    fields = (
        "title",
        "slug",
        "category",
        "components",
        "minimum_plan",
        "status",
        "last_reviewed_on",
        "body",
        "view_on_site_link",
        "source_request",
        "published_at",
        "created_by",
        "updated_at",
    )
    readonly_fields = (
        "view_on_site_link",
        "source_request",
        "published_at",
        "created_by",
        "updated_at",
    )
    inlines = (ArticleImageInline, ArticleRevisionInline, ArticleFeedbackInline)

    def get_queryset(self, request):
        return articles_with_stats(super().get_queryset(request))

    @admin.display(description=_("views"), ordering="view_count")
    def views(self, article):
        return article.view_count

    @admin.display(description=_("helpful"), ordering="helpful_count")
    def helpful_votes(self, article):
        return article.helpful_count

    @admin.display(description=_("not helpful"), ordering="unhelpful_count")
    def unhelpful_votes(self, article):
        return article.unhelpful_count

    @admin.display(description=_("deflections"), ordering="deflection_count")
    def deflections(self, article):
        return article.deflection_count

    @admin.display(description=_("on the help center"))
    def view_on_site_link(self, article):
        if article.pk is None:
            return "-"
        url = reverse("knowledge:article-detail", args=[article.slug])
        return format_html('<a href="{}">{}</a>', url, url)

    @admin.display(description=_("written from request"))
    def source_request(self, article):
        if article.source_ticket_id is None:
            return "-"
        url = reverse("admin:tickets_ticket_change", args=[article.source_ticket_id])
        return format_html('<a href="{}">{}</a>', url, article.source_ticket)

    def save_model(self, request, obj, form, change):
        services.article_save(article=obj, editor=request.user)

    def save_formset(self, request, form, formset, change):
        if formset.model is not ArticleImage:
            return super().save_formset(request, form, formset, change)
        for image in formset.save(commit=False):
            if image.pk is None:
                services.article_image_add(
                    article=form.instance, editor=request.user, upload=image.file
                )
            else:
                image.save()
        for image in formset.deleted_objects:
            image.delete()

    def get_urls(self):
        return [
            path(
                "from-request/<path:ticket_id>/",
                self.admin_site.admin_view(self.from_ticket_view),
                name="knowledge_article_from_ticket",
            ),
            *super().get_urls(),
        ]

    def from_ticket_view(self, request, ticket_id):
        """ "Turn into article" on a resolved request: a draft, then its page to edit."""
        if request.method != "POST":
            return redirect("admin:tickets_ticket_change", ticket_id)
        if not self.has_add_permission(request):
            raise PermissionDenied
        ticket = tickets_for_support(user=request.user).filter(pk=unquote(ticket_id)).first()
        if ticket is None:
            raise Http404("No such request.")
        try:
            draft = services.article_draft_from_ticket(ticket=ticket, editor=request.user)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect("admin:tickets_ticket_change", ticket.pk)
        messages.success(
            request,
            gettext("Draft article created from %(key)s. Edit it, then publish it.")
            % {"key": ticket.key},
        )
        if draft.removed:
            messages.warning(
                request,
                gettext("Check before publishing; replaced in the draft: %(removed)s.")
                % {"removed": ", ".join(draft.removed)},
            )
        return HttpResponseRedirect(
            reverse("admin:knowledge_article_change", args=[draft.article.pk])
        )
