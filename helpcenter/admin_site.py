"""The admin site: the support engineers' triage, behind two factors.

Every admin page needs a session verified with a second factor (django-otp). An engineer who
has none yet is sent to enrol one on their first admin login."""

from functools import update_wrapper

from django.contrib import admin, messages
from django.contrib.admin.views.main import SEARCH_VAR
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _
from django_otp import user_has_device

from accounts.forms import AdminLoginForm
from helpcenter.search import validate_search_query


class HelpCenterAdminSite(admin.AdminSite):
    site_header = _("TiDB Cloud Help Center: support")
    site_title = _("Help Center support")
    index_title = _("Triage")
    login_form = AdminLoginForm
    login_template = "admin/helpcenter_login.html"

    def admin_view(self, view, cacheable=False):
        """Every admin search (`q`) is held to the site-wide search limit, with a message."""
        protected = super().admin_view(view, cacheable)

        def view_with_search_limit(request, *args, **kwargs):
            query = request.GET.get(SEARCH_VAR, "")
            try:
                validate_search_query(query)
            except ValidationError as exc:
                messages.error(request, " ".join(exc.messages))
                params = request.GET.copy()
                del params[SEARCH_VAR]
                return redirect(f"{request.path}?{params.urlencode()}")
            return protected(request, *args, **kwargs)

        return update_wrapper(view_with_search_limit, protected)

    @staticmethod
    def _verified(user) -> bool:
        """OTPMiddleware adds is_verified(); a user logged in during this request has the
        device the login form verified."""
        if hasattr(user, "is_verified"):
            return user.is_verified()
        return getattr(user, "otp_device", None) is not None

    def has_permission(self, request):
        return super().has_permission(request) and self._verified(request.user)

    def _needs_enrolment(self, request) -> bool:
        user = request.user
        return (
            user.is_active
            and user.is_staff
            and not self._verified(user)
            and not user_has_device(user, confirmed=True)
        )

    def _enrolment_redirect(self, request):
        next_url = request.POST.get("next") or request.GET.get("next") or reverse("admin:index")
        return redirect(f"{reverse('two-factor')}?{urlencode({'next': next_url})}")

    def login(self, request, extra_context=None):
        if self._needs_enrolment(request):
            return self._enrolment_redirect(request)
        response = super().login(request, extra_context)
        if request.method == "POST" and self._needs_enrolment(request):
            return self._enrolment_redirect(request)
        return response
