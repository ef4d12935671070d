"""Help-center search at 10,000 articles and 100,000 requests on PostgreSQL: query counts and
in-process timings of the search page and the suggestion endpoint. Prints figures only.

Seeds its own database (`<DATABASE_URL server>/helpcenter_bench_search`): the demo data, then
BENCH_ARTICLES published articles (default 10,000) and BENCH_TICKETS requests (default 100,000)
spread over 200 organizations, a third of them resolved and shared; Acme, the demo
organization of alice and carol, holds 2,000 of them. Each generated article and request is
about a topic (two of 50 areas, a component, a problem) and is otherwise written from generic
sentences, so a topic word is in a few percent of the articles and a generic word ("cluster")
in most of them: one line measures that worst case. BENCH_REUSE=1 measures an existing seed.
The home page is timed last as a yardstick for how busy the machine was."""

import io
import os
import random
import re
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

COMPONENTS = [
    "TiDB", "TiKV", "PD", "TiFlash", "TiCDC", "BR", "Lightning", "DM", "Dumpling", "Console",
]  # fmt: skip
AREAS = [
    "backup", "restore", "upgrade", "scaling", "import", "export", "changefeed", "index",
    "statistics", "execution plan", "lock", "transaction", "region", "hotspot", "memory", "disk",
    "certificate", "endpoint", "password", "invoice", "credit", "payment", "quota", "audit log",
    "private link", "VPC peering", "firewall", "collation", "charset", "partition", "TTL",
    "placement rule", "resource group", "slow query", "deadlock", "garbage collection",
    "snapshot", "replica", "leader", "timezone", "binlog", "schema change", "foreign key",
    "sequence", "auto increment", "JSON column", "vector search", "connection pool", "driver",
]  # fmt: skip
PROBLEMS = [
    "fails", "is slow", "times out", "stops", "is refused", "returns an error", "hangs",
    "uses too much memory", "falls behind", "is missing", "is charged twice", "is stuck",
]  # fmt: skip
TOPIC_SENTENCES = [
    "When the {a} {p}, the {c} logs show the exact error and its timestamp.",
    "Check the {a} settings before you retry; most {a} problems come from a changed default.",
    "The {a} resumes from its checkpoint after an error; open a request if it {p} again.",
    "Compare the {a} with the {b} in the monitoring page for the minutes before it {p}.",
    "A {a} that {p} during a maintenance window is retried automatically by {c}.",
]
FILLER = [
    "Open the cluster overview and note the version shown next to its name.",
    "Keep the exact error message, the time with its zone and the statement that ran.",
    "The monitoring page keeps seven days of metrics at one-minute resolution.",
    "Changes to cluster settings apply to new sessions; reconnect the application after them.",
    "Engineers answer within the response time of your support plan.",
    "Attach the output of the diagnostic command to your request to save a round trip.",
    "Scale out only after you have checked the slowest statements of the last hour.",
    "Most settings can be changed online, without a restart or downtime.",
    "Rolling operations move one node at a time, so clients may see short reconnects.",
    "Use a staging cluster to try the change before you make it in production.",
]


def topic(rng: random.Random) -> dict:
    first, second = rng.sample(AREAS, 2)
    return {"a": first, "b": second, "c": rng.choice(COMPONENTS), "p": rng.choice(PROBLEMS)}


def text(rng: random.Random, about: dict, sentences: int) -> str:
    parts = []
    for _ in range(sentences):
        if rng.random() < 0.35:
            words = dict(about, p=rng.choice(PROBLEMS))
            if rng.random() < 0.5:
                words["a"], words["b"] = about["b"], about["a"]
            parts.append(rng.choice(TOPIC_SENTENCES).format(**words))
        else:
            parts.append(rng.choice(FILLER))
    return " ".join(parts)


def ensure_database() -> None:
    connection = psycopg2.connect(SERVER_URL.rsplit("/", 1)[0] + "/postgres")
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{BENCH_DB}" WITH (FORCE)')
        cursor.execute(f'CREATE DATABASE "{BENCH_DB}"')
    connection.close()


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
    premium = Plan.objects.get(code="enterprise")
    articles = []
    for number in range(ARTICLES):
        about = topic(rng)
        body = text(rng, about, rng.randint(8, 30))
        articles.append(
            Article(
                title=f"Why the {about['a']} {about['p']} on {about['c']}",
                slug=f"bench-article-{number}",
                category=categories[number % len(categories)],
                status=Article.Status.PUBLISHED,
                published_at=now,
                minimum_plan=premium if number % 10 == 0 else None,
                body=body,
                body_text=body,
            )
        )
    Article.objects.bulk_create(articles, batch_size=2000)
    Article.objects.filter(search_vector__isnull=True).update(
        search_vector=SearchVector("title", weight="A", config=SEARCH_CONFIG)
        + SearchVector("body_text", weight="B", config=SEARCH_CONFIG),
        title_vector=SearchVector("title", weight="A", config=SEARCH_CONFIG),
    )
    vocabulary = " ".join(TOPIC_SENTENCES + FILLER + AREAS + PROBLEMS + COMPONENTS)
    words = {w.lower() for w in re.findall(r"[^\W\d_]{3,}", vocabulary)}
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
        about = topic(rng)
        batch.append(
            Ticket(
                key=f"TECH-{200000 + number}",
                portal="technical",
                organization=organization,
                reporter=reporter,
                summary=f"The {about['a']} {about['p']} on {about['c']}",
                description=text(rng, about, rng.randint(2, 6)),
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
    reuse = os.environ.get("BENCH_REUSE") == "1"
    if not reuse:
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
    if not reuse:
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
        ("search  in most articles: cluster", alice, "/articles/?q=cluster"),
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
