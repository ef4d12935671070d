"""The pages customers open most are served by indexes, checked on data shaped like the bench
(helpcenter/bench/seed.py at a fifth of its size: same per-customer and per-organization
shape, one comment per request and no articles, which these plans do not read), analyzed as
the bench is. Every SQL query a page runs is EXPLAINed as PostgreSQL would plan it, with every
planner alternative left on; none may read the whole request table."""

import dataclasses
import re

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import User
from helpcenter.bench.seed import CUSTOMER_EMAIL, ENGINEER_EMAIL, SEARCH_WORD, Volume, seed
from tickets.models import Ticket

pytestmark = pytest.mark.django_db
FULL_SCAN_OF_REQUESTS = re.compile(r"Seq Scan on tickets_ticket(\s|$)")


@pytest.fixture(scope="module")
def bench_shaped(django_db_setup, django_db_blocker):
    """Seeded once for the module inside a transaction that is rolled back at the end."""
    with django_db_blocker.unblock(), transaction.atomic():
        seed(dataclasses.replace(Volume.scaled(0.2), comments_per_request=1, articles=0))
        yield User.objects.get(email=CUSTOMER_EMAIL)
        transaction.set_rollback(True)


@pytest.fixture
def customer(bench_shaped, client):
    client.force_login(bench_shaped)
    return bench_shaped


def request_table_plans(client, url, *, reading_rows=False) -> list[str]:
    """The plan of every query the page runs against the request table (`reading_rows`: only
    those that read a page of rows, not the counts)."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    plans = []
    for query in queries.captured_queries:
        if '"tickets_ticket"' not in query["sql"]:
            continue
        if reading_rows and "LIMIT" not in query["sql"]:
            continue
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN " + query["sql"])
            plans.append("\n".join(row[0] for row in cursor.fetchall()))
    assert plans, "the page read no requests"
    return plans


def assert_served_by_indexes(plans: list[str]) -> None:
    for plan in plans:
        assert not FULL_SCAN_OF_REQUESTS.search(plan), plan
        assert "Index" in plan, plan


def test_the_data_has_the_bench_shape(customer):
    visible = Ticket.objects.count()
    assert visible == 20_000
    assert 200 < len(Ticket.objects.filter(organization__memberships__user=customer)) < 1_000


def test_the_requests_page_uses_indexes(customer, client):
    assert_served_by_indexes(request_table_plans(client, "/requests/?status=all"))


def test_the_default_requests_page_uses_indexes(customer, client):
    assert_served_by_indexes(request_table_plans(client, "/requests/"))


def test_search_uses_indexes(customer, client):
    assert_served_by_indexes(request_table_plans(client, f"/requests/?status=all&q={SEARCH_WORD}"))


@pytest.mark.parametrize("url", ["/requests/", "/requests/?status=all", "/requests/?status=closed"])
def test_the_requests_page_counts_and_chooses_its_rows_from_the_visibility_indexes(
    customer, client, url
):
    """Which requests match, how many, and which 50 are shown are read from columns the two
    visibility indexes carry: on a vacuumed table (the bench, production) that is an index-only
    scan, and only the page's own 50 rows are read from the table. A test transaction cannot
    vacuum, so the columns are compared here, alternative by alternative."""
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    (page,) = [q["sql"] for q in queries.captured_queries if "WITH matching" in q["sql"]]
    matching = page.split("WITH matching AS (", 1)[1].split("page AS MATERIALIZED", 1)[0]
    alternatives = matching.split(" UNION ")
    assert len(alternatives) == 2, matching
    carried = [
        {
            Ticket._meta.get_field(name.lstrip("-")).column
            for name in [*index.fields, *index.include]
        }
        for index in Ticket._meta.indexes
        if index.name in ("ticket_org_visible_idx", "ticket_reporter_visible_idx")
    ]
    for alternative in alternatives:
        read = {"id", "last_activity_at", *re.findall(r'"tickets_ticket"\."(\w+)"', alternative)}
        assert any(read <= columns for columns in carried), (read, carried)


def test_a_request_shared_with_the_organization_is_found_by_index(customer, client):
    shared = (
        Ticket.objects.filter(
            organization__memberships__user=customer, shared_with_organization=True
        )
        .exclude(reporter=customer)
        .first()
    )
    assert_served_by_indexes(request_table_plans(client, f"/requests/{shared.key}/"))


@pytest.fixture
def engineer(bench_shaped, client):
    engineer = User.objects.get(email=ENGINEER_EMAIL)
    TOTPDevice.objects.create(user=engineer, name="Authenticator", confirmed=True)
    client.force_login(engineer)
    return engineer


KEY_LOOKUP = re.compile(r"Index Scan using tickets_ticket_key_\w+ on tickets_ticket\s")
BITMAP_SCAN_OF_REQUESTS = re.compile(r"Bitmap \w+ Scan on tickets_ticket\s")


def test_the_request_page_finds_its_request_by_the_key_alone(customer, client):
    """The request is one row of the key's index, its visibility checked on that row: no
    visibility branch of the request table, sort or other request is read to find it (the
    planner may read the user's few memberships or participations once, by their indexes)."""
    newest = Ticket.objects.filter(reporter=customer).order_by("-last_activity_at").first()
    plans = request_table_plans(client, f"/requests/{newest.key}/")
    # The key as a value, or as a parameter once PostgreSQL reuses the prepared statement's plan.
    key_condition = re.compile(rf"\(key\)::text = ('{re.escape(newest.key)}'::text|\$\d+)\)")
    lookups = [plan for plan in plans if key_condition.search(plan)]
    assert len(lookups) == 1, plans
    assert KEY_LOOKUP.search(lookups[0]), lookups[0]
    assert "Sort Key: tickets_ticket." not in lookups[0], lookups[0]
    assert not BITMAP_SCAN_OF_REQUESTS.search(lookups[0]), lookups[0]


def test_the_admin_list_reads_its_first_page_in_urgency_order_from_an_index(engineer, client):
    assert_served_by_indexes(
        request_table_plans(client, "/admin/tickets/ticket/", reading_rows=True)
    )


def test_the_admin_open_queue_is_counted_and_read_from_indexes(engineer, client):
    assert_served_by_indexes(request_table_plans(client, "/admin/tickets/ticket/?queue=all_open"))


def test_the_admin_search_is_counted_and_read_from_indexes(engineer, client):
    plans = request_table_plans(client, f"/admin/tickets/ticket/?q={SEARCH_WORD}")
    assert_served_by_indexes(plans)
    assert all("tickets_ticket_summary_trgm" in plan for plan in plans), plans


HEAP_READ_OF_REQUESTS = re.compile(
    r"((?<!Only )Index Scan using \w+|Bitmap Heap Scan|Seq Scan) on tickets_ticket(\s|$)"
)


def test_the_admin_index_counts_the_queues_from_one_covering_index(engineer, client):
    """The counts read only columns ticket_open_queue_idx carries, so on a vacuumed table (the
    bench, production) they are an index-only scan; a test transaction cannot vacuum, so the
    columns are compared here."""
    assert_served_by_indexes(request_table_plans(client, "/admin/"))
    with CaptureQueriesContext(connection) as queries:
        client.get("/admin/")
    (counts,) = [q["sql"] for q in queries.captured_queries if '"tickets_ticket"' in q["sql"]]
    index = next(i for i in Ticket._meta.indexes if i.name == "ticket_open_queue_idx")
    carried = {Ticket._meta.get_field(name).column for name in [*index.fields, *index.include]}
    assert set(re.findall(r'"tickets_ticket"\."(\w+)"', counts)) <= carried


def test_the_reports_page_counts_requests_from_indexes_alone(engineer, client):
    """Every figure over requests is answered by an index-only scan of a covering index: a
    clock rule or filter reading a column the report indexes do not carry shows up here."""
    plans = [
        plan
        for plan in request_table_plans(client, "/admin/reports/?period=90")
        if "satisfaction" not in plan  # ratings are read through their own date index
    ]
    assert len(plans) >= 9
    for plan in plans:
        assert not HEAP_READ_OF_REQUESTS.search(plan), plan
        assert "Index Only Scan" in plan, plan
