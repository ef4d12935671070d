from accounts.selectors import current_organization, organizations_for_user
from plans.models import Portal
from plans.selectors import plan_for_organization, portal_organizations


def navigation(request):
    """What the navigation of every page needs: the current organization and its menus."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    organization = current_organization(user=user, session=request.session)
    return {
        "current_organization": organization,
        "current_plan": plan_for_organization(organization=organization) if organization else None,
        "user_organizations": list(organizations_for_user(user=user)),
        "technical_portal_open": portal_organizations(user=user, portal=Portal.TECHNICAL).exists(),
    }
