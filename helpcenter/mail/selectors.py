"""Reads about the outbox."""

from datetime import timedelta

from django.utils import timezone

from helpcenter.mail.models import OutboundEmail


def outbound_email_oldest_pending_age() -> timedelta | None:
    """How long the oldest email still waiting to be sent has waited; None when none waits."""
    oldest = (
        OutboundEmail.objects.filter(status=OutboundEmail.Status.PENDING)
        .order_by("created_at")
        .values_list("created_at", flat=True)
        .first()
    )
    return None if oldest is None else timezone.now() - oldest
