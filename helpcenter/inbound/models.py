from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class InboundEmail(models.Model):
    """One message received by the IMAP poller or a provider's webhook, with what became of it.

    The raw bytes are kept for RAW_KEEP_DAYS (support questions, re-runs); the decoded text and
    the outcome stay. A message is stored once: the same bytes, or the same Message-ID, arriving
    again (a second poller, a provider's retry, a copy to two of our addresses) is refused by
    the database."""

    RAW_KEEP_DAYS = 30

    class Source(models.TextChoices):
        IMAP = "imap", _("IMAP mailbox")
        WEBHOOK = "webhook", _("Provider webhook")

    class Outcome(models.TextChoices):
        PENDING = "pending", _("Not processed yet")
        COMMENTED = "commented", _("Reply added to a request")
        NOTE = "note", _("Internal note added")
        CREATED = "created", _("New request")
        IGNORED = "ignored", _("Ignored (automatic or bulk mail)")
        BOUNCE = "bounce", _("Bounce recorded")
        REJECTED = "rejected", _("Rejected, sender told why")
        FAILED = "failed", _("Failed (error)")

    # Outcomes whose IMAP message goes to the Rejected folder; the rest go to Processed.
    REJECTED_OUTCOMES = (Outcome.REJECTED, Outcome.FAILED)

    source = models.CharField(_("source"), max_length=16, choices=Source)
    received_at = models.DateTimeField(_("received"), auto_now_add=True)
    sha256 = models.CharField(max_length=64, unique=True, editable=False)
    message_id = models.CharField(_("Message-ID"), max_length=998, blank=True)
    from_email = models.CharField(_("from"), max_length=320, blank=True)
    recipients = models.TextField(_("to"), blank=True)
    subject = models.CharField(_("subject"), max_length=998, blank=True)
    size = models.PositiveIntegerField(_("size in bytes"))
    raw = models.BinaryField(_("raw message"), null=True, editable=False)
    text = models.TextField(_("text as received"), blank=True)
    outcome = models.CharField(
        _("outcome"), max_length=16, choices=Outcome, default=Outcome.PENDING
    )
    outcome_detail = models.TextField(_("why"), blank=True)
    request_key = models.CharField(_("request"), max_length=20, blank=True)
    replied = models.BooleanField(
        _("answered"), default=False, help_text=_("An explanatory reply was sent to the sender.")
    )
    processed_at = models.DateTimeField(_("processed"), null=True, blank=True)
    runs = models.PositiveSmallIntegerField(_("runs"), default=0)

    class Meta:
        ordering = ["-received_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["message_id"],
                condition=~Q(message_id=""),
                name="inbound_email_message_id_once",
            ),
            models.CheckConstraint(
                condition=Q(
                    outcome__in=[
                        "pending",
                        "commented",
                        "note",
                        "created",
                        "ignored",
                        "bounce",
                        "rejected",
                        "failed",
                    ]
                ),
                name="inbound_email_outcome_valid",
            ),
        ]
        indexes = [
            models.Index(fields=["from_email", "received_at"], name="inbound_email_sender_idx"),
            models.Index(
                fields=["received_at"],
                condition=Q(raw__isnull=False),
                name="inbound_email_raw_kept_idx",
            ),
        ]

    def __str__(self):
        return f"{self.subject or _('(no subject)')} <- {self.from_email}"

    @property
    def moves_to_rejected(self) -> bool:
        return self.outcome in self.REJECTED_OUTCOMES
