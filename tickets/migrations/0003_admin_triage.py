"""Partial indexes behind the admin's first-response (SLA state) filter and the Breaching queue.

Plain SQL that PostgreSQL and SQLite both accept; the model state is unchanged, so
`makemigrations --check` stays clean (like the trigram indexes of 0002)."""

from django.db import migrations

INDEXES = {
    # on track, at risk, breached while the clock runs: the deadline of unanswered requests.
    "ticket_sla_running_idx": (
        "first_response_due_at",
        "first_responded_at IS NULL AND sla_paused_at IS NULL",
    ),
    # paused: requests waiting for the customer before a first response.
    "ticket_sla_paused_idx": ("sla_paused_at", "sla_paused_at IS NOT NULL"),
    # met, or breached by a late first response.
    "ticket_first_responded_idx": ("first_responded_at", "first_responded_at IS NOT NULL"),
}


class Migration(migrations.Migration):
    dependencies = [("tickets", "0002_seed_and_search")]
    operations = [
        migrations.RunSQL(
            sql=f"CREATE INDEX IF NOT EXISTS {name} ON tickets_ticket ({column}) WHERE {where}",
            reverse_sql=f"DROP INDEX IF EXISTS {name}",
        )
        for name, (column, where) in INDEXES.items()
    ]
