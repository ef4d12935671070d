from django.utils.translation import gettext_lazy as _
from rest_framework.permissions import SAFE_METHODS, BasePermission

from accounts.models import ApiToken
from tickets.selectors import is_support_engineer


class TokenScopeAllows(BasePermission):
    """A read token reads; only a read-write token (or a signed-in session) changes things."""

    message = _("This token is read-only; create a read-write token to make changes.")

    def has_permission(self, request, view):
        token = request.auth
        if request.method in SAFE_METHODS or not isinstance(token, ApiToken):
            return True
        return token.can_write


class IsSupportEngineer(BasePermission):
    message = _("Only support engineers use these endpoints.")

    def has_permission(self, request, view):
        return is_support_engineer(user=request.user)
