"""Walks scripts/examples/alert_to_request.py against a real server, with a real token."""

import io
import json
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection

from accounts.models import User
from accounts.tokens import api_token_create
from tickets import services
from tickets.models import Ticket

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "examples" / "alert_to_request.py"


@pytest.fixture
def demo_server(django_db_serialized_rollback, transactional_db, live_server):
    call_command("seed_demo", stdout=io.StringIO())
    return live_server


def run_script(server, token, *extra):
    return subprocess.Popen(
        [
            sys.executable,
            str(SCRIPT),
            "--cluster",
            "globex-analytics",
            "--summary",
            "TiKVStoreDown fired",
            "--description",
            "Alertmanager: store 4 down since 09:12 UTC",
            "--component",
            "TiKV",
            *extra,
        ],
        env={"HELPCENTER_URL": server.url, "HELPCENTER_TOKEN": token, "PATH": "/usr/bin:/bin"},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_the_alert_files_a_request_and_follows_it_until_an_engineer_answers(demo_server):
    bob = User.objects.get(email="bob@globex.example")
    _token, raw = api_token_create(user=bob, name="alerts", days=30, scope="read-write")
    process = run_script(demo_server, raw, "--polls", "40", "--interval", "0.25")
    filed = json.loads(process.stdout.readline())
    ticket = Ticket.objects.get(key=filed["filed"])
    assert (ticket.cluster.name, ticket.organization.name) == ("globex-analytics", "Globex")
    assert (ticket.environment, ticket.affects_version) == ("production", "v7.5.4")
    assert list(ticket.components.values_list("name", flat=True)) == ["TiKV"]
    agent = User.objects.get(email="agent@support.example")

    def engineer_replies():
        services.ticket_comment_add(ticket=ticket, author=agent, body="On it.")
        connection.close()

    replied = threading.Timer(0.5, engineer_replies)
    replied.start()
    out, err = process.communicate(timeout=60)
    replied.join()
    assert process.returncode == 0, err
    lines = [json.loads(line) for line in out.splitlines()]
    assert lines[0]["status"] == "waiting_for_support"
    assert lines[-1]["response"] == "met"


def test_a_read_only_token_gets_the_apis_refusal(demo_server):
    bob = User.objects.get(email="bob@globex.example")
    _token, raw = api_token_create(user=bob, name="dash", days=30, scope="read")
    out, err = run_script(demo_server, raw, "--polls", "1").communicate(timeout=60)
    assert "403" in err and "read-only" in err
    assert not Ticket.objects.filter(summary="TiKVStoreDown fired").exists()
