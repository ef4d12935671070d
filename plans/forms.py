from datetime import date

from django import forms
from django.utils.translation import gettext_lazy as _

from plans.models import Plan, SalesInquiry
from plans.payments import CardDetails


class UnechoedTextInput(forms.TextInput):
    """A visible input whose value is never written back into the page."""

    def format_value(self, value):
        return None


class CardForm(forms.Form):
    """Card details go straight to the gateway; the number and CVC are never shown back."""

    holder_name = forms.CharField(
        label=_("Name on card"),
        max_length=120,
        widget=forms.TextInput(attrs={"autocomplete": "cc-name"}),
    )
    number = forms.CharField(
        label=_("Card number"),
        max_length=23,
        widget=UnechoedTextInput(
            attrs={
                "autocomplete": "cc-number",
                "inputmode": "numeric",
                "placeholder": "1234 5678 9012 3456",
            },
        ),
    )
    exp_month = forms.TypedChoiceField(
        label=_("Expiry month"),
        coerce=int,
        choices=[("", "MM"), *((month, f"{month:02d}") for month in range(1, 13))],
    )
    exp_year = forms.TypedChoiceField(label=_("Expiry year"), coerce=int, choices=())
    cvc = forms.CharField(
        label=_("Security code (CVC)"),
        max_length=4,
        widget=forms.PasswordInput(
            render_value=False, attrs={"autocomplete": "cc-csc", "inputmode": "numeric"}
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        this_year = date.today().year
        self.fields["exp_year"].choices = [
            ("", "YYYY"),
            *((year, str(year)) for year in range(this_year - 1, this_year + 16)),
        ]

    def card(self) -> CardDetails:
        data = self.cleaned_data
        return CardDetails(
            number=data["number"],
            cvc=data["cvc"],
            exp_month=data["exp_month"],
            exp_year=data["exp_year"],
            holder_name=data["holder_name"],
        )


class SalesInquiryForm(forms.ModelForm):
    class Meta:
        model = SalesInquiry
        fields = ["topic", "name", "company", "email", "phone", "message"]
        labels = {"topic": _("What would you like?")}
        widgets = {"message": forms.Textarea(attrs={"rows": 5})}


class PlanUpgradeRequestForm(forms.Form):
    """A member's request to the owners: which plan (optional) and a few words."""

    plan = forms.ModelChoiceField(
        label=_("Plan you need"),
        queryset=Plan.objects.none(),
        required=False,
        empty_label=_("Any higher plan"),
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    message = forms.CharField(
        label=_("Message to the owners"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Optional: why you need it, e.g. technical support for a production cluster."),
    )

    def __init__(self, *args, plans, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["plan"].queryset = plans
