"""Receiving a message: stored once, then decided by the help desk's handler, in one transaction.

The IMAP poller, the provider webhook and the admin's re-run all come through here. What a
message means (a reply, a new request, a bounce) is the business of INBOUND_EMAIL_HANDLER, a
function `handler(*, inbound_email, parsed) -> InboundDecision` in the app that owns the rules."""

import hashlib
import logging
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from helpcenter.inbound.models import InboundEmail
from helpcenter.inbound.parsing import ParsedEmail, parse_email

logger = logging.getLogger(__name__)

Outcome = InboundEmail.Outcome


@dataclass(frozen=True)
class InboundDecision:
    """What the handler made of a message: the outcome, why, the request it concerns and
    whether the sender was sent an explanatory reply."""

    outcome: str
    detail: str = ""
    request_key: str = ""
    replied: bool = False


@dataclass(frozen=True)
class Received:
    inbound_email: InboundEmail
    created: bool  # False when the message had been received before and nothing was done


def _stored_bytes(raw: bytes) -> bytes:
    """The message, or only its header block when it is over INBOUND_EMAIL_MAX_BYTES."""
    if len(raw) <= settings.INBOUND_EMAIL_MAX_BYTES:
        return raw
    for separator in (b"\r\n\r\n", b"\n\n"):
        head, found, _body = raw.partition(separator)
        if found:
            return head + separator
    return raw[:65536]


def _decide(inbound_email: InboundEmail, parsed: ParsedEmail) -> InboundEmail:
    """Run the handler in a savepoint: whatever it raises, the message stays stored with the
    outcome "failed" and the error, for an engineer to look at and re-run."""
    try:
        with transaction.atomic():
            decision = import_string(settings.INBOUND_EMAIL_HANDLER)(
                inbound_email=inbound_email, parsed=parsed
            )
    except Exception as exc:  # noqa: BLE001 - a message must never be lost to a bug
        logger.exception("Inbound email %s failed", inbound_email.pk)
        decision = InboundDecision(outcome=Outcome.FAILED, detail=f"{type(exc).__name__}: {exc}")
    inbound_email.outcome = decision.outcome
    inbound_email.outcome_detail = decision.detail[:4000]
    inbound_email.request_key = decision.request_key
    inbound_email.replied = inbound_email.replied or decision.replied
    inbound_email.processed_at = timezone.now()
    inbound_email.runs = F("runs") + 1
    inbound_email.save(
        update_fields=[
            "outcome",
            "outcome_detail",
            "request_key",
            "replied",
            "processed_at",
            "runs",
        ]
    )
    inbound_email.refresh_from_db(fields=["runs"])
    logger.info(
        "Inbound email %s from %s: %s %s",
        inbound_email.pk,
        inbound_email.from_email,
        inbound_email.outcome,
        inbound_email.request_key,
    )
    return inbound_email


@transaction.atomic
def inbound_email_receive(*, raw: bytes, source: str) -> Received:
    """Store one raw RFC 5322 message and decide what it is, in one transaction.

    The same message received again (the same bytes, or the same Message-ID) is not stored or
    processed again: `created` is False and the first row is returned. A second poller that
    fetched the same message waits on the unique index until the first one commits."""
    stored = _stored_bytes(raw)
    parsed = parse_email(stored)
    digest = hashlib.sha256(raw).hexdigest()
    try:
        with transaction.atomic():
            inbound_email = InboundEmail.objects.create(
                source=source,
                sha256=digest,
                message_id=parsed.message_id[:998],
                from_email=parsed.from_email[:320],
                recipients=", ".join(parsed.recipients),
                subject=parsed.subject[:998],
                size=len(raw),
                raw=stored,
                text=parsed.text,
            )
    except IntegrityError:
        duplicate = Q(sha256=digest)
        if parsed.message_id:
            duplicate |= Q(message_id=parsed.message_id[:998])
        return Received(InboundEmail.objects.filter(duplicate).first(), created=False)
    return Received(_decide(inbound_email, parsed), created=True)


RERUNNABLE = (Outcome.PENDING, Outcome.REJECTED, Outcome.FAILED)


@transaction.atomic
def inbound_email_rerun(*, inbound_email_id: int) -> InboundEmail:
    """An engineer runs a rejected or failed message again (after adding the sender's account,
    say). Messages that already became a comment or a request are not run twice."""
    inbound_email = InboundEmail.objects.select_for_update().get(pk=inbound_email_id)
    if inbound_email.outcome not in RERUNNABLE:
        raise ValidationError(
            _(
                "%(subject)s was already handled (%(outcome)s); only rejected or failed "
                "messages run again."
            )
            % {"subject": inbound_email, "outcome": inbound_email.get_outcome_display().lower()}
        )
    if inbound_email.raw is None:
        raise ValidationError(
            _("The raw message of %(subject)s is gone (kept %(days)d days).")
            % {"subject": inbound_email, "days": InboundEmail.RAW_KEEP_DAYS}
        )
    return _decide(inbound_email, parse_email(bytes(inbound_email.raw)))


def inbound_emails_purge_raw(*, now=None) -> int:
    """Drop the raw bytes of messages older than RAW_KEEP_DAYS; the text and outcome stay."""
    cutoff = (now or timezone.now()) - timedelta(days=InboundEmail.RAW_KEEP_DAYS)
    return InboundEmail.objects.filter(raw__isnull=False, received_at__lt=cutoff).update(raw=None)
