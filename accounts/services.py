"""Actions that change accounts and organizations."""

from uuid import uuid4

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.links import SECRET_LINK, secret_link_event_key
from accounts.models import (
    Membership,
    Organization,
    SecurityEvent,
    SignUpRequest,
    User,
)
from accounts.selectors import CURRENT_ORGANIZATION_SESSION_KEY, organization_get_for_user
from helpcenter.mail.services import outbound_email_queue


@transaction.atomic
def user_sign_up(
    *, email: str, password: str, full_name: str, organization_name: str, time_zone: str = ""
) -> None:
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
            email=email,
            password=password,
            full_name=full_name,
            time_zone=time_zone,
            is_active=False,
        )
    else:
        user.full_name = full_name
        user.time_zone = time_zone
        user.set_password(password)
        user.save(update_fields=["full_name", "time_zone", "password"])
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
def organization_create(*, name: str, owner: User) -> Organization:
    """A signed-in person without a team starts one: a new organization on Basic, with them as
    its owner, counting business hours in their zone."""
    name = " ".join(name.split())
    if Organization.objects.filter(name__iexact=name).exists():
        raise ValidationError(
            {
                "name": _(
                    "An organization with this name exists. Choose another name, or ask its "
                    "owners to invite you."
                )
            }
        )
    organization = Organization(name=name, time_zone=owner.time_zone or "UTC")
    organization.full_clean()
    organization.save()
    Membership.objects.create(user=owner, organization=organization, role=Membership.Role.OWNER)
    security_event_record(
        kind=SecurityEvent.Kind.MEMBERSHIP_ADDED,
        actor=owner,
        user=owner,
        organization=organization,
        detail="as Owner (created the organization)",
    )
    return organization


@transaction.atomic
def sign_up_verify(*, user: User, ip_address: str | None = None) -> tuple[User, Organization]:
    """The emailed link was followed: the account can log in, with its first organization
    (on Basic: no subscription row). A name taken meanwhile gets a number. The organization
    counts business hours in its founder's zone (from the browser at sign-up), else UTC."""
    request = SignUpRequest.objects.select_for_update().get(user=user)
    user.is_active = True
    user.time_zone = user.time_zone or "UTC"
    user.save(update_fields=["is_active", "time_zone"])
    organization = Organization.objects.create(
        name=_free_organization_name(request.organization_name), time_zone=user.time_zone
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


@transaction.atomic
def user_account_update(*, user: User, full_name: str, time_zone: str) -> User:
    """A person changes their name or the zone they read times in."""
    user.full_name = full_name
    user.time_zone = time_zone
    user.full_clean(validate_unique=False, exclude=["password"])
    user.save(update_fields=["full_name", "time_zone"])
    return user


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
    if not user.time_zone:
        # Until they choose one, people read times in their first organization's zone.
        user.time_zone = organization.time_zone
        user.save(update_fields=["time_zone"])
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
