"""`{% load links %}`: `{% link "tickets:home" %}` writes what `{% url "tickets:home" %}` would,
for the menus and footer every page shows.

A link's URL depends only on its name and arguments, the script prefix, the URLconf and the
language, none of which change between requests to a running process; reversing it again on
every page cost more than the rest of the navigation bar. Each URL is reversed once.
"""

from functools import lru_cache

from django import template
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.translation import get_language

register = template.Library()


@register.simple_tag
def link(name: str, *args) -> str:
    return _reversed(name, args, get_script_prefix(), get_urlconf(), get_language())


@lru_cache(maxsize=1024)
def _reversed(name: str, args: tuple, script_prefix: str, urlconf, language) -> str:
    return reverse(name, args=args, urlconf=urlconf)
