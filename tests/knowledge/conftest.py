import pytest

from knowledge import services
from knowledge.models import Article, Category
from plans.models import Plan
from tickets import services as ticket_services


@pytest.fixture
def publish(engineer):
    """An article saved through the service, published unless told otherwise."""

    def make(
        title="Why a backup or restore fails",
        body="A restore stops when the target cluster has too little storage.",
        *,
        category="Backup & Restore",
        status=Article.Status.PUBLISHED,
        minimum_plan=None,
        editor=None,
    ):
        article = Article(
            title=title,
            body=body,
            category=Category.objects.get(name=category),
            status=status,
            minimum_plan=Plan.objects.get(code=minimum_plan) if minimum_plan else None,
        )
        return services.article_save(article=article, editor=editor or engineer)

    return make


@pytest.fixture
def resolved_request(engineer):
    """A request answered by an engineer and resolved, shared with the organization unless
    told otherwise."""

    def make(
        organization,
        reporter,
        *,
        summary="Restore from backup failed",
        description="The restore of last night's backup stopped after an hour.",
        shared=True,
        reply="The target had too little storage; scale out TiKV and retry.",
        resolve=True,
    ):
        ticket = ticket_services.ticket_create(
            reporter=reporter,
            portal="billing",
            organization=organization,
            severity="S3",
            summary=summary,
            description=description,
            shared_with_organization=shared,
        )
        if reply:
            ticket_services.ticket_comment_add(ticket=ticket, author=engineer, body=reply)
        if resolve:
            ticket = ticket_services.ticket_status_change(
                ticket=ticket, actor=engineer, to_status="resolved"
            )
        return ticket

    return make
