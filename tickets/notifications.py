"""Who is emailed about what. Called by the services inside their transaction; every email goes
through the outbox, so it is sent after commit by a Celery task, once per event and recipient.

One save, one email: inside `one_email_per_recipient()` (the services' `ticket_save()`), what a
save tells one person about one request (a reply and a status change, say) is gathered and
queued as one email when the block ends. Outside it, each notice is queued at once."""

import re
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field

from django.conf import settings
from django.core import signing
from django.urls import reverse
from django.utils.crypto import constant_time_compare, salted_hmac

from accounts.models import User
from helpcenter.mail.services import EmailDraft, outbound_email_queue, outbound_emails_queue
from tickets.models import Comment, SlaAlert, Ticket, TicketEvent
from tickets.selectors import customer_recipients, is_support_engineer

UNSUBSCRIBE_SALT = "tickets.notifications-off"
# Replies and status changes share one template, so that one save's notices become one email.
UPDATE_TEMPLATE = "ticket_update"


@dataclass
class _Notice:
    """One email to one address about one request, as a save builds it up."""

    ticket: Ticket
    to_email: str
    template: str
    time_zone: str
    headers: dict[str, str]
    context: dict
    event_keys: list[str] = field(default_factory=list)
    # The first emails about a request just created: its thread has nothing to read yet.
    thread_starts: bool = False

    def draft(self) -> EmailDraft:
        return EmailDraft(
            event_key="+".join(self.event_keys),
            to_email=self.to_email,
            template_name=self.template,
            context=self.context,
            time_zone=self.time_zone,
            thread_key=self.ticket.email_thread_key,
            headers=self.headers,
            thread_starts=self.thread_starts,
        )


_gathering: ContextVar[dict[tuple, _Notice] | None] = ContextVar(
    "ticket_notices_gathering", default=None
)


@contextmanager
def one_email_per_recipient() -> Iterator[None]:
    """Gather the notices of everything done inside and queue one email per address and
    request when the block ends without error, in one INSERT and one publish after commit. Call it
    inside the transaction; nested uses join the outermost."""
    if _gathering.get() is not None:
        yield
        return
    notices: dict[tuple, _Notice] = {}
    token = _gathering.set(notices)
    try:
        yield
    finally:
        _gathering.reset(token)
    if notices:
        outbound_emails_queue(drafts=[notice.draft() for notice in notices.values()])


def _notify(notice: _Notice, event_key: str) -> None:
    """Queue the notice, or fold it into the email this save already has for that address."""
    notices = _gathering.get()
    if notices is None:
        notice.event_keys.append(event_key)
        outbound_emails_queue(drafts=[notice.draft()])
        return
    key = (notice.ticket.pk, notice.to_email, notice.template)
    if notice.template != UPDATE_TEMPLATE:
        key += (event_key,)
    gathered = notices.setdefault(key, notice)
    if gathered is not notice:
        gathered.context.update(notice.context)
    gathered.event_keys.append(event_key)


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


RATING_SALT = "tickets.rating-link"
RATING_LABELS = {5: "Excellent", 4: "Good", 3: "Fair", 2: "Poor", 1: "Very poor"}


def rating_token(*, ticket: Ticket, user: User, rating: int) -> str:
    return signing.dumps({"ticket": ticket.pk, "user": user.pk, "rating": rating}, salt=RATING_SALT)


def rating_token_read(token: str) -> tuple[int, int, int]:
    """The (ticket id, user id, rating) a rating link was made for; raises
    signing.SignatureExpired after RATING_LINK_MAX_AGE and signing.BadSignature when forged."""
    data = signing.loads(token, salt=RATING_SALT, max_age=settings.RATING_LINK_MAX_AGE)
    rating = int(data["rating"])
    if rating not in RATING_LABELS:
        raise signing.BadSignature("no such rating")
    return int(data["ticket"]), int(data["user"]), rating


def _rating_links(*, ticket: Ticket, user: User) -> list[tuple[int, str, str]]:
    """Five signed links, 5 to 1, for the reporter of a resolved request not rated yet (the
    one person who may rate it); each opens a page that records the rating with a POST."""
    if user.pk != ticket.reporter_id or not ticket.awaits_rating:
        return []
    return [
        (
            rating,
            label,
            settings.SITE_URL
            + reverse(
                "tickets:rating-link",
                args=[rating_token(ticket=ticket, user=user, rating=rating)],
            ),
        )
        for rating, label in RATING_LABELS.items()
    ]


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


def _to_customer(
    *,
    ticket: Ticket,
    user: User,
    event_key: str,
    template: str,
    thread_starts: bool = False,
    **context,
) -> None:
    unsubscribe_url = settings.SITE_URL + reverse(
        "tickets:notifications-off", args=[unsubscribe_token(ticket=ticket, user=user)]
    )
    notice = _Notice(
        ticket=ticket,
        to_email=user.email,
        template=template,
        time_zone=user.time_zone,
        headers=_headers(ticket=ticket, user=user, unsubscribe_url=unsubscribe_url),
        context={
            "ticket": ticket,
            "recipient": user,
            "ticket_url": _ticket_url(ticket),
            "unsubscribe_url": unsubscribe_url,
            **context,
        },
        thread_starts=thread_starts,
    )
    _notify(notice, event_key)


def _to_support(*, ticket: Ticket, event_key: str, template: str, exclude: User | None, **context):
    """The assignee, or the support team address while nobody has the request."""
    assignee = ticket.assignee
    if assignee is not None and exclude is not None and assignee.pk == exclude.pk:
        return
    to_email = assignee.email if assignee is not None else settings.SUPPORT_TEAM_EMAIL
    admin_url = settings.SITE_URL + reverse("admin:tickets_ticket_change", args=[ticket.pk])
    notice = _Notice(
        ticket=ticket,
        to_email=to_email,
        template=template,
        time_zone=assignee.time_zone if assignee is not None else "",
        headers=_headers(ticket=ticket, user=assignee),
        context={"ticket": ticket, "ticket_url": admin_url, "for_support": True, **context},
    )
    _notify(notice, event_key)


def _zone_of_address(person: User | None, address: str) -> str:
    """The zone of the person an address belongs to; a team address reads UTC."""
    return person.time_zone if person is not None and person.email == address else ""


def ticket_created(*, ticket: Ticket) -> None:
    """The reporter's confirmation and the support team's notice: one INSERT, one publish."""
    with one_email_per_recipient():
        _to_customer(
            ticket=ticket,
            user=ticket.reporter,
            event_key=f"ticket:{ticket.pk}:created",
            template="ticket_created",
            thread_starts=True,
        )
        notice = _Notice(
            ticket=ticket,
            to_email=settings.SUPPORT_TEAM_EMAIL,
            template="ticket_created_support",
            time_zone="",
            headers=_headers(ticket=ticket, user=None),
            context={
                "ticket": ticket,
                "ticket_url": settings.SITE_URL
                + reverse("admin:tickets_ticket_change", args=[ticket.pk]),
            },
            thread_starts=True,
        )
        _notify(notice, f"ticket:{ticket.pk}:created")


def comment_added(*, comment: Comment) -> None:
    """A public comment, whoever wrote it, reaches the reporter, the participants and the
    followers who can still see the request, never its author. Support hears of a customer's
    comment (the assignee, or the team address), and the assignee of a colleague's reply."""
    if comment.is_internal:
        return
    ticket, author = comment.ticket, comment.author
    from_support = is_support_engineer(user=author)
    event_key = f"comment:{comment.pk}"
    context = {"comment": comment, "from_support": from_support}
    for user in customer_recipients(ticket=ticket, exclude=author):
        _to_customer(
            ticket=ticket, user=user, event_key=event_key, template=UPDATE_TEMPLATE, **context
        )
    if not from_support or ticket.assignee_id is not None:
        _to_support(
            ticket=ticket,
            event_key=event_key,
            template=UPDATE_TEMPLATE,
            exclude=author,
            **context,
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
            template=UPDATE_TEMPLATE,
            exclude=actor,
            **context,
        )
    for user in customer_recipients(ticket=ticket, exclude=actor, everyone=resolved):
        _to_customer(
            ticket=ticket,
            user=user,
            event_key=event_key,
            template=UPDATE_TEMPLATE,
            rating_links=_rating_links(ticket=ticket, user=user) if resolved else [],
            **context,
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
