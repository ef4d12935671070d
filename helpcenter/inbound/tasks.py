"""Beat tasks of the inbound mailbox: the IMAP poll every minute, the raw-bytes purge daily."""

import logging

from celery import shared_task
from django.conf import settings

from helpcenter.inbound.imap import inbound_imap_poll
from helpcenter.inbound.services import inbound_emails_purge_raw

logger = logging.getLogger(__name__)


@shared_task(acks_late=False)
def inbound_email_poll() -> int:
    """One IMAP poll (what `manage.py inbound_email_poll` runs); returns how many new messages
    were received. Nothing to do while INBOUND_IMAP_URL is unset."""
    if not settings.INBOUND_IMAP_URL:
        return 0
    result = inbound_imap_poll()
    if result.skipped_locked:
        logger.info("Another poll holds the inbound mailbox; skipped")
    return result.received


@shared_task
def inbound_email_purge() -> int:
    return inbound_emails_purge_raw()
