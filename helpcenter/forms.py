from django import forms
from django.core.exceptions import ValidationError


def form_add_service_errors(form: forms.Form, error: ValidationError) -> None:
    """Put a service's ValidationError on the fields it names, or on the form as a whole."""
    if hasattr(error, "error_dict"):
        for field, field_errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, field_errors)
    else:
        form.add_error(None, error)
