from django.contrib.admin.apps import AdminConfig


class HelpCenterAdminConfig(AdminConfig):
    """django.contrib.admin with the help center's two-factor HelpCenterAdminSite as the default
    site (`admin.site`)."""

    default_site = "helpcenter.admin_site.HelpCenterAdminSite"
