"""Site-wide pages that belong to no app: health endpoints and the CSRF failure page."""

import dataclasses
import datetime

from asgiref.sync import sync_to_async
from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.http import HttpResponseServerError, JsonResponse
from django.middleware.csrf import REASON_NO_CSRF_COOKIE
from django.shortcuts import render
from django.template import loader
from django.utils.decorators import method_decorator
from django.views.decorators.cache import never_cache
from django_guid import get_guid
from health_check.base import HealthCheck
from health_check.checks import Cache, Database, Storage
from health_check.contrib.redis import Redis
from health_check.exceptions import HealthCheckException, ServiceUnavailable
from health_check.views import HealthCheckView
from redis.asyncio import Redis as RedisClient

from accounts.selectors import outbound_email_oldest_pending_age

DEPENDENCY_TIMEOUT = datetime.timedelta(seconds=2)


@login_not_required
@never_cache
def healthz(request):
    """Liveness: the process answers. It touches no database, cache or broker."""
    return JsonResponse({"status": "ok"})


@dataclasses.dataclass
class OutboundEmailBacklog(HealthCheck):
    """Unavailable when the oldest email still waiting to be sent is older than the limit: the
    worker, the broker or the SMTP server has stopped delivering."""

    async def run(self):
        age = await sync_to_async(outbound_email_oldest_pending_age)()
        limit = settings.OUTBOUND_EMAIL_MAX_PENDING_SECONDS
        if age is not None and age.total_seconds() > limit:
            raise ServiceUnavailable(
                f"the oldest pending email has waited {age.total_seconds():.0f} s (limit {limit} s)"
            )


@method_decorator(login_not_required, name="dispatch")
class ReadinessView(HealthCheckView):
    """Readiness: every dependency a request may need, as JSON; 503 when one is down. The output
    names the dependencies only, never their addresses or credentials."""

    def get_named_checks(self) -> dict[str, HealthCheck]:
        checks = {
            "database": Database(),
            "cache": Cache(timeout=DEPENDENCY_TIMEOUT),
            "storage": Storage(),
            "outbound_email": OutboundEmailBacklog(),
        }
        broker_url = settings.CELERY_BROKER_URL
        if broker_url.startswith(("redis://", "rediss://")):
            checks["broker"] = Redis(
                client_factory=lambda: RedisClient.from_url(
                    broker_url,
                    socket_connect_timeout=DEPENDENCY_TIMEOUT.total_seconds(),
                    socket_timeout=DEPENDENCY_TIMEOUT.total_seconds(),
                )
            )
        for check in checks.values():
            check.timeout = DEPENDENCY_TIMEOUT
        return checks

    def get_checks(self):
        self.names = {}
        for name, check in self.get_named_checks().items():
            self.names[id(check)] = name
            yield check

    def render_to_response_json(self, status):
        checks = {}
        for result in self.results:
            name = self.names[id(result.check)]
            checks[name] = "ok" if result.error is None else _public_error(name, result.error)
        healthy = all(value == "ok" for value in checks.values())
        return JsonResponse(
            {"status": "ok" if healthy else "unavailable", "checks": checks},
            status=200 if healthy else 503,
        )

    async def get(self, request, *args, **kwargs):
        await super().get(request, *args, **kwargs)
        return self.render_to_response_json(200)


def _public_error(name: str, error: HealthCheckException) -> str:
    """Our own checks explain themselves; a library check's message may carry a host name."""
    if name == "outbound_email":
        return f"unavailable: {error.message}"
    return "unavailable"


def csrf_failure(request, reason=""):
    """The CSRF refusal in the site's look, saying what happened and what to do."""
    return render(
        request,
        "403_csrf.html",
        {"no_cookie": reason == REASON_NO_CSRF_COOKIE},
        status=403,
    )


def server_error(request):
    """The 500 page with the request id to quote to support. Like Django's own, it renders
    without the request's context, which may be what failed."""
    return HttpResponseServerError(loader.render_to_string("500.html", {"request_id": get_guid()}))
