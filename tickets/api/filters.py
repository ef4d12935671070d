"""Query parameters of the request lists. django-filter reads and checks them (a bad value is a
400 naming the parameter); the selectors the pages use do the filtering."""

import django_filters
from django.db.models import Q

from accounts.selectors import organizations_for_user
from plans.models import Portal, Severity
from tickets import sla
from tickets.models import Ticket
from tickets.selectors import (
    RequestFilters,
    support_queue_filters,
    tickets_for_request_list,
    tickets_support_search,
)

# The clock states a request in a list can be in ("no target" is not offered as a filter).
SLA_STATES = [state for state in sla.ClockState if state != sla.ClockState.NONE]


def _users_organizations(request):
    return organizations_for_user(user=request.user) if request else None


class RequestListFilter(django_filters.FilterSet):
    """The Requests page's filters, with its defaults (open requests, every portal)."""

    status = django_filters.ChoiceFilter(
        choices=[("open", "Open"), ("closed", "Closed"), ("all", "Any status")],
        method="through_selector",
        help_text="open (default), closed or all.",
    )
    portal = django_filters.ChoiceFilter(choices=Portal.choices, method="through_selector")
    organization = django_filters.ModelChoiceFilter(
        queryset=_users_organizations, method="through_selector"
    )
    mine = django_filters.BooleanFilter(method="through_selector", help_text="Created by me.")
    q = django_filters.CharFilter(
        max_length=200, method="through_selector", help_text="Words in the summary or description."
    )

    def through_selector(self, queryset, name, value):
        return queryset

    def filter_queryset(self, queryset):
        data = self.form.cleaned_data
        filters = RequestFilters(
            status=data.get("status") or "open",
            portal=data.get("portal") or "",
            organization_id=data["organization"].pk if data.get("organization") else None,
            created_by_me=bool(data.get("mine")),
            query=(data.get("q") or "").strip(),
        )
        # The list never shows descriptions (up to 32,000 characters each): they stay unread.
        return tickets_for_request_list(user=self.request.user, filters=filters).defer(
            "description"
        )


QUEUES = ["all_open", "mine", "unassigned", "breaching"]


class TriageFilter(django_filters.FilterSet):
    """The triage list's filters, with the admin's definitions of queues and response states."""

    queue = django_filters.ChoiceFilter(
        choices=[(name, name) for name in QUEUES], method="filter_queue"
    )
    status = django_filters.MultipleChoiceFilter(choices=Ticket.Status.choices)
    severity = django_filters.MultipleChoiceFilter(choices=Severity.choices)
    portal = django_filters.ChoiceFilter(choices=Portal.choices)
    sla = django_filters.ChoiceFilter(
        choices=[(state.value, state.value) for state in SLA_STATES],
        method="filter_sla",
        help_text="Where the first-response clock stands.",
    )
    assignee = django_filters.ChoiceFilter(
        choices=[("me", "me"), ("none", "none")], method="filter_assignee"
    )
    organization = django_filters.NumberFilter(field_name="organization_id")
    q = django_filters.CharFilter(
        max_length=200,
        method="filter_search",
        help_text="Every word in the key, summary, organization name or reporter email.",
    )

    class Meta:
        model = Ticket
        fields = []

    def filter_queue(self, queryset, name, value):
        return queryset.filter(support_queue_filters(user=self.request.user)[value])

    def filter_sla(self, queryset, name, value):
        return queryset.filter(sla.clock_state_q(state=value))

    def filter_assignee(self, queryset, name, value):
        mine = Q(assignee=self.request.user)
        return queryset.filter(mine if value == "me" else Q(assignee__isnull=True))

    def filter_search(self, queryset, name, value):
        return tickets_support_search(tickets=queryset, query=value)
