"""Sending one delivery at most once, and finding the ones that wait too long.

The row is claimed by a conditional UPDATE before the POST, so a duplicate task, a retry and
the sweep never send it twice; a claim older than the task time limit belongs to a worker that
died and may be taken over. Receivers can also drop repeats by the X-Helpcenter-Delivery id."""

import json
import logging
import urllib.error
import urllib.request
from datetime import timedelta

from django.conf import settings
from django.db.models import F, Q
from django.utils import timezone

from helpcenter.webhooks.models import WebhookDelivery
from helpcenter.webhooks.signing import SIGNATURE_HEADER, signature_header

logger = logging.getLogger(__name__)

SWEEP_BATCH = 500
RESPONSE_SNIPPET = 500


class DeliveryDeferred(Exception):
    """The endpoint refused or was unreachable; the row waits for another attempt."""

    def __init__(self, countdown: int):
        super().__init__(f"retry in {countdown}s")
        self.countdown = countdown


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """A redirect is an answer, not a new address to post the event to."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


_opener = urllib.request.build_opener(_NoRedirects)


def _stale_claims_before(now):
    return now - timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT + 30)


def _post(delivery: WebhookDelivery) -> int:
    """POST the signed event; returns the HTTP status, raises on a network failure."""
    body = json.dumps(delivery.payload, separators=(",", ":"), sort_keys=True).encode()
    request = urllib.request.Request(
        delivery.endpoint.url,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json",
            "User-Agent": "TiDB-Cloud-Help-Center-Webhooks/1",
            "X-Helpcenter-Event": delivery.event,
            "X-Helpcenter-Delivery": str(delivery.pk),
            SIGNATURE_HEADER: signature_header(secret=delivery.endpoint.secret, body=body),
        },
    )
    try:
        with _opener.open(request, timeout=settings.WEBHOOK_TIMEOUT_SECONDS) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def webhook_deliver(*, delivery_id: int) -> bool:
    """Send one delivery at most once; True when this call delivered it (a 2xx answer)."""
    now = timezone.now()
    claimed = (
        WebhookDelivery.objects.filter(pk=delivery_id, endpoint__is_active=True)
        .filter(
            Q(status=WebhookDelivery.Status.PENDING)
            | Q(status=WebhookDelivery.Status.SENDING, claimed_at__lt=_stale_claims_before(now))
        )
        .update(status=WebhookDelivery.Status.SENDING, claimed_at=now, attempts=F("attempts") + 1)
    )
    if not claimed:
        return False
    delivery = WebhookDelivery.objects.select_related("endpoint").get(pk=delivery_id)
    try:
        status = _post(delivery)
        error = "" if 200 <= status < 300 else f"HTTP {status}"
    except Exception as exc:  # noqa: BLE001 - DNS, TLS, timeout: never stay "sending"
        status, error = None, f"{type(exc).__name__}: {exc}"
    delivery.response_status = status
    if not error:
        delivery.status = WebhookDelivery.Status.DELIVERED
        delivery.delivered_at = timezone.now()
        delivery.last_error = ""
        delivery.save(update_fields=["status", "delivered_at", "last_error", "response_status"])
        return True
    delivery.last_error = error[:2000]
    if delivery.attempts >= settings.WEBHOOK_MAX_ATTEMPTS:
        delivery.status = WebhookDelivery.Status.FAILED
        delivery.save(update_fields=["status", "last_error", "response_status"])
        logger.error("Webhook delivery %s failed for good: %s", delivery.pk, error)
        return False
    countdown = settings.WEBHOOK_RETRY_BASE_SECONDS * 2 ** (delivery.attempts - 1)
    delivery.status = WebhookDelivery.Status.PENDING
    delivery.next_attempt_at = timezone.now() + timedelta(seconds=countdown)
    delivery.save(update_fields=["status", "last_error", "response_status", "next_attempt_at"])
    logger.warning(
        "Webhook delivery %s not delivered (%s); retry in %ss", delivery.pk, error, countdown
    )
    raise DeliveryDeferred(countdown)


def webhook_deliveries_to_sweep() -> list[int]:
    """Rows the broker never got, whose retry was lost, or whose worker died: oldest first."""
    now = timezone.now()
    return list(
        WebhookDelivery.objects.filter(endpoint__is_active=True)
        .filter(
            Q(status=WebhookDelivery.Status.PENDING, next_attempt_at__lt=now - timedelta(minutes=1))
            | Q(status=WebhookDelivery.Status.SENDING, claimed_at__lt=_stale_claims_before(now))
        )
        .order_by("next_attempt_at", "pk")
        .values_list("pk", flat=True)[:SWEEP_BATCH]
    )
