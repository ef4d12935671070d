"""Request-level protections shared by every app: who the client is, login throttling on top of
django-axes, rate limits, and refusing control characters before they reach a view."""

import re
from functools import cache

from axes.handlers.cache import AxesCacheHandler
from axes.helpers import get_failure_limit
from axes.signals import user_locked_out
from csp.constants import HEADER, HEADER_REPORT_ONLY
from csp.middleware import CheckableLazyObject, CSPMiddleware
from csp.utils import build_policy
from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.http import HttpResponseBadRequest, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django_ratelimit.core import is_ratelimited


def client_ip(request) -> str:
    """The client's address: REMOTE_ADDR, or the address the trusted proxies saw.

    X-Forwarded-For is read only when TRUSTED_PROXY_COUNT proxies append to it, and then the
    entry those proxies added: a client cannot choose its own address to dodge a lockout."""
    remote = request.META.get("REMOTE_ADDR", "")
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies <= 0:
        return remote
    hops = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    hops = [hop for hop in hops if hop]
    return hops[-proxies] if len(hops) >= proxies else remote


def login_identifier(request, credentials=None) -> str:
    """The login as typed, case-folded: `Alice@X` and `alice@x` count as one account."""
    value = (credentials or {}).get("username")
    if value is None:
        value = getattr(request, "POST", {}).get("username", "")
    return str(value or "").strip().casefold()[:254]


class AddressAndAccountCacheHandler(AxesCacheHandler):
    """django-axes' cache handler with a second, higher threshold per client address.

    Axes counts failures per (account, address) pair and locks the pair at AXES_FAILURE_LIMIT.
    This adds one counter per address across all accounts, locking the address at
    ADDRESS_LOCKOUT_FAILURES, so spraying one password over many accounts is stopped too."""

    @staticmethod
    def _address_key(ip_address: str) -> str:
        return f"axes-address:{ip_address}"

    def _address_locked(self, ip_address: str | None) -> bool:
        if not ip_address:
            return False
        failures = self.cache.get(self._address_key(ip_address), default=0)
        return failures >= settings.ADDRESS_LOCKOUT_FAILURES

    def get_failures(self, request, credentials=None) -> int:
        failures = super().get_failures(request, credentials)
        if self._address_locked(getattr(request, "axes_ip_address", None)):
            return max(failures, get_failure_limit(request, credentials))
        return failures

    def user_login_failed(self, sender, credentials: dict, request=None, **kwargs):
        super().user_login_failed(sender, credentials, request=request, **kwargs)
        if request is None or request.axes_locked_out:
            return
        if self.is_whitelisted(request, credentials):
            return
        key = self._address_key(request.axes_ip_address)
        timeout = settings.AXES_COOLOFF_TIME.total_seconds()
        if not self.cache.add(key, 1, timeout=timeout):
            self.cache.incr(key)
            self.cache.touch(key, timeout=timeout)
        if self._address_locked(request.axes_ip_address):
            request.axes_locked_out = True
            request.axes_credentials = credentials
            user_locked_out.send(
                "axes",
                request=request,
                username=login_identifier(request, credentials),
                ip_address=request.axes_ip_address,
            )

    def reset_attempts(self, *, ip_address=None, username=None, ip_or_username=False) -> int:
        count = super().reset_attempts(
            ip_address=ip_address, username=username, ip_or_username=ip_or_username
        )
        if ip_address is not None:
            count += int(bool(self.cache.delete(self._address_key(ip_address))))
        return count


def _email_key(field: str):
    def key(group, request) -> str:
        return str(request.POST.get(field, "")).strip().casefold()

    return key


def _address_key(group, request) -> str:
    return client_ip(request)


def over_rate_limit(request, *, group: str, email_field: str) -> bool:
    """Count one POST against the client's address and against the target email address;
    True when either is past its limit (RATELIMIT_PER_ADDRESS, RATELIMIT_PER_EMAIL)."""
    by_address = is_ratelimited(
        request,
        group=f"{group}:address",
        key=_address_key,
        rate=settings.RATELIMIT_PER_ADDRESS,
        method="POST",
        increment=True,
    )
    by_email = is_ratelimited(
        request,
        group=f"{group}:email",
        key=_email_key(email_field),
        rate=settings.RATELIMIT_PER_EMAIL,
        method="POST",
        increment=True,
    )
    return by_address or by_email


def rate_limited(request, exception=None):
    return render(request, "registration/rate_limited.html", status=429)


# C0 controls and DEL. Tab, line feed and carriage return stay allowed in submitted values
# (text areas); the path and query string allow none.
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_CONTROL_IN_TEXT = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _has_control(values, pattern) -> bool:
    return any(pattern.search(value) for value in values)


class RejectControlCharactersMiddleware:
    """One place for every route: a NUL or another control character in the path, a query
    parameter or a form value is a 400, never a database error. PostgreSQL cannot store NUL,
    and no legitimate key, filter or search contains one."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if self._is_bad(request):
            message = _("The request contains control characters, which are not allowed.")
            if request.path_info.startswith("/api/"):
                # The API answers every error in JSON, as its schema says.
                return JsonResponse({"detail": message}, status=400)
            return HttpResponseBadRequest(message, content_type="text/plain; charset=utf-8")
        return self.get_response(request)

    @staticmethod
    def _is_bad(request) -> bool:
        if _CONTROL.search(request.path_info):
            return True
        if _has_control(request.COOKIES.values(), _CONTROL):
            return True
        query = request.GET
        if _has_control(query.keys(), _CONTROL):
            return True
        if _has_control((value for _key, values in query.lists() for value in values), _CONTROL):
            return True
        if request.method in ("GET", "HEAD", "OPTIONS"):
            return False
        content_type = request.content_type or ""
        if content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
            form = request.POST
            if _has_control(form.keys(), _CONTROL):
                return True
            values = (value for _key, values in form.lists() for value in values)
            if _has_control(values, _CONTROL_IN_TEXT):
                return True
            names = (upload.name or "" for _key, files in request.FILES.lists() for upload in files)
            return _has_control(names, _CONTROL)
        if content_type.endswith("json"):
            body = request.body
            return b"\\u0000" in body or b"\x00" in body
        return False


# What django-csp's decorators set on a response to change its policy.
_CSP_CUSTOMISED = (
    "_csp_config",
    "_csp_update",
    "_csp_replace",
    "_csp_config_ro",
    "_csp_update_ro",
    "_csp_replace_ro",
)


@cache
def _site_policies() -> tuple[tuple[str, str, str, tuple[str, ...]], ...]:
    """(header, exemption attribute, policy, excluded path prefixes), enforced then report-only,
    as django-csp builds them from the settings for a response nothing customised."""
    return tuple(
        (
            header,
            exempt,
            build_policy(report_only=report_only),
            tuple((getattr(settings, setting, None) or {}).get("EXCLUDE_URL_PREFIXES") or ()),
        )
        for header, exempt, setting, report_only in (
            (HEADER, "_csp_exempt", "CONTENT_SECURITY_POLICY", False),
            (HEADER_REPORT_ONLY, "_csp_exempt_ro", "CONTENT_SECURITY_POLICY_REPORT_ONLY", True),
        )
    )


@receiver(setting_changed)
def _content_security_policy_changed(*, setting, **kwargs):
    if setting.startswith("CONTENT_SECURITY_POLICY"):
        _site_policies.cache_clear()


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    """django-csp's middleware with the site's policies built once per process: django-csp built
    both strings again from the settings on every response, a tenth of the cheapest page. A
    response whose view changed its policy, or a page that used a nonce, takes django-csp's
    own path."""

    def process_response(self, request, response):
        if getattr(request, "_csp_nonce", None) is not None or any(
            getattr(response, name, None) is not None for name in _CSP_CUSTOMISED
        ):
            return super().process_response(request, response)
        if response.status_code in (404, 500) and settings.DEBUG:
            return response  # Django's debug pages, as django-csp leaves them
        for header, exempt, policy, excluded in _site_policies():
            if (
                policy
                and header not in response
                and getattr(response, exempt, False) is False
                and not request.path_info.startswith(excluded)
            ):
                response[header] = policy
        # As django-csp does: a nonce asked for after the header is written is an error.
        request.csp_nonce = CheckableLazyObject(self._csp_nonce_post_response)
        return response
