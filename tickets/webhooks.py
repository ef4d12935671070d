"""Which request events reach the organization's webhooks, and what they carry. Called by the
services inside their transaction, like the email notifications. Only requests shared with the
organization are sent (what every member may see), and never an internal note."""

from django.conf import settings
from django.urls import reverse

from helpcenter.webhooks.models import WebhookEvent
from helpcenter.webhooks.services import webhook_event_queue
from tickets.models import Comment, Ticket, TicketEvent


def _request(ticket: Ticket) -> dict:
    return {
        "key": ticket.key,
        "url": settings.SITE_URL + reverse("tickets:request-detail", args=[ticket.key]),
        "api_url": settings.SITE_URL + reverse("api:request-detail", args=[ticket.key]),
        "portal": ticket.portal,
        "summary": ticket.summary,
        "severity": ticket.severity,
        "status": ticket.status,
        "organization": {"id": ticket.organization_id, "name": ticket.organization.name},
        "cluster": (
            {"id": ticket.cluster_id, "name": ticket.cluster.name} if ticket.cluster_id else None
        ),
        "reporter": ticket.reporter.email,
        "created_at": ticket.created_at.isoformat(),
    }


def _send(ticket: Ticket, event: str, event_key: str, occurred_at, **extra) -> None:
    if ticket.organization_id is None or not ticket.shared_with_organization:
        return
    webhook_event_queue(
        organization=ticket.organization,
        event=event,
        event_key=event_key,
        payload={"occurred_at": occurred_at.isoformat(), "request": _request(ticket), **extra},
    )


def request_created(*, ticket: Ticket) -> None:
    _send(ticket, WebhookEvent.CREATED, f"ticket:{ticket.pk}:created", ticket.created_at)


def request_commented(*, comment: Comment) -> None:
    if comment.is_internal:
        return
    _send(
        comment.ticket,
        WebhookEvent.COMMENTED,
        f"comment:{comment.pk}",
        comment.created_at,
        comment={
            "id": comment.pk,
            "author": comment.author.display_name,
            "by_support": comment.author.is_staff,
            "body": comment.body,
        },
    )


def status_changed(*, event: TicketEvent, from_status: str) -> None:
    ticket = event.ticket
    change = {"from": from_status, "to": ticket.status}
    _send(
        ticket,
        WebhookEvent.STATUS_CHANGED,
        f"ticket-event:{event.pk}:status",
        event.created_at,
        status=change,
    )
    if ticket.status == Ticket.Status.RESOLVED:
        _send(
            ticket,
            WebhookEvent.RESOLVED,
            f"ticket-event:{event.pk}:resolved",
            event.created_at,
            status=change,
        )
