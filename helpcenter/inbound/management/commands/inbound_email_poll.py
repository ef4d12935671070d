from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from helpcenter.inbound.imap import inbound_imap_poll


class Command(BaseCommand):
    help = "Poll the inbound IMAP mailbox once (INBOUND_IMAP_URL), as the beat task does."

    def handle(self, *args, **options):
        if not settings.INBOUND_IMAP_URL:
            raise CommandError("INBOUND_IMAP_URL is not set: there is no mailbox to poll.")
        result = inbound_imap_poll()
        if result.skipped_locked:
            self.stdout.write("Another poll is running; nothing done.")
            return
        self.stdout.write(
            f"{result.received} new, {result.duplicates} already received; "
            f"moved {result.to_processed} to Processed, {result.to_rejected} to Rejected."
        )
