"""Forms of the support engineers' triage in the admin. They shape input; the services decide."""

from django import forms
from django.utils.translation import gettext_lazy as _

from tickets.forms import MultipleFileField
from tickets.models import DESCRIPTION_MAX_LENGTH, Ticket
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
