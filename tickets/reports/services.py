"""The monthly Support report email: once per organization and month, through the outbox."""

from datetime import date, datetime, timedelta

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from accounts.models import Organization
from accounts.selectors import organization_owners
from helpcenter.mail.services import outbound_email_queue
from plans.selectors import organizations_with_support_report, support_report_access
from tickets.models import SupportReportDelivery
from tickets.reports.customer import customer_report, month_period, previous_month

# A report that could not go out on the 1st (no beat, no worker) still goes out in this window;
# after it, that month is skipped rather than sent late.
SEND_WITHIN_DAYS = 7


def support_reports_due(*, now: datetime | None = None) -> list[tuple[int, date]]:
    """(organization id, month) for each Enterprise or Premium organization whose last month's
    report has not gone out, while it is the first days of the month in its time zone."""
    now = now or timezone.now()
    organizations = list(organizations_with_support_report().only("pk", "time_zone"))
    sent = set(
        SupportReportDelivery.objects.filter(
            organization__in=[organization.pk for organization in organizations],
            month__gte=(now - timedelta(days=62)).date(),
        ).values_list("organization_id", "month")
    )
    due = []
    for organization in organizations:
        if now.astimezone(organization.zone).day > SEND_WITHIN_DAYS:
            continue
        month = previous_month(organization=organization, now=now).first_day
        if (organization.pk, month) not in sent:
            due.append((organization.pk, month))
    return due


@transaction.atomic
def support_report_monthly_send(
    *, organization_id: int, month: date, now: datetime | None = None
) -> SupportReportDelivery | None:
    """Email `month`'s Support report to the organization's owners; None when it was already
    sent (the unique delivery row decides, also between two beat processes) or the plan no
    longer includes the report."""
    organization = Organization.objects.filter(pk=organization_id).first()
    if organization is None or not support_report_access(organization=organization).allowed:
        return None
    month = month.replace(day=1)
    try:
        with transaction.atomic():
            delivery = SupportReportDelivery.objects.create(organization=organization, month=month)
    except IntegrityError:
        return None
    report = customer_report(
        organization=organization, period=month_period(month, organization=organization), now=now
    )
    owners = list(organization_owners(organization=organization))
    path = reverse("tickets:support-report", args=[organization.pk])
    for owner in owners:
        outbound_email_queue(
            event_key=f"support-report:{organization.pk}:{month:%Y-%m}",
            to_email=owner.email,
            template_name="support_report_monthly",
            context={
                "recipient": owner,
                "organization": organization,
                "month": month,
                "report": report,
                "report_path": path,
            },
            time_zone=owner.time_zone,
        )
    delivery.recipients = len(owners)
    delivery.save(update_fields=["recipients"])
    return delivery
