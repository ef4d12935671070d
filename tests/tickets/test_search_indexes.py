"""Text search and the request list are served by indexes in PostgreSQL, not by table scans."""

import pytest
from django.db import connection

from tests.factories import TicketFactory
from tickets.selectors import RequestFilters, tickets_for_request_list

pytestmark = pytest.mark.django_db


def plan_for(queryset) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")
    return queryset.explain()


def test_search_uses_the_trigram_indexes(enterprise_org):
    organization, owner, _cluster = enterprise_org
    TicketFactory.create_batch(20, organization=organization, reporter=owner)
    plan = plan_for(
        tickets_for_request_list(user=owner, filters=RequestFilters(status="all", query="invoice"))
    )
    assert "tickets_ticket_summary_trgm" in plan
    assert "tickets_ticket_desc_trgm" in plan


def test_open_requests_of_an_organization_use_an_index(enterprise_org):
    organization, owner, _cluster = enterprise_org
    TicketFactory.create_batch(20, organization=organization, reporter=owner)
    plan = plan_for(tickets_for_request_list(user=owner, filters=RequestFilters(status="open")))
    assert "Seq Scan on tickets_ticket" not in plan
    assert "Index" in plan
