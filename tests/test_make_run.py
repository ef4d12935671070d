"""`make run` with nothing set serves the embedded default (SQLite, in-process tasks, mail files),
and that default takes concurrent users: 8 simultaneous request creations all succeed."""

import os
import re
import signal
import sqlite3
import subprocess
import threading
import time
import urllib.parse

import pytest

from tests import servers

DEMO_PASSWORD = "helpcenter-demo"
CONCURRENT_CREATIONS = 8
START_SECONDS = 180


@pytest.fixture(scope="module")
def make_run(tmp_path_factory):
    """`make run` on a free port, its database and mail under a temporary directory."""
    run_var = tmp_path_factory.mktemp("make-run")
    port = servers.free_port()
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "DATABASE_", "CELERY_", "CACHE_", "EMAIL_", "AWS_"))
        and not key.startswith(("MAKE", "MFLAGS"))
    }
    log_path = run_var / "make-run.log"
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            ["make", "run", f"PORT={port}", f"RUN_VAR={run_var}"],
            cwd=servers.ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    base_url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + START_SECONDS
        while not servers._answers(base_url + "/accounts/login/"):
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"make run did not serve:\n{log_path.read_text()[-5000:]}")
            time.sleep(0.2)
        yield {
            "url": base_url,
            "port": port,
            "database": run_var / "db.sqlite3",
            "mail": run_var / "mail",
        }
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def query(database, sql: str, *params):
    with sqlite3.connect(database) as connection:
        return connection.execute(sql, params).fetchall()


def test_make_run_serves_the_login_page_with_nothing_set(make_run):
    status, _headers, body = servers.Browser(make_run["url"]).get("/accounts/login/")
    assert status == 200
    assert b'name="username"' in body
    assert query(make_run["database"], "PRAGMA journal_mode") == [("wal",)]


def test_links_in_emails_point_at_the_port_make_run_serves(make_run):
    """The demo data's emails (written as files while seeding) link to this server."""
    mail = "".join(path.read_text(errors="replace") for path in make_run["mail"].iterdir())
    links = set(re.findall(r"https?://[^\s\"'<>]+", mail))
    site_links = {link for link in links if "/requests/" in link or "/notifications/" in link}
    assert site_links, "the demo data sent no email with a link"
    assert all(link.startswith(make_run["url"] + "/") for link in site_links), site_links


def test_eight_simultaneous_request_creations_on_sqlite_all_succeed(make_run):
    database = make_run["database"]
    [(organization_id,)] = query(
        database, "SELECT id FROM accounts_organization WHERE name = ?", "Globex"
    )
    [(cluster_id, *_rest)] = query(
        database, "SELECT id FROM accounts_cluster WHERE organization_id = ?", organization_id
    )
    before = query(database, "SELECT count(*) FROM tickets_ticket")[0][0]
    browser = servers.Browser(make_run["url"])
    browser.log_in("bob@globex.example", DEMO_PASSWORD)
    token = browser.csrf_token("/portals/technical/")

    start = threading.Barrier(CONCURRENT_CREATIONS)
    results: list[tuple[int, str]] = []

    def create(number: int) -> None:
        data = urllib.parse.urlencode(
            {
                "csrfmiddlewaretoken": token,
                "summary": f"Concurrent request {number}",
                "organization": organization_id,
                "cluster": cluster_id,
                "environment": "production",
                "description": "Filed at the same moment as seven others.",
                "severity": "S3",
            }
        ).encode()
        start.wait()
        status, headers, body = browser.request(
            "POST",
            "/portals/technical/",
            data,
            {"Content-Type": "application/x-www-form-urlencoded"},
        )
        results.append((status, headers.get("Location", body.decode(errors="replace")[:300])))

    threads = [threading.Thread(target=create, args=(n,)) for n in range(CONCURRENT_CREATIONS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert [status for status, _ in results] == [302] * CONCURRENT_CREATIONS, results
    keys = {re.fullmatch(r"/requests/(TECH-\d+)/", location).group(1) for _, location in results}
    assert len(keys) == CONCURRENT_CREATIONS
    after = query(database, "SELECT count(*) FROM tickets_ticket")[0][0]
    assert after - before == CONCURRENT_CREATIONS
    # The in-process tasks wrote each confirmation as a file.
    assert len(list(make_run["mail"].iterdir())) >= CONCURRENT_CREATIONS


def test_the_requests_page_and_a_request_page_serve_on_sqlite(make_run):
    """Their queries are written for PostgreSQL first; the embedded default must serve them too."""
    browser = servers.Browser(make_run["url"])
    browser.log_in("bob@globex.example", DEMO_PASSWORD)
    status, _headers, body = browser.get("/requests/?status=all")
    assert status == 200, body[:300]
    keys = re.findall(r'href="/requests/((?:TECH|BILL)-\d+)/"', body.decode())
    assert keys
    status, _headers, page = browser.get(f"/requests/{keys[0]}/")
    assert status == 200, page[:300]
    assert keys[0] in page.decode()
