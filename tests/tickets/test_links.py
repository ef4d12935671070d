"""`{% link %}` writes what `{% url %}` writes, once reversed, under any script prefix."""

import pytest
from django.template import Context, Template
from django.urls import NoReverseMatch, clear_script_prefix, reverse, set_script_prefix


def render(source: str) -> str:
    return Template("{% load links %}" + source).render(Context())


def test_a_link_is_the_reversed_url():
    assert render("{% link 'tickets:home' %}") == reverse("tickets:home")
    assert render("{% link 'plans:support' 7 %}") == reverse("plans:support", args=[7])


def test_a_link_follows_the_script_prefix():
    render("{% link 'tickets:request-list' %}")
    set_script_prefix("/help/")
    try:
        assert render("{% link 'tickets:request-list' %}") == "/help/requests/"
    finally:
        clear_script_prefix()
    assert render("{% link 'tickets:request-list' %}") == "/requests/"


def render_key_link(name: str, key: str) -> str:
    return Template("{% load links %}{% key_link name key %}").render(
        Context({"name": name, "key": key})
    )


def test_a_key_link_is_the_url_reversed_for_that_key():
    for key in ("TECH-1", "BILL-2048", "TECH-99999"):
        for name in ("tickets:request-detail", "tickets:comment-add", "tickets:request-sharing"):
            assert render_key_link(name, key) == reverse(name, args=[key])


def test_a_key_link_quotes_a_key_as_the_url_would():
    """No stored key needs quoting, but a link never writes a raw space, and a key that no URL
    takes is refused as `{% url %}` refuses it."""
    for key in ("A B-1", "ÄB-1"):
        assert render_key_link("tickets:request-detail", key) == reverse(
            "tickets:request-detail", args=[key]
        )
    with pytest.raises(NoReverseMatch):
        render_key_link("tickets:request-detail", "A/B-1")


def test_a_key_link_follows_the_script_prefix():
    render_key_link("tickets:request-detail", "TECH-1")
    set_script_prefix("/help/")
    try:
        assert render_key_link("tickets:request-detail", "TECH-2") == "/help/requests/TECH-2/"
    finally:
        clear_script_prefix()
    assert render_key_link("tickets:request-detail", "TECH-3") == "/requests/TECH-3/"
