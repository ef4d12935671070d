import threading
from datetime import UTC, datetime, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.utils import timezone

from accounts.models import Membership
from plans.models import Plan
from plans.selectors import portal_access
from tests.factories import (
    ClusterFactory,
    MembershipFactory,
    OrganizationFactory,
    UserFactory,
    file_request,
    subscribe,
)
from tickets import services
from tickets.models import Component, Ticket, TicketEvent
from tickets.sla import response_clock, response_target_for

pytestmark = pytest.mark.django_db


def technical(reporter, organization, **overrides):
    return file_request(
        reporter=reporter,
        organization=organization,
        severity=overrides.pop("severity", "S2"),
        summary=overrides.pop("summary", "Queries time out"),
        description=overrides.pop(
            "description", "Since 10:02 UTC every query on orders times out."
        ),
        **overrides,
    )


def billing(reporter, organization=None, **overrides):
    return file_request(
        reporter=reporter,
        organization=organization,
        portal="billing",
        summary=overrides.pop("summary", "Invoice question"),
        description=overrides.pop("description", "Why was I charged twice?"),
        **overrides,
    )


def test_a_technical_request_gets_a_key_the_plan_target_and_a_history(enterprise_org):
    organization, owner, cluster = enterprise_org
    tiflash = Component.objects.get(name="TiFlash")
    ticket = technical(owner, organization, cluster=cluster, severity="S1", components=[tiflash])
    assert ticket.key.startswith("TECH-")
    assert ticket.plan.code == "enterprise"
    assert ticket.response_target_minutes == 60
    assert ticket.response_target_label == "1 hour"
    assert list(ticket.components.all()) == [tiflash]
    assert ticket.status == Ticket.Status.WAITING_FOR_SUPPORT
    assert ticket.first_response_due_at - ticket.created_at < timedelta(hours=1, seconds=5)
    assert TicketEvent.objects.filter(ticket=ticket, kind="created", actor=owner).exists()


def test_the_filed_request_is_the_stored_one_with_its_history(enterprise_org):
    organization, owner, cluster = enterprise_org
    ticket = technical(owner, organization, cluster=cluster, severity="S2")
    stored = Ticket.objects.get(key=ticket.key)
    for field in Ticket._meta.concrete_fields:
        assert getattr(ticket, field.attname) == getattr(stored, field.attname), field.name
    (event,) = TicketEvent.objects.filter(ticket=stored)
    assert (event.kind, event.actor, event.to_value) == ("created", owner, "Waiting for support")
    assert stored.created_at <= event.created_at


def test_keys_are_sequential_per_portal(enterprise_org):
    organization, owner, _cluster = enterprise_org
    first = technical(owner, organization)
    second = technical(owner, organization)
    bill = billing(owner, organization)
    assert int(second.key.split("-")[1]) == int(first.key.split("-")[1]) + 1
    assert bill.key.startswith("BILL-")


def test_billing_refuses_s1_and_saves_nothing(basic_org):
    organization, owner, _cluster = basic_org
    with pytest.raises(ValidationError) as error:
        billing(owner, organization, severity="S1")
    assert "S1 is not applicable" in str(error.value)
    assert not Ticket.objects.exists()


def test_s1_needs_a_production_environment(enterprise_org):
    organization, owner, _cluster = enterprise_org
    with pytest.raises(ValidationError) as error:
        technical(owner, organization, severity="S1", environment="non-production")
    assert "severity" in error.value.error_dict
    assert not Ticket.objects.exists()


def test_the_cluster_must_belong_to_the_chosen_organization(enterprise_org, org_factory):
    organization, owner, _cluster = enterprise_org
    _other, _other_owner, other_cluster = org_factory("enterprise")
    with pytest.raises(ValidationError) as error:
        technical(owner, organization, cluster=other_cluster)
    assert "cluster" in error.value.error_dict


def test_billing_without_organization_accepts_only_the_users_own_clusters(basic_org, org_factory):
    _organization, owner, cluster = basic_org
    _other, _other_owner, other_cluster = org_factory()
    assert billing(owner, cluster=cluster).cluster == cluster
    with pytest.raises(ValidationError):
        billing(owner, cluster=other_cluster)


def test_technical_portal_is_refused_to_a_basic_organization(basic_org):
    organization, owner, _cluster = basic_org
    with pytest.raises(PermissionDenied) as error:
        technical(owner, organization)
    assert "Developer" in str(error.value)
    assert not Ticket.objects.exists()


def test_an_organization_without_a_subscription_files_billing_on_basic(basic_org):
    organization, owner, _cluster = basic_org
    ticket = billing(owner, organization)
    assert ticket.organization == organization
    assert ticket.plan.code == "basic"


def test_a_request_cannot_name_an_organization_the_reporter_is_not_in(enterprise_org, org_factory):
    _organization, owner, _cluster = enterprise_org
    other, _other_owner, _c = org_factory("enterprise")
    with pytest.raises(ValidationError) as error:
        technical(owner, other)
    assert "organization" in error.value.error_dict
    assert not Ticket.objects.exists()


def test_technical_request_cannot_name_an_organization_without_the_plan(developer_org, org_factory):
    organization, owner, _cluster = developer_org
    basic, _basic_owner, _c = org_factory("basic")
    MembershipFactory(user=owner, organization=basic)
    with pytest.raises(ValidationError) as error:
        technical(owner, basic)
    assert "organization" in error.value.error_dict


def test_the_access_the_form_read_files_without_reading_the_rule_again(
    enterprise_org, django_assert_num_queries
):
    organization, owner, _cluster = enterprise_org
    access = portal_access(user=owner, portal="technical")
    (entitled,) = access.organizations
    # Its savepoint, the request with its key and history (one statement) and both emails:
    # neither the organization's plan nor its response target is read again.
    with django_assert_num_queries(4):
        ticket = technical(owner, entitled, access=access, shared_with_organization=False)
    target = response_target_for(plan=Plan.objects.get(code="enterprise"), severity="S2")
    assert (ticket.organization, ticket.plan.code) == (organization, "enterprise")
    assert (ticket.response_target_minutes, ticket.resolution_target_minutes) == (
        target.minutes,
        target.resolution_minutes,
    )


def test_an_access_read_for_someone_else_is_not_taken(enterprise_org, basic_org):
    organization, owner, _cluster = enterprise_org
    _basic, stranger, _c = basic_org
    with pytest.raises(PermissionDenied):
        technical(stranger, organization, access=portal_access(user=owner, portal="technical"))
    assert not Ticket.objects.exists()


def test_sharing_defaults_to_the_organization_for_a_single_membership(enterprise_org):
    organization, owner, _cluster = enterprise_org
    assert technical(owner, organization).shared_with_organization is True


def test_sharing_defaults_to_private_for_several_memberships(enterprise_org, org_factory):
    organization, owner, _cluster = enterprise_org
    second, _o, _c = org_factory()
    MembershipFactory(user=owner, organization=second)
    assert technical(owner, organization).shared_with_organization is False


def test_a_request_keeps_the_target_it_was_opened_with(enterprise_org):
    organization, owner, _cluster = enterprise_org
    ticket = technical(owner, organization, severity="S1")
    subscribe(organization, "developer")
    ticket.refresh_from_db()
    assert ticket.plan.code == "enterprise"
    assert ticket.response_target_minutes == 60


def test_business_hour_targets_use_the_organizations_time_zone(org_factory, monkeypatch):
    organization, owner, _cluster = org_factory("developer", time_zone="Asia/Tokyo")
    friday_1730_tokyo = datetime(2026, 11, 27, 8, 30, tzinfo=UTC)
    monkeypatch.setattr(timezone, "now", lambda: friday_1730_tokyo)
    ticket = technical(owner, organization, severity="S1")
    due_local = ticket.first_response_due_at.astimezone(organization.zone)
    assert (due_local.weekday(), due_local.hour, due_local.minute) == (0, 12, 30)


def test_engineer_reply_is_the_first_response(enterprise_org, engineer):
    organization, owner, _cluster = enterprise_org
    ticket = technical(owner, organization)
    services.ticket_comment_add(ticket=ticket, author=engineer, body="Looking now.")
    ticket.refresh_from_db()
    assert ticket.first_responded_at is not None
    assert response_clock(ticket=ticket).state == "met"


def test_internal_note_is_not_a_first_response(enterprise_org, engineer):
    organization, owner, _cluster = enterprise_org
    ticket = technical(owner, organization)
    services.ticket_comment_add(
        ticket=ticket, author=engineer, body="Ask TiKV team", is_internal=True
    )
    ticket.refresh_from_db()
    assert ticket.first_responded_at is None


def test_customers_cannot_write_internal_notes(enterprise_org):
    organization, owner, _cluster = enterprise_org
    ticket = technical(owner, organization)
    with pytest.raises(PermissionDenied):
        services.ticket_comment_add(ticket=ticket, author=owner, body="x", is_internal=True)


def test_customer_reply_hands_a_waiting_request_back_to_support(enterprise_org, engineer):
    organization, owner, _cluster = enterprise_org
    ticket = technical(owner, organization)
    services.ticket_status_change(ticket=ticket, actor=engineer, to_status="waiting_for_customer")
    services.ticket_comment_add(ticket=ticket, author=owner, body="Here are the logs.")
    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.WAITING_FOR_SUPPORT


def test_waiting_for_the_customer_pauses_the_response_clock(enterprise_org, engineer, monkeypatch):
    organization, owner, _cluster = enterprise_org
    start = timezone.now()
    ticket = technical(owner, organization, severity="S2")
    due = ticket.first_response_due_at
    monkeypatch.setattr(timezone, "now", lambda: start + timedelta(minutes=30))
    services.ticket_status_change(ticket=ticket, actor=engineer, to_status="waiting_for_customer")
    ticket.refresh_from_db()
    assert response_clock(ticket=ticket).state == "paused"
    monkeypatch.setattr(timezone, "now", lambda: start + timedelta(minutes=75))
    services.ticket_status_change(ticket=ticket, actor=engineer, to_status="in_progress")
    ticket.refresh_from_db()
    assert ticket.sla_paused_at is None
    assert ticket.first_response_due_at == due + timedelta(minutes=45)


def test_status_changes_are_checked_and_recorded(enterprise_org, engineer):
    organization, owner, _cluster = enterprise_org
    ticket = technical(owner, organization)
    services.ticket_status_change(ticket=ticket, actor=engineer, to_status="resolved")
    event = TicketEvent.objects.filter(ticket=ticket, kind="status").get()
    assert (event.actor, event.from_value, event.to_value) == (
        engineer,
        "Waiting for support",
        "Resolved",
    )
    services.ticket_status_change(ticket=ticket, actor=engineer, to_status="closed")
    with pytest.raises(ValidationError):
        services.ticket_status_change(ticket=ticket, actor=engineer, to_status="in_progress")


def test_customers_may_only_resolve_and_reopen(enterprise_org):
    organization, owner, _cluster = enterprise_org
    ticket = technical(owner, organization)
    with pytest.raises(ValidationError):
        services.ticket_status_change(ticket=ticket, actor=owner, to_status="in_progress")
    services.ticket_status_change(ticket=ticket, actor=owner, to_status="resolved")
    ticket.refresh_from_db()
    assert ticket.resolved_at is not None
    services.ticket_status_change(ticket=ticket, actor=owner, to_status="waiting_for_support")
    ticket.refresh_from_db()
    assert ticket.resolved_at is None and ticket.is_open


def test_closed_requests_take_no_comments(enterprise_org, engineer):
    organization, owner, _cluster = enterprise_org
    ticket = technical(owner, organization)
    services.ticket_status_change(ticket=ticket, actor=engineer, to_status="canceled")
    with pytest.raises(ValidationError):
        services.ticket_comment_add(ticket=ticket, author=owner, body="hello?")


def test_only_the_reporter_shares_and_only_with_colleagues(enterprise_org, member_of):
    organization, owner, _cluster = enterprise_org
    colleague = member_of(organization)
    stranger = UserFactory()
    ticket = technical(owner, organization)
    with pytest.raises(PermissionDenied):
        services.ticket_sharing_update(
            ticket=ticket, actor=colleague, shared_with_organization=False, participants=[]
        )
    with pytest.raises(ValidationError):
        services.ticket_sharing_update(
            ticket=ticket, actor=owner, shared_with_organization=False, participants=[stranger]
        )
    services.ticket_sharing_update(
        ticket=ticket, actor=owner, shared_with_organization=False, participants=[colleague]
    )
    assert list(ticket.participants.all()) == [colleague]
    assert TicketEvent.objects.filter(ticket=ticket, kind="sharing").exists()


def test_assignee_must_be_a_support_engineer(enterprise_org, engineer):
    organization, owner, _cluster = enterprise_org
    ticket = technical(owner, organization)
    with pytest.raises(ValidationError):
        services.ticket_assign(ticket=ticket, actor=engineer, assignee=owner)
    services.ticket_assign(ticket=ticket, actor=engineer, assignee=engineer)
    ticket.refresh_from_db()
    assert ticket.assignee == engineer


def test_database_refuses_a_billing_s1_even_without_the_service(basic_org):
    from django.db import IntegrityError

    organization, owner, _cluster = basic_org
    with pytest.raises(IntegrityError):
        Ticket.objects.create(
            key="BILL-X",
            portal="billing",
            organization=organization,
            reporter=owner,
            summary="s",
            description="d",
            severity="S1",
            shared_with_organization=False,
            plan=Plan.objects.get(code="basic"),
        )


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_submits_get_distinct_keys():
    organization = OrganizationFactory()
    subscribe(organization, "enterprise")
    reporters = []
    for _ in range(6):
        user = UserFactory()
        MembershipFactory(user=user, organization=organization, role=Membership.Role.MEMBER)
        reporters.append(user)
    ClusterFactory(organization=organization)
    barrier = threading.Barrier(len(reporters))
    keys, errors = [], []

    def submit(reporter):
        try:
            barrier.wait()
            keys.append(technical(reporter, organization).key)
        except Exception as exc:  # noqa: BLE001 - surfaced by the assertion below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=submit, args=(reporter,)) for reporter in reporters]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(set(keys)) == len(reporters)
