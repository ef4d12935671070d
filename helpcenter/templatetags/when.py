"""`{% load when %}`: the template side of `helpcenter.timezones`, for every page and email.

{{ comment.created_at|when }}            <time datetime="...">Mon 2 Dec, 14:30 CET</time>
{{ clock.due_at|when:"relative" }}       ... followed by "(in 40 minutes)"
{{ ticket.last_activity_at|when:"ago" }} "2 hours ago", the absolute time as its title
{{ ticket.created_at|local_time }}       Mon 2 Dec, 14:30 CET   (plain text: emails, titles)
{{ ticket.last_activity_at|relative_time }}  2 hours ago
"""

from django import template

from helpcenter import timezones

register = template.Library()


@register.filter
def when(value, mode=""):
    if mode == "ago":
        return timezones.time_element_relative(value)
    return timezones.time_element(value, relative=mode == "relative")


@register.filter
def local_time(value):
    return timezones.local_time(value)


@register.filter
def relative_time(value):
    return timezones.relative_time(value)


@register.filter
def duration(value):
    return "" if value is None else timezones.duration_words(value)
