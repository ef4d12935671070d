"""`{% link %}` writes what `{% url %}` writes, once reversed, under any script prefix."""

from django.template import Context, Template
from django.urls import clear_script_prefix, reverse, set_script_prefix


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
