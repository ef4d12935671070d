from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext


class Portal(models.TextChoices):
    """The help center's request portals; plans decide which of them an organization reaches."""

    BILLING = "billing", _("TiDB Cloud Account/Billing Support")
    TECHNICAL = "technical", _("TiDB Cloud Technical Support")


class Severity(models.TextChoices):
    S1 = "S1", "S1"
    S2 = "S2", "S2"
    S3 = "S3", "S3"
    S4 = "S4", "S4"


SEVERITY_DEFINITIONS = {
    Severity.S1: _("Complete loss of production environmental functionality"),
    Severity.S2: _("High impact on operations in production environments"),
    Severity.S3: _(
        "Non-critical database usage issues in production or non-production environments"
    ),
    Severity.S4: _(
        "General question on how a particular feature or function performs or should be "
        "configured. An issue that has minimal impact on business and can be tolerated for a "
        "reasonable period."
    ),
}


class PlanMove(models.TextChoices):
    """How an organization gets from its plan to another (see `plans.selectors.plan_move`)."""

    CURRENT = "current", _("Current plan")
    UPGRADE = "upgrade", _("Upgrade")
    CONTACT_SALES = "contact_sales", _("Contact Sales")
    DOWNGRADE = "downgrade", _("Downgrade")
    UNAVAILABLE = "unavailable", _("Not available")


DEFAULT_PLAN_CODE = "basic"


def target_label(minutes: int, *, business_hours: bool) -> str:
    """'1 hour', '30 minutes', '4 business hours': how a response target reads, with the plural
    forms of the active language."""
    if minutes % 60:
        if business_hours:
            text = ngettext("%(count)d business minute", "%(count)d business minutes", minutes)
        else:
            text = ngettext("%(count)d minute", "%(count)d minutes", minutes)
        return text % {"count": minutes}
    hours = minutes // 60
    if business_hours:
        text = ngettext("%(count)d business hour", "%(count)d business hours", hours)
    else:
        text = ngettext("%(count)d hour", "%(count)d hours", hours)
    return text % {"count": hours}


class Plan(models.Model):
    class Purchase(models.TextChoices):
        FREE = "free", _("Free, the default")
        SELF_SERVE = "self_serve", _("Self-serve upgrade with a card")
        SALES = "sales", _("Through the sales team")

    code = models.SlugField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=64, unique=True)
    rank = models.PositiveSmallIntegerField(_("rank"), unique=True, help_text=_("Higher is more."))
    audience = models.CharField(_("for"), max_length=200, blank=True)
    purchase = models.CharField(_("how it is bought"), max_length=16, choices=Purchase)
    monthly_price = models.DecimalField(
        _("monthly price (USD)"),
        max_digits=10,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
        help_text=_("Set by an administrator; empty means not published."),
    )
    trial_days = models.PositiveSmallIntegerField(_("trial length in days"), default=0)
    response_clock = models.CharField(_("response clock"), max_length=120, blank=True)
    features = models.TextField(_("features"), blank=True, help_text=_("One per line."))

    class Meta:
        ordering = ["rank"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(purchase__in=["free", "self_serve", "sales"]),
                name="plan_purchase_valid",
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def feature_list(self) -> list[str]:
        return [line.strip() for line in self.features.splitlines() if line.strip()]

    @property
    def is_free(self) -> bool:
        return self.purchase == self.Purchase.FREE

    @property
    def is_default(self) -> bool:
        """The plan of an organization without a subscription."""
        return self.code == DEFAULT_PLAN_CODE

    @property
    def is_self_serve(self) -> bool:
        return self.purchase == self.Purchase.SELF_SERVE

    @property
    def is_sales_only(self) -> bool:
        return self.purchase == self.Purchase.SALES


class PlanPortal(models.Model):
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="portals")
    portal = models.CharField(_("portal"), max_length=16, choices=Portal)

    class Meta:
        ordering = ["plan__rank", "portal"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "portal"], name="plan_portal_unique"),
            models.CheckConstraint(
                condition=models.Q(portal__in=["billing", "technical"]), name="plan_portal_valid"
            ),
        ]

    def __str__(self):
        return f"{self.plan}: {self.get_portal_display()}"


class ResponseTarget(models.Model):
    """The times an engineer promises, per plan and severity: the first response (the vendor's
    published table), the next response after each customer comment, and the resolution. The
    last two ship with defaults (see the README); administrators edit all three."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="response_targets")
    severity = models.CharField(_("severity"), max_length=2, choices=Severity)
    minutes = models.PositiveIntegerField(
        _("first response (minutes)"), validators=[MinValueValidator(1)]
    )
    next_response_minutes = models.PositiveIntegerField(
        _("next response (minutes)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text=_("After each customer comment. Empty: no target. Default: the first response."),
    )
    resolution_minutes = models.PositiveIntegerField(
        _("resolution (minutes)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text=_("From the request to its resolution. Empty: no target."),
    )
    business_hours = models.BooleanField(
        _("business hours"),
        help_text=_(
            "All three are counted 9:00-18:00 Monday to Friday in the organization's time zone."
        ),
    )

    class Meta:
        ordering = ["plan__rank", "severity"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "severity"], name="response_target_unique"),
            models.CheckConstraint(condition=models.Q(minutes__gt=0), name="response_target_pos"),
            models.CheckConstraint(
                condition=models.Q(next_response_minutes__isnull=True)
                | models.Q(next_response_minutes__gt=0),
                name="response_target_next_pos",
            ),
            models.CheckConstraint(
                condition=models.Q(resolution_minutes__isnull=True)
                | models.Q(resolution_minutes__gt=0),
                name="response_target_resolution_pos",
            ),
            models.CheckConstraint(
                condition=models.Q(severity__in=["S1", "S2", "S3", "S4"]),
                name="response_target_severity_valid",
            ),
        ]

    def __str__(self):
        return f"{self.plan} {self.severity}: {self.label}"

    @property
    def label(self) -> str:
        return target_label(self.minutes, business_hours=self.business_hours)


class PaymentMethod(models.Model):
    """What the gateway lets us keep of a card: never the number, never the CVC."""

    organization = models.ForeignKey(
        "accounts.Organization", on_delete=models.CASCADE, related_name="payment_methods"
    )
    brand = models.CharField(max_length=32)
    last4 = models.CharField(max_length=4)
    exp_month = models.PositiveSmallIntegerField()
    exp_year = models.PositiveSmallIntegerField()
    holder_name = models.CharField(max_length=120)
    gateway_reference = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(exp_month__gte=1, exp_month__lte=12),
                name="payment_method_month_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(last4__regex=r"^[0-9]{4}$"), name="payment_method_last4_digits"
            ),
        ]

    def __str__(self):
        return f"{self.brand} ending in {self.last4}"


class Subscription(models.Model):
    """An organization's current plan; an organization without one is on Basic."""

    organization = models.OneToOneField(
        "accounts.Organization", on_delete=models.CASCADE, related_name="subscription"
    )
    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="subscriptions")
    started_at = models.DateTimeField()
    trial_ends_at = models.DateTimeField(null=True, blank=True)
    payment_method = models.ForeignKey(
        PaymentMethod, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    def __str__(self):
        return f"{self.organization}: {self.plan}"


class PlanChange(models.Model):
    organization = models.ForeignKey(
        "accounts.Organization", on_delete=models.CASCADE, related_name="plan_changes"
    )
    from_plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="+")
    to_plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="+")
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    changed_at = models.DateTimeField(auto_now_add=True)
    reason = models.CharField(max_length=200)

    class Meta:
        ordering = ["-changed_at"]

    def __str__(self):
        return f"{self.organization}: {self.from_plan} -> {self.to_plan}"


class SalesInquiry(models.Model):
    class Topic(models.TextChoices):
        PREMIUM = "premium", _("Premium support plan")
        POC = "poc", _("Proof of concept (PoC)")
        DEMO = "demo", _("A demo")
        TRIAL_CREDITS = "trial_credits", _("Free trial credits")
        OTHER = "other", _("Something else")

    topic = models.CharField(_("topic"), max_length=16, choices=Topic)
    name = models.CharField(_("name"), max_length=120)
    company = models.CharField(_("company"), max_length=120)
    email = models.EmailField(_("email"))
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    message = models.TextField(_("message"), max_length=5000)
    organization = models.ForeignKey(
        "accounts.Organization", on_delete=models.SET_NULL, null=True, blank=True
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name_plural = "sales inquiries"

    def __str__(self):
        return f"{self.get_topic_display()} from {self.company}"


class PlanUpgradeRequest(models.Model):
    """A member who is not an owner asked the owners to upgrade the support plan; the owners
    were emailed. The rows also pace the asking (see `plans.services.plan_upgrade_request`)."""

    organization = models.ForeignKey(
        "accounts.Organization", on_delete=models.CASCADE, related_name="plan_upgrade_requests"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    plan = models.ForeignKey(
        Plan, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    message = models.TextField(_("message"), max_length=2000, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(
                fields=["organization", "requested_by", "-created_at"],
                name="plan_upgrade_request_recent",
            )
        ]

    def __str__(self):
        return f"{self.requested_by} asks {self.organization} to upgrade"
