"""Site-wide pages that belong to no app: health endpoints and the CSRF failure page."""

import asyncio
import dataclasses
import datetime
from concurrent.futures import ThreadPoolExecutor

from django import db
from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.http import HttpResponseServerError, JsonResponse
from django.middleware.csrf import REASON_NO_CSRF_COOKIE
from django.shortcuts import render
from django.template import loader
from django.utils.decorators import method_decorator
from django.views import View
from django.views.decorators.cache import never_cache
from django_guid import get_guid
from health_check.base import HealthCheck
from health_check.checks import Cache, Database, Storage
from health_check.contrib.redis import Redis
from health_check.exceptions import HealthCheckException, ServiceUnavailable
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

    def run(self):
        try:
            age = outbound_email_oldest_pending_age()
        finally:
            # Checks run on pooled threads that see no request_finished: never keep a connection.
            db.connection.close()
        limit = settings.OUTBOUND_EMAIL_MAX_PENDING_SECONDS
        if age is not None and age.total_seconds() > limit:
            raise ServiceUnavailable(
                f"the oldest pending email has waited {age.total_seconds():.0f} s (limit {limit} s)"
            )


@method_decorator([login_not_required, never_cache], name="dispatch")
class ReadinessView(View):
    """Readiness: every dependency a request may need, checked at once by django-health-check's
    checks, as JSON; 503 when one is down. The output names the dependencies only, never their
    addresses or credentials."""

    http_method_names = ["get", "head"]

    def checks(self) -> dict[str, HealthCheck]:
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

    def get(self, request):
        checks = self.checks()

        async def run_all():
            return await asyncio.gather(*(check.get_result() for check in checks.values()))

        # The checks run concurrently on an event loop of their own, in a thread of its own, so
        # the view works the same under any server (and beside another running loop).
        with ThreadPoolExecutor(max_workers=1) as runner:
            results = runner.submit(asyncio.run, run_all()).result()
        report = {
            name: "ok" if result.error is None else _public_error(name, result.error)
            for name, result in zip(checks, results, strict=True)
        }
        healthy = all(value == "ok" for value in report.values())
        return JsonResponse(
            {"status": "ok" if healthy else "unavailable", "checks": report},
            status=200 if healthy else 503,
        )


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
