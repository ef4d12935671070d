"""The schema is the contract: it validates, and schemathesis finds no server error and no
response that breaches it, for a customer and for a support engineer."""

import io

import pytest
import schemathesis
from django.core import signals
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from accounts.tokens import api_token_create
from tickets import services

pytestmark = pytest.mark.django_db
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
EXAMPLES_PER_OPERATION = 15


def test_the_schema_validates():
    out = io.StringIO()
    call_command("spectacular", "--validate", "--fail-on-warn", stdout=out)
    assert "openapi: 3" in out.getvalue()


@pytest.fixture
def known_request(enterprise_org, engineer):
    organization, owner, cluster = enterprise_org
    ticket = services.ticket_create(
        reporter=owner,
        portal="technical",
        summary="Region failover",
        description="Failover took 9 minutes.",
        severity="S2",
        organization=organization,
        cluster=cluster,
        environment="production",
    )
    services.ticket_comment_add(
        ticket=ticket,
        author=engineer,
        body="Here is the runbook.",
        attachments=[SimpleUploadedFile("runbook.txt", b"step 1\n", "text/plain")],
    )
    return ticket


def _fuzz(schema, token: str, ticket, operations):
    """Each operation, with random input and half the time the real request's key."""
    for result in operations:
        operation = result.ok()

        @given(case=operation.as_strategy(), real_key=st.booleans())
        @settings(
            max_examples=EXAMPLES_PER_OPERATION,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            database=None,
        )
        def run(case, real_key):
            if real_key and case.path_parameters and "key" in case.path_parameters:
                case.path_parameters["key"] = ticket.key
            case.call_and_validate(headers={"Authorization": f"Bearer {token}"}, checks=CHECKS)

        run()


@pytest.fixture
def wsgi_keeps_the_test_connection():
    """Like Django's test client: the WSGI app must not close the test's database connection
    (its transaction holds the test data) at the end of each request."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


def _schema():
    return schemathesis.openapi.from_wsgi("/api/v1/schema/", get_wsgi_application())


@pytest.fixture
def generous_limits(settings, wsgi_keeps_the_test_connection):
    settings.API_THROTTLE_RATES = {"read": "100000/min", "write": "100000/min"}


def test_customer_endpoints_keep_the_contract(known_request, generous_limits):
    _token, raw = api_token_create(
        user=known_request.reporter, name="fuzz", days=1, scope="read-write"
    )
    schema = _schema()
    customer_operations = [
        result
        for result in schema.get_all_operations()
        if not result.ok().path.startswith("/api/v1/support/")
    ]
    assert len(customer_operations) >= 14
    _fuzz(schema, raw, known_request, customer_operations)


def test_engineer_endpoints_keep_the_contract(known_request, engineer, generous_limits):
    _token, raw = api_token_create(
        user=engineer, name="fuzz", days=1, scope="read-write", second_factor_verified=True
    )
    schema = _schema()
    support_operations = [
        result
        for result in schema.get_all_operations()
        if result.ok().path.startswith("/api/v1/support/")
    ]
    assert len(support_operations) >= 8
    _fuzz(schema, raw, known_request, support_operations)
