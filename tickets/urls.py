from django.urls import path

from tickets import views
from tickets.reports import views as report_views

app_name = "tickets"

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("portals/billing/", views.BillingRequestView.as_view(), name="portal-billing"),
    path("portals/technical/", views.TechnicalRequestView.as_view(), name="portal-technical"),
    path("requests/", views.RequestListView.as_view(), name="request-list"),
    path("requests/export.csv", views.RequestExportView.as_view(), name="request-export"),
    path("requests/<str:key>/", views.RequestDetailView.as_view(), name="request-detail"),
    path("requests/<str:key>/comments/", views.CommentCreateView.as_view(), name="comment-add"),
    path("requests/<str:key>/resolve/", views.ResolveView.as_view(), name="request-resolve"),
    path("requests/<str:key>/reopen/", views.ReopenView.as_view(), name="request-reopen"),
    path("requests/<str:key>/sharing/", views.SharingView.as_view(), name="request-sharing"),
    path("requests/<str:key>/rating/", views.SatisfactionView.as_view(), name="request-rating"),
    path(
        "requests/<str:key>/notifications/",
        views.NotificationsView.as_view(),
        name="request-notifications",
    ),
    path(
        "requests/<str:key>/attachments/<int:attachment_id>/",
        views.AttachmentDownloadView.as_view(),
        name="attachment-download",
    ),
    path(
        "organizations/<int:organization_id>/report/",
        report_views.OrganizationReportView.as_view(),
        name="support-report",
    ),
    path(
        "organizations/<int:organization_id>/report/<slug:slug>.csv",
        report_views.OrganizationReportCsvView.as_view(),
        name="support-report-csv",
    ),
    path("ratings/<str:token>/", views.RatingLinkView.as_view(), name="rating-link"),
    path(
        "notifications/off/<str:token>/",
        views.NotificationsOffView.as_view(),
        name="notifications-off",
    ),
]
