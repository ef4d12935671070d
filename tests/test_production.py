"""The production configuration end to end, as an operator deploys it: `collectstatic` under
DJANGO_DEBUG=0, gunicorn with 2 workers and DEBUG off on PostgreSQL, Redis as the broker, a real
Celery worker and an SMTP server (aiosmtpd). A customer files a technical request, the
confirmation email arrives, an engineer replies in the admin and the customer sees the reply.

The processes share the pytest test database, so these tests commit for real."""

import json
import re
import shutil
import socket
import subprocess
import sys
import time
import uuid

import pytest
from aiosmtpd.controller import Controller
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.contrib.auth.models import Group

from accounts.models import Membership, User
from tests import servers
from tests.factories import (
    ClusterFactory,
    MembershipFactory,
    OrganizationFactory,
    TicketFactory,
    add_authenticator,
    subscribe,
)
from tests.security.conftest import totp_code
from tests.test_e2e_email import Inbox
from tickets.models import SatisfactionRating, Ticket, TicketNotificationSetting

PASSWORD = "production-walk-password-7Hq"
HASHED_STATIC = re.compile(r"/static/[^\"'()?#\s]+\.[0-9a-f]{12}\.[a-z0-9]+")

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture(scope="module")
def stack(django_db_setup, tmp_path_factory):
    """collectstatic, then the SMTP server, the worker and gunicorn, all on production settings."""
    if "postgresql" not in servers.settings.DATABASES["default"]["ENGINE"]:
        pytest.skip("the production processes share a PostgreSQL test database")
    root = tmp_path_factory.mktemp("production")
    inbox = Inbox()
    smtp = Controller(inbox, hostname="127.0.0.1", port=servers.free_port())
    smtp.start()
    env = servers.production_env(
        DATABASE_URL=servers.test_database_url(),
        CELERY_BROKER_URL=servers.REDIS_URL,
        CELERY_TASK_DEFAULT_QUEUE=f"hc-prod-{uuid.uuid4().hex[:12]}",
        EMAIL_URL=f"smtp://127.0.0.1:{smtp.port}",
        STATIC_ROOT=str(root / "static"),
        MEDIA_ROOT=str(root / "media"),
        SITE_URL="http://127.0.0.1",
        # The webhook test's receiver listens on loopback over plain http.
        WEBHOOK_ALLOW_LOCAL_HTTP="1",
    )
    collected = subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--no-input"],
        cwd=servers.ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert collected.returncode == 0, collected.stdout + collected.stderr
    try:
        with (
            # The worker writes JSON lines: the same LOGGING setting, the other format.
            servers.celery_worker({**env, "LOG_FORMAT": "json"}, root / "worker.log"),
            servers.gunicorn(env, root / "gunicorn.log") as base_url,
        ):
            yield {
                "env": env,
                "root": root,
                "url": base_url,
                "inbox": inbox,
                "worker_log": root / "worker.log",
                "web_log": root / "gunicorn.log",
            }
    finally:
        smtp.stop()


def user_with_password(**fields) -> User:
    """A user whose password the production processes (PBKDF2) can check."""
    user = User.objects.create(**fields)
    user.password = PBKDF2PasswordHasher().encode(PASSWORD, PBKDF2PasswordHasher().salt())
    user.save(update_fields=["password"])
    return user


@pytest.fixture
def enterprise_customer():
    organization = OrganizationFactory(name="Prodco")
    subscribe(organization, "enterprise")
    customer = user_with_password(email="ops@prodco.example", full_name="Olga Ops")
    MembershipFactory(user=customer, organization=organization, role=Membership.Role.OWNER)
    cluster = ClusterFactory(organization=organization, environment="production")
    return customer, organization, cluster


@pytest.fixture
def support_engineer():
    engineer = user_with_password(
        email="sam@support.example", full_name="Sam Support", is_staff=True
    )
    engineer.groups.add(Group.objects.get(name="Support engineers"))
    add_authenticator(engineer)
    return engineer


def test_collected_login_page_and_every_hashed_static_url_it_references_answer_200(stack):
    browser = servers.Browser(stack["url"])
    status, _headers, body = browser.get("/accounts/login/")
    assert status == 200
    page = body.decode()
    assert "Log in" in page or "log in" in page.lower()
    static_urls = set(re.findall(r'(?:href|src)="(/static/[^"]+)"', page))
    assert len(static_urls) >= 4
    for url in sorted(static_urls):
        assert HASHED_STATIC.fullmatch(url), f"{url} is not a hashed manifest name"
    fetched = set()
    while static_urls:
        url = static_urls.pop()
        fetched.add(url)
        status, headers, content = browser.get(url)
        assert status == 200, url
        if url.endswith(".css"):
            # Fonts and images the stylesheets load are hashed and served too.
            for reference in re.findall(r'url\("?([^")]+)"?\)', content.decode()):
                if reference.startswith("data:"):
                    continue
                absolute = url.rsplit("/", 1)[0] + "/" + reference.split("?")[0].split("#")[0]
                while "/../" in absolute:
                    absolute = re.sub(r"/[^/]+/\.\./", "/", absolute, count=1)
                assert HASHED_STATIC.fullmatch(absolute), absolute
                if absolute not in fetched:
                    static_urls.add(absolute)
    assert any(url.endswith(".woff2") for url in fetched)


def test_health_endpoints_answer_json_with_every_dependency_ok(stack):
    browser = servers.Browser(stack["url"])
    status, headers, body = browser.get("/healthz/")
    assert (status, json.loads(body)) == (200, {"status": "ok"})
    status, headers, body = browser.get("/readyz/")
    assert headers["Content-Type"] == "application/json"
    assert status == 200, body
    assert json.loads(body) == {
        "status": "ok",
        "checks": {
            "database": "ok",
            "cache": "ok",
            "storage": "ok",
            "outbound_email": "ok",
            "broker": "ok",
        },
    }


@pytest.mark.skipif(not shutil.which("redis-server"), reason="needs Debian's redis-server")
def test_readyz_turns_503_when_the_broker_stops_while_healthz_stays_200(stack):
    """A broker of its own, stopped under a running gunicorn."""
    port = servers.free_port()
    broker = subprocess.Popen(
        ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", ""]
        + ["--appendonly", "no"],
        stdout=subprocess.DEVNULL,
    )
    try:
        env = {**stack["env"], "CELERY_BROKER_URL": f"redis://127.0.0.1:{port}/0"}
        with servers.gunicorn(env, stack["root"] / "broker-stops.log", workers=1) as url:
            browser = servers.Browser(url)
            status, _headers, body = browser.get("/readyz/")
            assert status == 200, body
            broker.terminate()
            broker.wait(timeout=10)
            status, _headers, body = browser.get("/readyz/")
            assert status == 503
            report = json.loads(body)
            assert report["status"] == "unavailable"
            assert report["checks"]["broker"] == "unavailable"
            assert report["checks"]["database"] == "ok"
            assert str(port) not in body.decode()
            status, _headers, body = browser.get("/healthz/")
            assert (status, json.loads(body)) == (200, {"status": "ok"})
    finally:
        broker.kill()
        broker.wait()


def test_customer_files_a_technical_request_gets_the_email_and_sees_the_engineers_reply(
    stack, enterprise_customer, support_engineer
):
    customer, organization, cluster = enterprise_customer
    inbox = stack["inbox"]
    inbox.clear()
    browser = servers.Browser(stack["url"])
    browser.log_in(customer.email, PASSWORD)

    request_id = uuid.uuid4().hex
    status, headers, _body = browser.post(
        "/portals/technical/",
        {
            "summary": "Replication lag on the analytics replica",
            "organization": organization.pk,
            "cluster": cluster.pk,
            "environment": "production",
            "description": "TiFlash replica lags 20 minutes behind since 09:00 UTC.",
            "severity": "S2",
            "shared_with_organization": "on",
        },
        headers={"X-Request-ID": request_id},
    )
    assert status == 302, _body.decode()[:2000]
    assert headers["X-Request-ID"] == request_id
    ticket = Ticket.objects.get(reporter=customer)
    assert headers["Location"] == f"/requests/{ticket.key}/"

    received = inbox.wait_for(2)
    confirmations = [m for _at, to, m in received if customer.email in to]
    assert len(confirmations) == 1
    assert confirmations[0]["Subject"] == (
        f"[{ticket.key}] Replication lag on the analytics replica"
    )
    # The worker's lines for the tasks this request enqueued carry the request's id.
    worker_lines = [
        json.loads(line)
        for line in stack["worker_log"].read_text().splitlines()
        if line.startswith("{")
    ]
    assert all(
        {"time", "level", "logger", "request_id", "message"} <= set(line) for line in worker_lines
    )
    for_this_request = [line for line in worker_lines if line["request_id"] == request_id]
    assert any(
        line["logger"] == "celery.app.trace" and "succeeded" in line["message"]
        for line in for_this_request
    ), stack["worker_log"].read_text()

    engineer = servers.Browser(stack["url"])
    status, _headers, _body = engineer.post(
        "/admin/login/",
        {
            "username": support_engineer.email,
            "password": PASSWORD,
            "otp_token": totp_code(),
            "next": "/admin/",
        },
    )
    assert status == 302
    change_url = f"/admin/tickets/ticket/{ticket.pk}/change/"
    status, headers, body = engineer.post(
        change_url,
        {
            "body": "We restarted the TiFlash learner; the lag is back under a second.",
            "visibility": "public",
            "status": ticket.status,
            "initial-status": ticket.status,
            "assignee": "",
            "initial-assignee": "",
        },
    )
    assert status == 302, body.decode()[:3000]

    status, _headers, body = browser.get(f"/requests/{ticket.key}/")
    assert status == 200
    page = body.decode()
    assert "We restarted the TiFlash learner; the lag is back under a second." in page
    assert "Sam Support" in page


def test_reply_and_resolve_in_one_save_is_one_email_whose_links_work_without_logging_in(
    stack, enterprise_customer, support_engineer
):
    """The engineer answers and resolves in one save: one email, threaded under the request's
    earlier ones, whose one-click unsubscribe a mail client POSTs with no cookie or CSRF token,
    and whose rating link a logged-out browser follows to record a rating (DEBUG off, CSRF on)."""
    customer, organization, _cluster = enterprise_customer
    ticket = TicketFactory(reporter=customer, organization=organization)
    inbox = stack["inbox"]
    inbox.clear()
    engineer = servers.Browser(stack["url"])
    status, _headers, _body = engineer.post(
        "/admin/login/",
        {
            "username": support_engineer.email,
            "password": PASSWORD,
            "otp_token": totp_code(),
            "next": "/admin/",
        },
    )
    assert status == 302
    status, _headers, body = engineer.post(
        f"/admin/tickets/ticket/{ticket.pk}/change/",
        {
            "body": "The duplicate charge is refunded.",
            "visibility": "public",
            "status": "resolved",
            "initial-status": ticket.status,
            "assignee": "",
            "initial-assignee": "",
        },
    )
    assert status == 302, body.decode()[:3000]

    received = inbox.wait_for(1)
    emails = [message for _at, to, message in received if customer.email in to]
    assert len(emails) == 1
    email = emails[0]
    text = email.get_body(preferencelist=("plain",)).get_content()
    assert f"{ticket.key} has been resolved by Sam Support" in text
    assert "The duplicate charge is refunded." in text
    assert email["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"

    unsubscribe = re.fullmatch(r"<http://127\.0\.0\.1(/\S+)>", email["List-Unsubscribe"].strip())
    mail_client = servers.Browser(stack["url"])
    status, _headers, _body = mail_client.request(
        "POST",
        unsubscribe[1],
        b"List-Unsubscribe=One-Click",
        {"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert status == 200
    assert not TicketNotificationSetting.objects.get(ticket=ticket, user=customer).enabled

    rating_path = re.search(r"  5 Excellent: http://127\.0\.0\.1(/ratings/\S+/)", text)[1]
    status, _headers, body = servers.Browser(stack["url"]).post(rating_path, {"rating": "5"})
    assert status == 200, body.decode()[:3000]
    assert "Thank you for your feedback" in body.decode()
    assert SatisfactionRating.objects.get(ticket=ticket).rating == 5


def test_error_pages_with_debug_off_are_in_the_sites_look_without_a_trace(stack):
    browser = servers.Browser(stack["url"])
    status, _headers, body = browser.get("/no-such-page/")
    page = body.decode()
    assert status == 404
    assert "We could not find that page" in page
    assert "TiDB Cloud Help Center" in page and "/static/css/helpcenter." in page
    assert "Traceback" not in page and "DEBUG" not in page

    status, _headers, body = browser.request(
        "POST",
        "/accounts/login/",
        b"username=a%40b.example&password=x",
        {"Content-Type": "application/x-www-form-urlencoded"},
    )
    page = body.decode()
    assert status == 403
    assert "/static/css/helpcenter." in page
    assert "Allow cookies for this site" in page


def test_request_id_round_trips_and_every_web_log_line_has_time_level_logger_and_id(stack):
    browser = servers.Browser(stack["url"])
    request_id = uuid.uuid4().hex
    status, headers, _body = browser.get("/no-such-page/", headers={"X-Request-ID": request_id})
    assert status == 404
    assert headers["X-Request-ID"] == request_id
    status, headers, _body = browser.get("/accounts/login/")
    generated = headers["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{32}", generated) and generated != request_id

    time.sleep(0.5)
    log = stack["web_log"].read_text()
    line_shape = re.compile(
        r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} (DEBUG|INFO|WARNING|ERROR|CRITICAL) "
        r"[\w.]+ \[([0-9a-f]{32}|-)\] .*"
    )
    # gunicorn's own lines (start-up, access) included: every line has the same shape.
    assert all(line_shape.fullmatch(line) for line in log.splitlines() if line), log[-3000:]
    lines = [line for line in log.splitlines() if f"[{request_id}]" in line]
    assert " WARNING django.request " in lines[0] and "Not Found: /no-such-page/" in lines[0]
    assert " INFO gunicorn.access " in lines[-1]
    assert '"GET /no-such-page/ HTTP/1.1" 404' in lines[-1]


def test_a_60_mb_comment_upload_is_refused_with_413_before_the_body_is_sent(
    stack, enterprise_customer
):
    customer, organization, cluster = enterprise_customer
    browser = servers.Browser(stack["url"])
    browser.log_in(customer.email, PASSWORD)
    ticket = TicketFactory(reporter=customer, organization=organization)
    session_cookie = "; ".join(f"{c.name}={c.value}" for c in browser.cookies)
    port = int(stack["url"].rsplit(":", 1)[1])
    declared = 60 * 1024 * 1024
    head = (
        f"POST /requests/{ticket.key}/comments/ HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
        f"Cookie: {session_cookie}\r\n"
        "Content-Type: multipart/form-data; boundary=xyz\r\n"
        f"Content-Length: {declared}\r\n\r\n"
    ).encode()
    started = time.monotonic()
    with socket.create_connection(("127.0.0.1", port), timeout=20) as connection:
        connection.sendall(head + b"--xyz\r\n" + b"\0" * 65536)
        answer = b""
        while chunk := connection.recv(65536):
            answer += chunk
    # Answered, and the connection closed, while 99.9 % of the declared body was never sent.
    text = answer.decode(errors="replace")
    assert text.startswith("HTTP/1.1 413"), text[:500]
    assert "That upload is too large" in text
    assert time.monotonic() - started < 10


def test_api_docs_schema_token_request_and_signed_webhook_under_production(
    stack, enterprise_customer
):
    from accounts.tokens import api_token_create
    from helpcenter.webhooks.models import WebhookDelivery
    from helpcenter.webhooks.services import webhook_endpoint_create
    from helpcenter.webhooks.signing import signature_valid
    from tests.webhooks.receiver import Receiver

    customer, organization, cluster = enterprise_customer
    browser = servers.Browser(stack["url"])
    status, _headers, body = browser.get("/api/v1/docs/")
    assert status == 200
    assets = re.findall(r'(?:href|src)="(/static/[^"]+)"', body.decode())
    assert any("swagger-ui-bundle" in url for url in assets)
    for url in assets:
        assert HASHED_STATIC.fullmatch(url), url
        assert browser.get(url)[0] == 200, url
    status, _headers, body = browser.get(
        "/api/v1/schema/", headers={"Accept": "application/vnd.oai.openapi+json"}
    )
    assert status == 200 and "/api/v1/requests/" in json.loads(body)["paths"]

    _token, raw = api_token_create(user=customer, name="prod", days=1, scope="read-write")
    with Receiver() as receiver:
        endpoint = webhook_endpoint_create(
            actor=customer, organization=organization, url=receiver.url, events=["request.created"]
        )
        status, _headers, body = browser.request(
            "POST",
            "/api/v1/requests/",
            json.dumps(
                {
                    "portal": "technical",
                    "summary": "Production API walk",
                    "organization": organization.pk,
                    "cluster": cluster.pk,
                    "environment": "production",
                    "description": "Filed through gunicorn with DEBUG off.",
                    "severity": "S3",
                }
            ).encode(),
            {"Authorization": f"Bearer {raw}", "Content-Type": "application/json"},
        )
        assert status == 201, body
        key = json.loads(body)["key"]
        [(headers, payload)] = receiver.wait_for(1, timeout=30)
    assert json.loads(payload)["request"]["key"] == key
    assert signature_valid(
        secret=endpoint.secret, body=payload, header=headers["X-Helpcenter-Signature"]
    )
    assert WebhookDelivery.objects.get().status == "delivered"
    assert (
        browser.request(
            "GET", f"/api/v1/requests/{key}/", headers={"Authorization": "Bearer hc_revoked"}
        )[0]
        == 401
    )
