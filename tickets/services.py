"""Every change to a request goes through here: the portal, the admin and the tasks call these."""

from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.models import Cluster, Environment, Membership, Organization, User
from accounts.selectors import organizations_for_user
from helpcenter.inbound.models import InboundEmail
from plans.models import Portal, Severity
from plans.selectors import (
    PortalAccess,
    plan_for_organization,
    portal_access,
    portal_open_without_organization,
    portal_organization,
)
from tickets import notifications, sla, webhooks
from tickets.attachments import CheckedUpload, attachments_validate
from tickets.models import (
    Attachment,
    Comment,
    Component,
    SatisfactionRating,
    SlaAlert,
    Ticket,
    TicketEvent,
    TicketKeyCounter,
    TicketNotificationSetting,
    TicketViewer,
)
from tickets.selectors import is_support_engineer

KEY_PREFIXES = {Portal.BILLING: "BILL", Portal.TECHNICAL: "TECH"}
Status = Ticket.Status

# Who may move a request from one status to another. Customers only resolve and reopen; a
# customer comment also hands a request waiting for them back to support.
ENGINEER_TRANSITIONS = {
    Status.WAITING_FOR_SUPPORT: {
        Status.IN_PROGRESS,
        Status.WAITING_FOR_CUSTOMER,
        Status.RESOLVED,
        Status.CANCELED,
    },
    Status.IN_PROGRESS: {
        Status.WAITING_FOR_SUPPORT,
        Status.WAITING_FOR_CUSTOMER,
        Status.RESOLVED,
        Status.CANCELED,
    },
    Status.WAITING_FOR_CUSTOMER: {
        Status.WAITING_FOR_SUPPORT,
        Status.IN_PROGRESS,
        Status.RESOLVED,
        Status.CANCELED,
    },
    Status.RESOLVED: {Status.WAITING_FOR_SUPPORT, Status.IN_PROGRESS, Status.CLOSED},
    Status.CLOSED: set(),
    Status.CANCELED: set(),
}
CUSTOMER_TRANSITIONS = {
    Status.WAITING_FOR_SUPPORT: {Status.RESOLVED},
    Status.IN_PROGRESS: {Status.RESOLVED},
    Status.WAITING_FOR_CUSTOMER: {Status.RESOLVED, Status.WAITING_FOR_SUPPORT},
    Status.RESOLVED: {Status.WAITING_FOR_SUPPORT},
    Status.CLOSED: set(),
    Status.CANCELED: set(),
}


@contextmanager
def ticket_save() -> Iterator[None]:
    """One save that may hold several changes to a request (an assignee, a reply, a status):
    all or nothing, and each person hears of it in one email ("replied and resolved it")."""
    with transaction.atomic(), notifications.one_email_per_recipient():
        yield


def _key_number_sql() -> str:
    """The next number for a key prefix (its one parameter), in one statement; the upsert locks
    the counter row until the transaction ends, so concurrent requests get consecutive numbers.
    A key is the prefix, a dash and the number."""
    table = connection.ops.quote_name(TicketKeyCounter._meta.db_table)
    return (
        f"INSERT INTO {table} (prefix, last_number) VALUES (%s, 1) "
        f"ON CONFLICT (prefix) DO UPDATE SET last_number = {table}.last_number + 1 "
        "RETURNING last_number"
    )


def _next_key(portal: str) -> str:
    prefix = KEY_PREFIXES[portal]
    with connection.cursor() as cursor:
        cursor.execute(_key_number_sql(), [prefix])
        (number,) = cursor.fetchone()
    return f"{prefix}-{number}"


def _columns(fields) -> str:
    return ", ".join(connection.ops.quote_name(field.column) for field in fields)


_TICKET_FIELDS = [field for field in Ticket._meta.concrete_fields if not field.primary_key]
_EVENT_FIELDS = [field for field in TicketEvent._meta.concrete_fields if not field.primary_key]


@cache
def _new_request_sql() -> str:
    """The key's number (`_key_number_sql`), the request's INSERT under that key and its
    history row's, as one PostgreSQL statement (data-modifying WITH); %s placeholders in the
    fields' order."""
    ticket, event = (
        connection.ops.quote_name(model._meta.db_table) for model in (Ticket, TicketEvent)
    )
    ticket_values = ", ".join(
        "(SELECT %s || '-' || last_number FROM counter)" if field.name == "key" else "%s"
        for field in _TICKET_FIELDS
    )
    event_values = ", ".join(
        "(SELECT id FROM request)" if field.name == "ticket" else "%s" for field in _EVENT_FIELDS
    )
    return (
        f"WITH counter AS ({_key_number_sql()}), "
        f"request AS (INSERT INTO {ticket} ({_columns(_TICKET_FIELDS)}) VALUES ({ticket_values}) "
        "RETURNING id, key), "
        f"history AS (INSERT INTO {event} ({_columns(_EVENT_FIELDS)}) VALUES ({event_values})) "
        "SELECT id, key FROM request"
    )


def _saved(field, instance):
    """The value an ORM insert would send for `field` of `instance` (auto_now_add set)."""
    return field.get_db_prep_save(field.pre_save(instance, add=True), connection)


def _new_request_save(ticket: Ticket, *, actor: User) -> None:
    """Save the new `ticket` under its portal's next key, with its 'created' history row. On
    PostgreSQL the three INSERTs are one statement: one round trip instead of three, and no
    ORM insert built for each; elsewhere (SQLite under `make run`) they run one by one."""
    created = TicketEvent(
        actor=actor, kind=TicketEvent.Kind.CREATED, to_value=ticket.get_status_display()[:200]
    )
    if connection.vendor != "postgresql":
        ticket.key = _next_key(ticket.portal)
        ticket.save()
        created.ticket = ticket
        created.save()
        return
    prefix = KEY_PREFIXES[ticket.portal]
    params = [
        prefix,
        *(prefix if field.name == "key" else _saved(field, ticket) for field in _TICKET_FIELDS),
        *(_saved(field, created) for field in _EVENT_FIELDS if field.name != "ticket"),
    ]
    with connection.cursor() as cursor:
        cursor.execute(_new_request_sql(), params)
        ticket.pk, ticket.key = cursor.fetchone()
    ticket._state.adding, ticket._state.db = False, connection.alias


def _record(
    ticket: Ticket, actor: User | None, kind: str, from_value="", to_value=""
) -> TicketEvent:
    return TicketEvent.objects.create(
        ticket=ticket,
        actor=actor,
        kind=kind,
        from_value=str(from_value)[:200],
        to_value=str(to_value)[:200],
    )


def _touch(ticket: Ticket) -> None:
    ticket.last_activity_at = timezone.now()
    ticket.save(update_fields=["last_activity_at"])


def _check_cluster(
    *, cluster: Cluster | None, organization: Organization | None, reporter: User
) -> None:
    if cluster is None:
        return
    if organization is not None:
        if cluster.organization_id != organization.pk:
            raise ValidationError(
                {
                    "cluster": _("%(cluster)s does not belong to %(org)s.")
                    % {"cluster": cluster.name, "org": organization.name}
                }
            )
    elif not organizations_for_user(user=reporter).filter(pk=cluster.organization_id).exists():
        raise ValidationError({"cluster": _("Choose one of your organizations' clusters.")})


def _portal_check(
    *,
    reporter: User,
    portal: str,
    organization: Organization | None,
    access: PortalAccess | None,
) -> Organization | None:
    """Refuse a request the portal rule does not allow, whatever the form offered; returns the
    organization read with its plan. The rule's answer comes from `access` when the caller read
    it for this reporter and portal (the request form did, to offer its organizations); else
    one query for an entitled organization (none for a billing request that names none); the
    whole access, for the refusal, only when refused."""
    if access is not None and (access.user_id != reporter.pk or access.portal != portal):
        access = None
    if organization is not None:
        entitled = (
            access.organization(organization.pk)
            if access is not None
            else portal_organization(user=reporter, portal=portal, organization=organization)
        )
        if entitled is not None:
            return entitled
    elif portal_open_without_organization(user=reporter, portal=portal):
        return None
    access = access or portal_access(user=reporter, portal=portal)
    if not access.allowed:
        raise PermissionDenied(access.refusal)
    if organization is not None:
        raise ValidationError(
            {
                "organization": _("%(org)s cannot use %(portal)s on its current plan.")
                % {"org": organization.name, "portal": access.name}
            }
        )
    return None


def default_sharing(*, reporter: User) -> bool:
    """Shared with the organization when the reporter has exactly one; private otherwise."""
    return Membership.objects.filter(user=reporter).count() == 1


@transaction.atomic
def ticket_create(
    *,
    reporter: User,
    portal: str,
    summary: str,
    description: str,
    severity: str,
    organization: Organization | None = None,
    cluster: Cluster | None = None,
    environment: str = "",
    components: list[Component] | tuple = (),
    affects_version: str = "",
    shared_with_organization: bool | None = None,
    attachments: list[UploadedFile] | tuple = (),
    raised_by: User | None = None,
    access: PortalAccess | None = None,
) -> Ticket:
    """File a request for `reporter`; `raised_by` is the support engineer who files it on the
    customer's behalf (a phone call, a chat, a monitoring alert). The same rules, targets and
    emails apply either way, and the history says who raised it. `access`: the reporter's
    `portal_access` to `portal`, when the caller has just read it."""
    if raised_by is not None and not is_support_engineer(user=raised_by):
        raise PermissionDenied(_("Only support engineers raise requests for a customer."))
    organization = _portal_check(
        reporter=reporter, portal=portal, organization=organization, access=access
    )
    if portal == Portal.TECHNICAL:
        if organization is None:
            raise ValidationError({"organization": _("Choose the organization this is about.")})
        if environment not in Environment.values:
            raise ValidationError({"environment": _("Choose the environment.")})
    else:
        environment, components, affects_version = "", (), ""
        if severity == Severity.S1:
            raise ValidationError(
                {
                    "severity": _(
                        "S1 is not applicable to account or billing issues. Choose S2, S3 or S4."
                    )
                }
            )
    if severity == Severity.S1 and environment != Environment.PRODUCTION:
        raise ValidationError(
            {
                "severity": _(
                    "S1 is a complete loss of production functionality; for a "
                    "non-production environment choose S2 to S4."
                )
            }
        )
    _check_cluster(cluster=cluster, organization=organization, reporter=reporter)
    if (
        cluster is not None
        and environment == Environment.PRODUCTION
        and cluster.environment != Environment.PRODUCTION
    ):
        # The cluster's own environment decides, not the radio button.
        raise ValidationError(
            {
                "environment": _(
                    "%(cluster)s is a non-production cluster. Choose Non-production, or the "
                    "production cluster this is about."
                )
                % {"cluster": cluster.name}
            }
        )
    checked_attachments = attachments_validate(list(attachments))

    plan = plan_for_organization(organization=organization)
    ticket = Ticket(
        portal=portal,
        organization=organization,
        cluster=cluster,
        reporter=reporter,
        summary=summary.strip(),
        description=description,
        severity=severity,
        environment=environment,
        affects_version=affects_version.strip(),
        shared_with_organization=(
            default_sharing(reporter=reporter)
            if shared_with_organization is None
            else shared_with_organization
        )
        and organization is not None,
        plan=plan,
        **sla.clock_start(
            plan=plan, severity=severity, organization=organization, start=timezone.now()
        ),
    )
    # Field checks only: the foreign keys are objects this function already holds, and the
    # check constraints are the rules tested explicitly above (the database enforces them too).
    ticket.full_clean(
        exclude=["key", "organization", "cluster", "reporter", "plan"], validate_constraints=False
    )
    _new_request_save(ticket, actor=raised_by or reporter)
    if components:
        ticket.components.add(*components)  # a new request: no lookup of links it cannot have
    if raised_by is not None:
        _record(ticket, raised_by, TicketEvent.Kind.RAISED, to_value=reporter.email)
    if checked_attachments:
        comment = Comment.objects.create(
            ticket=ticket, author=reporter, body=_("Files attached to the request.")
        )
        _save_attachments(comment, checked_attachments)
    notifications.ticket_created(ticket=ticket)
    webhooks.request_created(ticket=ticket)
    return ticket


def _save_attachments(comment: Comment, checked: list[CheckedUpload]) -> None:
    """Stored under a random name with the detected type's extension; the name the customer
    gave is kept only for the download's Content-Disposition."""
    for item in checked:
        Attachment.objects.create(
            comment=comment,
            file=File(item.upload, name=item.storage_name),
            original_name=item.upload.name[:255],
            content_type=item.content_type,
            size=item.upload.size,
        )


@transaction.atomic
def ticket_comment_add(
    *,
    ticket: Ticket,
    author: User,
    body: str,
    attachments: list[UploadedFile] | tuple = (),
    is_internal: bool = False,
    inbound_email: InboundEmail | None = None,
) -> Comment:
    """A public comment or, for engineers, an internal note. An engineer's first public reply
    meets the first-response target; a customer's reply hands the request back to support.
    `inbound_email` is the email it was written in, when it came by email."""
    ticket = Ticket.objects.select_for_update().get(pk=ticket.pk)
    engineer = is_support_engineer(user=author)
    if is_internal and not engineer:
        raise PermissionDenied(_("Only support engineers write internal notes."))
    if not ticket.accepts_comments:
        raise ValidationError(
            _("This request is %(status)s; open a new request instead.")
            % {"status": ticket.get_status_display().lower()}
        )
    if not body.strip():
        raise ValidationError({"body": _("Write a comment.")})
    checked = attachments_validate(list(attachments))
    comment = Comment(
        ticket=ticket,
        author=author,
        body=body,
        is_internal=is_internal,
        inbound_email=inbound_email,
    )
    comment.full_clean()
    comment.save()
    _save_attachments(comment, checked)
    if is_internal:
        _record(ticket, author, TicketEvent.Kind.NOTE)
        _touch(ticket)
        return comment
    _record(ticket, author, TicketEvent.Kind.COMMENT)
    webhooks.request_commented(comment=comment)
    notifications.comment_added(comment=comment)
    if engineer:
        first = ticket.first_responded_at is None
        fields = sla.first_response_meet(ticket, at=comment.created_at)
        if fields:
            ticket.save(update_fields=fields)
        if first:
            _record(ticket, author, TicketEvent.Kind.FIRST_RESPONSE)
        _touch(ticket)
        return comment
    _touch(ticket)
    if ticket.status == Status.WAITING_FOR_CUSTOMER:
        ticket = ticket_status_change(
            ticket=ticket, actor=author, to_status=Status.WAITING_FOR_SUPPORT
        )
    fields = sla.next_response_start(ticket, now=comment.created_at)
    if fields:
        ticket.save(update_fields=fields)
    return comment


@transaction.atomic
def ticket_status_change(*, ticket: Ticket, actor: User, to_status: str) -> Ticket:
    ticket = Ticket.objects.select_for_update().get(pk=ticket.pk)
    from_status = ticket.status
    if to_status == from_status:
        return ticket
    allowed = ENGINEER_TRANSITIONS if is_support_engineer(user=actor) else CUSTOMER_TRANSITIONS
    if to_status not in allowed.get(from_status, set()):
        raise ValidationError(
            _("A request that is %(from)s cannot be set to %(to)s.")
            % {"from": Status(from_status).label.lower(), "to": Status(to_status).label.lower()}
        )
    now = timezone.now()
    fields = ["status", "last_activity_at"]
    if to_status == Status.WAITING_FOR_CUSTOMER:
        fields += sla.clock_pause(ticket, now=now)
    elif from_status == Status.WAITING_FOR_CUSTOMER:
        fields += sla.clock_resume(ticket, now=now)
    if to_status == Status.RESOLVED:
        ticket.resolved_at = now
        fields.append("resolved_at")
    elif from_status == Status.RESOLVED:
        ticket.resolved_at = None
        fields.append("resolved_at")
    ticket.status = to_status
    ticket.last_activity_at = now
    fields += sla.clock_refresh(ticket)
    ticket.save(update_fields=fields)
    event = _record(
        ticket,
        actor,
        TicketEvent.Kind.STATUS,
        Status(from_status).label,
        Status(to_status).label,
    )
    notifications.status_changed(event=event, from_status=from_status)
    webhooks.status_changed(event=event, from_status=from_status)
    return ticket


@transaction.atomic
def ticket_assign(*, ticket: Ticket, actor: User, assignee: User | None) -> Ticket:
    if not is_support_engineer(user=actor):
        raise PermissionDenied(_("Only support engineers assign requests."))
    if assignee is not None and not is_support_engineer(user=assignee):
        raise ValidationError({"assignee": _("Assign requests to support engineers only.")})
    ticket = Ticket.objects.select_for_update().get(pk=ticket.pk)
    if ticket.assignee_id == (assignee.pk if assignee else None):
        return ticket
    previous = ticket.assignee
    ticket.assignee = assignee
    ticket.save(update_fields=["assignee"])
    _record(
        ticket,
        actor,
        TicketEvent.Kind.ASSIGNEE,
        previous.email if previous else _("Unassigned"),
        assignee.email if assignee else _("Unassigned"),
    )
    return ticket


@transaction.atomic
def ticket_sharing_update(
    *,
    ticket: Ticket,
    actor: User,
    shared_with_organization: bool,
    participants: list[User],
) -> Ticket:
    """Only the reporter decides who else sees it: the organization, or named colleagues."""
    if actor.pk != ticket.reporter_id:
        raise PermissionDenied(_("Only the reporter can change who sees this request."))
    if ticket.organization is None:
        if shared_with_organization or participants:
            raise ValidationError(_("This request names no organization, so it cannot be shared."))
        return ticket
    colleague_ids = set(
        Membership.objects.filter(organization=ticket.organization).values_list(
            "user_id", flat=True
        )
    )
    strangers = [user for user in participants if user.pk not in colleague_ids]
    if strangers:
        raise ValidationError(
            {
                "participants": _("Share only with members of %(org)s.")
                % {"org": ticket.organization.name}
            }
        )
    before = (
        ticket.shared_with_organization,
        set(ticket.participants.values_list("pk", flat=True)),
    )
    ticket.shared_with_organization = shared_with_organization
    ticket.save(update_fields=["shared_with_organization"])
    ticket.participants.set([user for user in participants if user.pk != ticket.reporter_id])
    after = (ticket.shared_with_organization, set(ticket.participants.values_list("pk", flat=True)))
    if before != after:
        _record(
            ticket,
            actor,
            TicketEvent.Kind.SHARING,
            _sharing_label(before[0], len(before[1])),
            _sharing_label(after[0], len(after[1])),
        )
    return ticket


def _sharing_label(shared: bool, people: int) -> str:
    where = _("organization") if shared else _("private")
    if not people:
        return where
    return ngettext("%(where)s, %(count)d person", "%(where)s, %(count)d people", people) % {
        "where": where,
        "count": people,
    }


@transaction.atomic
def ticket_notifications_set(*, ticket: Ticket, user: User, enabled: bool) -> None:
    TicketNotificationSetting.objects.update_or_create(
        ticket=ticket, user=user, defaults={"enabled": enabled}
    )


@transaction.atomic
def ticket_rate(
    *, ticket: Ticket, actor: User, rating: int, comment: str = ""
) -> SatisfactionRating:
    """The reporter rates a resolved or closed request, once."""
    ticket = Ticket.objects.select_for_update().get(pk=ticket.pk)
    if actor.pk != ticket.reporter_id:
        raise PermissionDenied(_("Only the reporter rates this request."))
    if ticket.status not in (Status.RESOLVED, Status.CLOSED):
        raise ValidationError(_("You can rate a request once it is resolved."))
    if SatisfactionRating.objects.filter(ticket=ticket).exists():
        raise ValidationError(_("You have already rated this request."))
    satisfaction = SatisfactionRating(
        ticket=ticket, rating=rating, comment=comment.strip(), rated_by=actor
    )
    satisfaction.full_clean()
    satisfaction.save()
    _record(ticket, actor, TicketEvent.Kind.RATED, to_value=f"{rating}/5")
    return satisfaction


@transaction.atomic
def ticket_merge(*, duplicate: Ticket, target: Ticket, actor: User) -> Ticket:
    """Close `duplicate` as a duplicate of `target` (same organization). Its conversation shows
    in the target's, its followers follow the target, and its customers get one email."""
    if not is_support_engineer(user=actor):
        raise PermissionDenied(_("Only support engineers merge requests."))
    locked = {
        ticket.pk: ticket
        for ticket in Ticket.objects.select_for_update()
        .filter(pk__in=[duplicate.pk, target.pk])
        .order_by("pk")
    }
    duplicate, target = locked[duplicate.pk], locked.get(target.pk)
    if target is None or target.pk == duplicate.pk:
        raise ValidationError({"target": _("Choose another request to merge into.")})
    if duplicate.merged_into_id is not None:
        raise ValidationError(_("This request is already merged into another one."))
    if target.merged_into_id is not None or not target.accepts_comments:
        raise ValidationError(
            {
                "target": _("%(key)s is %(status)s; merge into an open request.")
                % {"key": target.key, "status": target.get_status_display().lower()}
            }
        )
    if not duplicate.accepts_comments:
        raise ValidationError(
            _("This request is %(status)s and cannot be merged.")
            % {"status": duplicate.get_status_display().lower()}
        )
    same_owner = (
        duplicate.organization_id == target.organization_id
        if duplicate.organization_id is not None
        else target.organization_id is None and duplicate.reporter_id == target.reporter_id
    )
    if not same_owner:
        raise ValidationError({"target": _("Merge only requests of the same organization.")})
    from_status = duplicate.status
    now = timezone.now()
    duplicate.merged_into = target
    duplicate.status = Status.CLOSED
    duplicate.sla_paused_at = None
    duplicate.last_activity_at = now
    duplicate.save(
        update_fields=[
            "merged_into",
            "status",
            "sla_paused_at",
            "last_activity_at",
            *sla.clock_refresh(duplicate),
        ]
    )
    Ticket.objects.filter(merged_into=duplicate).update(merged_into=target)
    _followers_move(duplicate=duplicate, target=target)
    _record(duplicate, actor, TicketEvent.Kind.MERGED_INTO, duplicate.key, target.key)
    closed = _record(
        duplicate, actor, TicketEvent.Kind.STATUS, Status(from_status).label, Status.CLOSED.label
    )
    webhooks.status_changed(event=closed, from_status=from_status)
    _record(target, actor, TicketEvent.Kind.DUPLICATE_MERGED, duplicate.key, target.key)
    _touch(target)
    notifications.ticket_merged(duplicate=duplicate, target=target)
    return duplicate


def _followers_move(*, duplicate: Ticket, target: Ticket) -> None:
    """The duplicate's reporter and participants follow the target, with their email choice."""
    followers = {duplicate.reporter_id, *duplicate.participants.values_list("pk", flat=True)}
    followers.discard(target.reporter_id)
    if followers and target.organization_id is not None:
        target.participants.add(*followers)
    existing = set(
        TicketNotificationSetting.objects.filter(ticket=target).values_list("user_id", flat=True)
    )
    TicketNotificationSetting.objects.bulk_create(
        TicketNotificationSetting(ticket=target, user_id=setting.user_id, enabled=setting.enabled)
        for setting in TicketNotificationSetting.objects.filter(ticket=duplicate)
        if setting.user_id not in existing
    )


def ticket_viewer_touch(*, ticket: Ticket, user: User) -> None:
    """Remember that this engineer has the request open now (for the collision notice). It runs
    on every view of the request page and every 15-second poll, so an engineer already recorded
    costs one UPDATE outside any transaction (no locked read, no BEGIN and COMMIT around it);
    the first time, an upsert records them (two tabs opened together cannot collide)."""
    now = timezone.now()
    if TicketViewer.objects.filter(ticket=ticket, user=user).update(seen_at=now):
        return
    TicketViewer.objects.bulk_create(
        [TicketViewer(ticket=ticket, user=user, seen_at=now)],
        update_conflicts=True,
        unique_fields=["ticket", "user"],
        update_fields=["seen_at"],
    )


def sla_alerts_send(*, now=None) -> int:
    """Warn about every target that reached its warn time ("at risk": a quarter left) or its due
    time ("breached"), once per target and round. The unique SlaAlert row is written with the
    email in one transaction: a second beat process or a retried task finds it and sends
    nothing. Returns how many alerts were queued."""
    now = now or timezone.now()
    queued = 0
    for level in (SlaAlert.Level.AT_RISK, SlaAlert.Level.BREACHED):
        for target in SlaAlert.Target:
            due = sla.sla_alerts_due(target=target, level=level, now=now).select_related(
                "assignee", "organization", "plan"
            )
            for ticket in due[:SLA_ALERTS_PER_RUN]:
                queued += _sla_alert_send(ticket=ticket, target=target, level=level)
    return queued


# Per target and level, so a backlog spreads over a few beat runs, each well inside the task's
# time limit (each alert commits on its own: a run cut short loses nothing).
SLA_ALERTS_PER_RUN = 100


@transaction.atomic
def _sla_alert_send(*, ticket: Ticket, target: str, level: str) -> int:
    due_field, _answered, _warn, round_field = sla.TARGET_FIELDS[target]
    recipient = ticket.assignee.email if ticket.assignee else settings.SUPPORT_TEAM_EMAIL
    try:
        with transaction.atomic():
            alert = SlaAlert.objects.create(
                ticket=ticket,
                target=target,
                level=level,
                round_started_at=getattr(ticket, round_field),
                recipient=recipient,
            )
    except IntegrityError:
        return 0
    notifications.sla_alert(alert=alert, due_at=getattr(ticket, due_field))
    return 1
