"""The pages' hottest queries run as statements prepared once per database connection."""

from datetime import UTC, datetime

import pytest
from django.db import connection

from helpcenter.sql import instances, prepared
from helpcenter.webhooks.models import WebhookEndpoint
from tests.factories import TicketFactory


def _prepared_names() -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM pg_prepared_statements WHERE name LIKE 'hc_%%'")
        return {name for (name,) in cursor.fetchall()}


@pytest.mark.django_db
def test_a_statement_is_prepared_once_and_reads_what_the_query_reads():
    sql = "SELECT %s::int + 1, 'it''s 100%%' || %s, %s::timestamptz"
    moment = datetime(2026, 11, 29, 12, tzinfo=UTC)
    already = _prepared_names()
    with connection.cursor() as cursor:
        cursor.execute(sql, [41, "!", moment])
        expected = cursor.fetchall()
        for _ in range(3):
            cursor.execute(*prepared(sql, [41, "!", moment]))
            assert cursor.fetchall() == expected
    assert len(_prepared_names() - already) == 1
    assert prepared(sql, [41, "!", moment])[0].startswith("EXECUTE hc_")


@pytest.mark.django_db
def test_values_of_other_types_run_the_query_itself():
    sql = "SELECT %s IS NULL"
    assert prepared(sql, [None]) == (sql, [None])


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_pages_keep_working_on_a_new_connection(client, enterprise_org):
    """A connection closed by its age or a failed health check forgets what it prepared."""
    organization, owner, _cluster = enterprise_org
    shared_ticket = TicketFactory(organization=organization, reporter=owner)
    client.force_login(shared_ticket.reporter)
    first = client.get(f"/requests/{shared_ticket.key}/")
    listed = client.get("/requests/", {"status": "all"})
    assert _prepared_names()
    connection.close()
    assert client.get(f"/requests/{shared_ticket.key}/").status_code == first.status_code == 200
    again = client.get("/requests/", {"status": "all"})
    assert again.status_code == 200
    assert shared_ticket.key in again.text and shared_ticket.key in listed.text


@pytest.mark.django_db
def test_a_connection_holds_a_bounded_number_of_statements(monkeypatch):
    monkeypatch.setattr("helpcenter.sql.MOST_PREPARED_PER_CONNECTION", 3)
    with connection.cursor() as cursor:
        for shape in range(7):
            sql = "SELECT %s::int + " + str(shape)
            cursor.execute(*prepared(sql, [1]))
            assert cursor.fetchone() == (1 + shape,)
    assert len(_prepared_names()) <= 3


@pytest.mark.django_db
def test_instances_are_the_objects_a_raw_queryset_gives(enterprise_org):
    """The same fields through the same converters (a JSON list, an aware time), the columns
    that are no field as attributes, and the fields not read deferred."""
    organization, owner, _cluster = enterprise_org
    for number in range(2):
        WebhookEndpoint.objects.create(
            organization=organization,
            url=f"https://hooks.example.com/{number}",
            events=["request.created", f"event-{number}"],
            created_by=owner,
        )
    table = WebhookEndpoint._meta.db_table
    sql = f"SELECT id, url, events, created_at, 6 * %s AS answer FROM {table} ORDER BY id"
    expected = list(WebhookEndpoint.objects.raw(sql, [7]))
    for _ in range(2):  # the plan made by the first read serves the second
        read = instances(WebhookEndpoint, sql, [7])
        assert [endpoint.pk for endpoint in read] == [endpoint.pk for endpoint in expected]
        for mine, theirs in zip(read, expected, strict=True):
            assert mine.events == theirs.events and isinstance(mine.events, list)
            assert mine.url == theirs.url
            assert mine.created_at == theirs.created_at and mine.created_at.tzinfo is not None
            assert mine.answer == theirs.answer == 42
            assert mine.get_deferred_fields() == theirs.get_deferred_fields() != set()
            assert not mine._state.adding and mine._state.db == "default"


@pytest.mark.django_db
def test_instances_need_the_primary_key():
    table = WebhookEndpoint._meta.db_table
    with pytest.raises(ValueError, match="primary key"):
        instances(WebhookEndpoint, f"SELECT url FROM {table} WHERE id = %s", [1])
