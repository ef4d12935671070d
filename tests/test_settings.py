"""The settings fail closed: each test starts `manage.py` in a clean environment, as an operator's
shell would."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SECRET_KEY = "x7!kq2#vP9zL0mR4tW8yB1nC6dF3gH5jK-9sA2eQ7uI0oP4lZ8xV6bN3mM1cR5tY7w"
PRODUCTION = {
    "DJANGO_DEBUG": "0",
    "DJANGO_SECRET_KEY": SECRET_KEY,
    "DATABASE_URL": "postgres://helpcenter@db.internal:5432/helpcenter",
    "CELERY_BROKER_URL": "redis://redis.internal:6379/0",
}
ISOLATED_PREFIXES = ("DJANGO_", "DATABASE_", "CELERY_", "CACHE_", "AWS_", "EMAIL_")


def run_manage(*args, **env):
    clean_env = {k: v for k, v in os.environ.items() if not k.startswith(ISOLATED_PREFIXES)}
    clean_env.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=clean_env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def settings_seen(names: list[str], **env) -> dict:
    """The named settings as the process computes them from this environment."""
    code = (
        "import json; from django.conf import settings; "
        f"print(json.dumps({{n: getattr(settings, n) for n in {names!r}}}, default=str))"
    )
    result = run_manage("shell", "-c", code, **env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_the_projects_before_stop_check_passes_collectstatic_and_deploy_check(tmp_path):
    """Exactly the environment the project's own check uses: explicit SQLite and memory://."""
    env = {
        "DJANGO_DEBUG": "0",
        "DATABASE_URL": f"sqlite:///{tmp_path}/x.sqlite3",
        "CELERY_BROKER_URL": "memory://",
        "DJANGO_SECRET_KEY": SECRET_KEY,
        "STATIC_ROOT": str(tmp_path / "static"),
    }
    collected = run_manage("collectstatic", "--no-input", **env)
    assert collected.returncode == 0, collected.stdout + collected.stderr
    assert (tmp_path / "static" / "staticfiles.json").exists()
    checked = run_manage("check", "--deploy", "--fail-level", "WARNING", **env)
    assert checked.returncode == 0, checked.stdout + checked.stderr


@pytest.mark.parametrize("variable", ["DJANGO_SECRET_KEY", "DATABASE_URL", "CELERY_BROKER_URL"])
def test_with_debug_off_a_missing_variable_stops_start_up_with_one_line_naming_it(variable):
    env = {name: value for name, value in PRODUCTION.items() if name != variable}
    result = run_manage("migrate", "--check", **env)
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith(f"Cannot start: {variable} must be set when DJANGO_DEBUG is off")


def test_debug_is_off_when_the_variable_is_missing():
    result = run_manage("check")
    assert result.returncode == 1
    assert "DJANGO_SECRET_KEY must be set when DJANGO_DEBUG is off" in result.stderr


def test_production_defaults_persistent_checked_connections_short_hsts_no_preload():
    seen = settings_seen(
        [
            "DEBUG",
            "DATABASES",
            "SECURE_HSTS_SECONDS",
            "SECURE_HSTS_PRELOAD",
            "SECURE_SSL_REDIRECT",
            "SESSION_COOKIE_SECURE",
            "CELERY_TASK_ALWAYS_EAGER",
            "SESSION_ENGINE",
        ],
        **PRODUCTION,
    )
    database = seen["DATABASES"]["default"]
    assert seen["DEBUG"] is False
    assert (database["CONN_MAX_AGE"], database["CONN_HEALTH_CHECKS"]) == (60, True)
    assert (seen["SECURE_HSTS_SECONDS"], seen["SECURE_HSTS_PRELOAD"]) == (60, False)
    assert seen["SECURE_SSL_REDIRECT"] is True and seen["SESSION_COOKIE_SECURE"] is True
    assert seen["CELERY_TASK_ALWAYS_EAGER"] is False
    assert seen["SESSION_ENGINE"] == "django.contrib.sessions.backends.db"


def test_operator_settings_hsts_preload_plain_http_and_explicit_in_process_tasks():
    seen = settings_seen(
        [
            "SECURE_HSTS_SECONDS",
            "SECURE_HSTS_PRELOAD",
            "SECURE_SSL_REDIRECT",
            "SESSION_COOKIE_SECURE",
            "CSRF_COOKIE_SECURE",
            "CELERY_TASK_ALWAYS_EAGER",
        ],
        **{
            **PRODUCTION,
            "DJANGO_SECURE_HSTS_SECONDS": "31536000",
            "DJANGO_SECURE_HSTS_PRELOAD": "1",
            "DJANGO_SECURE_SSL_REDIRECT": "0",
            "DJANGO_SECURE_COOKIES": "0",
            "CELERY_BROKER_URL": "memory://",
        },
    )
    assert seen == {
        "SECURE_HSTS_SECONDS": 31536000,
        "SECURE_HSTS_PRELOAD": True,
        "SECURE_SSL_REDIRECT": False,
        "SESSION_COOKIE_SECURE": False,
        "CSRF_COOKIE_SECURE": False,
        "CELERY_TASK_ALWAYS_EAGER": True,
    }


def test_a_cache_url_backs_the_cache_and_cached_db_sessions():
    seen = settings_seen(
        ["CACHES", "SESSION_ENGINE"], **PRODUCTION, CACHE_URL="redis://redis.internal:6379/2"
    )
    # Django's Redis cache, reusing its client (helpcenter/cache.py).
    assert seen["CACHES"]["default"]["BACKEND"] == "helpcenter.cache.RedisCache"
    assert seen["CACHES"]["default"]["LOCATION"] == "redis://redis.internal:6379/2"
    assert seen["SESSION_ENGINE"] == "django.contrib.sessions.backends.cached_db"


def test_templates_are_loaded_through_the_cached_loader_in_production():
    code = (
        "from django.template import engines; "
        "print(type(engines['django'].engine.template_loaders[0]).__module__)"
    )
    result = run_manage("shell", "-c", code, **PRODUCTION)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "django.template.loaders.cached"


def test_sqlite_runs_in_wal_mode_with_immediate_transactions_and_a_busy_timeout(tmp_path):
    seen = settings_seen(
        ["DATABASES"], DJANGO_DEBUG="1", DATABASE_URL=f"sqlite:///{tmp_path}/db.sqlite3"
    )
    options = seen["DATABASES"]["default"]["OPTIONS"]
    assert options["transaction_mode"] == "IMMEDIATE"
    assert options["timeout"] >= 5
    assert "journal_mode=WAL" in options["init_command"]


def test_an_s3_bucket_moves_attachments_to_object_storage_with_short_urls():
    seen = settings_seen(
        ["STORAGES"],
        **PRODUCTION,
        AWS_STORAGE_BUCKET_NAME="helpcenter-attachments",
        AWS_S3_ENDPOINT_URL="https://s3.example.net",
    )
    default = seen["STORAGES"]["default"]
    assert default["BACKEND"] == "storages.backends.s3.S3Storage"
    assert default["OPTIONS"]["bucket_name"] == "helpcenter-attachments"
    assert default["OPTIONS"]["endpoint_url"] == "https://s3.example.net"
    assert default["OPTIONS"]["querystring_expire"] <= 60
    without = settings_seen(["STORAGES", "MEDIA_ROOT"], **PRODUCTION)
    assert without["STORAGES"]["default"]["BACKEND"].endswith("FileSystemStorage")
    assert without["MEDIA_ROOT"].endswith("var/media")


def test_sentry_dsn_turns_on_sentry_for_django_and_celery():
    code = (
        "import django; django.setup(); import sentry_sdk; client = sentry_sdk.get_client(); "
        "print(client.is_active(), sorted(client.integrations))"
    )
    env = {**PRODUCTION, "SENTRY_DSN": "https://public@sentry.example.net/42"}
    result = run_manage("shell", "-c", code, **env)
    assert result.returncode == 0, result.stderr
    active, integrations = result.stdout.strip().splitlines()[-1].split(" ", 1)
    assert active == "True"
    assert "'django'" in integrations and "'celery'" in integrations
    off = run_manage("shell", "-c", code, **PRODUCTION)
    assert off.stdout.strip().splitlines()[-1].startswith("False")


def test_gunicorn_with_a_missing_variable_stops_and_names_it():
    env = {k: v for k, v in os.environ.items() if not k.startswith(ISOLATED_PREFIXES)}
    env.update({name: value for name, value in PRODUCTION.items() if name != "CELERY_BROKER_URL"})
    result = subprocess.run(
        [sys.executable, "-m", "gunicorn", "--config", "python:helpcenter.gunicorn_config"]
        + ["helpcenter.wsgi:application", "--bind", "127.0.0.1:0", "--workers", "1"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    output = result.stdout + result.stderr
    assert "CELERY_BROKER_URL must be set when DJANGO_DEBUG is off" in output
    assert "Worker failed to boot" in output


def test_a_gunicorn_worker_loads_its_views_and_freezes_them_before_serving():
    """The collector's full passes skip what every worker loads once (Django, the URLconf,
    the views it imports): they cost the triage list about 0.8 ms per request otherwise."""
    code = (
        "import gc, sys; from helpcenter.gunicorn_config import post_worker_init; "
        "before = 'tickets.views' in sys.modules; post_worker_init(None); "
        "print(before, 'tickets.views' in sys.modules, gc.get_freeze_count() > 50000)"
    )
    result = run_manage("shell", "-c", code, **PRODUCTION)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "False True True"
