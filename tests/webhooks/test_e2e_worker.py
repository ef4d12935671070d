"""Webhooks through the real parts: events published to Redis, delivered by a real Celery
worker to a local HTTP receiver, exactly once each, also for events that waited in the broker
while the worker was restarted."""

import json
import os
import signal
import subprocess
import sys
import time
import uuid
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

import pytest
import redis
from django.conf import settings

from helpcenter.celery import app as celery_app
from helpcenter.webhooks.models import WebhookDelivery
from helpcenter.webhooks.signing import signature_valid
from tickets import services

ROOT = Path(__file__).resolve().parents[2]
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def worker_database_url() -> str:
    database = settings.DATABASES["default"]
    if database["ENGINE"] != "django.db.backends.postgresql":
        pytest.skip("the worker subprocess needs a shared database server (DATABASE_URL=postgres)")
    credentials = quote(database["USER"] or "")
    if database["PASSWORD"]:
        credentials += ":" + quote(database["PASSWORD"])
    return (
        f"postgres://{credentials}@{database['HOST'] or '127.0.0.1'}:{database['PORT'] or 5432}"
        f"/{database['NAME']}"
    )


class Worker:
    """`celery -A helpcenter worker` on the test database and its own queue; restartable."""

    def __init__(self, log_dir: Path):
        self.queue = f"hc-webhooks-{uuid.uuid4().hex[:12]}"
        self.log_dir = log_dir
        self.process = None
        self.starts = 0

    def start(self) -> None:
        self.starts += 1
        log_path = self.log_dir / f"worker-{self.starts}.log"
        env = {key: value for key, value in os.environ.items() if not key.startswith("CELERY_")}
        env.update(
            DATABASE_URL=worker_database_url(),
            CELERY_BROKER_URL=REDIS_URL,
            CELERY_TASK_DEFAULT_QUEUE=self.queue,
            WEBHOOK_ALLOW_LOCAL_HTTP="1",
            PYTHONUNBUFFERED="1",
        )
        command = [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "helpcenter",
            "worker",
            "--pool=prefork",
            "--concurrency=1",
            "--without-mingle",
            "--without-gossip",
            "--without-heartbeat",
            "--loglevel=INFO",
            f"--hostname={self.queue}-{self.starts}@%h",
        ]
        with open(log_path, "wb") as log:
            self.process = subprocess.Popen(
                command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT
            )
        deadline = time.monotonic() + 30
        while b" ready." not in log_path.read_bytes():
            if self.process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"The Celery worker did not start:\n{log_path.read_text()}")
            time.sleep(0.1)

    def stop(self) -> None:
        self.process.send_signal(signal.SIGTERM)  # warm shutdown, as a deploy restart does
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def cleanup(self) -> None:
        if self.process and self.process.poll() is None:
            self.stop()
        broker = redis.Redis.from_url(REDIS_URL)
        broker.delete(self.queue, f"_kombu.binding.{self.queue}")
        broker.close()


@pytest.fixture
def worker(tmp_path):
    running = Worker(tmp_path)
    running.start()
    yield running
    running.cleanup()


@contextmanager
def publishing_to(queue: str):
    """This (web) process publishes tasks to Redis instead of running them in-process."""
    saved = {
        key: celery_app.conf[key]
        for key in ("task_always_eager", "broker_url", "task_default_queue")
    }
    celery_app.conf.update(task_always_eager=False, broker_url=REDIS_URL, task_default_queue=queue)
    celery_app._pool = None
    celery_app.__dict__.pop("amqp", None)
    try:
        yield
    finally:
        celery_app.conf.update(saved)
        celery_app._pool = None
        celery_app.__dict__.pop("amqp", None)


@pytest.fixture(autouse=True)
def _no_broker_env(monkeypatch):
    monkeypatch.delenv("CELERY_BROKER_URL", raising=False)


def test_one_signed_delivery_per_event_including_across_a_worker_restart(
    hooked_org, engineer, receiver, worker
):
    organization, owner, cluster, endpoint = hooked_org
    with publishing_to(worker.queue):
        ticket = services.ticket_create(
            reporter=owner,
            portal="technical",
            summary="TiDB OOM on analytics",
            description="tidb-server restarted 3 times.",
            severity="S2",
            organization=organization,
            cluster=cluster,
            environment="production",
        )
    assert len(receiver.wait_for(1)) == 1

    worker.stop()
    with publishing_to(worker.queue):
        services.ticket_comment_add(
            ticket=ticket, author=engineer, body="Raising the memory quota."
        )
        services.ticket_status_change(ticket=ticket, actor=engineer, to_status="resolved")
    time.sleep(1)
    assert len(receiver.received) == 1  # nobody is consuming while the worker is down
    worker.start()

    received = receiver.wait_for(4, timeout=30)
    events = sorted(headers["X-Helpcenter-Event"] for headers, _body in received)
    assert events == sorted(
        ["request.created", "request.commented", "request.status_changed", "request.resolved"]
    )
    delivery_ids = [headers["X-Helpcenter-Delivery"] for headers, _body in received]
    assert len(set(delivery_ids)) == 4
    assert all(
        signature_valid(secret=endpoint.secret, body=body, header=headers["X-Helpcenter-Signature"])
        for headers, body in received
    )
    assert {json.loads(body)["request"]["key"] for _headers, body in received} == {ticket.key}
    assert set(WebhookDelivery.objects.values_list("status", "attempts")) == {("delivered", 1)}
