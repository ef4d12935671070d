"""How requests read in the triage list: response-clock badges, queues and filters."""

from dataclasses import dataclass
from datetime import timedelta

from django.contrib import admin
from django.db.models import Q
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from helpcenter.timezones import local_time
from tickets.models import Ticket
from tickets.selectors import is_support_engineer, support_queue_filters
from tickets.sla import ClockState, ResponseClock, Target, clock_state_q

Status = Ticket.Status


def request_is_engineer(request) -> bool:
    """`is_support_engineer` for the person making this request (answered once per request)."""
    return is_support_engineer(user=request.user)


def duration_label(value: timedelta) -> str:
    minutes = int(abs(value).total_seconds() // 60)
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)
    text = f"{days}d {hours}h" if days else f"{hours}h {minutes:02d}m"
    return f"-{text}" if value < timedelta(0) else text


def clock_badge(clock: ResponseClock) -> str:
    """The first-response clock as the list shows it: time left in green, amber under an hour,
    red under 30 minutes, negative once breached, a pause sign while waiting for the customer,
    and Met or Breached once an engineer has replied."""
    if clock.state == ClockState.NONE:
        return format_html('<span class="hc-clock hc-clock-none">{}</span>', _("No target"))
    if clock.state == ClockState.MET:
        return format_html('<span class="hc-clock hc-clock-met">&#10003; {}</span>', clock.label)
    if clock.remaining is None:
        return format_html('<span class="hc-clock hc-clock-red">{}</span>', clock.label)
    if clock.state == ClockState.PAUSED:
        return format_html(
            '<span class="hc-clock hc-clock-paused" title="{}">&#9208; {}</span>',
            _("Paused while waiting for the customer"),
            duration_label(clock.remaining),
        )
    return format_html(
        '<span class="hc-clock hc-clock-{}" title="{}">{}</span>',
        clock.urgency,
        _("Due %(when)s") % {"when": local_time(clock.due_at)},
        duration_label(clock.remaining),
    )


class QueueFilter(admin.SimpleListFilter):
    """The triage queues; the index page links here with the same definitions it counts."""

    title = _("queue")
    parameter_name = "queue"
    labels = {
        "all_open": _("All open"),
        "mine": _("Assigned to me"),
        "unassigned": _("Unassigned"),
        "breaching": _("Breaching within an hour"),
    }

    def lookups(self, request, model_admin):
        return list(self.labels.items())

    def queryset(self, request, queryset):
        condition = support_queue_filters(user=request.user).get(self.value())
        return queryset.filter(condition) if condition is not None else queryset


class AssigneeFilter(admin.SimpleListFilter):
    title = _("assignee")
    parameter_name = "assignee"

    def lookups(self, request, model_admin):
        return [("me", _("Me")), ("none", _("Unassigned")), ("any", _("Anyone"))]

    def queryset(self, request, queryset):
        conditions = {
            "me": Q(assignee=request.user),
            "none": Q(assignee__isnull=True),
            "any": Q(assignee__isnull=False),
        }
        condition = conditions.get(self.value())
        return queryset.filter(condition) if condition is not None else queryset


class SlaStateFilter(admin.SimpleListFilter):
    """Where each request stands against one of its targets, decided in the database by the
    same rules as the clock."""

    title = _("first response")
    parameter_name = "sla"
    target = Target.FIRST_RESPONSE
    states = [state for state in ClockState if state != ClockState.NONE]

    def lookups(self, request, model_admin):
        return [(state.value, state.label) for state in self.states]

    def queryset(self, request, queryset):
        if self.value() in self.states:
            return queryset.filter(clock_state_q(state=self.value(), target=self.target))
        return queryset


class NextResponseStateFilter(SlaStateFilter):
    title = _("next response")
    parameter_name = "next_response"
    target = Target.NEXT_RESPONSE


class ResolutionStateFilter(SlaStateFilter):
    title = _("resolution")
    parameter_name = "resolution"
    target = Target.RESOLUTION


def active_clock_badge(target: str, clock: ResponseClock) -> str:
    """The target the request is worked against now, and its clock."""
    if clock.state == ClockState.NONE:
        return clock_badge(clock)
    return format_html(
        '<span class="hc-target">{}</span> {}', Target(target).label, clock_badge(clock)
    )


@dataclass(frozen=True)
class Queue:
    name: str
    label: str
    count: int
    due_soon: int
    breached: int
    url: str
