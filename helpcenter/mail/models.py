from email.utils import parseaddr
from uuid import uuid4

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


def new_message_id() -> str:
    """A unique Message-ID in the sender's domain (the domain of DEFAULT_FROM_EMAIL)."""
    domain = parseaddr(settings.DEFAULT_FROM_EMAIL)[1].rpartition("@")[2] or "localhost"
    return f"<{uuid4().hex}@{domain.lower()}>"


class OutboundEmail(models.Model):
    """One email to one recipient for one event: the outbox the Celery task delivers from.

    Every row keeps the Message-ID it is sent with, so a reply's In-Reply-To or References finds
    the row, and through `thread_key` what the email was about ("ticket:42"). Rows of one thread
    and recipient form a chain: each carries In-Reply-To/References to the previous ones."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    event_key = models.CharField(max_length=200)
    to_email = models.EmailField()
    message_id = models.CharField(max_length=255, unique=True, default=new_message_id)
    thread_key = models.CharField(max_length=200, blank=True)
    headers = models.JSONField(
        default=dict,
        blank=True,
        help_text=_("Headers sent besides Message-ID: threading, unsubscribe, reply address."),
    )
    subject = models.CharField(max_length=300)
    text_body = models.TextField()
    html_body = models.TextField(blank=True)
    status = models.CharField(max_length=16, choices=Status, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["event_key", "to_email"], name="outbound_email_once"),
            models.CheckConstraint(
                condition=models.Q(status__in=["pending", "sending", "sent", "failed"]),
                name="outbound_email_status_valid",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="outbound_email_due_idx"),
            models.Index(fields=["thread_key", "to_email"], name="outbound_email_thread_idx"),
        ]

    def __str__(self):
        return f"{self.subject} -> {self.to_email}"


class BouncingAddress(models.Model):
    """An address a mail server said our email cannot be delivered to (a bounce). Nothing more
    is sent to it (the outbox marks such emails failed, with the reason) until it is confirmed
    again: by an engineer in the admin, or by its owner writing to us from it."""

    email = models.EmailField(_("address"), unique=True)
    first_bounced_at = models.DateTimeField(_("first bounce"), auto_now_add=True)
    last_bounced_at = models.DateTimeField(_("last bounce"), default=timezone.now)
    bounces = models.PositiveIntegerField(_("bounces"), default=1)
    diagnostic = models.TextField(_("what the mail server said"), blank=True)

    class Meta:
        ordering = ["-last_bounced_at"]
        verbose_name_plural = _("bouncing addresses")

    def __str__(self):
        return self.email
