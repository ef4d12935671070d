from functools import cache

from django.db.models import QuerySet
from django.http import Http404

from accounts.models import Organization
from helpcenter.sql import ORGANIZATION, filled, instances
from helpcenter.webhooks.models import WebhookDelivery, WebhookEndpoint

RECENT_DELIVERIES = 50


def webhook_endpoints_for(*, organization: Organization) -> QuerySet[WebhookEndpoint]:
    return WebhookEndpoint.objects.filter(organization=organization).order_by("url", "pk")


@cache
def _active_endpoints_query() -> tuple[str, tuple]:
    endpoints = webhook_endpoints_for(organization=Organization(pk=ORGANIZATION))
    endpoints = endpoints.filter(is_active=True)
    return endpoints.query.get_compiler(using=endpoints.db).as_sql()


def webhook_endpoints_active(*, organization_id: int) -> list[WebhookEndpoint]:
    """The organization's active endpoints, in `webhook_endpoints_for`'s order. Every event of
    a shared request asks, inside the filing's transaction: the query is compiled to SQL once
    per process, since building it through the ORM cost more than running it."""
    sql, params = _active_endpoints_query()
    params = filled(params, {ORGANIZATION: organization_id})
    return instances(WebhookEndpoint, sql, params)


def webhook_endpoint_get(*, organization: Organization, endpoint_id) -> WebhookEndpoint:
    try:
        return webhook_endpoints_for(organization=organization).get(pk=int(endpoint_id))
    except (WebhookEndpoint.DoesNotExist, TypeError, ValueError) as exc:
        raise Http404("No such webhook.") from exc


def webhook_recent_deliveries(*, organization: Organization) -> QuerySet[WebhookDelivery]:
    return (
        WebhookDelivery.objects.filter(endpoint__organization=organization)
        .select_related("endpoint")
        .order_by("-created_at", "-pk")[:RECENT_DELIVERIES]
    )


def webhook_delivery_get(*, organization: Organization, delivery_id) -> WebhookDelivery:
    try:
        return WebhookDelivery.objects.select_related("endpoint__organization").get(
            pk=int(delivery_id), endpoint__organization=organization
        )
    except (WebhookDelivery.DoesNotExist, TypeError, ValueError) as exc:
        raise Http404("No such delivery.") from exc
