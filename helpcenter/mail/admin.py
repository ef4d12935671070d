"""The outbox in the admin: read-only rows, filtered by status, with a resend action; and the
addresses that bounce, with the action that confirms one again."""

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from helpcenter.admin import ReadOnlyAdminMixin
from helpcenter.mail.models import BouncingAddress, OutboundEmail
from helpcenter.mail.services import bouncing_addresses_confirm, outbound_email_resend


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


@admin.register(BouncingAddress)
class BouncingAddressAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("email", "last_bounced_at", "bounces", "first_bounced_at")
    search_fields = ("email",)
    readonly_fields = ("email", "first_bounced_at", "last_bounced_at", "bounces", "diagnostic")
    fields = readonly_fields
    actions = ("confirm",)

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)  # confirming is what removes a row
        return actions

    def has_confirm_permission(self, request):
        return request.user.has_perm("mail.delete_bouncingaddress")

    @admin.action(
        description=_("Confirm: the selected addresses receive mail again"),
        permissions=["confirm"],
    )
    def confirm(self, request, queryset):
        confirmed = bouncing_addresses_confirm(
            emails=list(queryset.values_list("email", flat=True))
        )
        messages.success(
            request,
            ngettext(
                "%(count)d address gets email again; resend what failed meanwhile from "
                "Outbound emails.",
                "%(count)d addresses get email again; resend what failed meanwhile from "
                "Outbound emails.",
                confirmed,
            )
            % {"count": confirmed},
        )
