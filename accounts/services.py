"""Actions that change accounts, organizations and the email outbox."""

import logging
import time
from datetime import timedelta
from uuid import uuid4

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.template import Context
from django.template.loader import get_template, render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.links import SECRET_LINK, secret_link_event_key, secret_link_fill
from accounts.models import (
    Membership,
    Organization,
    OutboundEmail,
    SecurityEvent,
    SignUpRequest,
    User,
)
from accounts.selectors import CURRENT_ORGANIZATION_SESSION_KEY, organization_get_for_user

logger = logging.getLogger(__name__)


@transaction.atomic
def user_sign_up(*, email: str, password: str, full_name: str, organization_name: str) -> None:
    """Sign up, answered the same way whether or not the address has an account.

    A new address gets an inactive account and the verification email (nothing the registrant
    typed is in it); the organization is created when the link is followed. An address that
    already has an account is told how to reset its password instead."""
    email = User.objects.normalize_email(email).lower()
    user = User.objects.filter(email__iexact=email).first()
    pending = user is not None and not user.is_active and hasattr(user, "sign_up_request")
    if user is not None and not pending:
        make_password(password)  # the same work as a new sign-up: no timing difference
        if user.is_active:
            outbound_email_queue(
                event_key=f"sign-up-existing:{user.pk}:{uuid4().hex}",
                to_email=user.email,
                template_name="sign_up_existing",
                context={"reset_url": settings.SITE_URL + reverse("password_reset")},
            )
        return
    if user is None:
        user = User.objects.create_user(
            email=email, password=password, full_name=full_name, is_active=False
        )
    else:
        user.full_name = full_name
        user.set_password(password)
        user.save(update_fields=["full_name", "password"])
    SignUpRequest.objects.update_or_create(
        user=user, defaults={"organization_name": organization_name}
    )
    outbound_email_queue(
        event_key=secret_link_event_key("sign-up", user),
        to_email=user.email,
        template_name="sign_up_verify",
        context={"secret_link": SECRET_LINK},
    )


def _free_organization_name(name: str) -> str:
    candidate, number = name, 1
    while Organization.objects.filter(name__iexact=candidate).exists():
        number += 1
        candidate = f"{name[:112]} ({number})"
    return candidate


@transaction.atomic
def sign_up_verify(*, user: User, ip_address: str | None = None) -> tuple[User, Organization]:
    """The emailed link was followed: the account can log in, with its first organization
    (on Basic: no subscription row). A name taken meanwhile gets a number."""
    request = SignUpRequest.objects.select_for_update().get(user=user)
    user.is_active = True
    user.save(update_fields=["is_active"])
    organization = Organization.objects.create(
        name=_free_organization_name(request.organization_name)
    )
    Membership.objects.create(user=user, organization=organization, role=Membership.Role.OWNER)
    request.delete()
    security_event_record(
        kind=SecurityEvent.Kind.SIGN_UP_VERIFIED,
        actor=user,
        user=user,
        organization=organization,
        ip_address=ip_address,
    )
    return user, organization


def security_event_record(
    *,
    kind: str,
    actor: User | None = None,
    user: User | None = None,
    organization: Organization | None = None,
    identifier: str = "",
    ip_address: str | None = None,
    detail: str = "",
) -> SecurityEvent:
    """One audit row; `actor` did it, `user` is the account it concerns."""
    return SecurityEvent.objects.create(
        kind=kind,
        actor=actor if actor is not None and actor.pk else None,
        user=user,
        organization=organization,
        identifier=identifier[:254],
        ip_address=ip_address or None,
        detail=detail[:300],
    )


@transaction.atomic
def membership_add(
    *,
    organization: Organization,
    user: User,
    role: str = Membership.Role.MEMBER,
    actor: User | None,
) -> Membership:
    """Make `user` a member of `organization`, recording who added them."""
    membership = Membership(organization=organization, user=user, role=role)
    membership.full_clean()
    membership.save()
    security_event_record(
        kind=SecurityEvent.Kind.MEMBERSHIP_ADDED,
        actor=actor,
        user=user,
        organization=organization,
        detail=f"as {membership.get_role_display()}",
    )
    return membership


@transaction.atomic
def membership_remove(*, membership: Membership, actor: User | None) -> None:
    """End a membership, recording who removed whom.

    Access to the organization's requests follows membership (`tickets_visible_to`), so the
    person loses its request pages, comments, files, export rows and emails at once; the
    current-organization choice in their sessions falls back to one they still belong to."""
    security_event_record(
        kind=SecurityEvent.Kind.MEMBERSHIP_REMOVED,
        actor=actor,
        user=membership.user,
        organization=membership.organization,
        detail=f"was {membership.get_role_display()}",
    )
    membership.delete()


def organization_switch(*, user: User, session, organization_id) -> Organization:
    organization = organization_get_for_user(user=user, organization_id=organization_id)
    session[CURRENT_ORGANIZATION_SESSION_KEY] = organization.pk
    return organization


class DeliveryDeferred(Exception):
    """The mail server refused or was unreachable; the row waits for another attempt."""

    def __init__(self, countdown: int):
        super().__init__(f"retry in {countdown}s")
        self.countdown = countdown


# After a failed publish, this process leaves the broker alone for a few seconds: the emails of
# the same request (and of the next ones) wait in the outbox for the sweep instead of each paying
# for a connection attempt. Keyed by broker URL; eager mode never pauses.
BROKER_PAUSE_SECONDS = 10
_broker_paused_until: dict[str, float] = {}


def _render_plain(template_name: str, context: dict) -> str:
    """A subject or text part: rendered without HTML escaping (an "&" in a summary stays "&")."""
    return get_template(template_name).template.render(Context(context, autoescape=False))


def _stale_claims_before(now):
    """A row claimed before this was being sent by a worker that died or was killed."""
    return now - timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT + 30)


def outbound_email_queue(
    *, event_key: str, to_email: str, template_name: str, context: dict
) -> OutboundEmail | None:
    """Record one email in the outbox and send it after commit; None when already queued.

    Call inside the transaction that changes state, so the email exists exactly when the change
    does.
    """
    context = {"site_url": settings.SITE_URL, **context}
    subject = " ".join(_render_plain(f"emails/{template_name}.subject.txt", context).split())
    try:
        with transaction.atomic():
            email = OutboundEmail.objects.create(
                event_key=event_key[:200],
                to_email=to_email,
                subject=subject[:300],
                text_body=_render_plain(f"emails/{template_name}.txt", context),
                html_body=render_to_string(f"emails/{template_name}.html", context),
            )
    except IntegrityError:
        return None
    transaction.on_commit(lambda: outbound_email_dispatch(outbound_email_id=email.pk))
    return email


def outbound_email_dispatch(*, outbound_email_id: int) -> bool:
    """Hand the email to the worker (or send it in-process in eager mode); True when handed over.

    A broker that is down must neither fail nor slow the user's request: the publish gives up
    at once (CELERY_BROKER_TRANSPORT_OPTIONS, CELERY_TASK_PUBLISH_RETRY_POLICY), and the row
    waits in the outbox for the sweep.
    """
    from accounts.tasks import outbound_email_send

    conf = outbound_email_send.app.conf
    broker = "" if conf.task_always_eager else str(conf.broker_url or "")
    if broker and _broker_paused_until.get(broker, 0.0) > time.monotonic():
        logger.info("Broker recently unavailable; email %s waits for the sweep", outbound_email_id)
        return False
    try:
        outbound_email_send.delay(outbound_email_id)
    except Exception as exc:  # noqa: BLE001 - any broker failure must not fail the user's request
        if broker:
            _broker_paused_until[broker] = time.monotonic() + BROKER_PAUSE_SECONDS
        logger.warning(
            "Broker unavailable (%s); email %s waits for the sweep", exc, outbound_email_id
        )
        return False
    return True


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
    message = EmailMultiAlternatives(
        subject=email.subject,
        body=secret_link_fill(event_key=email.event_key, body=email.text_body),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[email.to_email],
    )
    if email.html_body:
        message.attach_alternative(
            secret_link_fill(event_key=email.event_key, body=email.html_body), "text/html"
        )
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


def outbound_email_sweep() -> int:
    """Re-enqueue rows the broker never got, whose retry was lost, or whose worker died.

    Runs every minute from Celery beat; returns how many rows were handed to the worker.
    """
    now = timezone.now()
    ids = list(
        OutboundEmail.objects.filter(
            Q(status=OutboundEmail.Status.PENDING, next_attempt_at__lt=now - timedelta(minutes=1))
            | Q(status=OutboundEmail.Status.SENDING, claimed_at__lt=_stale_claims_before(now))
        )
        .order_by("next_attempt_at", "pk")
        .values_list("pk", flat=True)[:500]
    )
    return sum(outbound_email_dispatch(outbound_email_id=pk) for pk in ids)


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


RECOVERY_CODE_COUNT = 10


def _second_factor_devices(*, user: User, token: str):
    """Six digits are an authenticator code; anything else is tried as a recovery code. Only
    the matching kind is tried, so a wrong code never throttles the other kind."""
    if token.isdigit() and len(token) == 6:
        return TOTPDevice.objects.devices_for_user(user, confirmed=True)
    return StaticDevice.objects.devices_for_user(user, confirmed=True)


@transaction.atomic
def second_factor_verify(*, user: User, token: str, ip_address: str | None = None):
    """The confirmed device `token` is valid for (a recovery code is used up), or None.

    Each device throttles its own failures (django-otp), so codes cannot be guessed quickly."""
    token = "".join(str(token).split()).lower()
    for device in _second_factor_devices(user=user, token=token):
        allowed, _extra = device.verify_is_allowed()
        if allowed and device.verify_token(token):
            return device
    security_event_record(
        kind=SecurityEvent.Kind.SECOND_FACTOR_FAILED, user=user, ip_address=ip_address
    )
    return None


@transaction.atomic
def totp_device_start(*, user: User):
    """The authenticator to enrol: the pending one, or a new random secret."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    return device or TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=False)


@transaction.atomic
def totp_device_confirm(*, device, token: str, ip_address: str | None = None) -> list[str]:
    """Turn on two factors once the app shows the right code; returns the new one-time
    recovery codes (replacing any earlier ones), shown to the person once."""
    token = "".join(str(token).split())
    if not (token.isdigit() and device.verify_token(token)):
        raise ValidationError(
            {"otp_token": _("That code is not right. Check the time on your phone and try again.")}
        )
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    user = device.user
    StaticDevice.objects.filter(user=user).delete()
    recovery = StaticDevice.objects.create(user=user, name="Recovery codes", confirmed=True)
    codes = [StaticToken.random_token() for _index in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create(StaticToken(device=recovery, token=code) for code in codes)
    security_event_record(
        kind=SecurityEvent.Kind.SECOND_FACTOR_ENROLLED,
        actor=user,
        user=user,
        ip_address=ip_address,
        detail=device.name,
    )
    return codes
