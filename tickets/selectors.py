"""The one place that decides which requests, comments and attachments a user sees."""

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Count, F, Prefetch, Q, QuerySet, Value
from django.http import Http404
from django.utils import timezone

from accounts.models import Membership, Organization, User
from tickets.models import (
    Attachment,
    CannedResponse,
    Comment,
    Ticket,
    TicketEvent,
    TicketNotificationSetting,
    TicketViewer,
    support_engineer_q,
)

AT_RISK_WITHIN = timedelta(hours=1)
CRITICAL_WITHIN = timedelta(minutes=30)


def is_support_engineer(*, user: User) -> bool:
    if not (user.is_authenticated and user.is_active and user.is_staff):
        return False
    return user.is_superuser or User.objects.filter(support_engineer_q(), pk=user.pk).exists()


def tickets_visible_to(*, user: User) -> QuerySet[Ticket]:
    """Access follows membership: an organization's request is visible only to its current
    members, and among them to the reporter, the participants, and everyone when it is shared.
    A request about no organization is its reporter's alone. Leaving an organization therefore
    ends access to its requests, comments, files, export rows and emails at once, even for
    the reporter or a participant. Support engineers see requests in the admin, not here."""
    if not user.is_authenticated or not user.is_active:
        return Ticket.objects.none()
    organization_ids, participating_ids = _memberships_and_participations(user)
    # Literal id lists, not subqueries: each branch of the OR is then served by its own index
    # (a BitmapOr) with exact row estimates. An OR across a subquery cannot use an index, and
    # PostgreSQL would read the whole request table for every page.
    return Ticket.objects.filter(
        Q(organization__isnull=True, reporter=user)
        | Q(organization_id__in=organization_ids)
        & (Q(reporter=user) | Q(shared_with_organization=True) | Q(pk__in=participating_ids))
    )


def _memberships_and_participations(user: User) -> tuple[list[int], list[int]]:
    """The user's organization ids and the ids of requests they were added to, in one query."""
    organizations = (
        Membership.objects.filter(user=user)
        .order_by()
        .values_list(Value("organization"), "organization_id")
    )
    participations = (
        Ticket.participants.through.objects.filter(user=user)
        .order_by()
        .values_list(Value("participant"), "ticket_id")
    )
    rows = list(organizations.union(participations, all=True))
    return (
        [pk for kind, pk in rows if kind == "organization"],
        [pk for kind, pk in rows if kind == "participant"],
    )


def tickets_for_support(*, user: User) -> QuerySet[Ticket]:
    """What the admin shows: every request to support engineers, nothing to other staff."""
    if not is_support_engineer(user=user):
        return Ticket.objects.none()
    return Ticket.objects.all()


REQUEST_KEY = re.compile(r"[A-Z]{1,8}-[0-9]{1,10}")


def _request_key(key) -> str:
    """A key as stored (BILL-12); anything that cannot be one (a NUL byte, a space) is a 404."""
    key = str(key).upper()
    if not REQUEST_KEY.fullmatch(key):
        raise Http404("No such request.")
    return key


def ticket_get_for_user(*, user: User, key: str) -> Ticket:
    ticket = (
        tickets_visible_to(user=user)
        .select_related(
            "organization",
            "cluster",
            "reporter",
            "assignee",
            "plan",
            "satisfaction",
            "merged_into",
        )
        .prefetch_related("components", "participants")
        .filter(key=_request_key(key))
        .first()
    )
    if ticket is None:
        raise Http404("No such request.")
    return ticket


def ticket_get_for_support(*, user: User, key: str) -> Ticket:
    """A request by key for an engineer; 404 for a missing key and for anyone else."""
    ticket = (
        tickets_for_support(user=user)
        .select_related(
            "organization", "cluster", "reporter", "assignee", "plan", "satisfaction", "merged_into"
        )
        .prefetch_related("components", "participants")
        .filter(key=_request_key(key))
        .first()
    )
    if ticket is None:
        raise Http404("No such request.")
    return ticket


def ticket_comments_with_merged(*, ticket: Ticket) -> QuerySet[Comment]:
    """The request's comments and those of the duplicates merged into it."""
    return Comment.objects.filter(ticket__in=_thread_ids([ticket.pk]))


def _thread_ids(ticket_ids: list[int]) -> QuerySet[Ticket]:
    """The ids of these requests and of the duplicates merged into them, as a subquery that
    PostgreSQL serves from the primary key and the merged_into index (an OR across the join
    from comments to requests would read the whole request table)."""
    return Ticket.objects.filter(Q(pk__in=ticket_ids) | Q(merged_into_id__in=ticket_ids)).values(
        "pk"
    )


def ticket_merged_duplicates(*, ticket: Ticket) -> QuerySet[Ticket]:
    """The requests closed as duplicates of this one, oldest first, with their reporters."""
    return ticket.merged_duplicates.select_related("reporter").order_by("created_at", "pk")


def ticket_public_comments(*, ticket: Ticket) -> QuerySet[Comment]:
    return (
        ticket_comments_with_merged(ticket=ticket)
        .filter(is_internal=False)
        .select_related("author", "ticket")
        .prefetch_related(Prefetch("attachments", queryset=Attachment.objects.order_by("pk")))
        .order_by("created_at", "pk")
    )


def attachment_get_for_user(*, user: User, key: str, attachment_id) -> Attachment:
    ticket = ticket_get_for_user(user=user, key=key)
    try:
        return Attachment.objects.select_related("comment").get(
            comment__ticket__in=_thread_ids([ticket.pk]),
            pk=int(attachment_id),
            comment__is_internal=False,
        )
    except (Attachment.DoesNotExist, TypeError, ValueError) as exc:
        raise Http404("No such attachment.") from exc


@dataclass(frozen=True)
class RequestFilters:
    status: str = "open"
    portal: str = ""
    organization_id: int | None = None
    created_by_me: bool = False
    query: str = ""


def tickets_for_request_list(*, user: User, filters: RequestFilters) -> QuerySet[Ticket]:
    tickets = tickets_visible_to(user=user)
    if filters.status == "open":
        tickets = tickets.filter(status__in=Ticket.OPEN_STATUSES)
    elif filters.status == "closed":
        tickets = tickets.filter(status__in=Ticket.CLOSED_STATUSES)
    if filters.portal:
        tickets = tickets.filter(portal=filters.portal)
    if filters.organization_id:
        tickets = tickets.filter(organization_id=filters.organization_id)
    if filters.created_by_me:
        tickets = tickets.filter(reporter=user)
    if filters.query:
        tickets = tickets.filter(
            Q(summary__icontains=filters.query)
            | Q(description__icontains=filters.query)
            | Q(key__iexact=filters.query)
        )
    return tickets.select_related("organization", "reporter", "cluster").order_by(
        "-last_activity_at", "-pk"
    )


def notification_enabled_for(*, ticket: Ticket, user: User) -> bool:
    """Reporter and participants are notified unless they turned it off; other members opt in."""
    setting = TicketNotificationSetting.objects.filter(ticket=ticket, user=user).first()
    if setting is not None:
        return setting.enabled
    return user.pk == ticket.reporter_id or ticket.participants.filter(pk=user.pk).exists()


def customer_recipients(
    *, ticket: Ticket, exclude: User | None = None, everyone: bool = False
) -> list[User]:
    """Customers to email about a public change, honouring each one's notification choice
    unless `everyone` (a resolution is always sent)."""
    choices = dict(
        TicketNotificationSetting.objects.filter(ticket=ticket).values_list("user_id", "enabled")
    )
    default_on = {ticket.reporter_id, *ticket.participants.values_list("pk", flat=True)}
    opted_in = {pk for pk, enabled in choices.items() if enabled}
    candidates = User.objects.filter(is_active=True, is_staff=False, pk__in=default_on | opted_in)
    if exclude is not None:
        candidates = candidates.exclude(pk=exclude.pk)
    recipients = []
    for user in candidates.order_by("email"):
        if not everyone and not choices.get(user.pk, user.pk in default_on):
            continue
        if tickets_visible_to(user=user).filter(pk=ticket.pk).exists():
            recipients.append(user)
    return recipients


@dataclass(frozen=True)
class ResponseClock:
    """Where a request stands against its first-response target."""

    state: str
    due_at: datetime | None
    remaining: timedelta | None

    @property
    def label(self) -> str:
        return {
            "on_track": "On track",
            "at_risk": "At risk",
            "breached": "Breached",
            "paused": "Paused, waiting for you",
            "met": "Met",
            "none": "No response target",
        }[self.state]

    @property
    def urgency(self) -> str:
        """green, amber or red for the agents' list."""
        if self.state in ("breached",) or (
            self.remaining is not None and self.remaining < CRITICAL_WITHIN
        ):
            return "red"
        if self.state == "at_risk":
            return "amber"
        return "green"


def response_clock(*, ticket: Ticket, now: datetime | None = None) -> ResponseClock:
    now = now or timezone.now()
    due = ticket.first_response_due_at
    if not ticket.response_target_minutes or due is None:
        return ResponseClock("none", None, None)
    if ticket.first_responded_at is not None:
        state = "met" if ticket.first_responded_at <= due else "breached"
        return ResponseClock(state, due, None)
    if ticket.sla_paused_at is not None:
        return ResponseClock("paused", due, due - ticket.sla_paused_at)
    remaining = due - now
    if remaining < timedelta(0):
        return ResponseClock("breached", due, remaining)
    if remaining < AT_RISK_WITHIN:
        return ResponseClock("at_risk", due, remaining)
    return ResponseClock("on_track", due, remaining)


# Support triage in the admin: queues, the SLA-state filter, the ticket page.

SLA_STATES = ("on_track", "at_risk", "breached", "paused", "met")


def sla_state_q(*, state: str, now: datetime | None = None) -> Q:
    """The requests whose response clock (see `response_clock`) is in `state`, as a database
    filter: the same boundaries, so the admin filter and the clock column always agree."""
    now = now or timezone.now()
    has_target = Q(response_target_minutes__gt=0, first_response_due_at__isnull=False)
    waiting = Q(first_responded_at__isnull=True)
    running = waiting & Q(sla_paused_at__isnull=True)
    due = "first_response_due_at"
    conditions = {
        "met": Q(first_responded_at__lte=F(due)),
        "breached": Q(first_responded_at__gt=F(due)) | (running & Q(**{f"{due}__lt": now})),
        "paused": waiting & Q(sla_paused_at__isnull=False),
        "at_risk": running & Q(**{f"{due}__gte": now, f"{due}__lt": now + AT_RISK_WITHIN}),
        "on_track": running & Q(**{f"{due}__gte": now + AT_RISK_WITHIN}),
    }
    return has_target & conditions[state]


def support_queue_filters(*, user: User, now: datetime | None = None) -> dict[str, Q]:
    """The triage queues: open requests, then mine, nobody's, and those breaching within an
    hour (still saveable: the clock runs and less than an hour is left)."""
    open_requests = Q(status__in=Ticket.OPEN_STATUSES)
    return {
        "all_open": open_requests,
        "mine": open_requests & Q(assignee=user),
        "unassigned": open_requests & Q(assignee__isnull=True),
        "breaching": open_requests & sla_state_q(state="at_risk", now=now),
    }


def support_queue_counts(*, user: User, now: datetime | None = None) -> dict[str, int]:
    """How many requests each queue holds, in one query."""
    filters = support_queue_filters(user=user, now=now)
    # Every queue holds open requests only: they are counted from ticket_open_queue_idx alone.
    return (
        tickets_for_support(user=user)
        .filter(status__in=Ticket.OPEN_STATUSES)
        .aggregate(**{name: Count("pk", filter=condition) for name, condition in filters.items()})
    )


def ticket_conversation_for_support(*, ticket: Ticket) -> QuerySet[Comment]:
    """Every comment and internal note, oldest first, with authors and files."""
    return (
        ticket_comments_with_merged(ticket=ticket)
        .select_related("author", "ticket")
        .prefetch_related(Prefetch("attachments", queryset=Attachment.objects.order_by("pk")))
        .order_by("created_at", "pk")
    )


COLLISION_WINDOW = timedelta(minutes=5)


def ticket_other_viewers(
    *, ticket: Ticket, user: User, now: datetime | None = None
) -> list[tuple[User, datetime]]:
    """Other engineers who had this request open in the last few minutes, latest first."""
    since = (now or timezone.now()) - COLLISION_WINDOW
    viewers = (
        TicketViewer.objects.filter(ticket=ticket, seen_at__gte=since)
        .exclude(user=user)
        .select_related("user")
        .order_by("-seen_at")
    )
    return [(viewer.user, viewer.seen_at) for viewer in viewers]


def ticket_comments_since(*, ticket: Ticket, after_id: int) -> QuerySet[Comment]:
    """Comments (and notes) added to the conversation after the one with id `after_id`."""
    return (
        ticket_comments_with_merged(ticket=ticket)
        .filter(pk__gt=after_id)
        .select_related("author")
        .order_by("pk")
    )


def ticket_history(*, ticket: Ticket) -> QuerySet[TicketEvent]:
    return ticket.events.select_related("actor").order_by("created_at", "pk")


def support_attachment_get(*, user: User, ticket_id, attachment_id) -> Attachment:
    """A file of a request the engineer may see; 404 for missing and not-yours alike."""
    try:
        tickets = tickets_for_support(user=user).filter(pk=int(ticket_id))
        return Attachment.objects.select_related("comment").get(
            comment__ticket__in=_thread_ids(list(tickets.values_list("pk", flat=True))),
            pk=int(attachment_id),
        )
    except (Attachment.DoesNotExist, TypeError, ValueError) as exc:
        raise Http404("No such attachment.") from exc


def ticket_with_exact_key(*, tickets: QuerySet[Ticket], query: str) -> Ticket | None:
    """The request whose key is exactly what was typed (any case, spaces around), if any."""
    key = query.strip().upper()
    if not key or " " in key or "-" not in key:
        return None
    return tickets.filter(key=key).only("pk").first()


def canned_responses_for_ticket(*, ticket: Ticket) -> list[tuple[str, str]]:
    """Each canned response as (title, text) with this request's placeholders filled in;
    other braces are left as typed."""
    values = {
        "customer_name": ticket.reporter.display_name,
        "key": ticket.key,
        "plan": ticket.plan.name,
        "summary": ticket.summary,
    }
    filled = []
    for canned in CannedResponse.objects.order_by("title"):
        text = canned.body
        for name, value in values.items():
            text = text.replace("{" + name + "}", value)
        filled.append((canned.title, text))
    return filled


def tickets_support_search(*, tickets: QuerySet[Ticket], query: str) -> QuerySet[Ticket]:
    """The admin search: every word must match the key, the summary, the organization's name
    or the reporter's email. Organizations and reporters are looked up first, so each part of
    the search is served by its own index (trigram on key, summary, name and email)."""
    for word in query.split():
        organization_ids = list(
            Organization.objects.filter(name__icontains=word).values_list("pk", flat=True)
        )
        reporter_ids = list(User.objects.filter(email__icontains=word).values_list("pk", flat=True))
        tickets = tickets.filter(
            Q(key__icontains=word)
            | Q(summary__icontains=word)
            | Q(organization_id__in=organization_ids)
            | Q(reporter_id__in=reporter_ids)
        )
    return tickets
