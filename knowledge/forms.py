from django import forms
from django.utils.translation import gettext_lazy as _

from plans.models import Portal


class SearchForm(forms.Form):
    q = forms.CharField(label=_("Search the help center"), max_length=255, required=False)


class FeedbackForm(forms.Form):
    helpful = forms.TypedChoiceField(
        label=_("Was this helpful?"),
        choices=[("yes", _("Yes")), ("no", _("No"))],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("Anything we should add or fix? (optional)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class SuggestionContextForm(forms.Form):
    """Where a reader came from when they opened a suggested article: the form they were
    filling in and the summary they had typed, to go back to it."""

    portal = forms.ChoiceField(choices=Portal.choices, required=False)
    summary = forms.CharField(max_length=255, required=False)
