from django.contrib.admin.apps import AdminConfig


class HelpCenterAdminConfig(AdminConfig):
    """django.contrib.admin with the help center's two-factor admin site as `admin.site`."""

    default_site = "helpcenter.admin_site.HelpCenterAdminSite"
