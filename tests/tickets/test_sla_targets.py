"""Next-response and resolution targets beside the first response: shipped defaults an
administrator edits, the same calendar and pause, the queues' urgency order, the list filters,
and "at risk"/"breached" alerts sent once per target however often beat runs."""

import re
import threading
from datetime import timedelta

import pytest
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from helpcenter.mail.models import OutboundEmail
from plans.models import Plan, ResponseTarget
from tests.factories import UserFactory
from tickets import services, sla, tasks
from tickets.models import SlaAlert, Ticket
from tickets.sla import ClockState, Target, clock_state_of, clock_state_q, target_clock

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/tickets/ticket/"
RESOLUTION_DEFAULTS = {"S1": 24 * 60, "S2": 72 * 60, "S3": 45 * 60, "S4": 90 * 60}


def raise_ticket(organization, reporter, *, severity="S2", portal="technical", **extra):
    return services.ticket_create(
        reporter=reporter,
        portal=portal,
        organization=organization,
        environment="production" if portal == "technical" else "",
        severity=severity,
        summary=extra.pop("summary", f"{severity} problem"),
        description="Queries time out on the orders table.",
        **extra,
    )


def shift(ticket: Ticket, **fields_from_now) -> Ticket:
    """Arrange clocks without waiting: each field set to now + the given timedelta."""
    now = timezone.now()
    Ticket.objects.filter(pk=ticket.pk).update(
        **{field: now + delta for field, delta in fields_from_now.items()}
    )
    ticket.refresh_from_db()
    ticket.save(update_fields=sla.clock_refresh(ticket))
    return ticket


# Targets per plan and severity


@pytest.mark.parametrize("code", ["developer", "enterprise", "premium"])
def test_paid_plans_ship_next_response_and_resolution_defaults(code):
    for target in ResponseTarget.objects.filter(plan__code=code):
        assert target.next_response_minutes == target.minutes
        assert target.resolution_minutes == RESOLUTION_DEFAULTS[target.severity]


def test_an_administrator_edits_the_targets_and_new_requests_use_them(admin_client, enterprise_org):
    organization, owner, _cluster = enterprise_org
    plan = Plan.objects.get(code="enterprise")
    page = admin_client.get(f"/admin/plans/plan/{plan.pk}/change/").text
    assert "next response (minutes)" in page.lower() and "resolution (minutes)" in page.lower()
    ResponseTarget.objects.filter(plan=plan, severity="S2").update(resolution_minutes=600)

    ticket = raise_ticket(organization, owner, severity="S2")

    assert ticket.resolution_target_minutes == 600
    elapsed = ticket.resolution_due_at - ticket.created_at
    assert abs(elapsed - timedelta(minutes=600)) < timedelta(seconds=1)


def test_basic_requests_have_no_targets(basic_org):
    organization, owner, _cluster = basic_org
    ticket = raise_ticket(organization, owner, severity="S3", portal="billing")
    for target in Target:
        assert target_clock(ticket=ticket, target=target).state == ClockState.NONE
    assert ticket.active_due_at is None


def test_resolution_and_first_response_run_from_the_start(enterprise_org):
    organization, owner, _cluster = enterprise_org
    ticket = raise_ticket(organization, owner, severity="S1")
    started = ticket.created_at
    assert abs(ticket.first_response_due_at - started - timedelta(hours=1)) < timedelta(seconds=1)
    assert abs(ticket.resolution_due_at - started - timedelta(hours=24)) < timedelta(seconds=1)
    assert abs(ticket.resolution_warn_at - started - timedelta(hours=18)) < timedelta(seconds=1)
    assert ticket.active_due_at == ticket.first_response_due_at


def test_each_customer_comment_after_an_answer_starts_a_next_response(enterprise_org, engineer):
    organization, owner, _cluster = enterprise_org
    ticket = raise_ticket(organization, owner, severity="S2")
    services.ticket_comment_add(ticket=ticket, author=owner, body="More logs attached.")
    ticket.refresh_from_db()
    assert ticket.next_response_due_at is None, "before the first answer, the first response runs"

    services.ticket_comment_add(ticket=ticket, author=engineer, body="Looking.")
    services.ticket_comment_add(ticket=ticket, author=owner, body="Still slow.")
    ticket.refresh_from_db()
    first_round = ticket.next_response_due_at
    assert abs(first_round - ticket.next_response_started_at - timedelta(hours=2)) < timedelta(
        seconds=1
    )
    assert ticket.active_due_at == first_round
    assert clock_state_of(ticket, target=Target.NEXT_RESPONSE) == ClockState.ON_TRACK

    services.ticket_comment_add(ticket=ticket, author=owner, body="Hello?")
    ticket.refresh_from_db()
    assert ticket.next_response_due_at == first_round, "an unanswered round keeps its due time"

    services.ticket_comment_add(ticket=ticket, author=engineer, body="Fixed the plan.")
    ticket.refresh_from_db()
    assert clock_state_of(ticket, target=Target.NEXT_RESPONSE) == ClockState.MET
    assert ticket.active_due_at == ticket.resolution_due_at


def test_waiting_for_the_customer_pauses_every_running_target(enterprise_org, engineer):
    organization, owner, _cluster = enterprise_org
    ticket = raise_ticket(organization, owner, severity="S1")
    services.ticket_comment_add(ticket=ticket, author=engineer, body="Which region?")
    due_before = Ticket.objects.get(pk=ticket.pk).resolution_due_at
    services.ticket_status_change(ticket=ticket, actor=engineer, to_status="waiting_for_customer")
    ticket.refresh_from_db()
    assert ticket.active_due_at is None
    assert clock_state_of(ticket, target=Target.RESOLUTION) == ClockState.PAUSED
    Ticket.objects.filter(pk=ticket.pk).update(sla_paused_at=timezone.now() - timedelta(hours=3))

    services.ticket_comment_add(ticket=ticket, author=owner, body="us-east-1")

    ticket.refresh_from_db()
    assert ticket.status == "waiting_for_support"
    moved = ticket.resolution_due_at - due_before
    assert timedelta(hours=3) <= moved < timedelta(hours=3, seconds=5)
    assert ticket.next_response_due_at is not None
    assert ticket.active_due_at == ticket.next_response_due_at


def test_resolving_meets_the_resolution_target(enterprise_org, engineer):
    organization, owner, _cluster = enterprise_org
    ticket = raise_ticket(organization, owner, severity="S3")
    services.ticket_status_change(ticket=ticket, actor=engineer, to_status="resolved")
    ticket.refresh_from_db()
    assert clock_state_of(ticket, target=Target.RESOLUTION) == ClockState.MET
    assert ticket.active_due_at is None


@pytest.mark.parametrize("target", list(Target))
def test_python_and_sql_agree_on_each_target_state(enterprise_org, engineer, target):
    organization, owner, _cluster = enterprise_org
    tickets = []
    for hours_left in (-2, 1, 30):
        ticket = raise_ticket(organization, owner, severity="S2")
        services.ticket_comment_add(ticket=ticket, author=engineer, body="First answer")
        services.ticket_comment_add(ticket=ticket, author=owner, body="Thanks, but")
        ticket = shift(
            ticket,
            **{
                f"{prefix}_due_at": timedelta(hours=hours_left)
                for prefix in ("next_response", "resolution")
            },
            **{
                f"{prefix}_warn_at": timedelta(hours=hours_left - 1)
                for prefix in ("next_response", "resolution")
            },
        )
        tickets.append(ticket)
    waiting = raise_ticket(organization, owner, severity="S2")
    services.ticket_status_change(ticket=waiting, actor=engineer, to_status="waiting_for_customer")
    tickets.append(Ticket.objects.get(pk=waiting.pk))
    now = timezone.now()
    for ticket in tickets:
        in_python = clock_state_of(ticket, now=now, target=target)
        in_sql = {
            state
            for state in ClockState
            if Ticket.objects.filter(
                clock_state_q(state=state, now=now, target=target), pk=ticket.pk
            ).exists()
        }
        assert in_sql == {in_python}


# The queues in order of urgency


def keys_in_order(response) -> list[str]:
    return re.findall(r'<th class="field-key"><a href="[^"]+">([A-Z]+-\d+)</a>', response.text)


def test_all_open_puts_the_most_urgent_first_and_requests_without_a_target_last(
    admin_client, engineer, enterprise_org, developer_org, basic_org
):
    """75 open requests: an S1 with 57 minutes left is the first row; no target is last."""
    enterprise, ent_owner, _ = enterprise_org
    developer, dev_owner, _ = developer_org
    basic, basic_owner, _ = basic_org
    no_target = []
    for number in range(74):
        kind = number % 4
        if kind == 0:
            no_target.append(raise_ticket(basic, basic_owner, severity="S2", portal="billing"))
        elif kind == 1:
            raise_ticket(enterprise, ent_owner, severity=["S2", "S3", "S4"][number % 3])
        elif kind == 2:
            raise_ticket(developer, dev_owner, severity=["S1", "S2", "S3", "S4"][number % 4])
        else:
            ticket = raise_ticket(enterprise, ent_owner, severity="S3")
            services.ticket_comment_add(ticket=ticket, author=engineer, body="On it")
    urgent = shift(
        raise_ticket(enterprise, ent_owner, severity="S1"),
        first_response_due_at=timedelta(minutes=57),
    )
    assert Ticket.objects.filter(status__in=Ticket.OPEN_STATUSES).count() == 75

    first_page = keys_in_order(admin_client.get(CHANGELIST, {"queue": "all_open"}))
    last_page = keys_in_order(admin_client.get(CHANGELIST, {"queue": "all_open", "p": 2}))

    listed = first_page + last_page
    assert len(set(listed)) == 75
    assert listed[0] == urgent.key
    assert set(listed[-len(no_target) :]) == {ticket.key for ticket in no_target}


def test_breached_requests_come_first_most_breached_first(admin_client, enterprise_org):
    organization, owner, _cluster = enterprise_org
    on_track = raise_ticket(organization, owner, severity="S2")
    a_bit_late = shift(
        raise_ticket(organization, owner, severity="S2"),
        first_response_due_at=-timedelta(minutes=5),
    )
    very_late = shift(
        raise_ticket(organization, owner, severity="S3"), first_response_due_at=-timedelta(hours=5)
    )
    assert keys_in_order(admin_client.get(CHANGELIST)) == [
        very_late.key,
        a_bit_late.key,
        on_track.key,
    ]


def test_same_due_time_sorts_by_severity_then_age(admin_client, developer_org, engineer):
    organization, owner, _cluster = developer_org
    tickets = [
        raise_ticket(organization, owner, severity=severity) for severity in ("S3", "S1", "S3")
    ]
    same = timezone.now() + timedelta(hours=3)
    for ticket in tickets:
        Ticket.objects.filter(pk=ticket.pk).update(active_due_at=same)
    listed = keys_in_order(admin_client.get(CHANGELIST))
    assert listed == [tickets[1].key, tickets[0].key, tickets[2].key]


def test_each_queue_shows_its_count_and_how_many_breach_within_the_hour(
    admin_client, enterprise_org
):
    organization, owner, _cluster = enterprise_org
    shift(
        raise_ticket(organization, owner, severity="S1"),
        first_response_due_at=timedelta(minutes=20),
    )
    shift(
        raise_ticket(organization, owner, severity="S2"),
        first_response_due_at=-timedelta(minutes=20),
    )
    raise_ticket(organization, owner, severity="S3")

    page = admin_client.get("/admin/").text

    row = re.search(r'<tr data-queue="all_open">(.*?)</tr>', page, re.S).group(1)
    assert "<strong>3</strong>" in row
    assert "1 breaching within the hour" in row
    assert "1 breached" in row


@pytest.mark.parametrize(
    ("param", "state"),
    [("resolution", "breached"), ("resolution", "at_risk"), ("next_response", "on_track")],
)
def test_the_list_filters_by_each_target_state(
    admin_client, enterprise_org, engineer, param, state
):
    organization, owner, _cluster = enterprise_org
    wanted = raise_ticket(organization, owner, severity="S2", summary="Wanted")
    services.ticket_comment_add(ticket=wanted, author=engineer, body="Answer")
    services.ticket_comment_add(ticket=wanted, author=owner, body="Follow-up")
    if state == "breached":
        shift(
            wanted, resolution_due_at=-timedelta(minutes=1), resolution_warn_at=-timedelta(hours=1)
        )
    elif state == "at_risk":
        shift(wanted, resolution_warn_at=-timedelta(minutes=1))
    raise_ticket(organization, owner, severity="S3", summary="Other")

    listed = keys_in_order(admin_client.get(CHANGELIST, {param: state}))

    assert listed == [wanted.key]


def test_the_list_costs_the_same_queries_with_the_due_column(admin_client, enterprise_org):
    organization, owner, _cluster = enterprise_org
    counts = []
    for batch in (3, 30):
        for _ in range(batch):
            raise_ticket(organization, owner)
        with CaptureQueriesContext(connection) as queries:
            admin_client.get(CHANGELIST)
        counts.append(len(queries))
    assert counts[0] == counts[1]


# Alerts


@pytest.fixture
def answered(enterprise_org, engineer):
    """An S2 assigned to the engineer and answered, so only the resolution clock runs."""
    organization, owner, _cluster = enterprise_org
    ticket = raise_ticket(organization, owner, severity="S2", summary="Slow backups")
    services.ticket_assign(ticket=ticket, actor=engineer, assignee=engineer)
    services.ticket_comment_add(ticket=ticket, author=engineer, body="Checking the backup logs.")
    return Ticket.objects.get(pk=ticket.pk)


def alert_emails(to_email: str) -> list[str]:
    return sorted(
        OutboundEmail.objects.filter(to_email=to_email, event_key__startswith="sla:").values_list(
            "subject", flat=True
        )
    )


def test_a_resolution_target_passing_during_beat_runs_alerts_once_each(answered, engineer):
    """Beat runs before the warn time, twice between warn and due, twice after the due time,
    and a retried task: exactly one "at risk" and one "breached" email to the assignee."""
    warn, due = answered.resolution_warn_at, answered.resolution_due_at

    assert services.sla_alerts_send(now=warn - timedelta(minutes=1)) == 0
    assert services.sla_alerts_send(now=warn + timedelta(seconds=1)) == 1
    assert services.sla_alerts_send(now=warn + timedelta(minutes=1)) == 0
    assert services.sla_alerts_send(now=due + timedelta(seconds=1)) == 1
    assert services.sla_alerts_send(now=due + timedelta(minutes=1)) == 0
    shift(answered, resolution_due_at=-timedelta(minutes=2), resolution_warn_at=-timedelta(hours=1))
    tasks.sla_alerts_send.apply()
    tasks.sla_alerts_send.apply()  # a retry of the same beat tick

    subjects = alert_emails(engineer.email)
    assert len(subjects) == 2
    assert subjects[0].startswith(f"[{answered.key}] At risk: resolution target")
    assert subjects[1].startswith(f"[{answered.key}] Breached: resolution target")
    assert SlaAlert.objects.filter(ticket=answered).count() == 2


def test_a_target_breached_unseen_still_gets_its_at_risk_alert_first(answered, engineer):
    services.sla_alerts_send(now=answered.resolution_due_at + timedelta(hours=1))
    levels = list(SlaAlert.objects.order_by("pk").values_list("level", flat=True))
    assert levels == ["at_risk", "breached"]
    assert len(alert_emails(engineer.email)) == 2


def test_an_unassigned_request_alerts_the_team_address(enterprise_org, settings, engineer):
    organization, owner, _cluster = enterprise_org
    ticket = raise_ticket(organization, owner, severity="S1")
    services.sla_alerts_send(now=ticket.first_response_due_at + timedelta(seconds=1))
    subjects = alert_emails(settings.SUPPORT_TEAM_EMAIL)
    assert [subject.split(":")[0] for subject in subjects] == [
        f"[{ticket.key}] At risk",
        f"[{ticket.key}] Breached",
    ]
    assert "first response target" in subjects[0]


def test_a_paused_request_is_not_alerted(answered, engineer):
    services.ticket_status_change(ticket=answered, actor=engineer, to_status="waiting_for_customer")
    assert services.sla_alerts_send(now=answered.resolution_due_at + timedelta(hours=1)) == 0


def test_each_next_response_round_alerts_once(answered, engineer):
    owner = answered.reporter
    services.ticket_comment_add(ticket=answered, author=owner, body="Any news?")
    first_round = Ticket.objects.get(pk=answered.pk)
    assert (
        services.sla_alerts_send(now=first_round.next_response_due_at + timedelta(seconds=1)) == 2
    )
    services.ticket_comment_add(ticket=answered, author=engineer, body="Yes: restore running.")
    services.ticket_comment_add(ticket=answered, author=owner, body="And now?")
    second_round = Ticket.objects.get(pk=answered.pk)
    assert (
        services.sla_alerts_send(now=second_round.next_response_due_at + timedelta(seconds=1)) == 2
    )
    assert SlaAlert.objects.filter(target="next_response").count() == 4


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_beat_processes_at_once_send_each_alert_once(enterprise_org):
    organization, owner, _cluster = enterprise_org
    engineer = UserFactory(is_staff=True, is_superuser=True, email="night@support.example")
    ticket = raise_ticket(organization, owner, severity="S2")
    services.ticket_assign(ticket=ticket, actor=engineer, assignee=engineer)
    ticket = Ticket.objects.get(pk=ticket.pk)
    later = ticket.resolution_due_at + timedelta(minutes=1)
    start = threading.Barrier(2)
    results = []

    def beat():
        try:
            start.wait()
            results.append(services.sla_alerts_send(now=later))
        finally:
            connection.close()

    threads = [threading.Thread(target=beat) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    # First response and resolution, each at risk and breached: four alerts between the two.
    assert sum(results) == 4
    assert SlaAlert.objects.filter(ticket=ticket).count() == 4
    assert len(alert_emails(engineer.email)) == 4


def test_alerts_are_unique_in_the_database(answered):
    SlaAlert.objects.create(
        ticket=answered,
        target="resolution",
        level="breached",
        round_started_at=answered.created_at,
        recipient="a@support.example",
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        SlaAlert.objects.create(
            ticket=answered,
            target="resolution",
            level="breached",
            round_started_at=answered.created_at,
            recipient="b@support.example",
        )
