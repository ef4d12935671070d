"""The help-center search matches request summaries: their GIN index replaces the one over
summary and description (PostgreSQL only, like the index it replaces)."""

import django.contrib.postgres.indexes
import django.contrib.postgres.search
from django.db import migrations

from helpcenter.db import AddIndexOnPostgres, RemoveIndexOnPostgres


class Migration(migrations.Migration):
    dependencies = [
        ("tickets", "0011_next_response_and_resolution_clocks"),
    ]

    operations = [
        RemoveIndexOnPostgres(model_name="ticket", name="ticket_search_idx"),
        AddIndexOnPostgres(
            model_name="ticket",
            index=django.contrib.postgres.indexes.GinIndex(
                django.contrib.postgres.search.SearchVector("summary", config="english"),
                name="ticket_summary_search_idx",
            ),
        ),
    ]
