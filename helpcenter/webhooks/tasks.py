"""The Celery side of the webhook outbox: publishing a delivery, sending it, and the sweep."""

import logging

from celery import shared_task

from helpcenter.webhooks.delivery import (
    DeliveryDeferred,
    webhook_deliver,
    webhook_deliveries_to_sweep,
)

logger = logging.getLogger(__name__)


@shared_task(bind=True, max_retries=None, acks_late=True, reject_on_worker_lost=True)
def webhook_send(self, delivery_id: int) -> bool:
    """Send one delivery; running it twice sends once. Delivery counts the attempts and marks
    the row failed after WEBHOOK_MAX_ATTEMPTS, so the retries end there."""
    try:
        return webhook_deliver(delivery_id=delivery_id)
    except DeliveryDeferred as deferred:
        if self.request.is_eager:
            logger.warning("Webhook delivery %s deferred; the sweep retries it", delivery_id)
            return False
        raise self.retry(countdown=deferred.countdown) from deferred


def webhook_dispatch(*, delivery_id: int) -> bool:
    """Hand the delivery to the worker; a broker that is down leaves it for the sweep and never
    fails the request that caused the event."""
    try:
        webhook_send.delay(delivery_id)
    except Exception as exc:  # noqa: BLE001 - any broker failure must not fail the user's request
        logger.warning("Broker unavailable (%s); webhook %s waits for the sweep", exc, delivery_id)
        return False
    return True


@shared_task
def webhook_sweep() -> int:
    """Re-enqueue the deliveries that wait too long; runs every minute from Celery beat."""
    return sum(webhook_dispatch(delivery_id=pk) for pk in webhook_deliveries_to_sweep())
