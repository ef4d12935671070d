"""Forms of the support engineers' triage in the admin. They shape input; the services decide."""

from django import forms
from django.contrib.admin.helpers import ActionForm
from django.utils.translation import gettext_lazy as _

from accounts.models import Cluster, Environment, Membership
from plans.models import Portal, Severity
from tickets.forms import ClusterChoiceField, MultipleFileField
from tickets.models import DESCRIPTION_MAX_LENGTH, Component, Ticket
from tickets.services import ENGINEER_TRANSITIONS


class TicketTriageForm(forms.Form):
    """Reply or note, status and assignee of one request, saved together.

    Status and assignee carry the value the engineer saw (`show_hidden_initial`), so only what
    they changed is applied: a page left open does not undo a colleague's change."""

    PUBLIC = "public"
    INTERNAL = "internal"

    body = forms.CharField(
        label=_("Reply or note"),
        required=False,
        max_length=DESCRIPTION_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 8, "cols": 90}),
    )
    visibility = forms.ChoiceField(
        label=_("Who sees it"),
        required=False,
        widget=forms.RadioSelect,
        choices=[
            (PUBLIC, _("Public reply: the customer sees it on the portal and by email")),
            (INTERNAL, _("Internal note: support engineers only, never sent to a customer")),
        ],
    )
    attachments = MultipleFileField(label=_("Attach files"))
    status = forms.ChoiceField(label=_("Status"), show_hidden_initial=True)
    seen_comment_id = forms.IntegerField(required=False, min_value=0, widget=forms.HiddenInput)

    def __init__(self, *args, ticket: Ticket, assignee_field: forms.Field, **kwargs):
        kwargs["initial"] = {"status": ticket.status, "assignee": ticket.assignee_id}
        super().__init__(*args, **kwargs)
        reachable = {ticket.status, *ENGINEER_TRANSITIONS.get(ticket.status, ())}
        self.fields["status"].choices = [
            (status.value, status.label) for status in Ticket.Status if status in reachable
        ]
        assignee_field.show_hidden_initial = True
        self.fields["assignee"] = assignee_field

    def clean(self):
        data = super().clean()
        if data.get("body") and not data.get("visibility"):
            self.add_error(
                "visibility", _("Choose a public reply or an internal note before saving.")
            )
        if data.get("attachments") and not data.get("body"):
            self.add_error("body", _("Write a reply or a note to go with the files."))
        if (
            "status" in self.changed_data
            and data.get("status") == Ticket.Status.WAITING_FOR_CUSTOMER
            and not (data.get("body") and data.get("visibility") == self.PUBLIC)
        ):
            # The customer is asked to act: they must be told what we need from them.
            self.add_error(
                "status",
                _(
                    "Write a public reply telling the customer what you need from them: a "
                    "request waits for the customer only with a reply in the same save."
                ),
            )
        return data

    @property
    def has_reply(self) -> bool:
        return bool(self.cleaned_data.get("body"))

    @property
    def reply_is_internal(self) -> bool:
        return self.cleaned_data.get("visibility") == self.INTERNAL


class AssignForm(forms.Form):
    """The engineer to give the selected requests to ("Assign to..." on the list)."""

    def __init__(self, *args, assignee_field: forms.Field, **kwargs):
        super().__init__(*args, **kwargs)
        assignee_field.required = True
        self.fields["assignee"] = assignee_field


class CustomerChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Membership) -> str:
        return f"{obj.user.display_name} <{obj.user.email}> · {obj.organization.name}"


class RaiseRequestForm(forms.Form):
    """A request an engineer files for a customer: who it is for (a member of an organization),
    then the fields of the customer form. `ticket_create` applies the customer form's rules."""

    customer = CustomerChoiceField(
        label=_("For (customer)"),
        queryset=Membership.objects.none(),
        help_text=_("The reporter, among the members of an organization."),
    )
    portal = forms.ChoiceField(label=_("Portal"), choices=Portal.choices)
    summary = forms.CharField(label=_("Summary"), max_length=255)
    description = forms.CharField(
        label=_("Description"),
        max_length=DESCRIPTION_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 6, "cols": 80}),
        help_text=_("What the customer reported, and how (phone call, chat, monitoring alert)."),
    )
    severity = forms.ChoiceField(label=_("Severity"), choices=Severity.choices)
    cluster = ClusterChoiceField(
        label=_("TiDB Cloud Cluster"),
        queryset=Cluster.objects.none(),
        required=False,
        empty_label=_("None"),
    )
    environment = forms.ChoiceField(
        label=_("Environment"),
        choices=[("", _("Not applicable (billing)")), *Environment.choices],
        required=False,
    )
    components = forms.ModelMultipleChoiceField(
        label=_("Components"), queryset=Component.objects.none(), required=False
    )
    affects_version = forms.CharField(label=_("Affects versions"), max_length=32, required=False)
    attachments = MultipleFileField(label=_("Attachments"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["customer"].queryset = Membership.objects.select_related(
            "user", "organization"
        ).order_by("organization__name", "user__email")
        self.fields["cluster"].queryset = Cluster.objects.select_related("organization").order_by(
            "organization__name", "name"
        )
        self.fields["components"].queryset = Component.objects.filter(is_active=True)


class MergeForm(forms.Form):
    """The request a duplicate goes into, by key."""

    target = forms.CharField(
        label=_("Merge into request"),
        max_length=20,
        help_text=_("The key of the request that goes on, for example BILL-1."),
    )


class _WrittenOnce:
    """A widget whose HTML, a pure function of its name, value, attributes and choices (their
    labels as read in the active language) and renderer, is written by Django's templates once
    and then reused: the list's actions bar wrote the same select through a template per option
    on every page view."""

    _written: dict = {}

    def render(self, name, value, attrs=None, renderer=None):
        key = (
            type(self),
            name,
            str(value),
            _items(self.attrs),
            _items(attrs or {}),
            tuple((str(key), str(label)) for key, label in getattr(self, "choices", ())),
            renderer,
        )
        html = self._written.get(key)
        if html is None:
            if len(self._written) > 256:
                self._written.clear()
            html = self._written[key] = super().render(name, value, attrs, renderer)
        return html


def _items(attrs: dict) -> tuple:
    return tuple(sorted((key, str(value)) for key, value in attrs.items()))


class _ActionSelect(_WrittenOnce, forms.Select):
    pass


class _SelectAcross(_WrittenOnce, forms.HiddenInput):
    pass


class TriageActionForm(ActionForm):
    """Django's action form (the same fields and HTML), its widgets written once."""

    action = forms.ChoiceField(label=ActionForm.base_fields["action"].label, widget=_ActionSelect)
    select_across = forms.BooleanField(
        label="",
        required=False,
        initial=0,
        widget=_SelectAcross({"class": "select-across"}),
    )
