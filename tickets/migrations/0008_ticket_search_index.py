"""The full-text GIN index behind the help-center search of resolved requests (PostgreSQL)."""

import django.contrib.postgres.indexes
import django.contrib.postgres.search
from django.db import migrations

from helpcenter.db import AddIndexOnPostgres


class Migration(migrations.Migration):

    dependencies = [
        ("tickets", "0007_reports"),
    ]

    operations = [
        AddIndexOnPostgres(
            model_name="ticket",
            index=django.contrib.postgres.indexes.GinIndex(
                django.contrib.postgres.search.CombinedSearchVector(
                    django.contrib.postgres.search.SearchVector("summary", config="english", weight="A"),
                    "||",
                    django.contrib.postgres.search.SearchVector("description", config="english", weight="B"),
                    django.contrib.postgres.search.SearchConfig("english"),
                ),
                name="ticket_search_idx",
            ),
        ),
    ]
