from django.apps import AppConfig


class WebhooksConfig(AppConfig):
    """Outbound webhooks as infrastructure: endpoints an organization owner registers, and an
    outbox of signed deliveries that Celery sends, retries and sweeps (the email outbox's
    pattern). The tickets app decides which events exist and what they carry."""

    name = "helpcenter.webhooks"
    label = "webhooks"
    verbose_name = "Webhooks"
