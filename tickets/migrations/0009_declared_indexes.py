"""The search and response-clock indexes, now declared on the model. Databases that got them
from the raw SQL of 0002 and 0003 keep them (the description's is only renamed to fit 30
characters); new databases build them here."""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations, models

from helpcenter.db import AddIndexUnlessPresent, UpperTrigramIndex


class Migration(migrations.Migration):
    dependencies = [
        ("tickets", "0008_ticket_search_index"),
        ("accounts", "0005_declared_search_indexes"),
    ]

    operations = [
        TrigramExtension(),
        AddIndexUnlessPresent(
            model_name="ticket",
            index=UpperTrigramIndex(field="key", name="tickets_ticket_key_trgm"),
        ),
        AddIndexUnlessPresent(
            model_name="ticket",
            index=UpperTrigramIndex(field="summary", name="tickets_ticket_summary_trgm"),
        ),
        AddIndexUnlessPresent(
            model_name="ticket",
            index=UpperTrigramIndex(field="description", name="tickets_ticket_desc_trgm"),
            formerly="tickets_ticket_description_trgm",
        ),
        AddIndexUnlessPresent(
            model_name="ticket",
            index=models.Index(
                condition=models.Q(first_responded_at__isnull=True, sla_paused_at__isnull=True),
                fields=["first_response_due_at"],
                name="ticket_sla_running_idx",
            ),
        ),
        AddIndexUnlessPresent(
            model_name="ticket",
            index=models.Index(
                condition=models.Q(sla_paused_at__isnull=False),
                fields=["sla_paused_at"],
                name="ticket_sla_paused_idx",
            ),
        ),
        AddIndexUnlessPresent(
            model_name="ticket",
            index=models.Index(
                condition=models.Q(first_responded_at__isnull=False),
                fields=["first_responded_at"],
                name="ticket_first_responded_idx",
            ),
        ),
    ]
