from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.template.loader import render_to_string
from django.utils.translation import gettext_lazy as _

from accounts.services import outbound_email_queue


class EmailAuthenticationForm(AuthenticationForm):
    """Django's login form; the input stays named `username` but asks for the email address."""

    username = forms.EmailField(
        label=_("Email"),
        widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"}),
    )


class SignUpForm(forms.Form):
    full_name = forms.CharField(label=_("Your name"), max_length=150)
    email = forms.EmailField(label=_("Work email"))
    organization_name = forms.CharField(label=_("Organization name"), max_length=120)
    password = forms.CharField(
        label=_("Password"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validation.password_validators_help_text_html(),
    )

    def clean_email(self):
        return self.cleaned_data["email"].lower()

    def clean(self):
        cleaned = super().clean()
        password = cleaned.get("password")
        if password:
            try:
                password_validation.validate_password(password)
            except forms.ValidationError as exc:
                self.add_error("password", exc)
        return cleaned


class QueuedPasswordResetForm(PasswordResetForm):
    """Password reset emails go through the outbox and the worker like every other email."""

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
            event_key=f"password-reset:{context['uid']}:{context['token']}",
            to_email=to_email,
            template_name="password_reset",
            context={
                "reset_path": render_to_string("registration/password_reset_path.txt", context),
                **context,
            },
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
