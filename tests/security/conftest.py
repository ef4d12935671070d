import base64

from django_otp.oath import totp

from tests.factories import TOTP_SECRET


def totp_code(secret: str = TOTP_SECRET) -> str:
    """The code an authenticator app holding `secret` shows now (30 s, 6 digits, SHA-1)."""
    return f"{totp(base64.b32decode(secret), step=30, digits=6):06d}"
