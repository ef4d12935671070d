"""The organization's Webhooks page: owners register endpoints, see deliveries, redeliver."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import FormView

from accounts.selectors import is_owner, organization_get_for_user
from helpcenter.forms import form_add_service_errors
from helpcenter.webhooks import services
from helpcenter.webhooks.forms import WebhookEndpointForm
from helpcenter.webhooks.selectors import (
    webhook_delivery_get,
    webhook_endpoint_get,
    webhook_endpoints_for,
    webhook_recent_deliveries,
)


class OwnerMixin(LoginRequiredMixin):
    """Another organization is a 404; a member who is not an owner is told why (403)."""

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.organization = organization_get_for_user(
            user=request.user, organization_id=kwargs["organization_id"]
        )
        if not is_owner(user=request.user, organization=self.organization):
            raise PermissionDenied(_("Only an owner of the organization manages its webhooks."))
        return super().dispatch(request, *args, **kwargs)

    def back(self):
        return redirect("webhooks:list", organization_id=self.organization.pk)


class WebhookListView(OwnerMixin, FormView):
    template_name = "webhooks/webhook_list.html"
    form_class = WebhookEndpointForm

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            organization=self.organization,
            endpoints=webhook_endpoints_for(organization=self.organization),
            deliveries=webhook_recent_deliveries(organization=self.organization),
            **kwargs,
        )

    def form_valid(self, form):
        try:
            services.webhook_endpoint_create(
                actor=self.request.user, organization=self.organization, **form.cleaned_data
            )
        except ValidationError as exc:
            form_add_service_errors(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("Webhook added. Verify its signatures with the secret."))
        return self.back()


class WebhookDeleteView(OwnerMixin, View):
    http_method_names = ["post"]

    def post(self, request, organization_id, pk):
        endpoint = webhook_endpoint_get(organization=self.organization, endpoint_id=pk)
        services.webhook_endpoint_delete(actor=request.user, endpoint=endpoint)
        messages.success(request, _("Webhook %(url)s removed.") % {"url": endpoint.url})
        return self.back()


class WebhookRedeliverView(OwnerMixin, View):
    http_method_names = ["post"]

    def post(self, request, organization_id, pk):
        delivery = webhook_delivery_get(organization=self.organization, delivery_id=pk)
        try:
            services.webhook_redeliver(actor=request.user, delivery=delivery)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(
                request, _("Delivery %(id)s will be sent again.") % {"id": delivery.pk}
            )
        return self.back()
