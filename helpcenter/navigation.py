"""The site-wide navigation of templates/base.html (organization switcher, plan badge, help and
avatar menus) and the context processor that feeds it."""

from functools import cache

from django.db.models import F
from django.utils.functional import SimpleLazyObject

from accounts.models import Organization, User
from accounts.selectors import current_organization, organizations_for_user
from helpcenter.sql import READER, filled, instances
from plans.selectors import default_plan


def navigation(request):
    """The console menus of every page: the user's organizations with their plans' names (one
    query), and the current one. Loaded only when a page shows the menus."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}

    @cache
    def menus():
        sql, params = _menus_query()
        organizations = instances(Organization, sql, filled(params, {READER: user.pk}))
        current = current_organization(
            user=user, session=request.session, organizations=organizations
        )
        if current is not None and current.plan_name is None:
            current.plan_name = default_plan().name  # no subscription: Basic
        return organizations, current

    return {
        "user_organizations": SimpleLazyObject(lambda: menus()[0]),
        "current_organization": SimpleLazyObject(lambda: menus()[1]),
    }


@cache
def _menus_query() -> tuple[str, tuple]:
    """`organizations_for_user` with each plan's name, names only, compiled to SQL once per
    process: building and compiling it through the ORM on every page cost three times its
    round trip. The reader's id is put in when it runs."""
    organizations = (
        organizations_for_user(user=User(pk=READER))
        .only("name")
        .annotate(plan_name=F("subscription__plan__name"))
    )
    return organizations.query.get_compiler(using=organizations.db).as_sql()
