"""Authentication signals written to the security audit trail (SecurityEvent)."""

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.dispatch import receiver

from accounts.models import SecurityEvent, User
from accounts.services import security_event_record
from helpcenter.security import client_ip, login_identifier


def _ip(request) -> str | None:
    return client_ip(request) if request is not None else None


@receiver(user_logged_in, dispatch_uid="security-login-succeeded")
def login_succeeded(sender, request, user, **kwargs):
    device = getattr(user, "otp_device", None)
    security_event_record(
        kind=SecurityEvent.Kind.LOGIN_SUCCEEDED,
        actor=user,
        user=user,
        ip_address=_ip(request),
        detail=f"with {device.name}" if device is not None else "password only",
    )


@receiver(user_login_failed, dispatch_uid="security-login-failed")
def login_failed(sender, credentials, request=None, **kwargs):
    identifier = login_identifier(request, credentials)
    security_event_record(
        kind=SecurityEvent.Kind.LOGIN_FAILED,
        user=User.objects.filter(email__iexact=identifier).first() if identifier else None,
        identifier=identifier,
        ip_address=_ip(request),
        detail="while locked out" if getattr(request, "axes_locked_out", False) else "",
    )


@receiver(user_locked_out, dispatch_uid="security-locked-out")
def locked_out(sender, request, username, ip_address, **kwargs):
    identifier = str(username or "")
    security_event_record(
        kind=SecurityEvent.Kind.LOCKED_OUT,
        user=User.objects.filter(email__iexact=identifier).first() if identifier else None,
        identifier=identifier,
        ip_address=ip_address,
    )
