"""NUL bytes and other control characters in a path, a query parameter or a form value are a
400 on every customer and admin route, never a 500 (PostgreSQL cannot store NUL)."""

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from tests.factories import SupportEngineerFactory, TicketFactory

pytestmark = pytest.mark.django_db

CONVERTER = re.compile(r"<(?:(\w+):)?\w+>")
REGEX_GROUP = re.compile(r"\(\?P<\w+>[^)]*\)")


def every_route(resolver=None, prefix=""):
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        route = prefix + str(pattern.pattern).lstrip("^").rstrip("$")
        if isinstance(pattern, URLResolver):
            yield from every_route(pattern, route)
        elif isinstance(pattern, URLPattern):
            yield route


def sample_url(route: str, key: str) -> str:
    def fill(match):
        return "1" if match.group(1) == "int" else key

    path = REGEX_GROUP.sub(key, CONVERTER.sub(fill, route)).replace("\\", "")
    return "/" + path


ROUTES = sorted(set(every_route()))


def test_every_route_is_covered():
    assert any(route.startswith("admin/") for route in ROUTES)
    assert "requests/<str:key>/" in ROUTES
    assert len(ROUTES) > 60


@pytest.fixture
def ticket(basic_org):
    organization, owner, _cluster = basic_org
    return TicketFactory(organization=organization, reporter=owner)


@pytest.mark.parametrize("who", ["customer", "engineer", "anonymous"])
def test_nul_in_the_query_is_400_on_every_route(client, ticket, who):
    if who == "customer":
        client.force_login(ticket.reporter)
    elif who == "engineer":
        client.force_login(SupportEngineerFactory())
    failures = {}
    for route in ROUTES:
        url = sample_url(route, ticket.key)
        for method in (client.get, client.post):
            response = method(url + "?q=a%00b&status=open%00&o=1%00")
            if response.status_code != 400:
                failures[f"{method.__name__} {url}"] = response.status_code
    assert failures == {}


@pytest.mark.parametrize("who", ["customer", "engineer"])
def test_nul_in_the_path_is_400_or_404_on_every_route(client, ticket, who):
    client.force_login(ticket.reporter if who == "customer" else SupportEngineerFactory())
    failures = {}
    text_routes = [
        route
        for route in ROUTES
        if "(?P" in route or any(m.group(1) != "int" for m in CONVERTER.finditer(route))
    ]
    assert "requests/<str:key>/" in text_routes
    for route in text_routes:
        url = sample_url(route, "BILL-1%00")
        response = client.get(url)
        if response.status_code not in (400, 404):
            failures[url] = response.status_code
    assert failures == {}


@pytest.mark.parametrize("value", ["a\x00b", "\x00", "x\x01y", "x\x1bz", "x\x7fy", "x\x08y"])
def test_control_characters_in_form_values_are_400(client, ticket, value):
    client.force_login(ticket.reporter)
    response = client.post(f"/requests/{ticket.key}/comments/", {"body": value})
    assert response.status_code == 400
    assert not ticket.comments.exists()
    login = client.post("/accounts/login/", {"username": value, "password": value})
    assert login.status_code == 400


def test_tabs_and_line_breaks_in_text_are_fine(client, ticket):
    client.force_login(ticket.reporter)
    response = client.post(
        f"/requests/{ticket.key}/comments/", {"body": "line one\r\n\tline two\n"}
    )
    assert response.status_code == 302
    assert ticket.comments.get().body.startswith("line one")


def test_nul_in_an_admin_list_filter_is_400(client, ticket):
    client.force_login(SupportEngineerFactory())
    for query in ["status=%00", "organization__id__exact=1%00", "q=%00", "reporter=%00"]:
        assert client.get(f"/admin/tickets/ticket/?{query}").status_code == 400
