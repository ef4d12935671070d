from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import Cluster, Environment, Organization, User
from accounts.selectors import cluster_visible_to, clusters_visible_to
from helpcenter.search import validate_search_query
from plans.models import SEVERITY_DEFINITIONS, Portal, Severity
from tickets.models import DESCRIPTION_MAX_LENGTH, Component

TECHNICAL_DESCRIPTION_HELP = _(
    "Describe the issue in as much detail as you can: the exact timestamp when it happened, the "
    "detailed error messages and call stack, and your own troubleshooting or analysis."
)


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input; each is checked by the attachment rules in the service."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if not data:
            return []
        files = data if isinstance(data, list | tuple) else [data]
        return [super(MultipleFileField, self).clean(item, initial) for item in files]


class ListedChoiceIterator(forms.models.ModelChoiceIterator):
    """Reads a short choice list in one query. Django's default streams choices from a
    server-side cursor on PostgreSQL: three round trips and a held cursor for a few rows."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for obj in self.queryset:
            yield self.choice(obj)


class ListedModelChoiceField(forms.ModelChoiceField):
    iterator = ListedChoiceIterator


class ListedModelMultipleChoiceField(forms.ModelMultipleChoiceField):
    iterator = ListedChoiceIterator

    def clean(self, value):
        # Nothing chosen is an empty list: Django's empty queryset is still compiled, to find
        # it empty, wherever the choice is read.
        if not value and not self.required:
            return []
        return super().clean(value)


class LoadedChoiceIterator(ListedChoiceIterator):
    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for obj in self.field.objects:
            yield self.choice(obj)

    def __len__(self):
        return len(self.field.objects) + (self.field.empty_label is not None)

    def __bool__(self):
        return self.field.empty_label is not None or bool(self.field.objects)


class LoadedModelChoiceField(ListedModelChoiceField):
    """Chooses among objects the view has already loaded (`objects`), such as the organizations
    its access check read: neither the choices nor the posted choice cost another query."""

    iterator = LoadedChoiceIterator

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._objects = []

    @property
    def objects(self) -> list:
        return self._objects

    @objects.setter
    def objects(self, objects) -> None:
        self._objects = list(objects)
        # The same objects as a queryset, for code that reads the field's queryset (the form
        # never runs it); setting it also points the widget at these choices.
        self.queryset = self.queryset.model._default_manager.filter(
            pk__in=[obj.pk for obj in self._objects]
        )

    def to_python(self, value):
        if value in self.empty_values:
            return None
        wanted = str(getattr(value, "pk", value))
        for obj in self.objects:
            if str(obj.pk) == wanted:
                return obj
        raise forms.ValidationError(
            self.error_messages["invalid_choice"], code="invalid_choice", params={"value": value}
        )


class ClusterChoiceField(ListedModelChoiceField):
    def label_from_instance(self, obj: Cluster) -> str:
        return f"{obj.name} ({obj.organization.name}, {obj.version})"


class ReaderClusterChoiceField(ClusterChoiceField):
    """Offers `clusters_visible_to(reader)` and takes a posted choice only from them."""

    reader: User | None = None

    def to_python(self, value):
        """The posted cluster, read with `cluster_visible_to` (the rule of the choices, compiled
        once) rather than a query built from the choices on every filing."""
        if value in self.empty_values:
            return None
        try:
            cluster_id = int(str(getattr(value, "pk", value)))
        except ValueError:
            cluster_id = None
        cluster = cluster_id and cluster_visible_to(user=self.reader, cluster_id=cluster_id)
        if not cluster:
            raise forms.ValidationError(
                self.error_messages["invalid_choice"],
                code="invalid_choice",
                params={"value": value},
            )
        return cluster


class RequestForm(forms.Form):
    """The fields both portals share. Choices are only the user's own organizations and clusters;
    the service decides the rules (S1, cluster ownership, plan)."""

    summary = forms.CharField(
        label=_("Summary"),
        max_length=255,
        help_text=_("A brief summary of your question."),
    )
    organization = LoadedModelChoiceField(
        label=_("TiDB Cloud Org"),
        queryset=Organization.objects.none(),
        required=False,
        empty_label=_("None: not about an organization (no response target applies)"),
        help_text=_(
            "Select the TiDB Cloud organization the request is about: its support plan's "
            "response target applies. With “None”, no response target applies and we answer "
            "as soon as we can."
        ),
    )
    cluster = ReaderClusterChoiceField(
        label=_("TiDB Cloud Cluster"),
        queryset=None,
        required=False,
        empty_label=_("None"),
        help_text=_("Select the relevant TiDB Cloud cluster, if applicable."),
    )
    description = forms.CharField(
        label=_("Description"),
        max_length=DESCRIPTION_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("Provide the details about the issue."),
    )
    severity = forms.ChoiceField(
        label=_("Severity"),
        choices=Severity.choices,
        widget=forms.RadioSelect,
        help_text=_("Estimate the business impact of the issue."),
    )
    shared_with_organization = forms.BooleanField(
        label=_("Share with my organization"),
        required=False,
        help_text=_("Members of the organization can see and follow this request."),
    )
    attachments = MultipleFileField(
        label=_("Attachments"),
        help_text=_("Screenshots, logs, PDF or archives; up to 5 files of 10 MB each."),
    )

    def __init__(self, *args, organizations: list, reader: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].objects = organizations
        self.fields["cluster"].queryset = clusters_visible_to(user=reader)
        self.fields["cluster"].reader = reader

    @property
    def severity_options(self):
        """Each severity radio with its definition, which the form shows beside the choice
        and names as the radio's description."""
        return [(radio, SEVERITY_DEFINITIONS[radio.data["value"]]) for radio in self["severity"]]


class BillingRequestForm(RequestForm):
    """S1 is not offered here; a posted S1 is refused by the service with a clear message."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["severity"].widget.choices = [
            choice for choice in Severity.choices if choice[0] != Severity.S1
        ]
        self.fields["severity"].help_text = _(
            "Estimate the business impact of the issue. S1 is not applicable to billing or "
            "account issues."
        )


class TechnicalRequestForm(RequestForm):
    environment = forms.ChoiceField(
        label=_("Environment"),
        choices=Environment.choices,
        widget=forms.RadioSelect,
        help_text=_("The environment in which you use the TiDB Cloud cluster."),
    )
    components = ListedModelMultipleChoiceField(
        label=_("Components"),
        queryset=Component.objects.filter(is_active=True),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "The TiDB Cloud components the issue is about, such as TiDB, TiKV, PD or TiFlash."
        ),
    )
    affects_version = forms.CharField(
        label=_("Affects versions"),
        max_length=32,
        required=False,
        help_text=_("The TiDB Cloud cluster version related to the issue, such as v8.5.1."),
    )
    field_order = [
        "summary",
        "organization",
        "cluster",
        "environment",
        "description",
        "severity",
        "components",
        "affects_version",
        "shared_with_organization",
        "attachments",
    ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        organization = self.fields["organization"]
        organization.required = True
        organization.empty_label = None
        organization.help_text = _("Select the relevant TiDB Cloud organization for the issue.")
        self.fields["description"].help_text = TECHNICAL_DESCRIPTION_HELP


class CommentForm(forms.Form):
    body = forms.CharField(
        label=_("Comment"),
        max_length=DESCRIPTION_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4, "placeholder": _("Add a comment…")}),
    )
    attachments = MultipleFileField(label=_("Attach files"))


class PersonChoiceField(ListedModelMultipleChoiceField):
    def label_from_instance(self, obj: User) -> str:
        return f"{obj.display_name} ({obj.email})"


class SharingForm(forms.Form):
    shared_with_organization = forms.BooleanField(
        label=_("Share with the organization"), required=False
    )
    participants = PersonChoiceField(
        label=_("Share with people"),
        queryset=User.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, colleagues, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["participants"].queryset = colleagues


class NotificationsForm(forms.Form):
    enabled = forms.BooleanField(required=False)


class RequestFilterForm(forms.Form):
    STATUS_CHOICES = [
        ("open", _("Open requests")),
        ("closed", _("Closed requests")),
        ("all", _("Any status")),
    ]

    q = forms.CharField(label=_("Search"), required=False, validators=[validate_search_query])
    status = forms.ChoiceField(
        label=_("Status"),
        choices=STATUS_CHOICES,
        required=False,
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    portal = forms.ChoiceField(
        label=_("Portal"),
        choices=[("", _("All portals")), *Portal.choices],
        required=False,
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    organization = ListedModelChoiceField(
        label=_("Organization"),
        queryset=None,
        required=False,
        empty_label=_("All organizations"),
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    mine = forms.BooleanField(
        label=_("Created by me"),
        required=False,
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
    )

    def __init__(self, *args, organizations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = organizations


class SatisfactionForm(forms.Form):
    rating = forms.TypedChoiceField(
        label=_("How satisfied are you with the support you received?"),
        coerce=int,
        choices=[
            (5, _("5 Excellent")),
            (4, _("4 Good")),
            (3, _("3 Fair")),
            (2, _("2 Poor")),
            (1, _("1 Very poor")),
        ],
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("Anything to add? (optional)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
