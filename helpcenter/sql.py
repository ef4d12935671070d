"""Server-side prepared statements for the SQL every page runs (PostgreSQL).

Planning the request page's or the Requests page's query cost PostgreSQL more than running it.
A statement prepared once per connection is planned for its first runs and then, when its
generic plan costs no more than the plans made for the values, reused without planning again."""

import hashlib
import re
from collections.abc import Mapping, Sequence
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
