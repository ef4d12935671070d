"""Database helpers shared by the apps' models and migrations: index types and the migration
operations that build them."""

from django.contrib.postgres.indexes import GinIndex, OpClass
from django.db import migrations
from django.db.models import Index
from django.db.models.functions import Upper


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


class UpperTrigramIndex(GinIndex):
    """Serves case-insensitive substring search (`icontains`, which PostgreSQL runs as
    UPPER(column) LIKE UPPER(pattern)): a pg_trgm GIN index on UPPER(column). Elsewhere (SQLite
    for `make run`) a plain index on the same expression and name, so migrations run there too."""

    def __init__(self, *, field: str, name: str):
        self.field = field
        super().__init__(OpClass(Upper(field), name="gin_trgm_ops"), name=name)

    def deconstruct(self):
        path = f"{self.__class__.__module__}.{self.__class__.__name__}"
        return path, (), {"field": self.field, "name": self.name}

    def create_sql(self, model, schema_editor, using="", **kwargs):
        if schema_editor.connection.vendor != "postgresql":
            plain = Index(Upper(self.field), name=self.name)
            return plain.create_sql(model, schema_editor, using=using, **kwargs)
        return super().create_sql(model, schema_editor, using=using, **kwargs)


class AddIndexUnlessPresent(migrations.AddIndex):
    """AddIndex for an index an older migration built with raw SQL: a database that has it
    keeps it (renamed when it had another name: `formerly`), so a large table is never indexed
    twice; a new database builds it here."""

    def __init__(self, model_name, index, formerly: str | None = None):
        super().__init__(model_name, index)
        self.formerly = formerly

    def deconstruct(self):
        name, args, kwargs = super().deconstruct()
        if self.formerly:
            kwargs["formerly"] = self.formerly
        return name, args, kwargs

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        model = to_state.apps.get_model(app_label, self.model_name)
        connection = schema_editor.connection
        with connection.cursor() as cursor:
            present = connection.introspection.get_constraints(cursor, model._meta.db_table)
        if self.index.name in present:
            return
        if self.formerly in present:
            schema_editor.execute(
                f"ALTER INDEX {schema_editor.quote_name(self.formerly)} "
                f"RENAME TO {schema_editor.quote_name(self.index.name)}"
            )
            return
        super().database_forwards(app_label, schema_editor, from_state, to_state)

    def describe(self):
        return f"Declare index {self.index.name} on {self.model_name} (built only if missing)"


class RemoveIndexOnPostgres(migrations.RemoveIndex):
    """RemoveIndex for an index that `AddIndexOnPostgres` built only on PostgreSQL."""

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_backwards(app_label, schema_editor, from_state, to_state)
