"""The Content-Security-Policy header every response carries is the one django-csp writes, though
the site's middleware builds it once per process."""

import pytest
from csp.decorators import csp_exempt, csp_update
from csp.middleware import CSPMiddleware
from django.http import HttpResponse
from django.test import RequestFactory
from django.urls import reverse

from helpcenter.security import ContentSecurityPolicyMiddleware

POLICY_HEADERS = ("Content-Security-Policy", "Content-Security-Policy-Report-Only")


def plain(request):
    return HttpResponse("page")


def own_header(request):
    response = HttpResponse("image")
    response["Content-Security-Policy"] = "sandbox"
    return response


@csp_exempt()
def exempt(request):
    return HttpResponse("exempt")


@csp_update({"img-src": "https://images.example"})
def widened(request):
    return HttpResponse("widened")


def nonce_used(request):
    return HttpResponse(f"<script nonce='{request.csp_nonce}'></script>")


def headers(middleware_class, view) -> dict[str, str | None]:
    response = middleware_class(view)(RequestFactory().get("/help/"))
    return {name: response.headers.get(name) for name in POLICY_HEADERS}


@pytest.mark.parametrize("view", [plain, own_header, exempt, widened, nonce_used])
def test_each_response_carries_django_csps_header(view):
    assert headers(ContentSecurityPolicyMiddleware, view) == headers(CSPMiddleware, view)


def test_a_page_is_told_what_it_may_load(client):
    policy = client.get(reverse("login")).headers["Content-Security-Policy"]
    assert "default-src 'self'" in policy and "frame-ancestors 'none'" in policy


def test_a_changed_policy_is_written_at_once(settings):
    assert (
        headers(ContentSecurityPolicyMiddleware, plain)["Content-Security-Policy-Report-Only"]
        is None
    )
    settings.CONTENT_SECURITY_POLICY_REPORT_ONLY = {"DIRECTIVES": {"default-src": ["'none'"]}}
    expected = headers(CSPMiddleware, plain)
    assert expected["Content-Security-Policy-Report-Only"] == "default-src 'none'"
    assert headers(ContentSecurityPolicyMiddleware, plain) == expected


def test_a_nonce_asked_for_after_the_header_is_written_is_refused():
    request = RequestFactory().get("/help/")
    ContentSecurityPolicyMiddleware(plain)(request)
    with pytest.raises(Exception, match="not available after the CSP header"):
        str(request.csp_nonce)
