from django.contrib import admin
from django.urls import include, path

from accounts.urls import auth_urlpatterns
from helpcenter.views import ReadinessView, healthz
from tickets.reports.views import SupportReportsCsvView, SupportReportsView

urlpatterns = [
    path("healthz/", healthz, name="healthz"),
    path("readyz/", ReadinessView.as_view(), name="readyz"),
    path(
        "admin/reports/",
        admin.site.admin_view(SupportReportsView.as_view()),
        name="admin-reports",
    ),
    path(
        "admin/reports/<slug:slug>.csv",
        admin.site.admin_view(SupportReportsCsvView.as_view()),
        name="admin-reports-csv",
    ),
    path("admin/", admin.site.urls),
    path("api/v1/", include("helpcenter.api.urls")),
    path("accounts/", include(auth_urlpatterns)),
    path("", include("accounts.urls")),
    path("", include("helpcenter.webhooks.urls")),
    path("", include("helpcenter.inbound.urls")),
    path("", include("plans.urls")),
    path("", include("knowledge.urls")),
    path("", include("tickets.urls")),
]

handler500 = "helpcenter.views.server_error"
