"""The outbox as every app uses it: queue an email inside the changing transaction, and let an
administrator resend failed ones. Delivery happens in the worker (`helpcenter.mail.tasks`)."""

import logging
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import connection, transaction
from django.template import Context
from django.template.loader import get_template, render_to_string
from django.utils import timezone

from helpcenter.mail.models import BouncingAddress, OutboundEmail
from helpcenter.mail.tasks import outbound_email_dispatch, outbound_emails_dispatch

logger = logging.getLogger(__name__)


def _render_plain(template_name: str, context: dict) -> str:
    """A subject or text part: rendered without HTML escaping (an "&" in a summary stays "&")."""
    return get_template(template_name).template.render(Context(context, autoescape=False))


# A thread's References keep its first Message-ID and the latest ones, as mail clients do, so
# the header stays short however long the conversation runs.
REFERENCES_KEPT = 10


def _thread_so_far(*, thread_key: str, to_email: str) -> tuple[dict[str, str], bool]:
    """What the emails this address already got in this thread decide, read in one query: the
    In-Reply-To and References that put a new email under the previous one (nothing for the
    first, whose Message-ID starts the thread), and whether the address reached
    OUTBOUND_EMAIL_PER_THREAD_HOURLY_LIMIT emails within the hour (a mail loop, such as an
    auto-responder answering every notification, stops there)."""
    if not thread_key:
        return {}, False
    limit = settings.OUTBOUND_EMAIL_PER_THREAD_HOURLY_LIMIT
    latest = list(
        OutboundEmail.objects.filter(thread_key=thread_key, to_email=to_email)
        .order_by("-pk")
        .values_list("message_id", "headers", "created_at")[: max(limit, 1)]
    )
    since = timezone.now() - timedelta(hours=1)
    limit_reached = sum(created_at >= since for _id, _headers, created_at in latest) >= limit
    if not latest:
        return {}, limit_reached
    parent_id, parent_headers, _created_at = latest[0]
    references = parent_headers.get("References", "").split() + [parent_id]
    if len(references) > REFERENCES_KEPT:
        references = references[:1] + references[-(REFERENCES_KEPT - 1) :]
    return {"In-Reply-To": parent_id, "References": " ".join(references)}, limit_reached


@dataclass(frozen=True)
class EmailDraft:
    """One email to queue: what `outbound_email_queue` takes, for queueing several at once.
    `thread_starts`: what it is about was created in this transaction, so its thread has no
    earlier email to answer or to count towards the hourly limit."""

    event_key: str
    to_email: str
    template_name: str
    context: dict
    time_zone: str = ""
    thread_key: str = ""
    headers: dict[str, str] | None = None
    thread_starts: bool = False


def outbound_email_queue(
    *,
    event_key: str,
    to_email: str,
    template_name: str,
    context: dict,
    time_zone: str = "",
    thread_key: str = "",
    headers: dict[str, str] | None = None,
    thread_starts: bool = False,
) -> OutboundEmail | None:
    """Record one email in the outbox and send it after commit; None when already queued.

    Call inside the transaction that changes state, so the email exists exactly when the change
    does. The email's times are written in `time_zone`, the recipient's (`User.time_zone`); an
    address with no person behind it reads UTC. Emails with the same `thread_key` (what they are
    about, e.g. "ticket:42") thread in the recipient's mail client; `headers` are sent as given
    (List-Unsubscribe, Reply-To, ...).
    """
    queued = outbound_emails_queue(
        drafts=[
            EmailDraft(
                event_key=event_key,
                to_email=to_email,
                template_name=template_name,
                context=context,
                time_zone=time_zone,
                thread_key=thread_key,
                headers=headers,
                thread_starts=thread_starts,
            )
        ]
    )
    return queued[0] if queued else None


def outbound_emails_queue(*, drafts: list[EmailDraft]) -> list[OutboundEmail]:
    """Record the emails of one change in one INSERT and hand them to the worker in one publish
    after commit; returns those queued now (not the ones already queued or over the limit)."""
    unique: dict[tuple[str, str], OutboundEmail] = {}
    for email in map(_render, drafts):
        if email is not None:
            unique.setdefault((email.event_key, email.to_email), email)
    emails = list(unique.values())
    if not emails:
        return []
    ids = _insert_unless_queued(emails)
    queued = []
    for email in emails:
        email.pk = ids.get((email.event_key, email.to_email))
        if email.pk is not None:
            email._state.adding, email._state.db = False, connection.alias
            queued.append(email)
    if queued:
        queued_ids = [email.pk for email in queued]
        transaction.on_commit(lambda: outbound_emails_dispatch(outbound_email_ids=queued_ids))
    return queued


def _render(draft: EmailDraft) -> OutboundEmail | None:
    """The outbox row of a draft, threaded under the address's previous email; None when the
    address reached the thread's hourly limit."""
    thread_headers, limit_reached = (
        ({}, False)
        if draft.thread_starts
        else _thread_so_far(thread_key=draft.thread_key, to_email=draft.to_email)
    )
    if limit_reached:
        logger.warning(
            "Not queued: %s already got %s emails about %s within the hour",
            draft.to_email,
            settings.OUTBOUND_EMAIL_PER_THREAD_HOURLY_LIMIT,
            draft.thread_key,
        )
        return None
    context = {"site_url": settings.SITE_URL, **draft.context}
    with timezone.override(draft.time_zone or settings.TIME_ZONE):
        subject = " ".join(
            _render_plain(f"emails/{draft.template_name}.subject.txt", context).split()
        )
        text_body = _render_plain(f"emails/{draft.template_name}.txt", context)
        html_body = render_to_string(f"emails/{draft.template_name}.html", context)
    return OutboundEmail(
        event_key=draft.event_key[:200],
        to_email=draft.to_email,
        thread_key=draft.thread_key[:200],
        headers={**(draft.headers or {}), **thread_headers},
        subject=subject[:300],
        text_body=text_body,
        html_body=html_body,
    )


def _insert_unless_queued(emails: list[OutboundEmail]) -> dict[tuple[str, str], int]:
    """INSERT ... ON CONFLICT DO NOTHING on `outbound_email_once`, all rows in one statement
    (a savepoint around plain INSERTs, to survive a duplicate's IntegrityError, would cost three
    round trips per email). Returns the new ids by (event_key, to_email)."""
    fields = [field for field in OutboundEmail._meta.concrete_fields if not field.primary_key]
    quote = connection.ops.quote_name
    row = f"({', '.join(['%s'] * len(fields))})"
    sql = (
        f"INSERT INTO {quote(OutboundEmail._meta.db_table)} "
        f"({', '.join(quote(field.column) for field in fields)}) "
        f"VALUES {', '.join([row] * len(emails))} "
        f"ON CONFLICT ({quote('event_key')}, {quote('to_email')}) DO NOTHING "
        f"RETURNING {quote(OutboundEmail._meta.pk.column)}, {quote('event_key')}, "
        f"{quote('to_email')}"
    )
    values = [
        field.get_db_prep_save(field.pre_save(email, add=True), connection)
        for email in emails
        for field in fields
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, values)
        return {(event_key, to_email): pk for pk, event_key, to_email in cursor.fetchall()}


@transaction.atomic
def outbound_email_resend(*, outbound_email_ids: list[int]) -> int:
    """An administrator gives failed emails another round of attempts."""
    ids = list(
        OutboundEmail.objects.filter(
            pk__in=outbound_email_ids, status=OutboundEmail.Status.FAILED
        ).values_list("pk", flat=True)
    )
    OutboundEmail.objects.filter(pk__in=ids).update(
        status=OutboundEmail.Status.PENDING, attempts=0, next_attempt_at=timezone.now()
    )
    for outbound_email_id in ids:
        transaction.on_commit(
            lambda pk=outbound_email_id: outbound_email_dispatch(outbound_email_id=pk)
        )
    return len(ids)


@transaction.atomic
def bouncing_address_record(*, email: str, diagnostic: str = "") -> BouncingAddress:
    """A bounce for `email`: no more emails to it until it is confirmed again."""
    address = email.strip().lower()
    bouncing, created = BouncingAddress.objects.select_for_update().get_or_create(
        email=address, defaults={"diagnostic": diagnostic[:2000]}
    )
    if not created:
        bouncing.bounces += 1
        bouncing.last_bounced_at = timezone.now()
        bouncing.diagnostic = diagnostic[:2000] or bouncing.diagnostic
        bouncing.save(update_fields=["bounces", "last_bounced_at", "diagnostic"])
    return bouncing


@transaction.atomic
def bouncing_addresses_confirm(*, emails: list[str]) -> int:
    """These addresses receive mail again (an engineer checked, or the owner wrote from one);
    returns how many were bouncing. Emails marked failed meanwhile can be resent."""
    addresses = [email.strip().lower() for email in emails]
    deleted, _by_model = BouncingAddress.objects.filter(email__in=addresses).delete()
    return deleted
