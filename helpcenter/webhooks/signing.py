"""The signature receivers check: HMAC-SHA256 over "<timestamp>.<body>" with the endpoint's
secret, sent as `X-Helpcenter-Signature: t=<unix seconds>,v1=<hex>`. The timestamp lets a
receiver refuse replays older than a few minutes."""

import hashlib
import hmac
import time

SIGNATURE_HEADER = "X-Helpcenter-Signature"


def signature_header(*, secret: str, body: bytes, timestamp: int | None = None) -> str:
    timestamp = int(time.time()) if timestamp is None else timestamp
    signed = f"{timestamp}.".encode() + body
    digest = hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def signature_valid(*, secret: str, body: bytes, header: str, tolerance: int = 300) -> bool:
    """What a receiver does (the tests use it as one)."""
    try:
        parts = dict(item.split("=", 1) for item in header.split(","))
        timestamp = int(parts["t"])
    except (KeyError, ValueError):
        return False
    if abs(time.time() - timestamp) > tolerance:
        return False
    expected = signature_header(secret=secret, body=body, timestamp=timestamp)
    return hmac.compare_digest(expected, f"t={timestamp},v1={parts.get('v1', '')}")
