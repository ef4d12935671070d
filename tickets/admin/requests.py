"""The request list, the request page and bulk actions of the triage admin."""

import copy
from collections.abc import Callable
from html import escape
from operator import attrgetter

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.utils import flatten_fieldsets, unquote
from django.contrib.admin.views.main import ChangeList
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import F
from django.http import Http404, HttpResponseRedirect, JsonResponse
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.html import format_html, format_html_join
from django.utils.http import urlencode
from django.utils.safestring import SafeString
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from accounts.models import User
from helpcenter.forms import form_add_service_errors
from helpcenter.timezones import RelativeTimeElements, time_element, time_element_relative
from tickets import services
from tickets.admin.display import (
    AssigneeFilter,
    ClockBadges,
    ClockCells,
    ListedObjectsFilter,
    NextResponseStateFilter,
    Queue,
    QueueFilter,
    ResolutionStateFilter,
    SlaStateFilter,
    Status,
    clock_badge,
    request_is_engineer,
)
from tickets.admin.forms import (
    AssignForm,
    MergeForm,
    RaiseRequestForm,
    TicketTriageForm,
    TriageActionForm,
)
from tickets.admin.listed import listed_requests
from tickets.admin.paging import TriagePaginator, page_links
from tickets.admin.rows import result_table, written_per_page
from tickets.admin.search_box import search_box
from tickets.admin.sidebar import filter_sidebar
from tickets.attachments import attachment_download_response
from tickets.models import SlaAlert, Ticket, support_engineer_q
from tickets.selectors import (
    canned_responses_for_ticket,
    support_attachment_get,
    support_queue_counts,
    ticket_comments_since,
    ticket_conversation_for_support,
    ticket_history,
    ticket_merged_duplicates,
    ticket_other_viewers,
    ticket_with_exact_key,
    tickets_for_support,
    tickets_support_search,
)
from tickets.sla import active_clock, request_clocks, target_clock, urgency_ordering
from tickets.sla.calendar import UTC_ZONE

LATEST_MESSAGES = 3
# What the request page shows of the request besides its own fields (not the request it was
# merged into: rarely set, and joining the request table to itself doubles the planning time).
TICKET_PAGE_RELATED = ("organization", "cluster", "reporter", "assignee", "plan", "satisfaction")
Target = SlaAlert.Target


def _last_updates(times: RelativeTimeElements):
    """The list's "last update" cells of one page: the zone, language and moment read once."""
    return lambda ticket: times(ticket.last_activity_at)


def _clock_cells(ticket, badges: ClockBadges | None = None) -> ClockCells:
    """Both clock columns of a row come from one reading of its clocks, kept on the row (read
    for this page and shown, never changed)."""
    cells = ticket.__dict__.get("_clock_cells")
    if cells is None:
        badges = badges or ClockBadges()
        clocks = request_clocks(ticket=ticket, now=badges.now)
        cells = ticket._clock_cells = ClockCells(clocks, badges)
    return cells


def _clock_column(cell: Callable[[ClockCells], str]) -> Callable:
    """A clock column's cells on one page, its badges written by one `ClockBadges`."""
    badges = ClockBadges()
    return lambda ticket: cell(_clock_cells(ticket, badges))


class TicketChangeList(ChangeList):
    """The list never shows descriptions (up to 32,000 characters each): they stay unread. Its
    page is read as the columns its rows show (`tickets.admin.listed`), its rows are written by
    `tickets.admin.rows` and its filters by `tickets.admin.sidebar` (the same HTML as Django's,
    for less work). Each row's plan is the one the plan filter read (`ListedObjectsFilter`):
    joining the plan table to the page's query cost more, in planning and in building 50 more
    objects, than the rest of the join."""

    def get_queryset(self, request, exclude_parameters=None):
        return super().get_queryset(request, exclude_parameters).defer("description")

    def get_results(self, request):
        super().get_results(request)
        if not (self.list_editable or self.is_popup):  # a form or a popup reads the models
            self.result_list = listed_requests(self.result_list, plans=self._listed_plans())

    def _listed_plans(self) -> dict:
        return next(
            (
                spec.objects
                for spec in self.filter_specs
                if isinstance(spec, ListedObjectsFilter) and spec.field_path == "plan"
            ),
            {},  # a single plan offers no filter
        )

    @cached_property
    def result_table(self) -> dict:
        return result_table(self)

    @cached_property
    def page_links(self) -> SafeString:
        return page_links(self)

    @cached_property
    def filter_sidebar(self) -> SafeString:
        return filter_sidebar(self)

    @cached_property
    def search_box(self) -> SafeString:
        return search_box(self)


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
        "next_due",
        "first_response",
        "last_update",
    )
    ordering = urgency_ordering()
    list_display_links = ("key", "summary")
    list_select_related = ("organization", "assignee")  # the plan: see TicketChangeList
    list_filter = (
        QueueFilter,
        "status",
        "portal",
        "severity",
        ("plan", ListedObjectsFilter),
        ("components", ListedObjectsFilter),
        AssigneeFilter,
        SlaStateFilter,
        NextResponseStateFilter,
        ResolutionStateFilter,
    )
    list_per_page = 50
    paginator = TriagePaginator
    # The filtered count is the one that matters; counting all 100,000 requests again on every
    # page view only served the "(N total)" beside it.
    show_full_result_count = False
    search_fields = ("key", "summary", "organization__name", "reporter__email")
    search_help_text = _("Key, summary, organization or reporter email")
    autocomplete_fields = ("assignee",)
    action_form = TriageActionForm
    actions = (
        "assign_to_me",
        "assign_to",
        "mark_in_progress",
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
                    "targets",
                    "first_response_due",
                    "first_responded",
                    "paused_since",
                    "created",
                    "last_activity",
                    "resolved",
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

    def get_object(self, request, object_id, from_field=None):
        """Django's lookup, or the request page's own read of the same request (`_page_ticket`),
        which Django's change view asks for again."""
        ticket = request.__dict__.get("_page_ticket")
        if ticket is not None and from_field is None and str(ticket.pk) == str(object_id):
            return ticket
        return super().get_object(request, object_id, from_field)

    def _page_ticket(self, request, object_id) -> Ticket | None:
        """The request page's request, with everything the page shows of it read along. A GET
        keeps it for Django's change view; a refused POST leaves it, so the redraw reads again
        and shows what was saved, not what the refused save left on the object."""
        try:
            ticket = (
                self.get_queryset(request)
                .select_related(*TICKET_PAGE_RELATED)
                .prefetch_related("components", "participants")
                .get(pk=Ticket._meta.pk.to_python(object_id))
            )
        except (Ticket.DoesNotExist, ValidationError, ValueError):
            return None
        if request.method == "GET":
            request._page_ticket = ticket
        return ticket

    def get_changelist(self, request, **kwargs):
        return TicketChangeList

    def get_actions(self, request):
        """Django asks three times a page (the checkbox column, the action form and its
        choices), each time checking every action's permissions: answered once per request."""
        actions = request.__dict__.get("_ticket_actions")
        if actions is None:
            actions = request._ticket_actions = super().get_actions(request)
        return actions

    def has_view_permission(self, request, obj=None):
        return request_is_engineer(request) and super().has_view_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return request_is_engineer(request) and super().has_change_permission(request, obj)

    def get_search_results(self, request, queryset, search_term):
        if not search_term.strip():
            return queryset, False
        return tickets_support_search(tickets=queryset, query=search_term), False

    def has_add_permission(self, request):
        """Engineers raise requests for customers (a call, a chat, an alert) through the same
        `ticket_create` as the portal."""
        return request_is_engineer(request) and super().has_change_permission(request)

    def has_delete_permission(self, request, obj=None):
        return False  # a request's history is never deleted

    # The list.

    @written_per_page(lambda: _clock_column(attrgetter("due")))
    @admin.display(description=_("due"), ordering=F("active_due_at").asc(nulls_last=True))
    def next_due(self, ticket):
        return _clock_cells(ticket).due

    @written_per_page(lambda: _clock_column(attrgetter("first_response")))
    @admin.display(description=_("first response"), ordering="first_response_due_at")
    def first_response(self, ticket):
        return _clock_cells(ticket).first_response

    @admin.display(description=_("assignee"), ordering="assignee__email")
    def assignee_name(self, ticket):
        """Written as `format_html` would write it (both values escaped), without its per-call
        work: the list writes one per row."""
        assignee = ticket.assignee
        if assignee is None:
            return "-"
        return SafeString(
            f'<span title="{escape(assignee.email)}">{escape(assignee.display_name)}</span>'
        )

    @written_per_page(lambda: _last_updates(RelativeTimeElements()))
    @admin.display(description=_("last update"), ordering="last_activity_at")
    def last_update(self, ticket):
        return time_element_relative(ticket.last_activity_at)

    # The request page's times, in the engineer's zone with its abbreviation.

    @admin.display(description=_("first response due"))
    def first_response_due(self, ticket):
        return time_element(ticket.first_response_due_at, relative=True) or "-"

    @admin.display(description=_("first responded"))
    def first_responded(self, ticket):
        return time_element(ticket.first_responded_at) or "-"

    @admin.display(description=_("paused since"))
    def paused_since(self, ticket):
        return time_element(ticket.sla_paused_at, relative=True) or "-"

    @admin.display(description=_("created"))
    def created(self, ticket):
        return time_element(ticket.created_at, relative=True)

    @admin.display(description=_("last activity"))
    def last_activity(self, ticket):
        return time_element(ticket.last_activity_at, relative=True)

    @admin.display(description=_("resolved"))
    def resolved(self, ticket):
        return time_element(ticket.resolved_at) or "-"

    @admin.display(description=_("response target"))
    def response_target(self, ticket):
        return ticket.response_target_label or _("None on this plan")

    @admin.display(description=_("targets"))
    def targets(self, ticket):
        """Every target of the request, with its state and due time."""
        clocks = [(target, target_clock(ticket=ticket, target=target)) for target in Target]
        return format_html(
            '<ul class="hc-targets">{}</ul>',
            format_html_join(
                "",
                '<li data-target="{}">{}: {} · {}</li>',
                (
                    (
                        target,
                        target.label,
                        clock.label,
                        time_element(clock.due_at) if clock.due_at else gettext("no target"),
                    )
                    for target, clock in clocks
                ),
            ),
        )

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
        return [
            Queue(
                name=name,
                label=label,
                count=counts[name].total,
                due_soon=counts[name].due_soon,
                breached=counts[name].breached,
                url=changelist + "?" + urlencode({"queue": name}),
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
            path(
                "<int:object_id>/activity/",
                self.admin_site.admin_view(self.activity_view),
                name="tickets_ticket_activity",
            ),
            path(
                "<int:object_id>/assign-to-me/",
                self.admin_site.admin_view(require_POST(self.assign_to_me_view)),
                name="tickets_ticket_assign_to_me",
            ),
            path(
                "<int:object_id>/merge/",
                self.admin_site.admin_view(self.merge_view),
                name="tickets_ticket_merge",
            ),
            *super().get_urls(),
        ]

    def _assignee_field(self, request, **kwargs):
        return self.formfield_for_foreignkey(
            Ticket._meta.get_field("assignee"),
            request,
            queryset=User.objects.filter(support_engineer_q()).order_by("email"),
            **kwargs,
        )

    def _triage_form(self, request, ticket, **kwargs):
        return TicketTriageForm(
            ticket=ticket, assignee_field=self._assignee_field(request), **kwargs
        )

    def changelist_view(self, request, extra_context=None):
        """An exact key typed into the search opens that request. An estimated count
        (`TriagePaginator`) is said to be one."""
        query = request.GET.get("q", "")
        if query and request_is_engineer(request):
            ticket = ticket_with_exact_key(
                tickets=tickets_for_support(user=request.user), query=query
            )
            if ticket is not None:
                return HttpResponseRedirect(
                    reverse("admin:tickets_ticket_change", args=[ticket.pk])
                )
        response = super().changelist_view(request, extra_context)
        context = getattr(response, "context_data", {})
        if context.get("action_form") is not None:
            # The unbound action form is written once per process for its choices (actions.html).
            context["action_choices"] = tuple(context["action_form"].fields["action"].choices)
        changelist = context.get("cl")
        if changelist is not None and changelist.paginator.estimated:
            response.context_data["selection_note_all"] = gettext(
                "All %(name)s selected (about %(count)s)"
            ) % {"name": self.opts.verbose_name_plural, "count": changelist.result_count}
        return response

    def change_view(self, request, object_id, form_url="", extra_context=None):
        ticket = self._page_ticket(request, unquote(object_id))
        if ticket is None or not self.has_view_permission(request, ticket):
            # The admin's own answers: "does not exist" back on the list, or 403.
            return super().change_view(request, object_id, form_url, extra_context)
        can_change = self.has_change_permission(request, ticket)
        form = None
        if request.method == "POST":
            if not can_change:
                raise PermissionDenied
            form = self._triage_form(request, ticket, data=request.POST, files=request.FILES)
            if form.is_valid() and self._no_unseen_comments(request, ticket, form):
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
        other_viewers = ticket_other_viewers(ticket=ticket, user=request.user)
        if can_change:
            services.ticket_viewer_touch(ticket=ticket, user=request.user)
        conversation = list(ticket_conversation_for_support(ticket=ticket))
        context = {
            "title": ticket.key,
            "subtitle": None,
            "triage_form": form,
            "earlier_messages": conversation[:-LATEST_MESSAGES],
            "latest_messages": conversation[-LATEST_MESSAGES:],
            "message_count": len(conversation),
            "latest_comment_id": max((comment.pk for comment in conversation), default=0),
            "merged_duplicates": ticket_merged_duplicates(ticket=ticket),
            "other_viewers": other_viewers,
            "history": ticket_history(ticket=ticket),
            "canned_responses": canned_responses_for_ticket(ticket=ticket) if form else [],
            **self._clock_context(ticket),
            "can_turn_into_article": ticket.status in (Status.RESOLVED, Status.CLOSED),
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

    def _clock_context(self, ticket) -> dict:
        """The clock for the header: its badge, the due time (the page shows it in the
        engineer's zone), and the reporter's local time now and at the due time."""
        target, clock = active_clock(ticket=ticket)
        organization_zone = ticket.organization.zone if ticket.organization else UTC_ZONE
        return {
            "clock_target": Target(target).label,
            "clock": clock_badge(clock),
            "clock_due_at": clock.due_at,
            "customer_now": timezone.now(),
            "customer_zone": ticket.reporter.time_zone or str(organization_zone),
        }

    def _no_unseen_comments(self, request, ticket, form) -> bool:
        """A reply typed while someone else commented is held back until the engineer has seen
        the new comment; the draft stays in the box."""
        seen_comment_id = form.cleaned_data["seen_comment_id"]
        if not form.has_reply or seen_comment_id is None:
            return True
        unseen = (
            ticket_comments_since(ticket=ticket, after_id=seen_comment_id)
            .exclude(author=request.user)
            .first()
        )
        if unseen is None:
            return True
        form.add_error(
            None,
            gettext(
                "%(name)s added a comment while you were writing. Read it below; your text "
                "is kept, send it again when it still fits."
            )
            % {"name": unseen.author.display_name},
        )
        return False

    def activity_view(self, request, object_id):
        """What changed since the page was drawn, for the light poll of the request page: who
        else has it open, and the comments added after `after`."""
        ticket = self.get_object(request, str(object_id))
        if ticket is None or not self.has_view_permission(request, ticket):
            raise Http404
        try:
            after = int(request.GET.get("after", "0"))
        except ValueError:
            after = 0
        if self.has_change_permission(request, ticket):
            services.ticket_viewer_touch(ticket=ticket, user=request.user)
        viewers = ticket_other_viewers(ticket=ticket, user=request.user)
        comments = ticket_comments_since(ticket=ticket, after_id=after).exclude(author=request.user)
        return JsonResponse(
            {
                "viewers": [
                    {"name": user.display_name, "seen_at": seen_at.isoformat()}
                    for user, seen_at in viewers
                ],
                "comments": [
                    {
                        "id": comment.pk,
                        "author": comment.author.display_name,
                        "internal": comment.is_internal,
                        "created_at": comment.created_at.isoformat(),
                        "body": comment.body,
                    }
                    for comment in comments[:20]
                ],
            }
        )

    def assign_to_me_view(self, request, object_id):
        """The `a` shortcut: take the request."""
        ticket = self.get_object(request, str(object_id))
        if ticket is None or not self.has_change_permission(request, ticket):
            raise Http404
        services.ticket_assign(ticket=ticket, actor=request.user, assignee=request.user)
        if request.headers.get("Accept", "").startswith("application/json"):
            return JsonResponse({"assignee": request.user.display_name, "id": request.user.pk})
        messages.success(request, gettext("Assigned to you."))
        return HttpResponseRedirect(reverse("admin:tickets_ticket_change", args=[ticket.pk]))

    def merge_view(self, request, object_id):
        """Close this request as a duplicate of another of the same organization."""
        ticket = self.get_object(request, str(object_id))
        if ticket is None or not self.has_change_permission(request, ticket):
            raise Http404
        form = MergeForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            target = ticket_with_exact_key(
                tickets=tickets_for_support(user=request.user), query=form.cleaned_data["target"]
            )
            if target is None:
                form.add_error("target", gettext("No request has this key."))
            else:
                try:
                    services.ticket_merge(duplicate=ticket, target=target, actor=request.user)
                except ValidationError as exc:
                    form_add_service_errors(form, exc)
                else:
                    messages.success(
                        request,
                        gettext("%(duplicate)s merged into %(target)s.")
                        % {"duplicate": ticket.key, "target": target.key},
                    )
                    return HttpResponseRedirect(
                        reverse("admin:tickets_ticket_change", args=[target.pk])
                    )
        return TemplateResponse(
            request,
            "admin/tickets/ticket/merge.html",
            {
                **self.admin_site.each_context(request),
                "title": gettext("Merge %(key)s into another request") % {"key": ticket.key},
                "opts": self.opts,
                "original": ticket,
                "form": form,
            },
            status=400 if form.is_bound and form.errors else 200,
        )

    def add_view(self, request, form_url="", extra_context=None):
        """Raise a request on behalf of a customer, through `ticket_create`."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = RaiseRequestForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            membership = data["customer"]
            try:
                ticket = services.ticket_create(
                    reporter=membership.user,
                    organization=membership.organization,
                    portal=data["portal"],
                    summary=data["summary"],
                    description=data["description"],
                    severity=data["severity"],
                    cluster=data["cluster"],
                    environment=data["environment"],
                    components=list(data["components"]),
                    affects_version=data["affects_version"],
                    attachments=data["attachments"],
                    raised_by=request.user,
                )
            except PermissionDenied as exc:
                form.add_error("portal", str(exc))
            except ValidationError as exc:
                form_add_service_errors(form, exc)
            else:
                messages.success(
                    request,
                    gettext("%(key)s raised for %(name)s; they were sent the confirmation.")
                    % {"key": ticket.key, "name": membership.user.display_name},
                )
                return HttpResponseRedirect(
                    reverse("admin:tickets_ticket_change", args=[ticket.pk])
                )
        return TemplateResponse(
            request,
            "admin/tickets/ticket/raise.html",
            {
                **self.admin_site.each_context(request),
                "title": gettext("Raise a request for a customer"),
                "opts": self.opts,
                "form": form,
                "media": self.media + form.media,
            },
            status=400 if form.is_bound and form.errors else 200,
        )

    def _triage(self, request, ticket, form) -> list[str]:
        """Apply what the engineer changed, all or nothing: assignee, then the reply (the
        first public one meets the first-response target), then the status."""
        data, engineer, done = form.cleaned_data, request.user, []
        with services.ticket_save():
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

    @admin.action(description=_("Set status: Resolved"), permissions=["change"])
    def mark_resolved(self, request, queryset):
        self._status_action(request, queryset, Status.RESOLVED)
