from django.apps import AppConfig


class InboundConfig(AppConfig):
    """Inbound email as infrastructure: the stored messages, parsing, the IMAP poller and the
    provider webhook. What a message means for the help desk is decided by the handler named in
    INBOUND_EMAIL_HANDLER (the tickets app's); this app imports no project app."""

    name = "helpcenter.inbound"
    label = "inbound"
    verbose_name = "Inbound email"

    def ready(self):
        from helpcenter.inbound import webhooks  # noqa: F401 - connects anymail's inbound signal
