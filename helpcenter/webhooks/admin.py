from django.contrib import admin, messages

from helpcenter.webhooks.models import WebhookDelivery, WebhookEndpoint
from helpcenter.webhooks.services import webhook_redeliver


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(admin.ModelAdmin):
    list_display = ["url", "organization", "is_active", "created_at"]
    list_filter = ["is_active"]
    search_fields = ["url", "organization__name"]
    readonly_fields = ["organization", "created_by", "created_at"]
    fields = ["organization", "url", "events", "is_active", "created_by", "created_at"]

    def has_add_permission(self, request):
        return False


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin):
    list_display = [
        "pk",
        "event",
        "endpoint",
        "status",
        "attempts",
        "response_status",
        "created_at",
    ]
    list_filter = ["status", "event"]
    search_fields = ["event_key", "endpoint__url"]
    readonly_fields = [field.name for field in WebhookDelivery._meta.fields]
    actions = ["redeliver"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.action(description="Redeliver the selected failed deliveries")
    def redeliver(self, request, queryset):
        failed = queryset.filter(status=WebhookDelivery.Status.FAILED)
        for delivery in failed:
            webhook_redeliver(actor=None, delivery=delivery)
        self.message_user(
            request, f"{len(failed)} deliveries will be sent again.", messages.SUCCESS
        )
