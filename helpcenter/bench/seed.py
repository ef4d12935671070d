"""The benchmark data set: 100,000 requests, 300,000 comments, 2,000 customers in 200
organizations, 20 support engineers and 10,000 knowledge-base articles, with realistic spreads
of plan, portal, status, severity, sharing and age. Loaded with COPY, so the whole set goes in
well under two minutes.

Deterministic (one seeded random generator). Two named customers are what `make bench` measures:
`customer@bench.example` (a member of an ordinary organization: about 400 visible requests) and
`bigcustomer@bench.example` (the only member of one large organization: exactly
BIG_ORGANIZATION_REQUESTS requests, all shared), plus `engineer01@support.example`."""

import io
import random
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from types import SimpleNamespace

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.core.management.color import no_style
from django.db import connection, models, transaction
from django.utils import timezone

from accounts.models import Cluster, Membership, Organization, User
from knowledge.models import Article, Category, SearchWord, article_search_vectors
from plans.models import Plan, PlanPortal, ResponseTarget, Subscription
from tickets.models import (
    SUPPORT_ENGINEERS_GROUP,
    Comment,
    Component,
    SatisfactionRating,
    Ticket,
    TicketEvent,
    TicketKeyCounter,
)
from tickets.sla import active_due_at

PASSWORD = "bench-password-1"
CUSTOMER_EMAIL = "customer@bench.example"
BIG_CUSTOMER_EMAIL = "bigcustomer@bench.example"
ENGINEER_EMAIL = "engineer01@support.example"
BIG_ORGANIZATION_REQUESTS = 10_000

# Text follows Zipf's law like real writing: common words everywhere, technical terms rarer
# (rank r drawn with weight 1/r), so a search for one term matches a few per cent of requests.
COMMON_WORDS = (  # noqa: SIM905 - a sentence reads better than a list literal
    "the we our is to and a of in it after since this that on for with but not from please "
    "could you help us why happens yesterday morning tried restarting service issue persists "
    "update application reports errors every few minutes production again still now when"
).split()
TECHNICAL_WORDS = (  # noqa: SIM905 - most frequent first
    "cluster query node latency timeout connection error table index upgrade region store "
    "tikv tidb pd memory cpu disk backup restore import statistics plan slow leader replica "
    "transaction write read lock retry schema partition ddl job changefeed sink kafka mysql "
    "billing invoice payment quota endpoint certificate password user role privilege console "
    "dashboard metrics alert grafana log audit export snapshot compaction raft tiflash ticdc "
    "scale storage throughput hotspot split merge gc safepoint tso follower learner placement "
    "rule label zone vpc peering link dns proxy tls handshake token api sql optimizer hint "
    "binding cache pool session variable charset collation sequence autoincrement ttl "
    "resource group quota burst limit throttle oom panic goroutine heap profile trace span "
    "batch coprocessor cop mpp exchange join aggregation window cte subquery prepared cursor "
    "deadlock pessimistic optimistic conflict rollback savepoint isolation staleness "
    "flashback recover truncate drop rename alter column foreign constraint unique primary"
).split()
SEARCH_WORD = "deadlock"
SUBJECTS = [
    "TiKV store disconnected",
    "Slow query after upgrade",
    "Changefeed lagging behind",
    "Invoice shows wrong amount",
    "Cannot connect over private link",
    "Backup job failed",
    "Import stuck at 99%",
    "TiFlash replica not available",
    "PD leader keeps changing",
    "Out of memory during analyze",
    "Credit card declined on upgrade",
    "DDL job blocked",
    "High write latency on region",
    "Certificate expired on endpoint",
    "Quota increase request",
]
COMPONENT_COUNT_WEIGHTS = (0, 1, 2)
TIME_ZONES = ["UTC", "Europe/Berlin", "America/New_York", "Asia/Shanghai", "Asia/Tokyo"]
PLAN_MIX = (("basic", 0.35), ("developer", 0.30), ("enterprise", 0.28), ("premium", 0.07))


@dataclass
class Volume:
    requests: int = 100_000
    comments_per_request: int = 3
    customers: int = 2_000
    organizations: int = 200
    engineers: int = 20
    days: int = 730
    big_organization_requests: int = BIG_ORGANIZATION_REQUESTS
    articles: int = 10_000

    @classmethod
    def scaled(cls, factor: float) -> "Volume":
        """The same shape with fewer rows (the EXPLAIN tests use a fraction of the bench)."""
        return cls(
            requests=int(cls.requests * factor),
            customers=max(40, int(cls.customers * factor)),
            organizations=max(4, int(cls.organizations * factor)),
            big_organization_requests=int(BIG_ORGANIZATION_REQUESTS * factor),
            articles=int(cls.articles * factor),
        )


@dataclass
class Counts:
    tables: dict[str, int] = field(default_factory=dict)


def _vocabulary() -> tuple[list[str], list[float]]:
    """Technical terms, then generated identifiers (error codes, tables, hosts), by rank."""
    terms = list(TECHNICAL_WORDS)
    for number in range(800):
        terms.append(
            (f"error-{8000 + number}", f"orders_{number}", f"tikv-{number}", f"job-{number}")[
                number % 4
            ]
        )
    return terms, [1 / rank for rank in range(1, len(terms) + 1)]


TERMS, TERM_WEIGHTS = _vocabulary()


def _text(rng: random.Random, low: int, high: int) -> str:
    count = rng.randint(low, high)
    words = rng.choices(COMMON_WORDS, k=count - count // 2)
    words += rng.choices(TERMS, weights=TERM_WEIGHTS, k=count // 2)
    rng.shuffle(words)
    return " ".join(words).capitalize() + "."


def _copy_value(value) -> str:
    if value is None:
        return r"\N"
    if value is True:
        return "t"
    if value is False:
        return "f"
    if isinstance(value, datetime):
        return value.isoformat()
    text = str(value)
    return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def _copy(model: type[models.Model], rows: list[dict], counts: Counts) -> None:
    """COPY rows (dicts keyed by attname) into the model's table; columns the rows leave out
    take the field's default (or "" for a blank text field), so new nullable, defaulted or
    blank fields need no change here."""
    if not rows:
        return
    now = timezone.now()
    fields = model._meta.concrete_fields
    defaults = {}
    for model_field in fields:
        if model_field.attname in rows[0]:
            continue
        if model_field.has_default():
            defaults[model_field.attname] = model_field.get_default()
        elif getattr(model_field, "auto_now", False) or getattr(model_field, "auto_now_add", False):
            defaults[model_field.attname] = now
        elif model_field.null:
            defaults[model_field.attname] = None
        elif model_field.blank and model_field.get_internal_type() in ("CharField", "TextField"):
            defaults[model_field.attname] = ""
        else:
            raise ValueError(f"{model.__name__}.{model_field.attname} needs a value")
    buffer = io.StringIO()
    for row in rows:
        buffer.write(
            "\t".join(
                _copy_value(row[f.attname] if f.attname in row else defaults[f.attname])
                for f in fields
            )
        )
        buffer.write("\n")
    buffer.seek(0)
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    with connection.cursor() as cursor:
        cursor.cursor.copy_expert(
            f"COPY {connection.ops.quote_name(model._meta.db_table)} ({columns}) FROM STDIN",
            buffer,
        )
    counts.tables[model._meta.db_table] = counts.tables.get(model._meta.db_table, 0) + len(rows)


def _later_clocks(
    rng: random.Random,
    target: ResponseTarget | None,
    *,
    created: datetime,
    responded: datetime | None,
    now: datetime,
) -> dict:
    """The resolution clock from filing and, for half the answered requests, a next-response
    round started by a customer comment after the first answer (answered in two of three)."""
    fields = dict.fromkeys(
        (
            "next_response_target_minutes",
            "next_response_started_at",
            "next_response_due_at",
            "next_response_warn_at",
            "next_responded_at",
            "resolution_target_minutes",
            "resolution_due_at",
            "resolution_warn_at",
        )
    )
    if target is None:
        return fields
    fields["next_response_target_minutes"] = target.next_response_minutes
    fields["resolution_target_minutes"] = target.resolution_minutes
    if target.resolution_minutes:
        allowed = timedelta(minutes=target.resolution_minutes)
        fields["resolution_due_at"] = created + allowed
        fields["resolution_warn_at"] = created + allowed * 0.75
    if target.next_response_minutes and responded is not None and rng.random() < 0.5:
        started = responded + timedelta(minutes=rng.randint(10, 3000))
        if started < now:
            allowed = timedelta(minutes=target.next_response_minutes)
            answered = started + timedelta(minutes=rng.randint(5, target.next_response_minutes * 2))
            fields.update(
                next_response_started_at=started,
                next_response_due_at=started + allowed,
                next_response_warn_at=started + allowed * 0.75,
                next_responded_at=answered if answered < now and rng.random() < 0.67 else None,
            )
    return fields


def _status_for_age(rng: random.Random, age_days: float) -> str:
    """Recent requests are mostly open; old ones mostly resolved or closed."""
    Status = Ticket.Status
    if age_days < 7:
        table = (
            (0.35, Status.WAITING_FOR_SUPPORT),
            (0.60, Status.IN_PROGRESS),
            (0.75, Status.WAITING_FOR_CUSTOMER),
            (0.95, Status.RESOLVED),
            (1.0, Status.CANCELED),
        )
    elif age_days < 30:
        table = (
            (0.05, Status.WAITING_FOR_SUPPORT),
            (0.12, Status.IN_PROGRESS),
            (0.18, Status.WAITING_FOR_CUSTOMER),
            (0.55, Status.RESOLVED),
            (0.97, Status.CLOSED),
            (1.0, Status.CANCELED),
        )
    else:
        table = (
            (0.005, Status.WAITING_FOR_SUPPORT),
            (0.01, Status.IN_PROGRESS),
            (0.015, Status.WAITING_FOR_CUSTOMER),
            (0.04, Status.RESOLVED),
            (0.97, Status.CLOSED),
            (1.0, Status.CANCELED),
        )
    draw = rng.random()
    return next(status for limit, status in table if draw < limit)


@contextmanager
def _indexes_built_afterwards(models_: list[type[models.Model]]):
    """Drop the tables' plain indexes during the load and build them once at the end: one
    CREATE INDEX is many times faster than keeping a trigram index up to date row by row."""
    tables = [model._meta.db_table for model in models_]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = ANY(%s) "
            "AND indexname NOT IN (SELECT conname FROM pg_constraint)",
            [tables],
        )
        definitions = cursor.fetchall()
        for name, _definition in definitions:
            cursor.execute(f"DROP INDEX {connection.ops.quote_name(name)}")
    yield
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
        for _name, definition in definitions:
            cursor.execute(definition)


@transaction.atomic
def seed(volume: Volume | None = None, *, analyze: bool = True) -> Counts:
    """Load the data set into an empty, migrated database."""
    volume = volume or Volume()
    rng = random.Random(11)
    now = timezone.now().replace(microsecond=0)
    counts = Counts()
    password = make_password(PASSWORD)

    plans = {plan.code: plan for plan in Plan.objects.all()}
    technical_plans = set(
        PlanPortal.objects.filter(portal="technical").values_list("plan__code", flat=True)
    )
    response_targets = {
        (target.plan_id, target.severity): target for target in ResponseTarget.objects.all()
    }
    targets = {key: target.minutes for key, target in response_targets.items()}
    # The next-response and resolution clocks draw from their own generator, so the rest of
    # the data set stays what it was before they existed.
    clock_rng = random.Random(23)
    components = list(Component.objects.values_list("pk", flat=True))
    engineers_group = Group.objects.get(name=SUPPORT_ENGINEERS_GROUP)

    # Organizations: the first is the large one, the rest share the ordinary customers.
    organizations = []
    for number in range(1, volume.organizations + 1):
        plan_code = (
            "enterprise"
            if number <= 2
            else rng.choices([c for c, _w in PLAN_MIX], [w for _c, w in PLAN_MIX])[0]
        )
        organizations.append(
            {
                "id": number,
                "name": f"Bench Org {number:03d}",
                "time_zone": rng.choice(TIME_ZONES),
                "created_at": now - timedelta(days=volume.days + 30),
                "plan": plans[plan_code],
            }
        )
    _copy(
        Organization,
        [{k: v for k, v in org.items() if k != "plan"} for org in organizations],
        counts,
    )
    _copy(
        Subscription,
        [
            {
                "id": org["id"],
                "organization_id": org["id"],
                "plan_id": org["plan"].pk,
                "started_at": org["created_at"],
                "trial_ends_at": None,
                "payment_method_id": None,
            }
            for org in organizations
            if org["plan"].code != "basic"
        ],
        counts,
    )
    clusters = {}
    cluster_rows = []
    for org in organizations:
        clusters[org["id"]] = []
        for position in range(rng.randint(1, 4)):
            environment = "production" if position == 0 or rng.random() < 0.5 else "non-production"
            cluster_rows.append(
                {
                    "id": len(cluster_rows) + 1,
                    "organization_id": org["id"],
                    "name": f"cluster-{org['id']:03d}-{position}",
                    "tier": rng.choice(["starter", "essential", "dedicated"]),
                    "region": rng.choice(["aws-us-east-1", "gcp-europe-west3", "aws-ap-east-1"]),
                    "version": rng.choice(["v7.5.4", "v8.1.2", "v8.5.1"]),
                    "environment": environment,
                    "created_at": org["created_at"],
                }
            )
            clusters[org["id"]].append((len(cluster_rows), environment))
    _copy(Cluster, cluster_rows, counts)

    # People: customers spread over the ordinary organizations (a tenth also belong to a
    # second one), the large organization's single member, and the support engineers.
    users = []

    def add_user(email, full_name, **flags):
        users.append(
            {
                "id": len(users) + 1,
                "email": email,
                "full_name": full_name,
                "password": password,
                "is_active": True,
                "is_staff": flags.get("is_staff", False),
                "is_superuser": False,
                "date_joined": now - timedelta(days=volume.days + 30),
                "last_login": None,
            }
        )
        return len(users)

    members: dict[int, list[int]] = {org["id"]: [] for org in organizations}
    memberships = []

    def join(user_id, organization_id, role):
        members[organization_id].append(user_id)
        memberships.append(
            {
                "id": len(memberships) + 1,
                "user_id": user_id,
                "organization_id": organization_id,
                "role": role,
                "joined_at": now - timedelta(days=volume.days + 30),
            }
        )

    big_org = organizations[0]["id"]
    join(add_user(BIG_CUSTOMER_EMAIL, "Bianca Big"), big_org, "owner")
    ordinary = [org["id"] for org in organizations[1:]]
    customers = []
    for number in range(volume.customers - 1):
        email = CUSTOMER_EMAIL if number == 0 else f"customer{number:04d}@bench.example"
        user_id = add_user(email, f"Customer {number:04d}")
        customers.append(user_id)
        home = ordinary[number % len(ordinary)]
        join(user_id, home, "owner" if number < len(ordinary) else "member")
        if number > 0 and rng.random() < 0.1:
            other = rng.choice(ordinary)
            if other != home:
                join(user_id, other, "member")
    engineers = [
        add_user(f"engineer{number:02d}@support.example", f"Engineer {number:02d}", is_staff=True)
        for number in range(1, volume.engineers + 1)
    ]
    _copy(User, users, counts)
    _copy(Membership, memberships, counts)
    User.groups.through.objects.bulk_create(
        [User.groups.through(user_id=pk, group_id=engineers_group.pk) for pk in engineers]
    )
    organization_of = {org["id"]: org for org in organizations}
    home_organizations: dict[int, list[int]] = {}
    for membership in memberships:
        home_organizations.setdefault(membership["user_id"], []).append(
            membership["organization_id"]
        )

    # Requests, oldest first, so ids and keys follow time.
    ordinary_requests = volume.requests - volume.big_organization_requests
    reporters = [customers[i % len(customers)] for i in range(ordinary_requests)]
    reporters += [members[big_org][0]] * volume.big_organization_requests
    rng.shuffle(reporters)
    ages = sorted((rng.random() ** 1.5 * volume.days for _ in reporters), reverse=True)
    key_numbers = {"BILL": 0, "TECH": 0}
    tickets, ticket_components, participants, comments, events, ratings = [], [], [], [], [], []
    for index, (reporter, age) in enumerate(zip(reporters, ages, strict=True)):
        ticket_id = index + 1
        created = now - timedelta(days=age, seconds=rng.randint(0, 3600))
        organization_id = rng.choice(home_organizations[reporter])
        organization = organization_of[organization_id]
        plan = organization["plan"]
        technical = plan.code in technical_plans and rng.random() < 0.8
        portal = "technical" if technical else "billing"
        prefix = "TECH" if technical else "BILL"
        key_numbers[prefix] += 1
        cluster_id, environment = None, ""
        if technical:
            cluster_id, environment = rng.choice(clusters[organization_id])
        severity = rng.choices(("S1", "S2", "S3", "S4"), (4, 16, 50, 30))[0]
        if severity == "S1" and (not technical or environment != "production"):
            severity = "S2"
        status = _status_for_age(rng, age)
        target = targets.get((plan.pk, severity))
        due = created + timedelta(minutes=target) if target else None
        engineer = rng.choice(engineers)
        answered = status != Ticket.Status.WAITING_FOR_SUPPORT or rng.random() < 0.3
        responded = (
            created + timedelta(minutes=rng.randint(5, (target or 600) * 2)) if answered else None
        )
        paused = None
        if status == Ticket.Status.WAITING_FOR_CUSTOMER and responded is None:
            paused = created + timedelta(minutes=30)
        last_activity = min(now, (responded or created) + timedelta(hours=rng.uniform(0, 72)))
        closed = status in Ticket.CLOSED_STATUSES
        shared = organization_id == big_org or rng.random() < 0.8
        row = {
            "id": ticket_id,
            "key": f"{prefix}-{key_numbers[prefix]}",
            "portal": portal,
            "organization_id": organization_id,
            "cluster_id": cluster_id,
            "reporter_id": reporter,
            "summary": f"{rng.choice(SUBJECTS)} ({_text(rng, 2, 4)[:-1].lower()})",
            "description": _text(rng, 40, 110),
            "severity": severity,
            "environment": environment,
            "affects_version": "v8.1.2" if technical else "",
            "status": status,
            "assignee_id": engineer if answered or rng.random() < 0.5 else None,
            "shared_with_organization": shared,
            "plan_id": plan.pk,
            "response_target_minutes": target,
            "response_target_business_hours": False,
            "first_response_due_at": due,
            "first_responded_at": responded,
            "sla_paused_at": paused,
            "created_at": created,
            "last_activity_at": last_activity,
            "resolved_at": last_activity if closed else None,
            **_later_clocks(
                clock_rng,
                response_targets.get((plan.pk, severity)),
                created=created,
                responded=responded,
                now=now,
            ),
        }
        # The queues' sort key, as the services keep it: the soonest running due time.
        row["active_due_at"] = active_due_at(SimpleNamespace(**row))
        tickets.append(row)
        if technical:
            for component in rng.sample(components, rng.choice(COMPONENT_COUNT_WEIGHTS)):
                ticket_components.append(
                    {
                        "id": len(ticket_components) + 1,
                        "ticket_id": ticket_id,
                        "component_id": component,
                    }
                )
        if not shared and rng.random() < 0.3:
            colleagues = [pk for pk in members[organization_id] if pk != reporter]
            if colleagues:
                participants.append(
                    {
                        "id": len(participants) + 1,
                        "ticket_id": ticket_id,
                        "user_id": rng.choice(colleagues),
                    }
                )
        events.append(
            {
                "id": len(events) + 1,
                "ticket_id": ticket_id,
                "actor_id": reporter,
                "kind": TicketEvent.Kind.CREATED,
                "from_value": "",
                "to_value": "Waiting for support",
                "created_at": created,
            }
        )
        moment = created
        for number in range(rng.randint(0, volume.comments_per_request * 2)):
            moment = moment + timedelta(minutes=rng.randint(5, 600))
            internal = number % 3 == 2
            by_engineer = internal or number % 2 == 0
            comments.append(
                {
                    "id": len(comments) + 1,
                    "ticket_id": ticket_id,
                    "author_id": engineer if by_engineer else reporter,
                    "body": _text(rng, 15, 80),
                    "is_internal": internal,
                    "created_at": moment,
                }
            )
        if status != Ticket.Status.WAITING_FOR_SUPPORT:
            events.append(
                {
                    "id": len(events) + 1,
                    "ticket_id": ticket_id,
                    "actor_id": engineer,
                    "kind": TicketEvent.Kind.STATUS,
                    "from_value": "Waiting for support",
                    "to_value": Ticket.Status(status).label,
                    "created_at": last_activity,
                }
            )
        if closed and rng.random() < 0.25:
            ratings.append(
                {
                    "id": len(ratings) + 1,
                    "ticket_id": ticket_id,
                    "rating": rng.choices((1, 2, 3, 4, 5), (3, 4, 10, 30, 53))[0],
                    "comment": "",
                    "rated_by_id": reporter,
                    "created_at": last_activity,
                }
            )
    with _indexes_built_afterwards([Ticket, Comment, TicketEvent]):
        _copy(Ticket, tickets, counts)
        _copy(Ticket.components.through, ticket_components, counts)
        _copy(Ticket.participants.through, participants, counts)
        for start in range(0, len(comments), 50_000):
            _copy(Comment, comments[start : start + 50_000], counts)
        _copy(TicketEvent, events, counts)
        _copy(SatisfactionRating, ratings, counts)
    for prefix, number in key_numbers.items():
        TicketKeyCounter.objects.update_or_create(prefix=prefix, defaults={"last_number": number})

    # The knowledge base: published articles over the categories, a tenth of them premium,
    # written from the same vocabulary, with the search documents the saving service stores.
    categories = list(Category.objects.values_list("pk", flat=True))
    articles = []
    for number in range(1, volume.articles + 1):
        body = _text(rng, 80, 400)
        articles.append(
            {
                "id": number,
                "title": f"{rng.choice(SUBJECTS)}: {_text(rng, 3, 6)[:-1].lower()}"[:200],
                "slug": f"bench-article-{number}",
                "category_id": categories[number % len(categories)],
                "minimum_plan_id": plans["enterprise"].pk if number % 10 == 0 else None,
                "status": Article.Status.PUBLISHED,
                "body": body,
                "body_text": body,
                "published_at": now - timedelta(days=rng.uniform(0, volume.days)),
            }
        )
    with _indexes_built_afterwards([Article]):
        _copy(Article, articles, counts)
        Article.objects.update(**article_search_vectors())
    words = {word for text in (*TERMS, *COMMON_WORDS, *SUBJECTS) for word in text.lower().split()}
    SearchWord.objects.bulk_create(
        [SearchWord(word=word) for word in sorted(words) if word.isalpha() and len(word) > 2],
        ignore_conflicts=True,
    )

    seeded = [
        Organization,
        Subscription,
        Cluster,
        User,
        Membership,
        Ticket,
        Ticket.components.through,
        Ticket.participants.through,
        Comment,
        TicketEvent,
        SatisfactionRating,
        Article,
    ]
    with connection.cursor() as cursor:
        for statement in connection.ops.sequence_reset_sql(no_style(), seeded):
            cursor.execute(statement)
        if analyze:
            cursor.execute("ANALYZE")
    return counts
