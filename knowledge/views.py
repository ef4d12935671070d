from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from knowledge import services
from knowledge.forms import FeedbackForm, SearchForm, SuggestionContextForm
from knowledge.models import ArticleActivity, ArticleFeedback, ArticleImage, Category
from knowledge.rendering import render_markdown
from knowledge.search import help_center_search, suggestions
from knowledge.selectors import (
    article_get_for_user,
    article_readable_by,
    articles_for_listing,
    articles_visible_to,
    categories_with_counts,
    reader_plan_rank,
)
from plans.models import Portal

PORTAL_URLS = {
    Portal.BILLING: "tickets:portal-billing",
    Portal.TECHNICAL: "tickets:portal-technical",
}


class ArticleListView(LoginRequiredMixin, TemplateView):
    """/articles/: search results for ?q=, otherwise the articles by category."""

    template_name = "knowledge/article_list.html"

    def get_context_data(self, **kwargs):
        form = SearchForm(self.request.GET or None)
        query = form.cleaned_data["q"].strip() if form.is_valid() else ""
        context = {"search_form": form, "query": query}
        if query:
            context["results"] = help_center_search(user=self.request.user, query=query)
        else:
            category = None
            if self.request.GET.get("category"):
                category = get_object_or_404(Category, slug=self.request.GET["category"])
            rank = reader_plan_rank(user=self.request.user)
            articles = list(articles_for_listing(user=self.request.user, category=category))
            for article in articles:
                article.locked = (
                    article.minimum_plan is not None and article.minimum_plan.rank > rank
                )
            context.update(
                category=category,
                articles=articles,
                categories=categories_with_counts(user=self.request.user),
            )
        return super().get_context_data(**context, **kwargs)


class ArticleDetailView(LoginRequiredMixin, TemplateView):
    """An article; opening it records a view (from search, a suggestion, or directly)."""

    template_name = "knowledge/article_detail.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        article = article_get_for_user(user=user, slug=self.kwargs["slug"])
        readable = article_readable_by(article=article, user=user)
        source = self.request.GET.get("from", ArticleActivity.Source.DIRECT)
        if self.request.method == "GET":
            services.article_view_record(article=article, user=user, source=source)
        suggestion = SuggestionContextForm(self.request.GET)
        came_from = None
        if source == ArticleActivity.Source.SUGGESTION and suggestion.is_valid():
            portal = suggestion.cleaned_data["portal"]
            if portal:
                came_from = {
                    "portal": portal,
                    "summary": suggestion.cleaned_data["summary"],
                    "back_url": reverse(PORTAL_URLS[portal])
                    + "?"
                    + urlencode({"summary": suggestion.cleaned_data["summary"]}),
                }
        my_feedback = ArticleFeedback.objects.filter(article=article, user=user).first()
        return super().get_context_data(
            article=article,
            readable=readable,
            body_html=render_markdown(article.body) if readable else "",
            came_from=came_from,
            feedback_form=kwargs.pop("feedback_form", None)
            or FeedbackForm(
                initial={
                    "helpful": ("yes" if my_feedback.helpful else "no") if my_feedback else None
                }
            ),
            my_feedback=my_feedback,
            **kwargs,
        )


class ArticleFeedbackView(ArticleDetailView):
    http_method_names = ["post"]

    def post(self, request, slug):
        article = article_get_for_user(user=request.user, slug=slug)
        form = FeedbackForm(request.POST)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(feedback_form=form), status=400)
        try:
            services.article_feedback_give(
                article=article,
                user=request.user,
                helpful=form.cleaned_data["helpful"],
                comment=form.cleaned_data["comment"],
            )
        except PermissionDenied as exc:
            raise Http404("No such article.") from exc
        messages.success(request, _("Thank you for your feedback."))
        return redirect("knowledge:article-detail", slug=article.slug)


class ArticleAnsweredView(LoginRequiredMixin, View):
    """ "This answered my question" on a suggested article: a deflection, and the customer
    leaves the request form without filing."""

    http_method_names = ["post"]

    def post(self, request, slug):
        article = article_get_for_user(user=request.user, slug=slug)
        try:
            services.article_deflection_record(article=article, user=request.user)
        except PermissionDenied as exc:
            raise Http404("No such article.") from exc
        messages.success(
            request,
            _("Glad “%(title)s” answered your question. No request was filed.")
            % {"title": article.title},
        )
        return redirect("tickets:home")


class SuggestView(LoginRequiredMixin, View):
    """GET /articles/suggest/?q=...: up to five answers as JSON for the request forms."""

    def handle_no_permission(self):
        return JsonResponse({"error": _("Log in to see suggestions.")}, status=401)

    def get(self, request):
        query = request.GET.get("q", "")[:255]
        hits = suggestions(user=request.user, query=query)
        response = JsonResponse([hit.as_json() for hit in hits], safe=False)
        response["Cache-Control"] = "private, no-store"
        return response


class ArticleImageView(LoginRequiredMixin, View):
    """An article's picture, to whoever may read the article; shown inline, never sniffed."""

    def get(self, request, image_id):
        image = get_object_or_404(
            ArticleImage.objects.select_related("article__minimum_plan").filter(
                article__in=articles_visible_to(user=request.user)
            ),
            pk=image_id,
        )
        if not article_readable_by(article=image.article, user=request.user):
            raise Http404("No such image.")
        try:
            handle = image.file.open("rb")
        except FileNotFoundError as exc:
            raise Http404("The file is gone.") from exc
        response = FileResponse(handle, content_type=image.content_type)
        response["X-Content-Type-Options"] = "nosniff"
        response["Content-Security-Policy"] = "default-src 'none'; sandbox"
        response["Cache-Control"] = "private, max-age=3600"
        return response
