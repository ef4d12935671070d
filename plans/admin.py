"""Support plans in the admin. Plans, their portals and response targets are data an
administrator sets; subscriptions, plan history and cards are written by the plan services
(an owner's upgrade or downgrade), so the admin only shows them."""

from django.contrib import admin

from helpcenter.admin import ReadOnlyAdminMixin
from plans.models import (
    PaymentMethod,
    Plan,
    PlanChange,
    PlanPortal,
    PlanUpgradeRequest,
    ResponseTarget,
    SalesInquiry,
    Subscription,
)


class PlanPortalInline(admin.TabularInline):
    model = PlanPortal
    extra = 0


class ResponseTargetInline(admin.TabularInline):
    model = ResponseTarget
    fields = (
        "severity",
        "minutes",
        "next_response_minutes",
        "resolution_minutes",
        "business_hours",
    )
    extra = 0


@admin.register(Plan)
class PlanAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "rank", "purchase", "monthly_price", "trial_days")
    search_fields = ("name", "code")
    inlines = (PlanPortalInline, ResponseTargetInline)


class PlanChangeInline(ReadOnlyAdminMixin, admin.TabularInline):
    """An organization's plan history, newest first (used on the Organization page)."""

    model = PlanChange
    fk_name = "organization"
    fields = ("changed_at", "from_plan", "to_plan", "changed_by", "reason")
    readonly_fields = fields
    ordering = ("-changed_at",)
    extra = 0
    can_delete = False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("from_plan", "to_plan", "changed_by")


@admin.register(Subscription)
class SubscriptionAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("organization", "plan", "started_at", "trial_ends_at")
    list_filter = ("plan",)
    list_select_related = ("organization", "plan")
    search_fields = ("organization__name",)


@admin.register(PlanChange)
class PlanChangeAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("organization", "from_plan", "to_plan", "changed_by", "changed_at", "reason")
    list_filter = ("to_plan",)
    list_select_related = ("organization", "from_plan", "to_plan", "changed_by")
    search_fields = ("organization__name",)
    date_hierarchy = "changed_at"


@admin.register(PaymentMethod)
class PaymentMethodAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Only what the gateway let us keep: brand, last four digits, expiry, holder."""

    list_display = ("organization", "brand", "last4", "exp_month", "exp_year", "holder_name")
    list_select_related = ("organization",)
    search_fields = ("organization__name", "holder_name")


@admin.register(SalesInquiry)
class SalesInquiryAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("topic", "company", "name", "email", "organization", "created_at")
    list_filter = ("topic",)
    list_select_related = ("organization",)
    search_fields = ("company", "name", "email")
    date_hierarchy = "created_at"


@admin.register(PlanUpgradeRequest)
class PlanUpgradeRequestAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Members' requests to their owners to upgrade (the owners were emailed)."""

    list_display = ("organization", "requested_by", "plan", "created_at")
    list_select_related = ("organization", "requested_by", "plan")
    search_fields = ("organization__name", "requested_by__email")
    date_hierarchy = "created_at"
