"""The Celery side of the outbox: publishing a row to the worker, sending it, and the sweep.

Tasks take ids and are idempotent: `outbound_email_deliver` claims a row before it sends."""

import logging
import time

from celery import shared_task

from helpcenter.mail.delivery import (
    DeliveryDeferred,
    outbound_email_deliver,
    outbound_emails_to_sweep,
)

logger = logging.getLogger(__name__)

# After a failed publish, this process leaves the broker alone for a few seconds: the emails of
# the same request (and of the next ones) wait in the outbox for the sweep instead of each paying
# for a connection attempt. Keyed by broker URL; eager mode never pauses.
BROKER_PAUSE_SECONDS = 10
_broker_paused_until: dict[str, float] = {}


@shared_task(bind=True, max_retries=None, acks_late=True, reject_on_worker_lost=True)
def outbound_email_send(self, outbound_email_id: int) -> bool:
    """Send one outbox row; running it twice sends once. Delivery counts the attempts and
    marks the row failed after OUTBOUND_EMAIL_MAX_ATTEMPTS, so the retries end there."""
    try:
        return outbound_email_deliver(outbound_email_id=outbound_email_id)
    except DeliveryDeferred as deferred:
        if self.request.is_eager:
            # In-process (no broker), Celery would run the retry at once and recursively, every
            # attempt in the same web request. The row stays pending with its next_attempt_at;
            # the sweep sends it later.
            logger.warning("Email %s deferred; the sweep retries it", outbound_email_id)
            return False
        raise self.retry(countdown=deferred.countdown) from deferred


def outbound_email_dispatch(*, outbound_email_id: int) -> bool:
    """Hand the email to the worker (or send it in-process in eager mode); True when handed over."""
    return outbound_emails_dispatch(outbound_email_ids=[outbound_email_id])


def outbound_emails_dispatch(*, outbound_email_ids: list[int]) -> bool:
    """Hand the emails of one change to the worker in one publish (or send them in-process in
    eager mode); True when handed over.

    A broker that is down must neither fail nor slow the user's request: the publish gives up
    at once (CELERY_BROKER_TRANSPORT_OPTIONS, CELERY_TASK_PUBLISH_RETRY_POLICY), and the rows
    wait in the outbox for the sweep.
    """
    conf = outbound_email_send.app.conf
    broker = "" if conf.task_always_eager else str(conf.broker_url or "")
    if broker and _broker_paused_until.get(broker, 0.0) > time.monotonic():
        logger.info("Broker recently unavailable; emails %s wait for the sweep", outbound_email_ids)
        return False
    try:
        if len(outbound_email_ids) == 1:
            outbound_email_send.delay(outbound_email_ids[0])
        else:
            outbound_emails_send.delay(outbound_email_ids)
    except Exception as exc:  # noqa: BLE001 - any broker failure must not fail the user's request
        if broker:
            _broker_paused_until[broker] = time.monotonic() + BROKER_PAUSE_SECONDS
        logger.warning(
            "Broker unavailable (%s); emails %s wait for the sweep", exc, outbound_email_ids
        )
        return False
    return True


@shared_task(acks_late=True, reject_on_worker_lost=True)
def outbound_emails_send(outbound_email_ids: list[int]) -> int:
    """The emails of one change, published once by the web process: in the worker each goes on
    as its own task, with its own retries (running this twice still sends each once). Returns
    how many were handed on."""
    return sum(
        outbound_email_dispatch(outbound_email_id=outbound_email_id)
        for outbound_email_id in outbound_email_ids
    )


@shared_task
def outbound_email_sweep() -> int:
    """Re-enqueue the rows that wait too long; runs every minute from Celery beat and returns
    how many rows were handed to the worker."""
    return sum(outbound_email_dispatch(outbound_email_id=pk) for pk in outbound_emails_to_sweep())
