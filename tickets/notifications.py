"""Who is emailed about what. Called by the services inside their transaction; every email goes
through the outbox, so it is sent after commit by a Celery task, once per event and recipient."""

import re

from django.conf import settings
from django.core import signing
from django.urls import reverse
from django.utils.crypto import constant_time_compare, salted_hmac

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


REPLY_TO_SALT = "tickets.inbound.reply-to"
REPLY_TOKEN = re.compile(r"support\+(?P<ticket>[0-9]+)\.(?P<user>[0-9]+)\.(?P<mac>[0-9a-f]{20})")


def _reply_mac(ticket_id: int, user_id: int) -> str:
    return salted_hmac(REPLY_TO_SALT, f"{ticket_id}.{user_id}").hexdigest()[:20]


def support_address() -> str:
    """Where mail to support arrives (support@INBOUND_EMAIL_DOMAIN); "" when no domain is set."""
    domain = settings.INBOUND_EMAIL_DOMAIN
    return f"support@{domain}" if domain else ""


def reply_to_address(*, ticket: Ticket, user: User) -> str:
    """The signed reply address of emails about `ticket` to `user`:
    support+<ticket>.<user>.<mac>@INBOUND_EMAIL_DOMAIN (lower-case, as mail servers may fold
    it); "" when no domain is set. A reply to it is a comment by that user on that request."""
    domain = settings.INBOUND_EMAIL_DOMAIN
    if not domain:
        return ""
    return f"support+{ticket.pk}.{user.pk}.{_reply_mac(ticket.pk, user.pk)}@{domain}"


def reply_to_address_read(address: str) -> tuple[int, int] | None:
    """(ticket id, user id) of a valid reply address; None for any other address, and for a
    forged or altered token."""
    local, _at, domain = address.lower().rpartition("@")
    match = REPLY_TOKEN.fullmatch(local)
    if not settings.INBOUND_EMAIL_DOMAIN or domain != settings.INBOUND_EMAIL_DOMAIN.lower():
        return None
    if match is None:
        return None
    ticket_id, user_id = int(match["ticket"]), int(match["user"])
    if not constant_time_compare(match["mac"], _reply_mac(ticket_id, user_id)):
        return None
    return ticket_id, user_id


def _ticket_url(ticket: Ticket) -> str:
    return settings.SITE_URL + reverse("tickets:request-detail", args=[ticket.key])


def _headers(*, ticket: Ticket, user: User | None, unsubscribe_url: str = "") -> dict[str, str]:
    """The headers every email about `ticket` to `user` (None: the support team address) carries
    besides the thread's: a Reply-To that makes an answer a comment by that person (the team's
    answers go to the support address and thread by In-Reply-To); customers also get RFC 8058
    one-click unsubscribe."""
    headers = {}
    reply_to = reply_to_address(ticket=ticket, user=user) if user else support_address()
    if reply_to:
        headers["Reply-To"] = reply_to
    if unsubscribe_url:
        headers["List-Unsubscribe"] = f"<{unsubscribe_url}>"
        headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    return headers


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
