"""CSV formula injection: every cell of the request export goes through one neutraliser,
including the reporter's email and the cluster name."""

import csv
import io

import pytest

from accounts.models import Membership
from tests.factories import ClusterFactory, MembershipFactory, TicketFactory, UserFactory

pytestmark = pytest.mark.django_db

PAYLOADS = ['=HYPERLINK("https://evil.example")', "+1+1", "-2+3", "@SUM(A1)", "\t=1"]


@pytest.mark.parametrize("payload", PAYLOADS)
def test_no_cell_of_the_export_starts_like_a_formula(client, basic_org, payload):
    organization, _owner, _cluster = basic_org
    organization.name = payload + " org"
    organization.save(update_fields=["name"])
    reporter = UserFactory(email="x@customer.example", full_name=payload)
    MembershipFactory(user=reporter, organization=organization, role=Membership.Role.MEMBER)
    cluster = ClusterFactory(organization=organization, name=payload[:60])
    TicketFactory(organization=organization, reporter=reporter, cluster=cluster, summary=payload)
    client.force_login(reporter)
    response = client.get("/requests/export.csv", {"status": "all"})
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert len(rows) == 2
    for cell in rows[1]:
        assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), rows[1]
    assert "'" + payload in rows[1]


def test_an_email_address_starting_like_a_formula_is_neutralised(client, basic_org):
    organization, _owner, _cluster = basic_org
    reporter = UserFactory(email="=cmd@customer.example")
    MembershipFactory(user=reporter, organization=organization)
    TicketFactory(organization=organization, reporter=reporter)
    client.force_login(reporter)
    response = client.get("/requests/export.csv", {"status": "all"})
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert "'=cmd@customer.example" in rows[1]
