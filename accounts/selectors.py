"""The one place that decides which organizations and clusters a user may see.

Missing and not-yours give the same answer (Http404), so a URL never confirms that another
organization's object exists."""

from functools import cache

from django.apps import apps
from django.db.models import QuerySet
from django.http import Http404
from django_otp.models import Device

from accounts.models import Cluster, Membership, Organization, User
from helpcenter.sql import CLUSTER, READER, filled, instances

CURRENT_ORGANIZATION_SESSION_KEY = "current_organization_id"


def organizations_for_user(*, user: User) -> QuerySet[Organization]:
    if not user.is_authenticated:
        return Organization.objects.none()
    return Organization.objects.filter(memberships__user=user).order_by("name")


def organization_get_for_user(*, user: User, organization_id) -> Organization:
    try:
        return organizations_for_user(user=user).get(pk=int(organization_id))
    except (Organization.DoesNotExist, TypeError, ValueError) as exc:
        raise Http404("No such organization.") from exc


def membership_for(*, user: User, organization: Organization) -> Membership | None:
    if not user.is_authenticated:
        return None
    return Membership.objects.filter(user=user, organization=organization).first()


def is_owner(*, user: User, organization: Organization) -> bool:
    membership = membership_for(user=user, organization=organization)
    return membership is not None and membership.is_owner


def organization_owners(*, organization: Organization) -> QuerySet[User]:
    return User.objects.filter(
        memberships__organization=organization,
        memberships__role=Membership.Role.OWNER,
        is_active=True,
    ).order_by("email")


def organization_members(*, organization: Organization) -> QuerySet[User]:
    return User.objects.filter(memberships__organization=organization, is_active=True).order_by(
        "email"
    )


def clusters_visible_to(*, user: User, organization: Organization | None = None) -> QuerySet:
    """The clusters of the user's organizations, joined through the user's memberships (one per
    organization, so no cluster twice): cheaper to build and plan than an IN over
    `organizations_for_user`, on every request form and its POST."""
    if not user.is_authenticated:
        return Cluster.objects.none()
    clusters = Cluster.objects.filter(organization__memberships__user=user)
    if organization is not None:
        clusters = clusters.filter(organization=organization)
    return clusters.select_related("organization").order_by("organization__name", "name")


# A cluster's id is a positive bigint: any other number names none (and is not sent).
_LARGEST_ID = 2**63 - 1


@cache
def _visible_cluster_query() -> tuple[str, tuple]:
    clusters = (
        clusters_visible_to(user=User(pk=READER)).filter(pk=CLUSTER).select_related(None).order_by()
    )
    return clusters.query.get_compiler(using=clusters.db).as_sql()


def cluster_visible_to(*, user: User, cluster_id: int) -> Cluster | None:
    """The cluster of that id among `clusters_visible_to(user)` (its organization not read
    with it); None when it is not one of them. The request form checks its chosen cluster here
    on every technical filing: compiled to SQL once per process, since building the query
    through the ORM cost more than running it."""
    if not user.is_authenticated or not 0 < cluster_id <= _LARGEST_ID:
        return None
    sql, params = _visible_cluster_query()
    params = filled(params, {READER: user.pk, CLUSTER: cluster_id})
    return next(iter(instances(Cluster, sql, params)), None)


@cache
def _user_query() -> tuple[str, tuple]:
    return User._default_manager.filter(pk=0).query.sql_with_params()


def user_by_id(user_id) -> User | None:
    """The user of that id, as Django's ModelBackend reads the signed-in person on every request
    (all fields; None for no such user): with SQL compiled once per process, since building
    the query through the ORM cost three times what running it did (0.29 ms against 0.10 of
    CPU)."""
    if type(user_id) is not int or not 0 < user_id <= _LARGEST_ID:
        return None
    sql, _params = _user_query()
    return next(iter(instances(User, sql, [user_id])), None)


@cache
def _device_query(model) -> tuple[str, tuple]:
    return model.objects.filter(pk=0).query.sql_with_params()


def second_factor_device(persistent_id: str) -> Device | None:
    """The device a session was verified with, as django-otp's `Device.from_persistent_id`
    reads it ("app_label.model_name/id"; None for a name that is no device), read on every
    signed-in request: with SQL compiled once per device model, since building the query
    through the ORM cost more than running it."""
    model_label, _, device_id = persistent_id.rpartition("/")
    try:
        model = apps.get_model(model_label)
        pk = int(device_id)
    except (LookupError, ValueError):
        return None
    if not issubclass(model, Device) or not 0 < pk <= _LARGEST_ID:
        return None
    sql, _params = _device_query(model)
    return next(iter(instances(model, sql, [pk])), None)


def cluster_get_for_user(*, user: User, cluster_id) -> Cluster:
    try:
        return clusters_visible_to(user=user).get(pk=int(cluster_id))
    except (Cluster.DoesNotExist, TypeError, ValueError) as exc:
        raise Http404("No such cluster.") from exc


def current_organization(
    *, user: User, session, organizations: list[Organization] | None = None
) -> Organization | None:
    """The organization the console shows: the one chosen in the switcher, else the first.

    Pass the user's organizations when they are already loaded, to save the query."""
    if organizations is None:
        organizations = list(organizations_for_user(user=user))
    chosen_id = session.get(CURRENT_ORGANIZATION_SESSION_KEY)
    for organization in organizations:
        if organization.pk == chosen_id:
            return organization
    return organizations[0] if organizations else None
