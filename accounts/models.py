import zoneinfo

from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from helpcenter.db import UpperTrigramIndex


def validate_time_zone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(_("%(value)s is not a known time zone."), params={"value": value})


class UserManager(BaseUserManager):
    use_in_migrations = True

    @classmethod
    def normalize_email(cls, email):
        """The one email normalisation: trimmed and lower-cased as a whole. Sign-up, login
        (`get_by_natural_key`) and the admin's user forms all go through here."""
        return super().normalize_email((email or "").strip()).lower()

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def get_by_natural_key(self, username):
        """Log in by email address whatever its case, as sign-up stores it lowercased and the
        database keeps one account per case-folded address."""
        return self.get(email__iexact=str(username).strip())

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra_fields)


class User(AbstractUser):
    """A person; the email address is the login."""

    username = None
    first_name = None
    last_name = None
    email = models.EmailField(_("email address"), unique=True)
    full_name = models.CharField(_("full name"), max_length=150, blank=True)
    time_zone = models.CharField(
        _("time zone"),
        max_length=64,
        blank=True,
        default="",
        validators=[validate_time_zone],
        help_text=_("Times on pages and in emails are shown in this zone."),
    )

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = []

    objects = UserManager()

    class Meta:
        ordering = ["email"]
        constraints = [
            models.UniqueConstraint(Lower("email"), name="user_email_ci_unique"),
        ]
        indexes = [UpperTrigramIndex(field="email", name="accounts_user_email_trgm")]

    def __str__(self):
        return self.email

    @property
    def display_name(self) -> str:
        return self.full_name or self.email.split("@")[0]

    @property
    def email_local_part(self) -> str:
        """For the password similarity check: a password like the mailbox name is refused."""
        return self.email.split("@")[0]

    @property
    def initials(self) -> str:
        parts = self.display_name.replace(".", " ").split()
        return "".join(part[0] for part in parts[:2]).upper() or "?"

    def get_full_name(self):
        return self.display_name

    def get_short_name(self):
        return self.display_name


class Organization(models.Model):
    name = models.CharField(_("name"), max_length=120, unique=True)
    time_zone = models.CharField(
        _("time zone"),
        max_length=64,
        default="UTC",
        validators=[validate_time_zone],
        help_text=_("Business hours for response targets are counted in this zone."),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    members = models.ManyToManyField(
        "accounts.User", through="accounts.Membership", related_name="organizations"
    )

    class Meta:
        ordering = ["name"]
        indexes = [UpperTrigramIndex(field="name", name="accounts_org_name_trgm")]

    def __str__(self):
        return self.name

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.time_zone)


class Membership(models.Model):
    class Role(models.TextChoices):
        OWNER = "owner", _("Owner")
        MEMBER = "member", _("Member")

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(_("role"), max_length=16, choices=Role, default=Role.MEMBER)
    joined_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["organization__name", "user__email"]
        constraints = [
            models.UniqueConstraint(fields=["user", "organization"], name="membership_unique"),
            models.CheckConstraint(
                condition=models.Q(role__in=["owner", "member"]), name="membership_role_valid"
            ),
        ]

    def __str__(self):
        return f"{self.user} in {self.organization} ({self.get_role_display()})"

    @property
    def is_owner(self) -> bool:
        return self.role == self.Role.OWNER


class Environment(models.TextChoices):
    """Where a cluster runs, and what a technical request is about: clusters and requests share
    these choices."""

    PRODUCTION = "production", _("Production")
    NON_PRODUCTION = "non-production", _("Non-production")


class Cluster(models.Model):
    class Tier(models.TextChoices):
        STARTER = "starter", _("Starter")
        ESSENTIAL = "essential", _("Essential")
        DEDICATED = "dedicated", _("Dedicated")

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="clusters"
    )
    name = models.CharField(_("name"), max_length=64)
    tier = models.CharField(_("tier"), max_length=16, choices=Tier)
    region = models.CharField(_("cloud region"), max_length=64)
    version = models.CharField(
        _("TiDB version"),
        max_length=16,
        validators=[RegexValidator(r"^v\d+\.\d+\.\d+$", _("Use a version such as v8.5.1."))],
    )
    environment = models.CharField(_("environment"), max_length=16, choices=Environment)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "name"], name="cluster_name_unique"),
            models.CheckConstraint(
                condition=models.Q(tier__in=["starter", "essential", "dedicated"]),
                name="cluster_tier_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(environment__in=["production", "non-production"]),
                name="cluster_environment_valid",
            ),
        ]

    def __str__(self):
        return self.name


class ApiToken(models.Model):
    """A personal API token. Only a SHA-256 digest of the secret is stored; the secret itself is
    shown once, when it is created."""

    class Scope(models.TextChoices):
        READ = "read", _("Read")
        READ_WRITE = "read-write", _("Read and write")

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(
        _("prefix"), max_length=12, help_text=_("The first characters, to recognise the token.")
    )
    digest = models.CharField(max_length=64, unique=True)
    scope = models.CharField(_("scope"), max_length=16, choices=Scope, default=Scope.READ)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(_("expires"))
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    last_used_ip = models.GenericIPAddressField(_("last used from"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(scope__in=["read", "read-write"]), name="api_token_scope_valid"
            ),
        ]
        indexes = [models.Index(fields=["user", "-created_at"], name="api_token_user_idx")]

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None and self.expires_at > timezone.now()

    @property
    def can_write(self) -> bool:
        return self.scope == self.Scope.READ_WRITE


class SecurityEvent(models.Model):
    """An audit row for what matters to account security: who did what to whom, from where.

    Written by the services and the authentication signals; read by superusers in the admin."""

    class Kind(models.TextChoices):
        LOGIN_SUCCEEDED = "login_succeeded", _("Login succeeded")
        LOGIN_FAILED = "login_failed", _("Login failed")
        LOCKED_OUT = "locked_out", _("Locked out")
        SECOND_FACTOR_ENROLLED = "second_factor_enrolled", _("Second factor enrolled")
        SECOND_FACTOR_FAILED = "second_factor_failed", _("Second factor refused")
        PASSWORD_CHANGED = "password_changed", _("Password changed")
        SIGN_UP_VERIFIED = "sign_up_verified", _("Sign-up verified")
        MEMBERSHIP_ADDED = "membership_added", _("Membership added")
        MEMBERSHIP_REMOVED = "membership_removed", _("Membership removed")
        PLAN_CHANGED = "plan_changed", _("Plan changed")

    kind = models.CharField(_("event"), max_length=32, choices=Kind)
    actor = models.ForeignKey(
        User,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="security_events_made",
        verbose_name=_("by"),
    )
    user = models.ForeignKey(
        User,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="security_events",
        verbose_name=_("account"),
    )
    organization = models.ForeignKey(
        Organization,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="security_events",
    )
    identifier = models.CharField(
        _("login typed"),
        max_length=254,
        blank=True,
        help_text=_("The address typed at a login that matched no account, or any account."),
    )
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    detail = models.CharField(_("detail"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("when"), default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["-created_at"], name="security_event_recent_idx"),
            models.Index(fields=["kind", "-created_at"], name="security_event_kind_idx"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.user or self.identifier}"


class SignUpRequest(models.Model):
    """A sign-up waiting for its email address to be verified: the account stays inactive and
    the organization is created only when the emailed link is followed."""

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="sign_up_request")
    organization_name = models.CharField(_("organization name"), max_length=120)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return f"{self.user} (not verified)"
