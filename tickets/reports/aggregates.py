"""Percentiles computed by the database: PostgreSQL's ordered-set aggregate, and the same
function registered on SQLite connections so that the embedded default (`make run`) agrees."""

import math

from django.db.backends.signals import connection_created
from django.db.models import Aggregate, DurationField, FloatField
from django.dispatch import receiver

SQLITE_FUNCTION = "hc_percentile_cont"


class Percentile(Aggregate):
    """The continuous percentile (interpolated, like `percentile_cont`) of an expression."""

    function = "percentile_cont"
    name = "Percentile"
    template = "%(function)s(%(fraction)s) WITHIN GROUP (ORDER BY %(expressions)s)"
    allow_distinct = False

    def __init__(self, expression, *, fraction: float, **extra):
        if not 0 <= fraction <= 1:
            raise ValueError("A percentile's fraction lies between 0 and 1.")
        super().__init__(expression, fraction=float(fraction), **extra)

    def _resolve_output_field(self):
        source = self.get_source_fields()[0]
        return DurationField() if isinstance(source, DurationField) else FloatField()

    def as_sqlite(self, compiler, connection, **extra_context):
        sqlite = self.copy()
        sqlite.function = SQLITE_FUNCTION
        sqlite.template = "%(function)s(%(expressions)s, %(fraction)s)"
        return sqlite.as_sql(compiler, connection, **extra_context)


class _SqlitePercentile:
    """`percentile_cont` for SQLite: linear interpolation between the closest ranks."""

    def __init__(self):
        self.values = []
        self.fraction = 0.5

    def step(self, value, fraction):
        self.fraction = fraction
        if value is not None:
            self.values.append(value)

    def finalize(self):
        if not self.values:
            return None
        values = sorted(self.values)
        position = (len(values) - 1) * self.fraction
        lower, upper = math.floor(position), math.ceil(position)
        return values[lower] + (values[upper] - values[lower]) * (position - lower)


@receiver(connection_created)
def _register_sqlite_percentile(sender, connection, **kwargs):
    if connection.vendor == "sqlite":
        connection.connection.create_aggregate(SQLITE_FUNCTION, 2, _SqlitePercentile)
