from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.paginator import Page, Paginator
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.csrf import csrf_exempt
from django.views.generic import FormView, TemplateView

from accounts.models import User
from accounts.selectors import (
    cluster_get_for_user,
    current_organization,
    organization_members,
    organizations_for_user,
)
from helpcenter.csv import csv_writer
from helpcenter.forms import form_add_service_errors
from plans.models import Portal
from plans.selectors import plan_for_organization, portal_access
from tickets import services
from tickets.attachments import attachment_download_response
from tickets.forms import (
    BillingRequestForm,
    CommentForm,
    NotificationsForm,
    RequestFilterForm,
    SatisfactionForm,
    SharingForm,
    TechnicalRequestForm,
)
from tickets.models import Ticket
from tickets.notifications import rating_token_read, unsubscribe_token_read
from tickets.selectors import (
    RequestFilters,
    attachment_get_for_user,
    request_list_page,
    request_page_for,
    ticket_get_for_action,
    ticket_get_for_user,
    tickets_for_request_list,
    tickets_visible_to,
)
from tickets.sla import response_clock

REQUESTS_PER_PAGE = 50
# No list has rows this far (fifty million requests): a larger page number goes through the
# count, which makes it the last page, and never reaches PostgreSQL as an OFFSET too big for it.
LAST_PAGE_READ_DIRECTLY = 1_000_000
# The tag of the "request submitted" message: the page showing it drops the form's draft.
REQUEST_SUBMITTED_TAG = "request-submitted"


class HomeView(TemplateView):
    """The help center: the portals this user can reach, and the ones their plans lock."""

    template_name = "tickets/home.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            portals=[
                portal_access(user=self.request.user, portal=portal) for portal in Portal.values
            ],
            Portal=Portal,
            **kwargs,
        )


class PortalRequestView(FormView):
    """A request form; a portal the user's plans do not reach is refused on GET and POST alike."""

    portal: str
    form_class: type
    template_name = "tickets/request_form.html"

    def dispatch(self, request, *args, **kwargs):
        self.access = portal_access(user=request.user, portal=self.portal)
        self.preselected_cluster = None
        if request.GET.get("cluster"):
            self.preselected_cluster = cluster_get_for_user(
                user=request.user, cluster_id=request.GET["cluster"]
            )
            if self.preselected_cluster.organization not in self.access.organizations:
                return render(
                    request,
                    "tickets/cluster_plan_locked.html",
                    {
                        "cluster": self.preselected_cluster,
                        "cluster_plan": plan_for_organization(
                            organization=self.preselected_cluster.organization
                        ),
                        "access": self.access,
                    },
                    status=403,
                )
        if not self.access.allowed:
            return render(
                request, "tickets/portal_locked.html", {"access": self.access}, status=403
            )
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {
            **super().get_form_kwargs(),
            # The access check read them: the form offers exactly those, without a query.
            "organizations": self.access.organizations,
            "reader": self.request.user,
        }

    def get_initial(self):
        if self.request.method != "GET":
            return {}  # initial values only shape the empty form
        initial = {"shared_with_organization": services.default_sharing(reporter=self.request.user)}
        if self.request.GET.get("summary"):
            # Back from a suggested article with "Continue my request": keep what was typed.
            initial["summary"] = self.request.GET["summary"][:255]
        cluster = self.preselected_cluster
        if cluster is not None:
            initial.update(
                organization=cluster.organization,
                cluster=cluster,
                environment=cluster.environment,
                affects_version=cluster.version,
            )
        else:
            # The organization in the switcher (else the first, as the switcher shows it), so
            # the request gets its plan's response target unless "None" is chosen on purpose.
            initial["organization"] = current_organization(
                user=self.request.user,
                session=self.request.session,
                organizations=self.access.organizations,
            )
        return initial

    def get_context_data(self, **kwargs):
        context = super().get_context_data(
            access=self.access,
            portal=self.portal,
            Portal=Portal,
            cluster=self.preselected_cluster,
            **kwargs,
        )
        context["cluster_facts"] = {
            cluster.pk: {
                "organization": cluster.organization_id,
                "environment": cluster.environment,
                "version": cluster.version,
            }
            for cluster in context["form"].fields["cluster"].queryset
        }
        return context

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            ticket = services.ticket_create(
                reporter=self.request.user,
                portal=self.portal,
                summary=data["summary"],
                description=data["description"],
                severity=data["severity"],
                organization=data.get("organization"),
                cluster=data.get("cluster"),
                environment=data.get("environment", ""),
                components=list(data.get("components") or []),
                affects_version=data.get("affects_version", ""),
                shared_with_organization=data["shared_with_organization"],
                attachments=data["attachments"],
                access=self.access,
            )
        except ValidationError as exc:
            form_add_service_errors(form, exc)
            return self.form_invalid(form)
        messages.success(
            self.request,
            _("Your request %(key)s has been submitted. We have emailed you a confirmation.")
            % {"key": ticket.key},
            # The page it lands on tells the browser to drop the form's saved draft.
            extra_tags=REQUEST_SUBMITTED_TAG,
        )
        return redirect("tickets:request-detail", key=ticket.key)


class BillingRequestView(PortalRequestView):
    portal = Portal.BILLING
    form_class = BillingRequestForm


class TechnicalRequestView(PortalRequestView):
    portal = Portal.TECHNICAL
    form_class = TechnicalRequestForm


def _request_filters(request) -> tuple[RequestFilterForm, RequestFilters | None]:
    """The list's filters; None when the search itself is refused (too long), so the page
    shows the message and no rows rather than an unfiltered list."""
    form = RequestFilterForm(
        request.GET or None, organizations=organizations_for_user(user=request.user)
    )
    if form.is_bound and "q" in form.errors:
        return form, None
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        organization = data.get("organization")
        filters = RequestFilters(
            status=data.get("status") or "open",
            portal=data.get("portal") or "",
            organization_id=organization.pk if organization else None,
            created_by_me=data.get("mine", False),
            query=(data.get("q") or "").strip(),
        )
    else:
        filters = RequestFilters()
    return form, filters


def _request_list_page(*, user: User, filters: RequestFilters | None, number) -> Page:
    """The page of `tickets_for_request_list` that `Paginator.get_page` would show (the first
    for a number that is not one, the last past the end), with its rows from
    `request_list_page`, which counts the matching requests in the same query. Only a number
    past the end costs a count of its own, to find the last page. No filters (a refused search):
    an empty first page."""
    try:
        number = int(number)
    except (TypeError, ValueError):
        number = 1
    if filters is None:
        return Paginator([], REQUESTS_PER_PAGE).get_page(1)
    if 1 <= number <= LAST_PAGE_READ_DIRECTLY:
        rows, total = request_list_page(
            user=user,
            filters=filters,
            start=(number - 1) * REQUESTS_PER_PAGE,
            size=REQUESTS_PER_PAGE,
        )
        if rows or number == 1:
            paginator = Paginator(rows, REQUESTS_PER_PAGE)
            paginator.count = total or 0
            return Page(rows, number, paginator)
    paginator = Paginator(tickets_for_request_list(user=user, filters=filters), REQUESTS_PER_PAGE)
    page = paginator.get_page(number)
    page.object_list, _total = request_list_page(
        user=user,
        filters=filters,
        start=(page.number - 1) * REQUESTS_PER_PAGE,
        size=REQUESTS_PER_PAGE,
    )
    return page


class RequestListView(TemplateView):
    template_name = "tickets/request_list.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        form, filters = _request_filters(self.request)
        page = _request_list_page(
            user=user,
            filters=filters,
            number=self.request.GET.get("page"),
        )
        query = self.request.GET.copy()
        query.pop("page", None)
        # An empty page says what to do next: raise a first request, or widen the filters.
        # Filters that match every request leave nothing to ask: the user has none.
        match_all = filters is not None and filters.match_all
        has_requests = bool(page.object_list) or (
            not match_all and tickets_visible_to(user=user).exists()
        )
        return super().get_context_data(
            filter_form=form,
            page=page,
            filters=filters,
            query_string=query.urlencode(),
            has_requests=has_requests,
            **kwargs,
        )


class RequestExportView(View):
    """The filtered request list as CSV; every visible row, not only one page. Streamed from a
    server-side cursor, so ten thousand rows cost no more memory than ten."""

    header = [
        "Key",
        "Summary",
        "Portal",
        "Status",
        "Severity",
        "Organization",
        "Cluster",
        "Reporter",
        "Created",
        "Last activity",
    ]
    rows_per_chunk = 500

    def get(self, request):
        _form, filters = _request_filters(request)
        if filters is None:
            return HttpResponse(" ".join(_form.errors["q"]), status=400, content_type="text/plain")
        rows = tickets_for_request_list(user=request.user, filters=filters).values_list(
            "key",
            "summary",
            "portal",
            "status",
            "severity",
            "organization__name",
            "cluster__name",
            "reporter__email",
            "created_at",
            "last_activity_at",
        )
        portals = {value: str(label) for value, label in Portal.choices}
        statuses = {value: str(label) for value, label in Ticket.Status.choices}
        response = StreamingHttpResponse(
            self.lines(rows, portals=portals, statuses=statuses),
            content_type="text/csv; charset=utf-8",
        )
        response["Content-Disposition"] = 'attachment; filename="requests.csv"'
        return response

    def lines(self, rows, *, portals: dict[str, str], statuses: dict[str, str]):
        """The header before any request is read, then the rows as they come from the cursor,
        a chunk of them at a time: the server writes each chunk to the client, and one write
        per line cost more than the line."""
        writer = csv_writer(_Echo())  # every cell neutralised
        yield writer.writerow(self.header)
        chunk = []
        for row in rows.iterator(chunk_size=self.rows_per_chunk):
            (
                key,
                summary,
                portal,
                status,
                severity,
                organization,
                cluster,
                reporter,
                created,
                last_activity,
            ) = row
            chunk.append(
                writer.writerow(
                    [
                        key,
                        summary,
                        portals.get(portal, portal),
                        statuses.get(status, status),
                        severity,
                        organization or "",
                        cluster or "",
                        reporter,
                        created.isoformat(timespec="seconds"),
                        last_activity.isoformat(timespec="seconds"),
                    ]
                )
            )
            if len(chunk) == self.rows_per_chunk:
                yield "".join(chunk)
                chunk = []
        if chunk:
            yield "".join(chunk)


class _Echo:
    """A file-like object whose write returns the line: csv.writer then yields CSV lines."""

    def write(self, value: str) -> str:
        return value


class RequestDetailView(TemplateView):
    template_name = "tickets/request_detail.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        page = request_page_for(user=user, key=self.kwargs["key"])
        ticket = page.ticket
        participants = page.participants
        is_reporter = ticket.reporter_id == user.pk
        return super().get_context_data(
            ticket=ticket,
            Status=Ticket.Status,
            activity=page.activity,
            merged_duplicates=page.merged_duplicates,
            clock=response_clock(ticket=ticket),
            comment_form=kwargs.pop("comment_form", None) or CommentForm(),
            # The sharing and rating forms are written out, unbound: only their labels are read.
            sharing_fields=SharingForm.base_fields,
            colleagues=page.colleagues,
            participants=participants,
            can_share=is_reporter and ticket.organization_id is not None,
            can_rate=is_reporter and ticket.awaits_rating,
            satisfaction_fields=SatisfactionForm.base_fields,
            notifications_on=page.notifications_on,
            **kwargs,
        )


class TicketActionView(View):
    """A POST that acts on one visible request and returns to its page."""

    http_method_names = ["post"]

    def post(self, request, key):
        self.ticket = ticket_get_for_user(user=request.user, key=key)
        try:
            response = self.act(request)
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
            response = None
        return response or redirect("tickets:request-detail", key=self.ticket.key)


class CommentCreateView(RequestDetailView):
    """Adds a comment; on a refusal the request page comes back with what was typed."""

    http_method_names = ["post"]

    def post(self, request, key):
        ticket = ticket_get_for_action(user=request.user, key=key)
        form = CommentForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                services.ticket_comment_add(
                    ticket=ticket,
                    author=request.user,
                    body=form.cleaned_data["body"],
                    attachments=form.cleaned_data["attachments"],
                )
            except ValidationError as exc:
                form_add_service_errors(form, exc)
            else:
                messages.success(request, _("Your comment was added."))
                return redirect("tickets:request-detail", key=ticket.key)
        return self.render_to_response(self.get_context_data(comment_form=form), status=400)


class ResolveView(TicketActionView):
    def act(self, request):
        services.ticket_status_change(
            ticket=self.ticket, actor=request.user, to_status=Ticket.Status.RESOLVED
        )
        messages.success(request, _("This request is resolved."))


class ReopenView(TicketActionView):
    def act(self, request):
        services.ticket_status_change(
            ticket=self.ticket, actor=request.user, to_status=Ticket.Status.WAITING_FOR_SUPPORT
        )
        messages.success(request, _("This request is open again."))


class SharingView(TicketActionView):
    def act(self, request):
        colleagues = (
            organization_members(organization=self.ticket.organization)
            if self.ticket.organization
            else User.objects.none()
        )
        form = SharingForm(request.POST, colleagues=colleagues)
        if not form.is_valid():
            for error in form.errors.values():
                messages.error(request, " ".join(error))
            return None
        services.ticket_sharing_update(
            ticket=self.ticket,
            actor=request.user,
            shared_with_organization=form.cleaned_data["shared_with_organization"],
            participants=list(form.cleaned_data["participants"]),
        )
        messages.success(request, _("Sharing updated."))


class SatisfactionView(TicketActionView):
    def act(self, request):
        form = SatisfactionForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("Choose a rating from 1 to 5."))
            return None
        services.ticket_rate(
            ticket=self.ticket,
            actor=request.user,
            rating=form.cleaned_data["rating"],
            comment=form.cleaned_data["comment"],
        )
        messages.success(request, _("Thank you for your feedback."))


class NotificationsView(TicketActionView):
    def act(self, request):
        form = NotificationsForm(request.POST)
        form.is_valid()
        enabled = form.cleaned_data.get("enabled", False)
        services.ticket_notifications_set(ticket=self.ticket, user=request.user, enabled=enabled)
        messages.success(
            request,
            _("You will get emails about this request.")
            if enabled
            else _("You will no longer get emails about this request, except when it is resolved."),
        )


class AttachmentDownloadView(View):
    """Files are only served here, after the access check, and always as a download."""

    def get(self, request, key, attachment_id):
        attachment = attachment_get_for_user(
            user=request.user, key=key, attachment_id=attachment_id
        )
        return attachment_download_response(attachment)


@method_decorator(login_not_required, name="dispatch")
@method_decorator(csrf_exempt, name="dispatch")
class NotificationsOffView(TemplateView):
    """The signed link in every customer email: no login needed, one click to confirm. It
    expires after 90 days, and shows which request it is about only to its own recipient
    logged in (a forwarded email must not reveal a key or summary).

    It is also the email's `List-Unsubscribe` address: mail clients POST to it with no cookie
    (RFC 8058 one-click), so the signed token, not a CSRF token, is what authorises the POST.
    A GET only asks."""

    template_name = "tickets/notifications_off.html"

    def _target(self):
        try:
            ticket_id, user_id = unsubscribe_token_read(self.kwargs["token"])
        except signing.SignatureExpired:
            return None, None
        except signing.BadSignature as exc:
            raise Http404("This link is not valid.") from exc
        ticket = get_object_or_404(Ticket, pk=ticket_id)
        user = get_object_or_404(User, pk=user_id)
        return ticket, user

    def _context(self, ticket, user, **extra):
        if ticket is None:
            return {"expired": True}
        return {"ticket": ticket, "show_ticket": self.request.user.pk == user.pk, **extra}

    def get(self, request, token):
        ticket, user = self._target()
        return self.render_to_response(
            self._context(ticket, user), status=410 if ticket is None else 200
        )

    def post(self, request, token):
        ticket, user = self._target()
        if ticket is None:
            return self.render_to_response(self._context(None, None), status=410)
        services.ticket_notifications_set(ticket=ticket, user=user, enabled=False)
        return self.render_to_response(self._context(ticket, user, done=True))


@method_decorator(login_not_required, name="dispatch")
class RatingLinkView(TemplateView):
    """One of the five signed links in the "resolved" email: no login needed. The GET only
    shows the chosen rating with a button (mail scanners follow links); the POST records it
    through `ticket_rate`, as the reporter the link was made for. Like the unsubscribe link,
    it names the request only to that reporter logged in."""

    template_name = "tickets/rating_link.html"

    def _target(self):
        try:
            ticket_id, user_id, rating = rating_token_read(self.kwargs["token"])
        except signing.SignatureExpired:
            return None, None, None
        except signing.BadSignature as exc:
            raise Http404("This link is not valid.") from exc
        ticket = get_object_or_404(Ticket.objects.select_related("satisfaction"), pk=ticket_id)
        user = get_object_or_404(User, pk=user_id, is_active=True)
        return ticket, user, rating

    def _render(self, ticket, user, *, form=None, status=200, **extra):
        if ticket is None:
            return self.render_to_response({"expired": True}, status=410)
        return self.render_to_response(
            {
                "ticket": ticket,
                "show_ticket": self.request.user.pk == user.pk,
                "rated": getattr(ticket, "satisfaction", None),
                "form": form,
                **extra,
            },
            status=status,
        )

    def get(self, request, token):
        ticket, user, rating = self._target()
        return self._render(ticket, user, form=SatisfactionForm(initial={"rating": rating}))

    def post(self, request, token):
        ticket, user, _rating = self._target()
        if ticket is None:
            return self._render(None, None)
        form = SatisfactionForm(request.POST)
        if form.is_valid():
            try:
                satisfaction = services.ticket_rate(
                    ticket=ticket,
                    actor=user,
                    rating=form.cleaned_data["rating"],
                    comment=form.cleaned_data["comment"],
                )
            except ValidationError as exc:
                form_add_service_errors(form, exc)
            else:
                return self._render(ticket, user, rated=satisfaction, thanks=True)
        return self._render(ticket, user, form=form, status=400)
