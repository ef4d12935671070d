"""Organizations with their plan, plan history and open requests."""

from django.contrib import admin
from django.db.models import Count, Q, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from accounts.admin import OrganizationAdmin as AccountsOrganizationAdmin
from accounts.models import Organization
from plans.admin import PlanChangeInline
from plans.selectors import default_plan
from tickets.admin.display import (
    request_is_engineer,
)
from tickets.models import Ticket
from tickets.selectors import (
    tickets_for_support,
)


class OpenTicketInline(admin.TabularInline):
    model = Ticket
    fk_name = "organization"
    verbose_name = _("open request")
    verbose_name_plural = _("open requests")
    fields = ("key", "summary", "severity", "status", "assignee", "last_activity_at")
    readonly_fields = fields
    show_change_link = True
    can_delete = False
    extra = 0

    def get_queryset(self, request):
        return (
            tickets_for_support(user=request.user)
            .filter(status__in=Ticket.OPEN_STATUSES)
            .select_related("assignee")
            .order_by("-last_activity_at")
        )

    def has_view_permission(self, request, obj=None):
        return request_is_engineer(request) and super().has_view_permission(request, obj)

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Organization)
class OrganizationAdmin(AccountsOrganizationAdmin):
    list_display = ("name", "support_plan", "time_zone", "open_requests", "created_at")
    fields = ("name", "support_plan", "time_zone", "created_at")
    readonly_fields = ("support_plan", "created_at")
    inlines = (*AccountsOrganizationAdmin.inlines, PlanChangeInline, OpenTicketInline)

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("subscription__plan")
            .annotate(
                plan_name=Coalesce("subscription__plan__name", Value(default_plan().name)),
                open_request_count=Count(
                    "tickets", filter=Q(tickets__status__in=Ticket.OPEN_STATUSES)
                ),
            )
        )

    def get_list_display(self, request):
        shown = super().get_list_display(request)
        return (
            shown
            if request_is_engineer(request)
            else [name for name in shown if name != "open_requests"]
        )

    @admin.display(description=_("support plan"), ordering="plan_name")
    def support_plan(self, organization):
        subscription = getattr(organization, "subscription", None)
        if subscription is not None and subscription.trial_ends_at:
            return _("%(plan)s (trial until %(date)s)") % {
                "plan": organization.plan_name,
                "date": subscription.trial_ends_at.date().isoformat(),
            }
        return organization.plan_name

    @admin.display(description=_("open requests"), ordering="open_request_count")
    def open_requests(self, organization):
        return organization.open_request_count
