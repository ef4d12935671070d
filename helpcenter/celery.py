"""The Celery app: configured from the CELERY_* Django settings, tasks found in each app's tasks.py.

`make worker` and `make beat` run it against CELERY_BROKER_URL; with the `memory://` broker the
settings make every task run in-process (CELERY_TASK_ALWAYS_EAGER). Workers and beat log through
the Django LOGGING setting, and a task carries the id of the request that enqueued it.
"""

import logging.config
import os

from celery import Celery, signals

from helpcenter import observability

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "helpcenter.settings")

app = Celery("helpcenter")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@signals.setup_logging.connect
def _use_django_logging(**kwargs):
    """Replaces Celery's own logging set-up: the same lines and format as the web processes."""
    from django.conf import settings

    logging.config.dictConfig(settings.LOGGING)


@signals.before_task_publish.connect
def _carry_request_id(headers=None, **kwargs):
    if headers is not None:
        observability.request_id_to_task_headers(headers)


@signals.task_prerun.connect
def _adopt_request_id(task=None, **kwargs):
    observability.request_id_from_task(task)


@signals.task_postrun.connect
def _drop_request_id(task=None, **kwargs):
    observability.request_id_clear(task)
