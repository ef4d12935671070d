"""Inbound emails in the admin: every stored message with its outcome, the text as received,
the raw message while it is kept, and a re-run action for rejected or failed ones."""

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from helpcenter.admin import ReadOnlyAdminMixin
from helpcenter.inbound.models import InboundEmail
from helpcenter.inbound.services import inbound_email_rerun

RAW_SHOWN_BYTES = 200_000


@admin.register(InboundEmail)
class InboundEmailAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = (
        "received_at",
        "from_email",
        "subject",
        "outcome",
        "request_key",
        "replied",
        "source",
    )
    list_filter = ("outcome", "source", "replied")
    search_fields = ("from_email", "subject", "message_id", "request_key")
    date_hierarchy = "received_at"
    readonly_fields = (
        "received_at",
        "source",
        "from_email",
        "recipients",
        "subject",
        "message_id",
        "size",
        "outcome",
        "outcome_detail",
        "request_key",
        "replied",
        "processed_at",
        "runs",
        "text",
        "raw_message",
    )
    fields = readonly_fields
    actions = ("rerun",)

    def get_queryset(self, request):
        return super().get_queryset(request).defer("raw")

    @admin.display(description=_("raw message"))
    def raw_message(self, obj):
        raw = InboundEmail.objects.filter(pk=obj.pk).values_list("raw", flat=True).first()
        if raw is None:
            return _("Removed after %(days)d days.") % {"days": InboundEmail.RAW_KEEP_DAYS}
        text = bytes(raw[:RAW_SHOWN_BYTES]).decode("utf-8", errors="replace")
        return format_html('<pre class="inbound-raw">{}</pre>', text)

    def has_rerun_permission(self, request):
        return request.user.has_perm("inbound.change_inboundemail")

    @admin.action(description=_("Run the selected messages again"), permissions=["rerun"])
    def rerun(self, request, queryset):
        done = 0
        for inbound_email_id in queryset.values_list("pk", flat=True):
            try:
                inbound_email = inbound_email_rerun(inbound_email_id=inbound_email_id)
            except ValidationError as exc:
                messages.warning(request, " ".join(exc.messages))
                continue
            done += 1
            messages.info(
                request,
                _("%(email)s: %(outcome)s. %(detail)s")
                % {
                    "email": inbound_email,
                    "outcome": inbound_email.get_outcome_display(),
                    "detail": inbound_email.outcome_detail,
                },
            )
        if done:
            messages.success(
                request,
                ngettext("%(count)d message ran again.", "%(count)d messages ran again.", done)
                % {"count": done},
            )
