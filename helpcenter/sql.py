"""Server-side prepared statements for the SQL every page runs (PostgreSQL), and the objects
read from SQL compiled once (`instances`).

Planning the request page's or the Requests page's query cost PostgreSQL more than running it.
A statement prepared once per connection is planned for its first runs and then, when its
generic plan costs no more than the plans made for the values, reused without planning again."""

import hashlib
import re
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.backends.signals import connection_created
from django.dispatch import receiver

# A parameter's SQL type from its Python value; bool before int (a bool is an int).
_PARAMETER_TYPES = ((bool, "boolean"), (int, "bigint"), (str, "text"), (datetime, "timestamptz"))
_PLACEHOLDER = re.compile(r"%%|%s")
# Stand for the values that change from run to run in SQL compiled once per process (`filled`):
# the reader, and an organization or a cluster the page names. No row has a negative id.
READER = -1
ORGANIZATION = -2
CLUSTER = -3
# Filters and membership counts give a query several shapes; past this many statements a
# connection forgets them all (DEALLOCATE ALL) rather than hold plans for every shape it met.
MOST_PREPARED_PER_CONNECTION = 200


def prepared(sql: str, params: Sequence, *, using: str = DEFAULT_DB_ALIAS) -> tuple[str, list]:
    """`sql` (with psycopg2's %s placeholders) as an `EXECUTE` of a statement this connection has
    prepared (followed by `sql` as a comment), and the parameters to run it with. Elsewhere than
    PostgreSQL, or with a parameter of another type (None, a list), `sql` itself. The PREPARE
    runs once per connection and is not counted among a page's queries, as Django's own
    connection set-up is not."""
    connection = connections[using]
    params = list(params)
    types = [_parameter_type(value) for value in params]
    if connection.vendor != "postgresql" or None in types:
        return sql, params
    name = "hc_" + hashlib.sha256(f"{sql}\0{types}".encode()).hexdigest()[:24]
    connection.ensure_connection()
    statements = connection.__dict__.setdefault("prepared_statements", set())
    if name not in statements:
        with connection.connection.cursor() as cursor:
            if len(statements) >= MOST_PREPARED_PER_CONNECTION:
                cursor.execute("DEALLOCATE ALL")
                statements.clear()
            cursor.execute(f"PREPARE {name} {_signature(types)} AS {_numbered(sql, len(params))}")
        statements.add(name)
    arguments = f"({', '.join(['%s'] * len(params))})" if params else ""
    # The statement's text follows as a comment, for logs, pg_stat_activity and tests that read
    # which tables a page's queries touch.
    text = sql.replace("*/", "* /").replace("%", "%%")
    return f"EXECUTE {name}{arguments} /* {text} */", params


@receiver(connection_created)
def _forget_prepared_statements(sender, connection, **kwargs):
    """A new connection has prepared nothing yet."""
    connection.__dict__.pop("prepared_statements", None)


def _parameter_type(value) -> str | None:
    return next((name for kind, name in _PARAMETER_TYPES if isinstance(value, kind)), None)


def _signature(types: list[str]) -> str:
    return f"({', '.join(types)})" if types else ""


def _numbered(sql: str, count: int) -> str:
    """psycopg2's placeholders as PostgreSQL's: the n-th %s becomes $n, %% a percent sign."""
    numbers = iter(range(1, count + 1))
    numbered = _PLACEHOLDER.sub(lambda match: "%" if match[0] == "%%" else f"${next(numbers)}", sql)
    if next(numbers, None) is not None:
        raise ValueError("fewer placeholders than parameters")
    return numbered


def filled(params: Sequence, values: Mapping) -> list:
    """The parameters of SQL compiled once with stand-ins (`READER` and the like) for values
    that change from run to run, each stand-in replaced by this run's value. Compiling a query
    through the ORM on every page cost more than PostgreSQL spent running it."""
    return [values.get(value, value) for value in params]


def instances(model, sql: str, params: Sequence, *, using: str = DEFAULT_DB_ALIAS) -> list:
    """`model.objects.raw(*prepared(sql, params))` as a list: the same objects (the model's
    columns as fields through their converters, the primary key required, other columns as
    attributes, unread fields deferred), for SQL compiled once. A raw queryset works out again
    for every query which of its columns are fields, their converters and the order to build
    in, which cost the signed-in person's read on every page twice what running it did; here
    that is worked out once per connection, model and list of columns."""
    connection = connections[using]
    with connection.cursor() as cursor:
        cursor.execute(*prepared(sql, params, using=using))
        columns = tuple(column[0] for column in cursor.description)
        rows = cursor.fetchall()
    plans = connection.__dict__.setdefault("row_plans", {})
    plan = plans.get((model, columns))
    if plan is None:
        if len(plans) >= MOST_PREPARED_PER_CONNECTION:
            plans.clear()
        plan = plans[(model, columns)] = _row_plan(model, columns, connection)
    read, positions, extras = plan
    objects = []
    for row in rows:
        instance = read([row[position] for position in positions])
        for column, position in extras:
            setattr(instance, column, row[position])
        objects.append(instance)
    return objects


def _row_plan(model, columns: tuple[str, ...], connection):
    """As Django's RawModelIterable plans a raw query's rows: the model's fields among the
    columns (the primary key required), where each is in the row, and the other columns."""
    identifier = connection.introspection.identifier_converter
    field_columns = {identifier(field.column) for field in model._meta.concrete_fields}
    fields = [field for field in model._meta.fields if identifier(field.column) in columns]
    if model._meta.pk not in fields:
        raise ValueError(f"{model.__name__}: the query must read the primary key")
    return (
        row_reader(model, fields, connection),
        [columns.index(identifier(field.column)) for field in fields],
        tuple(
            (column, position)
            for position, column in enumerate(columns)
            if column not in field_columns
        ),
    )


def row_reader(model, fields: list, connection) -> Callable[[Sequence], object]:
    """A `model` object from the values of `fields` (in that order; its other fields deferred)
    read by hand, as the ORM gives them: through the backend's and the fields' converters
    (SQLite returns times as naive text, decimals as floats, flags as integers)."""
    converters = [
        (index, converters, field.cached_col)
        for index, field in enumerate(fields)
        if (
            converters := connection.ops.get_db_converters(field.cached_col)
            + field.get_db_converters(connection)
        )
    ]
    names = [field.attname for field in fields]

    def read(values: Sequence):
        if converters:
            values = list(values)
            for index, field_converters, expression in converters:
                for converter in field_converters:
                    values[index] = converter(values[index], expression, connection)
        return model.from_db(connection.alias, names, values)

    return read
