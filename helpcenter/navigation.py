"""The site-wide navigation of templates/base.html (organization switcher, plan badge, help and
avatar menus) and the context processor that feeds it."""

from functools import cache

from django.db.models import F
from django.utils.functional import SimpleLazyObject

from accounts.selectors import current_organization, organizations_for_user
from plans.selectors import default_plan


def navigation(request):
    """The console menus of every page: the user's organizations with their plans' names (one
    query), and the current one. Loaded only when a page shows the menus."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}

    @cache
    def menus():
        # Names only, on every page: the plan's name as a column costs less to build, fetch
        # and plan than the subscription and plan as models.
        organizations = list(
            organizations_for_user(user=user)
            .only("name")
            .annotate(plan_name=F("subscription__plan__name"))
        )
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
