from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import DetailView, FormView, TemplateView

from accounts import services
from accounts.forms import SignUpForm
from accounts.selectors import cluster_get_for_user, clusters_visible_to, current_organization
from helpcenter.forms import form_add_service_errors


@method_decorator(login_not_required, name="dispatch")
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
