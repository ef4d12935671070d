from django.urls import path

from tickets.api import customer, engineer

urlpatterns = [
    path("requests/", customer.RequestListCreateView.as_view(), name="request-list"),
    path("requests/<str:key>/", customer.RequestDetailView.as_view(), name="request-detail"),
    path("requests/<str:key>/resolve/", customer.ResolveView.as_view(), name="request-resolve"),
    path("requests/<str:key>/reopen/", customer.ReopenView.as_view(), name="request-reopen"),
    path("requests/<str:key>/share/", customer.ShareView.as_view(), name="request-share"),
    path(
        "requests/<str:key>/notifications/",
        customer.NotificationsView.as_view(),
        name="request-notifications",
    ),
    path("requests/<str:key>/rating/", customer.RatingView.as_view(), name="request-rating"),
    path(
        "requests/<str:key>/comments/",
        customer.CommentListCreateView.as_view(),
        name="request-comments",
    ),
    path(
        "requests/<str:key>/attachments/<int:attachment_id>/",
        customer.AttachmentDownloadView.as_view(),
        name="request-attachment",
    ),
    path("support/queues/", engineer.QueueCountsView.as_view(), name="support-queues"),
    path("support/requests/", engineer.TriageListView.as_view(), name="support-request-list"),
    path(
        "support/requests/<str:key>/",
        engineer.TriageDetailView.as_view(),
        name="support-request-detail",
    ),
    path(
        "support/requests/<str:key>/conversation/",
        engineer.ConversationView.as_view(),
        name="support-conversation",
    ),
    path(
        "support/requests/<str:key>/replies/",
        engineer.PublicReplyView.as_view(),
        name="support-reply",
    ),
    path(
        "support/requests/<str:key>/notes/",
        engineer.InternalNoteView.as_view(),
        name="support-note",
    ),
    path(
        "support/requests/<str:key>/assign/", engineer.AssignView.as_view(), name="support-assign"
    ),
    path(
        "support/requests/<str:key>/status/", engineer.StatusView.as_view(), name="support-status"
    ),
]
