from django.conf import settings
from rest_framework.permissions import SAFE_METHODS
from rest_framework.throttling import SimpleRateThrottle

from accounts.models import ApiToken


class _PerTokenOrUserThrottle(SimpleRateThrottle):
    """Counted per token when one is used, per user for a session, per address otherwise, in
    the default cache. A refusal is a 429 with Retry-After."""

    reads: bool

    def get_rate(self):
        return settings.API_THROTTLE_RATES[self.scope]

    def get_cache_key(self, request, view):
        if (request.method in SAFE_METHODS) != self.reads:
            return None
        if isinstance(request.auth, ApiToken):
            ident = f"token-{request.auth.pk}"
        elif request.user and request.user.is_authenticated:
            ident = f"user-{request.user.pk}"
        else:
            ident = f"address-{self.get_ident(request)}"
        return self.cache_format % {"scope": self.scope, "ident": ident}


class ReadThrottle(_PerTokenOrUserThrottle):
    scope = "read"
    reads = True


class WriteThrottle(_PerTokenOrUserThrottle):
    scope = "write"
    reads = False
