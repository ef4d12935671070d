"""Who is emailed about what. Called by the services inside their transaction; every email goes
through the outbox, so it is sent after commit by a Celery task, once per event and recipient."""

from django.conf import settings
from django.core import signing
from django.urls import reverse

from accounts.models import User
from helpcenter.mail.services import outbound_email_queue
from tickets.models import Comment, SlaAlert, Ticket, TicketEvent
from tickets.selectors import customer_recipients, is_support_engineer

UNSUBSCRIBE_SALT = "tickets.notifications-off"


def unsubscribe_token(*, ticket: Ticket, user: User) -> str:
    return signing.dumps({"ticket": ticket.pk, "user": user.pk}, salt=UNSUBSCRIBE_SALT)


def unsubscribe_token_read(token: str) -> tuple[int, int]:
    """The (ticket id, user id) a link was made for; raises signing.SignatureExpired when
    older than UNSUBSCRIBE_LINK_MAX_AGE and signing.BadSignature when forged."""
    data = signing.loads(token, salt=UNSUBSCRIBE_SALT, max_age=settings.UNSUBSCRIBE_LINK_MAX_AGE)
    return int(data["ticket"]), int(data["user"])


def _ticket_url(ticket: Ticket) -> str:
    return settings.SITE_URL + reverse("tickets:request-detail", args=[ticket.key])


def _headers(*, ticket: Ticket, user: User | None, unsubscribe_url: str = "") -> dict[str, str]:
    """The headers every email about `ticket` to `user` (None: the support team address) carries
    besides the thread's; customers get RFC 8058 one-click unsubscribe."""
    if not unsubscribe_url:
        return {}
    return {
        "List-Unsubscribe": f"<{unsubscribe_url}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }


def _to_customer(*, ticket: Ticket, user: User, event_key: str, template: str, **context) -> None:
    unsubscribe_url = settings.SITE_URL + reverse(
        "tickets:notifications-off", args=[unsubscribe_token(ticket=ticket, user=user)]
    )
    outbound_email_queue(
        event_key=event_key,
        to_email=user.email,
        template_name=template,
        thread_key=ticket.email_thread_key,
        headers=_headers(ticket=ticket, user=user, unsubscribe_url=unsubscribe_url),
        context={
            "ticket": ticket,
            "recipient": user,
            "ticket_url": _ticket_url(ticket),
            "unsubscribe_url": unsubscribe_url,
            **context,
        },
        time_zone=user.time_zone,
    )


def _to_support(*, ticket: Ticket, event_key: str, template: str, exclude: User | None, **context):
    """The assignee, or the support team address while nobody has the request."""
    assignee = ticket.assignee
    if assignee is not None and exclude is not None and assignee.pk == exclude.pk:
        return
    to_email = assignee.email if assignee is not None else settings.SUPPORT_TEAM_EMAIL
    admin_url = settings.SITE_URL + reverse("admin:tickets_ticket_change", args=[ticket.pk])
    outbound_email_queue(
        event_key=event_key,
        to_email=to_email,
        template_name=template,
        thread_key=ticket.email_thread_key,
        headers=_headers(ticket=ticket, user=assignee),
        context={"ticket": ticket, "ticket_url": admin_url, "for_support": True, **context},
        time_zone=assignee.time_zone if assignee is not None else "",
    )


def _zone_of_address(person: User | None, address: str) -> str:
    """The zone of the person an address belongs to; a team address reads UTC."""
    return person.time_zone if person is not None and person.email == address else ""


def ticket_created(*, ticket: Ticket) -> None:
    _to_customer(
        ticket=ticket,
        user=ticket.reporter,
        event_key=f"ticket:{ticket.pk}:created",
        template="ticket_created",
    )
    outbound_email_queue(
        event_key=f"ticket:{ticket.pk}:created",
        to_email=settings.SUPPORT_TEAM_EMAIL,
        template_name="ticket_created_support",
        thread_key=ticket.email_thread_key,
        headers=_headers(ticket=ticket, user=None),
        context={
            "ticket": ticket,
            "ticket_url": settings.SITE_URL
            + reverse("admin:tickets_ticket_change", args=[ticket.pk]),
        },
    )


def engineer_replied(*, comment: Comment) -> None:
    if comment.is_internal:
        return
    for user in customer_recipients(ticket=comment.ticket, exclude=comment.author):
        _to_customer(
            ticket=comment.ticket,
            user=user,
            event_key=f"comment:{comment.pk}",
            template="ticket_comment",
            comment=comment,
            from_support=True,
        )


def customer_commented(*, comment: Comment) -> None:
    _to_support(
        ticket=comment.ticket,
        event_key=f"comment:{comment.pk}",
        template="ticket_comment",
        exclude=comment.author,
        comment=comment,
    )


def status_changed(*, event: TicketEvent, from_status: str) -> None:
    """Followers hear about every status change an engineer (or the system) makes, and about a
    customer resolving or reopening. A resolution reaches the reporter and participants even
    with notifications off. Support hears when a customer resolves or reopens; a customer's
    comment moving the request back to support is already announced by the comment email."""
    ticket, actor = event.ticket, event.actor
    resolved = ticket.status == Ticket.Status.RESOLVED
    reopened = from_status == Ticket.Status.RESOLVED and ticket.is_open
    context = {"event": event, "resolved": resolved, "reopened": reopened}
    event_key = f"ticket-event:{event.pk}"
    if actor is not None and not is_support_engineer(user=actor):
        if not (resolved or reopened):
            return
        _to_support(
            ticket=ticket,
            event_key=event_key,
            template="ticket_status",
            exclude=actor,
            **context,
        )
    for user in customer_recipients(ticket=ticket, exclude=actor, everyone=resolved):
        _to_customer(
            ticket=ticket, user=user, event_key=event_key, template="ticket_status", **context
        )


def ticket_merged(*, duplicate: Ticket, target: Ticket) -> None:
    """One email to each customer of the duplicate, pointing at the request that goes on."""
    for user in customer_recipients(ticket=duplicate, everyone=True):
        _to_customer(
            ticket=duplicate,
            user=user,
            event_key=f"ticket:{duplicate.pk}:merged",
            template="ticket_merged",
            target=target,
            ticket_url=_ticket_url(target),
        )


def sla_alert(*, alert: SlaAlert, due_at) -> None:
    """ "At risk" or "breached" to the assignee, or the team address while nobody has it."""
    ticket = alert.ticket
    round_key = alert.round_started_at.isoformat()
    outbound_email_queue(
        event_key=f"sla:{ticket.pk}:{alert.target}:{alert.level}:{round_key}",
        to_email=alert.recipient,
        template_name="sla_alert",
        thread_key=ticket.email_thread_key,
        context={
            "ticket": ticket,
            "ticket_url": settings.SITE_URL
            + reverse("admin:tickets_ticket_change", args=[ticket.pk]),
            "target_label": alert.get_target_display(),
            "breached": alert.level == SlaAlert.Level.BREACHED,
            "due_at": due_at,
            "for_support": True,
        },
        time_zone=_zone_of_address(ticket.assignee, alert.recipient),
    )
