"""Reads about plans, and the one entitlement rule: which portals a user may use, and with which
organizations. The tickets app, the help center home and the console menus all ask here."""

from dataclasses import dataclass
from datetime import timedelta
from functools import cache, cached_property
from itertools import accumulate

from django.db import connections, router
from django.db.models import Prefetch, Q, QuerySet
from django.utils.translation import gettext as _

from accounts.models import Organization, User
from accounts.selectors import organizations_for_user
from helpcenter.sql import READER, filled, prepared, row_reader
from plans.models import (
    DEFAULT_PLAN_CODE,
    Plan,
    PlanChange,
    PlanMove,
    PlanPortal,
    PlanUpgradeRequest,
    Portal,
    ResponseTarget,
    Severity,
    Subscription,
)


def default_plan() -> Plan:
    return Plan.objects.get(code=DEFAULT_PLAN_CODE)


def plans_for_support_page() -> QuerySet[Plan]:
    return Plan.objects.order_by("rank").prefetch_related(
        Prefetch("response_targets", queryset=ResponseTarget.objects.order_by("severity")),
        "portals",
    )


def plan_for_organization(*, organization: Organization | None) -> Plan:
    """The organization's plan; Basic when it has no subscription (or there is no organization).
    One query at most when the subscription was not read with the organization."""
    if organization is None:
        return default_plan()
    if Organization.subscription.is_cached(organization):
        try:
            return organization.subscription.plan
        except Organization.subscription.RelatedObjectDoesNotExist:
            return default_plan()
    return Plan.objects.filter(subscriptions__organization=organization).first() or default_plan()


def plan_trial_available(*, organization: Organization, plan: Plan) -> bool:
    """A plan's free trial is for an organization that has never been on that plan: once it
    has had the trial (or paid for the plan, or was given it), moving to it again is billed
    from the first day. The upgrade page and the upgrade service both ask here."""
    if not plan.trial_days:
        return False
    been_on_plan = PlanChange.objects.filter(organization=organization).filter(
        Q(to_plan=plan) | Q(from_plan=plan)
    )
    return not (
        been_on_plan.exists()
        or Subscription.objects.filter(organization=organization, plan=plan).exists()
    )


def plans_above(*, organization: Organization) -> QuerySet[Plan]:
    """The plans a member may ask the owners for: every plan above the current one."""
    current = plan_for_organization(organization=organization)
    return Plan.objects.filter(rank__gt=current.rank).order_by("rank")


# A member asks the owners to upgrade at most once in this long (per organization).
PLAN_UPGRADE_REQUEST_INTERVAL = timedelta(days=1)


def plan_upgrade_request_latest(
    *, organization: Organization, requester: User
) -> PlanUpgradeRequest | None:
    return (
        PlanUpgradeRequest.objects.filter(organization=organization, requested_by=requester)
        .order_by("-created_at")
        .first()
    )


def plan_history(*, organization: Organization) -> QuerySet[PlanChange]:
    return organization.plan_changes.select_related("from_plan", "to_plan", "changed_by")


def _plans_with_portal(portal: str) -> QuerySet[Plan]:
    return Plan.objects.filter(portals__portal=portal)


def _columns(model, alias: str) -> tuple[list, str]:
    fields = model._meta.concrete_fields
    return list(fields), ", ".join(f"{alias}.{field.column}" for field in fields)


_ORGANIZATION_FIELDS, _ORGANIZATION_COLUMNS = _columns(Organization, "o")
_SUBSCRIPTION_FIELDS, _SUBSCRIPTION_COLUMNS = _columns(Subscription, "s")
_PLAN_FIELDS, _PLAN_COLUMNS = _columns(Plan, "p")
_TARGET_FIELDS, _TARGET_COLUMNS = _columns(ResponseTarget, "t")

# The rule, written out once: an organization of the user's (`organizations_for_user`, compiled
# in) reaches `portal` when its plan does (Basic's without a subscription); each is read with
# its subscription, its plan and the plan's response targets (one row per target: the request
# filed next takes its own from them), by name. Built and compiled through the ORM (an OR of an
# IN and an EXISTS, select_related) it cost the form's check about three times its round trip,
# on every request form and every filing. Plain joins, which SQLite (`make run`) runs as
# PostgreSQL does.
_PORTAL_ORGANIZATIONS = f"""
    SELECT {_ORGANIZATION_COLUMNS}, {_SUBSCRIPTION_COLUMNS}, {_PLAN_COLUMNS}, {_TARGET_COLUMNS}
    FROM {Organization._meta.db_table} o
    LEFT JOIN {Subscription._meta.db_table} s ON s.organization_id = o.id
    LEFT JOIN {Plan._meta.db_table} p ON p.id = s.plan_id
    LEFT JOIN {ResponseTarget._meta.db_table} t ON t.plan_id = p.id
    WHERE o.id IN ({{members}}) AND EXISTS (
        SELECT 1 FROM {PlanPortal._meta.db_table} r
        WHERE r.portal = %s AND r.plan_id = COALESCE(
            s.plan_id, (SELECT b.id FROM {Plan._meta.db_table} b WHERE b.code = %s)
        )
    ) {{organization}}
    ORDER BY o.name, o.id, t.id
"""


@cache
def _portal_query(*, one: bool) -> tuple[str, tuple]:
    """The rule for every user (the reader's stand-in in it, `filled`), for all of their
    organizations or for one."""
    members = organizations_for_user(user=User(pk=READER)).order_by().values("pk")
    members_sql, members_params = members.query.get_compiler(using=members.db).as_sql()
    sql = _PORTAL_ORGANIZATIONS.format(
        members=members_sql, organization="AND o.id = %s" if one else ""
    )
    return sql, members_params


def _readers(connection) -> tuple:
    """The four readers of this connection's rows (made once per connection)."""
    readers = connection.__dict__.get("portal_readers")
    if readers is None:
        readers = connection.__dict__["portal_readers"] = tuple(
            row_reader(model, fields, connection)
            for model, fields in (
                (Organization, _ORGANIZATION_FIELDS),
                (Subscription, _SUBSCRIPTION_FIELDS),
                (Plan, _PLAN_FIELDS),
                (ResponseTarget, _TARGET_FIELDS),
            )
        )
    return readers


def _portal_organizations(
    *, user: User, portal: str, organization_id: int | None = None
) -> list[Organization]:
    """The user's organizations that reach `portal` (only `organization_id`, when given), in one
    query, each with its subscription and plan cached as select_related would, and the plan's
    response targets as prefetch_related would."""
    if not user.is_authenticated:
        return []
    sql, members_params = _portal_query(one=organization_id is not None)
    params = [*filled(members_params, {READER: user.pk}), portal, DEFAULT_PLAN_CODE]
    if organization_id is not None:
        params.append(organization_id)
    db = router.db_for_read(Organization)
    connection = connections[db]
    with connection.cursor() as cursor:
        cursor.execute(*prepared(sql, params, using=db))
        rows = cursor.fetchall()
    read_organization, read_subscription, read_plan, read_target = _readers(connection)
    ends = list(
        accumulate(
            map(len, (_ORGANIZATION_FIELDS, _SUBSCRIPTION_FIELDS, _PLAN_FIELDS, _TARGET_FIELDS))
        )
    )
    organizations = []
    for row in rows:
        if organizations and organizations[-1].pk == row[0]:
            organization = organizations[-1]
        else:
            organization = read_organization(row[: ends[0]])
            subscription = None
            if row[ends[0]] is not None:
                subscription = read_subscription(row[ends[0] : ends[1]])
                plan = read_plan(row[ends[1] : ends[2]])
                targets = ResponseTarget.objects.all()
                targets._result_cache, targets._prefetch_done = [], True
                plan._prefetched_objects_cache = {"response_targets": targets}
                Subscription.plan.field.set_cached_value(subscription, plan)
                Subscription.organization.field.set_cached_value(subscription, organization)
            Organization.subscription.related.set_cached_value(organization, subscription)
            organizations.append(organization)
        if row[ends[2]] is not None:
            plan = organization.subscription.plan
            plan._prefetched_objects_cache["response_targets"]._result_cache.append(
                read_target(row[ends[2] : ends[3]])
            )
    return organizations


@dataclass(frozen=True)
class PortalAccess:
    """What `portal_access` found for one user and portal. A service given it (the request form
    checked it a moment earlier) takes its answer instead of reading the rule again."""

    portal: str
    allowed: bool
    organizations: list[Organization]
    user_id: int | None = None

    @property
    def name(self) -> str:
        return Portal(self.portal).label

    def organization(self, organization_id: int) -> Organization | None:
        """The entitled organization of that id, read with its plan; None when not entitled."""
        return next((org for org in self.organizations if org.pk == organization_id), None)

    @cached_property
    def required_plan(self) -> Plan | None:
        """The lowest plan that reaches the portal; read only when a refusal names it."""
        return _plans_with_portal(self.portal).order_by("rank").first()

    @property
    def refusal(self) -> str:
        plan_name = self.required_plan.name if self.required_plan else _("a paid")
        return _(
            "%(portal)s needs an organization on the %(plan)s plan or above. "
            "Upgrade your support plan to open it."
        ) % {"portal": self.name, "plan": plan_name}


def portal_open_without_organization(*, user: User, portal: str) -> bool:
    """The account/billing portal also takes requests that name no organization, so it is open
    to every signed-in user; any other portal needs an organization whose plan reaches it."""
    return portal == Portal.BILLING and user.is_authenticated


def portal_access(*, user: User, portal: str) -> PortalAccess:
    """May this user use this portal, and with which organizations (one query)."""
    organizations = _portal_organizations(user=user, portal=portal)
    allowed = bool(organizations) or portal_open_without_organization(user=user, portal=portal)
    return PortalAccess(
        portal=portal, allowed=allowed, organizations=organizations, user_id=user.pk
    )


def portal_organization(
    *, user: User, portal: str, organization: Organization
) -> Organization | None:
    """`organization` read again with its subscription and plan when it opens `portal` to
    `user` (the rule of `portal_access`, for the one organization a request names); None when
    it does not."""
    found = _portal_organizations(user=user, portal=portal, organization_id=organization.pk)
    return found[0] if found else None


@dataclass(frozen=True)
class PlanOption:
    """One plan as the Support page offers it to an organization."""

    plan: Plan
    action: PlanMove
    targets: list[tuple[str, str]]


def plan_move(*, current: Plan, target: Plan) -> PlanMove:
    """How an organization on `current` gets to `target`: current, downgrade, contact_sales,
    upgrade (self-serve), or unavailable. The Support page, its pages and the services ask here."""
    if target.pk == current.pk:
        return PlanMove.CURRENT
    if target.rank < current.rank:
        return PlanMove.DOWNGRADE
    if target.is_sales_only:
        return PlanMove.CONTACT_SALES
    return PlanMove.UPGRADE if target.is_self_serve else PlanMove.UNAVAILABLE


def plan_move_refusal(
    *, organization: Organization, current: Plan, target: Plan, wanted: str
) -> str | None:
    """Why `wanted` (upgrade or downgrade) is not the way to `target`; None when it is."""
    move = plan_move(current=current, target=target)
    if move == wanted:
        return None
    if wanted == PlanMove.DOWNGRADE:
        return _("%(plan)s is not lower than the current plan, %(current)s.") % {
            "plan": target.name,
            "current": current.name,
        }
    if move in (PlanMove.CURRENT, PlanMove.DOWNGRADE):
        return _("%(org)s is already on %(current)s, which includes %(plan)s.") % {
            "org": organization.name,
            "current": current.name,
            "plan": target.name,
        }
    if move == PlanMove.CONTACT_SALES:
        return _("The %(plan)s plan is not sold online; contact sales.") % {"plan": target.name}
    return _("The %(plan)s plan is not sold online.") % {"plan": target.name}


def plan_options(*, organization: Organization) -> list[PlanOption]:
    current = plan_for_organization(organization=organization)
    options = []
    for plan in plans_for_support_page():
        by_severity = {target.severity: target.label for target in plan.response_targets.all()}
        options.append(
            PlanOption(
                plan=plan,
                action=plan_move(current=current, target=plan),
                targets=[(severity, by_severity.get(severity, "—")) for severity in Severity],
            )
        )
    return options


# The customers' Support report (tickets.reports) comes with Enterprise and every plan above it.
SUPPORT_REPORT_FROM_PLAN = "enterprise"


@dataclass(frozen=True)
class SupportReportAccess:
    allowed: bool
    plan: Plan
    required_plan: Plan


def support_report_access(*, organization: Organization) -> SupportReportAccess:
    plan = plan_for_organization(organization=organization)
    required = Plan.objects.get(code=SUPPORT_REPORT_FROM_PLAN)
    return SupportReportAccess(
        allowed=plan.rank >= required.rank, plan=plan, required_plan=required
    )


def organizations_with_support_report() -> QuerySet[Organization]:
    required = Plan.objects.filter(code=SUPPORT_REPORT_FROM_PLAN).values("rank")
    return Organization.objects.filter(subscription__plan__rank__gte=required[:1])
