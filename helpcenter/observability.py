"""Logs an operator can use, and error reports.

Every line carries time, level, logger and the request id that django-guid keeps for the request
(taken from X-Request-ID or generated, and sent back in the response). A task enqueued during a
request carries the id in its message headers, so the worker's lines for it show the same id.
"""

import uuid

from django_guid import get_guid, set_guid
from django_guid.log_filters import CorrelationId

REQUEST_ID_TASK_HEADER = "request_id"
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"
JSON_FIELDS = ["asctime", "levelname", "name", "request_id", "message"]


class RequestIdFilter(CorrelationId):
    """Adds `request_id` to every record: the current request's or task's, or "-" outside one."""

    def __init__(self):
        super().__init__(correlation_id_field="request_id")

    def filter(self, record):
        super().filter(record)
        if record.request_id is None:
            record.request_id = "-"
        return True


def logging_config(*, level: str, log_format: str) -> dict:
    """The LOGGING setting: one console handler on the root logger, text or JSON lines.

    Django's own loggers propagate to the root instead of keeping their handlers, so an
    unhandled error's traceback is written once."""
    formatter = (
        {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": JSON_FIELDS,
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        }
        if log_format == "json"
        else {"format": TEXT_FORMAT}
    )
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"request_id": {"()": "helpcenter.observability.RequestIdFilter"}},
        "formatters": {"default": formatter},
        "handlers": {
            "console": {
                "class": "logging.StreamHandler",
                "formatter": "default",
                "filters": ["request_id"],
            }
        },
        "root": {"handlers": ["console"], "level": level},
        "loggers": {
            "django": {"handlers": [], "level": level, "propagate": True},
            "django.server": {"handlers": [], "level": level, "propagate": True},
            # Its per-request "generated a new id" lines say nothing an operator needs.
            "django_guid": {"level": "WARNING"},
        },
    }


def sentry_init(*, dsn: str, environment: str) -> None:
    """Error reports for the web processes and the Celery workers; no personal data is sent."""
    import sentry_sdk
    from sentry_sdk.integrations.celery import CeleryIntegration
    from sentry_sdk.integrations.django import DjangoIntegration

    sentry_sdk.init(
        dsn=dsn,
        environment=environment,
        integrations=[DjangoIntegration(), CeleryIntegration()],
        send_default_pii=False,
    )


def request_id_to_task_headers(headers: dict) -> None:
    """Celery's before_task_publish: a task enqueued by a request takes the request's id."""
    request_id = get_guid()
    if request_id:
        headers[REQUEST_ID_TASK_HEADER] = request_id


def request_id_from_task(task) -> None:
    """Celery's task_prerun in a worker: log under the id of the request that enqueued the task,
    or a new one for a task nobody's request started (beat). In-process (eager) tasks keep the
    id of the request they run in."""
    if task.request.is_eager:
        return
    set_guid(task.request.get(REQUEST_ID_TASK_HEADER) or uuid.uuid4().hex)


def request_id_clear(task) -> None:
    """Celery's task_postrun: the next task in this worker process starts without an id."""
    if not task.request.is_eager:
        set_guid(None)
