"""Help-center search at 10,000 articles and 100,000 requests on PostgreSQL: query counts and
in-process timings of the search page and the suggestion endpoint. Prints figures only.

Seeds its own database (`<DATABASE_URL server>/helpcenter_bench_search`): the demo data, then
BENCH_ARTICLES published articles (default 10,000) and BENCH_TICKETS requests (default 100,000)
spread over 200 organizations, a third of them resolved and shared; Acme, the demo
organization of alice and carol, holds 2,000 of them."""

import io
import os
import random
import statistics
import sys
import time
from pathlib import Path

import psycopg2

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
SERVER_URL = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/helpcenter")
BENCH_DB = "helpcenter_bench_search"
BENCH_URL = SERVER_URL.rsplit("/", 1)[0] + "/" + BENCH_DB
ARTICLES = int(os.environ.get("BENCH_ARTICLES", "10000"))
TICKETS = int(os.environ.get("BENCH_TICKETS", "100000"))
ORGANIZATIONS = 200
REPEAT = int(os.environ.get("BENCH_REPEAT", "30"))

COMPONENTS = ["TiDB", "TiKV", "PD", "TiFlash", "TiCDC", "Backup & Restore", "Import", "Console"]
SUBJECTS = [
    "backup", "restore", "changefeed", "import", "connection", "query", "index", "invoice",
    "hotspot", "upgrade", "scale-out", "region", "replica", "statistics", "transaction",
    "lock", "timeout", "certificate", "endpoint", "partition", "migration", "snapshot",
    "storage", "memory", "plan", "binding", "TLS", "password", "credit", "payment",
]  # fmt: skip
PROBLEMS = [
    "fails", "is slow", "times out", "stops", "is refused", "returns an error", "hangs",
    "uses too much memory", "falls behind", "is missing", "is charged twice", "is stuck",
]  # fmt: skip
SENTENCES = [
    "Check the {s} settings of the cluster before you retry the {t}.",
    "When the {s} {p}, the {c} logs show the exact error and its timestamp.",
    "Most {s} problems come from stale statistics; run ANALYZE TABLE and compare the plans.",
    "Scale out {c} nodes if the {s} needs more storage or memory than the cluster has.",
    "The {t} resumes from its checkpoint after a {s} error; open a request if it {p} again.",
    "Upgrade the client driver when the {s} {p} with a certificate or protocol error.",
    "Compare {s} latency in the monitoring page with the time the {t} started.",
    "A {s} that {p} during a maintenance window is retried automatically by {c}.",
]


def ensure_database() -> None:
    connection = psycopg2.connect(SERVER_URL.rsplit("/", 1)[0] + "/postgres")
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{BENCH_DB}" WITH (FORCE)')
        cursor.execute(f'CREATE DATABASE "{BENCH_DB}"')
    connection.close()


def text(rng: random.Random, sentences: int) -> str:
    parts = []
    for _ in range(sentences):
        parts.append(
            rng.choice(SENTENCES).format(
                s=rng.choice(SUBJECTS),
                t=rng.choice(SUBJECTS),
                p=rng.choice(PROBLEMS),
                c=rng.choice(COMPONENTS),
            )
        )
    return " ".join(parts)


def seed() -> None:
    from django.contrib.postgres.search import SearchVector
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    from accounts.models import Membership, Organization, User
    from knowledge.models import Article, Category, SearchWord
    from plans.models import Plan
    from tickets.models import SEARCH_CONFIG, Ticket

    call_command("migrate", verbosity=0)
    call_command("seed_demo", verbosity=0, stdout=io.StringIO())
    rng = random.Random(18)
    now = timezone.now()
    categories = list(Category.objects.all())
    Article.objects.bulk_create(
        Article(
            title=" ".join(
                [
                    "Why the",
                    rng.choice(SUBJECTS),
                    rng.choice(PROBLEMS),
                    "on",
                    rng.choice(COMPONENTS),
                ]
            ),
            slug=f"bench-article-{number}",
            category=categories[number % len(categories)],
            status=Article.Status.PUBLISHED,
            published_at=now,
            body=(body := text(rng, rng.randint(8, 30))),
            body_text=body,
        )
        for number in range(ARTICLES)
    )
    Article.objects.filter(search_vector__isnull=True).update(
        search_vector=SearchVector("title", weight="A", config=SEARCH_CONFIG)
        + SearchVector("body_text", weight="B", config=SEARCH_CONFIG)
    )
    words = {w.lower() for w in " ".join(SENTENCES + SUBJECTS + PROBLEMS).split() if w.isalpha()}
    SearchWord.objects.bulk_create([SearchWord(word=w) for w in words], ignore_conflicts=True)

    acme = Organization.objects.get(name="Acme Corp")
    alice = User.objects.get(email="alice@acme.example")
    plan = Plan.objects.get(code="enterprise")
    organizations = [acme]
    for number in range(ORGANIZATIONS - 1):
        organization = Organization.objects.create(name=f"Bench customer {number}")
        owner = User.objects.create_user(email=f"owner{number}@bench.example")
        Membership.objects.create(user=owner, organization=organization, role="owner")
        organizations.append((organization, owner))
    statuses = ["resolved", "waiting_for_support", "in_progress"]
    batch = []
    for number in range(TICKETS):
        if number % 50 == 0:
            organization, reporter = acme, alice
        else:
            organization, reporter = organizations[1 + number % (ORGANIZATIONS - 1)]
        status = statuses[number % 3]
        batch.append(
            Ticket(
                key=f"TECH-{200000 + number}",
                portal="technical",
                organization=organization,
                reporter=reporter,
                summary=f"The {rng.choice(SUBJECTS)} {rng.choice(PROBLEMS)}"[:255],
                description=text(rng, rng.randint(2, 6)),
                severity=("S1", "S2", "S3", "S4")[number % 4],
                environment="production",
                status=status,
                resolved_at=now if status == "resolved" else None,
                shared_with_organization=True,
                plan=plan,
            )
        )
        if len(batch) == 5000:
            Ticket.objects.bulk_create(batch)
            batch = []
    Ticket.objects.bulk_create(batch)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")


def main() -> None:
    ensure_database()
    os.environ["DATABASE_URL"] = BENCH_URL
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "helpcenter.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from accounts.models import User
    from knowledge.models import Article
    from tickets.models import Ticket

    settings.ALLOWED_HOSTS = ["*"]
    started = time.perf_counter()
    seed()
    print(
        f"Seeded {Article.objects.count()} articles and {Ticket.objects.count()} requests "
        f"in {time.perf_counter() - started:.0f} s"
    )
    alice, carol = Client(), Client()
    alice.force_login(User.objects.get(email="alice@acme.example"))
    carol.force_login(User.objects.get(email="carol@initech.example"))
    pages = [
        ("search  /articles/?q=backup restore", alice, "/articles/?q=backup+restore"),
        ("search  typo: bakup restore", alice, "/articles/?q=bakup+restore"),
        ("search  rare: why a backup or restore", alice, "/articles/?q=why+a+backup+or+restore"),
        ("search  no match: xylophone", alice, "/articles/?q=xylophone"),
        ("suggest backup restore failed", carol, "/articles/suggest/?q=backup+restore+failed"),
        ("suggest half typed: backup resto", carol, "/articles/suggest/?q=backup+resto"),
        ("home    /", alice, "/"),
    ]
    print(f"median and p90 of {REPEAT} runs, in-process (Django test client), PostgreSQL")
    print(f"{'page':42} {'status':>6} {'queries':>8} {'median ms':>10} {'p90 ms':>8}")
    for label, client, url in pages:
        client.get(url)
        timings = []
        for _ in range(REPEAT):
            with CaptureQueriesContext(connection) as queries:
                begun = time.perf_counter()
                response = client.get(url)
                timings.append((time.perf_counter() - begun) * 1000)
        timings.sort()
        print(
            f"{label:42} {response.status_code:>6} {len(queries):>8} "
            f"{statistics.median(timings):>10.1f} {timings[int(len(timings) * 0.9) - 1]:>8.1f}"
        )


if __name__ == "__main__":
    main()
