"""Database helpers shared by the apps' migrations."""

from django.db import migrations


class AddIndexOnPostgres(migrations.AddIndex):
    """AddIndex for PostgreSQL-only index types (GIN, trigram). The index is part of the
    model's state everywhere, so `makemigrations` stays clean, but it is built only on
    PostgreSQL; the embedded SQLite default has no such index types."""

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_backwards(app_label, schema_editor, from_state, to_state)
