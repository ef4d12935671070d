from django.apps import AppConfig


class TicketsConfig(AppConfig):
    name = "tickets"
    verbose_name = "Support requests"

    def ready(self):
        # Registers the percentile aggregate on SQLite connections (the embedded default).
        from tickets.reports import aggregates  # noqa: F401
