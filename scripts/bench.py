"""Time the busiest pages on PostgreSQL with thousands of requests; prints figures only."""

import io
import os
import statistics
import sys
import time
from pathlib import Path

import psycopg2

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
BASE_URL = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/helpcenter")
BENCH_URL = BASE_URL.rsplit("/", 1)[0] + "/helpcenter_bench"
TICKETS = int(os.environ.get("BENCH_TICKETS", "5000"))
REPEAT = 15


def ensure_database():
    connection = psycopg2.connect(BASE_URL.rsplit("/", 1)[0] + "/postgres")
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute("DROP DATABASE IF EXISTS helpcenter_bench")
        cursor.execute("CREATE DATABASE helpcenter_bench")
    connection.close()


def main():
    ensure_database()
    os.environ["DATABASE_URL"] = BENCH_URL
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "helpcenter.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    settings.ALLOWED_HOSTS = ["*"]
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    call_command("migrate", verbosity=0)
    call_command("seed_demo", verbosity=0, stdout=io.StringIO())

    from accounts.models import Organization, User
    from plans.models import Plan
    from tickets.models import Ticket

    bob = User.objects.get(email="bob@globex.example")
    globex = Organization.objects.get(name="Globex")
    plan = Plan.objects.get(code="enterprise")
    Ticket.objects.bulk_create(
        Ticket(
            key=f"TECH-{100000 + n}",
            portal="technical",
            organization=globex,
            reporter=bob,
            summary=f"Benchmark request {n} about region {n % 97}",
            description="Latency went up after a scale-out. " * 20,
            severity=("S1", "S2", "S3", "S4")[n % 4],
            environment="production",
            status=("waiting_for_support", "in_progress", "resolved")[n % 3],
            shared_with_organization=True,
            plan=plan,
        )
        for n in range(TICKETS)
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")

    customer, agent = Client(), Client()
    customer.force_login(bob)
    agent.force_login(User.objects.get(email="agent@support.example"))
    key = Ticket.objects.filter(reporter=bob).first().key
    pages = [
        ("customer  /requests/", customer, "/requests/?status=all"),
        ("customer  /requests/ search", customer, "/requests/?status=all&q=region+42"),
        ("customer  /requests/<key>/", customer, f"/requests/{key}/"),
        ("customer  /requests/export.csv", customer, "/requests/export.csv?status=all"),
        ("engineer  /admin/tickets/ticket/", agent, "/admin/tickets/ticket/"),
        ("engineer  admin search", agent, "/admin/tickets/ticket/?q=region+42"),
    ]
    print(f"{TICKETS} requests in PostgreSQL; median of {REPEAT} runs")
    print(f"{'page':40} {'status':>6} {'queries':>8} {'median ms':>10} {'p90 ms':>8}")
    for label, client, url in pages:
        timings = []
        for _ in range(REPEAT):
            with CaptureQueriesContext(connection) as queries:
                started = time.perf_counter()
                response = client.get(url)
                if hasattr(response, "streaming_content"):
                    b"".join(response.streaming_content)
                timings.append((time.perf_counter() - started) * 1000)
        timings.sort()
        print(
            f"{label:40} {response.status_code:>6} {len(queries):>8} "
            f"{statistics.median(timings):>10.1f} {timings[int(len(timings) * 0.9) - 1]:>8.1f}"
        )


if __name__ == "__main__":
    main()
