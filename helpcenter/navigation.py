"""The site-wide navigation of templates/base.html (organization switcher, plan badge, help and
avatar menus) and the context processor that feeds it."""

from functools import cache

from django.utils.functional import SimpleLazyObject

from accounts.selectors import current_organization, organizations_for_user
from plans.selectors import plan_for_organization


def navigation(request):
    """The console menus of every page: the user's organizations with their plans (one query),
    the current one and its plan. Loaded only when a page shows the menus."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}

    @cache
    def menus():
        # The menus show names only; every page reads this.
        organizations = list(
            organizations_for_user(user=user)
            .select_related("subscription__plan")
            .only("name", "subscription__plan__name")
        )
        current = current_organization(
            user=user, session=request.session, organizations=organizations
        )
        plan = plan_for_organization(organization=current) if current else None
        return organizations, current, plan

    return {
        "user_organizations": SimpleLazyObject(lambda: menus()[0]),
        "current_organization": SimpleLazyObject(lambda: menus()[1]),
        "current_plan": SimpleLazyObject(lambda: menus()[2]),
    }
