"""Personal API tokens: creating, revoking and recognising them. The API's authentication and
the "API tokens" page both call these."""

import hashlib
import secrets
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import ApiToken, User

TOKEN_PREFIX = "hc_"
TOKEN_LIFETIMES_DAYS = (30, 90, 365)
MAX_LIFETIME_DAYS = 365
# Writing "last used" on every request would turn every read into a write; once a minute (or
# when the address changes) is precise enough for a person checking the page.
LAST_USED_PRECISION = timedelta(minutes=1)


def _digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


@transaction.atomic
def api_token_create(
    *,
    user: User,
    name: str,
    days: int,
    scope: str = ApiToken.Scope.READ,
    second_factor_verified: bool = False,
) -> tuple[ApiToken, str]:
    """A new token and its secret; the secret is not stored and cannot be shown again.

    A token skips the login, so staff (support engineers) get one only in a session verified
    with their second factor; the operators' command vouches for itself."""
    if not user.is_active:
        raise ValidationError(_("This account is disabled."))
    if user.is_staff and not second_factor_verified:
        raise ValidationError(
            _(
                "Support engineers create tokens only after signing in with their second "
                "factor. Sign in again with your authenticator code, then create the token."
            )
        )
    if not 1 <= days <= MAX_LIFETIME_DAYS:
        raise ValidationError(
            {"days": _("A token lives 1 to %(max)d days.") % {"max": MAX_LIFETIME_DAYS}}
        )
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        user=user,
        name=name.strip(),
        prefix=raw[:10],
        digest=_digest(raw),
        scope=scope,
        expires_at=timezone.now() + timedelta(days=days),
    )
    token.full_clean()
    token.save()
    return token, raw


def api_tokens_for_user(*, user: User) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(user=user).order_by("-created_at", "-pk")


@transaction.atomic
def api_token_revoke(*, user: User, token_id) -> ApiToken:
    """Only the owner revokes their token; someone else's token is a 404 like a missing one."""
    try:
        token = api_tokens_for_user(user=user).select_for_update().get(pk=int(token_id))
    except (ApiToken.DoesNotExist, TypeError, ValueError) as exc:
        raise Http404("No such token.") from exc
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
    return token


def api_token_authenticate(*, raw: str) -> ApiToken | None:
    """The live token for this secret, with its user; None when unknown, revoked or expired."""
    if not raw.startswith(TOKEN_PREFIX):
        return None
    return (
        ApiToken.objects.select_related("user")
        .filter(
            digest=_digest(raw),
            revoked_at__isnull=True,
            expires_at__gt=timezone.now(),
            user__is_active=True,
        )
        .first()
    )


def api_token_mark_used(*, token: ApiToken, address: str | None) -> None:
    now = timezone.now()
    recent = token.last_used_at and now - token.last_used_at < LAST_USED_PRECISION
    if recent and token.last_used_ip == address:
        return
    token.last_used_at, token.last_used_ip = now, address
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=now, last_used_ip=address)
