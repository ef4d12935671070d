"""Demo knowledge base: published articles across the categories, one draft, and resolved
requests shared with their organizations, so search and suggestions show something on a
fresh `make run`. Running it again changes nothing."""

import datetime

from django.utils import timezone

from accounts.models import Cluster, Organization, User
from knowledge import services
from knowledge.models import Article, Category
from plans.models import Plan
from tickets import services as ticket_services
from tickets.models import Component, Ticket

ARTICLES = [
    {
        "title": "Why a backup or restore fails",
        "category": "Backup & Restore",
        "components": ["Backup & Restore", "TiKV"],
        "body": """\
Most failed backups and restores come down to one of five causes. Check them in this order
before you open a request; each section says what the error looks like and what to do.

## 1. The target cluster is too small

A restore writes every row of the backup into the target cluster. If the target has less free
storage than the backup's logical size, the restore stops with
`BR:Common:ErrStorageInvalidConfig` or *disk space not enough*.

- Compare the backup size on the **Backup** page with the storage of the target cluster.
- Scale out TiKV storage (or choose a larger node size) and start the restore again.

## 2. A backup is still running

Only one backup or restore job runs per cluster at a time. A scheduled daily backup that starts
while you restore makes the restore fail with *another task is running*. Wait for the backup to
finish, or move the backup window on the **Backup Settings** page.

## 3. The restore point is outside the retention window

Point-in-time restore reaches back only as far as the backup retention (7 days by default). A
timestamp older than the oldest snapshot fails with *restore ts is out of range*. Pick a time
inside the window shown on the restore dialog.

## 4. Incompatible versions

A backup can be restored into a cluster of the **same or a newer** TiDB version only. Restoring
a v8.5 backup into a v7.5 cluster fails with *unsupported version*. Upgrade the target first.

## 5. Timeouts on very large tables

Tables with billions of rows can hit `context deadline exceeded` while TiKV ingests SST files.
The restore resumes from its checkpoint when you retry it. If it fails again at the same table,
open a technical request with the job ID and the time of the failure.

**Still failing?** Open a request with the backup or restore job ID, the exact error message and
its timestamp (with time zone), and the source and target cluster versions.
""",
    },
    {
        "title": "Restore a cluster to a point in time",
        "category": "Backup & Restore",
        "components": ["Backup & Restore"],
        "body": """\
Point-in-time recovery (PITR) rebuilds your data as it was at any second inside the backup
retention window.

1. Open the cluster, then **Backup** > **Restore**.
2. Choose **Point-in-time** and pick the date and time (shown in your browser's time zone).
3. Choose a **new** cluster as the target: a restore never overwrites a running cluster.
4. Start the restore. Its progress shows on the **Restore** tab of the new cluster.

Restores run at roughly 1 TiB per hour per TiKV node. When the restore finishes, point your
application at the new cluster's endpoint and delete the old cluster when you no longer need it.

See [Why a backup or restore fails](/articles/why-a-backup-or-restore-fails/) if the job stops.
""",
    },
    {
        "title": "Connect to TiDB Cloud securely with TLS",
        "category": "Connecting",
        "components": ["TiDB"],
        "body": """\
Every TiDB Cloud endpoint requires TLS 1.2 or newer. Most connection errors after a driver
upgrade are certificate checks.

| Client | Setting |
|---|---|
| MySQL CLI | `--ssl-mode=VERIFY_IDENTITY --ssl-ca=/etc/ssl/certs/ca-certificates.crt` |
| JDBC | `sslMode=VERIFY_IDENTITY&enabledTLSProtocols=TLSv1.2,TLSv1.3` |
| Go (go-sql-driver) | `tls=true` with the system root CAs |
| Python (PyMySQL) | `ssl={"ca": certifi.where()}` |

If you see *x509: certificate signed by unknown authority*, your system CA bundle is missing
the ISRG Root X1 certificate: update the `ca-certificates` package on the client host.
""",
    },
    {
        "title": "Fix “Too many connections” and dropped connections",
        "category": "Connecting",
        "components": ["TiDB"],
        "body": """\
TiDB closes connections that stay idle longer than `wait_timeout` (8 hours by default), and a
load balancer in between may close them sooner, after 350 seconds of silence.

- Set your pool's maximum lifetime below 300 seconds (HikariCP `maxLifetime=290000`).
- Validate connections before use (`SELECT 1`), or enable the pool's keep-alive.
- *Error 1040: Too many connections* means the pool is larger than the cluster allows: divide
  `max_connections` by the number of application instances and size each pool below that.
""",
    },
    {
        "title": "Find and fix a slow query",
        "category": "Performance",
        "components": ["TiDB", "TiKV"],
        "body": """\
1. Open **Diagnosis** > **Slow Queries** and sort by *Latency*. Queries over 300 ms are logged.
2. Run `EXPLAIN ANALYZE` on the statement. Look for `TableFullScan` on a large table and for
   `estRows` far from `actRows`: the statistics are stale.
3. Refresh the statistics with `ANALYZE TABLE orders;` and run the query again.
4. If the plan still scans the table, add an index that matches the `WHERE` clause, or bind
   the good plan with `CREATE GLOBAL BINDING`.

After an upgrade, a query that suddenly takes seconds instead of milliseconds is usually a plan
change: compare the plans before and after in **Statement Analysis**.
""",
    },
    {
        "title": "Spread a write hotspot across TiKV nodes",
        "category": "Performance",
        "components": ["TiKV", "PD"],
        "minimum_plan": "enterprise",
        "body": """\
A table whose primary key increases monotonically (`AUTO_INCREMENT`, timestamps) sends every
insert to the last Region, so one TiKV node does all the work while the others idle.

- Use `AUTO_RANDOM` for new tables: `id BIGINT PRIMARY KEY AUTO_RANDOM`.
- For existing tables without a clustered key, set `SHARD_ROW_ID_BITS = 4` and
  `PRE_SPLIT_REGIONS = 4`.
- Check the **Key Visualizer**: a bright diagonal line is a hotspot; after the change the heat
  spreads across the key range.

Our engineers can review your schema with you: mention this article in a technical request.
""",
    },
    {
        "title": "Understand your TiDB Cloud invoice",
        "category": "Billing",
        "components": ["Console"],
        "body": """\
Invoices are issued on the first day of each month for the previous month's usage.

- **Compute**: node hours of TiDB, TiKV and TiFlash, per cluster.
- **Storage**: the average stored data of the month, in GiB-months.
- **Backup storage** and **data transfer** out of the cloud region.
- **Support plan**: the monthly fee of Developer or Enterprise support.
- **Credits** are applied before the card is charged.

A cluster deleted during the month is charged up to the hour it was deleted. Download invoices
as PDF from **Billing** > **Invoices**; ask the billing portal if a line looks wrong.
""",
    },
    {
        "title": "Change your support plan or payment method",
        "category": "Billing",
        "components": ["Console"],
        "body": """\
Organization owners change the plan on the **Support** page of the organization menu.

- **Upgrade** to Developer or Enterprise with a credit card; the Developer plan starts with a
  one-month free trial.
- **Premium** is arranged with our sales team: use **Contact Sales** in the help menu.
- **Downgrade** at any time; the lower plan's response times apply to new requests.

To replace the card, upgrade again with the new card or ask the billing portal.
""",
    },
    {
        "title": "Import CSV and SQL files from Amazon S3",
        "category": "Data Migration",
        "components": ["Import"],
        "body": """\
1. Put the files in one S3 folder, named `db.table.csv` or `db.table.001.sql`.
2. Create an IAM role that TiDB Cloud may assume, with `s3:GetObject` and `s3:ListBucket`.
3. In the cluster, choose **Import** > **Import data from S3**, paste the folder URI and the
   role ARN, and map the files to tables.

Imports fail most often on a missing `ListBucket` permission (*AccessDenied*) and on CSV files
whose header does not match the table's columns.
""",
    },
    {
        "title": "Migrate from MySQL with Data Migration",
        "category": "Data Migration",
        "components": ["Data Migration"],
        "body": """\
Data Migration (DM) copies a full dump, then follows the binlog so that you can switch over
with minutes of downtime.

- The source needs `binlog_format=ROW` and `binlog_row_image=FULL`.
- Give the migration user `SELECT`, `RELOAD`, `REPLICATION SLAVE` and `REPLICATION CLIENT`.
- Watch **Replication lag** on the task page; switch the application when it stays under a
  few seconds.
""",
    },
    {
        "title": "Keep a TiCDC changefeed from falling behind",
        "category": "Data Migration",
        "components": ["TiCDC"],
        "minimum_plan": "premium",
        "body": """\
A changefeed whose checkpoint lags by more than the garbage-collection lifetime cannot resume.
Split large transactions, raise `per-table-memory-quota`, and ask your technical account
manager to review the sink throughput with you.
""",
    },
]
DRAFT = {
    "title": "Upgrade a cluster to a new TiDB version",
    "category": "Clusters",
    "components": ["TiDB"],
    "body": "Draft: rolling upgrade steps, maintenance windows and how to roll back.",
}

RESOLVED_REQUESTS = [
    {
        "organization": "Acme Corp",
        "reporter": "alice@acme.example",
        "portal": "billing",
        "severity": "S3",
        "cluster": "acme-dev",
        "summary": "Restore from backup failed but the restore was billed",
        "description": "We restored last Friday's backup into acme-dev; the restore failed "
        "after two hours and the invoice still shows the restore job and its storage.",
        "reply": "Hi Alice, the restore into acme-dev failed because the target cluster had "
        "less free storage than the backup (BR reported 'disk space not enough'). Restore jobs "
        "that fail are not billed: we removed the charge and the credit shows on your next "
        "invoice. Scale out TiKV storage before you retry the restore.",
        "note": "Refund of the failed restore approved by finance (case FIN-2231).",
    },
    {
        "organization": "Acme Corp",
        "reporter": "alice@acme.example",
        "portal": "billing",
        "severity": "S4",
        "cluster": None,
        "summary": "Download invoices as PDF for our accountant",
        "description": "Where can I download the PDF of the last three invoices?",
        "reply": "You find every invoice under Billing > Invoices; the PDF link is at the end "
        "of each row.",
        "note": "",
    },
    {
        "organization": "Globex",
        "reporter": "bob@globex.example",
        "portal": "technical",
        "severity": "S2",
        "cluster": "globex-analytics",
        "summary": "Backup restore failed with context deadline exceeded",
        "description": "Restoring the nightly backup of globex-analytics failed at the "
        "events table with 'context deadline exceeded'.",
        "reply": "The events table has 4 billion rows; the restore timed out while TiKV "
        "ingested its files. We raised the ingest timeout and the retried restore completed.",
        "note": "Globex restore: raised import timeout on the TiKV side.",
    },
]


def seed_knowledge(*, editor: User) -> None:
    for spec in ARTICLES:
        _article(spec, editor=editor, status=Article.Status.PUBLISHED)
    _article(DRAFT, editor=editor, status=Article.Status.DRAFT)
    for spec in RESOLVED_REQUESTS:
        _resolved_request(spec, engineer=editor)


def _article(spec: dict, *, editor: User, status: str) -> None:
    if Article.objects.filter(title=spec["title"]).exists():
        return
    minimum_plan = spec.get("minimum_plan")
    article = Article(
        title=spec["title"],
        category=Category.objects.get(name=spec["category"]),
        minimum_plan=Plan.objects.get(code=minimum_plan) if minimum_plan else None,
        status=status,
        body=spec["body"],
        last_reviewed_on=timezone.localdate() - datetime.timedelta(days=14),
    )
    services.article_save(
        article=article,
        editor=editor,
        components=list(Component.objects.filter(name__in=spec["components"])),
    )


def _resolved_request(spec: dict, *, engineer: User) -> None:
    organization = Organization.objects.get(name=spec["organization"])
    if Ticket.objects.filter(organization=organization, summary=spec["summary"]).exists():
        return
    cluster = (
        Cluster.objects.get(organization=organization, name=spec["cluster"])
        if spec["cluster"]
        else None
    )
    ticket = ticket_services.ticket_create(
        reporter=User.objects.get(email=spec["reporter"]),
        portal=spec["portal"],
        organization=organization,
        cluster=cluster,
        environment=cluster.environment if cluster and spec["portal"] == "technical" else "",
        affects_version=cluster.version if cluster and spec["portal"] == "technical" else "",
        severity=spec["severity"],
        summary=spec["summary"],
        description=spec["description"],
        shared_with_organization=True,
    )
    ticket_services.ticket_comment_add(ticket=ticket, author=engineer, body=spec["reply"])
    if spec["note"]:
        ticket_services.ticket_comment_add(
            ticket=ticket, author=engineer, body=spec["note"], is_internal=True
        )
    ticket_services.ticket_status_change(ticket=ticket, actor=engineer, to_status="resolved")
