"""The frame of every page (templates/base.html): its menus read as before the fixed parts were
written once per process, for every kind of reader and page."""

import re
from importlib import import_module
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.models import AnonymousUser
from django.contrib.messages.storage.fallback import FallbackStorage
from django.template import engines
from django.test import RequestFactory
from django.urls import resolve, reverse

from accounts.models import Membership
from accounts.selectors import CURRENT_ORGANIZATION_SESSION_KEY
from helpcenter.navigation import navigation
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

# templates/base.html as it was before `{% once %}` (the plan's name read from the organization, as
# the navigation now gives it), the text every page must keep.
REFERENCE = Path(__file__).parent / "templates" / "base_reference.html"
PAGE = (
    "{% extends base %}{% block title %}Page{% endblock %}{% block content %}<p>x</p>{% endblock %}"
)
CSRF = re.compile(r'(name="csrfmiddlewaretoken" value=")[^"]+"')


def frame_request(path, user, *, chosen=None, notes=()):
    request = RequestFactory().get(path, {"page": "2"})
    request.user = user
    request.session = import_module(settings.SESSION_ENGINE).SessionStore()
    if chosen is not None:
        request.session[CURRENT_ORGANIZATION_SESSION_KEY] = chosen.pk
    request._messages = FallbackStorage(request)
    for level, text, tags in notes:
        messages.add_message(request, level, text, extra_tags=tags)
    request.resolver_match = resolve(path)
    return request


def rendered(request, base) -> str:
    html = engines["django"].from_string(PAGE).render({"base": base}, request)
    # Each {% csrf_token %} masks the same secret anew.
    return CSRF.sub(r"\1-", html)


def assert_frame_unchanged(request):
    engine = engines["django"]
    before = rendered(request, engine.from_string(REFERENCE.read_text()))
    current = engine.get_template("base.html")
    assert rendered(request, current) == before
    assert rendered(request, current) == before  # written again from the memo


def test_an_anonymous_reader_sees_the_same_frame():
    assert_frame_unchanged(frame_request(reverse("login"), AnonymousUser()))


def test_a_reader_without_an_organization_sees_the_same_frame():
    assert_frame_unchanged(frame_request(reverse("tickets:home"), UserFactory()))


@pytest.mark.parametrize(
    "url",
    ["tickets:home", "accounts:cluster-list", "plans:contact-sales", "tickets:request-list"],
)
def test_each_active_menu_item_sees_the_same_frame(basic_org, url):
    assert_frame_unchanged(frame_request(reverse(url), basic_org.owner))


def test_the_organization_switcher_sees_the_same_frame(basic_org, enterprise_org):
    reader = basic_org.owner
    MembershipFactory(
        user=reader, organization=enterprise_org.organization, role=Membership.Role.MEMBER
    )
    for chosen in (None, enterprise_org.organization, basic_org.organization):
        assert_frame_unchanged(frame_request(reverse("tickets:home"), reader, chosen=chosen))


def test_each_organizations_links_are_its_own(basic_org, enterprise_org):
    for customer in (basic_org, enterprise_org, basic_org):
        assert_frame_unchanged(frame_request(reverse("tickets:home"), customer.owner))


def test_messages_see_the_same_frame(basic_org):
    notes = [
        (messages.SUCCESS, "Your request HC-1 has been submitted.", "request-submitted"),
        (messages.ERROR, "That did not work <b>at all</b>.", ""),
        (messages.INFO, "Noted.", ""),
    ]
    assert_frame_unchanged(frame_request(reverse("tickets:home"), basic_org.owner, notes=notes))


def test_the_menus_list_only_the_readers_organizations_with_their_plans(
    org_factory, django_assert_num_queries
):
    acme, globex, initech = (
        org_factory("basic", name="Acme"),
        org_factory("enterprise", name="Globex"),
        org_factory("developer", name="Initech"),
    )
    MembershipFactory(user=globex.owner, organization=acme.organization)
    for reader, expected in [
        (globex.owner, {"Acme": "Basic", "Globex": "Enterprise"}),
        (initech.owner, {"Initech": "Developer"}),
    ]:
        menus = navigation(frame_request(reverse("tickets:home"), reader))
        with django_assert_num_queries(2 if "Basic" in expected.values() else 1):
            listed = {o.name: o.plan_name for o in menus["user_organizations"]}
        assert listed == expected
        assert menus["current_organization"].name == min(expected)
