"""Actions that change an organization's support plan, and sales inquiries."""

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Membership, Organization, SecurityEvent, User
from accounts.selectors import is_owner, organization_owners
from accounts.services import security_event_record
from helpcenter.mail.services import outbound_email_queue
from plans.models import (
    PaymentMethod,
    Plan,
    PlanChange,
    PlanMove,
    PlanUpgradeRequest,
    SalesInquiry,
    Subscription,
)
from plans.payments import CardDetails, payment_gateway
from plans.selectors import (
    PLAN_UPGRADE_REQUEST_INTERVAL,
    default_plan,
    plan_move,
    plan_move_refusal,
    plan_trial_available,
    plan_upgrade_request_latest,
)


def plan_owner_required(*, organization: Organization, actor: User) -> None:
    """Only an owner changes the support plan: the services and the plan pages ask here."""
    if not is_owner(user=actor, organization=organization):
        raise PermissionDenied(
            _("Only an owner of %(org)s can change its support plan.") % {"org": organization.name}
        )


def _plan_move_begin(
    *, organization: Organization, plan: Plan, actor: User, wanted: str
) -> tuple[Subscription | None, Plan]:
    """The first steps of every plan move: an owner, the organization locked so its plan
    changes run one at a time, and the move (`upgrade` or `downgrade`) the way to `plan`.
    Returns the subscription and the current plan, read from the database rather than the
    instance's cache, so two concurrent changes cannot both start from the same plan."""
    plan_owner_required(organization=organization, actor=actor)
    Organization.objects.select_for_update().only("pk").get(pk=organization.pk)
    subscription = (
        Subscription.objects.select_for_update()
        .select_related("plan")
        .filter(organization=organization)
        .first()
    )
    current = subscription.plan if subscription else default_plan()
    refusal = plan_move_refusal(
        organization=organization, current=current, target=plan, wanted=wanted
    )
    if refusal:
        raise ValidationError(refusal)
    return subscription, current


def _plan_change(
    *,
    organization: Organization,
    subscription: Subscription | None,
    from_plan: Plan,
    to_plan: Plan,
    actor: User,
    reason: str,
    payment_method: PaymentMethod | None = None,
    with_trial: bool = False,
) -> PlanChange:
    now = timezone.now()
    trial_ends_at = (
        now + timedelta(days=to_plan.trial_days)
        if with_trial and plan_trial_available(organization=organization, plan=to_plan)
        else None
    )
    if subscription is None:
        subscription = Subscription.objects.create(
            organization=organization,
            plan=to_plan,
            started_at=now,
            trial_ends_at=trial_ends_at,
            payment_method=payment_method,
        )
    else:
        subscription.plan = to_plan
        subscription.started_at = now
        subscription.trial_ends_at = trial_ends_at
        fields = ["plan", "started_at", "trial_ends_at"]
        if payment_method is not None:
            subscription.payment_method = payment_method
            fields.append("payment_method")
        if to_plan.is_free:
            subscription.payment_method = None
            fields.append("payment_method")
        subscription.save(update_fields=fields)
    if to_plan.is_free:
        # A free plan bills nothing: the cards and the gateway's tokens for them go.
        PaymentMethod.objects.filter(organization=organization).delete()
    # The caller's instance answers with the new plan from now on.
    organization.subscription = subscription
    change = PlanChange.objects.create(
        organization=organization,
        from_plan=from_plan,
        to_plan=to_plan,
        changed_by=actor,
        reason=reason,
    )
    security_event_record(
        kind=SecurityEvent.Kind.PLAN_CHANGED,
        actor=actor,
        organization=organization,
        detail=f"{from_plan.name} -> {to_plan.name} ({reason})",
    )
    # The other owners; the one who made the change sees the confirmation on the page.
    for owner in organization_owners(organization=organization).exclude(pk=actor.pk):
        outbound_email_queue(
            event_key=f"plan-change:{change.pk}",
            to_email=owner.email,
            template_name="plan_changed",
            context={
                "change": change,
                "organization": organization,
                "recipient": owner,
                "subscription": subscription,
            },
            time_zone=owner.time_zone,
        )
    return change


@transaction.atomic
def plan_upgrade(
    *, organization: Organization, plan: Plan, actor: User, card: CardDetails
) -> PlanChange:
    """A self-serve upgrade: the card is validated by the gateway and only its safe parts kept."""
    subscription, current = _plan_move_begin(
        organization=organization, plan=plan, actor=actor, wanted=PlanMove.UPGRADE
    )
    stored = payment_gateway().store_card(card)
    payment_method = PaymentMethod.objects.create(
        organization=organization,
        brand=stored.brand,
        last4=stored.last4,
        exp_month=stored.exp_month,
        exp_year=stored.exp_year,
        holder_name=stored.holder_name,
        gateway_reference=stored.reference,
    )
    return _plan_change(
        organization=organization,
        subscription=subscription,
        from_plan=current,
        to_plan=plan,
        actor=actor,
        reason=_("Self-serve upgrade with %(card)s") % {"card": payment_method},
        payment_method=payment_method,
        with_trial=True,
    )


@transaction.atomic
def plan_downgrade(*, organization: Organization, plan: Plan, actor: User) -> PlanChange:
    """Move to a lower plan at once; open requests stay, new ones follow the lower plan. On the
    free plan the organization's cards (and the gateway tokens kept for them) are deleted."""
    subscription, current = _plan_move_begin(
        organization=organization, plan=plan, actor=actor, wanted=PlanMove.DOWNGRADE
    )
    return _plan_change(
        organization=organization,
        subscription=subscription,
        from_plan=current,
        to_plan=plan,
        actor=actor,
        reason=_("Downgrade by an owner"),
    )


@transaction.atomic
def plan_upgrade_request(
    *, organization: Organization, requester: User, plan: Plan | None = None, message: str = ""
) -> PlanUpgradeRequest:
    """A member who is not an owner asks the owners to upgrade: each owner is emailed (after
    commit, through the outbox). One request per member and organization a day, so the owners'
    inboxes are not a channel anyone can flood."""
    membership = (
        Membership.objects.select_for_update()
        .filter(organization=organization, user=requester)
        .first()
    )
    if membership is None:
        raise PermissionDenied(_("Only members of %(org)s can ask.") % {"org": organization.name})
    if membership.is_owner:
        raise ValidationError(_("You are an owner: you can change the plan yourself."))
    current = Subscription.objects.filter(organization=organization).select_related("plan").first()
    current_plan = current.plan if current else default_plan()
    if plan is not None and plan_move(current=current_plan, target=plan) not in (
        PlanMove.UPGRADE,
        PlanMove.CONTACT_SALES,
    ):
        raise ValidationError(
            {
                "plan": _("%(plan)s is not an upgrade from %(current)s.")
                % {"plan": plan.name, "current": current_plan.name}
            }
        )
    latest = plan_upgrade_request_latest(organization=organization, requester=requester)
    if latest is not None and latest.created_at > timezone.now() - PLAN_UPGRADE_REQUEST_INTERVAL:
        raise ValidationError(
            _("You already asked the owners of %(org)s today. You can ask again tomorrow.")
            % {"org": organization.name}
        )
    upgrade_request = PlanUpgradeRequest(
        organization=organization, requested_by=requester, plan=plan, message=message.strip()
    )
    upgrade_request.full_clean()
    upgrade_request.save()
    for owner in organization_owners(organization=organization):
        outbound_email_queue(
            event_key=f"plan-upgrade-request:{upgrade_request.pk}:{owner.pk}",
            to_email=owner.email,
            template_name="plan_upgrade_request",
            context={
                "upgrade_request": upgrade_request,
                "organization": organization,
                "current_plan": current_plan,
                "recipient": owner,
            },
        )
    return upgrade_request


@transaction.atomic
def sales_inquiry_create(
    *,
    topic: str,
    name: str,
    company: str,
    email: str,
    phone: str,
    message: str,
    organization: Organization | None,
    created_by: User | None,
) -> SalesInquiry:
    inquiry = SalesInquiry(
        topic=topic,
        name=name,
        company=company,
        email=email,
        phone=phone,
        message=message,
        organization=organization,
        created_by=created_by,
    )
    inquiry.full_clean()
    inquiry.save()
    outbound_email_queue(
        event_key=f"sales-inquiry:{inquiry.pk}",
        to_email=settings.SALES_TEAM_EMAIL,
        template_name="sales_inquiry",
        context={"inquiry": inquiry},
    )
    return inquiry
