"""The title as its own indexed search document (premium articles are found by title by readers
on lower plans, now served by an index), filled for existing articles; the unused title trigram
index goes."""

import django.contrib.postgres.indexes
import django.contrib.postgres.search
from django.db import migrations

from helpcenter.db import AddIndexOnPostgres, RemoveIndexOnPostgres


def fill_title_vectors(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    Article = apps.get_model("knowledge", "Article")
    Article.objects.update(
        title_vector=django.contrib.postgres.search.SearchVector(
            "title", weight="A", config="english"
        )
    )


class Migration(migrations.Migration):
    dependencies = [
        ("knowledge", "0002_categories_and_permissions"),
    ]

    operations = [
        RemoveIndexOnPostgres(model_name="article", name="article_title_trgm_idx"),
        migrations.AddField(
            model_name="article",
            name="title_vector",
            field=django.contrib.postgres.search.SearchVectorField(
                editable=False,
                help_text="The title alone: how readers on lower plans find a premium article.",
                null=True,
            ),
        ),
        AddIndexOnPostgres(
            model_name="article",
            index=django.contrib.postgres.indexes.GinIndex(
                fields=["title_vector"], name="article_title_vector_idx"
            ),
        ),
        migrations.RunPython(fill_title_vectors, migrations.RunPython.noop),
    ]
