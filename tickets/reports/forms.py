"""The period picker and filters of both reports."""

from datetime import UTC, date, datetime, time, timedelta, tzinfo

from django import forms
from django.forms.utils import flatatt
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from accounts.models import Organization, User
from plans.models import Plan, Portal, Severity
from tickets.models import Component, support_engineer_q
from tickets.reports.figures import Period
from tickets.reports.support import UNASSIGNED, ReportFilters

LONGEST_CUSTOM_RANGE_DAYS = 366


def last_days(days: int, *, today: date, zone: tzinfo = UTC) -> Period:
    """The last `days` whole days, today included."""
    return days_between(today - timedelta(days=days - 1), today, zone=zone)


def days_between(first: date, last: date, *, zone: tzinfo = UTC) -> Period:
    return Period(
        start=datetime.combine(first, time.min, tzinfo=zone),
        end=datetime.combine(last + timedelta(days=1), time.min, tzinfo=zone),
    )


class PlainSelect(forms.Select):
    """A select built in Python: a few hundred organizations cost a millisecond, not a template
    rendering per option (which made the form the slowest part of the Reports page)."""

    def render(self, name, value, attrs=None, renderer=None):
        chosen = {str(item) for item in self.format_value(value)}
        options = format_html_join(
            "",
            '<option value="{}"{}>{}</option>',
            (
                (str(key), " selected" if str(key) in chosen else "", label)
                for key, label in self.choices
            ),
        )
        final_attrs = self.build_attrs(self.attrs, {**(attrs or {}), "name": name})
        return format_html("<select{}>{}</select>", flatatt(final_attrs), options)


class ReportFilterForm(forms.Form):
    period = forms.ChoiceField(
        label=_("Period"),
        choices=[
            ("7", _("Last 7 days")),
            ("30", _("Last 30 days")),
            ("90", _("Last 90 days")),
            ("custom", _("Custom range")),
        ],
        initial="30",
        required=False,
        widget=PlainSelect,
    )
    start = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    end = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    plan = forms.ModelChoiceField(
        label=_("Plan"),
        queryset=Plan.objects.order_by("rank"),
        required=False,
        empty_label=_("All plans"),
        widget=PlainSelect,
    )
    portal = forms.ChoiceField(
        label=_("Portal"),
        choices=[("", _("All portals")), *Portal.choices],
        required=False,
        widget=PlainSelect,
    )
    severity = forms.ChoiceField(
        label=_("Severity"),
        choices=[("", _("All severities")), *Severity.choices],
        required=False,
        widget=PlainSelect,
    )
    component = forms.ModelChoiceField(
        label=_("Component"),
        queryset=Component.objects.order_by("position", "name"),
        required=False,
        empty_label=_("All components"),
        widget=PlainSelect,
    )
    organization = forms.ModelChoiceField(
        label=_("Organization"),
        queryset=Organization.objects.order_by("name"),
        required=False,
        empty_label=_("All organizations"),
        widget=PlainSelect,
    )
    assignee = forms.ChoiceField(label=_("Assignee"), required=False, widget=PlainSelect)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        engineers = User.objects.filter(support_engineer_q()).order_by("full_name", "email")
        self.fields["assignee"].choices = [
            ("", _("Anyone")),
            (UNASSIGNED, _("Unassigned")),
            *((str(user.pk), user.display_name) for user in engineers),
        ]

    def clean(self):
        data = super().clean()
        if data.get("period") == "custom":
            start, end = data.get("start"), data.get("end")
            if not start or not end:
                raise forms.ValidationError(_("A custom range needs both a start and an end date."))
            if start > end:
                raise forms.ValidationError(_("The start date must be on or before the end date."))
            if (end - start).days + 1 > LONGEST_CUSTOM_RANGE_DAYS:
                raise forms.ValidationError(
                    _("Choose a range of at most %(days)s days.")
                    % {"days": LONGEST_CUSTOM_RANGE_DAYS}
                )
        return data

    def filters(self, *, today: date | None = None) -> ReportFilters:
        """The filters the form holds; the default (last 30 days, everything) when unbound."""
        today = today or timezone.now().astimezone(UTC).date()
        data = self.cleaned_data if self.is_bound else {}
        choice = data.get("period") or "30"
        if choice == "custom":
            period = days_between(data["start"], data["end"])
        else:
            period = last_days(int(choice), today=today)

        def pk(name):
            value = data.get(name)
            return value.pk if value else None

        return ReportFilters(
            period=period,
            plan_id=pk("plan"),
            portal=data.get("portal") or "",
            severity=data.get("severity") or "",
            component_id=pk("component"),
            organization_id=pk("organization"),
            assignee=data.get("assignee") or "",
        )


class SupportReportPeriodForm(forms.Form):
    months = forms.TypedChoiceField(
        label=_("Period"),
        choices=[("3", _("Last 3 months")), ("6", _("Last 6 months")), ("12", _("Last 12 months"))],
        coerce=int,
        initial=12,
        required=False,
        empty_value=12,
        widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
    )
