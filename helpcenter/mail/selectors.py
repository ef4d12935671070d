"""Reads about the outbox."""

from datetime import timedelta

from django.utils import timezone

from helpcenter.mail.models import BouncingAddress, OutboundEmail


def outbound_email_oldest_pending_age() -> timedelta | None:
    """How long the oldest email still waiting to be sent has waited; None when none waits."""
    oldest = (
        OutboundEmail.objects.filter(status=OutboundEmail.Status.PENDING)
        .order_by("created_at")
        .values_list("created_at", flat=True)
        .first()
    )
    return None if oldest is None else timezone.now() - oldest


def outbound_email_replied_to(*, message_ids: list[str]) -> OutboundEmail | None:
    """The outbox row an incoming message answers, from its In-Reply-To and References ids
    (with or without angle brackets): the latest such row that we sent. None when none is ours."""
    wanted = {f"<{value.strip().strip('<>')}>" for value in message_ids if value.strip("<> \t")}
    if not wanted:
        return None
    return OutboundEmail.objects.filter(message_id__in=wanted).order_by("-pk").first()


def outbound_email_ever_sent_to(*, email: str) -> bool:
    """Whether the outbox holds an email to this address (a bounce about any other is not ours)."""
    return OutboundEmail.objects.filter(to_email__iexact=email).exists()


def is_bouncing(*, email: str) -> bool:
    return BouncingAddress.objects.filter(email=email.strip().lower()).exists()
