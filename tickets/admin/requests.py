"""The request list, the request page and bulk actions of the triage admin."""

import copy

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.utils import flatten_fieldsets, unquote
from django.contrib.humanize.templatetags.humanize import naturaltime
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.http import urlencode
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from helpcenter.forms import form_add_service_errors
from tickets import services
from tickets.admin.display import (
    AssigneeFilter,
    Queue,
    QueueFilter,
    SlaStateFilter,
    Status,
    clock_badge,
    request_is_engineer,
)
from tickets.admin.forms import AssignForm, TicketTriageForm
from tickets.attachments import attachment_download_response
from tickets.models import Ticket
from tickets.selectors import (
    canned_responses_for_ticket,
    support_attachment_get,
    support_queue_counts,
    ticket_conversation_for_support,
    ticket_history,
    tickets_for_support,
    tickets_support_search,
)
from tickets.sla import response_clock


@admin.register(Ticket)
class TicketAdmin(admin.ModelAdmin):
    list_display = (
        "key",
        "summary",
        "organization",
        "plan",
        "severity",
        "status",
        "assignee_name",
        "first_response",
        "last_update",
    )
    list_display_links = ("key", "summary")
    list_select_related = ("organization", "plan", "assignee")
    list_filter = (
        QueueFilter,
        "status",
        "portal",
        "severity",
        "plan",
        "components",
        AssigneeFilter,
        SlaStateFilter,
    )
    search_fields = ("key", "summary", "organization__name", "reporter__email")
    search_help_text = _("Key, summary, organization or reporter email")
    autocomplete_fields = ("assignee",)
    actions = (
        "assign_to_me",
        "assign_to",
        "mark_in_progress",
        "mark_waiting_for_customer",
        "mark_resolved",
    )
    fieldsets = (
        (
            _("Request"),
            {
                "fields": (
                    "key",
                    "portal",
                    "summary",
                    "description",
                    "severity",
                    "environment",
                    "components",
                    "affects_version",
                    "organization",
                    "cluster",
                    "reporter",
                    "shared_with_organization",
                    "participants",
                )
            },
        ),
        (
            _("Handling"),
            {
                "fields": (
                    "status",
                    "assignee",
                    "plan",
                    "response_target",
                    "first_response_due_at",
                    "first_responded_at",
                    "sla_paused_at",
                    "created_at",
                    "last_activity_at",
                    "resolved_at",
                    "customer_satisfaction",
                )
            },
        ),
    )
    readonly_fields = flatten_fieldsets(fieldsets)
    change_form_template = "admin/tickets/ticket/change_form.html"

    # Access: engineers only, and only through the one support rule.

    def get_queryset(self, request):
        queryset = tickets_for_support(user=request.user)
        ordering = self.get_ordering(request)
        return queryset.order_by(*ordering) if ordering else queryset

    def has_view_permission(self, request, obj=None):
        return request_is_engineer(request) and super().has_view_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return request_is_engineer(request) and super().has_change_permission(request, obj)

    def get_search_results(self, request, queryset, search_term):
        if not search_term.strip():
            return queryset, False
        return tickets_support_search(tickets=queryset, query=search_term), False

    def has_add_permission(self, request):
        return False  # customers raise requests on the portal

    def has_delete_permission(self, request, obj=None):
        return False  # a request's history is never deleted

    # The list.

    @admin.display(description=_("first response"), ordering="first_response_due_at")
    def first_response(self, ticket):
        return clock_badge(response_clock(ticket=ticket))

    @admin.display(description=_("assignee"), ordering="assignee__email")
    def assignee_name(self, ticket):
        if ticket.assignee is None:
            return "-"
        return format_html(
            '<span title="{}">{}</span>', ticket.assignee.email, ticket.assignee.display_name
        )

    @admin.display(description=_("last update"), ordering="last_activity_at")
    def last_update(self, ticket):
        return format_html(
            '<span title="{}">{}</span>',
            ticket.last_activity_at.isoformat(timespec="minutes"),
            naturaltime(ticket.last_activity_at),
        )

    @admin.display(description=_("response target"))
    def response_target(self, ticket):
        return ticket.response_target_label or _("None on this plan")

    @admin.display(description=_("customer satisfaction"))
    def customer_satisfaction(self, ticket):
        rating = getattr(ticket, "satisfaction", None)
        if rating is None:
            return _("Not rated")
        return f"{rating.rating}/5 {rating.comment}".strip()

    def queues(self, request) -> list[Queue]:
        """The triage queues with live counts, for the admin index."""
        counts = support_queue_counts(user=request.user)
        changelist = reverse("admin:tickets_ticket_changelist")
        most_urgent_first = {"o": ["action_checkbox", *self.list_display].index("first_response")}
        return [
            Queue(
                name=name,
                label=label,
                count=counts[name],
                url=changelist
                + "?"
                + urlencode({"queue": name, **(most_urgent_first if name == "breaching" else {})}),
            )
            for name, label in QueueFilter.labels.items()
        ]

    # The request page: read-only fields, the conversation, and the triage form.

    def get_urls(self):
        return [
            path(
                "<path:object_id>/attachments/<int:attachment_id>/",
                self.admin_site.admin_view(self.attachment_view),
                name="tickets_ticket_attachment",
            ),
            *super().get_urls(),
        ]

    def _assignee_field(self, request, **kwargs):
        return self.formfield_for_foreignkey(
            Ticket._meta.get_field("assignee"),
            request,
            queryset=User.objects.filter(is_staff=True, is_active=True).order_by("email"),
            **kwargs,
        )

    def _triage_form(self, request, ticket, **kwargs):
        return TicketTriageForm(
            ticket=ticket, assignee_field=self._assignee_field(request), **kwargs
        )

    def change_view(self, request, object_id, form_url="", extra_context=None):
        ticket = self.get_object(request, unquote(object_id))
        if ticket is None or not self.has_view_permission(request, ticket):
            # The admin's own answers: "does not exist" back on the list, or 403.
            return super().change_view(request, object_id, form_url, extra_context)
        can_change = self.has_change_permission(request, ticket)
        form = None
        if request.method == "POST":
            if not can_change:
                raise PermissionDenied
            form = self._triage_form(request, ticket, data=request.POST, files=request.FILES)
            if form.is_valid():
                try:
                    done = self._triage(request, ticket, form)
                except ValidationError as exc:
                    form_add_service_errors(form, exc)
                else:
                    for message in done:
                        messages.success(request, message)
                    if not done:
                        messages.info(request, gettext("Nothing to save."))
                    return HttpResponseRedirect(request.get_full_path())
            # Draw the page again, as for a GET, around the refused form and what was typed.
            request = copy.copy(request)
            request.method = "GET"
        elif can_change:
            form = self._triage_form(request, ticket)
        context = {
            "triage_form": form,
            "conversation": ticket_conversation_for_support(ticket=ticket),
            "history": ticket_history(ticket=ticket),
            "canned_responses": canned_responses_for_ticket(ticket=ticket) if form else [],
            "clock": clock_badge(response_clock(ticket=ticket)),
            "media": self.media + form.media if form else self.media,
            "show_save": False,
            "show_save_and_continue": False,
            "show_save_and_add_another": False,
            "show_delete": False,
            **(extra_context or {}),
        }
        response = super().change_view(request, object_id, form_url, context)
        if form is not None and form.is_bound:
            response.status_code = 400
        return response

    def _triage(self, request, ticket, form) -> list[str]:
        """Apply what the engineer changed, all or nothing: assignee, then the reply (the
        first public one meets the first-response target), then the status."""
        data, engineer, done = form.cleaned_data, request.user, []
        with transaction.atomic():
            if "assignee" in form.changed_data:
                services.ticket_assign(ticket=ticket, actor=engineer, assignee=data["assignee"])
                done.append(
                    gettext("Assigned to %(name)s.") % {"name": data["assignee"]}
                    if data["assignee"]
                    else gettext("Unassigned.")
                )
            if form.has_reply:
                services.ticket_comment_add(
                    ticket=ticket,
                    author=engineer,
                    body=data["body"],
                    attachments=data["attachments"],
                    is_internal=form.reply_is_internal,
                )
                done.append(
                    gettext("Internal note added; customers never see it.")
                    if form.reply_is_internal
                    else gettext("Public reply sent to the customer.")
                )
            if "status" in form.changed_data:
                services.ticket_status_change(
                    ticket=ticket, actor=engineer, to_status=data["status"]
                )
                done.append(
                    gettext("Status set to %(status)s.") % {"status": Status(data["status"]).label}
                )
        return done

    def attachment_view(self, request, object_id, attachment_id):
        """A file of a request, for engineers, always as a download."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        attachment = support_attachment_get(
            user=request.user, ticket_id=unquote(object_id), attachment_id=attachment_id
        )
        return attachment_download_response(attachment)

    # Actions on many requests, each through the services.

    def _each(self, request, queryset, act, *, done) -> None:
        """Call `act` on each request; report how many succeeded (`done(count)`) and, one by
        one, the ones a service refused."""
        succeeded, refused = 0, []
        for ticket in queryset.order_by("pk"):
            try:
                act(ticket)
            except ValidationError as exc:
                refused.append(f"{ticket.key}: {' '.join(exc.messages)}")
            else:
                succeeded += 1
        if succeeded:
            messages.success(request, done(succeeded))
        for refusal in refused:
            messages.error(request, refusal)

    @admin.action(description=_("Assign to me"), permissions=["change"])
    def assign_to_me(self, request, queryset):
        self._each(
            request,
            queryset,
            lambda ticket: services.ticket_assign(
                ticket=ticket, actor=request.user, assignee=request.user
            ),
            done=lambda count: (
                ngettext(
                    "%(count)d request assigned to you.",
                    "%(count)d requests assigned to you.",
                    count,
                )
                % {"count": count}
            ),
        )

    @admin.action(description=_("Assign to…"), permissions=["change"])
    def assign_to(self, request, queryset):
        field = self._assignee_field(request)
        form = AssignForm(request.POST if "apply" in request.POST else None, assignee_field=field)
        if form.is_valid():
            assignee = form.cleaned_data["assignee"]
            self._each(
                request,
                queryset,
                lambda ticket: services.ticket_assign(
                    ticket=ticket, actor=request.user, assignee=assignee
                ),
                done=lambda count: (
                    ngettext(
                        "%(count)d request assigned to %(name)s.",
                        "%(count)d requests assigned to %(name)s.",
                        count,
                    )
                    % {"count": count, "name": assignee}
                ),
            )
            return None
        return TemplateResponse(
            request,
            "admin/tickets/ticket/assign_to.html",
            {
                **self.admin_site.each_context(request),
                "title": gettext("Assign requests"),
                "opts": self.opts,
                "tickets": queryset.select_related("assignee"),
                "form": form,
                "media": self.media + form.media,
                "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
                "select_across": request.POST.get("select_across", "0"),
            },
        )

    def _status_action(self, request, queryset, to_status):
        self._each(
            request,
            queryset,
            lambda ticket: services.ticket_status_change(
                ticket=ticket, actor=request.user, to_status=to_status
            ),
            done=lambda count: (
                ngettext(
                    "%(count)d request set to %(status)s.",
                    "%(count)d requests set to %(status)s.",
                    count,
                )
                % {"count": count, "status": Status(to_status).label}
            ),
        )

    @admin.action(description=_("Set status: In progress"), permissions=["change"])
    def mark_in_progress(self, request, queryset):
        self._status_action(request, queryset, Status.IN_PROGRESS)

    @admin.action(description=_("Set status: Waiting for customer"), permissions=["change"])
    def mark_waiting_for_customer(self, request, queryset):
        self._status_action(request, queryset, Status.WAITING_FOR_CUSTOMER)

    @admin.action(description=_("Set status: Resolved"), permissions=["change"])
    def mark_resolved(self, request, queryset):
        self._status_action(request, queryset, Status.RESOLVED)
