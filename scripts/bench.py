"""`make bench`: the busiest pages at 100,000 requests, served as in production.

1. Seeds `helpcenter_bench` (helpcenter/bench/seed.py) unless it already holds a seed made for
   the current migrations and seeder (BENCH_RESEED=1 forces a new one).
2. Counts each page's SQL queries in-process and times filing a request in-process.
3. Starts gunicorn (2 sync workers, production settings with DEBUG off, plus the floor page),
   drives each page with wrk at 1 connection (service time) and 8 (throughput), times filing
   requests over HTTP, and reads the workers' memory.
4. Prints one table (and writes it with the raw figures to var/bench/run-<UTC time>/); when
   `make bench-anchor` has results, the side-by-side ratios with django-helpdesk follow.

Knobs: BENCH_RESEED, BENCH_SCALE (fraction of the full data set, for trying the harness),
BENCH_DURATION (20s), BENCH_C1_DURATION (10s), BENCH_WARM (3s), BENCH_PAGES (regex on page
names), BENCH_POSTS (50 sequential POSTs per form), BENCH_REDIS_URL, ANCHOR_RESULTS.
"""

import hashlib
import json
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from datetime import UTC, datetime
from http.cookiejar import CookieJar
from pathlib import Path
from urllib.parse import urlencode

import psycopg2

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
SERVER_URL = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/helpcenter")
BENCH_DB = os.environ.get("BENCH_DATABASE_NAME", "helpcenter_bench")
BENCH_URL = SERVER_URL.rsplit("/", 1)[0] + "/" + BENCH_DB
SCALE = float(os.environ.get("BENCH_SCALE", "1"))
DURATION = os.environ.get("BENCH_DURATION", "20s")
C1_DURATION = os.environ.get("BENCH_C1_DURATION", "10s")
WARM = os.environ.get("BENCH_WARM", "3s")
PAGES = re.compile(os.environ.get("BENCH_PAGES", "."))
POSTS = int(os.environ.get("BENCH_POSTS", "50"))
POST_MARK = "BENCHPOST"
RESULTS = ROOT / "var" / "bench"
ANCHOR_RESULTS = Path(os.environ.get("ANCHOR_RESULTS", ROOT / "var" / "bench-anchor"))
SEED_SOURCES = [ROOT / "helpcenter" / "bench" / "seed.py"]

# Production settings and gunicorn configuration (persistent connections, access log), DEBUG
# off, plus the floor page; nothing here relaxes them except TLS
# (wrk speaks plain http to 127.0.0.1, as a proxy behind TLS termination would) and the API's
# read throttle (wrk is one user asking as fast as it can: at 600 a minute the API list's
# figures measured its 429 answers). The throttle is still counted, raised, not switched off.
PRODUCTION_ENV = {
    "DJANGO_SETTINGS_MODULE": "helpcenter.bench.settings",
    "DJANGO_DEBUG": "0",
    "DJANGO_SECRET_KEY": "bench-only-secret-key-5f2e8c1d9a7b4e3f6a0c2d8e1b9f7a3c",
    "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
    "DJANGO_SECURE_SSL_REDIRECT": "0",
    "DJANGO_SECURE_COOKIES": "0",
    "DATABASE_URL": BENCH_URL,
    "CELERY_BROKER_URL": os.environ.get(
        "BENCH_REDIS_URL", os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
    ),
    "CELERY_TASK_DEFAULT_QUEUE": "helpcenter-bench",
    # As docker-compose.yml deploys it: a shared Redis cache (sessions become cached_db).
    "CACHE_URL": os.environ.get("BENCH_CACHE_URL", "redis://127.0.0.1:6379/2"),
    "LOG_LEVEL": "WARNING",
    "API_THROTTLE_READ_RATE": "1000000/min",
}


def schema_fingerprint() -> str:
    """Migrations and seeder, hashed: a reused seed always matches the code being measured."""
    digest = hashlib.sha256(f"scale={SCALE}".encode())
    sources = sorted(ROOT.glob("*/migrations/*.py")) + sorted(ROOT.glob("*/*/migrations/*.py"))
    for path in sources + SEED_SOURCES:
        digest.update(str(path.relative_to(ROOT)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def seeded_fingerprint() -> str | None:
    try:
        connection = psycopg2.connect(BENCH_URL)
    except psycopg2.OperationalError:
        return None
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT to_regclass('bench_seed')")
            if cursor.fetchone()[0] is None:
                return None
            cursor.execute("SELECT fingerprint FROM bench_seed")
            row = cursor.fetchone()
            return row[0] if row else None
    finally:
        connection.close()


def recreate_database() -> None:
    connection = psycopg2.connect(SERVER_URL.rsplit("/", 1)[0] + "/postgres")
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{BENCH_DB}" WITH (FORCE)')
        cursor.execute(f'CREATE DATABASE "{BENCH_DB}"')
    connection.close()


def django_manage(*args: str) -> None:
    subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**os.environ, **PRODUCTION_ENV},
        check=True,
    )


def ensure_seed() -> str:
    fingerprint = schema_fingerprint()
    if os.environ.get("BENCH_RESEED") != "1" and seeded_fingerprint() == fingerprint:
        return "reused"
    started = time.perf_counter()
    recreate_database()
    django_manage("migrate", "--no-input", "-v", "0")
    code = (
        "import django; django.setup()\n"
        "from helpcenter.bench.seed import Volume, seed\n"
        f"counts = seed(Volume.scaled({SCALE}))\n"
        "print(' '.join(f'{t}={n}' for t, n in counts.tables.items()))\n"
    )
    subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env={**os.environ, **PRODUCTION_ENV}, check=True
    )
    connection = psycopg2.connect(BENCH_URL)
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
        cursor.execute("CREATE TABLE bench_seed (fingerprint text, seeded_at timestamptz)")
        cursor.execute("INSERT INTO bench_seed VALUES (%s, now())", [fingerprint])
    connection.close()
    return f"seeded in {time.perf_counter() - started:.0f} s"


# In-process: query counts and the cost of filing a request.


def in_process_measurements(out: Path) -> dict:
    os.environ.update(PRODUCTION_ENV)
    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from accounts.models import User
    from helpcenter.bench.seed import (
        BIG_CUSTOMER_EMAIL,
        CUSTOMER_EMAIL,
        ENGINEER_EMAIL,
        SEARCH_WORD,
    )
    from tickets.models import Ticket
    from tickets.selectors import RequestFilters, tickets_for_request_list

    customer = User.objects.get(email=CUSTOMER_EMAIL)
    big_customer = User.objects.get(email=BIG_CUSTOMER_EMAIL)
    engineer = User.objects.get(email=ENGINEER_EMAIL)
    clients = {}
    for role, user in (("customer", customer), ("big", big_customer), ("engineer", engineer)):
        clients[role] = Client()
        clients[role].force_login(user)
    # The admin needs a session verified with a second factor, as after a login with a code.
    device, _created = TOTPDevice.objects.get_or_create(
        user=engineer, name="Bench authenticator", defaults={"confirmed": True}
    )
    session = clients["engineer"].session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    ticket = (
        Ticket.objects.filter(reporter=customer, portal="technical")
        .order_by("-last_activity_at")
        .first()
    )
    visible = tickets_for_request_list(user=customer, filters=RequestFilters(status="all")).count()
    pages = [
        ("floor", "customer", "/bench/floor/"),
        ("requests (default: open)", "customer", "/requests/"),
        ("requests, all (50 rows)", "customer", "/requests/?status=all"),
        ("requests, search", "customer", f"/requests/?status=all&q={SEARCH_WORD}"),
        ("request page", "customer", f"/requests/{ticket.key}/"),
        (f"CSV export ({visible} rows)", "customer", "/requests/export.csv?status=all"),
        ("CSV export (10,000 rows)", "big", "/requests/export.csv?status=all"),
        ("billing form GET", "customer", "/portals/billing/"),
        ("technical form GET", "customer", "/portals/technical/"),
        ("admin index", "engineer", "/admin/"),
        ("admin list, all", "engineer", "/admin/tickets/ticket/"),
        ("admin list, open queue", "engineer", "/admin/tickets/ticket/?queue=all_open"),
        ("admin search", "engineer", f"/admin/tickets/ticket/?q={SEARCH_WORD}"),
        ("help-center search", "customer", "/articles/?q=backup+restore"),
        ("help-center search, typo", "customer", "/articles/?q=bakup+restore"),
        ("suggestions (JSON)", "customer", "/articles/suggest/?q=backup+restore+failed"),
        ("admin request page", "engineer", f"/admin/tickets/ticket/{ticket.pk}/change/"),
        ("reports (last 30 days)", "engineer", "/admin/reports/"),
        ("reports (last 90 days)", "engineer", "/admin/reports/?period=90"),
    ]
    # Pages that exist once their issues land: measured when the URL resolves.
    for name, role, url in (
        ("reports page", "engineer", "/admin/reports/"),
        ("API list", "customer", "/api/v1/requests/"),
        ("API list", "customer", "/api/requests/"),
    ):
        if _resolves(url) and name not in [page[0] for page in pages]:
            pages.append((name, role, url))
    rows = []
    for name, role, url in pages:
        client = clients[role]
        for _ in range(2):
            _consume(client.get(url))
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
            body = _consume(response)
        rows.append(
            {
                "name": name,
                "role": role,
                "url": url,
                "status": response.status_code,
                "bytes": len(body),
                "queries": len(queries),
            }
        )
        print(f"  {name:32} {response.status_code} {len(queries):3d} queries", flush=True)

    filing = []
    for portal, data in _form_data(customer, ticket).items():
        url = f"/portals/{portal}/"
        timings, counts = [], []
        for number in range(max(10, POSTS // 2)):
            with CaptureQueriesContext(connection) as queries:
                started = time.perf_counter()
                response = clients["customer"].post(
                    url, {**data, "summary": f"{POST_MARK} in-process {number}"}
                )
                timings.append((time.perf_counter() - started) * 1000)
            counts.append(len(queries))
            if response.status_code != 302:
                raise SystemExit(f"{portal} POST answered {response.status_code}")
        filing.append(
            {
                "name": f"{portal} form POST (in-process)",
                "queries": max(counts),
                "median_ms": statistics.median(timings),
                "n": len(timings),
            }
        )
        print(
            f"  {portal} POST in-process: {max(counts)} queries, "
            f"median {statistics.median(timings):.1f} ms",
            flush=True,
        )
    remove_posted_requests()
    sessions = {role: client.cookies["sessionid"].value for role, client in clients.items()}
    measured = {
        "pages": rows,
        "filing": filing,
        "sessions": sessions,
        "forms": _form_data(customer, ticket),
        "visible": visible,
        "db": {"requests": Ticket.objects.count()},
    }
    (out / "measure.json").write_text(json.dumps(measured, indent=1, default=str))
    connection.close()
    return measured


def _resolves(url: str) -> bool:
    from django.urls import Resolver404, resolve

    try:
        resolve(url)
    except Resolver404:
        return False
    return True


def _consume(response) -> bytes:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content)
    return response.content


def _form_data(customer, ticket) -> dict[str, dict]:
    description = (
        "Since this morning queries on the orders table time out with 'Region is unavailable'. " * 3
    )
    return {
        "billing": {
            "organization": str(ticket.organization_id),
            "description": description,
            "severity": "S3",
            "shared_with_organization": "on",
        },
        "technical": {
            "organization": str(ticket.organization_id),
            "cluster": str(ticket.cluster_id or ""),
            "environment": "production",
            "description": description,
            "severity": "S2",
            "affects_version": "v8.1.2",
            "shared_with_organization": "on",
        },
    }


def remove_posted_requests() -> int:
    """The requests and emails that filing made, so the data set keeps its size."""
    from django.apps import apps

    from tickets.models import Ticket

    posted = Ticket.objects.filter(summary__startswith=POST_MARK)
    keys = [f"ticket:{pk}:" for pk in posted.values_list("pk", flat=True)]
    outbox = next(model for model in apps.get_models() if model.__name__ == "OutboundEmail")
    for start in range(0, len(keys), 500):
        for key in keys[start : start + 500]:
            outbox.objects.filter(event_key__startswith=key).delete()
    count = posted.count()
    posted.delete()
    return count


# Over HTTP: gunicorn and wrk.


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_gunicorn(port: int, out: Path) -> subprocess.Popen:
    server = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "-c",
            "python:helpcenter.gunicorn_config",
            "helpcenter.wsgi:application",
            "--workers",
            "2",
            "--worker-class",
            "sync",
            "--bind",
            f"127.0.0.1:{port}",
            "--timeout",
            "120",
        ],
        cwd=ROOT,
        env={**os.environ, **PRODUCTION_ENV},
        stdout=(out / "gunicorn.log").open("w"),
        stderr=subprocess.STDOUT,
    )
    for _ in range(100):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/accounts/login/", timeout=2)
            return server
        except OSError:
            time.sleep(0.2)
    server.terminate()
    raise SystemExit("gunicorn did not start; see " + str(out / "gunicorn.log"))


def worker_pids(server: subprocess.Popen) -> list[int]:
    children = Path(f"/proc/{server.pid}/task/{server.pid}/children").read_text().split()
    return [int(pid) for pid in children]


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def wrk(url: str, session: str, connections: int, duration: str) -> dict:
    threads = min(2, connections)
    result = subprocess.run(
        [
            "wrk",
            f"-t{threads}",
            f"-c{connections}",
            f"-d{duration}",
            "--timeout",
            "60s",
            "-s",
            str(ROOT / "scripts" / "wrk_report.lua"),
            "-H",
            f"Cookie: sessionid={session}",
            url,
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    line = next(x for x in result.stdout.splitlines() if x.startswith("WRKJSON "))
    figures = json.loads(line[8:])
    figures["rps"] = figures["requests"] / (figures["duration_us"] / 1e6)
    return figures


def http_get(url: str, session: str) -> tuple[int, bytes]:
    request = urllib.request.Request(url, headers={"Cookie": f"sessionid={session}"})
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, b""


def post_over_http(base: str, session: str, portal: str, data: dict) -> dict:
    """Sequential POSTs of one form with its CSRF token, as a person filing requests."""
    jar = CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), _NoRedirect)
    headers = {"Cookie": f"sessionid={session}"}
    page = opener.open(urllib.request.Request(f"{base}/portals/{portal}/", headers=headers))
    html = page.read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
    csrf_cookie = next(cookie.value for cookie in jar if cookie.name == "csrftoken")
    headers = {
        "Cookie": f"sessionid={session}; csrftoken={csrf_cookie}",
        "Referer": f"{base}/portals/{portal}/",
        "Content-Type": "application/x-www-form-urlencoded",
    }
    timings = []
    for number in range(POSTS):
        body = urlencode(
            {**data, "summary": f"{POST_MARK} http {number}", "csrfmiddlewaretoken": token}
        ).encode()
        started = time.perf_counter()
        try:
            response = opener.open(
                urllib.request.Request(f"{base}/portals/{portal}/", data=body, headers=headers)
            )
            status = response.status
        except urllib.error.HTTPError as error:
            status = error.code
        timings.append((time.perf_counter() - started) * 1000)
        if status != 302:
            raise SystemExit(f"{portal} POST over HTTP answered {status}")
    timings.sort()
    return {
        "median_ms": statistics.median(timings),
        "p99_ms": timings[min(len(timings) - 1, int(0.99 * len(timings)))],
        "rps": 1000 / statistics.fmean(timings),
        "n": len(timings),
    }


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None

    def http_error_302(self, req, fp, code, msg, headers):
        return fp


def over_http(measured: dict, out: Path) -> dict:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = start_gunicorn(port, out)
    results, memory = {}, {}
    try:
        for page in measured["pages"]:
            if not PAGES.search(page["name"]):
                continue
            session = measured["sessions"][page["role"]]
            url = base + page["url"]
            status, _body = http_get(url, session)
            if status != 200:
                print(f"!! {page['name']} answered HTTP {status}; skipped", file=sys.stderr)
                continue
            workers = worker_pids(server)
            before = {pid: rss_mb(pid) for pid in workers}
            wrk(url, session, 2, WARM)
            c1 = wrk(url, session, 1, C1_DURATION)
            c8 = wrk(url, session, 8, DURATION)
            growth = max(rss_mb(pid) - before[pid] for pid in workers)
            results[page["name"]] = {"c1": c1, "c8": c8, "rss_growth_mb": growth}
            print(
                f"  {page['name']:32} c1 median {c1['p50_us'] / 1000:7.1f} ms  "
                f"c8 {c8['rps']:7.1f} req/s  errors {c1['errors'] + c8['errors']}  "
                f"not 2xx/3xx {c1['status_errors'] + c8['status_errors']}",
                flush=True,
            )
        if POSTS and PAGES.search("form POST"):
            for portal, data in measured["forms"].items():
                posted = post_over_http(base, measured["sessions"]["customer"], portal, data)
                results[f"{portal} form POST (HTTP, sequential)"] = posted
                print(f"  {portal} POST over HTTP: median {posted['median_ms']:.1f} ms", flush=True)
        workers = worker_pids(server)
        served = sum(
            r["c1"]["requests"] + r["c8"]["requests"] for r in results.values() if "c1" in r
        )
        memory = {"requests_served": served, "worker_rss_mb": [rss_mb(pid) for pid in workers]}
    finally:
        server.terminate()
        server.wait(timeout=30)
    remove_posted_requests()
    return {"pages": results, "memory": memory}


# The table.


def table(measured: dict, http: dict) -> str:
    floor = http["pages"].get("floor", {}).get("c8", {}).get("rps")
    lines = [
        "| page | queries | median ms (c1) | p99 ms (c1) | req/s (c8) | ratio to floor |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    refusals = []
    for page in measured["pages"]:
        figures = http["pages"].get(page["name"])
        if not figures:
            continue
        c1, c8 = figures["c1"], figures["c8"]
        ratio = f"{c8['rps'] / floor:.2f}" if floor else "-"
        refused = c1.get("status_errors", 0) + c8.get("status_errors", 0)
        mark = " (!)" if refused else ""
        lines.append(
            f"| {page['name']} | {page['queries']} | {c1['p50_us'] / 1000:.1f} | "
            f"{c1['p99_us'] / 1000:.1f} | {c8['rps']:.1f}{mark} | {ratio} |"
        )
        if refused:
            refusals.append(
                f"(!) {page['name']}: {refused:,} of {c1['requests'] + c8['requests']:,} answers "
                "were not 2xx/3xx; its figures do not measure the page."
            )
    for filing in measured["filing"]:
        lines.append(
            f"| {filing['name']} | {filing['queries']} | {filing['median_ms']:.1f} | - | - | - |"
        )
    for name, figures in http["pages"].items():
        if "median_ms" in figures:
            lines.append(
                f"| {name} | - | {figures['median_ms']:.1f} | {figures['p99_ms']:.1f} | "
                f"{figures['rps']:.1f} | - |"
            )
    memory = http["memory"]
    export = http["pages"].get("CSV export (10,000 rows)")
    notes = refusals + [
        f"Workers' memory after {memory.get('requests_served', 0):,} requests: "
        + ", ".join(f"{mb:.0f} MB" for mb in memory.get("worker_rss_mb", [])),
    ]
    if export:
        notes.append(
            f"Largest worker growth while serving the 10,000-row export: "
            f"{export['rss_growth_mb']:.1f} MB"
        )
    return "\n".join(lines) + "\n\n" + "\n".join(notes) + "\n"


# Side by side with django-helpdesk (the newest `make bench-anchor` run).

ANCHOR_PAIRS = [
    # (our page, anchor page, the target as a minimum ratio of req/s, or None)
    ("floor", "floor", None),
    ("requests, all (50 rows)", "cust_my_tickets_api", 10),
    ("requests (default: open)", "cust_my_tickets_api", None),
    ("request page", "cust_ticket_view", 2.5),
    ("admin list, all", "staff_ticket_list", 10),
    ("admin list, all", "staff_datatables_50", 10),
    ("admin index", "staff_dashboard", None),
    ("admin request page", "staff_ticket_detail", None),
    ("technical form GET", "cust_home_submit_form", None),
]


def anchor_figures() -> tuple[Path, dict] | None:
    runs = sorted(p for p in ANCHOR_RESULTS.glob("run-*") if (p / "measure.json").exists())
    if not runs:
        return None
    run = runs[-1]
    figures = {}
    for page in json.loads((run / "measure.json").read_text())["pages"]:
        path = run / f"wrk-{page['name']}-c8.txt"
        if path.exists():
            line = next(x for x in path.read_text().splitlines() if x.startswith("WRKJSON "))
            data = json.loads(line[8:])
            figures[page["name"]] = {
                "rps": data["requests"] / (data["duration_us"] / 1e6),
                "queries": page["queries"],
            }
    return run, figures


def side_by_side(http: dict) -> str:
    found = anchor_figures()
    if found is None:
        return "No django-helpdesk results yet: run `make bench-anchor` for the side-by-side.\n"
    run, anchor = found
    floor = http["pages"].get("floor", {}).get("c8", {}).get("rps")
    lines = [
        f"Side by side with django-helpdesk 2.6.1 ({run.name}):",
        "",
        "| our page | req/s | x floor | django-helpdesk page | req/s | x floor | ours / theirs "
        "| target |",
        "|---|---:|---:|---|---:|---:|---:|---|",
    ]
    for ours, theirs, target in ANCHOR_PAIRS:
        mine = http["pages"].get(ours, {}).get("c8", {}).get("rps")
        other = anchor.get(theirs, {}).get("rps")
        if not mine or not other:
            continue
        ratio = mine / other
        verdict = (
            "-" if target is None else f">= {target}x: {'holds' if ratio >= target else 'MISSED'}"
        )
        lines.append(
            f"| {ours} | {mine:.1f} | {mine / floor:.2f} | {theirs} | {other:.1f} | "
            f"{other / anchor['floor']['rps']:.2f} | {ratio:.1f} | {verdict} |"
        )
    return "\n".join(lines) + "\n"


def reprint(run: Path) -> None:
    """BENCH_REPORT=var/bench/run-...: the table of a finished run again, beside the newest
    django-helpdesk results (for instance after `make bench-anchor`)."""
    measured = json.loads((run / "measure.json").read_text())
    http = json.loads((run / "http.json").read_text())
    header = (run / "header.txt").read_text() if (run / "header.txt").exists() else ""
    report = header + table(measured, http) + "\n" + side_by_side(http)
    (run / "table.md").write_text(report)
    print(report)


def main() -> None:
    if os.environ.get("BENCH_REPORT"):
        reprint(Path(os.environ["BENCH_REPORT"]))
        return
    # A stopped run still stops its gunicorn (the `finally` in over_http).
    signal.signal(signal.SIGTERM, lambda *_args: sys.exit(1))
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    out = RESULTS / f"run-{stamp}"
    out.mkdir(parents=True, exist_ok=True)
    print(f"== {BENCH_DB}: {ensure_seed()}", flush=True)
    django_manage("collectstatic", "--no-input", "-v", "0")
    load = os.getloadavg()
    print("== query counts and filing, in-process", flush=True)
    measured = in_process_measurements(out)
    print(f"== gunicorn + wrk (c1 {C1_DURATION}, c8 {DURATION})", flush=True)
    http = over_http(measured, out)
    (out / "http.json").write_text(json.dumps(http, indent=1))
    header = (
        f"{measured['db']['requests']:,} requests in PostgreSQL; customer sees "
        f"{measured['visible']} requests; {datetime.now(UTC):%Y-%m-%d %H:%M} UTC on "
        f"{socket.gethostname()} ({os.cpu_count()} cores); load average at start "
        f"{load[0]:.2f}, at end {os.getloadavg()[0]:.2f}\n\n"
    )
    (out / "header.txt").write_text(header)
    report = header + table(measured, http) + "\n" + side_by_side(http)
    (out / "table.md").write_text(report)
    print("\n" + report)
    print(f"(results in {out.relative_to(ROOT)})")


if __name__ == "__main__":
    main()
