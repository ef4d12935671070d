"""The triage list's page of requests, read as the few columns its rows show.

A Ticket, an Organization and a User built for each of 50 rows (every column of three tables,
password hashes among them) cost more than PostgreSQL spent finding the page. The page is read
with `values_list` from the list's own queryset (its filters, search, order and slice), into
objects that carry those columns under the models' names, with the models' own `__str__` and
properties that read them: the row cells, the clocks (`tickets.sla`) and Django's
`items_for_result` read them as they read the models. A column added to `list_display` is added
to `COLUMNS` (the list's tests fail on a missing one)."""

from operator import attrgetter

from django.core.exceptions import EmptyResultSet
from django.db import connections, models

from accounts.models import Organization, User
from helpcenter.sql import prepared
from plans.models import Plan
from tickets.models import Ticket
from tickets.sla import CLOCK_FIELDS

ROW_COLUMNS = ("id", "key", "summary", "plan_id", "severity", "last_activity_at")
COLUMNS = tuple(dict.fromkeys((*ROW_COLUMNS, *CLOCK_FIELDS)))
PLAN = COLUMNS.index("plan_id")
ORGANIZATION_COLUMNS = ("id", "name", "time_zone")
ASSIGNEE_COLUMNS = ("id", "email", "full_name")


def _columns_of(model, *borrowed: str) -> type:
    """A class of objects holding some columns of `model`'s rows, with its `_meta`, `pk`,
    `__str__`, `serializable_value` (what Django's admin reads of a row) and the `borrowed`
    properties."""
    namespace = {
        "_meta": model._meta,
        "pk": property(attrgetter(model._meta.pk.attname)),
        "__str__": model.__str__,
        "serializable_value": models.Model.serializable_value,
        **{name: model.__dict__[name] for name in borrowed},
    }
    return type(f"Listed{model.__name__}", (), namespace)


ListedTicket = _columns_of(Ticket)
ListedOrganization = _columns_of(Organization, "zone")
ListedAssignee = _columns_of(User, "display_name")


def _related(model_class: type, columns: tuple[str, ...], values: tuple, seen: dict):
    """One object per related row of the page (None where the request has none)."""
    key = values[0]
    if key is None:
        return None
    found = seen.get(key)
    if found is None:
        found = seen[key] = _filled(model_class, columns, values)
    return found


def _filled(model_class: type, columns: tuple[str, ...], values) -> object:
    obj = model_class.__new__(model_class)
    obj.__dict__.update(zip(columns, values, strict=True))
    return obj


def listed_requests(page, *, plans: dict[int, Plan]) -> list:
    """The page's requests (`page`: the list's queryset, sliced to the page), each with its
    organization, assignee and plan (from `plans` by key; any other is read here)."""
    rows = _prepared_rows(
        page.values_list(
            *COLUMNS,
            *(f"organization__{column}" for column in ORGANIZATION_COLUMNS),
            *(f"assignee__{column}" for column in ASSIGNEE_COLUMNS),
        )
    )
    plans = dict(plans or {})
    missing = {row[PLAN] for row in rows} - plans.keys()
    if missing:
        plans.update(Plan.objects.in_bulk(missing))
    width = len(COLUMNS)
    assignee_from = width + len(ORGANIZATION_COLUMNS)
    organizations, assignees, listed = {}, {}, []
    for row in rows:
        ticket = _filled(ListedTicket, COLUMNS, row[:width])
        ticket.organization = _related(
            ListedOrganization, ORGANIZATION_COLUMNS, row[width:assignee_from], organizations
        )
        ticket.assignee = _related(ListedAssignee, ASSIGNEE_COLUMNS, row[assignee_from:], assignees)
        ticket.plan = plans.get(ticket.plan_id)
        listed.append(ticket)
    return listed


def _prepared_rows(values) -> list:
    """The rows of a `values_list` queryset, its SQL run as a statement prepared once per
    connection (`helpcenter.sql.prepared`): PostgreSQL spent longer planning the page's query
    than running it. The rows go through the fields' converters as Django's own reading does
    (SQLite's times, under `make run`)."""
    compiler = values.query.get_compiler(using=values.db)
    try:
        sql, params = compiler.as_sql()
    except EmptyResultSet:
        return []
    with connections[values.db].cursor() as cursor:
        cursor.execute(*prepared(sql, params, using=values.db))
        rows = cursor.fetchall()
    if compiler.has_extra_select:  # columns the order needs, past those asked for
        rows = [row[: compiler.col_count] for row in rows]
    converters = compiler.get_converters(
        [expression for expression, *_ in compiler.select[: compiler.col_count]]
    )
    return list(compiler.apply_converters(rows, converters)) if converters else rows
