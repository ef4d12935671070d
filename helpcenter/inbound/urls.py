from django.urls import path

from helpcenter.inbound.webhooks import inbound_webhook

app_name = "inbound"

urlpatterns = [
    path("inbound/<slug:provider>/", inbound_webhook, name="webhook"),
]
