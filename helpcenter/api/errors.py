from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import exceptions
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler as drf_exception_handler


def _as_field_errors(error: DjangoValidationError) -> dict[str, list[str]]:
    """A service's ValidationError as {field: [messages]}; errors about the whole request go
    under non_field_errors, as in DRF's own validation."""
    if not hasattr(error, "error_dict"):
        return {api_settings.NON_FIELD_ERRORS_KEY: error.messages}
    return {
        (api_settings.NON_FIELD_ERRORS_KEY if field == "__all__" else field): messages
        for field, messages in error.message_dict.items()
    }


def exception_handler(exc, context):
    """DRF's handler, plus the services' Django ValidationError as a 400 naming the field."""
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(_as_field_errors(exc))
    return drf_exception_handler(exc, context)
