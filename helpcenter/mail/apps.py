from django.apps import AppConfig


class MailConfig(AppConfig):
    """Outbound email as infrastructure: the outbox, its delivery task, retries, sweep and admin.

    Every app may queue email here; this app imports none of them."""

    name = "helpcenter.mail"
    label = "mail"
    verbose_name = "Outbound email"
