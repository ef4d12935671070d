import secrets
from pathlib import PurePath

from django.conf import settings
from django.contrib.auth.models import Group
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVector
from django.core.validators import MaxLengthValidator, MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from accounts.models import Environment
from helpcenter.db import UpperTrigramIndex
from plans.models import Portal, Severity, target_label

DESCRIPTION_MAX_LENGTH = 32_000
SUPPORT_ENGINEERS_GROUP = "Support engineers"
SEARCH_CONFIG = "english"


def ticket_search_vector() -> SearchVector:
    """A request's summary as a full-text document (what the product's request search matches
    too). The GIN index below and the help-center search use this one expression, so
    PostgreSQL serves the search from it; a summary is short, so even a row-by-row match over
    one organization's requests stays cheap."""
    return SearchVector("summary", config=SEARCH_CONFIG)


def support_engineer_q() -> Q:
    """Who is a support engineer: an active superuser, or an active member of the Support
    engineers group. The one definition: the access selectors, the admin's assignee choices,
    notification recipients and the "Support" badge on comments all use it. (Staff status only
    lets a person into the admin; a staff member of finance is not support.)"""
    in_group = Group.objects.filter(name=SUPPORT_ENGINEERS_GROUP, user=OuterRef("pk"))
    return Q(is_active=True) & (Q(is_superuser=True) | Exists(in_group))


class Component(models.Model):
    """A product component a technical request can name; administrators edit the list."""

    name = models.CharField(_("name"), max_length=64, unique=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    is_active = models.BooleanField(_("offered on the form"), default=True)

    class Meta:
        ordering = ["position", "name"]

    def __str__(self):
        return self.name


class TicketKeyCounter(models.Model):
    """The last number handed out per key prefix; rows are locked while a key is allocated."""

    prefix = models.CharField(max_length=8, primary_key=True)
    last_number = models.PositiveIntegerField(default=0)

    def __str__(self):
        return f"{self.prefix}-{self.last_number}"


# What the reports filter and group requests by (tickets.reports.support.ReportFilters).
REPORT_FILTER_FIELDS = [
    "id",
    "plan",
    "severity",
    "portal",
    "organization",
    "assignee",
    "status",
]


def _choice_label(choices: type[models.Choices], value: str) -> str:
    """One choice's label. Django's `get_FOO_display` rebuilds a dict of every choice on each
    call, translating each label to hash it; the request lists call it twice per row."""
    try:
        return str(choices(value).label)
    except ValueError:
        return value


class Ticket(models.Model):
    class Status(models.TextChoices):
        WAITING_FOR_SUPPORT = "waiting_for_support", _("Waiting for support")
        IN_PROGRESS = "in_progress", _("In progress")
        WAITING_FOR_CUSTOMER = "waiting_for_customer", _("Waiting for customer")
        RESOLVED = "resolved", _("Resolved")
        CLOSED = "closed", _("Closed")
        CANCELED = "canceled", _("Canceled")

    OPEN_STATUSES = (
        Status.WAITING_FOR_SUPPORT,
        Status.IN_PROGRESS,
        Status.WAITING_FOR_CUSTOMER,
    )
    CLOSED_STATUSES = (Status.RESOLVED, Status.CLOSED, Status.CANCELED)

    key = models.CharField(_("key"), max_length=20, unique=True, editable=False)
    portal = models.CharField(_("portal"), max_length=16, choices=Portal)
    organization = models.ForeignKey(
        "accounts.Organization",
        verbose_name=_("TiDB Cloud Org"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="tickets",
    )
    cluster = models.ForeignKey(
        "accounts.Cluster",
        verbose_name=_("TiDB Cloud Cluster"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="tickets",
    )
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="reported_tickets"
    )
    summary = models.CharField(_("Summary"), max_length=255)
    description = models.TextField(
        _("Description"), validators=[MaxLengthValidator(DESCRIPTION_MAX_LENGTH)]
    )
    severity = models.CharField(_("Severity"), max_length=2, choices=Severity)
    environment = models.CharField(_("Environment"), max_length=16, choices=Environment, blank=True)
    components = models.ManyToManyField(
        Component, verbose_name=_("Components"), blank=True, related_name="tickets"
    )
    affects_version = models.CharField(_("Affects versions"), max_length=32, blank=True)
    status = models.CharField(
        _("status"), max_length=24, choices=Status, default=Status.WAITING_FOR_SUPPORT
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assigned_tickets",
        limit_choices_to=support_engineer_q,
    )
    shared_with_organization = models.BooleanField(_("shared with the organization"))
    participants = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="participating_tickets"
    )
    plan = models.ForeignKey(
        "plans.Plan",
        on_delete=models.PROTECT,
        related_name="tickets",
        help_text=_("The plan the request was opened under; its response target stays."),
    )
    response_target_minutes = models.PositiveIntegerField(null=True, blank=True)
    response_target_business_hours = models.BooleanField(default=False)
    first_response_due_at = models.DateTimeField(null=True, blank=True)
    first_responded_at = models.DateTimeField(null=True, blank=True)
    sla_paused_at = models.DateTimeField(
        null=True, blank=True, help_text=_("Set while the request waits for the customer.")
    )
    first_response_warn_at = models.DateTimeField(null=True, blank=True)
    next_response_target_minutes = models.PositiveIntegerField(null=True, blank=True)
    next_response_started_at = models.DateTimeField(
        null=True, blank=True, help_text=_("The customer comment that started the clock.")
    )
    next_response_due_at = models.DateTimeField(null=True, blank=True)
    next_response_warn_at = models.DateTimeField(null=True, blank=True)
    next_responded_at = models.DateTimeField(null=True, blank=True)
    resolution_target_minutes = models.PositiveIntegerField(null=True, blank=True)
    resolution_due_at = models.DateTimeField(null=True, blank=True)
    resolution_warn_at = models.DateTimeField(null=True, blank=True)
    active_due_at = models.DateTimeField(
        null=True,
        blank=True,
        editable=False,
        help_text=_("The soonest due time of the running targets; the queues sort by it."),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    last_activity_at = models.DateTimeField(auto_now_add=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("merged into"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="merged_duplicates",
        help_text=_("Set when this request was closed as a duplicate of another."),
    )

    class Meta:
        ordering = ["-last_activity_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(severity__in=["S1", "S2", "S3", "S4"]), name="ticket_severity_valid"
            ),
            models.CheckConstraint(
                condition=Q(portal__in=["billing", "technical"]), name="ticket_portal_valid"
            ),
            models.CheckConstraint(
                condition=Q(
                    status__in=[
                        "waiting_for_support",
                        "in_progress",
                        "waiting_for_customer",
                        "resolved",
                        "closed",
                        "canceled",
                    ]
                ),
                name="ticket_status_valid",
            ),
            models.CheckConstraint(
                condition=~Q(portal="billing", severity="S1"), name="ticket_billing_not_s1"
            ),
            models.CheckConstraint(
                condition=~Q(portal="technical", organization__isnull=True),
                name="ticket_technical_has_organization",
            ),
            models.CheckConstraint(
                condition=~Q(severity="S1") | Q(environment="") | Q(environment="production"),
                name="ticket_s1_is_production",
            ),
            models.CheckConstraint(
                condition=Q(environment__in=["", "production", "non-production"]),
                name="ticket_environment_valid",
            ),
            models.CheckConstraint(
                condition=~Q(merged_into=models.F("pk")), name="ticket_not_merged_into_itself"
            ),
            models.CheckConstraint(
                condition=Q(merged_into__isnull=True) | Q(status="closed"),
                name="ticket_merged_is_closed",
            ),
        ]
        indexes = [
            # The admin list and every unfiltered ordering: newest activity first, 50 at a time.
            models.Index(fields=["-last_activity_at", "-id"], name="ticket_activity_idx"),
            models.Index(fields=["status", "-last_activity_at"], name="ticket_status_activity_idx"),
            # The triage queues on the admin index count open requests from this index alone:
            # by assignee, and by the soonest due time (due within the hour, breached).
            models.Index(
                fields=["assignee"],
                include=["id", "status", "active_due_at"],
                condition=Q(
                    status__in=["waiting_for_support", "in_progress", "waiting_for_customer"]
                ),
                name="ticket_open_queue_idx",
            ),
            # The Requests page: who may see a request (`tickets_visible_to`), its filters and its
            # order, all read from these two indexes alone (an index-only scan), so counting and
            # choosing a page of an organization's requests never visits their rows.
            models.Index(
                fields=["organization", "-last_activity_at", "-id"],
                include=["reporter", "shared_with_organization", "status", "portal"],
                name="ticket_org_visible_idx",
            ),
            models.Index(
                fields=["reporter", "-last_activity_at", "-id"],
                include=["organization", "status", "portal"],
                name="ticket_reporter_visible_idx",
            ),
            models.Index(fields=["assignee", "status"], name="ticket_assignee_idx"),
            models.Index(fields=["first_response_due_at"], name="ticket_response_due_idx"),
            # The admin list of every request in the queues' order (urgency_ordering): without
            # it, each page sorted all 100,000 requests to show 50.
            models.Index(
                fields=["active_due_at", "severity", "created_at", "id"], name="ticket_urgency_idx"
            ),
            models.Index(
                fields=["active_due_at", "severity", "created_at"],
                name="ticket_open_urgency_idx",
                condition=Q(
                    status__in=["waiting_for_support", "in_progress", "waiting_for_customer"]
                ),
            ),
            models.Index(
                fields=["first_response_warn_at"],
                name="ticket_first_warn_idx",
                condition=Q(first_responded_at__isnull=True),
            ),
            models.Index(
                fields=["resolution_warn_at"],
                name="ticket_resolution_warn_idx",
                condition=Q(resolution_warn_at__isnull=False),
            ),
            models.Index(
                fields=["next_response_warn_at"],
                name="ticket_next_warn_idx",
                condition=Q(next_response_warn_at__isnull=False),
            ),
            models.Index(fields=["severity"], name="ticket_severity_idx"),
            models.Index(fields=["portal"], name="ticket_portal_idx"),
            # Search (icontains) on the key, summary and description.
            UpperTrigramIndex(field="key", name="tickets_ticket_key_trgm"),
            UpperTrigramIndex(field="summary", name="tickets_ticket_summary_trgm"),
            UpperTrigramIndex(field="description", name="tickets_ticket_desc_trgm"),
            # The response clock's states (tickets.sla): the deadline of unanswered requests
            # whose clock runs (on track, at risk, breached), paused ones, answered ones.
            models.Index(
                fields=["first_response_due_at"],
                condition=Q(first_responded_at__isnull=True, sla_paused_at__isnull=True),
                name="ticket_sla_running_idx",
            ),
            models.Index(
                fields=["sla_paused_at"],
                condition=Q(sla_paused_at__isnull=False),
                name="ticket_sla_paused_idx",
            ),
            models.Index(
                fields=["first_responded_at"],
                condition=Q(first_responded_at__isnull=False),
                name="ticket_first_responded_idx",
            ),
            # Reports count requests filed or resolved in a period, and open ones by age. Each
            # index carries the columns the reports filter, group and decide the clocks by, so
            # the figures read the index alone (index-only scans), never the wide rows.
            models.Index(
                fields=["created_at"],
                include=[
                    *REPORT_FILTER_FIELDS,
                    "response_target_minutes",
                    "first_response_due_at",
                    "first_response_warn_at",
                    "first_responded_at",
                    "sla_paused_at",
                    "next_response_due_at",
                    "next_response_warn_at",
                    "next_responded_at",
                    "resolution_due_at",
                    "resolution_warn_at",
                    "resolved_at",
                ],
                name="ticket_report_created_idx",
            ),
            models.Index(
                fields=["resolved_at"],
                include=REPORT_FILTER_FIELDS,
                name="ticket_report_resolved_idx",
            ),
            models.Index(
                fields=["created_at"],
                include=REPORT_FILTER_FIELDS,
                condition=Q(
                    status__in=["waiting_for_support", "in_progress", "waiting_for_customer"]
                ),
                name="ticket_report_open_idx",
            ),
            GinIndex(ticket_search_vector(), name="ticket_summary_search_idx"),
        ]

    def __str__(self):
        return f"{self.key} {self.summary}"

    def get_status_display(self) -> str:
        return _choice_label(self.Status, self.status)

    def get_portal_display(self) -> str:
        return _choice_label(Portal, self.portal)

    def get_environment_display(self) -> str:
        return _choice_label(Environment, self.environment)

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES

    @property
    def response_target_label(self) -> str:
        if not self.response_target_minutes:
            return ""
        return target_label(
            self.response_target_minutes, business_hours=self.response_target_business_hours
        )

    EMAIL_THREAD_PREFIX = "ticket:"

    @property
    def email_thread_key(self) -> str:
        """What every email about this request shares in the outbox: they thread in the mail
        client, and a reply finds the request (`selectors.ticket_for_message_ids`)."""
        return f"{self.EMAIL_THREAD_PREFIX}{self.pk}"

    @property
    def awaits_rating(self) -> bool:
        """Resolved or closed, and not rated yet."""
        return self.status in (self.Status.RESOLVED, self.Status.CLOSED) and not hasattr(
            self, "satisfaction"
        )

    @property
    def accepts_comments(self) -> bool:
        return self.status not in (self.Status.CLOSED, self.Status.CANCELED)


class TicketNotificationSetting(models.Model):
    """A person's choice to be emailed, or not, about one request."""

    ticket = models.ForeignKey(
        Ticket, on_delete=models.CASCADE, related_name="notification_settings"
    )
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    enabled = models.BooleanField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["ticket", "user"], name="ticket_notification_unique"),
        ]

    def __str__(self):
        return f"{self.user_id} on {self.ticket_id}: {'on' if self.enabled else 'off'}"


class Comment(models.Model):
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    body = models.TextField(_("comment"), validators=[MaxLengthValidator(DESCRIPTION_MAX_LENGTH)])
    is_internal = models.BooleanField(
        _("internal note"), default=False, help_text=_("Internal notes never reach a customer.")
    )
    inbound_email = models.ForeignKey(
        "inbound.InboundEmail",
        verbose_name=_("sent by email"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("The email this comment came from; the original stays viewable."),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["ticket", "created_at"], name="comment_ticket_idx")]

    def __str__(self):
        return (
            f"{'Note' if self.is_internal else 'Comment'} on {self.ticket_id} by {self.author_id}"
        )


def attachment_path(instance: "Attachment", filename: str) -> str:
    suffix = PurePath(filename).suffix.lower()[:10]
    return f"attachments/{secrets.token_hex(2)}/{secrets.token_urlsafe(24)}{suffix}"


class Attachment(models.Model):
    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to=attachment_path)
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["pk"]

    def __str__(self):
        return self.original_name


class TicketEvent(models.Model):
    """The request's history: who changed what, when, from what, to what."""

    class Kind(models.TextChoices):
        CREATED = "created", _("Created")
        STATUS = "status", _("Status changed")
        ASSIGNEE = "assignee", _("Assignee changed")
        SHARING = "sharing", _("Sharing changed")
        COMMENT = "comment", _("Comment added")
        NOTE = "note", _("Internal note added")
        FIRST_RESPONSE = "first_response", _("First response")
        RATED = "rated", _("Satisfaction rated")
        RAISED = "raised", _("Raised by support on behalf of the customer")
        MERGED_INTO = "merged_into", _("Merged into another request")
        DUPLICATE_MERGED = "duplicate_merged", _("Duplicate merged in")

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    kind = models.CharField(max_length=16, choices=Kind)
    from_value = models.CharField(max_length=200, blank=True)
    to_value = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["ticket", "created_at"], name="ticket_event_ticket_idx")]

    def __str__(self):
        return f"{self.ticket_id} {self.kind}: {self.from_value} -> {self.to_value}"


class SlaAlert(models.Model):
    """An "at risk" or "breached" warning sent about one target of one request. The unique
    constraint makes it once per target (and per next-response round), however many beat
    processes or task retries try."""

    class Target(models.TextChoices):
        FIRST_RESPONSE = "first_response", _("First response")
        NEXT_RESPONSE = "next_response", _("Next response")
        RESOLUTION = "resolution", _("Resolution")

    class Level(models.TextChoices):
        AT_RISK = "at_risk", _("At risk")
        BREACHED = "breached", _("Breached")

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="sla_alerts")
    target = models.CharField(max_length=16, choices=Target)
    level = models.CharField(max_length=8, choices=Level)
    round_started_at = models.DateTimeField(
        help_text=_("When the target's clock started: next-response rounds alert separately.")
    )
    recipient = models.EmailField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["ticket", "target", "level", "round_started_at"], name="sla_alert_once"
            ),
            models.CheckConstraint(
                condition=Q(target__in=["first_response", "next_response", "resolution"]),
                name="sla_alert_target_valid",
            ),
            models.CheckConstraint(
                condition=Q(level__in=["at_risk", "breached"]), name="sla_alert_level_valid"
            ),
        ]

    def __str__(self):
        return f"{self.ticket_id} {self.target} {self.level}"


class TicketViewer(models.Model):
    """When an engineer last had a request open: the collision notice warns the others."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="viewers")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    seen_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["ticket", "user"], name="ticket_viewer_unique"),
        ]
        indexes = [models.Index(fields=["ticket", "-seen_at"], name="ticket_viewer_recent_idx")]

    def __str__(self):
        return f"{self.user_id} on {self.ticket_id} at {self.seen_at:%H:%M}"


class SatisfactionRating(models.Model):
    """The reporter's verdict on a resolved request: 1 to 5 and a comment, once per request."""

    ticket = models.OneToOneField(Ticket, on_delete=models.CASCADE, related_name="satisfaction")
    rating = models.PositiveSmallIntegerField(
        _("rating"), validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    comment = models.TextField(_("comment"), blank=True, max_length=2000)
    rated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(rating__gte=1, rating__lte=5), name="satisfaction_rating_1_to_5"
            ),
        ]
        indexes = [models.Index(fields=["created_at"], name="satisfaction_created_idx")]

    def __str__(self):
        return f"{self.ticket_id}: {self.rating}/5"


class SupportReportDelivery(models.Model):
    """The monthly Support report of one organization for one month. The unique row is taken
    before the emails are queued, in the same transaction: a second beat process, a retried
    task or a rerun finds it and sends nothing."""

    organization = models.ForeignKey(
        "accounts.Organization", on_delete=models.CASCADE, related_name="support_reports_sent"
    )
    month = models.DateField(help_text=_("The first day of the month the report covers."))
    recipients = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-month", "organization"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "month"], name="support_report_once_per_month"
            ),
            models.CheckConstraint(condition=Q(month__day=1), name="support_report_month_start"),
        ]

    def __str__(self):
        return f"{self.organization_id} {self.month:%Y-%m}"


class CannedResponse(models.Model):
    """A reply snippet; {customer_name}, {key} and {plan} are filled in when inserted."""

    title = models.CharField(max_length=120, unique=True)
    body = models.TextField(help_text=_("Placeholders: {customer_name}, {key}, {plan}, {summary}."))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["title"]

    def __str__(self):
        return self.title
