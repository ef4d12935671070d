"""Thin tasks: the services do the work and make a second run harmless."""

from celery import shared_task
from django.db import DatabaseError

from tickets import services


@shared_task(bind=True, max_retries=3, acks_late=True, reject_on_worker_lost=True)
def sla_alerts_send(self) -> int:
    """Beat, every minute: "at risk" and "breached" emails, once per target and request."""
    try:
        return services.sla_alerts_send()
    except DatabaseError as error:
        raise self.retry(countdown=20 * (2**self.request.retries)) from error
