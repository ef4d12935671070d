"""The one place that decides which requests, comments and attachments a user sees."""

import re
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from functools import cache, lru_cache
from typing import NamedTuple

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import (
    Count,
    Exists,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
)
from django.db.models.expressions import RawSQL
from django.db.models.functions import JSONObject
from django.db.models.sql.where import AND, OR, WhereNode
from django.http import Http404
from django.utils import timezone

from accounts.models import Cluster, Membership, Organization, User
from accounts.selectors import organization_members
from helpcenter.mail.selectors import outbound_email_replied_to
from helpcenter.sql import ORGANIZATION, READER, filled, instances, prepared
from plans.models import Plan
from tickets.models import (
    Attachment,
    CannedResponse,
    Comment,
    SatisfactionRating,
    Ticket,
    TicketEvent,
    TicketNotificationSetting,
    TicketViewer,
    support_engineer_q,
)
from tickets.sla import breached_q, due_within_q


def is_support_engineer(*, user: User) -> bool:
    """`support_engineer_q` for one user: no query for the anonymous, inactive and superusers,
    one per user object otherwise (the answer is kept on it for the rest of the request)."""
    if not (user.is_authenticated and user.is_active):
        return False
    if user.is_superuser:
        return True
    if not hasattr(user, "_is_support_engineer"):
        user._is_support_engineer = User.objects.filter(support_engineer_q(), pk=user.pk).exists()
    return user._is_support_engineer


def support_engineer_with_permissions(*, user: User) -> bool:
    """`is_support_engineer`, with every permission the person holds (their own and their
    groups') read in the same query and kept where Django's ModelBackend keeps them
    (`_perm_cache`, which `has_perm` reads first): each admin page asks both, and one query then
    answers every permission check of the request. Only someone who holds no permission at all
    (refused anyway) costs the engineer check its own query."""
    if not (user.is_authenticated and user.is_active) or user.is_superuser:
        return is_support_engineer(user=user)
    if not hasattr(user, "_perm_cache"):
        sql, params = _permissions_sql()
        with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
            cursor.execute(*prepared(sql, (*params, user.pk)))
            rows = cursor.fetchall()
        user._perm_cache = {f"{app_label}.{codename}" for app_label, codename, _ in rows}
        if rows:
            user._is_support_engineer = rows[0][2]
    return is_support_engineer(user=user)


@cache
def _permissions_sql() -> tuple[str, tuple]:
    """The query of `support_engineer_with_permissions`, for the person whose id is its last
    parameter: the permissions as ModelBackend reads them (granted to the person or to one of
    their groups) and `support_engineer_q`. Written once per process: building it through the
    ORM on every page cost more than running it."""
    is_support, params = _support_engineer_sql("person.id")
    return (
        f"""SELECT ct.app_label, p.codename, {is_support}
        FROM (SELECT %s AS id) person, auth_permission p
        JOIN django_content_type ct ON ct.id = p.content_type_id
        WHERE p.id IN (
            SELECT own.permission_id FROM accounts_user_user_permissions own
            WHERE own.user_id = person.id
        ) OR p.id IN (
            SELECT granted.permission_id FROM auth_group_permissions granted
            JOIN accounts_user_groups membership ON membership.group_id = granted.group_id
            WHERE membership.user_id = person.id
        )""",
        params,
    )


def _sees_requests(user: User) -> bool:
    """Whether `tickets_visible_to` looks at the user's memberships at all."""
    return user.is_authenticated and user.is_active


def tickets_visible_to(*, user: User, key: str | None = None) -> QuerySet[Ticket]:
    """Access follows membership: an organization's request is visible only to its current
    members, and among them to the reporter, the participants, and everyone when it is shared.
    A request about no organization is its reporter's alone. Leaving an organization therefore
    ends access to its requests, comments, files, export rows and emails at once, even for
    the reporter or a participant. Support engineers see requests in the admin, not here.

    With a `key`, the one visible request with that key (none for any other key): its key's
    unique index finds the row and the same rule is checked on that row by subqueries, which
    saves the query that reads the user's memberships first."""
    if not _sees_requests(user):
        return Ticket.objects.none()
    if key is not None:
        return Ticket.objects.filter(
            _visibility_q(
                user,
                in_organization=Exists(_MEMBERSHIP.filter(user=user)),
                participating=Exists(_PARTICIPATION.filter(user=user)),
            ),
            key=_request_key(key),
        )
    organization_ids, participating_ids = _memberships_and_participations(user)
    # Literal id lists, not subqueries: each branch of the OR is then served by its own index
    # (a BitmapOr) with exact row estimates. An OR across a subquery cannot use an index, and
    # PostgreSQL would read the whole request table for every page.
    return Ticket.objects.filter(
        _visibility_q(
            user,
            in_organization=Q(organization_id__in=organization_ids),
            participating=Q(pk__in=participating_ids),
        )
    )


def _visibility_q(user: User, *, in_organization: Q, participating: Q) -> Q:
    """The rule of `tickets_visible_to`, given how membership of the request's organization
    and participation in the request are checked."""
    return Q(organization__isnull=True, reporter=user) | Q(in_organization) & (
        Q(reporter=user) | Q(shared_with_organization=True) | Q(participating)
    )


# The one-row form's subqueries, on the request's organization and on the request itself.
_MEMBERSHIP = Membership.objects.order_by().filter(organization=OuterRef("organization_id"))
_PARTICIPATION = Ticket.participants.through.objects.order_by().filter(ticket=OuterRef("pk"))

# `tickets_visible_to` starts with this query (the CSV export, the API, the Requests page's
# question whether the user has any request at all). Written out: building and compiling the
# union through the ORM, and reading its rows back, cost twice its round trip.
_MEMBERSHIPS_AND_PARTICIPATIONS = f"""
    SELECT true, organization_id FROM {Membership._meta.db_table} WHERE user_id = %s
    UNION ALL
    SELECT false, ticket_id FROM {Ticket.participants.through._meta.db_table} WHERE user_id = %s
"""


def _memberships_and_participations(user: User) -> tuple[list[int], list[int]]:
    """The user's organization ids and the ids of requests they were added to, in one query."""
    with connections[Membership.objects.db].cursor() as cursor:
        cursor.execute(
            *prepared(
                _MEMBERSHIPS_AND_PARTICIPATIONS, (user.pk, user.pk), using=Membership.objects.db
            )
        )
        rows = cursor.fetchall()
    return (
        [pk for is_membership, pk in rows if is_membership],
        [pk for is_membership, pk in rows if not is_membership],
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


# What every page of a request reads with it, joined once here and copied for each request.
_REQUEST_WITH_ITS_NAMES = Ticket.objects.select_related(
    "organization", "cluster", "reporter", "plan", "satisfaction"
)


def _visible_by_key(*, user: User, key: str) -> QuerySet[Ticket]:
    """The visible request with this key, with what every page of a request reads. The key's
    unique index finds the one row and `tickets_visible_to` decides on it by subqueries; the
    query carries no ordering and joins nothing customers do not read: each further join (the
    assignee, whom customers never see, the rare request it was merged into, read on access)
    and an ORDER BY multiplied the time PostgreSQL spent planning it."""
    return _REQUEST_WITH_ITS_NAMES & tickets_visible_to(user=user, key=key)


def _one_or_404(tickets: QuerySet[Ticket]) -> Ticket:
    try:
        return tickets.get()
    except Ticket.DoesNotExist:
        raise Http404("No such request.") from None


def ticket_get_for_user(*, user: User, key: str) -> Ticket:
    """The visible request with this key, 404 for a missing key and for anyone else."""
    return _one_or_404(
        _visible_by_key(user=user, key=key).prefetch_related("components", "participants")
    )


def ticket_get_for_action(*, user: User, key: str) -> Ticket:
    """The visible request with this key, its id and key alone, for a change whose service
    reads (and locks) the row itself; 404 for a missing key and for anyone else."""
    return _one_or_404(tickets_visible_to(user=user, key=key).only("key"))


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
    """The request's comments and those of the duplicates merged into it, each knowing whether
    its author is support (`author_is_support`, for the badge)."""
    return _with_author_is_support(Comment.objects.filter(ticket__in=_thread_ids([ticket.pk])))


def _with_author_is_support(comments: QuerySet[Comment]) -> QuerySet[Comment]:
    return comments.annotate(
        author_is_support=Exists(
            User.objects.filter(support_engineer_q(), pk=OuterRef("author_id"))
        )
    )


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


@dataclass(frozen=True)
class RequestPage:
    """What the customer's page of one request shows, besides the forms."""

    ticket: Ticket
    participants: list[User]
    colleagues: list[User]  # for the sharing form: none unless the reader is the reporter
    merged_duplicates: list[Ticket]
    activity: list[tuple[str, Comment | TicketEvent]]
    notifications_on: bool


# The request page's row: the columns the page shows, and what it shows around them (names,
# flags, the Activity), each read by a subquery written in SQL. Joined (select_related), the
# organization, cluster, reporter, plan and rating made PostgreSQL plan longer than it read; as
# ORM subqueries (and as the Activity's own two queries), resolving and compiling them cost
# more than running the whole page's SQL.
_REQUEST_PAGE_FIELDS = (
    "key",
    "portal",
    "organization",
    "cluster",
    "reporter",
    "plan",
    "summary",
    "description",
    "severity",
    "environment",
    "affects_version",
    "status",
    "shared_with_organization",
    "response_target_minutes",
    "response_target_business_hours",
    "first_response_due_at",
    "first_responded_at",
    "first_response_warn_at",
    "sla_paused_at",
    "created_at",
    "resolved_at",
    "merged_into",
)


def _person_sql(person_id: str) -> str:
    """The name and address of the user whose id is `person_id`, as a JSON object."""
    return f"""(SELECT json_build_object('full_name', p.full_name, 'email', p.email)
        FROM accounts_user p WHERE p.id = {person_id})"""


def _support_engineer_sql(person_id: str) -> tuple[str, tuple]:
    """Whether the user whose id is `person_id` is a support engineer: `support_engineer_q`
    compiled, so that the rule keeps its one definition."""
    query = User.objects.filter(support_engineer_q(), pk=RawSQL(person_id, ())).order_by()
    sql, params = query.values("pk").query.sql_with_params()
    return f"EXISTS({sql})", params


def _request_page_subqueries() -> dict[str, RawSQL]:
    """The subqueries of the request page's row."""
    person_is_support, support_params = _support_engineer_sql("a.person_id")
    subqueries = {
        "organization_row": """SELECT json_build_object('name', o.name, 'time_zone', o.time_zone)
            FROM accounts_organization o WHERE o.id = tickets_ticket.organization_id""",
        "cluster_row": """SELECT json_build_object('name', c.name)
            FROM accounts_cluster c WHERE c.id = tickets_ticket.cluster_id""",
        "reporter_row": """SELECT json_build_object('full_name', u.full_name, 'email', u.email)
            FROM accounts_user u WHERE u.id = tickets_ticket.reporter_id""",
        "plan_row": """SELECT json_build_object('name', p.name)
            FROM plans_plan p WHERE p.id = tickets_ticket.plan_id""",
        "satisfaction_row": """SELECT json_build_object('id', s.id, 'rating', s.rating,
            'comment', s.comment) FROM tickets_satisfactionrating s
            WHERE s.ticket_id = tickets_ticket.id""",
        "component_names": """ARRAY(SELECT c.name FROM tickets_component c
            JOIN tickets_ticket_components tc ON tc.component_id = c.id
            WHERE tc.ticket_id = tickets_ticket.id ORDER BY c.position, c.name)""",
        "participant_rows": _people_sql(
            User.objects.filter(participating_tickets=RawSQL("tickets_ticket.id", ()))
        ),
        "merged_duplicate_ids": """ARRAY(SELECT d.id FROM tickets_ticket d
            WHERE d.merged_into_id = tickets_ticket.id)""",
        # The Activity: the public comments of the request and of the duplicates merged into
        # it (served by the comments' ticket index) with their files, and the request's status
        # changes, each with its person (author or actor) and whether that is support. One
        # list, so that PostgreSQL plans the person's lookups once.
        "activity_rows": (
            f"""ARRAY(SELECT json_build_object('kind', a.kind, 'id', a.id,
            'ticket_id', a.ticket_id, 'text', a.text, 'created_at', a.created_at,
            'person_id', a.person_id, 'person', {_person_sql("a.person_id")},
            'is_support', {person_is_support}, 'attachment_list', a.attachment_list)
            FROM (
                SELECT 'comment' AS kind, c.id, c.ticket_id, c.body AS text, c.created_at,
                    c.author_id AS person_id, ARRAY(SELECT json_build_object('pk', f.id,
                        'original_name', f.original_name, 'size', f.size)
                        FROM tickets_attachment f WHERE f.comment_id = c.id ORDER BY f.id
                    ) AS attachment_list
                FROM tickets_comment c WHERE NOT c.is_internal AND c.ticket_id = ANY(
                    tickets_ticket.id || ARRAY(SELECT d.id FROM tickets_ticket d
                    WHERE d.merged_into_id = tickets_ticket.id))
                UNION ALL
                SELECT 'status', e.id, e.ticket_id, e.to_value, e.created_at, e.actor_id, NULL
                FROM tickets_ticketevent e WHERE e.kind = %s AND e.ticket_id = tickets_ticket.id
            ) a)""",
            (*support_params, TicketEvent.Kind.STATUS.value),
        ),
    }
    return {
        name: RawSQL(*subquery) if isinstance(subquery, tuple) else RawSQL(subquery, ())
        for name, subquery in subqueries.items()
    }


def _people_sql(people: QuerySet[User]) -> tuple[str, tuple]:
    """These users' ids, names and addresses in their order, as an array of JSON objects."""
    rows = people.values(json=JSONObject(id="pk", full_name="full_name", email="email"))
    sql, params = rows.query.sql_with_params()
    return f"ARRAY({sql})::json[]", params  # json, which the driver decodes (jsonb it leaves)


def _colleagues_sql() -> tuple[str, tuple]:
    """Whom the request's reporter may share it with: the other members of its organization
    (`organization_members`), read only when the reader is the reporter (a %s parameter)."""
    colleagues = organization_members(
        organization=RawSQL("tickets_ticket.organization_id", ())
    ).exclude(pk=RawSQL("tickets_ticket.reporter_id", ()))
    sql, params = _people_sql(colleagues)
    return f"CASE WHEN tickets_ticket.reporter_id = %s THEN {sql} END", params


_NOTIFICATION_CHOICE = """SELECT n.enabled FROM tickets_ticketnotificationsetting n
    WHERE n.ticket_id = tickets_ticket.id AND n.user_id = %s"""


def _loaded(model, pk: int | None, row: dict | None):
    """The `model` instance with this pk whose fields a subquery read as `row` (a JSON
    object; the model's other fields are deferred), None without one."""
    if row is None:
        return None
    row["id"] = pk
    names = [field.attname for field in model._meta.concrete_fields if field.attname in row]
    return model.from_db(DEFAULT_DB_ALIAS, names, [row[name] for name in names])


# Stands for the key in the request page's query, compiled once (`filled`).
_KEY = "KEY-0"


@cache
def _request_page_query() -> tuple[str, tuple]:
    """The request page's row: `tickets_visible_to` with a key, the columns the page shows and
    the subqueries above, compiled to SQL once per process (building and compiling it through
    the ORM on every page cost more than PostgreSQL spent running it)."""
    colleagues_sql, colleagues_params = _colleagues_sql()
    tickets = (
        tickets_visible_to(user=User(pk=READER, is_active=True), key=_KEY)
        .order_by()
        .only(*_REQUEST_PAGE_FIELDS)
        .annotate(
            **_request_page_subqueries(),
            notification_choice=RawSQL(_NOTIFICATION_CHOICE, (READER,)),
            colleague_rows=RawSQL(colleagues_sql, (READER, *colleagues_params)),
        )
    )
    return tickets.query.get_compiler(using=tickets.db).as_sql()


def _request_page_ticket(*, user: User, key: str) -> Ticket:
    """The visible request with this key (`tickets_visible_to`), its organization, cluster,
    reporter, plan and rating in place as the request's other pages read them, and the
    annotations `request_page_for` reads."""
    key = _request_key(key)
    if not _sees_requests(user):
        raise Http404("No such request.")
    sql, params = _request_page_query()
    params = filled(params, {READER: user.pk, _KEY: key})
    ticket = next(iter(instances(Ticket, sql, params)), None)
    if ticket is None:
        raise Http404("No such request.")
    ticket.organization = _loaded(Organization, ticket.organization_id, ticket.organization_row)
    ticket.cluster = _loaded(Cluster, ticket.cluster_id, ticket.cluster_row)
    ticket.reporter = _loaded(User, ticket.reporter_id, ticket.reporter_row)
    ticket.plan = _loaded(Plan, ticket.plan_id, ticket.plan_row)
    rating = ticket.satisfaction_row
    Ticket.satisfaction.related.set_cached_value(
        ticket, rating and _loaded(SatisfactionRating, rating.pop("id"), rating)
    )
    return ticket


def _activity(
    *, ticket: Ticket, duplicates: list[Ticket]
) -> list[tuple[str, Comment | TicketEvent]]:
    """What the customer's Activity shows, oldest first, from the rows read with the request:
    the public comments ("comment") of the request and of its merged `duplicates`, each
    knowing its request, whether its author is support (`author_is_support`, for the badge)
    and its files (`attachment_list`: pk, original_name and size), and the request's status
    changes ("status"), each knowing whether its actor is support (`actor_is_support`, to say
    "Sam from Support"). At the same moment, comments come first, each kind in the order it
    was written."""
    thread = {ticket.pk: ticket} | {duplicate.pk: duplicate for duplicate in duplicates}
    entries = []
    for row in ticket.activity_rows:
        person = _loaded(User, row["person_id"], row["person"])
        created_at = datetime.fromisoformat(row["created_at"])
        if row["kind"] == "comment":
            entry = _loaded(
                Comment,
                row["id"],
                {"author_id": row["person_id"], "body": row["text"], "created_at": created_at},
            )
            entry.ticket, entry.author = thread[row["ticket_id"]], person
            entry.author_is_support = row["is_support"]
            entry.attachment_list = row["attachment_list"]
        else:
            entry = _loaded(
                TicketEvent,
                row["id"],
                {"actor_id": row["person_id"], "to_value": row["text"], "created_at": created_at},
            )
            entry.ticket, entry.actor = ticket, person
            entry.actor_is_support = row["is_support"]
        entries.append((row["kind"], entry))
    return _in_activity_order(entries)


def _in_activity_order(
    entries: list[tuple[str, Comment | TicketEvent]],
) -> list[tuple[str, Comment | TicketEvent]]:
    """Oldest first; at the same moment comments before status changes, each as written."""
    return sorted(entries, key=lambda entry: (entry[1].created_at, entry[0], entry[1].pk))


def request_page_for(*, user: User, key: str) -> RequestPage:
    """The request page's data for a reader who may see the request (404 otherwise). The row
    (`_request_page_ticket`) carries, in the same query, its names, its components' names, its
    participants, the colleagues the reporter may share it with, the ids of the duplicates
    merged into it, the Activity and the reader's own notification choice; only the
    duplicates' rows cost a query of their own, when there are some (most requests have none)."""
    if connections[Ticket.objects.db].vendor != "postgresql":
        return _request_page_through_the_orm(user=user, key=key)
    ticket = _request_page_ticket(user=user, key=key)
    duplicates = (
        list(ticket_merged_duplicates(ticket=ticket)) if ticket.merged_duplicate_ids else []
    )
    participants = [_loaded(User, row.pop("id"), row) for row in ticket.participant_rows]
    choices = {} if ticket.notification_choice is None else {user.pk: ticket.notification_choice}
    return RequestPage(
        ticket=ticket,
        participants=participants,
        colleagues=[_loaded(User, row.pop("id"), row) for row in ticket.colleague_rows or ()],
        merged_duplicates=duplicates,
        activity=_activity(ticket=ticket, duplicates=duplicates),
        notifications_on=_notified(
            user.pk,
            choices=choices,
            defaults=_notified_by_default(ticket=ticket, participants=participants),
        ),
    )


def _request_page_through_the_orm(*, user: User, key: str) -> RequestPage:
    """`request_page_for` on databases other than PostgreSQL (SQLite under `make run`), whose
    one query is PostgreSQL's SQL (json_build_object, ARRAY): the same page in a few queries."""
    ticket = _one_or_404(_visible_by_key(user=user, key=key))
    components = ticket.components.order_by("position", "name")
    ticket.component_names = list(components.values_list("name", flat=True))
    participants = list(ticket.participants.all())
    colleagues = []
    if ticket.reporter_id == user.pk and ticket.organization_id is not None:
        colleagues = list(
            organization_members(organization=ticket.organization).exclude(pk=ticket.reporter_id)
        )
    comments = list(_with_author_is_support(ticket_public_comments(ticket=ticket)))
    for comment in comments:
        comment.attachment_list = [
            {"pk": file.pk, "original_name": file.original_name, "size": file.size}
            for file in comment.attachments.all()
        ]
    events = (
        TicketEvent.objects.filter(ticket=ticket, kind=TicketEvent.Kind.STATUS)
        .select_related("actor")
        .annotate(
            actor_is_support=Exists(
                User.objects.filter(support_engineer_q(), pk=OuterRef("actor_id"))
            )
        )
    )
    activity = [("comment", comment) for comment in comments] + [
        ("status", event) for event in events
    ]
    choices = dict(
        TicketNotificationSetting.objects.filter(ticket=ticket, user=user).values_list(
            "user_id", "enabled"
        )
    )
    return RequestPage(
        ticket=ticket,
        participants=participants,
        colleagues=colleagues,
        merged_duplicates=list(ticket_merged_duplicates(ticket=ticket)),
        activity=_in_activity_order(activity),
        notifications_on=_notified(
            user.pk,
            choices=choices,
            defaults=_notified_by_default(ticket=ticket, participants=participants),
        ),
    )


def attachment_get_for_user(*, user: User, key: str, attachment_id) -> Attachment:
    """A file of a visible request's public conversation (its merged duplicates' included);
    404 for a missing file and for anyone else."""
    ticket = ticket_get_for_action(user=user, key=key)
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

    @property
    def match_all(self) -> bool:
        """Every visible request matches: an empty list then means the user has none."""
        return self == RequestFilters(status="all")


def tickets_for_request_list(*, user: User, filters: RequestFilters) -> QuerySet[Ticket]:
    return tickets_matching_request_filters(
        tickets=tickets_visible_to(user=user), user=user, filters=filters
    )


def tickets_matching_request_filters(
    *, tickets: QuerySet[Ticket], user: User, filters: RequestFilters
) -> QuerySet[Ticket]:
    """`tickets` (the requests this user may see) narrowed by the Requests page's filters,
    newest activity first."""
    conditions = Q()
    if filters.status == "open":
        conditions &= Q(status__in=Ticket.OPEN_STATUSES)
    elif filters.status == "closed":
        conditions &= Q(status__in=Ticket.CLOSED_STATUSES)
    if filters.portal:
        conditions &= Q(portal=filters.portal)
    if filters.organization_id:
        conditions &= Q(organization_id=filters.organization_id)
    if filters.created_by_me:
        conditions &= Q(reporter=user)
    if filters.query:
        conditions &= (
            Q(summary__icontains=filters.query)
            | Q(description__icontains=filters.query)
            | Q(key__iexact=filters.query)
        )
    return (
        tickets.filter(conditions)
        .select_related("organization", "reporter", "cluster")
        .order_by("-last_activity_at", "-pk")
    )


class RequestListRow(NamedTuple):
    """One row of the Requests page, as `{% request_rows %}` writes it."""

    key: str
    summary: str
    portal: str
    status: str
    severity: str
    last_activity_at: datetime
    organization__name: str | None
    cluster__name: str | None
    reporter__full_name: str
    reporter__email: str


# The page, chosen and counted on the request table alone, followed by the names it shows, each
# read once by its primary key. Joining the page to the organization, cluster and user tables
# instead cost a third more: PostgreSQL planned three joins and hashed whole tables for them.
# The matching requests are read once per alternative of the access rule (`_alternatives`), from
# the visibility indexes alone; only the page's rows are then read from the table. The order is
# `tickets_matching_request_filters`'s.
_PAGE_AND_ITS_NAMES = """
    WITH matching AS ({matching}),
    page AS MATERIALIZED (
        SELECT t.id, t.key, t.summary, t.portal, t.status, t.severity, t.last_activity_at,
               t.organization_id, t.cluster_id, t.reporter_id,
               (SELECT COUNT(*) FROM matching) AS total
        FROM (
            SELECT id FROM matching ORDER BY last_activity_at DESC, id DESC LIMIT %s OFFSET %s
        ) AS chosen
        JOIN tickets_ticket AS t ON t.id = chosen.id
    )
    SELECT 'request', id, key, summary, portal, status, severity, last_activity_at,
           organization_id, cluster_id, reporter_id, total
    FROM page
    UNION ALL
    SELECT 'organization', id, name, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL
    FROM accounts_organization WHERE id IN (SELECT organization_id FROM page)
    UNION ALL
    SELECT 'cluster', id, name, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL
    FROM accounts_cluster WHERE id IN (SELECT cluster_id FROM page)
    UNION ALL
    SELECT 'reporter', id, full_name, email, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL
    FROM accounts_user WHERE id IN (SELECT reporter_id FROM page)
    ORDER BY last_activity_at DESC, id DESC
"""
_MATCHING = "SELECT id, last_activity_at FROM tickets_ticket WHERE {where}"


def _alternatives(where: WhereNode) -> list[WhereNode]:
    """`(a OR b) AND c` as `a AND c` and `b AND c`: the access rule's alternatives (a request
    about no organization, an organization's request) are each served by one index, read alone
    (an index-only scan). Their OR in one WHERE can only be served by both indexes' row
    positions OR-ed together, which then reads every matching row from the table."""
    if where.connector == AND and not where.negated:
        for position, child in enumerate(where.children):
            if isinstance(child, WhereNode) and child.connector == OR and not child.negated:
                rest = where.children[:position] + where.children[position + 1 :]
                return [WhereNode([alternative, *rest], AND) for alternative in child.children]
    return [where]


@lru_cache(maxsize=64)
def _matching_once(filters: RequestFilters) -> tuple[str, tuple]:
    """`_matching` for every reader and these filters, compiled once per process with stand-ins
    (building and compiling the conditions through the ORM on every page cost half the query's
    own time)."""
    matching, params = _matching(User(pk=READER, is_active=True), filters)
    return matching, tuple(params)


def _matching(user: User, filters: RequestFilters) -> tuple[str, list]:
    """The ids and times of the requests `tickets_for_request_list` gives, as SQL: one SELECT
    per alternative of the access rule (`_alternatives`), each reading the user's memberships
    and participations itself (the page then needs no query of its own for them; split into
    its alternatives, the rule no longer ORs across those subqueries, so each is still served
    by an index alone)."""
    tickets = tickets_matching_request_filters(
        tickets=Ticket.objects.filter(
            _visibility_q(
                user,
                in_organization=Q(organization_id__in=_MEMBER_ORGANIZATIONS.filter(user=user)),
                participating=Q(pk__in=_REQUESTS_TAKEN_PART_IN.filter(user=user)),
            )
        ),
        user=user,
        filters=filters,
    )
    query = tickets.query
    compiler = query.get_compiler(tickets.db)
    selects, params = [], []
    for alternative in _alternatives(query.where):
        where, where_params = compiler.compile(alternative)
        selects.append(_MATCHING.format(where=where))
        params.extend(where_params)
    return " UNION ".join(selects), params


# The user's organizations and the requests they take part in, as subqueries of the Requests
# page's conditions.
_MEMBER_ORGANIZATIONS = Membership.objects.order_by().values("organization_id")
_REQUESTS_TAKEN_PART_IN = Ticket.participants.through.objects.order_by().values("ticket_id")


def _aware(moment: datetime | str) -> datetime:
    """A time read by hand: PostgreSQL gives it aware; SQLite (`make run`) as text or naive UTC."""
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def request_list_page(
    *, user: User, filters: RequestFilters, start: int, size: int
) -> tuple[list[RequestListRow], int | None]:
    """`size` rows of what `tickets_for_request_list` gives, from `start`, and how many requests
    match in all (None when no row is there to carry it: past the end, or none match).

    One query: the matching requests' ids and times are read once, then counted and sorted for
    the page (a separate COUNT read them all a second time). Only the conditions, all on the
    request table, are compiled by Django, and without a search only once per set of filters
    (`_matching_once`). Rows of values, not model instances, since building four instances per
    row cost more than the query."""
    if not _sees_requests(user):
        return [], None
    if filters.query:  # a search's words are part of its conditions: compiled each time
        matching, params = _matching(user, filters)
    else:
        matching, params = _matching_once(
            replace(filters, organization_id=filters.organization_id and ORGANIZATION)
        )
        params = filled(params, {READER: user.pk, ORGANIZATION: filters.organization_id})
    with connections[Ticket.objects.db].cursor() as cursor:
        cursor.execute(
            *prepared(
                _PAGE_AND_ITS_NAMES.format(matching=matching),
                (*params, size, start),
                using=Ticket.objects.db,
            )
        )
        fetched = cursor.fetchall()
    page, names = [], {"organization": {}, "cluster": {}, "reporter": {}}
    for kind, pk, *values in fetched:
        if kind == "request":
            page.append(values)
        else:  # a name (and a reporter's email) in the columns of the key and the summary
            names[kind][pk] = values[:2]
    organizations, clusters, reporters = names["organization"], names["cluster"], names["reporter"]
    rows = [
        RequestListRow(
            *request[:-1],
            _aware(request[-1]),
            organizations[organization_id][0] if organization_id is not None else None,
            clusters[cluster_id][0] if cluster_id is not None else None,
            *reporters[reporter_id],
        )
        for *request, organization_id, cluster_id, reporter_id, _total in page
    ]
    return rows, (page[0][-1] if page else None)


def ticket_for_message_ids(*, message_ids: list[str]) -> Ticket | None:
    """The request an incoming email answers, from its In-Reply-To and References: the request
    of the latest email we sent among them. Access is not checked here: the caller decides
    whether the sender may still see it."""
    email = outbound_email_replied_to(message_ids=message_ids)
    if email is None or not email.thread_key.startswith(Ticket.EMAIL_THREAD_PREFIX):
        return None
    ticket_id = email.thread_key.removeprefix(Ticket.EMAIL_THREAD_PREFIX)
    return Ticket.objects.filter(pk=int(ticket_id)).first() if ticket_id.isdigit() else None


def _notified_by_default(*, ticket: Ticket, participants: list[User] | None = None) -> set[int]:
    """The notification default: the reporter and the participants (`participants`, when the
    caller read them) are emailed unless they turn it off; other members of the organization
    opt in."""
    if participants is None:
        participants = ticket.participants.all()
    return {ticket.reporter_id, *(user.pk for user in participants)}


def _notified(user_id: int, *, choices: dict[int, bool], defaults: set[int]) -> bool:
    return choices.get(user_id, user_id in defaults)


def notification_enabled_for(*, ticket: Ticket, user: User) -> bool:
    choices = dict(
        TicketNotificationSetting.objects.filter(ticket=ticket, user=user).values_list(
            "user_id", "enabled"
        )
    )
    return _notified(user.pk, choices=choices, defaults=_notified_by_default(ticket=ticket))


def customer_recipients(
    *, ticket: Ticket, exclude: User | None = None, everyone: bool = False
) -> list[User]:
    """Customers to email about a public change, honouring each one's notification choice
    unless `everyone` (a resolution is always sent)."""
    choices = dict(
        TicketNotificationSetting.objects.filter(ticket=ticket).values_list("user_id", "enabled")
    )
    defaults = _notified_by_default(ticket=ticket)
    opted_in = {pk for pk, enabled in choices.items() if enabled}
    candidates = User.objects.filter(is_active=True, pk__in=defaults | opted_in).exclude(
        support_engineer_q()
    )
    if exclude is not None:
        candidates = candidates.exclude(pk=exclude.pk)
    recipients = []
    for user in candidates.order_by("email"):
        if not everyone and not _notified(user.pk, choices=choices, defaults=defaults):
            continue
        if tickets_visible_to(user=user).filter(pk=ticket.pk).exists():
            recipients.append(user)
    return recipients


# Support triage in the admin: queues, the ticket page.


DUE_SOON_WITHIN = timedelta(hours=1)


def support_queue_filters(*, user: User, now: datetime | None = None) -> dict[str, Q]:
    """The triage queues: open requests, then mine, nobody's, and those whose soonest running
    target (first response, next response or resolution) falls due within the hour."""
    open_requests = Q(status__in=Ticket.OPEN_STATUSES)
    return {
        "all_open": open_requests,
        "mine": open_requests & Q(assignee=user),
        "unassigned": open_requests & Q(assignee__isnull=True),
        "breaching": open_requests & due_within_q(within=DUE_SOON_WITHIN, now=now),
    }


@dataclass(frozen=True)
class QueueCount:
    total: int
    due_soon: int  # breaching within the hour
    breached: int


def support_queue_counts(*, user: User, now: datetime | None = None) -> dict[str, QueueCount]:
    """How many requests each queue holds, how many of them fall due within the hour and how
    many are already breached, in one query."""
    now = now or timezone.now()
    filters = support_queue_filters(user=user, now=now)
    due_soon, breached = due_within_q(within=DUE_SOON_WITHIN, now=now), breached_q(now=now)
    aggregates = {}
    for name, condition in filters.items():
        aggregates[name] = Count("pk", filter=condition)
        aggregates[f"{name}__due_soon"] = Count("pk", filter=condition & due_soon)
        aggregates[f"{name}__breached"] = Count("pk", filter=condition & breached)
    # Every queue holds open requests only: they are counted from ticket_open_queue_idx alone.
    counts = (
        tickets_for_support(user=user)
        .filter(status__in=Ticket.OPEN_STATUSES)
        .aggregate(**aggregates)
    )
    return {
        name: QueueCount(
            total=counts[name],
            due_soon=counts[f"{name}__due_soon"],
            breached=counts[f"{name}__breached"],
        )
        for name in filters
    }


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
    responses = []
    for canned in CannedResponse.objects.order_by("title"):
        text = canned.body
        for name, value in values.items():
            text = text.replace("{" + name + "}", value)
        responses.append((canned.title, text))
    return responses


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
