"""Webhooks as the apps use them: owners register and remove endpoints and redeliver failures;
the tickets app queues events inside the transaction that changes the request."""

import ipaddress
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Organization, User
from accounts.selectors import is_owner
from helpcenter.webhooks.models import WebhookDelivery, WebhookEndpoint, WebhookEvent
from helpcenter.webhooks.selectors import webhook_endpoints_active
from helpcenter.webhooks.tasks import webhook_dispatch

LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1"}


def _require_owner(*, user: User, organization: Organization) -> None:
    if not is_owner(user=user, organization=organization):
        raise PermissionDenied(
            _("Only an owner of %(org)s manages its webhooks.") % {"org": organization.name}
        )


def webhook_url_check(url: str) -> None:
    """HTTPS to a public host. Plain http to this machine only where WEBHOOK_ALLOW_LOCAL_HTTP
    is on (development and tests), so a local receiver can be used."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if parts.scheme == "http" and host in LOCAL_HOSTS and settings.WEBHOOK_ALLOW_LOCAL_HTTP:
        return
    if parts.scheme != "https" or not host:
        raise ValidationError({"url": _("Use an https:// address.")})
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        if host == "localhost" or host.endswith((".localhost", ".local", ".internal")):
            raise ValidationError({"url": _("Use a public address.")}) from None
        return
    if not address.is_global:
        raise ValidationError({"url": _("Use a public address.")})


@transaction.atomic
def webhook_endpoint_create(
    *, actor: User, organization: Organization, url: str, events: list[str]
) -> WebhookEndpoint:
    _require_owner(user=actor, organization=organization)
    webhook_url_check(url)
    unknown = set(events) - set(WebhookEvent.values)
    if not events or unknown:
        raise ValidationError({"events": _("Choose at least one of the listed events.")})
    endpoint = WebhookEndpoint(
        organization=organization, url=url, events=sorted(set(events)), created_by=actor
    )
    endpoint.full_clean()
    try:
        with transaction.atomic():
            endpoint.save()
    except IntegrityError as exc:
        raise ValidationError({"url": _("This address is already registered.")}) from exc
    return endpoint


@transaction.atomic
def webhook_endpoint_delete(*, actor: User, endpoint: WebhookEndpoint) -> None:
    _require_owner(user=actor, organization=endpoint.organization)
    endpoint.delete()


def webhook_event_queue(
    *, organization: Organization, event: str, event_key: str, payload: dict
) -> list[WebhookDelivery]:
    """One delivery per subscribed endpoint, sent after commit; an event already queued for an
    endpoint is not queued again. Call inside the transaction that changes state."""
    deliveries = []
    for endpoint in webhook_endpoints_active(organization_id=organization.pk):
        if event not in endpoint.events:
            continue
        try:
            with transaction.atomic():
                delivery = WebhookDelivery.objects.create(
                    endpoint=endpoint,
                    event_key=event_key[:200],
                    event=event,
                    payload={"id": event_key, "event": event, **payload},
                )
        except IntegrityError:
            continue
        transaction.on_commit(lambda pk=delivery.pk: webhook_dispatch(delivery_id=pk))
        deliveries.append(delivery)
    return deliveries


@transaction.atomic
def webhook_redeliver(*, actor: User, delivery: WebhookDelivery) -> WebhookDelivery:
    """An owner (or an administrator, with actor=None) gives a failed delivery another round."""
    if actor is not None:
        _require_owner(user=actor, organization=delivery.endpoint.organization)
    if delivery.status != WebhookDelivery.Status.FAILED:
        raise ValidationError(_("Only a failed delivery can be sent again."))
    delivery.status = WebhookDelivery.Status.PENDING
    delivery.attempts = 0
    delivery.next_attempt_at = timezone.now()
    delivery.save(update_fields=["status", "attempts", "next_attempt_at"])
    transaction.on_commit(lambda: webhook_dispatch(delivery_id=delivery.pk))
    return delivery
