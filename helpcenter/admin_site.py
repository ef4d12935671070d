"""The admin site: the support engineers' triage, behind two factors.

Every admin page needs a session verified with a second factor (django-otp). An engineer who
has none yet is sent to enrol one on their first admin login. The site checks its own login, so
LoginRequiredMiddleware leaves its pages to it and an anonymous visitor meets the admin login."""

from functools import update_wrapper

from django.contrib import admin, messages
from django.contrib.admin.views.main import SEARCH_VAR
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.urls import URLResolver, reverse
from django.utils.functional import SimpleLazyObject
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _
from django_otp import user_has_device

from accounts.forms import AdminLoginForm
from helpcenter.search import validate_search_query


def _leave_login_to_the_admin(patterns) -> None:
    """Mark every admin view `login_not_required`: each one checks the admin permission itself
    and sends a visitor to the admin's own login page."""
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            _leave_login_to_the_admin(pattern.url_patterns)
        elif getattr(pattern.callback, "login_required", True):
            login_not_required(pattern.callback)


class HelpCenterAdminSite(admin.AdminSite):
    """The default admin site (through `helpcenter.apps.HelpCenterAdminConfig`). Its index shows
    the triage queues of every model admin that offers them (`queues(request)`)."""

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

        return login_not_required(update_wrapper(view_with_search_limit, protected))

    def get_app_list(self, request, app_label=None):
        """Built when first read: every admin page's context carries it for the navigation
        sidebar, which the triage list and the index do not show, and building it asks every
        model admin for the engineer's permissions."""
        return SimpleLazyObject(
            lambda: super(HelpCenterAdminSite, self).get_app_list(request, app_label)
        )

    def get_urls(self):
        urls = super().get_urls()
        _leave_login_to_the_admin(urls)
        return urls

    def index(self, request, extra_context=None):
        queues = [
            queue
            for model_admin in self._registry.values()
            if hasattr(model_admin, "queues") and model_admin.has_view_permission(request)
            for queue in model_admin.queues(request)
        ]
        return super().index(
            request, extra_context={"support_queues": queues, **(extra_context or {})}
        )

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

    @login_not_required
    def login(self, request, extra_context=None):
        if self._needs_enrolment(request):
            return self._enrolment_redirect(request)
        response = super().login(request, extra_context)
        if request.method == "POST" and self._needs_enrolment(request):
            return self._enrolment_redirect(request)
        return response
