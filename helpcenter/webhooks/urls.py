from django.urls import path

from helpcenter.webhooks import views

app_name = "webhooks"

urlpatterns = [
    path(
        "console/organizations/<int:organization_id>/webhooks/",
        views.WebhookListView.as_view(),
        name="list",
    ),
    path(
        "console/organizations/<int:organization_id>/webhooks/<int:pk>/delete/",
        views.WebhookDeleteView.as_view(),
        name="delete",
    ),
    path(
        "console/organizations/<int:organization_id>/webhooks/deliveries/<int:pk>/redeliver/",
        views.WebhookRedeliverView.as_view(),
        name="redeliver",
    ),
]
