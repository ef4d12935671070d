from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters
from django.views.generic import FormView, RedirectView, TemplateView

from accounts.selectors import current_organization, is_owner, organization_get_for_user
from plans import services
from plans.forms import CardForm, SalesInquiryForm
from plans.models import SalesInquiry
from plans.selectors import (
    plan_for_organization,
    plan_history,
    plan_options,
    plans_for_support_page,
)


class OrganizationPlanMixin(LoginRequiredMixin):
    """Loads the organization from the URL through the access selector (404 when not yours)."""

    owner_required = False

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.organization = organization_get_for_user(
            user=request.user, organization_id=kwargs["organization_id"]
        )
        self.is_owner = is_owner(user=request.user, organization=self.organization)
        if self.owner_required and not self.is_owner:
            raise PermissionDenied(
                _("Only an owner of %(org)s can change its support plan.")
                % {"org": self.organization.name}
            )
        self.current_plan = plan_for_organization(organization=self.organization)
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            organization=self.organization,
            current_plan=self.current_plan,
            is_owner=self.is_owner,
            **kwargs,
        )


class CurrentSupportPlanRedirectView(LoginRequiredMixin, RedirectView):
    def get_redirect_url(self, *args, **kwargs):
        organization = current_organization(user=self.request.user, session=self.request.session)
        if organization is None:
            return reverse("tickets:home")
        return reverse("plans:support", args=[organization.pk])


class SupportPlanView(OrganizationPlanMixin, TemplateView):
    template_name = "plans/support.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            plan_options=plan_options(organization=self.organization),
            history=plan_history(organization=self.organization)[:10],
            subscription=getattr(self.organization, "subscription", None),
            **kwargs,
        )


class TargetPlanMixin(OrganizationPlanMixin):
    owner_required = True

    def dispatch(self, request, *args, **kwargs):
        self.plan = get_object_or_404(plans_for_support_page(), code=kwargs["plan_code"])
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return super().get_context_data(plan=self.plan, **kwargs)


class UpgradeView(TargetPlanMixin, TemplateView):
    """ "Upgrade to Developer Plan": what the plan brings, then Add Credit Card and Upgrade."""

    template_name = "plans/upgrade.html"

    def get(self, request, *args, **kwargs):
        if self.plan.is_sales_only:
            return redirect(reverse("plans:contact-sales") + "?topic=premium")
        return super().get(request, *args, **kwargs)


@method_decorator(sensitive_post_parameters("number", "cvc"), name="dispatch")
class UpgradeCardView(TargetPlanMixin, FormView):
    template_name = "plans/upgrade_card.html"
    form_class = CardForm

    def get_initial(self):
        return {"holder_name": self.request.user.full_name}

    def form_valid(self, form):
        try:
            services.plan_upgrade(
                organization=self.organization,
                plan=self.plan,
                actor=self.request.user,
                card=form.card(),
            )
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                for field, errors in exc.error_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                form.add_error(None, exc)
            return self.form_invalid(form)
        messages.success(
            self.request,
            _("%(org)s is now on the %(plan)s plan. The technical support portal is open.")
            % {"org": self.organization.name, "plan": self.plan.name},
        )
        return redirect("plans:support", organization_id=self.organization.pk)


class DowngradeView(TargetPlanMixin, TemplateView):
    template_name = "plans/downgrade.html"

    def post(self, request, *args, **kwargs):
        try:
            services.plan_downgrade(
                organization=self.organization, plan=self.plan, actor=request.user
            )
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            messages.success(
                request,
                _("%(org)s is now on the %(plan)s plan. Open requests stay open.")
                % {"org": self.organization.name, "plan": self.plan.name},
            )
        return redirect("plans:support", organization_id=self.organization.pk)


class ContactSalesView(LoginRequiredMixin, FormView):
    """Contact Sales: a Premium plan, a proof of concept, a demo or free trial credits."""

    template_name = "plans/contact_sales.html"
    form_class = SalesInquiryForm

    def get_initial(self):
        topic = self.request.GET.get("topic")
        organization = current_organization(user=self.request.user, session=self.request.session)
        return {
            "topic": topic if topic in SalesInquiry.Topic.values else SalesInquiry.Topic.POC,
            "name": self.request.user.full_name,
            "email": self.request.user.email,
            "company": organization.name if organization else "",
        }

    def form_valid(self, form):
        organization = current_organization(user=self.request.user, session=self.request.session)
        try:
            services.sales_inquiry_create(
                organization=organization, created_by=self.request.user, **form.cleaned_data
            )
        except ValidationError as exc:
            form.add_error(None, exc)
            return self.form_invalid(form)
        return redirect("plans:contact-sales-thanks")


class ContactSalesThanksView(LoginRequiredMixin, TemplateView):
    template_name = "plans/contact_sales_thanks.html"
