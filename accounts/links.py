"""Links that grant something (choosing a new password, verifying a sign-up) are made when the
email is sent and never stored: the outbox row holds SECRET_LINK in their place, so neither the
database nor the admin ever holds a working link."""

from uuid import uuid4

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core import signing
from django.urls import reverse
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from accounts.models import User

SECRET_LINK = "[link made when the email is sent]"
SIGN_UP_SALT = "accounts.sign-up-verification"


def _sign_up_state(user: User) -> str:
    """Changes when the account is activated or signed up for again: a link works once."""
    value = f"{user.pk}:{user.email}:{user.is_active}:{user.password}"
    return salted_hmac(SIGN_UP_SALT, value).hexdigest()[:24]


def sign_up_token(user: User) -> str:
    return signing.dumps({"user": user.pk, "state": _sign_up_state(user)}, salt=SIGN_UP_SALT)


def sign_up_token_user(token: str) -> User | None:
    """The inactive account a verification link was made for, if it is still valid: signed,
    younger than SIGN_UP_LINK_MAX_AGE and not used yet."""
    try:
        data = signing.loads(token, salt=SIGN_UP_SALT, max_age=settings.SIGN_UP_LINK_MAX_AGE)
        user = User.objects.filter(pk=int(data["user"]), is_active=False).first()
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return None
    if user is None or not constant_time_compare(str(data["state"]), _sign_up_state(user)):
        return None
    return user


def _password_reset_path(user: User) -> str:
    return reverse(
        "password_reset_confirm",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": default_token_generator.make_token(user),
        },
    )


def _sign_up_path(user: User) -> str:
    return reverse("signup-verify", args=[sign_up_token(user)])


LINK_BUILDERS = {"password-reset": _password_reset_path, "sign-up": _sign_up_path}


def secret_link_event_key(kind: str, user: User) -> str:
    """The outbox event of one such email; it names whose link to make at sending time."""
    if kind not in LINK_BUILDERS:
        raise ValueError(f"No secret link of kind {kind!r}")
    return f"{kind}:{user.pk}:{uuid4().hex}"


def secret_link_fill(*, event_key: str, body: str) -> str:
    """The body as it is sent: the placeholder replaced with a fresh link (or the login page,
    when the account is gone)."""
    if SECRET_LINK not in body:
        return body
    kind, _sep, rest = event_key.partition(":")
    builder = LINK_BUILDERS.get(kind)
    user = User.objects.filter(pk=int(rest.split(":")[0])).first() if builder else None
    path = builder(user) if user is not None else reverse("login")
    return body.replace(SECRET_LINK, settings.SITE_URL + path)
