import zoneinfo

from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.utils.translation import gettext_lazy as _
from django_otp import user_has_device

from accounts.links import SECRET_LINK, secret_link_event_key
from accounts.models import User, validate_time_zone
from accounts.services import second_factor_verify
from helpcenter.mail.services import outbound_email_queue
from helpcenter.security import client_ip


class NormalizedEmailMixin:
    """Forms with an `email` field store it as UserManager.normalize_email makes it."""

    def clean_email(self):
        return User.objects.normalize_email(self.cleaned_data["email"])


class SecondFactorLoginMixin:
    """The code from an authenticator app (or a recovery code) in `otp_token`, beside the
    email and password, for every account that turned two factors on. The session is then
    verified (django-otp), which the admin requires."""

    otp_error_messages = {
        "otp_required": _(
            "Enter the 6-digit code from your authenticator app, or one of your recovery codes."
        ),
        "otp_invalid": _("That authentication code is not right, or was already used."),
    }

    def confirm_login_allowed(self, user):
        super().confirm_login_allowed(user)
        if not user_has_device(user, confirmed=True):
            return
        token = (self.cleaned_data.get("otp_token") or "").strip()
        if not token:
            raise forms.ValidationError(
                self.otp_error_messages["otp_required"], code="otp_required"
            )
        device = second_factor_verify(user=user, token=token, ip_address=client_ip(self.request))
        if device is None:
            raise forms.ValidationError(self.otp_error_messages["otp_invalid"], code="otp_invalid")
        user.otp_device = device


def otp_token_field():
    return forms.CharField(
        label=_("Authentication code"),
        required=False,
        max_length=32,
        strip=True,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
        help_text=_(
            "With two-factor authentication on: the 6-digit code from your app, or a recovery code."
        ),
    )


class EmailAuthenticationForm(SecondFactorLoginMixin, AuthenticationForm):
    """Django's login form; the input stays named `username` but asks for the email address."""

    username = forms.EmailField(
        label=_("Email"),
        widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"}),
    )
    otp_token = otp_token_field()


class AdminLoginForm(SecondFactorLoginMixin, AdminAuthenticationForm):
    """The admin login: `username` (the email), `password` and `otp_token`."""

    otp_token = otp_token_field()


class SecondFactorConfirmForm(forms.Form):
    otp_token = forms.CharField(
        label=_("Code from your app"),
        max_length=6,
        min_length=6,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )


class SignUpForm(NormalizedEmailMixin, forms.Form):
    full_name = forms.CharField(label=_("Your name"), max_length=150)
    email = forms.EmailField(label=_("Work email"))
    organization_name = forms.CharField(label=_("Organization name"), max_length=120)
    password = forms.CharField(
        label=_("Password"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validation.password_validators_help_text_html(),
    )
    # Filled from the browser by static/js/time-zone.js; nobody types it, so a value that is not
    # a known zone is dropped (the organization's zone is used) rather than refused.
    time_zone = forms.CharField(
        required=False,
        max_length=64,
        widget=forms.HiddenInput(attrs={"data-browser-time-zone": ""}),
    )

    def clean_time_zone(self):
        value = self.cleaned_data.get("time_zone", "").strip()
        try:
            validate_time_zone(value)
        except forms.ValidationError:
            return ""
        return value

    def clean(self):
        cleaned = super().clean()
        password = cleaned.get("password")
        if password:
            # The similarity check compares the password with this person's email address,
            # its local part and their name.
            candidate = User(email=cleaned.get("email", ""), full_name=cleaned.get("full_name", ""))
            try:
                password_validation.validate_password(password, user=candidate)
            except forms.ValidationError as exc:
                self.add_error("password", exc)
        return cleaned


class QueuedPasswordResetForm(PasswordResetForm):
    """Password reset emails go through the outbox and the worker like every other email; the
    reset link is made when the email is sent, so the outbox never stores a working one."""

    def send_mail(
        self,
        subject_template_name,
        email_template_name,
        context,
        from_email,
        to_email,
        html_email_template_name=None,
    ):
        outbound_email_queue(
            event_key=secret_link_event_key("password-reset", context["user"]),
            to_email=to_email,
            template_name="password_reset",
            context={"email": context["email"], "secret_link": SECRET_LINK},
        )


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        label=_("Name"),
        max_length=100,
        help_text=_("What the token is for, such as “Grafana alerts”."),
    )
    days = forms.TypedChoiceField(
        label=_("Expires in"),
        coerce=int,
        choices=[(30, _("30 days")), (90, _("90 days")), (365, _("365 days"))],
        initial=90,
    )
    scope = forms.ChoiceField(
        label=_("Scope"),
        choices=[
            ("read", _("Read: list and view requests")),
            ("read-write", _("Read and write: also file requests, comment, resolve")),
        ],
        initial="read",
        widget=forms.RadioSelect,
    )


def time_zone_choices() -> list[tuple[str, str]]:
    """The IANA zones a person would pick from ("America/New_York" reads "America/New York")."""
    zones = sorted(name for name in zoneinfo.available_timezones() if "/" in name or name == "UTC")
    return [(name, name.replace("_", " ")) for name in zones]


class AccountForm(forms.Form):
    full_name = forms.CharField(label=_("Your name"), max_length=150, required=False)
    time_zone = forms.ChoiceField(
        label=_("Time zone"),
        choices=time_zone_choices,
        help_text=_("Times on every page and in every email we send you are shown in this zone."),
    )


class OrganizationCreateForm(forms.Form):
    name = forms.CharField(
        label=_("Organization name"),
        max_length=120,
        help_text=_("Usually your company or team. You become its owner."),
    )
