"""The IMAP poller: each message in the mailbox goes through `inbound_email_receive`, then to the
Processed or Rejected folder.

Nothing is processed twice: the stored message is unique by its bytes and its Message-ID, so a
message fetched by two pollers at once, or left in the inbox by a poller that died before
moving it, is stored and decided once and only moved the next time. A lock in the cache (shared
Redis with CACHE_URL) keeps a second beat process from even fetching while one polls."""

import logging
import secrets
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured
from imap_tools import MailBox, MailBoxUnencrypted
from imap_tools.errors import MailboxFolderCreateError, MailboxMoveError

from helpcenter.inbound.models import InboundEmail
from helpcenter.inbound.services import inbound_email_receive

logger = logging.getLogger(__name__)

PROCESSED_FOLDER = "Processed"
REJECTED_FOLDER = "Rejected"
LOCK_KEY = "inbound-email:imap-poll"
LOCK_SECONDS = 300


@dataclass(frozen=True)
class ImapMailbox:
    host: str
    port: int
    user: str
    password: str
    folder: str
    tls: bool


def imap_mailbox(url: str) -> ImapMailbox:
    """`imaps://user:pass@host:993/INBOX` (TLS) or `imap://...` (plain, for local servers);
    user and password percent-encoded, the folder INBOX unless named."""
    parts = urlsplit(url)
    if parts.scheme not in ("imap", "imaps") or not parts.hostname or parts.username is None:
        raise ImproperlyConfigured(
            "INBOUND_IMAP_URL must look like imaps://user:password@host:993/INBOX"
        )
    tls = parts.scheme == "imaps"
    return ImapMailbox(
        host=parts.hostname,
        port=parts.port or (993 if tls else 143),
        user=unquote(parts.username),
        password=unquote(parts.password or ""),
        folder=unquote(parts.path.lstrip("/")) or "INBOX",
        tls=tls,
    )


@dataclass
class PollResult:
    received: int = 0
    duplicates: int = 0
    to_processed: int = 0
    to_rejected: int = 0
    skipped_locked: bool = False


def _connect(mailbox: ImapMailbox):
    kind = MailBox if mailbox.tls else MailBoxUnencrypted
    client = kind(mailbox.host, mailbox.port, timeout=settings.INBOUND_IMAP_TIMEOUT)
    return client.login(mailbox.user, mailbox.password, initial_folder=mailbox.folder)


def _ensure_folders(client) -> None:
    for name in (PROCESSED_FOLDER, REJECTED_FOLDER):
        if not client.folder.exists(name):
            try:
                client.folder.create(name)
            except MailboxFolderCreateError:
                if not client.folder.exists(name):  # not another poller's doing
                    raise


def _fetch_raw(client, uid: str) -> bytes | None:
    """The message exactly as stored (BODY.PEEK: the \\Seen flag stays as it was)."""
    status, data = client.client.uid("FETCH", uid, "(BODY.PEEK[])")
    if status != "OK":
        return None
    for item in data:
        if isinstance(item, tuple) and len(item) == 2:
            return item[1]
    return None


def inbound_imap_poll() -> PollResult:
    """One poll of INBOUND_IMAP_URL: at most INBOUND_IMAP_BATCH messages, oldest first."""
    mailbox = imap_mailbox(settings.INBOUND_IMAP_URL)
    result = PollResult()
    token = secrets.token_hex(8)
    if not cache.add(LOCK_KEY, token, timeout=LOCK_SECONDS):
        result.skipped_locked = True
        return result
    try:
        with _connect(mailbox) as client:
            _ensure_folders(client)
            for uid in client.uids("ALL")[: settings.INBOUND_IMAP_BATCH]:
                raw = _fetch_raw(client, uid)
                if raw is None:  # moved away meanwhile
                    continue
                received = inbound_email_receive(raw=raw, source=InboundEmail.Source.IMAP)
                if received.inbound_email is None:
                    continue
                if received.created:
                    result.received += 1
                else:
                    result.duplicates += 1
                rejected = received.inbound_email.moves_to_rejected
                try:
                    client.move(uid, REJECTED_FOLDER if rejected else PROCESSED_FOLDER)
                except MailboxMoveError:  # another poller moved it first
                    continue
                if rejected:
                    result.to_rejected += 1
                else:
                    result.to_processed += 1
    finally:
        if cache.get(LOCK_KEY) == token:
            cache.delete(LOCK_KEY)
    return result
