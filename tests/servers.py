"""Real processes for the production-shape tests: gunicorn, a Celery worker, moto's S3 server,
each on a free local port with the production settings (helpcenter.settings, DEBUG off), and a
small cookie-keeping HTTP client that speaks to them as a browser would."""

import http.cookiejar
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

from django.conf import settings

ROOT = Path(__file__).resolve().parent.parent
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
SECRET_KEY = "production-shape-test-key-" + "k8Qz2vLm9xTa4RwN7pYc1BsD6fHj3GuE5iOo0"
START_SECONDS = 40


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_database_url() -> str:
    """The pytest test database as a URL, for processes that must share it."""
    database = settings.DATABASES["default"]
    credentials = quote(database["USER"] or "")
    if database["PASSWORD"]:
        credentials += ":" + quote(database["PASSWORD"])
    host = database["HOST"] or "127.0.0.1"
    port = database["PORT"] or 5432
    return f"postgres://{credentials}@{host}:{port}/{database['NAME']}"


def production_env(**overrides) -> dict[str, str]:
    """The environment of a production process: nothing inherited that could loosen it."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "CELERY_", "AWS_", "DATABASE_", "CACHE_", "EMAIL_"))
        and key not in {"SENTRY_DSN", "LOG_FORMAT", "MEDIA_ROOT", "STATIC_ROOT"}
    }
    env.update(
        DJANGO_SETTINGS_MODULE="helpcenter.settings",
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY=SECRET_KEY,
        DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost",
        # Plain http on loopback, as in docker-compose.yml: no HTTPS redirect, cookies over http.
        DJANGO_SECURE_SSL_REDIRECT="0",
        DJANGO_SECURE_COOKIES="0",
        PYTHONUNBUFFERED="1",
    )
    env.update(overrides)
    return env


def _wait_until(ready, process, log_path: Path, what: str, seconds: float = START_SECONDS):
    deadline = time.monotonic() + seconds
    while not ready():
        if process.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"{what} did not start:\n{log_path.read_text()[-6000:]}")
        time.sleep(0.1)


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2):
            return True
    except urllib.error.HTTPError:
        return True
    except OSError:
        return False


@contextmanager
def gunicorn(env: dict[str, str], log_path: Path, workers: int = 2):
    """gunicorn as the Dockerfile runs it; yields its base URL."""
    port = free_port()
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "--config",
        "python:helpcenter.gunicorn_config",
        "helpcenter.wsgi:application",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers),
        "--timeout",
        "60",
    ]
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
    base_url = f"http://127.0.0.1:{port}"
    try:
        _wait_until(lambda: _answers(base_url + "/healthz/"), process, log_path, "gunicorn")
        yield base_url
    finally:
        _stop(process)


@contextmanager
def celery_worker(env: dict[str, str], log_path: Path):
    """A real `celery -A helpcenter worker` on its own queue; yields the queue name."""
    queue = env.get("CELERY_TASK_DEFAULT_QUEUE") or f"hc-prod-{uuid.uuid4().hex[:12]}"
    env = {**env, "CELERY_TASK_DEFAULT_QUEUE": queue}
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
        f"--hostname={queue}@%h",
    ]
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
    try:
        _wait_until(lambda: b" ready." in log_path.read_bytes(), process, log_path, "celery")
        yield queue
    finally:
        _stop(process)
        import redis

        broker = redis.Redis.from_url(REDIS_URL)
        broker.delete(queue, f"_kombu.binding.{queue}")
        broker.close()


@contextmanager
def moto_s3_server(log_path: Path):
    """moto's standalone server as the S3 endpoint; yields its URL."""
    port = free_port()
    command = [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)]
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            command, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_until(lambda: _answers(url + "/"), process, log_path, "moto")
        yield url
    finally:
        _stop(process)


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Browser:
    """Cookies, CSRF tokens and form posts over plain HTTP; redirects are returned, not followed.
    The cookie jar can be shared, so that two web nodes see the same browser."""

    def __init__(self, base_url: str, cookies: http.cookiejar.CookieJar | None = None):
        self.base_url = base_url
        self.cookies = cookies if cookies is not None else http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.cookies), NoRedirect
        )

    def request(self, method: str, path: str, data: bytes | None = None, headers=None):
        request = urllib.request.Request(
            self.base_url + path, data=data, method=method, headers=headers or {}
        )
        try:
            response = self.opener.open(request, timeout=30)
        except urllib.error.HTTPError as error:
            response = error
        with response:
            return response.status, dict(response.headers), response.read()

    def get(self, path: str, headers=None):
        return self.request("GET", path, headers=headers)

    def csrf_token(self, path: str) -> str:
        status, _headers, body = self.get(path)
        assert status == 200, (path, status)
        match = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', body)
        assert match, f"no CSRF token on {path}"
        return match.group(1).decode()

    def post(self, path: str, fields: dict, headers=None, form_path: str | None = None):
        pairs = [("csrfmiddlewaretoken", self.csrf_token(form_path or path))]
        for name, value in fields.items():
            values = value if isinstance(value, list) else [value]
            pairs.extend((name, str(item)) for item in values)
        data = urllib.parse.urlencode(pairs).encode()
        headers = {"Content-Type": "application/x-www-form-urlencoded", **(headers or {})}
        return self.request("POST", path, data, headers)

    def post_multipart(
        self, path: str, fields: dict, files: list[tuple[str, str, bytes]], form_path: str
    ):
        boundary = uuid.uuid4().hex
        parts = []
        fields = {"csrfmiddlewaretoken": self.csrf_token(form_path), **fields}
        for name, value in fields.items():
            disposition = f'Content-Disposition: form-data; name="{name}"'
            parts.append(f"--{boundary}\r\n{disposition}\r\n\r\n{value}\r\n".encode())
        for name, filename, content in files:
            parts.append(
                f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
                f'filename="{filename}"\r\nContent-Type: application/octet-stream\r\n\r\n'.encode()
                + content
                + b"\r\n"
            )
        body = b"".join(parts) + f"--{boundary}--\r\n".encode()
        headers = {"Content-Type": f"multipart/form-data; boundary={boundary}"}
        return self.request("POST", path, body, headers)

    def log_in(self, email: str, password: str) -> None:
        status, headers, _body = self.post(
            "/accounts/login/", {"username": email, "password": password}
        )
        assert status == 302, f"login of {email} answered {status}"
