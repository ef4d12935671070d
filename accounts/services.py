"""Actions that change accounts and organizations."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import Membership, Organization, SecurityEvent, User
from accounts.selectors import CURRENT_ORGANIZATION_SESSION_KEY, organization_get_for_user


@transaction.atomic
def user_sign_up(
    *, email: str, password: str, full_name: str, organization_name: str
) -> tuple[User, Organization]:
    """A new customer with a first organization they own; no subscription row means Basic."""
    email = User.objects.normalize_email(email)
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
