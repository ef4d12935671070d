"""How requests read in the triage list: response-clock badges, queues and filters."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cached_property, lru_cache
from html import escape

from django.contrib import admin
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.safestring import SafeString
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from helpcenter.timezones import LocalTimes
from tickets.models import Ticket
from tickets.selectors import support_engineer_with_permissions, support_queue_filters
from tickets.sla import ClockState, RequestClocks, ResponseClock, Target, clock_state_q

Status = Ticket.Status


def request_is_engineer(request) -> bool:
    """`is_support_engineer` for the person making this request, answered once per request
    (a list page asks about thirty times) with their permissions, which every admin page
    checks next."""
    answer = request.__dict__.get("_is_support_engineer")
    if answer is None:
        answer = request._is_support_engineer = support_engineer_with_permissions(user=request.user)
    return answer


def duration_label(value: timedelta) -> str:
    minutes = int(abs(value).total_seconds() // 60)
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)
    text = f"{days}d {hours}h" if days else f"{hours}h {minutes:02d}m"
    return f"-{text}" if value < timedelta(0) else text


@lru_cache
def _badge_words(language: str | None) -> dict[str, str]:
    """The badges' fixed words, translated (and escaped) once per language instead of several
    times a row."""
    with translation.override(language):
        return {
            "none": escape(gettext("No target")),
            "met": escape(ClockState.MET.label),
            "paused": escape(gettext("Paused while waiting for the customer")),
            "due": gettext("Due %(when)s"),
            **{target: escape(target.label) for target in Target},
        }


class ClockBadges:
    """The list's clock badges for one page: the language's words, the zone and the moment read
    once, not for each of the two badges of every row."""

    def __init__(self, *, now: datetime | None = None):
        self.now = now or timezone.now()
        self.words = _badge_words(translation.get_language())
        self.local_time = LocalTimes(now=self.now)

    def __call__(self, clock: ResponseClock) -> str:
        """The first-response clock as the list shows it: time left in green, amber under an
        hour, red under 30 minutes, negative once breached, a pause sign while waiting for the
        customer, and Met or Breached once an engineer has replied. Written as `format_html`
        would write it (each value escaped), without its per-call work."""
        words = self.words
        state = clock.state
        if state == ClockState.NONE:
            return SafeString(f'<span class="hc-clock hc-clock-none">{words["none"]}</span>')
        if state == ClockState.MET:
            return SafeString(f'<span class="hc-clock hc-clock-met">&#10003; {words["met"]}</span>')
        if clock.remaining is None:
            return SafeString(f'<span class="hc-clock hc-clock-red">{escape(clock.label)}</span>')
        left = escape(duration_label(clock.remaining))
        if state == ClockState.PAUSED:
            paused = words["paused"]
            return SafeString(
                f'<span class="hc-clock hc-clock-paused" title="{paused}">&#9208; {left}</span>'
            )
        title = escape(words["due"] % {"when": self.local_time(clock.due_at)})
        return SafeString(
            f'<span class="hc-clock hc-clock-{clock.urgency}" title="{title}">{left}</span>'
        )

    def active(self, target: str, clock: ResponseClock, *, badge: str | None = None) -> str:
        """The target the request is worked against now, and its clock (`badge`, when the
        caller has already written it)."""
        badge = self(clock) if badge is None else badge
        if clock.state == ClockState.NONE:
            return badge
        return SafeString(f'<span class="hc-target">{self.words[target]}</span> {badge}')


def clock_badge(clock: ResponseClock) -> str:
    """One clock's badge (`ClockBadges`), for a page that shows one."""
    return ClockBadges()(clock)


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


class ListedObjectsFilter(admin.RelatedFieldListFilter):
    """Django's filter for a relation, keeping the objects it lists (`objects`, by key): the
    list's rows show their plan from here instead of joining its table to the page's query.
    Without `limit_choices_to`, the objects are read with SQL compiled once per process:
    building even this query through the ORM on every page cost more than running it."""

    def queryset(self, request, queryset):
        # Unused, Django's filter still copied the whole query to add nothing to it.
        return super().queryset(request, queryset) if self.used_parameters else queryset

    def field_choices(self, field, request, model_admin):
        model = field.remote_field.model
        ordering = tuple(self.field_admin_ordering(field, request, model_admin))
        if field.remote_field.limit_choices_to:
            queryset = model._default_manager.complex_filter(field.get_limit_choices_to())
            objects = queryset.order_by(*ordering) if ordering else queryset
        else:
            objects = model._default_manager.raw(*_all_objects_sql(model, ordering))
        self.objects = {obj.pk: obj for obj in objects}
        return [(key, str(obj)) for key, obj in self.objects.items()]


@lru_cache
def _all_objects_sql(model, ordering: tuple) -> tuple[str, tuple]:
    queryset = model._default_manager.all()
    return (queryset.order_by(*ordering) if ordering else queryset).query.sql_with_params()


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


class ClockCells:
    """The list's two clock columns for one row, from one reading of its clocks: a request
    worked against its first response (most open ones) shows the same badge in both, written
    once."""

    def __init__(self, clocks: RequestClocks, badges: ClockBadges | None = None):
        self.clocks = clocks
        self.badges = badges or ClockBadges()

    @cached_property
    def first_response(self) -> str:
        return self.badges(self.clocks.first_response)

    @cached_property
    def due(self) -> str:
        clocks = self.clocks
        shared = clocks.active is clocks.first_response
        return self.badges.active(
            clocks.active_target, clocks.active, badge=self.first_response if shared else None
        )


@dataclass(frozen=True)
class Queue:
    name: str
    label: str
    count: int
    due_soon: int
    breached: int
    url: str
