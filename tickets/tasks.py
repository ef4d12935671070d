"""Thin tasks: they take ids, and the services re-read the rows and do the work."""

from datetime import date

from celery import shared_task
from django.db import OperationalError

from tickets.reports import services as report_services


@shared_task
def support_reports_monthly() -> int:
    """Beat, hourly: queue last month's Support report for each organization still owed one
    (each organization gets it in the first hour after the 1st begins in its time zone)."""
    due = report_services.support_reports_due()
    for organization_id, month in due:
        support_report_send.delay(organization_id, month.isoformat())
    return len(due)


@shared_task(bind=True, max_retries=5, acks_late=True, reject_on_worker_lost=True)
def support_report_send(self, organization_id: int, month: str) -> bool:
    """Running it twice, or from two beat processes, sends once: the delivery row is unique."""
    try:
        delivery = report_services.support_report_monthly_send(
            organization_id=organization_id, month=date.fromisoformat(month)
        )
    except OperationalError as exc:
        raise self.retry(countdown=60 * 2**self.request.retries) from exc
    return delivery is not None
