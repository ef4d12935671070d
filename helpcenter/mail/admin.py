"""The outbox in the admin: read-only rows, filtered by status, with a resend action."""

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from helpcenter.admin import ReadOnlyAdminMixin
from helpcenter.mail.models import OutboundEmail
from helpcenter.mail.services import outbound_email_resend


@admin.register(OutboundEmail)
class OutboundEmailAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("to_email", "subject", "status", "attempts", "created_at", "sent_at")
    list_filter = ("status",)
    search_fields = ("to_email", "subject", "event_key", "=message_id", "=thread_key")
    date_hierarchy = "created_at"
    readonly_fields = (
        "event_key",
        "to_email",
        "subject",
        "message_id",
        "thread_key",
        "headers",
        "status",
        "attempts",
        "last_error",
        "created_at",
        "next_attempt_at",
        "claimed_at",
        "sent_at",
        "text_body",
    )
    fields = readonly_fields
    actions = ("resend",)

    def has_resend_permission(self, request):
        return request.user.has_perm("mail.change_outboundemail")

    @admin.action(description=_("Resend the selected failed emails"), permissions=["resend"])
    def resend(self, request, queryset):
        ids = list(queryset.values_list("pk", flat=True))
        resent = outbound_email_resend(outbound_email_ids=ids)
        if resent:
            messages.success(
                request,
                ngettext(
                    "%(count)d email will be sent again.",
                    "%(count)d emails will be sent again.",
                    resent,
                )
                % {"count": resent},
            )
        if len(ids) > resent:
            messages.warning(
                request,
                ngettext(
                    "%(count)d email was skipped: only failed emails are resent.",
                    "%(count)d emails were skipped: only failed emails are resent.",
                    len(ids) - resent,
                )
                % {"count": len(ids) - resent},
            )
