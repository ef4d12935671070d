from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import DetailView, FormView, TemplateView

from accounts import services, tokens
from accounts.forms import ApiTokenForm, SignUpForm
from accounts.selectors import cluster_get_for_user, clusters_visible_to, current_organization
from helpcenter.forms import form_add_service_errors


class SignUpView(FormView):
    template_name = "registration/signup.html"
    form_class = SignUpForm

    def form_valid(self, form):
        try:
            user, organization = services.user_sign_up(**form.cleaned_data)
        except ValidationError as exc:
            form_add_service_errors(form, exc)
            return self.form_invalid(form)
        login(self.request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(
            self.request,
            _("Welcome! %(org)s is on the free Basic support plan.") % {"org": organization.name},
        )
        return redirect("accounts:cluster-list")


class ClusterListView(LoginRequiredMixin, TemplateView):
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


class ClusterDetailView(LoginRequiredMixin, DetailView):
    template_name = "accounts/cluster_detail.html"
    context_object_name = "cluster"

    def get_object(self, queryset=None):
        return cluster_get_for_user(user=self.request.user, cluster_id=self.kwargs["pk"])


class OrganizationSwitchView(LoginRequiredMixin, View):
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


def _second_factor_verified(user) -> bool:
    """True when this session was signed in with a second factor (django-otp's middleware
    adds `is_verified`); without it nobody counts as verified."""
    is_verified = getattr(user, "is_verified", None)
    return bool(is_verified()) if callable(is_verified) else False


class ApiTokenListView(LoginRequiredMixin, FormView):
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


class ApiTokenRevokeView(LoginRequiredMixin, View):
    http_method_names = ["post"]

    def post(self, request, pk):
        token = tokens.api_token_revoke(user=request.user, token_id=pk)
        messages.success(request, _("The token “%(name)s” is revoked.") % {"name": token.name})
        return redirect("accounts:api-tokens")
