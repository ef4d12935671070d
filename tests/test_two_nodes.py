"""More than one web node: two separate gunicorn processes with production settings share
PostgreSQL, Redis (cache and sessions) and an S3-compatible store (moto's standalone server).
A file uploaded through one node downloads through the other, behind the same access check, and
a session made on one node is valid on the other."""

import re
import subprocess
import sys
import uuid

import boto3
import pytest

from accounts.models import Membership
from tests import servers
from tests.factories import ClusterFactory, MembershipFactory, OrganizationFactory, TicketFactory
from tests.test_production import PASSWORD, user_with_password

BUCKET = "helpcenter-attachments"
S3_CREDENTIALS = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture(scope="module")
def nodes(django_db_setup, tmp_path_factory):
    if "postgresql" not in servers.settings.DATABASES["default"]["ENGINE"]:
        pytest.skip("the web nodes share a PostgreSQL test database")
    root = tmp_path_factory.mktemp("two-nodes")
    with servers.moto_s3_server(root / "moto.log") as s3_url:
        s3 = boto3.client("s3", endpoint_url=s3_url, region_name="us-east-1", **_boto_keys())
        s3.create_bucket(Bucket=BUCKET)
        shared = servers.production_env(
            DATABASE_URL=servers.test_database_url(),
            CELERY_BROKER_URL=servers.REDIS_URL,
            CELERY_TASK_DEFAULT_QUEUE=f"hc-two-nodes-{uuid.uuid4().hex[:12]}",
            CACHE_URL=f"{servers.REDIS_URL}?key_prefix=hc-two-nodes-{uuid.uuid4().hex[:8]}",
            AWS_STORAGE_BUCKET_NAME=BUCKET,
            AWS_S3_ENDPOINT_URL=s3_url,
            AWS_S3_REGION_NAME="us-east-1",
            STATIC_ROOT=str(root / "static"),
            **S3_CREDENTIALS,
        )
        collected = subprocess.run(
            [sys.executable, "manage.py", "collectstatic", "--no-input", "--verbosity", "0"],
            cwd=servers.ROOT,
            env=shared,
            capture_output=True,
            text=True,
            timeout=180,
        )
        assert collected.returncode == 0, collected.stderr
        media = {name: root / f"{name}-media" for name in ("a", "b")}
        with (
            servers.gunicorn(
                {**shared, "MEDIA_ROOT": str(media["a"])}, root / "a.log", workers=1
            ) as node_a,
            servers.gunicorn(
                {**shared, "MEDIA_ROOT": str(media["b"])}, root / "b.log", workers=1
            ) as node_b,
        ):
            yield {"a": node_a, "b": node_b, "s3": s3, "media": media}
        import redis

        broker = redis.Redis.from_url(servers.REDIS_URL)
        queue = shared["CELERY_TASK_DEFAULT_QUEUE"]
        broker.delete(queue, f"_kombu.binding.{queue}")
        broker.close()


def _boto_keys():
    return {
        "aws_access_key_id": S3_CREDENTIALS["AWS_ACCESS_KEY_ID"],
        "aws_secret_access_key": S3_CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
    }


@pytest.fixture
def customer():
    organization = OrganizationFactory(name="Twonode")
    user = user_with_password(email="dev@twonode.example", full_name="Dana Dev")
    MembershipFactory(user=user, organization=organization, role=Membership.Role.OWNER)
    ClusterFactory(organization=organization)
    return user, organization


def test_a_session_made_on_one_node_is_valid_on_the_other_and_ends_on_both(nodes, customer):
    user, _organization = customer
    on_a = servers.Browser(nodes["a"])
    on_a.log_in(user.email, PASSWORD)
    on_b = servers.Browser(nodes["b"], cookies=on_a.cookies)
    status, _headers, body = on_b.get("/requests/")
    assert status == 200
    assert user.email in body.decode()

    status, _headers, _body = on_a.post("/accounts/logout/", {}, form_path="/requests/")
    assert status == 302
    status, headers, _body = on_b.get("/requests/")
    assert status == 302 and headers["Location"].startswith("/accounts/login/")


def test_a_file_uploaded_through_one_node_downloads_through_the_other_behind_the_access_check(
    nodes, customer
):
    user, organization = customer
    ticket = TicketFactory(reporter=user, organization=organization)
    content = b"2026-11-29 06:00:01 [ERROR] region 42 unavailable\n" * 200
    on_a = servers.Browser(nodes["a"])
    on_a.log_in(user.email, PASSWORD)
    status, headers, body = on_a.post_multipart(
        f"/requests/{ticket.key}/comments/",
        {"body": "The TiKV log from this morning."},
        [("attachments", "tikv.log", content)],
        form_path=f"/requests/{ticket.key}/",
    )
    assert status == 302, body.decode()[:2000]

    on_b = servers.Browser(nodes["b"], cookies=on_a.cookies)
    status, _headers, page = on_b.get(f"/requests/{ticket.key}/")
    [download] = re.findall(rf'href="(/requests/{ticket.key}/attachments/\d+/)"', page.decode())
    status, headers, downloaded = on_b.get(download)
    assert status == 200
    assert downloaded == content
    assert headers["Content-Disposition"].startswith('attachment; filename="tikv.log"')
    assert headers["X-Content-Type-Options"] == "nosniff"

    stored = nodes["s3"].list_objects_v2(Bucket=BUCKET, Prefix="attachments/")["Contents"]
    assert [item["Size"] for item in stored] == [len(content)]
    for media in nodes["media"].values():
        assert not media.exists() or not any(media.rglob("*.log"))

    outsider = user_with_password(email="eve@elsewhere.example", full_name="Eve Else")
    MembershipFactory(user=outsider, organization=OrganizationFactory())
    stranger = servers.Browser(nodes["b"])
    stranger.log_in(outsider.email, PASSWORD)
    status, _headers, body = stranger.get(download)
    assert status == 404
    assert content[:40] not in body
