"""`{% load links %}`: `{% link "tickets:home" %}` writes what `{% url "tickets:home" %}` would,
for the menus and footer every page shows.

A link's URL depends only on its name and arguments, the script prefix, the URLconf and the
language, none of which change between requests to a running process; reversing it again on
every page cost more than the rest of the navigation bar. Each URL is reversed once.
"""

from functools import lru_cache
from urllib.parse import quote

from django import template
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.http import RFC3986_SUBDELIMS
from django.utils.translation import get_language

register = template.Library()


@register.simple_tag
def link(name: str, *args) -> str:
    return _reversed(name, args, get_script_prefix(), get_urlconf(), get_language())


@lru_cache(maxsize=1024)
def _reversed(name: str, args: tuple, script_prefix: str, urlconf, language) -> str:
    return reverse(name, args=args, urlconf=urlconf)


# Stands for a request's key in a link reversed once (`key_link`).
_KEY = "KEY-0"


@register.simple_tag
def key_link(name: str, key: str) -> str:
    """`{% url name key %}` for a request's key, as a request page writes five: the URL is
    reversed once around a stand-in key (per name, script prefix, URLconf and language) and each
    key put in, since keys are too many to keep each link. A key that a URL would quote is
    reversed as it is."""
    before, after = key_link_parts(name)
    if quote(key, safe=RFC3986_SUBDELIMS + "~:@") != key:
        return reverse(name, args=(key,))
    return f"{before}{key}{after}"


def key_link_parts(name: str) -> tuple[str, str]:
    """What `key_link` writes for `name` before and after the key, for a list that writes one
    link per row."""
    return _around_key(name, get_script_prefix(), get_urlconf(), get_language())


@lru_cache(maxsize=64)
def _around_key(name: str, script_prefix: str, urlconf, language) -> tuple[str, str]:
    before, _key, after = reverse(name, args=(_KEY,), urlconf=urlconf).rpartition(_KEY)
    return before, after
