"""Thin tasks: they take ids, and the services re-read the rows and do the work."""

import logging

from celery import shared_task

from accounts import services

logger = logging.getLogger(__name__)


@shared_task(bind=True, max_retries=None, acks_late=True, reject_on_worker_lost=True)
def outbound_email_send(self, outbound_email_id: int) -> bool:
    """Send one outbox row; running it twice sends once. The service counts the attempts and
    marks the row failed after OUTBOUND_EMAIL_MAX_ATTEMPTS, so the retries end there."""
    try:
        return services.outbound_email_deliver(outbound_email_id=outbound_email_id)
    except services.DeliveryDeferred as deferred:
        if self.request.is_eager:
            # In-process (no broker), Celery would run the retry at once and recursively, every
            # attempt in the same web request. The row stays pending with its next_attempt_at;
            # the sweep sends it later.
            logger.warning("Email %s deferred; the sweep retries it", outbound_email_id)
            return False
        raise self.retry(countdown=deferred.countdown) from deferred


@shared_task
def outbound_email_sweep() -> int:
    return services.outbound_email_sweep()
