from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.functional import cached_property
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.debug import sensitive_post_parameters
from django.views.generic import FormView, RedirectView, TemplateView

from accounts.models import Organization
from accounts.selectors import (
    current_organization,
    is_owner,
    organization_get_for_user,
    organization_owners,
)
from helpcenter.forms import form_add_service_errors
from plans import services
from plans.forms import CardForm, PlanUpgradeRequestForm, SalesInquiryForm
from plans.models import PlanMove, SalesInquiry
from plans.selectors import (
    plan_for_organization,
    plan_history,
    plan_move,
    plan_move_refusal,
    plan_options,
    plan_trial_available,
    plan_upgrade_request_latest,
    plans_above,
    plans_for_support_page,
)


def contact_sales_url(*, topic: str, organization: Organization | None = None) -> str:
    query = {"topic": topic}
    if organization is not None:
        query["organization"] = organization.pk
    return reverse("plans:contact-sales") + "?" + urlencode(query)


class OrganizationPlanMixin:
    """Loads the organization from the URL through the access selector (404 when not yours).

    The organization's plan is `organization_plan` in templates: the navigation shows the plan
    of the organization chosen in the switcher (`current_organization.plan_name`).
    """

    owner_required = False

    def dispatch(self, request, *args, **kwargs):
        self.organization = organization_get_for_user(
            user=request.user, organization_id=kwargs["organization_id"]
        )
        if self.owner_required:
            services.plan_owner_required(organization=self.organization, actor=request.user)
            self.is_owner = True
        else:
            self.is_owner = is_owner(user=request.user, organization=self.organization)
        self.organization_plan = plan_for_organization(organization=self.organization)
        return self.refusal() or super().dispatch(request, *args, **kwargs)

    def refusal(self) -> HttpResponse | None:
        """A response instead of the page when the page does not apply; None to go on."""
        return None

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            organization=self.organization,
            organization_plan=self.organization_plan,
            is_owner=self.is_owner,
            **kwargs,
        )


class CurrentSupportPlanRedirectView(RedirectView):
    def get_redirect_url(self, *args, **kwargs):
        organization = current_organization(user=self.request.user, session=self.request.session)
        if organization is None:
            return reverse("tickets:home")
        return reverse("plans:support", args=[organization.pk])


class SupportPlanView(OrganizationPlanMixin, TemplateView):
    template_name = "plans/support.html"

    def get_context_data(self, **kwargs):
        subscription = getattr(self.organization, "subscription", None)
        context = super().get_context_data(
            plan_options=plan_options(organization=self.organization),
            PlanMove=PlanMove,
            history=plan_history(organization=self.organization)[:10],
            subscription=subscription,
            # The card is the owners' business; members' pages never carry it.
            payment_method=subscription.payment_method if subscription and self.is_owner else "",
            **kwargs,
        )
        if not self.is_owner:
            # A member cannot change the plan: who can, and a way to ask them.
            context.update(
                owners=list(organization_owners(organization=self.organization)),
                upgrade_request_form=kwargs.get("upgrade_request_form")
                or PlanUpgradeRequestForm(plans=plans_above(organization=self.organization)),
                latest_upgrade_request=plan_upgrade_request_latest(
                    organization=self.organization, requester=self.request.user
                ),
            )
        return context


class PlanUpgradeRequestView(OrganizationPlanMixin, View):
    """ "Ask an owner to upgrade": a member who is not an owner emails the owners."""

    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        form = PlanUpgradeRequestForm(
            request.POST, plans=plans_above(organization=self.organization)
        )
        if form.is_valid():
            try:
                services.plan_upgrade_request(
                    organization=self.organization,
                    requester=request.user,
                    plan=form.cleaned_data["plan"],
                    message=form.cleaned_data["message"],
                )
            except ValidationError as exc:
                for message in exc.messages:
                    messages.error(request, message)
            else:
                owners = organization_owners(organization=self.organization)
                messages.success(
                    request,
                    _("We emailed the owners of %(org)s (%(owners)s). They can upgrade here.")
                    % {
                        "org": self.organization.name,
                        "owners": ", ".join(owner.display_name for owner in owners),
                    },
                )
        else:
            for errors in form.errors.values():
                for message in errors:
                    messages.error(request, message)
        return redirect("plans:support", organization_id=self.organization.pk)


class TargetPlanMixin(OrganizationPlanMixin):
    """A page about moving the organization to the plan in the URL; owners only."""

    owner_required = True

    def refusal(self) -> HttpResponse | None:
        self.plan = get_object_or_404(plans_for_support_page(), code=self.kwargs["plan_code"])
        return None

    def refused_move(self, wanted: str) -> HttpResponse | None:
        """Back to the Support page with the reason when `wanted` is not the way to the plan."""
        reason = plan_move_refusal(
            organization=self.organization,
            current=self.organization_plan,
            target=self.plan,
            wanted=wanted,
        )
        if reason is None:
            return None
        messages.info(self.request, reason)
        return redirect("plans:support", organization_id=self.organization.pk)

    def get_context_data(self, **kwargs):
        return super().get_context_data(plan=self.plan, **kwargs)


class UpgradeMixin(TargetPlanMixin):
    """Only a higher, self-serve plan is bought here; Premium goes to the sales team."""

    def refusal(self) -> HttpResponse | None:
        super().refusal()
        if plan_move(current=self.organization_plan, target=self.plan) == PlanMove.CONTACT_SALES:
            return redirect(contact_sales_url(topic="premium", organization=self.organization))
        return self.refused_move(PlanMove.UPGRADE)

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            trial_available=plan_trial_available(organization=self.organization, plan=self.plan),
            **kwargs,
        )


class UpgradeView(UpgradeMixin, TemplateView):
    """ "Upgrade to Developer Plan": what the plan brings, then Add Credit Card and Upgrade."""

    template_name = "plans/upgrade.html"


@method_decorator(sensitive_post_parameters("number", "cvc"), name="dispatch")
class UpgradeCardView(UpgradeMixin, FormView):
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
            form_add_service_errors(form, exc)
            return self.form_invalid(form)
        messages.success(
            self.request,
            _("%(org)s is now on the %(plan)s plan. The technical support portal is open.")
            % {"org": self.organization.name, "plan": self.plan.name},
        )
        return redirect("plans:support", organization_id=self.organization.pk)


class DowngradeView(TargetPlanMixin, TemplateView):
    template_name = "plans/downgrade.html"

    def refusal(self) -> HttpResponse | None:
        super().refusal()
        return self.refused_move(PlanMove.DOWNGRADE)

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


class ContactSalesView(FormView):
    """Contact Sales: a Premium plan, a proof of concept, a demo or free trial credits."""

    template_name = "plans/contact_sales.html"
    form_class = SalesInquiryForm

    @cached_property
    def organization(self) -> Organization | None:
        """The organization named in the link (404 when not yours), else the current one."""
        organization_id = self.request.GET.get("organization")
        if organization_id:
            return organization_get_for_user(
                user=self.request.user, organization_id=organization_id
            )
        return current_organization(user=self.request.user, session=self.request.session)

    def get_initial(self):
        topic = self.request.GET.get("topic")
        organization = self.organization
        return {
            "topic": topic if topic in SalesInquiry.Topic.values else SalesInquiry.Topic.POC,
            "name": self.request.user.full_name,
            "email": self.request.user.email,
            "company": organization.name if organization else "",
        }

    def form_valid(self, form):
        try:
            services.sales_inquiry_create(
                organization=self.organization, created_by=self.request.user, **form.cleaned_data
            )
        except ValidationError as exc:
            form.add_error(None, exc)
            return self.form_invalid(form)
        return redirect("plans:contact-sales-thanks")


class ContactSalesThanksView(TemplateView):
    template_name = "plans/contact_sales_thanks.html"
