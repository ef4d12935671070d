"""Actions that change accounts, organizations and the email outbox."""

import logging
from datetime import timedelta
from smtplib import SMTPException

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Cluster, Membership, Organization, OutboundEmail, User
from accounts.selectors import CURRENT_ORGANIZATION_SESSION_KEY, organization_get_for_user

logger = logging.getLogger(__name__)


@transaction.atomic
def user_sign_up(
    *, email: str, password: str, full_name: str, organization_name: str
) -> tuple[User, Organization]:
    """A new customer with a first organization they own; no subscription row means Basic."""
    email = User.objects.normalize_email(email).lower()
    if User.objects.filter(email__iexact=email).exists():
        raise ValidationError({"email": _("An account with this email address already exists.")})
    if Organization.objects.filter(name__iexact=organization_name).exists():
        raise ValidationError(
            {"organization_name": _("An organization with this name already exists.")}
        )
    user = User.objects.create_user(email=email, password=password, full_name=full_name)
    organization = Organization.objects.create(name=organization_name)
    Membership.objects.create(user=user, organization=organization, role=Membership.Role.OWNER)
    return user, organization


def organization_switch(*, user: User, session, organization_id) -> Organization:
    organization = organization_get_for_user(user=user, organization_id=organization_id)
    session[CURRENT_ORGANIZATION_SESSION_KEY] = organization.pk
    return organization


@transaction.atomic
def cluster_create(
    *, organization: Organization, name: str, tier: str, region: str, version: str, environment: str
) -> Cluster:
    cluster = Cluster(
        organization=organization,
        name=name,
        tier=tier,
        region=region,
        version=version,
        environment=environment,
    )
    cluster.full_clean()
    cluster.save()
    return cluster


class DeliveryDeferred(Exception):
    """The mail server refused or was unreachable; the row waits for another attempt."""

    def __init__(self, countdown: int):
        super().__init__(f"retry in {countdown}s")
        self.countdown = countdown


def outbound_email_queue(
    *, event_key: str, to_email: str, template_name: str, context: dict
) -> OutboundEmail | None:
    """Record one email in the outbox and send it after commit; None when already queued.

    Call inside the transaction that changes state, so the email exists exactly when the change does.
    """
    context = {"site_url": settings.SITE_URL, **context}
    subject = " ".join(render_to_string(f"emails/{template_name}.subject.txt", context).split())
    try:
        with transaction.atomic():
            email = OutboundEmail.objects.create(
                event_key=event_key[:200],
                to_email=to_email,
                subject=subject[:300],
                text_body=render_to_string(f"emails/{template_name}.txt", context),
                html_body=render_to_string(f"emails/{template_name}.html", context),
            )
    except IntegrityError:
        return None
    transaction.on_commit(lambda: outbound_email_dispatch(outbound_email_id=email.pk))
    return email


def outbound_email_dispatch(*, outbound_email_id: int) -> None:
    """Hand the email to the worker; a broker that is down leaves the row for the sweep."""
    from accounts.tasks import outbound_email_send

    try:
        outbound_email_send.delay(outbound_email_id)
    except Exception:  # noqa: BLE001 - any broker failure must not fail the user's request
        logger.warning("Broker unavailable; email %s waits for the sweep", outbound_email_id)


def outbound_email_deliver(*, outbound_email_id: int) -> bool:
    """Send one outbox row at most once; True when it was sent by this call."""
    now = timezone.now()
    stale_before = now - timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT + 30)
    claimed = (
        OutboundEmail.objects.filter(pk=outbound_email_id)
        .filter(
            Q(status=OutboundEmail.Status.PENDING)
            | Q(status=OutboundEmail.Status.SENDING, claimed_at__lt=stale_before)
        )
        .update(status=OutboundEmail.Status.SENDING, claimed_at=now, attempts=F("attempts") + 1)
    )
    if not claimed:
        return False
    email = OutboundEmail.objects.get(pk=outbound_email_id)
    message = EmailMultiAlternatives(
        subject=email.subject,
        body=email.text_body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[email.to_email],
    )
    if email.html_body:
        message.attach_alternative(email.html_body, "text/html")
    try:
        message.send()
    except (SMTPException, OSError) as exc:
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
        raise DeliveryDeferred(countdown) from exc
    email.status = OutboundEmail.Status.SENT
    email.sent_at = timezone.now()
    email.last_error = ""
    email.save(update_fields=["status", "sent_at", "last_error"])
    return True


def outbound_email_sweep() -> int:
    """Re-enqueue rows the broker never got, or whose worker died; returns how many."""
    now = timezone.now()
    waiting = OutboundEmail.objects.filter(
        Q(status=OutboundEmail.Status.PENDING, next_attempt_at__lt=now - timedelta(minutes=1))
        | Q(
            status=OutboundEmail.Status.SENDING,
            claimed_at__lt=now - timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT + 30),
        )
    ).values_list("pk", flat=True)
    ids = list(waiting[:500])
    for outbound_email_id in ids:
        outbound_email_dispatch(outbound_email_id=outbound_email_id)
    return len(ids)


@transaction.atomic
def outbound_email_resend(*, outbound_email_ids: list[int]) -> int:
    """An administrator gives failed emails another round of attempts."""
    ids = list(
        OutboundEmail.objects.filter(
            pk__in=outbound_email_ids, status=OutboundEmail.Status.FAILED
        ).values_list("pk", flat=True)
    )
    OutboundEmail.objects.filter(pk__in=ids).update(
        status=OutboundEmail.Status.PENDING, attempts=0, next_attempt_at=timezone.now()
    )
    for outbound_email_id in ids:
        transaction.on_commit(
            lambda pk=outbound_email_id: outbound_email_dispatch(outbound_email_id=pk)
        )
    return len(ids)
