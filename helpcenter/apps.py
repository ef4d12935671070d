from django.contrib.admin.apps import AdminConfig


class HelpCenterAdminConfig(AdminConfig):
    """django.contrib.admin with HelpCenterAdminSite as the default site (`admin.site`)."""

    default_site = "helpcenter.admin.HelpCenterAdminSite"
