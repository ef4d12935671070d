"""Admin plumbing shared by every app: the site itself and the read-only mixin. It imports no
project app."""

from django.contrib import admin
from django.contrib.auth.decorators import login_not_required
from django.urls import URLResolver
from django.utils.translation import gettext_lazy as _


class ReadOnlyAdminMixin:
    """Rows written by the application (history, the outbox, stored cards): looked at, never
    typed in. Deleting stays with the model permission, for superusers."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


def _leave_login_to_the_admin(patterns) -> None:
    """Mark every admin view `login_not_required`: each one checks the admin permission itself
    and sends a visitor to the admin's own login page."""
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            _leave_login_to_the_admin(pattern.url_patterns)
        elif getattr(pattern.callback, "login_required", True):
            login_not_required(pattern.callback)


class HelpCenterAdminSite(admin.AdminSite):
    """The admin for support engineers and administrators (the default site, through
    `helpcenter.apps.HelpCenterAdminConfig`). Its index shows the triage queues of every model
    admin that offers them (`queues(request)`); it checks its own login, so
    LoginRequiredMiddleware leaves its pages to it and an anonymous visitor meets the admin login.
    """

    site_header = _("TiDB Cloud Help Center: support")
    site_title = _("Help Center support")
    index_title = _("Triage")

    def admin_view(self, view, cacheable=False):
        return login_not_required(super().admin_view(view, cacheable))

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
