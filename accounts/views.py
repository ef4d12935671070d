import base64
import io

import qrcode
import qrcode.image.svg
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.views import (
    PasswordChangeView,
    PasswordResetConfirmView,
    PasswordResetView,
)
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import DetailView, FormView, TemplateView
from django_otp import login as otp_login
from django_otp import user_has_device
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import services, tokens
from accounts.forms import (
    AccountForm,
    ApiTokenForm,
    OrganizationCreateForm,
    QueuedPasswordResetForm,
    SecondFactorConfirmForm,
    SignUpForm,
)
from accounts.links import sign_up_token_user
from accounts.models import SecurityEvent
from accounts.selectors import cluster_get_for_user, clusters_visible_to, current_organization
from helpcenter.forms import form_add_service_errors
from helpcenter.security import client_ip, over_rate_limit, rate_limited


@method_decorator(login_not_required, name="dispatch")
class SignUpView(FormView):
    """Sign-up answers the same for every address: "check your email". Limited per client
    address and per email address."""

    template_name = "registration/signup.html"
    form_class = SignUpForm

    def post(self, request, *args, **kwargs):
        if over_rate_limit(request, group="sign-up", email_field="email"):
            return rate_limited(request)
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        services.user_sign_up(**form.cleaned_data)
        return render(
            self.request, "registration/signup_sent.html", {"email": form.cleaned_data["email"]}
        )


@method_decorator(login_not_required, name="dispatch")
class SignUpVerifyView(TemplateView):
    """The emailed link: GET asks to confirm (mail scanners follow links), POST activates."""

    template_name = "registration/signup_verify.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(valid=sign_up_token_user(self.kwargs["token"]) is not None)

    def post(self, request, token):
        user = sign_up_token_user(token)
        if user is None:
            return self.render_to_response({"valid": False}, status=400)
        user, organization = services.sign_up_verify(user=user, ip_address=client_ip(request))
        login(request, user, backend="accounts.backends.PasswordBackend")
        messages.success(
            request,
            _("Welcome! %(org)s is on the free Basic support plan.") % {"org": organization.name},
        )
        return redirect("accounts:cluster-list")


class RateLimitedPasswordResetView(PasswordResetView):
    """Django's password reset, limited per client address and per email address."""

    form_class = QueuedPasswordResetForm

    def post(self, request, *args, **kwargs):
        if over_rate_limit(request, group="password-reset", email_field="email"):
            return rate_limited(request)
        return super().post(request, *args, **kwargs)


class AuditedPasswordChangeView(PasswordChangeView):
    """A logged-in person changes their password; recorded as a security event."""

    template_name = "registration/password_change.html"
    success_url = reverse_lazy("tickets:home")

    def form_valid(self, form):
        response = super().form_valid(form)
        services.security_event_record(
            kind=SecurityEvent.Kind.PASSWORD_CHANGED,
            actor=self.request.user,
            user=self.request.user,
            ip_address=client_ip(self.request),
        )
        messages.success(self.request, _("Your password was changed."))
        return response


class AuditedPasswordResetConfirmView(PasswordResetConfirmView):
    """The emailed reset link sets a new password; recorded as a security event."""

    success_url = reverse_lazy("password_reset_complete")

    def form_valid(self, form):
        response = super().form_valid(form)
        services.security_event_record(
            kind=SecurityEvent.Kind.PASSWORD_CHANGED,
            user=form.user,
            ip_address=client_ip(self.request),
            detail="through a reset link",
        )
        return response


class OrganizationCreateView(FormView):
    """A user without an organization (or starting another one) creates it and owns it."""

    template_name = "accounts/organization_create.html"
    form_class = OrganizationCreateForm

    def form_valid(self, form):
        try:
            organization = services.organization_create(
                name=form.cleaned_data["name"], owner=self.request.user
            )
        except ValidationError as exc:
            form_add_service_errors(form, exc)
            return self.form_invalid(form)
        services.organization_switch(
            user=self.request.user, session=self.request.session, organization_id=organization.pk
        )
        messages.success(
            self.request,
            _("%(org)s is created and you are its owner. It is on the free Basic plan.")
            % {"org": organization.name},
        )
        return redirect("plans:support", organization_id=organization.pk)


class ClusterListView(TemplateView):
    """The console's Clusters page for the organization chosen in the switcher."""

    template_name = "accounts/cluster_list.html"

    def get_context_data(self, **kwargs):
        organization = current_organization(user=self.request.user, session=self.request.session)
        clusters = (
            clusters_visible_to(user=self.request.user, organization=organization)
            if organization
            else []
        )
        return super().get_context_data(clusters=clusters, organization=organization, **kwargs)


class ClusterDetailView(DetailView):
    template_name = "accounts/cluster_detail.html"
    context_object_name = "cluster"

    def get_object(self, queryset=None):
        return cluster_get_for_user(user=self.request.user, cluster_id=self.kwargs["pk"])


class OrganizationSwitchView(View):
    http_method_names = ["post"]

    def post(self, request, pk):
        organization = services.organization_switch(
            user=request.user, session=request.session, organization_id=pk
        )
        messages.info(request, _("Switched to %(org)s.") % {"org": organization.name})
        next_url = request.POST.get("next", "")
        if url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
            return redirect(next_url)
        return redirect("accounts:cluster-list")


def _qr_data_uri(text: str) -> str:
    """The enrolment QR code as an SVG data URI (no inline markup, so the CSP stays strict)."""
    image = qrcode.make(text, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    buffer = io.BytesIO()
    image.save(buffer)
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode()


def _safe_next(request) -> str:
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    if next_url and url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return next_url
    return ""


class TwoFactorView(FormView):
    """Account security: turn on two-factor authentication with an authenticator app.

    Support engineers and superusers land here on their first admin login; customers opt in
    from the account menu. The recovery codes are shown once, right after confirming."""

    template_name = "accounts/two_factor.html"
    form_class = SecondFactorConfirmForm

    def get_context_data(self, **kwargs):
        user = self.request.user
        context = {
            "enabled": user_has_device(user, confirmed=True),
            "next": _safe_next(self.request),
        }
        if not context["enabled"]:
            device = services.totp_device_start(user=user)
            context.update(
                secret=base64.b32encode(device.bin_key).decode(),
                qr_code=_qr_data_uri(device.config_url),
            )
        return super().get_context_data(**context, **kwargs)

    def form_valid(self, form):
        user = self.request.user
        device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
        if device is None or user_has_device(user, confirmed=True):
            return redirect("two-factor")
        try:
            codes = services.totp_device_confirm(
                device=device,
                token=form.cleaned_data["otp_token"],
                ip_address=client_ip(self.request),
            )
        except ValidationError as exc:
            form_add_service_errors(form, exc)
            return self.form_invalid(form)
        otp_login(self.request, device)
        return self.render_to_response(
            {"recovery_codes": codes, "enabled": True, "next": _safe_next(self.request)}
        )


def _second_factor_verified(user) -> bool:
    """True when this session was signed in with a second factor (django-otp's middleware
    adds `is_verified`); without it nobody counts as verified."""
    is_verified = getattr(user, "is_verified", None)
    return bool(is_verified()) if callable(is_verified) else False


class AccountView(FormView):
    """Your account: your name and the time zone every page and email shows times in (the
    organization's zone until you choose one)."""

    template_name = "accounts/account.html"
    form_class = AccountForm

    def get_initial(self):
        user = self.request.user
        zone = user.time_zone
        if not zone:
            organization = current_organization(user=user, session=self.request.session)
            zone = organization.time_zone if organization else "UTC"
        return {"full_name": user.full_name, "time_zone": zone}

    def get_context_data(self, **kwargs):
        return super().get_context_data(now=timezone.now(), **kwargs)

    def form_valid(self, form):
        try:
            services.user_account_update(user=self.request.user, **form.cleaned_data)
        except ValidationError as exc:
            form_add_service_errors(form, exc)
            return self.form_invalid(form)
        messages.success(
            self.request,
            _("Saved. Times are now shown in %(zone)s.") % {"zone": form.cleaned_data["time_zone"]},
        )
        return redirect("accounts:account")


class ApiTokenListView(FormView):
    """Personal API tokens: create one (its secret is shown on this answer only), see when and
    from where each was last used, revoke."""

    template_name = "accounts/api_tokens.html"
    form_class = ApiTokenForm

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            tokens=tokens.api_tokens_for_user(user=self.request.user), now=timezone.now(), **kwargs
        )

    def form_valid(self, form):
        try:
            token, raw = tokens.api_token_create(
                user=self.request.user,
                second_factor_verified=_second_factor_verified(self.request.user),
                **form.cleaned_data,
            )
        except ValidationError as exc:
            form_add_service_errors(form, exc)
            return self.form_invalid(form)
        context = self.get_context_data(form=self.get_form_class()(), new_token=token, secret=raw)
        response = self.render_to_response(context, status=201)
        response["Cache-Control"] = "no-store"
        return response


class ApiTokenRevokeView(View):
    http_method_names = ["post"]

    def post(self, request, pk):
        token = tokens.api_token_revoke(user=request.user, token_id=pk)
        messages.success(request, _("The token “%(name)s” is revoked.") % {"name": token.name})
        return redirect("accounts:api-tokens")
