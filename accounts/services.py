"""Actions that change accounts and organizations."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import Membership, Organization, User
from accounts.selectors import CURRENT_ORGANIZATION_SESSION_KEY, organization_get_for_user


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
