"""Who reads which article, and the numbers engineers see. The one place that decides access
to the knowledge base; requests come from `tickets.selectors.tickets_visible_to`."""

from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.http import Http404

from accounts.models import Membership, User
from accounts.selectors import organizations_for_user
from knowledge.models import Article, ArticleActivity, ArticleFeedback, Category
from plans.models import Plan
from plans.selectors import DEFAULT_PLAN_CODE
from tickets.models import Ticket
from tickets.selectors import is_support_engineer, tickets_visible_to

EDITOR_RANK = 10_000


def is_editor(*, user: User) -> bool:
    """Support engineers write articles and see drafts."""
    return is_support_engineer(user=user)


def reader_plan_rank(*, user: User) -> int:
    """The highest plan among the reader's organizations (Basic without one); engineers read
    everything."""
    if not user.is_authenticated:
        return -1
    if is_editor(user=user):
        return EDITOR_RANK
    ranks = organizations_for_user(user=user).values_list("subscription__plan__rank", flat=True)
    default_rank = Plan.objects.filter(code=DEFAULT_PLAN_CODE).values_list("rank", flat=True)
    known = [rank for rank in ranks if rank is not None]
    if len(known) < len(ranks) or not known:
        known.extend(default_rank)
    return max(known, default=0)


def readable_q(*, rank: int) -> Q:
    return Q(minimum_plan__isnull=True) | Q(minimum_plan__rank__lte=rank)


def articles_visible_to(*, user: User) -> QuerySet[Article]:
    """Published articles for every signed-in customer; drafts too for engineers. Premium
    articles are visible (title and upgrade path) but `article_readable_by` keeps the body."""
    if not user.is_authenticated:
        return Article.objects.none()
    if is_editor(user=user):
        return Article.objects.all()
    return Article.objects.filter(status=Article.Status.PUBLISHED)


def article_get_for_user(*, user: User, slug: str) -> Article:
    article = (
        articles_visible_to(user=user)
        .select_related("category", "minimum_plan")
        .prefetch_related("components")
        .filter(slug=str(slug))
        .first()
    )
    if article is None:
        raise Http404("No such article.")
    return article


def article_readable_by(*, article: Article, user: User, rank: int | None = None) -> bool:
    """May this reader see the body: visible, and their plan reaches the article's minimum."""
    if not articles_visible_to(user=user).filter(pk=article.pk).exists():
        return False
    if article.minimum_plan_id is None:
        return True
    rank = reader_plan_rank(user=user) if rank is None else rank
    return article.minimum_plan.rank <= rank


def articles_for_listing(*, user: User, category: Category | None = None) -> QuerySet[Article]:
    articles = articles_visible_to(user=user).select_related("category", "minimum_plan")
    if category is not None:
        articles = articles.filter(category=category)
    return articles.order_by("category__position", "category__name", "title")


def categories_with_counts(*, user: User) -> QuerySet[Category]:
    visible = articles_visible_to(user=user).values("pk")
    return Category.objects.annotate(
        article_count=Count("articles", filter=Q(articles__in=visible))
    ).order_by("position", "name")


def suggestable_requests(*, user: User) -> QuerySet[Ticket]:
    """Resolved requests of the reader's own organizations, shared with the organization: the
    access rule is `tickets_visible_to`; this only narrows it."""
    if not user.is_authenticated:
        return Ticket.objects.none()
    member_of = Membership.objects.filter(user=user).values("organization_id")
    return tickets_visible_to(user=user).filter(
        status__in=(Ticket.Status.RESOLVED, Ticket.Status.CLOSED),
        shared_with_organization=True,
        organization_id__in=member_of,
    )


def _count(model, **conditions):
    rows = (
        model.objects.filter(article=OuterRef("pk"), **conditions)
        .order_by()
        .values("article")
        .annotate(total=Count("pk"))
        .values("total")
    )
    return Coalesce(Subquery(rows, output_field=IntegerField()), Value(0))


def articles_with_stats(queryset: QuerySet[Article]) -> QuerySet[Article]:
    """Views, helpful and unhelpful votes and deflections per article, for the admin."""
    return queryset.annotate(
        view_count=_count(ArticleActivity, kind=ArticleActivity.Kind.VIEW),
        deflection_count=_count(ArticleActivity, kind=ArticleActivity.Kind.DEFLECTION),
        helpful_count=_count(ArticleFeedback, helpful=True),
        unhelpful_count=_count(ArticleFeedback, helpful=False),
    )
