"""Requests with arranged clocks: filed, answered, due and resolved at chosen times."""

from datetime import datetime, timedelta

import pytest
from django.utils import timezone

from plans.models import Plan
from tests.factories import TicketFactory
from tickets.models import Component, SatisfactionRating, Ticket


def file_request(
    organization,
    *,
    plan: str = "enterprise",
    severity: str = "S3",
    portal: str = "technical",
    created: datetime,
    target: timedelta | None = timedelta(hours=2),
    answered_after: timedelta | None = None,
    resolved_after: timedelta | None = None,
    status: str | None = None,
    assignee=None,
    components: tuple[str, ...] = (),
    rating: int | None = None,
    rating_comment: str = "",
    paused: bool = False,
    next_target: timedelta | None = None,
    next_started_after: timedelta | None = None,
    next_answered_after: timedelta | None = None,
    resolution_target: timedelta | None = None,
) -> Ticket:
    """A bare request row with its clocks set as if it had happened (`created` in the past):
    the first response, a next-response round started by a customer comment
    `next_started_after` the filing, and the resolution."""
    ticket = TicketFactory(
        organization=organization,
        portal=portal,
        severity=severity,
        environment="production" if portal == "technical" else "",
        plan=Plan.objects.get(code=plan),
        assignee=assignee,
    )
    resolved_at = created + resolved_after if resolved_after is not None else None
    next_started = created + next_started_after if next_started_after is not None else None
    if status is None:
        status = Ticket.Status.RESOLVED if resolved_at else Ticket.Status.WAITING_FOR_SUPPORT
    Ticket.objects.filter(pk=ticket.pk).update(
        created_at=created,
        last_activity_at=created,
        response_target_minutes=int(target.total_seconds() // 60) if target else None,
        first_response_due_at=created + target if target else None,
        first_responded_at=created + answered_after if answered_after is not None else None,
        sla_paused_at=created + timedelta(minutes=1) if paused else None,
        resolved_at=resolved_at,
        status=status,
        next_response_target_minutes=int(next_target.total_seconds() // 60)
        if next_target
        else None,
        next_response_started_at=next_started,
        next_response_due_at=next_started + next_target if next_started and next_target else None,
        next_responded_at=next_started + next_answered_after
        if next_started and next_answered_after is not None
        else None,
        resolution_target_minutes=int(resolution_target.total_seconds() // 60)
        if resolution_target
        else None,
        resolution_due_at=created + resolution_target if resolution_target else None,
    )
    if components:
        ticket.components.set(Component.objects.filter(name__in=components))
    if rating is not None:
        SatisfactionRating.objects.create(
            ticket=ticket, rating=rating, comment=rating_comment, rated_by=ticket.reporter
        )
        SatisfactionRating.objects.filter(ticket=ticket).update(
            created_at=resolved_at or created + timedelta(hours=1)
        )
    ticket.refresh_from_db()
    return ticket


@pytest.fixture
def now():
    return timezone.now()
