"""Sending one outbox row at most once, and finding the rows that wait too long.

Imports only the outbox model: the Celery tasks call it, and nothing here publishes a task."""

import logging
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db.models import F, Q
from django.utils import timezone
from django.utils.module_loading import import_string

from helpcenter.mail.models import BouncingAddress, OutboundEmail

logger = logging.getLogger(__name__)

SWEEP_BATCH = 500


def _body_as_sent(email: OutboundEmail, body: str) -> str:
    """The body after OUTBOUND_EMAIL_BODY_FILTERS: secrets such as reset links are made only
    now, never stored in the row (the filters live in the apps that own them)."""
    for dotted_path in settings.OUTBOUND_EMAIL_BODY_FILTERS:
        body = import_string(dotted_path)(event_key=email.event_key, body=body)
    return body


class DeliveryDeferred(Exception):
    """The mail server refused or was unreachable; the row waits for another attempt."""

    def __init__(self, countdown: int):
        super().__init__(f"retry in {countdown}s")
        self.countdown = countdown


def _stale_claims_before(now):
    """A row claimed before this was being sent by a worker that died or was killed."""
    return now - timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT + 30)


def outbound_email_deliver(*, outbound_email_id: int) -> bool:
    """Send one outbox row at most once; True when it was sent by this call.

    The row is claimed by a conditional UPDATE before anything is sent, so a second task for the
    same row (a duplicate, a redelivery, the sweep) finds nothing to do. A claim older than the
    task time limit belongs to a worker that died, and may be taken over.
    """
    now = timezone.now()
    claimed = (
        OutboundEmail.objects.filter(pk=outbound_email_id)
        .filter(
            Q(status=OutboundEmail.Status.PENDING)
            | Q(status=OutboundEmail.Status.SENDING, claimed_at__lt=_stale_claims_before(now))
        )
        .update(status=OutboundEmail.Status.SENDING, claimed_at=now, attempts=F("attempts") + 1)
    )
    if not claimed:
        return False
    email = OutboundEmail.objects.get(pk=outbound_email_id)
    bounced = BouncingAddress.objects.filter(email=email.to_email.lower()).first()
    if bounced is not None:
        email.status = OutboundEmail.Status.FAILED
        email.last_error = (
            f"Not sent: {bounced.email} bounced on {bounced.last_bounced_at:%Y-%m-%d %H:%M} UTC. "
            "Confirm it under Bouncing addresses, then resend."
        )
        email.save(update_fields=["status", "last_error"])
        logger.info("Email %s not sent: %s is bouncing", email.pk, bounced.email)
        return False
    message = EmailMultiAlternatives(
        subject=email.subject,
        body=_body_as_sent(email, email.text_body),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[email.to_email],
        headers={**email.headers, "Message-ID": email.message_id},
    )
    if email.html_body:
        message.attach_alternative(_body_as_sent(email, email.html_body), "text/html")
    try:
        message.send()
    except Exception as exc:  # noqa: BLE001 - SMTP, network or time limit: never stay "sending"
        email.last_error = f"{type(exc).__name__}: {exc}"[:2000]
        if email.attempts >= settings.OUTBOUND_EMAIL_MAX_ATTEMPTS:
            email.status = OutboundEmail.Status.FAILED
            email.save(update_fields=["status", "last_error"])
            logger.error("Email %s failed for good: %s", email.pk, email.last_error)
            return False
        countdown = settings.OUTBOUND_EMAIL_RETRY_BASE_SECONDS * 2 ** (email.attempts - 1)
        email.status = OutboundEmail.Status.PENDING
        email.next_attempt_at = timezone.now() + timedelta(seconds=countdown)
        email.save(update_fields=["status", "last_error", "next_attempt_at"])
        logger.warning(
            "Email %s not sent (attempt %s): %s", email.pk, email.attempts, email.last_error
        )
        raise DeliveryDeferred(countdown) from exc
    email.status = OutboundEmail.Status.SENT
    email.sent_at = timezone.now()
    email.last_error = ""
    email.save(update_fields=["status", "sent_at", "last_error"])
    return True


def outbound_emails_to_sweep() -> list[int]:
    """Rows the broker never got, whose retry was lost, or whose worker died: oldest first."""
    now = timezone.now()
    return list(
        OutboundEmail.objects.filter(
            Q(status=OutboundEmail.Status.PENDING, next_attempt_at__lt=now - timedelta(minutes=1))
            | Q(status=OutboundEmail.Status.SENDING, claimed_at__lt=_stale_claims_before(now))
        )
        .order_by("next_attempt_at", "pk")
        .values_list("pk", flat=True)[:SWEEP_BATCH]
    )
