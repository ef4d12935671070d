"""What an inbound email means for the help desk (INBOUND_EMAIL_HANDLER): a reply on a request
(a public comment, or an engineer's internal note), a new request, a bounce, or a refusal
answered with the reason.

Runs inside `inbound_email_receive`'s transaction and changes requests only through the
services, so a reply by email has the same rules, history, clocks and notifications as one
typed on the request page."""

import dataclasses
import re
from datetime import timedelta
from email.utils import parseaddr

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Environment, User
from helpcenter.inbound.models import InboundEmail
from helpcenter.inbound.parsing import ParsedEmail
from helpcenter.inbound.services import InboundDecision
from helpcenter.mail.selectors import is_bouncing, outbound_email_ever_sent_to
from helpcenter.mail.services import (
    bouncing_address_record,
    bouncing_addresses_confirm,
    outbound_email_queue,
)
from plans.models import Portal, Severity
from plans.selectors import portal_access
from tickets.models import DESCRIPTION_MAX_LENGTH, Ticket
from tickets.notifications import reply_to_address_read, support_address
from tickets.selectors import is_support_engineer, ticket_for_message_ids, tickets_visible_to
from tickets.services import KEY_PREFIXES, ticket_comment_add, ticket_create

Outcome = InboundEmail.Outcome

KEYS = "|".join(KEY_PREFIXES.values())
SUBJECT_KEY = re.compile(rf"\[(?P<key>(?:{KEYS})-[0-9]{{1,10}})\]")
SUBJECT_PREFIX = re.compile(r"^\s*((re|fwd?|aw|wg|tr|sv|antw)\s*(\[\d+\])?\s*:\s*)+", re.I)
NOTE_MARKER = "#note"
# At most this many messages from one address about one request are acted on per hour, and at
# most this many explanatory replies go to one address per hour (mail loops stop here).
PER_ADDRESS_HOURLY_LIMIT = 10
# An address without an account is answered at most once a day.
UNKNOWN_SENDER_REPLY_EVERY = timedelta(days=1)
SUMMARY_MAX_LENGTH = 255


def _token_in(parsed: ParsedEmail) -> tuple[int, int] | None:
    """(ticket id, user id) of a valid reply address among the recipients."""
    for address in parsed.recipients:
        token = reply_to_address_read(address)
        if token is not None:
            return token
    return None


def _ticket_by_subject(parsed: ParsedEmail) -> Ticket | None:
    match = SUBJECT_KEY.search(parsed.subject.upper())
    if match is None:
        return None
    return Ticket.objects.filter(key=match["key"]).first()


def _thread(parsed: ParsedEmail) -> tuple[Ticket | None, User | None]:
    """The request a message answers and, when it came through a reply address, the person
    that address was made for: by the signed reply address, else by In-Reply-To/References
    (the Message-IDs of our emails), else by the `[KEY]` in the subject. An answer about a
    request merged into another goes to the one that goes on."""
    ticket, addressee = None, None
    token = _token_in(parsed)
    if token is not None:
        ticket = Ticket.objects.filter(pk=token[0]).first()
        addressee = User.objects.filter(pk=token[1]).first() if ticket is not None else None
    if ticket is None and parsed.thread_ids:
        ticket = ticket_for_message_ids(message_ids=list(parsed.thread_ids))
    if ticket is None:
        ticket = _ticket_by_subject(parsed)
    if ticket is not None and ticket.merged_into_id is not None:
        ticket = ticket.merged_into
    return ticket, addressee


def _sender(parsed: ParsedEmail) -> User | None:
    address = User.objects.normalize_email(parsed.from_email)
    if not address:
        return None
    return User.objects.filter(email__iexact=address, is_active=True).first()


def _our_addresses() -> set[str]:
    addresses = {
        parseaddr(settings.DEFAULT_FROM_EMAIL)[1].lower(),
        settings.INBOUND_TECHNICAL_ADDRESS.lower(),
        support_address().lower(),
    }
    return addresses - {""}


def _from_ourselves(parsed: ParsedEmail) -> bool:
    domain = settings.INBOUND_EMAIL_DOMAIN.lower()
    return parsed.from_email in _our_addresses() or (
        bool(domain)
        and parsed.from_email.endswith(f"@{domain}")
        and parsed.from_email.startswith("support+")
    )


def _uploads(parsed: ParsedEmail) -> list[SimpleUploadedFile]:
    return [
        SimpleUploadedFile(item.name, item.content, content_type=item.content_type)
        for item in parsed.attachments
    ]


def _messages(exc: ValidationError | PermissionDenied) -> str:
    if isinstance(exc, ValidationError):
        return " ".join(exc.messages)
    return str(exc)


def _recent(inbound_email: InboundEmail, since):
    return InboundEmail.objects.filter(
        from_email=inbound_email.from_email, received_at__gte=since
    ).exclude(pk=inbound_email.pk)


def _may_answer(inbound_email: InboundEmail, *, known_sender: bool) -> bool:
    """One reply a day to an address without an account; at most PER_ADDRESS_HOURLY_LIMIT
    an hour to anyone."""
    now = timezone.now()
    answered = _recent(inbound_email, now - timedelta(hours=1)).filter(replied=True)
    if answered.count() >= PER_ADDRESS_HOURLY_LIMIT:
        return False
    if known_sender:
        return True
    return (
        not _recent(inbound_email, now - UNKNOWN_SENDER_REPLY_EVERY).filter(replied=True).exists()
    )


def _refuse(
    inbound_email: InboundEmail,
    parsed: ParsedEmail,
    *,
    reason: str,
    advice: str,
    ticket: Ticket | None = None,
    sender: User | None = None,
) -> InboundDecision:
    """Create nothing and tell the sender why and what to do instead (rate-limited)."""
    answer = _may_answer(inbound_email, known_sender=sender is not None)
    if answer:
        # An automatic answer (RFC 3834): other robots do not answer it, and it threads under
        # the sender's message.
        headers = {"Auto-Submitted": "auto-replied"}
        if parsed.message_id:
            headers.update({"In-Reply-To": parsed.message_id, "References": parsed.message_id})
        outbound_email_queue(
            event_key=f"inbound:{inbound_email.pk}:run-{inbound_email.runs}",
            to_email=parsed.from_email,
            template_name="inbound_refused",
            headers=headers,
            context={
                "reason": reason,
                "advice": advice,
                "original_subject": parsed.subject,
                "recipient_name": sender.display_name if sender else "",
                "signup_url": settings.SITE_URL + reverse("signup"),
            },
        )
    return InboundDecision(
        outcome=Outcome.REJECTED,
        detail=reason if answer else f"{reason} (not answered: reply limit for this address)",
        request_key=ticket.key if ticket else "",
        replied=answer,
    )


def _too_large(inbound_email: InboundEmail) -> str:
    if inbound_email.size <= settings.INBOUND_EMAIL_MAX_BYTES:
        return ""
    return _("Your message is %(size)s; we accept messages up to %(limit)s.") % {
        "size": filesizeformat(inbound_email.size),
        "limit": filesizeformat(settings.INBOUND_EMAIL_MAX_BYTES),
    }


def _attachment_advice() -> str:
    return _(
        "Send it again with at most %(count)d files of up to %(size)s each, or attach them on "
        "the request page."
    ) % {
        "count": settings.ATTACHMENT_MAX_PER_COMMENT,
        "size": filesizeformat(settings.ATTACHMENT_MAX_BYTES),
    }


def _bounce(parsed: ParsedEmail) -> InboundDecision:
    """A delivery status notification: each failed address we email becomes bouncing (no more
    email to it until it is confirmed again). Addresses we never wrote to are left alone."""
    marked, foreign = [], []
    for address in parsed.bounced_recipients:
        if outbound_email_ever_sent_to(email=address):
            bouncing_address_record(email=address, diagnostic=parsed.text[:2000])
            marked.append(address)
        else:
            foreign.append(address)
    detail = _("Bouncing now: %(addresses)s.") % {"addresses": ", ".join(marked) or "-"}
    if foreign:
        detail += " " + _("Not ours, left alone: %(addresses)s.") % {
            "addresses": ", ".join(foreign)
        }
    return InboundDecision(outcome=Outcome.BOUNCE, detail=detail)


def inbound_email_handle(*, inbound_email: InboundEmail, parsed: ParsedEmail) -> InboundDecision:
    if parsed.is_bounce:
        return _bounce(parsed)
    if parsed.automatic:
        return InboundDecision(
            outcome=Outcome.IGNORED,
            detail=_("Automatic mail (%(why)s): nothing created, nothing sent.")
            % {"why": parsed.automatic},
        )
    if _from_ourselves(parsed):
        return InboundDecision(outcome=Outcome.IGNORED, detail=_("Sent by this help center."))
    # A person writing from an address that bounced shows it works again.
    reconfirmed = is_bouncing(email=parsed.from_email) and bouncing_addresses_confirm(
        emails=[parsed.from_email]
    )
    sender = _sender(parsed)
    ticket, addressee = _thread(parsed)
    if ticket is not None:
        decision = _reply(inbound_email, parsed, ticket=ticket, sender=sender, addressee=addressee)
    else:
        decision = _new_request(inbound_email, parsed, sender=sender)
    if reconfirmed:
        note = _("The address had bounced; it gets email again.")
        decision = dataclasses.replace(decision, detail=f"{decision.detail} {note}")
    return decision


def _reply(
    inbound_email: InboundEmail,
    parsed: ParsedEmail,
    *,
    ticket: Ticket,
    sender: User | None,
    addressee: User | None,
) -> InboundDecision:
    hour_ago = timezone.now() - timedelta(hours=1)
    if _recent(inbound_email, hour_ago).filter(request_key=ticket.key).count() >= (
        PER_ADDRESS_HOURLY_LIMIT
    ):
        # Held, not answered (an answer could feed a loop); an engineer can run it again.
        return InboundDecision(
            outcome=Outcome.REJECTED,
            detail=_(
                "More than %(limit)d messages from this address about %(key)s in an hour: "
                "held, not answered."
            )
            % {"limit": PER_ADDRESS_HOURLY_LIMIT, "key": ticket.key},
            request_key=ticket.key,
        )
    if addressee is not None and (sender is None or sender.pk != addressee.pk):
        return _refuse(
            inbound_email,
            parsed,
            reason=_(
                "This reply address belongs to someone else: only the person the notification "
                "was sent to can answer with it."
            ),
            advice=_(
                "If you work on this request too, ask its reporter to share it with you, then "
                "answer from your own notification or on the request page."
            ),
            ticket=ticket,
            sender=sender,
        )
    if sender is None:
        return _refuse(
            inbound_email,
            parsed,
            reason=_("We have no account with the address %(address)s.")
            % {"address": parsed.from_email},
            advice=_("Sign up with this address, or answer from the address of your account."),
            ticket=ticket,
        )
    engineer = is_support_engineer(user=sender)
    if not engineer and not tickets_visible_to(user=sender).filter(pk=ticket.pk).exists():
        return _refuse(
            inbound_email,
            parsed,
            reason=_("You cannot see the request this message answers."),
            advice=_("Ask the person who raised it to share it with you, or raise a new request."),
            ticket=ticket,
            sender=sender,
        )
    too_large = _too_large(inbound_email)
    if too_large:
        return _refuse(
            inbound_email,
            parsed,
            reason=too_large,
            advice=_attachment_advice(),
            ticket=ticket,
            sender=sender,
        )
    body, is_internal = parsed.reply_text, False
    first_line, _newline, rest = body.partition("\n")
    if engineer and first_line.strip().lower().startswith(NOTE_MARKER):
        is_internal = True
        body = (first_line.strip()[len(NOTE_MARKER) :] + "\n" + rest).strip()
    try:
        comment = ticket_comment_add(
            ticket=ticket,
            author=sender,
            body=body,
            attachments=_uploads(parsed),
            is_internal=is_internal,
            inbound_email=inbound_email,
        )
    except (ValidationError, PermissionDenied) as exc:
        return _refuse(
            inbound_email,
            parsed,
            reason=_messages(exc),
            advice=_attachment_advice() if parsed.attachments else _("Answer on the request page."),
            ticket=ticket,
            sender=sender,
        )
    return InboundDecision(
        outcome=Outcome.NOTE if is_internal else Outcome.COMMENTED,
        detail=_("%(kind)s %(id)d by %(email)s.")
        % {
            "kind": _("Internal note") if is_internal else _("Comment"),
            "id": comment.pk,
            "email": sender.email,
        },
        request_key=ticket.key,
    )


def _summary(parsed: ParsedEmail) -> str:
    summary = SUBJECT_PREFIX.sub("", parsed.subject).strip()
    if not summary:
        summary = next((line.strip() for line in parsed.text.splitlines() if line.strip()), "")
    return summary[:SUMMARY_MAX_LENGTH]


def _new_request(
    inbound_email: InboundEmail, parsed: ParsedEmail, *, sender: User | None
) -> InboundDecision:
    """A known customer's message that threads to nothing: a billing request, or a technical
    one when sent to INBOUND_TECHNICAL_ADDRESS and the sender's organization's plan reaches it;
    severity S3, the sender's only organization (or none, for the engineer to set)."""
    if sender is None:
        return _refuse(
            inbound_email,
            parsed,
            reason=_(
                "We have no account with the address %(address)s, so we cannot open a "
                "request for it."
            )
            % {"address": parsed.from_email},
            advice=_("Sign up with this address, then write to us again or use the request form."),
        )
    if is_support_engineer(user=sender):
        return _refuse(
            inbound_email,
            parsed,
            reason=_("This message answers no request."),
            advice=_(
                "Raise a request for a customer in the admin (Add ticket), or answer the "
                "notification of the request."
            ),
            sender=sender,
        )
    too_large = _too_large(inbound_email)
    if too_large:
        return _refuse(
            inbound_email, parsed, reason=too_large, advice=_attachment_advice(), sender=sender
        )
    to_technical = settings.INBOUND_TECHNICAL_ADDRESS.lower() in parsed.recipients
    technical = portal_access(user=sender, portal=Portal.TECHNICAL)
    if to_technical and len(technical.organizations) == 1:
        portal, organization = Portal.TECHNICAL, technical.organizations[0]
    else:
        billing = portal_access(user=sender, portal=Portal.BILLING)
        portal = Portal.BILLING
        organization = billing.organizations[0] if len(billing.organizations) == 1 else None
    summary, description = _summary(parsed), parsed.text[:DESCRIPTION_MAX_LENGTH]
    if not summary or not description.strip():
        return _refuse(
            inbound_email,
            parsed,
            reason=_("Your message has no subject or no text."),
            advice=_("Write what happened in the message, with a subject."),
            sender=sender,
        )
    try:
        ticket = ticket_create(
            reporter=sender,
            portal=portal,
            summary=summary,
            description=description,
            severity=Severity.S3,
            organization=organization,
            environment=Environment.PRODUCTION if portal == Portal.TECHNICAL else "",
            attachments=_uploads(parsed),
        )
    except (ValidationError, PermissionDenied) as exc:
        return _refuse(
            inbound_email,
            parsed,
            reason=_messages(exc),
            advice=_attachment_advice() if parsed.attachments else _("Use the request form."),
            sender=sender,
        )
    detail = _("%(key)s raised by %(email)s.") % {"key": ticket.key, "email": sender.email}
    if to_technical and portal != Portal.TECHNICAL:
        detail += " " + _(
            "Sent to the technical address, but no single organization of the sender reaches "
            "the technical portal: filed as a billing request."
        )
    return InboundDecision(outcome=Outcome.CREATED, detail=detail, request_key=ticket.key)
