"""Report pages: the support engineers' Reports in the admin, the customers' Support report."""

from django.contrib import admin
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.views import View

from accounts.selectors import organization_get_for_user
from plans.models import Severity
from plans.selectors import support_report_access
from tickets.reports.customer import CUSTOMER_FIGURES, customer_figure, customer_report
from tickets.reports.customer import months_period as customer_period
from tickets.reports.forms import ReportFilterForm, SupportReportPeriodForm
from tickets.reports.support import FIGURES, support_figure, support_report
from tickets.reports.tables import csv_response
from tickets.selectors import is_support_engineer


class SupportEngineerRequiredMixin:
    """The admin wrapper (admin_view) has logged the staff member in; the reports need an
    engineer, the same rule as the triage list."""

    def dispatch(self, request, *args, **kwargs):
        if not is_support_engineer(user=request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


class SupportReportsView(SupportEngineerRequiredMixin, View):
    template_name = "admin/reports/index.html"

    def get(self, request):
        form = ReportFilterForm(request.GET or None)
        valid = not form.is_bound or form.is_valid()
        report = support_report(user=request.user, filters=form.filters()) if valid else None
        context = {
            **admin.site.each_context(request),
            "title": _("Reports"),
            "form": form,
            "report": report,
            "heat_rows": report.heat_rows if report else [],
            "severities": Severity.values,
            "query_string": request.GET.urlencode(),
        }
        return TemplateResponse(request, self.template_name, context, status=200 if valid else 400)


class SupportReportsCsvView(SupportEngineerRequiredMixin, View):
    """One figure of the Reports page as CSV, with the page's filters."""

    def get(self, request, slug):
        if slug not in FIGURES:
            raise Http404("No such figure.")
        form = ReportFilterForm(request.GET or None)
        if form.is_bound and not form.is_valid():
            return _invalid_filters(form)
        filters = form.filters()
        figure = support_figure(user=request.user, filters=filters, slug=slug)
        period = filters.period
        return csv_response(
            figure, filename=f"{slug}_{period.first_day:%Y%m%d}-{period.last_day:%Y%m%d}.csv"
        )


def _invalid_filters(form) -> HttpResponse:
    messages = [message for errors in form.errors.values() for message in errors]
    return HttpResponse("\n".join(messages), status=400, content_type="text/plain; charset=utf-8")


class OrganizationReportMixin(LoginRequiredMixin):
    """The organization the user belongs to (404 otherwise), and whether its plan includes
    the report; a plan without it sees the locked page with the way to upgrade."""

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.organization = organization_get_for_user(
            user=request.user, organization_id=kwargs["organization_id"]
        )
        self.access = support_report_access(organization=self.organization)
        if not self.access.allowed:
            return render(
                request,
                "tickets/support_report_locked.html",
                {"organization": self.organization, "access": self.access},
                status=403,
            )
        self.form = SupportReportPeriodForm(request.GET or None)
        months = self.form.cleaned_data["months"] if self.form.is_valid() else 12
        self.period = customer_period(months=months, organization=self.organization)
        return super().dispatch(request, *args, **kwargs)


class OrganizationReportView(OrganizationReportMixin, View):
    def get(self, request, organization_id):
        report = customer_report(organization=self.organization, period=self.period)
        return render(
            request,
            "tickets/support_report.html",
            {
                "organization": self.organization,
                "access": self.access,
                "form": self.form,
                "report": report,
                "query_string": request.GET.urlencode(),
            },
        )


class OrganizationReportCsvView(OrganizationReportMixin, View):
    def get(self, request, organization_id, slug):
        if slug not in CUSTOMER_FIGURES:
            raise Http404("No such figure.")
        figure = customer_figure(organization=self.organization, period=self.period, slug=slug)
        return csv_response(
            figure,
            filename=f"support-report_{slug}_{self.period.first_day:%Y%m}"
            f"-{self.period.last_day:%Y%m}.csv",
        )
